"""The questionnaire builder: forms to add, edit, reorder, delete and preview a channel's
questions, one question at a time. Works without JavaScript (up/down buttons, a confirmation
page before a delete)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from sealbox.channels import question_builder
from sealbox.channels.channel_settings import LANGUAGES
from sealbox.channels.question_builder import ChoiceEdit, QuestionEdit
from sealbox.channels.questionnaire import KINDS, page_of
from sealbox.errors import SealboxError
from sealbox.locale import N_
from sealbox.web.kept_text import TypedField
from sealbox.web.staff.guards import keeps_text
from sealbox.web.staff.pages import Admin, Form, Refusal, StaffPage

router = APIRouter(prefix="/admin/channels/{channel_id}/questions")

LANGUAGE_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文", "ug": "ئۇيغۇرچە"}
NEW_ROWS = 3  # empty rows for new choices on a question's form
LABELS = tuple(
    TypedField(f"label_{lang}", N_("Question"), long=False, note=LANGUAGE_NAMES[lang])
    for lang in LANGUAGES
)
NEW_QUESTION = (TypedField("label", N_("Question (English)"), long=False),)


def _base(channel_id: str) -> str:
    return f"/staff/admin/channels/{channel_id}/questions"


def _list_page(page: StaffPage, channel_id: str, error: Refusal = None, form=None) -> Response:
    shown = page.svc.channels.questionnaire(page.ctx, channel_id)
    known = {q.key: q for q in shown.questions}
    context = {
        "channel": shown.channel,
        "questions": shown.questions,
        "known": known,
        "kinds": KINDS,
        "form": form or {},
    }
    return page.render("staff/questionnaire.html", context, error)


@router.get("")
def builder(channel_id: str, page: Admin) -> Response:
    return _list_page(page, channel_id)


@router.post("", dependencies=[keeps_text(*NEW_QUESTION)])
def add_question(channel_id: str, page: Admin, form: Form) -> Response:
    try:
        key = page.svc.channels.add_question(
            page.ctx, channel_id, form.get("kind", ""), form.get("label", "")
        )
    except SealboxError as exc:
        return _list_page(page, channel_id, exc, form)
    return RedirectResponse(page.local(f"{_base(channel_id)}/{key}?added=1"), status_code=303)


@router.get("/preview")
def preview(channel_id: str, page: Admin, language: str = "en") -> Response:
    """Every question as a source sees it in `language` (a catalogue code; `lang` is the
    page's own), step by step, the conditions named."""
    shown = page.svc.channels.questionnaire(page.ctx, channel_id)
    preview_lang = language if language in LANGUAGES else "en"
    steps: dict[int, list] = {}
    for q in shown.questions:
        steps.setdefault(page_of(shown.questions, q), []).append(q)
    context = {
        "channel": shown.channel,
        "steps": sorted(steps.items()),
        "known": {q.key: q for q in shown.questions},
        "preview_lang": preview_lang,
        "question_languages": LANGUAGE_NAMES,
    }
    return page.render("staff/questionnaire_preview.html", context)


def _question_page(
    page: StaffPage, channel_id: str, key: str, error: Refusal = None, form=None
) -> Response:
    shown = page.svc.channels.questionnaire(page.ctx, channel_id)
    questions = list(shown.questions)
    question = question_builder.find(questions, key)
    context = {
        "channel": shown.channel,
        "q": question,
        "kinds": KINDS,
        "question_languages": LANGUAGE_NAMES,
        "conditions": question_builder.conditions(questions, key),
        "new_rows": range(NEW_ROWS),
        "form": form,
    }
    return page.render("staff/question.html", context, error)


@router.get("/{key}")
def question_page(channel_id: str, key: str, page: Admin) -> Response:
    return _question_page(page, channel_id, key)


def _edit_of(form: dict[str, str]) -> QuestionEdit:
    rows = []
    for name in sorted({k.split("_", 2)[1] for k in form if k.startswith("choice_")}):
        rows.append(
            ChoiceEdit(
                key=None if name.startswith("new") else name,
                labels={lang: form.get(f"choice_{name}_{lang}", "") for lang in LANGUAGES},
                remove=form.get(f"remove_{name}") == "1",
            )
        )
    return QuestionEdit(
        labels={lang: form.get(f"label_{lang}", "") for lang in LANGUAGES},
        required=form.get("required") == "1",
        choices=tuple(rows),
        when=form.get("when", ""),
    )


@router.post("/{key}", dependencies=[keeps_text(*LABELS)])
def save_question(channel_id: str, key: str, page: Admin, form: Form) -> Response:
    try:
        page.svc.channels.save_question(page.ctx, channel_id, key, _edit_of(form))
    except SealboxError as exc:
        return _question_page(page, channel_id, key, exc, form)
    return RedirectResponse(page.local(f"{_base(channel_id)}?saved={key}#{key}"), status_code=303)


@router.post("/{key}/move")
def move_question(channel_id: str, key: str, page: Admin, form: Form) -> Response:
    step = -1 if form.get("direction") == "up" else 1
    try:
        page.svc.channels.move_question(page.ctx, channel_id, key, step)
    except SealboxError as exc:
        return _list_page(page, channel_id, exc)
    return RedirectResponse(page.local(f"{_base(channel_id)}#{key}"), status_code=303)


@router.get("/{key}/delete")
def confirm_delete(channel_id: str, key: str, page: Admin) -> Response:
    """The confirmation step before a delete (a page, so it needs no JavaScript)."""
    shown = page.svc.channels.questionnaire(page.ctx, channel_id)
    question = question_builder.find(list(shown.questions), key)
    return page.render("staff/question_delete.html", {"channel": shown.channel, "q": question})


@router.post("/{key}/delete")
def delete_question(channel_id: str, key: str, page: Admin, form: Form) -> Response:
    try:
        page.svc.channels.delete_question(page.ctx, channel_id, key)
    except SealboxError as exc:
        return _list_page(page, channel_id, exc)
    return RedirectResponse(page.local(f"{_base(channel_id)}?deleted=1"), status_code=303)
