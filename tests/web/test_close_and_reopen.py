"""Closing a cycle asks first and says what it does; reopening undoes it (both audited); partners see that a cycle
closed, and when (issue 23, item 3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.assessments.models import Assessment
from app.audit import AuditEvent
from app.auth import invitations
from app.auth.models import InvitationPurpose
from tests import factories as f


def test_closing_asks_first_and_reopening_brings_the_links_back(client, db, world, csrf, settings, new_client):
    follow = world["follow"]
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    link = invitations.issue(db, settings, email="one@cedar.example.org", language="es", organization=world["c"],
                             purpose=InvitationPurpose.respond, assessment_id=cedar.id, created_by_id=world["admin"].id).link(settings)
    db.commit()
    path = link.split("://", 1)[1].split("/", 1)[1]
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}").text
    assert f'href="/backbone/cycles/{follow.id}/close"' in page and f'action="/backbone/cycles/{follow.id}/close"' not in page
    confirm = client.get(f"/backbone/cycles/{follow.id}/close").text
    assert "Close the cycle?" in confirm and "partners that have not submitted cannot submit" in confirm
    assert "1 partner has not submitted: Cedar Employers." in confirm and "You can reopen the cycle afterwards" in confirm
    assert client.post(f"/backbone/cycles/{follow.id}/close", data={"csrf_token": csrf}).status_code == 303
    person = new_client()
    gone = person.get(f"/{path}")
    assert "cerró el" in gone.text  # the link says, in its language, that the assessment closed
    # The lead's card says it, too.
    f.sign_in(client, db, world["lead_a"])
    card = client.get("/partner?lang=en").text
    assert "This cycle closed on" in card
    # Reopening: a closing date that has passed is refused, at its field, in the user's language; a good one reopens.
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}?lang=en").text
    assert "Reopen the cycle" in page
    past = (clock.today() - dt.timedelta(days=1)).isoformat()
    for lang, message in (("en", "Give a closing date from today on"), ("es", "Indique una fecha de cierre a partir de hoy")):
        bad = client.post(f"/backbone/cycles/{follow.id}/reopen?lang={lang}", data={"closes_on": past, "csrf_token": csrf})
        assert bad.status_code == 422 and message in bad.text and f'value="{past}"' in bad.text
    until = clock.today() + dt.timedelta(days=10)
    done = client.post(f"/backbone/cycles/{follow.id}/reopen?lang=en", data={"closes_on": until.isoformat(), "csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"].endswith("flash=reopened")
    db.refresh(follow)
    assert follow.closed_at is None and follow.closes_on == until
    assert person.get(f"/{path}").status_code in (200, 303)  # the same link works again
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.object_type == "cycle", AuditEvent.object_id == str(follow.id))
                                            .order_by(AuditEvent.id))]
    assert actions[-2:] == ["cycle.closed", "cycle.reopened"]
    assert client.post(f"/backbone/cycles/{follow.id}/reopen", data={"closes_on": "", "csrf_token": csrf}).status_code == 422  # open already
