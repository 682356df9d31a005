"""On SQLite only one connection writes at a time. A respondent's requests that have nothing to write never wait for it:
the question page they are on, "Save and continue" when respond.js has saved every answer already."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from app.assessments import service
from app.assessments.models import Assessment
from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.migration import migrate_database
from app.organizations.models import Role
from tests import factories as f
from tests.conftest import TEST_SECRET, csrf_token


def test_a_respondent_with_nothing_to_write_does_not_wait_for_another_writer(tmp_path, catalogue):
    url = os.environ.get("REASSESS_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'r.db'}"
    if url.startswith("postgresql"):
        pytest.skip("SQLite's single writer; PostgreSQL runs the same pages in the other tests")
    settings = prepare(Settings(env="test", var_dir=tmp_path, database_url=url, secret_key=TEST_SECRET, _env_file=None))
    migrate_database(settings)
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_connection, _record):  # a writer that cannot have the lock gives up after 0.2 s, not 30
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    app = create_app(settings, engine=engine, catalogue=catalogue)
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    client.cookies.set("reassess_csrf", "test-csrf-cookie")
    token = csrf_token(settings)
    with make_sessionmaker(engine)() as db:
        backbone = f.backbone(db)
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone)
        instrument = catalogue.get("equity-self-assessment", "1.0")
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", instrument=instrument,
                                     opens_on=today - dt.timedelta(days=1), closes_on=today + dt.timedelta(days=9), partner_ids=[org.id])
        person = f.user(db, org, Role.respondent, password=None)
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        response = service.get_or_start_response(db, assessment, person.id, "en")
        service.set_respondent_profile(db, catalogue, response, "staff", [])
        item = next(i for i in instrument.items if i.is_rated)
        key = f"domain-{item.domain}"
        service.save_answer(db, catalogue, response, service.AnswerInput(item.id, value="2"))
        response.last_page = key
        db.commit()
        rid = response.id
        f.sign_in(client, db, person)

    other = sqlite3.connect(str(tmp_path / "r.db"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writes, and holds the lock
    try:
        assert client.get(f"/respond/{rid}/page/{key}").status_code == 200
        unchanged = {"csrf_token": token, "nav": "next", item.id: "2", f"orig-{item.id}": "2",
                     f"{item.id}-comment": "", f"orig-{item.id}-comment": ""}
        saved = client.post(f"/respond/{rid}/page/{key}", data=unchanged)
        assert saved.status_code == 303 and "/page/" in saved.headers["location"]
        # The lock is real: an answer that changes must wait for it (and, here, give up: a 503, nothing half-written).
        autosave = {"item_id": item.id, "value": "3", "choices": [], "comment": ""}
        assert client.post(f"/respond/{rid}/answer", json=autosave, headers={"X-CSRF-Token": token}).status_code == 503
    finally:
        other.rollback()
        other.close()
    r = client.post(f"/respond/{rid}/answer", json=autosave, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["ok"]
    with make_sessionmaker(engine)() as db:
        assert service.answers_of(db, rid)[item.id].value == 3
    engine.dispose()
