"""A published version's spelling slips are corrected beside it (<id>/corrections/<version>.yaml), never in its file."""

from __future__ import annotations

import hashlib

import pytest

from app.assessments.catalogue import record_versions
from app.cli import main as cli_main
from app.config import ROOT
from app.instruments.loader import Correction, InstrumentError, load_catalogue
from tests.instruments.minimal import MINIMAL, line_of, write

LABEL = "surveys/mini/corrections/1.0.yaml"
NOT_TEXT = "(a correction changes one language's text, such as items.<id>.text.en)"


def corrections(root, text: str) -> str:
    path = root / "mini" / "corrections" / "1.0.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def refusal(tmp_path, text: str) -> list[str]:
    """The problems of loading the minimal instrument with the corrections in ``text``."""
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    corrections(surveys, text)
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    return caught.value.problems


def test_a_correction_changes_the_string_as_loaded_and_not_the_files_hash(tmp_path, db):
    surveys = tmp_path / "surveys"
    path = write(surveys, MINIMAL)
    corrections(surveys, "corrections:\n"
                         "  - at: items.leadership-01.text.en\n"
                         "    was: Our board adopted a written equity policy.\n"
                         "    now: Our board adopted a written equity policy\u00a0!\n"  # two characters: within the bound
                         "  - at: scales.implementation.options.3.label.es\n"
                         "    was: Plenamente establecido\n"
                         "    now: Plenamente establecida\n"
                         "    why: concordancia\n")
    catalogue = load_catalogue(surveys)
    entry = catalogue.loaded("mini", "1.0")
    assert entry.instrument.item("leadership-01").text.get("en") == "Our board adopted a written equity policy\u00a0!"
    assert entry.instrument.item("leadership-01").text.get("es") == "Nuestra junta adoptó una política de equidad por escrito."
    assert entry.instrument.scale("implementation").options[3].label.get("es") == "Plenamente establecida"
    assert entry.instrument.scale("implementation").options[3].label.get("en") == "Fully in place"
    assert [c.lang for c in entry.corrections] == ["en", "es"]
    assert entry.corrections[1] == Correction("scales.implementation.options.3.label.es", "Plenamente establecido", "Plenamente establecida")
    # The recorded hash is the published file's: a database that recorded it before the correction still starts.
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    record_versions(db, catalogue)


@pytest.mark.parametrize(("entry", "message"), [
    ("  - at: items.leadership-01.text.en\n    was: Our board adopted an equity policy.\n    now: Our board adopted a policy.\n",
     "was: the string at 'items.leadership-01.text.en' is 'Our board adopted a written equity policy.', not 'Our board adopted an equity policy.'"),
    ("  - at: items.leadership-01.text.en\n    was: Our board adopted a written equity policy.\n    now: Our board adopted no equity policy.\n",
     "now: a correction changes 1 to 3 characters (this one 9); publish a new version for a larger change"),
    ("  - at: items.leadership-01.text.en\n    was: Our board adopted a written equity policy.\n    now: Our board adopted a written equity policy.\n",
     "now: a correction changes 1 to 3 characters (this one 0); publish a new version for a larger change"),
    ("  - at: items.leadership-99.text.en\n    was: x\n    now: y\n", f"at: the file has no translated text at 'items.leadership-99.text.en' {NOT_TEXT}"),
    ("  - at: items.leadership-01.text\n    was: x\n    now: y\n", f"at: the file has no translated text at 'items.leadership-01.text' {NOT_TEXT}"),
    # Not a translated text: an id (answers are stored by it), the source language, an option's value by position.
    ("  - at: items.leadership-01.id\n    was: leadership-01\n    now: leadership-03\n",
     f"at: the file has no translated text at 'items.leadership-01.id' {NOT_TEXT}"),
    ("  - at: source_language\n    was: en\n    now: es\n", f"at: the file has no translated text at 'source_language' {NOT_TEXT}"),
    ("  - at: scales.0.options.3.label.en\n    was: Fully in place\n    now: Fully in plac\n",
     f"at: the file has no translated text at 'scales.0.options.3.label.en' {NOT_TEXT}"),  # scales have ids: named by id only
    # Spelling, not meaning: no negation and no number comes or goes, in the text's language.
    ("  - at: items.leadership-01.text.en\n    was: Our board adopted a written equity policy.\n    now: Our board adopted no written equity policy.\n",
     "now: a correction changes no negation; publish a new version for that"),
    ("  - at: items.leadership-01.text.es\n    was: Nuestra junta adoptó una política de equidad por escrito.\n"
     "    now: Nuestra junta no adoptó una política de equidad por escrito.\n",
     "now: a correction changes no negation; publish a new version for that"),
    ("  - at: items.leadership-01.text.en\n    was: Our board adopted a written equity policy.\n    now: Our board adopted a written equity policy 2.\n",
     "now: a correction changes no number; publish a new version for that"),
    ("  - at: items.leadership-01.text.en\n    was: x\n", "a correction has the texts at, was and now (and why, if you like), nothing else"),
])
def test_a_wrong_correction_stops_the_version_loading_with_its_line(tmp_path, entry, message):
    text = "# spelling\ncorrections:\n  - at: levels.emerging.name.en\n    was: Emerging\n    now: Emergent\n" + entry
    assert refusal(tmp_path, text) == [f"{LABEL}:{line_of(text, entry.splitlines()[0].strip())}: {message}"]


def test_a_text_is_corrected_once(tmp_path):
    assert refusal(tmp_path, "corrections:\n  - at: levels.emerging.name.en\n    was: Emerging\n    now: Emergent\n"
                             "  - at: levels.emerging.name.en\n    was: Emerging\n    now: Emergin\n") == [
        f"{LABEL}:5: at: 'levels.emerging.name.en' is corrected already, by 'levels.emerging.name.en'"]


def test_a_corrections_file_that_corrects_no_version_is_refused(tmp_path):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    folder = surveys / "mini" / "corrections"
    folder.mkdir()
    for name in ("1.1.yaml", "1.0.yml"):
        (folder / name).write_text("corrections: []\n", encoding="utf-8")
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert caught.value.problems == ["surveys/mini/corrections/1.0.yml:1: corrects no version: there is no surveys/mini/1.0.yaml",
                                     "surveys/mini/corrections/1.1.yaml:1: corrects no version: there is no surveys/mini/1.1.yaml"]


def test_a_corrections_file_of_another_shape_is_refused(tmp_path):
    assert refusal(tmp_path, "- at: items.leadership-01.text.en\n") == [
        f"{LABEL}:1: the file must hold one key, corrections: a list of entries with at, was and now"]


def test_the_check_command_checks_a_version_with_its_corrections(tmp_path, capsys):
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    corrections(surveys, "corrections:\n  - at: levels.emerging.name.en\n    was: Emerging\n    now: Emergent\n")
    for paths in ([surveys / "mini"], [surveys / "mini" / "corrections" / "1.0.yaml"],
                  [surveys / "mini" / "1.0.yaml", surveys / "mini" / "corrections" / "1.0.yaml"]):
        assert cli_main(["instruments", "check", *map(str, paths)]) == 0
        assert capsys.readouterr().out.endswith("languages en, es, 1 spelling correction\n")


def test_the_shipped_versions_corrections_are_us_spelling_only():
    catalogue = load_catalogue(ROOT / "surveys")
    for version in ("1.0", "1.1"):
        entry = catalogue.loaded("equity-self-assessment", version)
        assert {c.lang for c in entry.corrections} == {"en"}
        assert entry.instrument.scale("implementation").options[3].label.get("en") == "Fully in place and practiced"


@pytest.mark.parametrize(("was", "now", "parts"), [
    ("Fully in place and practised", "Fully in place and practiced", ("Fully in place and ", "practised", "practiced", "")),
    ("Participation favours those who", "Participation favors those who", ("Participation ", "favours", "favors", " those who")),
    ("Emerging", "Emergent", ("", "Emerging", "Emergent", "")),
    ("a written policy.", "a written policy !", ("a written ", "policy.", "policy !", "")),
    ("two  spaces", "two spaces", ("two ", " ", "", "spaces")),
])
def test_the_catalogue_shows_a_correction_by_the_whole_words_it_changed(was, now, parts):
    assert Correction("items.x.text.en", was, now).parts() == parts
    before, old, new, after = parts
    assert before + old + after == was and before + new + after == now
