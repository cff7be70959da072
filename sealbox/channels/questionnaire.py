"""A channel's questionnaire: the questions a source answers next to the report text.

Admins edit it as plain text (no JavaScript needed), one question per line:

    text* Your department            (* = required)
    long What happened first?
    choice* Which site? = Berlin | Paris | Other
    multi Who was involved? = Manager | Colleague
    date When did it happen?
    file A supporting document
      zh_Hans: 证明文件               (an indented line translates the label above)

Answers are keyed by the English label, so a report stays readable after the questions change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sealbox.errors import BadInput
from sealbox.locale import N_, Message

KINDS = {
    "text": N_("a short text"),
    "long": N_("a long text"),
    "choice": N_("one choice of several"),
    "multi": N_("any number of choices"),
    "date": N_("a date"),
    "file": N_("a file"),
}
MAX_QUESTIONS = 40
MAX_SHORT = 1_000
MAX_LONG = 20_000


@dataclass(frozen=True)
class Question:
    kind: str
    label: str
    required: bool = False
    choices: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # translations by language code

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.label


class QuestionnaireInvalid(BadInput):
    """Some answers are missing or wrong; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, Message]) -> None:
        super().__init__(N_("Some answers need your attention: see the messages next to them."))
        self.errors = errors


def field_name(index: int) -> str:
    return f"q{index}"


def parse(text: str, languages: tuple[str, ...]) -> list[Question]:
    """Read the editor's text; BadInput names the line that is wrong."""
    questions: list[Question] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if raw[0].isspace():
            lang, sep, label = raw.strip().partition(":")
            if not questions or not sep or lang.strip() not in languages:
                raise BadInput(
                    "Line %(line)s: an indented line translates the question above it, "
                    "as 'LANG: label' with LANG one of %(languages)s.",
                    line=number,
                    languages=", ".join(languages),
                )
            questions[-1].labels[lang.strip()] = label.strip()
            continue
        head, _, rest = raw.strip().partition(" ")
        kind = head.rstrip("*")
        if kind not in KINDS:
            raise BadInput(
                "Line %(line)s: “%(kind)s” is not a kind of question; use one of %(kinds)s "
                "(add * for a required one).",
                line=number,
                kind=head,
                kinds=", ".join(KINDS),
            )
        label, eq, options = rest.partition("=")
        label = label.strip()
        choices = tuple(c.strip() for c in options.split("|") if c.strip()) if eq else ()
        if not label:
            raise BadInput("Line %(line)s: the question has no text.", line=number)
        if kind in ("choice", "multi") and len(choices) < 2:
            raise BadInput(
                "Line %(line)s: list at least two choices after '=', split by '|'.", line=number
            )
        if kind not in ("choice", "multi") and choices:
            raise BadInput(
                "Line %(line)s: only choice and multi questions take choices.", line=number
            )
        if any(q.label == label for q in questions):
            raise BadInput(
                "Line %(line)s: the question “%(label)s” is already asked above.",
                line=number,
                label=label,
            )
        questions.append(Question(kind, label[:300], head.endswith("*"), choices))
    if len(questions) > MAX_QUESTIONS:
        raise BadInput("A questionnaire has at most %(max)s questions.", max=MAX_QUESTIONS)
    return questions


def to_text(questions: list[Question]) -> str:
    """The editor's text for `questions` (the inverse of `parse`)."""
    lines = []
    for q in questions:
        line = f"{q.kind}{'*' if q.required else ''} {q.label}"
        if q.choices:
            line += " = " + " | ".join(q.choices)
        lines.append(line)
        lines.extend(f"  {lang}: {label}" for lang, label in q.labels.items())
    return "\n".join(lines)


def dumps(questions: list[Question]) -> str:
    return json.dumps(
        [
            {
                "kind": q.kind,
                "label": q.label,
                "required": q.required,
                "choices": list(q.choices),
                "labels": q.labels,
            }
            for q in questions
        ],
        ensure_ascii=False,
    )


def loads(stored: str | None) -> list[Question]:
    return [
        Question(
            kind=q["kind"],
            label=q["label"],
            required=bool(q.get("required")),
            choices=tuple(q.get("choices") or ()),
            labels=dict(q.get("labels") or {}),
        )
        for q in json.loads(stored or "[]")
    ]


def answers(questions: list[Question], fields: dict[str, str]) -> dict[str, str]:
    """Check the submitted `fields` against `questions`; returns {label: answer} to seal.

    A file question's field holds the received file's display name (set by the upload reader).
    Raises QuestionnaireInvalid listing every problem at once.
    """
    result: dict[str, str] = {}
    errors: dict[str, Message] = {}
    for index, q in enumerate(questions):
        name = field_name(index)
        if q.kind == "multi":
            picked = [c for i, c in enumerate(q.choices) if fields.get(f"{name}_{i}")]
            value = ", ".join(picked)
        else:
            value = fields.get(name, "").strip()
        if not value:
            if q.required:
                errors[name] = Message(N_("Please answer this question."))
            continue
        if q.kind == "text" and len(value) > MAX_SHORT:
            errors[name] = Message(
                N_("Please keep this under %(max)s characters."), {"max": MAX_SHORT}
            )
        elif q.kind == "long" and len(value) > MAX_LONG:
            errors[name] = Message(
                N_("Please keep this under %(max)s characters, or attach a file."),
                {"max": MAX_LONG},
            )
        elif q.kind == "choice" and value not in q.choices:
            errors[name] = Message(N_("Please pick one of the choices."))
        elif q.kind == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors[name] = Message(
                    N_("Please give a date as YYYY-MM-DD, for example 2024-03-31.")
                )
        result[q.label] = value
    if errors:
        raise QuestionnaireInvalid(errors)
    return result
