"""Crash safety: `reassess serve` killed with SIGKILL in the middle of concurrent autosaves and submissions.

After a restart on the same database, every answer the server acknowledged is stored with the acknowledged
value, every submitted response is whole (status and time together), and every submitted assessment has
exactly one current result (no half-written submission). Runs on SQLite, and on PostgreSQL in the second pass.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time

import httpx
import pytest
from sqlalchemy import func, select

from app.assessments import service
from app.assessments.models import Answer, Assessment, AssessmentStatus, Response, ResponseStatus, Result
from app.auth import service as auth
from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.migration import migrate_database
from app.organizations.models import Role
from tests import factories as f
from tests.conftest import TEST_SECRET, csrf_token
from tests.dashboard_world import INSTRUMENT
from tests.faults.conftest import Server

RESPONDENTS = 8  # each in its own thread, saving its items one after the other
SUBMITTERS = 4  # organizations whose lead submits the assessment while the saves go on
CSRF = "crash-test-csrf-cookie"


def build(settings: Settings, catalogue) -> dict:
    """Respondents with a response under way, and organizations whose responses are in, ready for the lead to submit."""
    sm = make_sessionmaker(make_engine(settings.database_url))
    instrument = catalogue.get(*INSTRUMENT)
    with sm() as db:
        bb = f.backbone(db, "Crash Backbone")
        admin = f.user(db, bb, Role.backbone_admin, password=None)
        today = dt.date.today()
        orgs = [f.partner(db, bb, f"Crash Partner {k}") for k in range(SUBMITTERS + 1)]
        cycle = service.create_cycle(db, backbone=bb, actor_id=admin.id, name="Crash", instrument=instrument, opens_on=today,
                                     closes_on=today + dt.timedelta(days=10), partner_ids=[o.id for o in orgs])
        assessments = {a.organization_id: a for a in db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id))}
        respondents = []
        for _ in range(RESPONDENTS):
            person = f.user(db, orgs[0], Role.respondent, password=None)
            response = service.get_or_start_response(db, assessments[orgs[0].id], person.id, "en")
            service.set_respondent_profile(db, catalogue, response, "staff", [])
            respondents.append({"response": response.id, "session": auth.start_session(db, person, 1)})
        leads = []
        for org in orgs[1:]:
            lead = f.user(db, org, Role.partner_lead, password=None)
            for _ in range(2):
                person = f.user(db, org, Role.respondent, password=None)
                response = service.get_or_start_response(db, assessments[org.id], person.id, "en")
                for item in instrument.items:
                    if item.is_rated:
                        service.save_answer(db, catalogue, response, service.AnswerInput(item.id, value="2"))
                service.submit_response(db, response, person.id)
            leads.append({"assessment": assessments[org.id].id, "session": auth.start_session(db, lead, 1)})
        db.commit()
    sm.kw["bind"].dispose()
    return {"respondents": respondents, "leads": leads, "items": [i.id for i in instrument.items if i.is_rated]}


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_mid_load_loses_no_acknowledged_answer_and_leaves_no_half_submission(tmp_path, database_url, catalogue, workers):
    """With one web process, and with two (`serve --workers 2`: both write to the database, taking turns)."""
    settings = prepare(Settings(env="development", var_dir=tmp_path / "var", database_url=database_url, secret_key=TEST_SECRET,
                                _env_file=None))
    migrate_database(settings)
    world = build(settings, catalogue)
    server = Server(settings, tmp_path / "server.log", workers)
    server.start()
    token = csrf_token(settings, CSRF)
    acknowledged: dict[tuple[int, str], str] = {}
    lock, stop = threading.Lock(), threading.Event()

    def respondent(k: int, who: dict) -> None:
        cookies = {"reassess_session": who["session"], "reassess_csrf": CSRF}
        with httpx.Client(base_url=server.url, cookies=cookies, headers={"X-CSRF-Token": token}, timeout=10) as c:
            for n, item in enumerate(world["items"]):  # each item once, so a stored value can only be the acknowledged one
                if stop.is_set():
                    return
                value = str((k + n) % 4)
                try:
                    r = c.post(f"/respond/{who['response']}/answer", json={"item_id": item, "value": value})
                except httpx.HTTPError:
                    return  # the server is gone: this save was never acknowledged
                if r.status_code == 200 and r.json()["ok"]:
                    with lock:
                        acknowledged[(who["response"], item)] = value

    def lead(who: dict) -> None:
        cookies = {"reassess_session": who["session"], "reassess_csrf": CSRF}
        with httpx.Client(base_url=server.url, cookies=cookies, timeout=10) as c, contextlib.suppress(httpx.HTTPError):
            c.post(f"/partner/assessments/{who['assessment']}/submit", data={"csrf_token": token, "confirm": "yes"})

    threads = [threading.Thread(target=respondent, args=(k, w)) for k, w in enumerate(world["respondents"])]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:  # the load is well under way
        time.sleep(0.01)
    submitters = [threading.Thread(target=lead, args=(w,)) for w in world["leads"]]
    for t in submitters:
        t.start()
    time.sleep(0.05)
    server.kill()  # mid-load: saves and submissions are in flight
    stop.set()
    for t in threads + submitters:
        t.join(timeout=30)
    assert 40 <= len(acknowledged) < RESPONDENTS * len(world["items"]), "the kill did not land in the middle of the load"

    server.start()  # the same database, after the crash
    try:
        assert httpx.get(server.url + "/healthz").json()["database"] == "ok"
        engine = make_engine(database_url)
        with make_sessionmaker(engine)() as db:
            stored = {(a.response_id, a.item_id): a.value for a in db.scalars(select(Answer).where(
                Answer.response_id.in_([w["response"] for w in world["respondents"]])))}
            lost = {k: v for k, v in acknowledged.items() if str(stored.get(k)) != v}
            assert not lost, f"{len(lost)} acknowledged answers were lost or changed, e.g. {list(lost.items())[:3]}"
            for response in db.scalars(select(Response)):
                assert (response.status is ResponseStatus.submitted) == (response.submitted_at is not None)
            for assessment in db.scalars(select(Assessment).where(Assessment.id.in_([w["assessment"] for w in world["leads"]]))):
                current = db.scalar(select(func.count()).select_from(Result).where(Result.assessment_id == assessment.id,
                                                                                   Result.is_current.is_(True)))
                if assessment.status is AssessmentStatus.submitted:
                    assert current == 1 and assessment.submitted_at is not None, f"assessment {assessment.id} is half submitted"
                else:
                    assert current == 0 and assessment.submitted_at is None, f"assessment {assessment.id} has a result but is not submitted"
        engine.dispose()
        # The service goes on where it stopped: the respondents can save again.
        who = world["respondents"][0]
        r = httpx.post(f"{server.url}/respond/{who['response']}/answer", json={"item_id": world["items"][0], "value": "3"},
                       cookies={"reassess_session": who["session"], "reassess_csrf": CSRF}, headers={"X-CSRF-Token": token})
        assert r.status_code == 200 and r.json()["ok"]
    finally:
        server.stop()
