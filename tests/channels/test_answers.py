"""Answers to a questionnaire: every problem at once, keys stored with the labels as asked,
answers sealed before questions had keys still read."""

from __future__ import annotations

import json

import pytest

from sealbox.channels import answers, questionnaire

QUESTIONS = questionnaire.loads(
    json.dumps(
        [
            {"kind": "text", "label": "Department", "required": True},
            {"kind": "choice", "label": "Site", "choices": ["A", "B"], "labels": {"ug": "ئورۇن"}},
            {"kind": "multi", "label": "Who", "choices": ["X", "Y", "Z"]},
            {"kind": "date", "label": "When"},
        ]
    )
)


def test_answers_are_checked_all_at_once():
    with pytest.raises(answers.QuestionnaireInvalid) as caught:
        answers.check(QUESTIONS, {"q1": "C", "q3": "yesterday"})
    assert set(caught.value.errors) == {"q0", "q1", "q3"}


def test_answers_keep_keys_and_read_in_each_language():
    given = answers.check(
        QUESTIONS, {"q0": " Sales ", "q1": "1", "q2_0": "1", "q2_2": "1", "q3": "2024-02-29"}
    )
    assert [a["key"] for a in given] == ["q0", "q1", "q2", "q3"]
    assert given[1]["choices"] == [{"key": "1", "labels": {"en": "B"}}]
    assert answers.shown(given, "ug") == [
        ("Department", "Sales"),
        ("ئورۇن", "B"),
        ("Who", "X, Z"),
        ("When", "2024-02-29"),
    ]


def test_answers_sealed_before_keys_read_as_they_were():
    assert answers.shown({"Department": "Sales", "Site": "B"}, "zh_Hans") == [
        ("Department", "Sales"),
        ("Site", "B"),
    ]
