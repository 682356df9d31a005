"""A cycle's reminders (issue 23, item 1): who a round reaches, shown before it goes; the link people have, sent again
with a subject of its own and the closing date; leads who have not accepted or whose team has not started; a schedule
(14 and 3 days before closing by default) that `reassess serve` keeps once, whatever the number of processes."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from sqlalchemy import select

from app import clock, scheduler
from app.assessments import reminders
from app.assessments.models import Assessment, CycleReminder
from app.audit import AuditEvent
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.organizations.models import Role
from tests import factories as f


def outbox(settings) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(settings.outbox_dir.glob("*.eml"))]


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def waiting(db, settings, world) -> dict:
    """In the open follow-up: Cedar (no result) has two people invited, one in Spanish, and a lead invited who has not
    accepted; Dogwood joins with a lead whose team has not started."""
    follow = world["follow"]
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    links = {}
    for address, lang in (("one@cedar.example.org", "es"), ("two@cedar.example.org", "en")):
        links[address] = invitations.issue(db, settings, email=address, language=lang, organization=world["c"], purpose=InvitationPurpose.respond,
                                           assessment_id=cedar.id, created_by_id=world["admin"].id).link(settings)
    invitations.issue(db, settings, email="lead@cedar.example.org", language="en", organization=world["c"], purpose=InvitationPurpose.partner_lead,
                      assessment_id=None, created_by_id=world["admin"].id)
    dogwood = f.partner(db, world["backbone"], "Dogwood Clinic")
    lead = f.user(db, dogwood, Role.partner_lead, email="lead@dogwood.example.org", language="es")
    db.add(Assessment(cycle_id=follow.id, organization_id=dogwood.id))
    db.commit()
    return {"links": links, "dogwood": dogwood, "lead": lead}


def test_the_admin_sees_who_a_round_reaches_then_each_gets_the_link_they_have_with_the_closing_date(client, db, world, csrf, settings):
    w = waiting(db, settings, world)
    follow = world["follow"]
    f.sign_in(client, db, world["admin"])
    assert f'href="/backbone/cycles/{follow.id}/remind"' in client.get(f"/backbone/cycles/{follow.id}").text  # no POST from the progress page
    page = client.get(f"/backbone/cycles/{follow.id}/remind").text
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num"[^>]*>(\d+)</td>', page))
    assert rows == {"Cedar Employers": "2", "Dogwood Clinic": "0"}  # counts per partner; Alder and Birch have submitted
    assert "has not accepted the invitation to lead" in page and "the team has not started" in page
    assert "one@cedar.example.org" not in page  # counts, never an address
    before = len(outbox(settings))
    sent = client.post(f"/backbone/cycles/{follow.id}/remind", data={"csrf_token": csrf})
    assert sent.status_code == 303 and sent.headers["location"].endswith("reminded=4")
    mails = {m["To"]: m for m in outbox(settings)[before:]}
    assert set(mails) == {"one@cedar.example.org", "two@cedar.example.org", "lead@cedar.example.org", "lead@dogwood.example.org"}
    closes_en = f"{follow.closes_on:%B} {follow.closes_on.day}, {follow.closes_on.year}"
    assert mails["two@cedar.example.org"]["Subject"] == f"Reminder: the racial equity self-assessment of Cedar Employers closes on {closes_en}"
    assert w["links"]["two@cedar.example.org"] in body(mails["two@cedar.example.org"])  # the link they hold: it keeps working
    assert "Recordatorio" in mails["one@cedar.example.org"]["Subject"] and w["links"]["one@cedar.example.org"] in body(mails["one@cedar.example.org"])
    assert mails["lead@cedar.example.org"]["Subject"].startswith("Reminder: Dashboard Backbone invites Cedar Employers")
    dogwood = mails["lead@dogwood.example.org"]
    assert "no ha empezado" in dogwood["Subject"] and "/partner" in body(dogwood)
    assert db.scalar(select(Invitation).where(Invitation.email == "two@cedar.example.org")).revoked_at is None
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.reminded")).one()
    assert event.details == {"sent": 4, "scheduled": False}
    # The round is recorded as today's: the page says so, and the scheduled round of today is not sent again.
    assert [(r.due_on, r.sent, r.scheduled) for r in reminders.rounds(db, follow)] == [(clock.today(), 4, False)]
    assert "Sent by hand:" in client.get(f"/backbone/cycles/{follow.id}/remind").text


def test_the_schedule_is_the_cycles_and_a_bad_one_is_refused_in_the_users_language(client, db, world, csrf):
    follow = world["follow"]
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}/remind").text
    assert 'value="14, 3"' in page and "Scheduled reminders" in page
    for lang, message in (("en", "Give the days before closing as whole numbers from 1 to 365"),
                          ("es", "Indique los días antes del cierre con números enteros del 1 al 365")):
        bad = client.post(f"/backbone/cycles/{follow.id}/reminder-days?lang={lang}", data={"reminder_days": "14, soon", "csrf_token": csrf},
                          headers={"Accept-Language": lang})
        assert bad.status_code == 422 and message in bad.text and 'value="14, soon"' in bad.text
    db.refresh(follow)
    assert follow.reminder_days is None  # nothing changed
    assert client.post(f"/backbone/cycles/{follow.id}/reminder-days", data={"reminder_days": "7; 21, 7", "csrf_token": csrf}).status_code == 303
    db.refresh(follow)
    assert follow.reminder_days == [21, 7] and reminders.schedule(follow) == [follow.closes_on - dt.timedelta(days=d) for d in (21, 7)]
    assert client.post(f"/backbone/cycles/{follow.id}/reminder-days", data={"reminder_days": "", "csrf_token": csrf}).status_code == 303
    db.refresh(follow)
    assert reminders.schedule(follow) == [] and "No reminder is scheduled" in client.get(f"/backbone/cycles/{follow.id}/remind?lang=en").text
    # The analyst reads the page, and sends and changes nothing.
    f.sign_in(client, db, world["analyst"])
    page = client.get(f"/backbone/cycles/{follow.id}/remind?lang=en")
    assert page.status_code == 200 and "Send the reminders now" not in page.text and "Save the schedule" not in page.text
    assert client.post(f"/backbone/cycles/{follow.id}/remind", data={"csrf_token": csrf}).status_code == 403


def test_serve_sends_each_scheduled_round_once_even_from_two_processes(db, world, settings, app, catalogue):
    waiting(db, settings, world)
    follow = world["follow"]
    factory = app.state.sessionmaker
    closes = follow.closes_on
    with factory() as s:
        assert reminders.send_due(s, settings, today=closes - dt.timedelta(days=15)) == 0  # before the first day
    before = len(outbox(settings))
    with factory() as one, factory() as other:  # two web processes on the day: one round
        assert reminders.send_due(one, settings, {follow.id: 45}, today=closes - dt.timedelta(days=14)) == 1
        assert reminders.send_due(other, settings, {follow.id: 45}, today=closes - dt.timedelta(days=14)) == 0
    assert len(outbox(settings)) == before + 4
    assert "45" in body(next(m for m in outbox(settings)[before:] if m["To"] == "two@cedar.example.org"))  # minutes it takes
    with factory() as s:
        assert reminders.send_due(s, settings, today=closes - dt.timedelta(days=10)) == 0  # between the two days
        assert reminders.send_due(s, settings, today=closes - dt.timedelta(days=3)) == 1
        assert reminders.send_due(s, settings, today=closes - dt.timedelta(days=2)) == 0
    rows = db.scalars(select(CycleReminder).where(CycleReminder.cycle_id == follow.id).order_by(CycleReminder.due_on)).all()
    assert [(r.due_on, r.scheduled, r.sent) for r in rows] == [(closes - dt.timedelta(days=14), True, 4), (closes - dt.timedelta(days=3), True, 4)]
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.reminded")).all()
    assert [(e.actor_id, e.details["scheduled"]) for e in events] == [(None, True), (None, True)]
    # The scheduler runs the job (with each instrument's minutes): today is no reminder day of this cycle now.
    follow.reminder_days = [1]
    db.commit()
    assert scheduler.run_due(factory, settings, catalogue)["cycle reminders"] == 0  # today is not a reminder day of this cycle


def test_the_progress_page_says_who_was_invited_and_the_response_rate_per_partner(client, db, world, settings):
    waiting(db, settings, world)
    follow = world["follow"]
    alder = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["a"].id))
    for k in range(8):  # Alder counted its invitations: 5 submitted responses of 8 people invited
        invitations.issue(db, settings, email=f"p{k}@alder.example.org", language="en", organization=world["a"],
                          purpose=InvitationPurpose.respond, assessment_id=alder.id, created_by_id=world["admin"].id)
    db.commit()
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}?lang=en").text
    row = lambda name: re.search(rf"<th scope=\"row\">{name}</th>(.*?)</tr>", page, re.S).group(1)  # noqa: E731
    cells = re.findall(r'data-label="([^"]+)">([^<]*)<', row("Alder School District"))
    assert ("People invited", "8") in cells and ("Responses submitted", "5") in cells and ("Response rate", "62%") in cells  # 5 of 8, as Babel rounds it
    cedar = dict(re.findall(r'data-label="([^"]+)">([^<]*)<', row("Cedar Employers")))
    assert cedar["People invited"] == "2" and cedar["Response rate"] == "0%"
    birch = dict(re.findall(r'data-label="([^"]+)">([^<]*)<', row("Birch Youth Alliance")))
    assert birch["People invited"] == "0" and birch["Response rate"] == "—"  # invitations not counted: no rate
    assert 'class="table table-stack" id="progress"' in page  # on a phone each row stacks with its labels
