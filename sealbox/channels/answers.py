"""A source's answers to a channel's questionnaire: checked, then sealed with the report.

What is sealed names each question and choice by its key, with a snapshot of their labels in
every language as they were asked: the report reads the same in each language, and a later
edit of the questionnaire cannot change what a source answered. A question the source was not
asked (its condition did not hold) has no answer, whatever the form carried.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sealbox.channels.questionnaire import CHOOSING, Question, asked, page_of, picked
from sealbox.errors import BadInput
from sealbox.locale import N_, Message

# One sealed answer: its question's key, kind and labels, and "value" (text) or "choices"
# (each {key, labels}). JSON, as it is sealed in the message body.
Answer = dict[str, Any]
MAX_SHORT = 1_000
MAX_LONG = 20_000


class QuestionnaireInvalid(BadInput):
    """Some answers are missing or wrong; `errors` maps a field name to its message, `page` is
    the first step of the form with one."""

    def __init__(self, errors: dict[str, Message], page: int = 0) -> None:
        super().__init__(N_("Some answers need your attention: see the messages next to them."))
        self.errors = errors
        self.page = page


def check(
    questions: list[Question] | tuple[Question, ...],
    fields: dict[str, str],
    page: int | None = None,
) -> list[Answer]:
    """Check the answers in `fields` to the questions asked (on step `page` only, if given);
    returns them as sealed with the report. Raises QuestionnaireInvalid listing every problem.

    A file question's field holds the received file's display name (set by the upload reader).
    """
    shown = asked(questions, fields)
    result: list[Answer] = []
    errors: dict[str, Message] = {}
    first_page: int | None = None
    for q in questions:
        if q.key not in shown or (page is not None and page_of(questions, q) != page):
            continue
        problem, answer = _one(q, fields)
        if problem is not None:
            errors[q.key] = problem
            here = page_of(questions, q)
            first_page = here if first_page is None else min(first_page, here)
        elif answer is not None:
            result.append(answer)
    if errors:
        raise QuestionnaireInvalid(errors, first_page or 0)
    return result


def _one(q: Question, fields: dict[str, str]) -> tuple[Message | None, Answer | None]:
    """(what is wrong, None) or (None, the answer to seal; None when left empty)."""
    snapshot = {"key": q.key, "kind": q.kind, "labels": q.labels}
    if q.kind in CHOOSING:
        keys = picked(q, fields)
        given = fields.get(q.key, "").strip() if q.kind != "multi" else ""
        if given and not keys:
            return Message(N_("Please pick one of the choices.")), None
        if not keys:
            return (
                (Message(N_("Please answer this question.")), None) if q.required else (None, None)
            )
        chosen = [{"key": c.key, "labels": c.labels} for c in q.choices if c.key in keys]
        return None, {**snapshot, "choices": chosen}
    value = fields.get(q.key, "").strip()
    if not value:
        return (Message(N_("Please answer this question.")), None) if q.required else (None, None)
    if q.kind == "text" and len(value) > MAX_SHORT:
        return Message(N_("Please keep this under %(max)s characters."), {"max": MAX_SHORT}), None
    if q.kind == "long" and len(value) > MAX_LONG:
        return Message(
            N_("Please keep this under %(max)s characters, or attach a file."), {"max": MAX_LONG}
        ), None
    if q.kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return Message(N_("Please give a date as YYYY-MM-DD, for example 2024-03-31.")), None
    return None, {**snapshot, "value": value}


def shown(stored: dict[str, str] | list[Answer] | None, lang: str) -> list[tuple[str, str]]:
    """Sealed answers as (question, answer) in `lang` (the default language where a label has
    no translation); answers sealed before questions had keys were {English label: text}."""
    if isinstance(stored, dict):
        return [(str(label), str(value)) for label, value in stored.items()]
    result = []
    for answer in stored or ():
        question = _label(answer.get("labels") or {}, lang)
        if "choices" in answer:
            value = ", ".join(_label(c.get("labels") or {}, lang) for c in answer["choices"])
        else:
            value = str(answer.get("value", ""))
        result.append((question, value))
    return result


def _label(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")
