"""Two respondents and a lead acting on one assessment at once, against a real server: answering, double-clicked
submissions, the lead submitting while the last responses come in, a backbone admin reopening while the lead submits.

Never a lost answer, never a double submission, never a result that disagrees with the stored answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable

import httpx
from sqlalchemy import func, select

from app.assessments import service
from app.assessments.models import Answer, Assessment, AssessmentStatus, Response, ResponseStatus, Result
from app.audit import AuditEvent
from app.auth import service as auth
from app.config import Settings, prepare
from app.db import make_engine, make_sessionmaker
from app.migration import migrate_database
from app.organizations.models import Role
from tests import factories as f
from tests.conftest import TEST_SECRET, csrf_token
from tests.dashboard_world import INSTRUMENT
from tests.faults.conftest import Server

ORGS = 4  # four organizations go through the same scramble at the same time
CSRF = "concurrency-csrf-cookie"


def build(settings: Settings, catalogue) -> list[dict]:
    sm = make_sessionmaker(make_engine(settings.database_url))
    instrument = catalogue.get(*INSTRUMENT)
    out = []
    with sm() as db:
        bb = f.backbone(db, "Concurrency Backbone")
        admin = f.user(db, bb, Role.backbone_admin, password=None)
        orgs = [f.partner(db, bb, f"Concurrent {k}") for k in range(ORGS)]
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=bb, actor_id=admin.id, name="Together", instrument=instrument, opens_on=today,
                                     closes_on=today + dt.timedelta(days=10), partner_ids=[o.id for o in orgs],
                                     anonymous=False)  # two people per organization: an anonymous cycle needs five to submit
        for org in orgs:
            assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
            lead = f.user(db, org, Role.partner_lead, password=None)
            people = []
            for _ in range(2):
                person = f.user(db, org, Role.respondent, password=None)
                response = service.get_or_start_response(db, assessment, person.id, "en")
                service.set_respondent_profile(db, catalogue, response, "staff", [])
                people.append({"response": response.id, "session": auth.start_session(db, person, 1)})
            out.append({"assessment": assessment.id, "people": people, "lead": auth.start_session(db, lead, 1),
                        "admin": auth.start_session(db, admin, 1)})
        db.commit()
    sm.kw["bind"].dispose()
    return out


def all_at_once(calls: list[Callable[[], None]]) -> None:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], None]) -> None:
        barrier.wait()
        with contextlib.suppress(httpx.HTTPError):
            call()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_respondents_lead_and_backbone_at_once(tmp_path, database_url, catalogue):
    settings = prepare(Settings(env="development", var_dir=tmp_path / "var", database_url=database_url, secret_key=TEST_SECRET,
                                _env_file=None))
    migrate_database(settings)
    orgs = build(settings, catalogue)
    items = [i.id for i in catalogue.get(*INSTRUMENT).items if i.is_rated]
    server = Server(settings, tmp_path / "server.log")
    server.start()
    token = csrf_token(settings, CSRF)
    acknowledged: dict[tuple[int, str], str] = {}
    lock = threading.Lock()

    def client(session: str) -> httpx.Client:
        return httpx.Client(base_url=server.url, cookies={"reassess_session": session, "reassess_csrf": CSRF},
                            headers={"X-CSRF-Token": token}, timeout=30)

    def answer_all(person: dict, k: int) -> Callable[[], None]:
        def run() -> None:
            with client(person["session"]) as c:
                for n, item in enumerate(items):
                    value = str((k + n) % 4)
                    r = c.post(f"/respond/{person['response']}/answer", json={"item_id": item, "value": value})
                    if r.status_code == 200 and r.json()["ok"]:
                        with lock:
                            acknowledged[(person["response"], item)] = value
        return run

    def submit_response(person: dict) -> Callable[[], None]:
        return lambda: client(person["session"]).post(f"/respond/{person['response']}/submit", data={"confirm": "yes"})

    def submit_assessment(org: dict) -> Callable[[], None]:
        return lambda: client(org["lead"]).post(f"/partner/assessments/{org['assessment']}/submit", data={"confirm": "yes"})

    def reopen(org: dict) -> Callable[[], None]:
        return lambda: client(org["admin"]).post(f"/assessments/{org['assessment']}/reopen", data={"reason": "one more"})

    try:
        # 1. Both respondents of every organization answer everything at the same time.
        all_at_once([answer_all(p, k) for org in orgs for k, p in enumerate(org["people"])])
        # 2. Each respondent double-clicks submit while the lead submits the assessment three times.
        all_at_once([c for org in orgs for c in [*(submit_response(p) for p in org["people"] for _ in range(2)),
                                                  *(submit_assessment(org) for _ in range(3))]])
        check(database_url, catalogue, orgs, acknowledged, settings)
        # 3. Everyone submitted: the lead submits while the backbone reopens, twice each, at once.
        all_at_once([submit_assessment(o) for o in orgs] * 2)
        all_at_once([c for org in orgs for c in [reopen(org), reopen(org), submit_assessment(org), submit_assessment(org)]])
        check(database_url, catalogue, orgs, acknowledged, settings)
        # 4. Submitting again after the reopening gives one new result, agreeing with the answers.
        all_at_once([submit_assessment(o) for o in orgs] * 2)
        states = check(database_url, catalogue, orgs, acknowledged, settings)
        assert set(states) == {AssessmentStatus.submitted}
    finally:
        server.stop()


def check(url: str, catalogue, orgs: list[dict], acknowledged: dict, settings: Settings) -> list[AssessmentStatus]:
    engine = make_engine(url)
    states = []
    try:
        with make_sessionmaker(engine)() as db:
            responses = [p["response"] for org in orgs for p in org["people"]]
            stored = {(a.response_id, a.item_id): str(a.value) for a in db.scalars(select(Answer).where(Answer.response_id.in_(responses)))}
            lost = {k: v for k, v in acknowledged.items() if stored.get(k) != v}
            assert not lost, f"lost answers: {list(lost.items())[:3]}"
            submissions = dict(db.execute(select(AuditEvent.object_id, func.count()).where(AuditEvent.action == "response.submitted")
                                          .group_by(AuditEvent.object_id)).all())
            for org in orgs:
                assessment = db.get(Assessment, org["assessment"])
                n_submitted = db.scalar(select(func.count()).select_from(Response).where(
                    Response.assessment_id == assessment.id, Response.status == ResponseStatus.submitted))
                assert submissions.get(str(assessment.id), 0) == n_submitted, "a response was submitted twice"
                results = db.scalars(select(Result).where(Result.assessment_id == assessment.id)).all()
                current = [r for r in results if r.is_current]
                submitted_events = db.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action == "assessment.submitted", AuditEvent.object_id == str(assessment.id)))
                assert len(results) == submitted_events, "the assessment was submitted twice at once"
                assert len(current) <= 1
                if assessment.status is AssessmentStatus.submitted:
                    assert len(current) == 1
                    fresh = service.compute_result(db, catalogue, assessment, settings.min_group_size).model_dump(mode="json")
                    assert current[0].data["overall"] == fresh["overall"] and current[0].data["domains"] == fresh["domains"], \
                        "the stored result disagrees with the stored answers"
                states.append(assessment.status)
    finally:
        engine.dispose()
    return states
