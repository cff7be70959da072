"""Templates hold no text a translator cannot reach, and no link that would drop the language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

import sealbox.web

WEB = Path(sealbox.web.__file__).parent
TEMPLATES = sorted(WEB.glob("**/templates/**/*.html"))
HOLE = " \u2063 "  # where a {{ ... }} or {% ... %} stood: not a letter, not a tag name
# Blocks that hold a value, not text: a CSS class, say.
VALUE_BLOCKS = {"body_class"}
PATHS = re.compile(r"/[\w\-/.]*")  # an address shown as text, like /submit/fraud
# Names and notation that read the same in every language ("report:" is audit filter syntax).
ALLOWED_TEXT = {"report", "Sealbox", "MB", "KB", "GPS", "TOTP", "age", "·", "←", "→", "(", ")", ":"}
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "label"}
LINK_ATTRIBUTES = {"href", "action", "formaction"}
LETTERS = re.compile(r"[^\W\d_]{2,}")


def _skeleton(source: str) -> str:
    """The template's literal HTML, each Jinja construct replaced by one placeholder."""
    out = []
    depth = 0
    names: list[str] = []
    in_value_block = False
    for _, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind == "data" and depth == 0:
            if not in_value_block:
                out.append(value)
        elif kind in ("variable_begin", "block_begin", "comment_begin"):
            depth += 1
            names = []
            if depth == 1:
                out.append(HOLE)
        elif kind in ("variable_end", "block_end", "comment_end"):
            depth -= 1
            if names[:1] == ["block"] and names[1:2] and names[1] in VALUE_BLOCKS:
                in_value_block = True
            elif names[:1] == ["endblock"]:
                in_value_block = False
        elif kind == "name":
            names.append(value)
    return "".join(out)


class _Findings(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bare: list[str] = []
        self.links: list[str] = []
        self._verbatim = 0  # inside <pre>/<code>: commands and code, not prose

    def handle_starttag(self, tag, attrs):
        if tag in ("pre", "code"):
            self._verbatim += 1
        for name, value in attrs:
            value = value or ""
            if name in TEXT_ATTRIBUTES and _words(value):
                self.bare.append(f'{tag} {name}="{value}"')
            if (
                name in LINK_ATTRIBUTES
                and value.startswith("/")
                and not value.startswith("/static/")
            ):
                self.links.append(f'{tag} {name}="{value}"')

    def handle_endtag(self, tag):
        if tag in ("pre", "code") and self._verbatim:
            self._verbatim -= 1

    def handle_data(self, data):
        if not self._verbatim and _words(data):
            self.bare.append(data.strip())


def _words(text: str) -> list[str]:
    text = PATHS.sub(" ", text.replace(HOLE.strip(), " "))
    return [w for w in LETTERS.findall(text) if w not in ALLOWED_TEXT]


def _findings(path: Path) -> _Findings:
    findings = _Findings()
    findings.feed(_skeleton(path.read_text()))
    findings.close()
    return findings


def test_templates_are_found():
    assert len(TEMPLATES) >= 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_no_untranslatable_text(path):
    bare = _findings(path).bare
    assert not bare, f"wrap these in {{{{ _('...') }}}}: {bare}"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_links_keep_the_language(path):
    links = _findings(path).links
    assert not links, f"write these as {{{{ url('/...') }}}} so they keep ?lang=: {links}"


def test_the_check_catches_bare_text_and_bare_links(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<h1>{{ _("Fine") }}</h1><p>Not translated</p><a href="/login" title="Go">{{ x }}</a>'
        '<a href="{{ url(\'/ok\') }}">{{ _("ok") }}</a><pre>sealbox decrypt</pre>'
    )
    findings = _findings(page)
    assert findings.bare == ["Not translated", 'a title="Go"']
    assert findings.links == ['a href="/login"']


GET_FORM = re.compile(r"<form\b[^>]*\bmethod=\"get\"[^>]*>(?!\{\{ lang_field \}\})", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_get_forms_keep_the_language(path):
    # A GET form replaces its action's query string, ?lang= included: it carries it itself.
    forms = GET_FORM.findall(path.read_text())
    assert not forms, f"put {{{{ lang_field }}}} right after: {forms}"
