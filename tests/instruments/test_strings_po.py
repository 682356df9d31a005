"""Translators round-trip a version's strings: export a .po, edit it with gettext tools, import it as a new version."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from app.cli import main as cli_main
from app.config import ROOT
from app.instruments.loader import load_catalogue, load_file
from app.instruments.mapping import IdMap
from app.instruments.strings import places
from app.instruments.validation import texts
from tests.instruments.minimal import MINIMAL, write

REASSESS = Path(sys.executable).with_name("reassess")
MSGFMT = shutil.which("msgfmt")
ID = "equity-self-assessment"
TITLE_EN = "Racial Equity Organizational Self-Assessment"
TITLE_ES = "Autoevaluación organizacional de equidad racial"
EDITED_ES = "Autoevaluación organizativa de la equidad racial"

needs_gettext = pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")


@pytest.fixture
def surveys(tmp_path) -> Path:
    """A surveys folder holding a copy of the shipped 1.0 and its corrections (imports write new versions here)."""
    folder = tmp_path / "surveys"
    (folder / ID / "corrections").mkdir(parents=True)
    shutil.copy(ROOT / "surveys" / ID / "1.0.yaml", folder / ID / "1.0.yaml")
    shutil.copy(ROOT / "surveys" / ID / "corrections" / "1.0.yaml", folder / ID / "corrections" / "1.0.yaml")
    return folder


def _reassess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REASSESS), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def _msgfmt_check(po: Path) -> subprocess.CompletedProcess[str]:
    assert MSGFMT is not None
    return subprocess.run([MSGFMT, "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, timeout=60)


def _po(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


@needs_gettext
def test_export_edit_with_gettext_tools_import_and_check(tmp_path, surveys):
    shipped = load_file(surveys / ID / "1.0.yaml").instrument
    n_strings = sum(1 for _ in texts(shipped))

    # 1. Export, as the issue writes it; the .po is valid for msgfmt --check, with no warning.
    run = _reassess("instruments", "export-strings", ID, "1.0", "--lang", "es", "-o", "es.po", "--surveys-dir", str(surveys), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    po = tmp_path / "es.po"
    check = _msgfmt_check(po)
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == f"{n_strings} translated messages."

    catalog = _po(po)
    entries = {m.context: m for m in catalog if m.id}
    assert len(entries) == n_strings  # one entry per string, each with its own context
    assert str(catalog.locale) == "es"
    assert (entries["title"].id, entries["title"].string) == (TITLE_EN, TITLE_ES)
    lead = shipped.item("leadership-01")
    assert (entries["items/leadership-01/text"].id, entries["items/leadership-01/text"].string) == (lead.text.get("en"), lead.text.get("es"))
    assert entries["items/leadership-01/guidance/actions/1"].id == lead.guidance.actions[1].get("en")
    staff = next(o for o in shipped.respondent.role_group.options or [] if o.id == "staff")
    assert entries["respondent/role_group/options/staff/label"].string == staff.label.get("es")
    assert all(not m.flags for m in entries.values())  # no python-format flag: msgfmt must not check "%" in texts

    # 2. The translator edits one string and the file goes through gettext's own tools (msgcat re-wraps it).
    catalog.get(TITLE_EN, context="title").string = EDITED_ES
    edited = io.BytesIO()
    write_po(edited, catalog)
    (tmp_path / "edited.po").write_bytes(edited.getvalue())
    cat = subprocess.run(["msgcat", "edited.po", "-o", "es-final.po"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert cat.returncode == 0, cat.stderr
    assert _msgfmt_check(tmp_path / "es-final.po").returncode == 0

    # 3. Import into a new version file beside 1.0.
    run = _reassess("instruments", "import-strings", ID, "1.0", "--lang", "es", "--po", "es-final.po", "--new-version", "1.0.1",
                    "--surveys-dir", str(surveys), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    new_file = surveys / ID / "1.0.1.yaml"
    assert run.stderr == f"wrote {new_file}; check it with: reassess instruments check {new_file}\n"

    # 4. The new version validates (the file on its own, and the folder), carries the edit and nothing else changed.
    assert cli_main(["instruments", "check", str(new_file)]) == 0
    catalogue = load_catalogue(surveys)
    new = catalogue.get(ID, "1.0.1")
    assert new.title.get("es") == EDITED_ES and new.title.get("en") == TITLE_EN
    assert new.changes is not None and new.changes.supersedes == "1.0"
    before, after = places(shipped), places(new)
    assert before.keys() == after.keys()
    changed = [ctx for ctx in before if before[ctx][1] != after[ctx][1]]
    assert changed == ["title"]  # 1.0's spelling corrections are in the new version's own text
    assert new.scale("implementation").options[3].label.get("en") == "Fully in place and practiced"
    assert catalogue.loaded(ID, "1.0.1").corrections == ()
    assert [i.id for i in new.items] == [i.id for i in shipped.items]
    assert IdMap.between(new, shipped, catalogue.find).comparable_items == {i.id: i.id for i in shipped.items}
    # The published 1.0 is untouched.
    assert (surveys / ID / "1.0.yaml").read_bytes() == (ROOT / "surveys" / ID / "1.0.yaml").read_bytes()


def _export(surveys: Path, lang: str, capsysbinary) -> bytes:
    assert cli_main(["instruments", "export-strings", "mini", "1.0", "--lang", lang, "--surveys-dir", str(surveys)]) == 0
    return capsysbinary.readouterr().out


def _import(surveys: Path, po: Path, lang: str, version: str = "1.1", *extra: str) -> int:
    return cli_main(["instruments", "import-strings", "mini", "1.0", "--lang", lang, "--po", str(po), "--new-version", version,
                     "--surveys-dir", str(surveys), *extra])


def _err(capsysbinary) -> str:
    return capsysbinary.readouterr().err.decode()


def _edit(data: bytes, changes: dict[str, str | None], ids: dict[str, str] | None = None) -> bytes:
    """Set msgstr (or, with ``ids``, msgid) of entries by context; None drops the translation."""
    catalog = read_po(io.BytesIO(data))
    for message in catalog:
        if message.context in changes:
            message.string = changes[message.context] or ""
        if ids and message.context in ids:
            message.id = ids[message.context]
    out = io.BytesIO()
    write_po(out, catalog)
    return out.getvalue()


def test_an_entry_whose_source_text_changed_or_whose_place_is_gone_is_refused(tmp_path, capsysbinary):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    data = _export(surveys, "es", capsysbinary)
    po = tmp_path / "es.po"
    po.write_bytes(_edit(data, {"items/leadership-01/text": "Otra traducción."},
                         ids={"items/leadership-01/text": "Our board adopted an equity policy.", "domains/leadership/title": "Leadership"}))
    # A context that is not in the version: an entry for a renamed item.
    po.write_bytes(po.read_bytes() + b'\nmsgctxt "items/leadership-09/text"\nmsgid "Gone"\nmsgstr "Ya no"\n')
    assert _import(surveys, po, "es") == 2
    assert _err(capsysbinary) == (
        "reassess: error: items/leadership-01/text: the source text has changed since the export; export the strings again.\n"
        "items/leadership-09/text: there is no such string in mini 1.0.\n")
    assert not (surveys / "mini" / "1.1.yaml").exists()


def test_untranslated_and_fuzzy_entries_keep_the_version_text(tmp_path, capsysbinary):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    catalog = read_po(io.BytesIO(_export(surveys, "es", capsysbinary)))
    catalog.get("Leadership", context="domains/leadership/title").string = ""
    catalog.get("Emerging", context="levels/emerging/name").string = "Emergente"
    catalog.get("Emerging", context="levels/emerging/name").flags.add("fuzzy")
    catalog.get("Leading", context="levels/leading/name").string = "Líder"
    out = io.BytesIO()
    write_po(out, catalog)
    po = tmp_path / "es.po"
    po.write_bytes(out.getvalue())
    assert _import(surveys, po, "es") == 0
    new = load_catalogue(surveys).get("mini", "1.1")
    assert [new.domain("leadership").title.get("es"), new.levels[0].name.get("es"), new.levels[1].name.get("es")] == [
        "Liderazgo", "Incipiente", "Líder"]


@needs_gettext
def test_a_new_language_must_be_translated_completely(tmp_path, capsysbinary):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    data = _export(surveys, "fr", capsysbinary)
    po = tmp_path / "fr.po"
    po.write_bytes(data)
    check = _msgfmt_check(po)
    assert check.returncode == 0, check.stderr
    assert check.stderr.strip() == "0 translated messages, 21 untranslated messages."
    catalog = read_po(io.BytesIO(data))
    assert all(m.string == "" for m in catalog if m.id)

    # Half done: the new version would not validate, so nothing is written.
    po.write_bytes(_edit(data, {"title": "Mini évaluation"}))
    assert _import(surveys, po, "fr") == 2
    err = _err(capsysbinary).splitlines()
    # Named by the file it would have written (two comment lines, then id, version and the title in three languages).
    assert err[0] == f"reassess: error: {surveys / 'mini' / '1.1.yaml'}:9: description: the text is missing in 'fr'"
    assert len(err) == 20 and all(line.endswith("the text is missing in 'fr'") for line in err)
    assert not (surveys / "mini" / "1.1.yaml").exists()

    # Complete: the version declares fr and validates.
    catalog = read_po(io.BytesIO(data))
    for message in catalog:
        if message.id:
            message.string = f"[fr] {message.id}"
    out = io.BytesIO()
    write_po(out, catalog)
    po.write_bytes(out.getvalue())
    assert _import(surveys, po, "fr") == 0
    new = load_catalogue(surveys).get("mini", "1.1")
    assert new.languages == ["en", "es", "fr"]
    assert new.item("leadership-01").text.get("fr") == "[fr] Our board adopted a written equity policy."


def test_refusals_of_the_commands(tmp_path, capsysbinary):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    po = tmp_path / "es.po"
    po.write_bytes(_export(surveys, "es", capsysbinary))

    assert cli_main(["instruments", "export-strings", "mini", "1.0", "--lang", "en", "--surveys-dir", str(surveys)]) == 2
    assert _err(capsysbinary) == "reassess: error: 'en' is the source language of mini 1.0; export one of the other languages.\n"
    assert cli_main(["instruments", "export-strings", "mini", "9.9", "--lang", "es", "--surveys-dir", str(surveys)]) == 2
    assert _err(capsysbinary) == "reassess: error: no instrument mini 9.9 (published: mini 1.0)\n"
    assert cli_main(["instruments", "export-strings", "mini", "1.0", "--lang", "xx-nope", "--surveys-dir", str(surveys)]) == 2
    assert _err(capsysbinary) == "reassess: error: 'xx-nope' is not a language code (for example es, fr, zh_Hant).\n"

    assert _import(surveys, po, "es", "1.0") == 2  # the published version itself
    assert _err(capsysbinary) == f"reassess: error: {surveys / 'mini' / '1.0.yaml'} exists already: a published version never " \
                                      "changes; choose another --new-version\n"
    assert _import(surveys, po, "es", "0.9") == 2
    assert _err(capsysbinary) == "reassess: error: --new-version 0.9 must be later than 1.0.\n"
    assert _import(surveys, po, "es", "1.x") == 2
    assert _err(capsysbinary) == "reassess: error: --new-version 1.x: write a version such as 1.0.1.\n"
    assert _import(surveys, po, "fr") == 2
    assert _err(capsysbinary) == "reassess: error: The .po file is in 'es', not in 'fr'.\n"
    assert list((surveys / "mini").iterdir()) == [surveys / "mini" / "1.0.yaml"]

    # -o - writes the new version to standard output instead.
    assert _import(surveys, po, "es", "1.0.1", "-o", "-") == 0
    out = capsysbinary.readouterr().out.decode()
    assert "version: 1.0.1\n" in out and "changes:\n  supersedes: '1.0'\n" in out
