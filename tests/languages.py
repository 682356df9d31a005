"""The pseudo-locale the tests read pages and reports in, and the checks that find what it leaves untranslated.

``pseudo_world(folder)`` writes a copy of locales/ with the pseudo-locale en-XA (every string accented, about 30 %
longer, in brackets; ``reassess i18n pseudo``) and a copy of surveys/ whose versions have an en-XA text for every
string, and returns the settings and the catalogue that offer it. Nothing of it is committed: it is generated from the
catalogs and the instruments each run, so it never goes stale.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from babel import Locale

from app import catalogs
from app.config import ROOT
from app.instruments.loader import Catalogue, load_catalogue

PSEUDO = "en-XA"
_MONTHS = [m for width in ("wide", "abbreviated") for m in Locale("en").months["format"][width].values()]
_DAYS = [d for width in ("wide", "abbreviated") for d in Locale("en").days["format"][width].values()]


def pseudo_world(folder: Path) -> tuple[dict[str, Any], Catalogue]:
    locales = folder / "locales"
    catalogs.write_pseudo(PSEUDO, locales, ROOT / "locales")
    surveys = folder / "surveys"
    for path in sorted((ROOT / "surveys").glob("*/*.yaml")):
        target = surveys / path.relative_to(ROOT / "surveys")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(catalogs.translate_instrument(path.read_text(encoding="utf-8"), PSEUDO, catalogs.pseudo, str(path)),
                          encoding="utf-8")
    for path in sorted((ROOT / "surveys").glob("*/corrections/*.yaml")):  # the published versions' spelling corrections
        target = surveys / path.relative_to(ROOT / "surveys")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    settings = {"locales": ["en", "es", PSEUDO], "locales_dir": locales, "surveys_dir": surveys}
    return settings, load_catalogue(surveys)


def untranslated(text: str, allowed: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """The words of ``text`` outside every pseudo-translated [...] that are not user data (``allowed``: names people
    typed, e-mail addresses), numbers, dates or language names (which are in their own language on purpose)."""
    for value in sorted(allowed, key=len, reverse=True):
        text = text.replace(value, " ")
    previous = None
    while previous != text:  # innermost brackets first: a translated string may hold another (its placeholder's value)
        previous = text
        text = re.sub(r"\[[^\[\]]*\]", " ", text)
    text = re.sub(r"\S+@\S+|https?://\S*|\S*\b[\w-]+\.(?:org|gov|com|net|edu)\b\S*", " ", text)  # addresses, links
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)?", text)
    ignored = {*_MONTHS, *_DAYS, "AM", "PM", "reassess", "English", "XA", "Español", "UTC"}
    return [w for w in words if w not in ignored]
