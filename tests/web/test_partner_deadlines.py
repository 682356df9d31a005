"""An extension for one partner (issue 23, item 5): its own closing day, later than the cycle's; its people answer and
its lead submits until then, through the same links, while the other partners are closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.assessments import service
from app.assessments.models import Assessment
from app.audit import AuditEvent
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.errors import Conflict
from app.organizations.models import Role
from tests import factories as f


def test_one_partner_gets_more_time_and_only_it(client, db, world, csrf, settings, new_client):
    follow = world["follow"]
    today = clock.today()
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    issued = invitations.issue(db, settings, email="late@cedar.example.org", language="es", organization=world["c"],
                               purpose=InvitationPurpose.respond, assessment_id=cedar.id, created_by_id=world["admin"].id)
    follow.closes_on = today  # the cycle closes today
    db.commit()
    f.sign_in(client, db, world["admin"])
    page = client.get(f"/backbone/cycles/{follow.id}/edit?lang=en").text
    assert "Closing day for Cedar Employers" in page and "Closing day for Alder School District" not in page  # Alder submitted
    for lang, value, message in (("en", today.isoformat(), "An extension ends after the cycle"),
                                 ("es", "soon", "Escriba una fecha como 2026-09-30.")):
        bad = client.post(f"/backbone/cycles/{follow.id}/partners/{world['c'].id}/deadline?lang={lang}", data={"closes_on": value, "csrf_token": csrf})
        assert bad.status_code == 422 and message in bad.text and f'value="{value}"' in bad.text
    later = today + dt.timedelta(days=7)
    ok = client.post(f"/backbone/cycles/{follow.id}/partners/{world['c'].id}/deadline", data={"closes_on": later.isoformat(), "csrf_token": csrf})
    assert ok.status_code == 303
    db.refresh(cedar)
    assert cedar.closes_on == later and cedar.deadline == later
    assert "extended to" in client.get(f"/backbone/cycles/{follow.id}?lang=en").text
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.extended"))
    assert event.details == {"closes_on": later.isoformat()} and event.organization_id == world["c"].id
    # Tomorrow the cycle is closed for everyone else, and open for Cedar: its link, its answers, its submission.
    tomorrow = today + dt.timedelta(days=1)
    assert service.assessment_is_open(cedar, tomorrow) and not service.cycle_is_open(follow, tomorrow)
    birch = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["b"].id))
    assert not service.assessment_is_open(birch, tomorrow)
    assert invitations.valid_until(db, issued.invitation) == invitations.end_of(later)
    link_path = "/" + issued.link(settings).split("://", 1)[1].split("/", 1)[1]
    assert new_client().get(link_path).status_code in (200, 303)  # the link works (today)
    # Back to the cycle's day: the extension ends, and it is recorded.
    assert client.post(f"/backbone/cycles/{follow.id}/partners/{world['c'].id}/deadline", data={"closes_on": "", "csrf_token": csrf}).status_code == 303
    db.refresh(cedar)
    assert cedar.closes_on is None and cedar.deadline == follow.closes_on
    # A response of a partner past its deadline refuses a save, as the cycle's closing does; within it, it is kept.
    person = f.user(db, world["c"], Role.respondent, password=None)
    response = service.get_or_start_response(db, cedar, person.id, "en")
    cedar.closes_on = later
    db.flush()
    service.ensure_writable(response, later)
    try:
        service.ensure_writable(response, later + dt.timedelta(days=1))
    except Conflict:
        pass
    else:
        raise AssertionError("a save after the partner's deadline must be refused")
