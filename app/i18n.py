"""Locales: negotiation, gettext translations (compiled in memory from the .po files), Babel formatting.

Which languages exist is not written here: the source language (English, in which the strings are written) and every
catalog under the locales folder (``locales/<code>/LC_MESSAGES/messages.po``); which of them a partnership offers is
REASSESS_LOCALES (app.config), given to this module at start-up by ``configure``. A string a catalog does not translate
is shown in the source language and counted (``fallbacks``), so that the backbone's Languages page shows what is missing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, numbers
from babel.core import UnknownLocaleError, get_global
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from app import clock

# The language the application's strings and the instruments are written in; every other language is a catalog under
# REASSESS_LOCALES_DIR (locales/<code>/LC_MESSAGES/messages.po), added by translators (docs/translating.md).
SOURCE_LANGUAGE = "en"
# The catalogs' folder until start-up says otherwise: the checkout's, or REASSESS_HOME's (as app.config.ROOT).
LOCALES_DIR = Path(os.environ.get("REASSESS_HOME") or Path(__file__).resolve().parent.parent) / "locales"
# The territories that print on US Letter (CLDR's supplemental measurement data, paperSize "US-Letter"); A4 elsewhere.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "CR", "GT", "SV", "NI", "PA", "BZ"})
_current: ContextVar[str] = ContextVar("locale", default=SOURCE_LANGUAGE)
_config: dict[str, object] = {"dir": LOCALES_DIR, "offered": None, "default": SOURCE_LANGUAGE}
_fallbacks: dict[str, Counter[str]] = {}
log = logging.getLogger("reassess")
_lock = threading.Lock()


def configure(locales_dir: Path, offered: list[str], default: str) -> None:
    """The catalogs' folder and the languages offered (REASSESS_LOCALES_DIR, REASSESS_LOCALES), set at start-up."""
    _config.update(dir=Path(locales_dir), offered=tuple(offered), default=default)


def configuration() -> tuple[Path, list[str], str]:
    """What ``configure`` was given (so that a test that offers other languages can put it back)."""
    return locales_dir(), list(offered()), str(_config["default"])


def locales_dir() -> Path:
    return Path(str(_config["dir"]))


def catalog_path(lang: str, folder: Path | None = None) -> Path:
    return (folder or locales_dir()) / lang / "LC_MESSAGES" / "messages.po"


def available(folder: Path | None = None) -> list[str]:
    """The languages there are: the source language and every language with a catalog in the folder."""
    base = folder or locales_dir()
    found = sorted(p.parent.parent.name for p in base.glob("*/LC_MESSAGES/messages.po"))
    return [SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE)]


def offered() -> tuple[str, ...]:
    chosen = _config["offered"]
    return chosen if isinstance(chosen, tuple) else tuple(available())


def translations(lang: str) -> NullTranslations:
    return _translations(lang, locales_dir())


@cache
def _translations(lang: str, folder: Path) -> NullTranslations:
    """The catalog of one language, compiled from its .po on first use (no .mo files to go stale)."""
    po = catalog_path(lang, folder)
    if lang == SOURCE_LANGUAGE or not po.exists():
        return NullTranslations()
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=babel_locale(lang), abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{po}: the catalog cannot be read ({str(exc).splitlines()[0]}); correct it with a gettext tool, or"
                           f" export it again with `reassess i18n export --lang {lang}`") from None
    for message in catalog:
        # A translation whose placeholders differ from the source's (%(org)s misspelt, one left out) would fail where it
        # is shown: it is left out, so that the source text is shown instead, counted as a fallback.
        if message.id and message.string and list(message.check(catalog)):
            log.warning("%s: the translation of %r has other placeholders than the source: shown in English", po, message.id)
            message.string = "" if isinstance(message.id, str) else ("",) * len(message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


class CatalogError(Exception):
    """A catalog that cannot be read; the message names the file and what to do, in one line."""


def check_catalogs(languages: list[str]) -> None:
    """Compile each offered language's catalog (at start-up: a broken file stops it there, not on a reader's page)."""
    for lang in languages:
        translations(lang)


def catalog_counts(lang: str) -> tuple[int, int]:
    """(translated, total) entries of a language's catalog: the source language is complete by definition."""
    po = catalog_path(lang)
    template = locales_dir() / "messages.pot"
    if lang == SOURCE_LANGUAGE or not po.exists():
        total = _count(template)[1] if template.exists() else 0
        return (total, total) if lang == SOURCE_LANGUAGE else (0, total)
    return _count(po)


def _count(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if not m.fuzzy and (all(m.string) if isinstance(m.string, tuple | list) else m.string))
    return done, len(messages)


def fallbacks() -> dict[str, Counter[str]]:
    """Per language, the strings this process has shown in the source language for want of a translation (and how
    often), since it started."""
    with _lock:
        return {lang: Counter(c) for lang, c in _fallbacks.items()}


def count_fallback(lang: str, message: str) -> None:
    with _lock:
        _fallbacks.setdefault(lang, Counter())[message] += 1


def babel_locale(code: str) -> Locale:
    """Babel's locale for a code (``vi``, ``zh_Hant``, ``es-US``); a code Babel does not know (a pseudo-locale such as
    ``en-XA``) formats as its language."""
    tag = code.replace("-", "_")
    try:
        return Locale.parse(tag)
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(tag.split("_")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse(SOURCE_LANGUAGE)


def territory(code: str) -> str:
    """The region a code names (``es-US``: US), or the one its language is most likely spoken in (CLDR's likely
    subtags: es -> ES, en -> US, vi -> VN)."""
    parts = code.replace("-", "_").split("_")
    named = [p for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())]
    if named:
        return named[-1].upper()
    likely = get_global("likely_subtags").get(str(babel_locale(code)), "")
    return likely.split("_")[-1] if likely else ""


def paper_for(code: str) -> str:
    """'letter' for the territories that print on Letter, 'a4' elsewhere."""
    return "letter" if territory(code) in LETTER_TERRITORIES else "a4"


def text_direction(code: str | None = None) -> str:
    """'rtl' for a language written right to left (Arabic, Hebrew, Persian, Urdu...), otherwise 'ltr'."""
    return "rtl" if babel_locale(code or get_locale()).character_order == "right-to-left" else "ltr"


def _offered_or_default(lang: str) -> str:
    return lang if lang in offered() else str(_config["default"])


def get_locale() -> str:
    return _current.get()


def set_locale(lang: str) -> None:
    _current.set(_offered_or_default(lang))


@contextmanager
def locale(lang: str) -> Iterator[None]:
    token = _current.set(_offered_or_default(lang))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **variables: object) -> str:
    lang = _current.get()
    text = translations(lang).gettext(message)
    if text is message and lang != SOURCE_LANGUAGE and message:
        count_fallback(lang, message)
    return text % variables if variables else text


class _Later(dict[str, object]):
    """Placeholders not given yet stay as they are: Jinja's newstyle ngettext fills ``num`` here and the template's
    other variables afterwards."""

    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    lang = _current.get()
    text = translations(lang).ngettext(singular, plural, n)
    if (text is singular or text is plural) and lang != SOURCE_LANGUAGE:
        count_fallback(lang, singular)
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
    by_tag = {code.lower().replace("_", "-"): code for code in supported}
    for _q, _n, tag in sorted(offers):
        if _q >= 0:
            continue
        if tag in by_tag:  # the exact language and region (es-us, zh-hant)
            return by_tag[tag]
        base = tag.split("-")[0]
        if base in by_tag:
            return by_tag[base]
    return default




def format_number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return numbers.format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else ""), locale=babel_locale(get_locale()))


def format_signed(value: float | int | None, digits: int = 0) -> str:
    """A change or a difference with its sign, in the locale's digits: "+4", "−3" (a minus sign, not a hyphen), and "0"
    with no sign when it rounds to nothing."""
    if value is None:
        return "—"
    text = format_number(abs(value), digits)
    if text == format_number(0, digits):
        return text
    return ("+" if value > 0 else "\u2212") + text


def format_percent(share: float | None) -> str:
    """A share in 0..1 as a whole percentage in the locale's style (72 % in Spanish)."""
    if share is None:
        return "—"
    return numbers.format_percent(share, locale=babel_locale(get_locale()))


def format_date(value: dt.date | dt.datetime | None, form: str = "long") -> str:
    """A date, or a stored timestamp's date in the partnership's time zone (app.clock)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = clock.local(value)
    return _format_date(value, format=form, locale=babel_locale(get_locale()))


def format_datetime(value: dt.datetime | None, form: str = "medium") -> str:
    """A stored timestamp in the partnership's time zone."""
    if value is None:
        return "—"
    return _format_datetime(value, format=form, locale=babel_locale(get_locale()), tzinfo=clock.zone())


def language_name(lang: str) -> str:
    """A language's name in itself, from Babel's locale data (English, Español, Tiếng Việt, العربية); a code Babel does
    not know is named by its language and the rest of the code (English (XA))."""
    known = babel_locale(lang)
    name = known.get_display_name(known) or lang
    if str(known).replace("_", "-").lower() != lang.replace("_", "-").lower():
        name = f"{name} ({lang.replace('_', '-').split('-', 1)[-1]})" if "-" in lang.replace("_", "-") else name
    return name[:1].upper() + name[1:]
