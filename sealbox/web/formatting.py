"""Dates, numbers and sizes written the way the page's language writes them (Babel/CLDR)."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.units import format_unit
from jinja2 import pass_context

from sealbox.locale import Message, translations


def _locale(context) -> str:
    return context.get("locale") or "en"


@pass_context
def date(context, value: dt.date | dt.datetime | None) -> str:
    """A calendar date (or date and time) in the page's language."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return format_datetime(value, "medium", locale=_locale(context))
    return format_date(value, "long", locale=_locale(context))


@pass_context
def number(context, value: int | float) -> str:
    return format_decimal(value, locale=_locale(context))


def message_text(locale: str, message: Message | str | None) -> str:
    """A message made in Python (a domain error) in the language `locale`, as plain text: its
    id looked up in the catalogue, then its values filled in, numbers in the language's digits.
    A plain string is a message id without values."""
    if not message:
        return ""
    if isinstance(message, str):
        message = Message(message)
    catalogue = translations(locale)
    return message.render(catalogue.gettext, lambda n: format_decimal(n, locale=locale))


@pass_context
def filesize(context, size: int) -> str:
    """Bytes as B/kB/MB/GB with the page's digits and separators."""
    locale = _locale(context)
    if size < 1000:
        return format_unit(size, "digital-byte", length="short", locale=locale)
    value = float(size)
    for unit in ("kilobyte", "megabyte", "gigabyte"):
        value /= 1000
        if value < 1000 or unit == "gigabyte":
            break
    return format_unit(value, f"digital-{unit}", length="short", locale=locale, format="#,##0.0")


@pass_context
def translated(context, message: Message | str | None) -> str:
    """A message made in Python (a domain error) in the page's language."""
    return message_text(_locale(context), message)


FILTERS = {"date": date, "number": number, "filesize": filesize, "translated": translated}
