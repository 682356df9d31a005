"""Locales: negotiation, gettext translations (compiled in memory from the .po files), Babel formatting."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from babel import Locale, numbers
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app import clock
from app.config import KNOWN_LOCALES, ROOT

LOCALES_DIR = ROOT / "locales"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
_current: ContextVar[str] = ContextVar("locale", default="en")


@cache
def translations(lang: str) -> NullTranslations:
    """The catalog of one language, compiled from its .po on first use (no .mo files to go stale)."""
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def get_locale() -> str:
    return _current.get()


def set_locale(lang: str) -> None:
    _current.set(lang if lang in KNOWN_LOCALES else "en")


@contextmanager
def locale(lang: str) -> Iterator[None]:
    token = _current.set(lang if lang in KNOWN_LOCALES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    text = translations(_current.get()).gettext(message)
    return text % variables if variables else text


class _Later(dict[str, object]):
    """Placeholders not given yet stay as they are: Jinja's newstyle ngettext fills ``num`` here and the template's
    other variables afterwards."""

    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_current.get()).ngettext(singular, plural, n)
    return text % _Later(num=n, **variables)


_ = gettext


def lazy(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


def negotiate(accept_language: str | None, supported: list[str], default: str) -> str:
    if not accept_language:
        return default
    offers: list[tuple[float, int, str]] = []
    for n, part in enumerate(accept_language.split(",")):
        piece = part.strip().split(";")
        tag = piece[0].strip().lower()
        quality = 1.0
        for param in piece[1:]:
            if param.strip().startswith("q="):
                try:
                    quality = float(param.strip()[2:])
                except ValueError:
                    quality = 0.0
        if tag:
            offers.append((-quality, n, tag))
    for _q, _n, tag in sorted(offers):
        base = tag.split("-")[0]
        if base in supported and _q < 0:
            return base
    return default




def format_number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return numbers.format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""), locale=get_locale())


def format_percent(share: float | None) -> str:
    """A share in 0..1 as a whole percentage in the locale's style (72 % in Spanish)."""
    if share is None:
        return "—"
    return numbers.format_percent(share, locale=get_locale())


def format_date(value: dt.date | dt.datetime | None, form: str = "long") -> str:
    """A date, or a stored timestamp's date in the partnership's time zone (app.clock)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = clock.local(value)
    return _format_date(value, format=form, locale=get_locale())


def format_datetime(value: dt.datetime | None, form: str = "medium") -> str:
    """A stored timestamp in the partnership's time zone."""
    if value is None:
        return "—"
    return _format_datetime(value, format=form, locale=get_locale(), tzinfo=clock.zone())


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang) or Locale.parse(lang).get_display_name(lang)
