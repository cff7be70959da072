"""The questionnaire builder's edits: add, change, move and delete one question at a time.

Each edit takes the questionnaire and returns a new one, checked whole (`check`), so that what
is stored can always be asked: a condition tests an earlier question that offers choices, and
one of its choices. Keys are never taken from the request: a new question or choice gets the
next free one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sealbox.channels.questionnaire import (
    BASE_LANGUAGE,
    CHOOSING,
    KINDS,
    MAX_CHOICES,
    MAX_LABEL,
    MAX_QUESTIONS,
    Choice,
    Condition,
    Question,
)
from sealbox.errors import BadInput, NotFound
from sealbox.locale import N_, translations

Questions = list[Question]
YES, NO = N_("Yes"), N_("No")


@dataclass(frozen=True)
class ChoiceEdit:
    """One row of choices on the question's form: an existing key (or None for a new one), its
    labels by language, and whether the admin asked to remove it."""

    key: str | None
    labels: dict[str, str]
    remove: bool = False


@dataclass(frozen=True)
class QuestionEdit:
    labels: dict[str, str]
    required: bool
    choices: tuple[ChoiceEdit, ...] = ()
    # "question key:choice key", or "" to ask the question always.
    when: str = ""


def add(questions: Questions, kind: str, label: str, languages: tuple[str, ...]) -> Questions:
    """The questionnaire with a new question at its end (a yes/no one gets its two choices,
    labelled from the catalogues in every language; a choice one gets its choices on its own
    form, and is not asked until it has two: `questionnaire.ready`)."""
    if kind not in KINDS:
        raise BadInput("Choose a kind of question from the list.")
    if len(questions) >= MAX_QUESTIONS:
        raise BadInput("A questionnaire has at most %(max)s questions.", max=MAX_QUESTIONS)
    choices: tuple[Choice, ...] = ()
    if kind == "yesno":
        choices = tuple(
            Choice(key, {lang: translations(lang).gettext(text) for lang in languages})
            for key, text in (("yes", YES), ("no", NO))
        )
    question = Question(
        key=_next_key("q", [q.key for q in questions]),
        kind=kind,
        labels={BASE_LANGUAGE: _label(label)},
        choices=choices,
    )
    return check([*questions, question])


def new_key(before: Questions, after: Questions) -> str:
    """The key of the question `add` made."""
    return next(q.key for q in after if q.key not in {b.key for b in before})


def save(questions: Questions, key: str, edit: QuestionEdit) -> Questions:
    """The questionnaire with question `key` as the admin's form sets it."""
    question = find(questions, key)
    labels = {lang: _label(text) for lang, text in edit.labels.items() if text.strip()}
    if not labels.get(BASE_LANGUAGE):
        raise BadInput("A question needs its text in English, the channel's default language.")
    choices = question.choices
    if question.kind in ("choice", "multi"):
        choices = _choices(question, edit.choices)
    elif question.kind == "yesno":  # the two keys stay; only their labels change
        given = {c.key: c.labels for c in edit.choices if c.key}
        choices = tuple(
            Choice(c.key, _choice_labels(given.get(c.key), c.labels)) for c in question.choices
        )
    if question.kind in ("choice", "multi") and len(choices) < 2:
        raise BadInput(
            "The question “%(label)s” offers choices: give it at least two.",
            label=labels[BASE_LANGUAGE],
        )
    when = _condition(edit.when)
    changed = replace(question, labels=labels, required=edit.required, choices=choices, when=when)
    return check([changed if q.key == key else q for q in questions])


def move(questions: Questions, key: str, step: int) -> Questions:
    """The questionnaire with question `key` one place up (step -1) or down (+1)."""
    find(questions, key)
    index = next(i for i, q in enumerate(questions) if q.key == key)
    target = index + step
    if not 0 <= target < len(questions):
        return questions
    moved = list(questions)
    moved[index], moved[target] = moved[target], moved[index]
    return check(moved)


def delete(questions: Questions, key: str) -> Questions:
    """The questionnaire without question `key`; refused while another question tests it."""
    find(questions, key)
    for q in questions:
        if q.when is not None and q.when.question == key:
            raise BadInput(
                "The question “%(other)s” is asked only after this one: change or delete its "
                "condition first.",
                other=q.label,
            )
    return check([q for q in questions if q.key != key])


def find(questions: Questions, key: str) -> Question:
    for q in questions:
        if q.key == key:
            return q
    raise NotFound("This question does not exist (it may have been deleted).")


def conditions(questions: Questions, key: str) -> list[tuple[Question, Choice]]:
    """The (question, choice) pairs question `key` may be asked after: each choice of each
    earlier question that offers choices."""
    result: list[tuple[Question, Choice]] = []
    for q in questions:
        if q.key == key:
            break
        if q.kind in CHOOSING:
            result.extend((q, c) for c in q.choices)
    return result


def check(questions: Questions) -> Questions:
    """Refuse a questionnaire that cannot be asked; returns it unchanged otherwise."""
    if len(questions) > MAX_QUESTIONS:
        raise BadInput("A questionnaire has at most %(max)s questions.", max=MAX_QUESTIONS)
    seen: dict[str, Question] = {}
    for q in questions:
        if q.when is not None:
            tested = seen.get(q.when.question)
            if tested is None or tested.kind not in CHOOSING:
                raise BadInput(
                    "The question “%(label)s” can only depend on a question with choices asked "
                    "before it: move it below that question, or ask it always.",
                    label=q.label,
                )
            if tested.choice(q.when.choice) is None:
                raise BadInput(
                    "The question “%(label)s” depends on a choice that no longer exists: "
                    "choose its condition again.",
                    label=q.label,
                )
        seen[q.key] = q
    return questions


def _choices(question: Question, rows: tuple[ChoiceEdit, ...]) -> tuple[Choice, ...]:
    known = {c.key: c for c in question.choices}
    kept: list[Choice] = []
    taken = list(known)
    for row in rows:
        if row.remove:
            continue
        labels = {lang: _label(text) for lang, text in row.labels.items() if text.strip()}
        if row.key in known:
            if not labels.get(BASE_LANGUAGE):
                raise BadInput(
                    "Each choice needs its text in English, the channel's default language."
                )
            kept.append(Choice(row.key, labels))
        elif labels:  # a new row left empty adds nothing
            if not labels.get(BASE_LANGUAGE):
                raise BadInput(
                    "Each choice needs its text in English, the channel's default language."
                )
            key = _next_key("", taken)
            taken.append(key)
            kept.append(Choice(key, labels))
    if len(kept) > MAX_CHOICES:
        raise BadInput("A question offers at most %(max)s choices.", max=MAX_CHOICES)
    return tuple(kept)


def _choice_labels(given: dict[str, str] | None, before: dict[str, str]) -> dict[str, str]:
    labels = {lang: _label(text) for lang, text in (given or {}).items() if text.strip()}
    return labels if labels.get(BASE_LANGUAGE) else before


def _condition(raw: str) -> Condition | None:
    question, sep, choice = raw.partition(":")
    return Condition(question, choice) if sep and question and choice else None


def _label(text: str) -> str:
    label = " ".join(text.split())
    if len(label) > MAX_LABEL:
        raise BadInput("A label has at most %(max)s characters.", max=MAX_LABEL)
    return label


def _next_key(prefix: str, taken: list[str]) -> str:
    numbers = [int(k[len(prefix) :]) for k in taken if k[len(prefix) :].isdecimal()]
    return f"{prefix}{max(numbers, default=-1) + 1}"
