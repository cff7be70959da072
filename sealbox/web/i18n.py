"""Which language a page is in: `?lang=` in the URL first, then `Accept-Language`, then English.

No cookie remembers the choice: a cookie outlives the visit and tells whoever holds the browser
that it was used here. Instead every link, form action and redirect carries `?lang=` once it
was chosen in the URL, so the language stays without anything being stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import pass_context
from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sealbox.locale import BY_TAG, DEFAULT, LANGUAGES, Language, translations

PARAM = "lang"
# Regional tags people's browsers send, mapped to the catalogue that fits them.
_REGIONS = {
    "zh-cn": "zh-hans", "zh-sg": "zh-hans", "zh-my": "zh-hans",
    "zh-tw": "zh-hant", "zh-hk": "zh-hant", "zh-mo": "zh-hant",
}  # fmt: skip


@dataclass(frozen=True)
class Choice:
    language: Language
    explicit: bool  # chosen in the URL, so links and redirects must carry it on


def match(tag: str) -> Language | None:
    """The supported language a BCP 47 tag asks for (`zh-TW` -> Traditional Chinese), if any."""
    tag = tag.strip().replace("_", "-").lower()
    if not tag:
        return None
    tag = _REGIONS.get(tag, tag)
    parts = tag.split("-")
    if parts[0] == "zh" and len(parts) > 1 and parts[1] in ("hans", "hant"):
        return BY_TAG[f"zh-{parts[1]}"]
    if parts[0] == "zh":
        return BY_TAG["zh-hans"]
    return BY_TAG.get(parts[0])


def from_accept_language(header: str | None) -> Language:
    """The best supported language in an `Accept-Language` header, honouring q-values."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        language = match(tag)
        if language:
            return language
    return DEFAULT


def choose(query_lang: str | None, accept_language: str | None) -> Choice:
    """A language named in the URL wins; otherwise the browser's preference is a first guess."""
    chosen = match(query_lang or "")
    if chosen:
        return Choice(chosen, explicit=True)
    return Choice(from_accept_language(accept_language), explicit=False)


def choice_of(request: Request) -> Choice:
    return choose(request.query_params.get(PARAM), request.headers.get("accept-language"))


def language_of(request: Request) -> Language:
    """The language the page for `request` is written in."""
    return choice_of(request).language


def with_lang(url: str, tag: str) -> str:
    """`url` with `?lang=tag` set (replacing any other language), keeping its fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PARAM]
    query.append((PARAM, tag))
    return urlunsplit(parts._replace(query=urlencode(query)))


def local_url(choice: Choice, path: str) -> str:
    """A link inside the site that keeps the page's language when it was chosen in the URL."""
    return with_lang(path, choice.language.tag) if choice.explicit else path


@dataclass(frozen=True)
class SwitchLink:
    language: Language
    href: str
    current: bool


def switcher(request: Request, choice: Choice) -> list[SwitchLink]:
    """Plain links to this page in every language."""
    here = request.url.path
    if request.url.query:
        here += "?" + request.url.query
    return [
        SwitchLink(language, with_lang(here, language.tag), language == choice.language)
        for language in LANGUAGES
    ]


@cache
def gettext_callables(code: str) -> dict:
    """`_`, `gettext` and `ngettext` for templates, behaving like Jinja's "newstyle" gettext:
    the translation is a format string, its variables are escaped."""
    catalogue = translations(code)

    @pass_context
    def gettext(context, message: str, **variables):
        text = catalogue.gettext(message)
        if context.eval_ctx.autoescape:
            # Our own committed catalogue, as in Jinja's gettext; the variables get escaped.
            text = Markup(text)  # noqa: S704
        return text % variables

    @pass_context
    def ngettext(context, singular: str, plural: str, num: int, **variables):
        variables.setdefault("num", num)
        text = catalogue.ngettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704
        return text % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def translate(code: str, message: str) -> str:
    """A message made in Python (a domain error, say) in the language `code`, as plain text."""
    return translations(code).gettext(message) if message else message


def template_context(request: Request) -> dict:
    """What every page needs to speak the chosen language and keep it in its links."""
    choice = choice_of(request)
    language = choice.language
    return {
        "lang": language.tag,
        "direction": language.direction,
        "locale": language.code,
        # A language link repeats a GET; after a POST it would lose what the page shows
        # (a passphrase shown once), so those pages offer no switcher.
        "languages": switcher(request, choice) if request.method == "GET" else [],
        "url": lambda path: local_url(choice, path),
        # A GET form's action loses its query string, so such forms carry the language here.
        "lang_field": _lang_field(choice),
        # For Python code that takes a gettext function (file-cleaning reports, say).
        "gettext_plain": lambda message: translate(language.code, message),
        **gettext_callables(language.code),
    }


def _lang_field(choice: Choice) -> Markup:
    if not choice.explicit:
        return Markup("")
    return Markup('<input type="hidden" name="{}" value="{}">').format(PARAM, choice.language.tag)


class LanguageMiddleware:
    """Keeps an explicitly chosen language across redirects; tells caches the page varies by it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        choice = choice_of(Request(scope))

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["content-language"] = choice.language.tag
                headers.append("vary", "Accept-Language")
                location = headers.get("location")
                if choice.explicit and location and _is_local(location):
                    headers["location"] = with_lang(location, choice.language.tag)
            await send(message)

        await self.app(scope, receive, wrapped)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and url.startswith("/")
