"""The backbone's check-ins and targets over HTTP: who may set them, what partners see, the reminder emails."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from sqlalchemy import select

from app.audit import AuditEvent
from app.plans.models import Action, ActionNote, CheckIn, Target
from tests import factories as f


def outbox(settings) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(settings.outbox_dir.glob("*.eml"))]


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_backbone_sets_check_ins_and_sees_who_updated_their_plan(client, db, world, csrf, settings):
    cycle = world["follow"]
    f.sign_in(client, db, world["admin"])
    bad = client.post(f"/backbone/cycles/{cycle.id}/check-ins", data={"due_on": "2001-01-01", "csrf_token": csrf})
    assert bad.status_code == 422 and "A check-in comes after the cycle opens" in bad.text
    first, second = cycle.opens_on + dt.timedelta(days=10), cycle.opens_on + dt.timedelta(days=100)
    for day in (first, second):
        assert client.post(f"/backbone/cycles/{cycle.id}/check-ins", data={"due_on": day.isoformat(), "csrf_token": csrf}).status_code == 303
    again = client.post(f"/backbone/cycles/{cycle.id}/check-ins", data={"due_on": first.isoformat(), "csrf_token": csrf})
    assert again.status_code == 422 and "There is a check-in on that date already." in again.text
    # Alder updated its plan before the first check-in; Birch never did.
    action = Action(organization_id=world["a"].id, title="Publish pay bands", domain_id="workforce")
    db.add(action)
    db.flush()
    action.updated_at = dt.datetime.combine(cycle.opens_on + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC)
    db.add(ActionNote(action_id=action.id, body="Draft shared", noted_on=first, author_id=world["lead_a"].id,
                      at=dt.datetime.combine(cycle.opens_on + dt.timedelta(days=50), dt.time(12), tzinfo=dt.UTC)))
    db.commit()
    page = client.get(f"/backbone/cycles/{cycle.id}/check-ins").text
    rows = {name: re.search(rf"{name}</a></th>(.*?)</tr>", page, re.S).group(1) for name in ("Alder School District", "Birch Youth Alliance")}
    assert rows["Alder School District"].count("✓ Updated") == 2 and rows["Birch Youth Alliance"].count("Not updated") == 2
    # The reminder: each partner lead, in their language, with the plan's open actions.
    check_in = db.scalar(select(CheckIn).where(CheckIn.due_on == first))
    before = len(outbox(settings))
    sent = client.post(f"/backbone/cycles/{cycle.id}/check-ins/{check_in.id}/remind", data={"csrf_token": csrf})
    assert sent.status_code == 303 and "sent=2" in sent.headers["location"]
    mails = outbox(settings)[before:]
    to_alder = next(m for m in mails if m["To"] == world["lead_a"].email)
    assert "Action plan check-in on" in to_alder["Subject"] and "Publish pay bands" in body_of(to_alder)
    assert "/plans/" in body_of(to_alder) and "Draft shared" not in body_of(to_alder)
    db.expire_all()
    assert db.get(CheckIn, check_in.id).reminded_at is not None
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "checkin.reminded")) == "checkin.reminded"
    # The analyst reads (the page and the API), and changes nothing.
    listed = client.get(f"/api/v1/cycles/{cycle.id}/check-ins", headers=f.api_token(db, world["analyst"])).json()
    assert [c["updated"][str(world["a"].id)] for c in listed] == [True, True] and listed[0]["reminded_at"]
    f.sign_in(client, db, world["analyst"])
    assert client.get(f"/backbone/cycles/{cycle.id}/check-ins").status_code == 200
    assert client.post(f"/backbone/cycles/{cycle.id}/check-ins", data={"due_on": second.isoformat(), "csrf_token": csrf}).status_code == 403


def test_targets_are_the_backbones_and_partners_see_only_the_partnerships_figures(client, db, world, csrf, settings):
    f.sign_in(client, db, world["admin"])
    form = {"title": "Established in leadership", "kind": "share_at_level", "domain_id": "leadership", "level_index": "2", "share": "50",
            "reference_cycle_id": str(world["baseline"].id), "due_on": "2028-06-30", "csrf_token": csrf}
    bad = client.post("/backbone/targets", data={**form, "share": "120"})
    assert bad.status_code == 422 and "Give a share between 1 and 100 %." in bad.text and 'value="Established in leadership"' in bad.text
    assert db.scalar(select(Target)) is None
    assert client.post("/backbone/targets", data=form).status_code == 303
    page = client.get("/backbone/targets").text
    # Baseline: A at 67 in leadership, B at 67: 100 %; follow-up: A 100, B 67: 100 %.
    assert "50 % of partners at “Established” or above" in page and page.count("✓ Met") == 2
    target = db.scalar(select(Target))
    assert client.post(f"/backbone/targets/{target.id}", data={**form, "share": "60"}).status_code == 303
    assert [e for e in db.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "target"))] == ["target.created", "target.updated"]
    f.sign_in(client, db, world["analyst"])
    assert client.get("/backbone/targets").status_code == 200
    assert client.post("/backbone/targets", data=form).status_code == 403
    # A partner's lead sees the target, but not figures that rest on two partners (one's own level would give the other's).
    f.sign_in(client, db, world["lead_a"])
    plan = client.get(f"/plans/{world['a'].id}").text
    assert "Established in leadership" in plan and "✓ Met" not in plan and "Birch" not in plan
    assert client.get("/backbone/targets").status_code == 404


def test_serve_emails_each_check_ins_reminder_once_on_its_day_whatever_the_number_of_processes(client, db, world, csrf, settings, app,
                                                                                               catalogue):
    from app import clock, scheduler
    from app.plans import checkins

    sessionmaker_for_tests = app.state.sessionmaker  # sessions of the test's transaction, as a web process opens them
    cycle = world["follow"]
    today = clock.today()
    soon, later, past = (CheckIn(cycle_id=cycle.id, due_on=today + dt.timedelta(days=d)) for d in (5, 30, -1))
    db.add_all([soon, later, past])
    db.commit()
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{cycle.id}/check-ins").text
    assert "the partner leads get a reminder by email on" in page and "no reminder was sent" in page  # soon (today) and past
    spanish = client.get(f"/backbone/cycles/{cycle.id}/check-ins?lang=es").text
    assert "las personas responsables reciben un recordatorio por correo el" in spanish
    before = len(outbox(settings))
    # Two web processes (two sessions of their own) run the jobs: the check-in 5 days ahead is reminded once, by one.
    assert scheduler.run_due(sessionmaker_for_tests, settings, catalogue)["check-in reminders"] == 1
    assert scheduler.run_due(sessionmaker_for_tests, settings, catalogue)["check-in reminders"] == 0
    mails = outbox(settings)[before:]
    assert sorted(m["To"] for m in mails) == sorted([world["lead_a"].email, world["lead_b"].email])
    db.expire_all()
    assert db.get(CheckIn, soon.id).reminded_at is not None and db.get(CheckIn, later.id).reminded_at is None
    assert db.get(CheckIn, past.id).reminded_at is None  # a date gone by gets no late reminder
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "checkin.reminded")).one()
    assert event.actor_id is None and event.details["scheduled"] is True and event.details["sent"] == 2
    assert "reminder sent on" in client.get(f"/backbone/cycles/{cycle.id}/check-ins?lang=en").text
    # The claim is won once: whoever claims second (another process, another machine) does nothing.
    with sessionmaker_for_tests() as one, sessionmaker_for_tests() as other:
        assert checkins.claim_reminder(one, later.id) is True
        assert checkins.claim_reminder(other, later.id) is False
    # A check-in 30 days ahead: its day comes 7 days before (REASSESS_CHECK_IN_REMINDER_DAYS).
    assert checkins.reminder_day(settings, db.get(CheckIn, later.id)) == later.due_on - dt.timedelta(days=7)


def test_the_scheduler_thread_runs_the_jobs_until_it_is_stopped(settings, app, monkeypatch):
    import threading

    from app import scheduler

    sessionmaker_for_tests = app.state.sessionmaker
    ran = threading.Event()
    calls = []

    def job(db, s, _catalogue):
        calls.append(s)
        ran.set()
        raise RuntimeError("a failing job is logged, and the thread goes on")

    monkeypatch.setattr(scheduler, "JOBS", {"probe": job})
    assert scheduler.start(sessionmaker_for_tests, settings.model_copy(update={"scheduler_interval_s": 0}), None) is None
    running = scheduler.start(sessionmaker_for_tests, settings.model_copy(update={"scheduler_interval_s": 3600}), None)
    assert ran.wait(60)
    running.stop(timeout=60)
    assert running.runs == 1 and len(calls) == 1 and not running._thread.is_alive()
