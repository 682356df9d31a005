"""The pseudo-locale's transformation and catalog, and a language's .po for translators (app.catalogs)."""

from __future__ import annotations

import io
import re

from babel.messages.pofile import read_po

from app import catalogs, i18n
from app.config import ROOT
from app.instruments.loader import load_catalogue
from app.instruments.validation import texts


def test_a_pseudo_translation_is_bracketed_accented_longer_and_keeps_placeholders_and_markup():
    text = "Hello %(name)s, you have %s new <a href=\"/x\">answers</a> &amp; {count} more: 50%% done"
    out = catalogs.pseudo(text)
    assert out.startswith("[") and out.endswith("]") and "Ĥéĺĺö" in out
    assert re.findall(r"%\(\w+\)s|%s|%%|<[^>]+>|&amp;|\{\w+\}", out) == re.findall(r"%\(\w+\)s|%s|%%|<[^>]+>|&amp;|\{\w+\}", text)
    assert len(out) >= 1.3 * len(text) - 12  # the markup and placeholders are not lengthened
    assert catalogs.pseudo("") == ""


def test_the_pseudo_catalog_translates_every_string_and_compiles(tmp_path):
    path = catalogs.write_pseudo("en-XA", tmp_path / "locales", ROOT / "locales")
    catalog = read_po(io.BytesIO(path.read_bytes()))
    template = catalogs.template(ROOT / "locales")
    assert {m.id for m in catalog if m.id} == {m.id for m in template if m.id}
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(s.startswith("[") for s in strings), message.id
            assert not list(message.check(catalog)), message.id  # placeholders as the source has them (Babel's checkers)
    assert (tmp_path / "locales" / "es" / "LC_MESSAGES" / "messages.po").exists()  # beside the shipped catalogs
    assert i18n.available(tmp_path / "locales") == ["en", "en-XA", "es"]


def test_exporting_a_new_language_gives_every_string_untranslated_with_its_plural_forms():
    catalog = read_po(io.BytesIO(catalogs.export_catalog("ru")))
    messages = [m for m in catalog if m.id]
    assert len(messages) == len([m for m in catalogs.template() if m.id]) and all(not m.string or not any(m.string) for m in messages)
    assert catalog.num_plurals == 3 and str(catalog.locale) == "ru"


def test_exporting_an_existing_language_keeps_its_translations():
    catalog = read_po(io.BytesIO(catalogs.export_catalog("es")))
    assert catalog.get("Executive summary").string == "Resumen ejecutivo"
    assert all(m.string for m in catalog if m.id)  # Spanish is complete


def test_the_spanish_catalog_calls_a_score_puntuacion_everywhere():
    """One Spanish word for "score" on every screen, email and report (issue 21): "puntuación", never "puntaje"."""
    with open(ROOT / "locales" / "es" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    strings = [s for m in catalog if m.id for s in (m.string if isinstance(m.string, tuple) else (m.string,))]
    assert not [s for s in strings if re.search(r"\bpuntajes?\b", s, re.IGNORECASE)]
    assert sum("puntuación" in s.lower() for s in strings) > 20


def test_the_english_source_strings_are_in_us_spelling():
    """The screens', emails' and reports' English is US English (Letter paper, "color"): no British spellings in the
    catalog's source strings, nor in the English of the shipped instruments as they load (1.0 and 1.1 were published
    with "Fully in place and practised": their corrections, beside them, say "practiced")."""
    with open(ROOT / "locales" / "messages.pot", "rb") as fh:
        template = read_po(fh)
    british = re.compile(r"\b(colour\w*|catalogue\w*|organis\w*|practis\w*|behaviour\w*|centre\w*|programme\w*|recognis\w*"
                         r"|prioritis\w*|analys(e|ed|es|ing)|summaris\w*|favour\w*|labour\w*|honour\w*|licence)\b", re.IGNORECASE)
    ids = [s for m in template if m.id for s in (m.id if isinstance(m.id, tuple) else (m.id,))]
    assert len(ids) > 500
    assert [s for s in ids if british.search(s)] == []
    catalogue = load_catalogue(ROOT / "surveys")
    english = [text for inst in catalogue.all() for _, value in texts(inst) for text in [value.get("en")] if text]
    assert len(english) > 1000
    assert [s for s in english if british.search(s)] == []
