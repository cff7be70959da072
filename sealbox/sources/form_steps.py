"""The steps of a channel's form, for a questionnaire with conditional questions.

A question asked only after a given answer ("ask B only when A is X") is shown on a later step
of the form, chosen by the server, so the form works with JavaScript off. The answers of earlier
steps travel in the form itself, as hidden fields of the next page: nothing of what a source
typed is kept on the server between steps (no draft row, no session, no file), and the server
can forget a source who gives up half-way because it never knew them. The form is checked whole
when it is finally sent, so a tampered hidden field buys nothing a source could not have typed.

Files are chosen on the last step, where the form is sent with its single-use token: a file
cannot be carried from page to page without storing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sealbox.channels import answers, questionnaire
from sealbox.channels.channel_settings import ChannelView
from sealbox.channels.questionnaire import Question

# What the form's fixed parts are called: the report text (first step), identity and the
# metadata choice (last step).
TEXT = "text"
LAST_STEP_FIELDS = ("identity_name", "identity_contact", "keep_confirm")


@dataclass(frozen=True)
class FormPage:
    """One step of a channel's form: which it is, its questions, the answers given on the
    other steps (carried as hidden fields), and a summary of those given before it."""

    step: int  # the stage it asks (0 first)
    number: int  # 1-based, for "Step 2 of 3"
    total: int  # how many steps these answers make (a later answer may add one)
    first: bool
    last: bool
    questions: tuple[Question, ...]
    carried: tuple[tuple[str, str], ...]
    earlier: tuple[tuple[str, str], ...]


def page(channel: ChannelView, fields: dict[str, str], step: int, lang: str) -> FormPage:
    """The form's step `step` (the nearest shown one at or before it) for these answers."""
    questions = channel.questions
    shown_steps = questionnaire.pages(questions, fields)
    step = max((s for s in shown_steps if s <= step), default=0)
    here = questionnaire.on_page(questions, fields, step)
    here_names = {name for q in here for name in questionnaire.field_names(q)}
    last = step == shown_steps[-1]
    carried: list[tuple[str, str]] = []
    if step != 0 and fields.get(TEXT):
        carried.append((TEXT, fields[TEXT]))
    shown = questionnaire.asked(questions, fields)
    for q in questions:
        if q.kind == "file" or q.key not in shown:
            continue  # a file is never carried; an answer to a question not asked is dropped
        for name in questionnaire.field_names(q):
            if name not in here_names and fields.get(name):
                carried.append((name, fields[name]))
    if not last:
        carried.extend((name, fields[name]) for name in LAST_STEP_FIELDS if fields.get(name))
    return FormPage(
        step=step,
        number=shown_steps.index(step) + 1,
        total=len(shown_steps),
        first=step == 0,
        last=last,
        questions=tuple(here),
        carried=tuple(carried),
        earlier=tuple(_earlier(questions, fields, step, lang)),
    )


def step(channel: ChannelView, fields: dict[str, str], current: int, forward: bool) -> int:
    """The step to show after `current`: the next shown one once this step's answers pass
    (QuestionnaireInvalid otherwise), or the one before it, unchecked."""
    questions = channel.questions
    shown_steps = questionnaire.pages(questions, fields)
    if forward:
        answers.check(questions, fields, page=current)
        return min((s for s in shown_steps if s > current), default=shown_steps[-1])
    return max((s for s in shown_steps if s < current), default=0)


def _earlier(
    questions: tuple[Question, ...], fields: dict[str, str], step: int, lang: str
) -> list[tuple[str, str]]:
    result: list[tuple[str, str]] = []
    for before in range(step):
        try:
            given = answers.check(questions, fields, page=before)
        except answers.QuestionnaireInvalid:
            continue  # shown again on its own step when the form is sent
        result.extend(answers.shown(given, lang))
    return result
