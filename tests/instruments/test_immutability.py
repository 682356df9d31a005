"""A published version never changes: its content hash is recorded on first load, a changed file is refused."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import delete, select

from app.assessments.catalogue import record_versions
from app.assessments.models import InstrumentRecord
from app.instruments.loader import InstrumentError, load_catalogue
from app.main import create_app
from tests.instruments.minimal import MINIMAL, replace_once, write

EDITED = replace_once(MINIMAL, "es: Sométala a votación de la junta.", "es: Sométala a la votación de la junta directiva.")


def _records(db, instrument_id):
    return db.scalars(select(InstrumentRecord).where(InstrumentRecord.instrument_id == instrument_id)).all()


def _refusal(path, instrument_id, version, record, new_sha, next_patch):
    return (f"{path}: {instrument_id} {version} was published on {record.first_loaded_at:%Y-%m-%d} and this file has changed since "
            f"(sha256 {record.sha256[:12]}… is now {new_sha[:12]}…). A published version never changes: restore the file and "
            f"publish your changes as a new version (a translation fix is a patch version, such as {next_patch}).")


def test_the_first_load_records_the_content_hash(db, tmp_path):
    path = write(tmp_path / "surveys", MINIMAL)
    record_versions(db, load_catalogue(tmp_path / "surveys"))
    [record] = _records(db, "mini")
    assert (record.version, record.sha256) == ("1.0", hashlib.sha256(path.read_bytes()).hexdigest())
    assert record.first_loaded_at is not None
    # Loading the same file again changes nothing.
    record_versions(db, load_catalogue(tmp_path / "surveys"))
    assert [(r.version, r.sha256) for r in _records(db, "mini")] == [("1.0", record.sha256)]


@pytest.mark.parametrize("change", ["a translation fix", "a comment"])
def test_a_changed_file_under_the_same_version_is_refused(db, tmp_path, change):
    path = write(tmp_path / "surveys", MINIMAL)
    record_versions(db, load_catalogue(tmp_path / "surveys"))
    db.commit()
    [record] = _records(db, "mini")
    recorded = record.sha256

    path.write_text(EDITED if change == "a translation fix" else "# reviewed\n" + MINIMAL, encoding="utf-8")
    changed = load_catalogue(tmp_path / "surveys")  # the file itself is valid
    with pytest.raises(InstrumentError) as caught:
        record_versions(db, changed)
    new_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert caught.value.problems == [_refusal(path, "mini", "1.0", record, new_sha, "1.0.1")]
    assert "publish your changes as a new version" in str(caught.value)
    assert [r.sha256 for r in _records(db, "mini")] == [recorded]


def test_the_change_published_as_a_new_version_is_accepted(db, tmp_path):
    write(tmp_path / "surveys", MINIMAL)
    record_versions(db, load_catalogue(tmp_path / "surveys"))
    newer = replace_once(EDITED, 'version: "1.0"', 'version: "1.0.1"') + 'changes:\n  supersedes: "1.0"\n'
    path = write(tmp_path / "surveys", newer, version="1.0.1")
    catalogue = load_catalogue(tmp_path / "surveys")
    record_versions(db, catalogue)
    assert {r.version: r.sha256 for r in _records(db, "mini")}["1.0.1"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert catalogue.latest("mini").version == "1.0.1"


def test_the_service_refuses_to_start_when_a_published_file_changed(tmp_path, settings, engine):
    """create_app records the versions on the first start and refuses a later start with a changed file."""
    instrument_id = f"immutable-{uuid.uuid4().hex[:8]}"  # committed for real: an id no other test uses
    text = MINIMAL.replace("id: mini\n", f"id: {instrument_id}\n")
    text = replace_once(text, 'version: "1.0"', 'version: "2.1"')
    path = write(tmp_path / "surveys", text, instrument_id, "2.1")
    started = settings.model_copy(update={"surveys_dir": tmp_path / "surveys"})
    try:
        create_app(started, engine=engine)
        create_app(started, engine=engine)  # the same file: starts again
        with engine.connect() as conn:
            record = conn.execute(select(InstrumentRecord).where(InstrumentRecord.instrument_id == instrument_id)).one()
        assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

        path.write_text(text.replace("es: Personal}", "es: Personal de la organización}"), encoding="utf-8")
        with pytest.raises(InstrumentError) as caught:
            create_app(started, engine=engine)
        new_sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert caught.value.problems == [_refusal(path, instrument_id, "2.1", record, new_sha, "2.1.1")]
    finally:
        with engine.begin() as conn:
            conn.execute(delete(InstrumentRecord).where(InstrumentRecord.instrument_id == instrument_id))


def test_a_loaded_correction_stays_and_new_ones_are_recorded(db, tmp_path):
    """Answers were given to a loaded correction's wording: it may not be changed or taken out later; one more may come."""
    surveys = tmp_path / "surveys"
    write(surveys, MINIMAL)
    folder = surveys / "mini" / "corrections"
    folder.mkdir(parents=True)
    one = "corrections:\n  - at: levels.emerging.name.en\n    was: Emerging\n    now: Emergent\n"
    two = one + "  - at: levels.leading.name.en\n    was: Leading\n    now: Leadin'\n"
    (folder / "1.0.yaml").write_text(one, encoding="utf-8")
    record_versions(db, load_catalogue(surveys))
    db.commit()
    [record] = _records(db, "mini")
    assert record.corrections == [["levels.emerging.name.en", "Emerging", "Emergent"]]

    (folder / "1.0.yaml").write_text(two, encoding="utf-8")  # one more: recorded
    record_versions(db, load_catalogue(surveys))
    db.commit()
    assert _records(db, "mini")[0].corrections == [["levels.emerging.name.en", "Emerging", "Emergent"],
                                                    ["levels.leading.name.en", "Leading", "Leadin'"]]
    for changed in (two.replace("now: Emergent", "now: Emergenc"), two.replace(one, "corrections:\n"), "corrections: []\n"):
        (folder / "1.0.yaml").write_text(changed, encoding="utf-8")
        with pytest.raises(InstrumentError) as caught:
            record_versions(db, load_catalogue(surveys))
        assert caught.value.problems == [
            f"{folder / '1.0.yaml'}: the correction of levels.emerging.name.en ('Emerging' to 'Emergent') was loaded before and "
            "has been changed or taken out. A correction, once loaded, stays: restore it, and publish a new version for another wording."]
    (folder / "1.0.yaml").unlink()
    with pytest.raises(InstrumentError):
        record_versions(db, load_catalogue(surveys))  # the file taken away altogether
