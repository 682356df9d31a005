"""The application's catalogs for translators: one language's .po to translate (``reassess i18n export``), and the
pseudo-locale the tests read every page and report in (``reassess i18n pseudo``).

A new language is a catalog under the locales folder (``<code>/LC_MESSAGES/messages.po``) and its code in
REASSESS_LOCALES; nothing here or anywhere in app/ lists the languages (docs/translating.md).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app import i18n
from app.i18n import SOURCE_LANGUAGE

# What a pseudo-translation keeps as it is: placeholders (%(name)s, %s, %%, {name}), HTML tags and entities.
_KEEP = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif%]|\{[^{}]*\}|<[^<>]*>|&[#a-zA-Z0-9]+;")
_ACCENTS = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                         "àƀçđéƒĝĥîĵķĺɱñöƥǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖƤǪŔŠŢÛṼŴẊÝŽ")
_PADDING = ("ĺöŕéɱ", "îƥšûɱ", "đöĺöŕ", "šîţ", "àɱéţ")


def template(folder: Path | None = None) -> Catalog:
    with ((folder or i18n.locales_dir()) / "messages.pot").open("rb") as fh:
        return read_po(fh)


def export_catalog(lang: str, folder: Path | None = None) -> bytes:
    """The .po a translator fills for ``lang``: its catalog brought up to date with the current strings (new ones
    empty, removed ones dropped), or, for a language without one, every string of ``messages.pot`` untranslated."""
    if lang == SOURCE_LANGUAGE:
        raise ValueError(f"'{lang}' is the language the strings are written in: export another language")
    if not re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*", lang):
        raise ValueError(f"'{lang}' is not a language code (such as vi, zh_Hant, es-US)")
    pot = template(folder)
    existing = i18n.catalog_path(lang, folder)
    if existing.exists():
        with existing.open("rb") as fh:
            catalog = read_po(fh, locale=lang.replace("-", "_")) if _known(lang) else read_po(fh)
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
    else:
        now = dt.datetime.now(dt.UTC)
        catalog = Catalog(locale=lang.replace("-", "_") if _known(lang) else None, project="reassess", charset="utf-8",
                          fuzzy=False, creation_date=now, revision_date=now, language_team=lang, last_translator="",
                          header_comment=f"# The strings of reassess's screens, emails and reports, for translation into '{lang}'.\n"
                                         f"# Translate each msgstr; keep msgid as it is and every %(name)s as it is.\n"
                                         f"# Then save this file as locales/{lang}/LC_MESSAGES/messages.po and add {lang} to"
                                         " REASSESS_LOCALES (docs/translating.md).\n#")
        for message in pot:
            if message.id:
                catalog.add(message.id, "" if isinstance(message.id, str) else ("",) * catalog.num_plurals,
                            flags=message.flags - {"fuzzy"}, context=message.context)
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False, ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def _known(lang: str) -> bool:
    try:
        Catalog(locale=lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return False
    return True


def pseudo(text: str) -> str:
    """A string as a pseudo-translation: accented, about 30 % longer, in brackets; placeholders, tags and entities kept
    (``Hello %(name)s`` -> ``[Ĥéĺĺö %(name)s ĺöŕéɱ]``)."""
    if not text:
        return text
    out, at = [], 0
    for kept in _KEEP.finditer(text):
        out.append(text[at:kept.start()].translate(_ACCENTS))
        out.append(kept.group())
        at = kept.end()
    out.append(text[at:].translate(_ACCENTS))
    body = "".join(out)
    visible = len(_KEEP.sub("", text))
    padding, n = [], 0
    while sum(len(p) + 1 for p in padding) < visible * 0.3:
        padding.append(_PADDING[n % len(_PADDING)])
        n += 1
    return "[" + body + (" " + " ".join(padding) if padding else "") + "]"


def write_pseudo(lang: str, folder: Path, source: Path | None = None) -> Path:
    """Write the pseudo-locale ``lang`` (e.g. en-XA) into ``folder``: every string of messages.pot pseudo-translated.
    The source folder's catalogs (and messages.pot) are copied beside it, so ``folder`` can be REASSESS_LOCALES_DIR."""
    source = source or i18n.locales_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for po in [source / "messages.pot", *source.glob("*/LC_MESSAGES/messages.po")]:
        target = folder / po.relative_to(source)
        if target.resolve() != po.resolve():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(po.read_bytes())
    catalog = Catalog(locale=None, project="reassess", charset="utf-8", fuzzy=False)
    catalog.language_team = lang
    for message in template(source):
        if not message.id:
            continue
        if isinstance(message.id, str):
            catalog.add(message.id, pseudo(message.id), flags=message.flags - {"fuzzy"}, context=message.context)
        else:
            catalog.add(message.id, tuple(pseudo(m) for m in message.id), flags=message.flags - {"fuzzy"}, context=message.context)
    path = i18n.catalog_path(lang, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.BytesIO()
    write_po(out, catalog, width=0)
    path.write_bytes(out.getvalue())
    return path


def translate_instrument(source_text: str, lang: str, translate: Callable[[str], str], label: str = "instrument") -> str:
    """An instrument file's text with ``lang`` added to every string, as ``translate`` makes it from the source text
    (the pseudo-locale's instrument: ``translate_instrument(text, "en-XA", pseudo)``). The id and version stay: this is
    for tests and trials, never for publishing (a new language is published with import-strings, docs/translating.md)."""
    import yaml

    from app.instruments.loader import load_text
    from app.instruments.validation import texts

    instrument = load_text(source_text, label)
    data = yaml.safe_load(source_text)
    for loc, text in texts(instrument):
        node = data
        for part in loc:
            node = node[part]
        node[lang] = translate(text.root[instrument.source_language])
    if lang not in data["languages"]:
        data["languages"].append(lang)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=140)
