"""The questionnaire editor's text format and answer checks."""

from __future__ import annotations

import pytest

from sealbox.channels import questionnaire
from sealbox.channels.channel_settings import LANGUAGES
from sealbox.errors import BadInput

TEXT = """text* Department
choice Site = A | B
  ug: ئورۇن
multi Who = X | Y | Z
date When
"""


def test_text_round_trips():
    questions = questionnaire.parse(TEXT, LANGUAGES)
    assert questionnaire.parse(questionnaire.to_text(questions), LANGUAGES) == questions
    assert questionnaire.loads(questionnaire.dumps(questions)) == questions
    assert questions[1].label_in("ug") == "ئورۇن" and questions[1].label_in("zh_Hant") == "Site"


@pytest.mark.parametrize(
    "text, message",
    [
        ("essay What?", "Line 1"),
        ("text Same\ntext Same", "already asked"),
        ("  fr: Bonjour", "translates the question above"),
        ("text Q\n  fr: Bonjour", "one of en"),
        ("date When = a | b", "only choice and multi"),
        ("text*", "no text"),
    ],
)
def test_wrong_lines_are_named(text, message):
    with pytest.raises(BadInput, match=message):
        questionnaire.parse(text, LANGUAGES)


def test_answers_are_checked_all_at_once():
    questions = questionnaire.parse(TEXT, LANGUAGES)
    with pytest.raises(questionnaire.QuestionnaireInvalid) as caught:
        questionnaire.answers(questions, {"q1": "C", "q3": "yesterday"})
    assert set(caught.value.errors) == {"q0", "q1", "q3"}
    answers = questionnaire.answers(
        questions, {"q0": " Sales ", "q1": "B", "q2_0": "1", "q2_2": "1", "q3": "2024-02-29"}
    )
    assert answers == {"Department": "Sales", "Site": "B", "Who": "X, Z", "When": "2024-02-29"}
