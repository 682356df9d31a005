"""Upgrading an existing database keeps every row: on SQLite a batch migration copies and drops tables (0004 recreates
`responses`; 0006, 0009 and 0012 `memberships`, `invitations` and `cycles`), and with foreign keys on, dropping a table
deleted every row that cascades from it (answers; assessments, responses and check-ins). This builds a database at 0003
with such rows and upgrades it to the newest revision as `reassess serve` does."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.config import ROOT, Settings, prepare
from app.db import make_engine
from app.migration import migrate_database
from tests.conftest import TEST_SECRET

ROWS = {
    "organizations": "INSERT INTO organizations (id, kind, name, sector, size_band, preferred_language, contact_name, contact_email, created_at)"
                     " VALUES (1, 'backbone', 'B', 'other', '1-10', 'en', '', '', '2026-01-01'),"
                     " (2, 'partner', 'P', 'other', '1-10', 'en', '', '', '2026-01-01')",
    "users": "INSERT INTO users (id, email, name, preferred_language, is_active, created_at) VALUES (1, 'a@example.org', '', 'en', 1, '2026-01-01')",
    "memberships": "INSERT INTO memberships (id, user_id, organization_id, role, created_at) VALUES (1, 1, 2, 'partner_lead', '2026-01-01')",
    "cycles": "INSERT INTO cycles (id, backbone_id, name, instrument_id, instrument_version, depth, \"order\", anonymous, opens_on, closes_on,"
              " created_at) VALUES (1, 1, 'C', 'equity-self-assessment', '1.0', 'full', 'integrated', 1, '2026-01-01', '2026-02-01', '2026-01-01')",
    "assessments": "INSERT INTO assessments (id, organization_id, cycle_id, status, created_at, updated_at)"
                   " VALUES (1, 2, 1, 'draft', '2026-01-01', '2026-01-01')",
    "responses": "INSERT INTO responses (id, assessment_id, user_id, pseudonym, status, language, created_at, updated_at)"
                 " VALUES (1, 1, 1, 'R-0001', 'in_progress', 'en', '2026-01-02', '2026-01-02')",
    "answers": "INSERT INTO answers (id, response_id, item_id, value, updated_at) VALUES (1, 1, 'leadership-01', 2, '2026-01-02')",
}


@pytest.mark.skipif(bool(os.environ.get("REASSESS_TEST_DATABASE_URL")), reason="SQLite's batch migrations recreate tables; PostgreSQL alters them")
def test_upgrading_a_sqlite_database_keeps_every_assessment_and_membership(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        cfg.attributes["skip_logging"] = True
        command.upgrade(cfg, "0003")  # before 0004, which recreates `responses` (and so, with foreign keys on, empties `answers`)
        for statement in ROWS.values():
            conn.execute(text(statement))
    engine.dispose()
    migrate_database(prepare(Settings(env="test", var_dir=tmp_path, database_url=url, secret_key=TEST_SECRET, _env_file=None)))
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() for table in ROWS}
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == ScriptDirectory.from_config(cfg).get_current_head()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # a connection after the migration has them on again
    engine.dispose()
    assert counts == {"organizations": 2, "users": 1, "memberships": 1, "cycles": 1, "assessments": 1, "responses": 1, "answers": 1}
