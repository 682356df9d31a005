"""`reassess export --all` then `reassess import` into an empty database restores every row."""

from __future__ import annotations

import json
import secrets
import zipfile

import pytest
from sqlalchemy import select, text

from app.backup import BackupError, export_all, import_all, snapshot
from app.config import Settings, prepare
from app.db import make_engine
from app.demo import load_demo
from app.migration import migrate_database
from tests.conftest import TEST_SECRET, reset_database


def test_round_trip_restores_every_row(db, catalogue, settings, tmp_path):
    load_demo(db, catalogue, settings.min_group_size)
    db.flush()
    archive = tmp_path / "backup.zip"
    counts = export_all(db.connection(), archive, settings.surveys_dir)
    assert counts["answers"] > 1000 and counts["results"] > 0
    assert counts["actions"] > 0 and counts["action_notes"] > 0 and counts["check_ins"] == 2 and counts["targets"] == 3
    assert counts["compositions"] > 0 and counts["composition_counts"] > counts["compositions"] and counts["benchmarks"] == 2
    names = zipfile.ZipFile(archive).namelist()
    assert "manifest.json" in names and "surveys/equity-self-assessment/1.0.yaml" in names
    manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
    assert manifest["tables"] == counts and manifest["schema_revision"]
    before = snapshot(db.connection())

    target_url = empty_database_url(settings.database_url, tmp_path)
    target = prepare(Settings(env="test", var_dir=tmp_path, database_url=target_url, secret_key=TEST_SECRET, _env_file=None))
    reset_database(target_url)
    migrate_database(target)
    engine = make_engine(target_url)
    with engine.begin() as conn:
        restored = import_all(conn, archive)
    with engine.connect() as conn:
        after = snapshot(conn)
        with pytest.raises(BackupError, match="not empty"):
            import_all(conn, archive)
    engine.dispose()
    assert restored == counts
    assert after == before


def empty_database_url(url: str, tmp_path) -> str:
    """A second, empty database of the same kind: a new SQLite file, or a new database on the same PostgreSQL server."""
    if url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    from sqlalchemy.engine import make_url

    name = f"restored_{secrets.token_hex(4)}"
    server = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    server.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def test_a_damaged_archive_is_refused_and_changes_nothing(db, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(BackupError, match="not a reassess archive"):
        import_all(db.connection(), bad)
    from app.organizations.models import Organization

    assert db.scalar(select(Organization).limit(1)) is None
