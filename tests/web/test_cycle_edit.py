"""Editing a cycle (issue 23, item 2): names per language, dates that the links follow, partners added to an open
cycle with an invitation to their lead; bad input changes nothing and says why in the user's language."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from sqlalchemy import select

from app import clock
from app.assessments.models import Assessment
from app.audit import AuditEvent
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from tests import factories as f


def form(cycle, csrf, **changes) -> dict:
    return {"name": cycle.name, "name_es": (cycle.names or {}).get("es", ""), "opens_on": cycle.opens_on.isoformat(),
            "closes_on": cycle.closes_on.isoformat(), "csrf_token": csrf, **changes}


def test_the_admin_renames_moves_the_dates_and_adds_a_partner_whose_lead_is_invited(client, db, world, csrf, settings):
    follow = world["follow"]
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    issued = invitations.issue(db, settings, email="one@cedar.example.org", language="es", organization=world["c"],
                               purpose=InvitationPurpose.respond, assessment_id=cedar.id, created_by_id=world["admin"].id)
    dogwood = f.partner(db, world["backbone"], "Dogwood Clinic", contact_email="director@dogwood.example.org", preferred_language="es")
    db.commit()
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}/edit").text
    assert 'value="Follow-up"' in page and "Dogwood Clinic" in page and "Alder School District" not in page  # only partners not in it
    later = follow.closes_on + dt.timedelta(days=21)
    before = len(list(settings.outbox_dir.glob("*.eml"))) if settings.outbox_dir.exists() else 0
    saved = client.post(f"/backbone/cycles/{follow.id}/edit", data={**form(follow, csrf, name_es="Seguimiento", closes_on=later.isoformat()),
                                                                   "partners": str(dogwood.id), "invite_leads": "yes"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("flash=updated&added=1&invited=1")
    db.refresh(follow)
    assert follow.closes_on == later and follow.name_in("es") == "Seguimiento"
    assert invitations.valid_until(db, db.get(Invitation, issued.invitation.id)) == invitations.cycle_end(follow)  # the link follows
    assert db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == dogwood.id)) is not None
    mails = sorted(settings.outbox_dir.glob("*.eml"))[before:]
    (mail,) = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mails]
    assert mail["To"] == "director@dogwood.example.org" and "invita a Dogwood Clinic" in mail["Subject"]
    assert "está abierta hasta el" in mail.get_body(("plain",)).get_content()  # the dates, in the lead's language
    events = {e.action: e.details for e in db.scalars(select(AuditEvent).where(AuditEvent.object_type == "cycle", AuditEvent.object_id == str(follow.id)))}
    assert set(events["cycle.updated"]["fields"]) == {"names", "closes_on"} and events["cycle.partners_added"]["partners"] == [dogwood.id]
    assert "The cycle is changed. 1 partner added. 1 lead invited." in client.get(saved.headers["location"] + "&lang=en").text


def test_bad_dates_change_nothing_and_say_why_in_the_users_language(client, db, world, csrf):
    follow = world["follow"]
    f.sign_in(client, db, world["admin"])
    was = (follow.name, follow.opens_on, follow.closes_on)
    for lang, message in (("en", "The closing date must be on or after the opening date."), ("es", "La fecha de cierre")):
        bad = client.post(f"/backbone/cycles/{follow.id}/edit?lang={lang}",
                          data=form(follow, csrf, name="Renamed", closes_on=(follow.opens_on - dt.timedelta(days=1)).isoformat()))
        assert bad.status_code == 422 and message in bad.text and 'value="Renamed"' in bad.text  # what was typed stays
    later = (clock.today() + dt.timedelta(days=3)).isoformat()  # people have answered: it cannot start later now
    bad = client.post(f"/backbone/cycles/{follow.id}/edit?lang=en", data=form(follow, csrf, opens_on=later))
    assert bad.status_code == 422 and "People have answered already" in bad.text
    db.refresh(follow)
    assert (follow.name, follow.opens_on, follow.closes_on) == was
    f.sign_in(client, db, world["analyst"])
    assert client.post(f"/backbone/cycles/{follow.id}/edit", data=form(follow, csrf, name="X")).status_code == 403


def test_a_new_cycle_is_announced_to_each_lead_now_or_on_its_opening_day_once(client, db, world, csrf, settings, app, catalogue):
    from app import scheduler
    from app.assessments.models import Cycle

    f.sign_in(client, db, world["admin"])
    outbox = settings.outbox_dir

    def sent() -> list:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(outbox.glob("*.eml"))] if outbox.exists() else []

    today = clock.today()
    base = {"instrument": "equity-self-assessment@1.0", "privacy": "anonymous", "depth": "full", "order": "integrated", "baseline": "",
            "partners": [str(world["a"].id), str(world["c"].id)], "csrf_token": csrf, "announce": "yes"}
    world["c"].contact_email, world["c"].preferred_language = "hello@cedar.example.org", "es"
    db.commit()
    before = len(sent())
    now = client.post("/backbone/cycles", data={**base, "name": "Open now", "opens_on": today.isoformat(),
                                                "closes_on": (today + dt.timedelta(days=30)).isoformat()})
    assert now.status_code == 303 and now.headers["location"].endswith("announced=2")
    mails = {m["To"]: m for m in sent()[before:]}
    assert set(mails) == {world["lead_a"].email, "hello@cedar.example.org"}  # Alder's lead, and Cedar's (no lead) invited
    text = mails[world["lead_a"].email].get_body(("plain",)).get_content()
    assert "is open until" in mails[world["lead_a"].email]["Subject"] and "/partner" in text
    assert "abierta hasta el" in mails["hello@cedar.example.org"].get_body(("plain",)).get_content()
    assert "2 leads were emailed." in client.get(now.headers["location"] + "&lang=en").text
    # A cycle that opens next week: announced on that day, by whichever web process runs the job first, once.
    later = client.post("/backbone/cycles", data={**base, "name": "Opens later", "opens_on": (today + dt.timedelta(days=7)).isoformat(),
                                                  "closes_on": (today + dt.timedelta(days=40)).isoformat()})
    assert later.headers["location"].endswith("announced=later")
    cycle = db.scalar(select(Cycle).where(Cycle.name == "Opens later"))
    assert cycle.announce and cycle.announced_at is None
    before = len(sent())
    from app.assessments import announce

    with app.state.sessionmaker() as one, app.state.sessionmaker() as other:
        assert announce.send_due(one, settings, catalogue, today=today) == 0  # not open yet
        assert announce.send_due(one, settings, catalogue, today=cycle.opens_on) == 1
        assert announce.send_due(other, settings, catalogue, today=cycle.opens_on) == 0
    # Alder's lead, and Cedar's contact again? No: Cedar's invitation to lead is pending, so it is not sent twice.
    assert [m["To"] for m in sent()[before:]] == [world["lead_a"].email]
    assert "cycle announcements" in scheduler.JOBS
    # Not announcing is a choice.
    quiet = client.post("/backbone/cycles", data={**{k: v for k, v in base.items() if k != "announce"}, "name": "Quiet",
                                                  "opens_on": today.isoformat(), "closes_on": (today + dt.timedelta(days=9)).isoformat()})
    assert "announced" not in quiet.headers["location"]
