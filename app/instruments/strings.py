"""A version's strings as a gettext .po for translators, and a translated .po back into a new version file.

Each entry's context (``msgctxt``) is the string's place in the file, with ids where the file has them
(``items/leadership-01/text``, ``scales/implementation/options/0/label``); its ``msgid`` is the text in the
source language, its ``msgstr`` the text in the target language. Importing refuses an entry whose place no
longer exists or whose source text changed since the export, and writes a new version (a published version
never changes) that must pass the same validation as every instrument file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

import yaml
from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, write_po

from app.i18n import gettext as _
from app.instruments.loader import Correction, InstrumentError, correct, load_text, parse_yaml, version_key
from app.instruments.schema import Instrument, Text
from app.instruments.validation import Loc, texts

VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_HEADER = """\
# The strings of instrument {id} {version}, for translation into '{lang}'.
# Translate each msgstr; keep msgctxt (the string's place) and msgid (the source text) as they are.
# Then: reassess instruments import-strings {id} {version} --lang {lang} --po <this file> --new-version <a later version, such as 1.0.1>
#"""


class StringsError(Exception):
    """A .po that cannot be exported or imported; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def places(instrument: Instrument) -> dict[str, tuple[Loc, Text]]:
    """Every user-visible string of a version by its context: ``items/leadership-01/text`` -> (location, text)."""
    return {_context(instrument, loc): (loc, text) for loc, text in texts(instrument)}


def _context(instrument: Instrument, loc: Loc) -> str:
    parts: list[str] = []
    node: Any = instrument
    for part in loc:
        if isinstance(part, int):
            node = node[part]
            ident = getattr(node, "id", None)
            parts.append(ident if isinstance(ident, str) else str(part))
        else:
            node = getattr(node, part)
            parts.append(part)
    return "/".join(parts)


def export_strings(instrument: Instrument, lang: str) -> bytes:
    """The version's strings as a .po in ``lang`` (empty translations where the version has none)."""
    source = instrument.source_language
    now = dt.datetime.now(dt.UTC)
    if lang == source:
        raise StringsError([_("'%(lang)s' is the source language of %(id)s %(version)s; export one of the other languages.",
                              lang=lang, id=instrument.id, version=instrument.version)])
    try:
        catalog = Catalog(locale=lang, project=instrument.id, version=instrument.version, charset="utf-8", fuzzy=False,
                          header_comment=_HEADER.format(id=instrument.id, version=instrument.version, lang=lang),
                          msgid_bugs_address="", last_translator="reassess", language_team=lang,
                          creation_date=now, revision_date=now)
    except (UnknownLocaleError, ValueError):
        raise StringsError([_("'%(lang)s' is not a language code (for example es, fr, zh_Hant).", lang=lang)]) from None
    for context, (_loc, text) in places(instrument).items():
        message = Message(text.root[source], text.root.get(lang, ""), context=context)
        message.flags.discard("python-format")  # instrument texts are not format strings ("50% of staff")
        catalog[text.root[source]] = message
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, ignore_obsolete=True)
    return out.getvalue()


def import_strings(instrument: Instrument, source_text: str, po: bytes, lang: str, new_version: str, label: str = "",
                   corrections: Sequence[Correction] = ()) -> str:
    """The text of a new version file: ``source_text`` (the version's file) with its ``corrections`` (the loaded
    version's) and the .po's translations in ``lang``.

    Raises StringsError listing every refused entry, or every problem of the resulting file.
    """
    if not VERSION.match(new_version):
        raise StringsError([_("--new-version %(version)s: write a version such as 1.0.1.", version=new_version)])
    if version_key(new_version) <= version_key(instrument.version):
        raise StringsError([_("--new-version %(version)s must be later than %(old)s.", version=new_version, old=instrument.version)])
    if lang == instrument.source_language:
        raise StringsError([_("'%(lang)s' is the source language of %(id)s %(version)s; import one of the other languages.",
                              lang=lang, id=instrument.id, version=instrument.version)])
    try:
        catalog = read_po(io.BytesIO(po), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise StringsError([_("The .po file cannot be read: %(reason)s", reason=str(exc))]) from None
    if catalog.locale is not None and str(catalog.locale) != lang:
        raise StringsError([_("The .po file is in '%(po)s', not in '%(lang)s'.", po=str(catalog.locale), lang=lang)])

    known = places(instrument)
    source = instrument.source_language
    data = parse_yaml(source_text)[1]
    correct(data, corrections)  # the new version says what the version says as loaded
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue  # the header
        context = message.context or ""
        place = known.get(context)
        if place is None:
            problems.append(_("%(context)s: there is no such string in %(id)s %(version)s.",
                              context=context or '""', id=instrument.id, version=instrument.version))
            continue
        loc, text = place
        if message.id != text.root[source]:
            problems.append(_("%(context)s: the source text has changed since the export; export the strings again.", context=context))
            continue
        if message.fuzzy or not message.string:
            continue  # not translated (yet): the version keeps what it had
        _raw_text(data, loc)[lang] = message.string
    if problems:
        raise StringsError(problems)

    languages = data.setdefault("languages", [])
    if lang not in languages:
        languages.append(lang)
    data["version"] = new_version
    data["published"] = dt.date.today().isoformat()
    data["changes"] = {"supersedes": instrument.version}
    header = (f"# {instrument.title.get(source)}, version {new_version}: the strings of version {instrument.version} with the "
              f"'{lang}' translation imported from a .po.\n# A published version never changes: publish a new version instead.\n")
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=140)
    try:
        load_text(text, label or f"{instrument.id}/{new_version}.yaml")
    except InstrumentError as exc:
        raise StringsError(exc.problems) from None
    return text


def _raw_text(data: Any, loc: Loc) -> dict[str, str]:
    node = data
    for part in loc:
        node = node[part]
    return node
