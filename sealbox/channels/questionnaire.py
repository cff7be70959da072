"""A channel's questionnaire: the questions a source answers next to the report text.

Each question and each answer choice has a stable key and a label per language (English always,
the others where an admin wrote one), so a source reads them in their page's language and the
stored answer names the key it picked, never a translated text. A question may be asked only
when an earlier one got a given answer ("ask B only when A is X"): the source form asks such
questions on a later step, rendered by the server, so it needs no JavaScript (`stage_of`).

Admins build it with forms (`channels/question_builder.py`); it is stored as JSON on the
channel. Answers are checked and snapshotted by `channels/answers.py`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sealbox.locale import N_

KINDS = {
    "text": N_("a short text"),
    "long": N_("a long text"),
    "choice": N_("one choice of several"),
    "multi": N_("any number of choices"),
    "yesno": N_("yes or no"),
    "date": N_("a date"),
    "file": N_("a file"),
}
# Kinds whose answer is one or more of the question's choices (and that a condition can test).
CHOOSING = ("choice", "multi", "yesno")
BASE_LANGUAGE = "en"  # the channel's default language: every label has it
MAX_QUESTIONS = 40
MAX_CHOICES = 30
MAX_LABEL = 300


@dataclass(frozen=True)
class Choice:
    key: str
    labels: dict[str, str] = field(default_factory=dict)

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get(BASE_LANGUAGE, "")


@dataclass(frozen=True)
class Condition:
    """Ask the question only when the earlier question `question` was answered `choice`."""

    question: str
    choice: str


@dataclass(frozen=True)
class Question:
    key: str  # also the name of its form field ("q3"); a multi's boxes are "q3_<choice key>"
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    required: bool = False
    choices: tuple[Choice, ...] = ()
    when: Condition | None = None

    @property
    def label(self) -> str:
        return self.labels.get(BASE_LANGUAGE, "")

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.label

    @property
    def ready(self) -> bool:
        """Whether a source can answer it: a question of choices needs two at least (one just
        added has none until its form is saved, and is not asked until then)."""
        return self.kind not in CHOOSING or len(self.choices) >= 2

    def choice(self, key: str) -> Choice | None:
        return next((c for c in self.choices if c.key == key), None)

    def box(self, choice_key: str) -> str:
        """The form field of one choice of a multi question."""
        return f"{self.key}_{choice_key}"


def by_key(questions: list[Question] | tuple[Question, ...]) -> dict[str, Question]:
    return {q.key: q for q in questions}


def stage_of(questions: list[Question] | tuple[Question, ...], question: Question) -> int:
    """Which step of the source form asks `question`: 0 for those always asked, one more than
    the step of the question a condition tests (conditions only test earlier questions)."""
    known = by_key(questions)
    stage, current = 0, question
    while current.when is not None and current.when.question in known:
        stage += 1
        current = known[current.when.question]
    return stage


def last_stage(questions: list[Question] | tuple[Question, ...]) -> int:
    return max((stage_of(questions, q) for q in questions), default=0)


def page_of(questions: list[Question] | tuple[Question, ...], question: Question) -> int:
    """The step whose page shows `question`: its stage, but files on the last page, where the
    form is sent (a file cannot be carried from one page to the next without storing it)."""
    if question.kind == "file":
        return last_stage(questions)
    return stage_of(questions, question)


def picked(question: Question, fields: dict[str, str]) -> list[str]:
    """The choice keys a form's `fields` pick for a choosing question (unknown keys dropped)."""
    keys = [c.key for c in question.choices]
    if question.kind == "multi":
        return [k for k in keys if fields.get(question.box(k))]
    value = fields.get(question.key, "").strip()
    return [value] if value in keys else []


def asked(questions: list[Question] | tuple[Question, ...], fields: dict[str, str]) -> set[str]:
    """The keys of the questions the source is asked, given their answers so far: a
    conditional question when the question it tests is asked and got the tested choice."""
    known = by_key(questions)
    result: set[str] = set()
    for q in questions:
        tested = known.get(q.when.question) if q.when else None
        if not q.ready:
            continue
        if q.when is None or (
            tested is not None and tested.key in result and q.when.choice in picked(tested, fields)
        ):
            result.add(q.key)
    return result


def pages(questions: list[Question] | tuple[Question, ...], fields: dict[str, str]) -> list[int]:
    """The steps of the source form that have something to show for these answers: the first
    (the report text), the last (files and sending), and each between that asks a question."""
    shown = asked(questions, fields)
    last = last_stage(questions)
    middle = {page_of(questions, q) for q in questions if q.key in shown}
    return sorted({0, last} | middle)


def on_page(
    questions: list[Question] | tuple[Question, ...], fields: dict[str, str], page: int
) -> list[Question]:
    """The questions asked on step `page`, in their order."""
    shown = asked(questions, fields)
    return [q for q in questions if q.key in shown and page_of(questions, q) == page]


def field_names(question: Question) -> list[str]:
    """Every form field a question's answer may use."""
    if question.kind == "multi":
        return [question.box(c.key) for c in question.choices]
    return [question.key]


def dumps(questions: list[Question] | tuple[Question, ...]) -> str:
    return json.dumps(
        [
            {
                "key": q.key,
                "kind": q.kind,
                "labels": q.labels,
                "required": q.required,
                "choices": [{"key": c.key, "labels": c.labels} for c in q.choices],
                "when": (
                    {"question": q.when.question, "choice": q.when.choice} if q.when else None
                ),
            }
            for q in questions
        ],
        ensure_ascii=False,
        sort_keys=True,
    )


def loads(stored: str | None) -> list[Question]:
    """The stored questionnaire; one in the older shape (English label, choices as texts,
    keyed by position) is read as migration 0010 rewrites it."""
    result = []
    for index, raw in enumerate(json.loads(stored or "[]")):
        if "key" not in raw:
            raw = legacy(index, raw)
        when = raw.get("when")
        result.append(
            Question(
                key=raw["key"],
                kind=raw["kind"],
                labels=dict(raw.get("labels") or {}),
                required=bool(raw.get("required")),
                choices=tuple(
                    Choice(c["key"], dict(c.get("labels") or {})) for c in raw.get("choices") or ()
                ),
                when=Condition(when["question"], when["choice"]) if when else None,
            )
        )
    return result


def legacy(index: int, raw: dict[str, Any]) -> dict[str, Any]:
    """A question of the older shape, in the current one (the same rule as migration 0010)."""
    return {
        "key": f"q{index}",
        "kind": raw["kind"],
        "labels": {**(raw.get("labels") or {}), BASE_LANGUAGE: raw["label"]},
        "required": bool(raw.get("required")),
        "choices": [
            {"key": str(i), "labels": {BASE_LANGUAGE: text}}
            for i, text in enumerate(raw.get("choices") or ())
        ],
        "when": None,
    }
