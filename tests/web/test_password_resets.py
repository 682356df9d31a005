"""Forgotten passwords (issue 23, item 7): a signed, expiring, single-use link by email, the same answer whether or not
an account exists, never for an account without a password; without email, a link an admin makes; all audited."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import PasswordReset, UserSession
from app.db import utcnow
from app.organizations.models import Role
from tests import factories as f


def outbox(settings) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(settings.outbox_dir.glob("*.eml"))] \
        if settings.outbox_dir.exists() else []


def test_a_lead_resets_a_forgotten_password_by_email_once(client, db, world, csrf, settings, new_client):
    lead = world["lead_a"]
    login = client.get("/login?lang=en").text
    assert 'href="/password/forgot"' in login
    before = len(outbox(settings))
    asked = client.post("/password/forgot?lang=en", data={"email": lead.email, "csrf_token": csrf})
    nobody = client.post("/password/forgot?lang=en", data={"email": "nobody@example.org", "csrf_token": csrf})
    answer = "If an account with a password has this address, we have emailed it a link that works for 2 hours, once."
    assert answer in asked.text and answer in nobody.text  # the same words: no one learns who has an account
    (mail,) = outbox(settings)[before:]
    assert mail["To"] == lead.email
    link = re.search(r"http://\S+/reset/(\S+)", mail.get_body(("plain",)).get_content()).group(1)
    signed_in = new_client()
    f.sign_in(signed_in, db, lead)
    page = client.get(f"/reset/{link}?lang=es")
    assert page.status_code == 200 and "Elija una contraseña nueva" in page.text
    short = client.post(f"/reset/{link}?lang=en", data={"password": "short", "confirm": "short", "csrf_token": csrf})
    assert short.status_code == 422 and "Use at least 10 characters." in short.text
    done = client.post(f"/reset/{link}", data={"password": "a brand new sentence 42", "confirm": "a brand new sentence 42", "csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/login?flash=password-set"
    assert client.post("/login", data={"email": lead.email, "password": "a brand new sentence 42", "csrf_token": csrf}).status_code == 303
    assert db.scalar(select(UserSession).where(UserSession.user_id == lead.id)) is not None  # the new sign-in only
    assert signed_in.get("/partner").status_code in (303, 401)  # the other sessions ended
    again = client.post(f"/reset/{link}", data={"password": "another sentence 4242", "confirm": "another sentence 4242", "csrf_token": csrf})
    assert again.status_code == 404  # once
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("password.%")).order_by(AuditEvent.id))]
    assert actions == ["password.reset_requested", "password.reset"]


def test_no_link_for_an_account_without_a_password_an_expired_link_or_a_guess(client, db, world, csrf, settings):
    respondent = f.user(db, world["a"], Role.respondent, email="answers@alder.example.org", password=None)
    db.commit()
    before = len(outbox(settings))
    client.post("/password/forgot", data={"email": respondent.email, "csrf_token": csrf})
    assert len(outbox(settings)) == before  # a respondent's account never gets a password through a link
    client.post("/password/forgot", data={"email": world["lead_b"].email, "csrf_token": csrf})
    row = db.scalar(select(PasswordReset).where(PasswordReset.user_id == world["lead_b"].id))
    row.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.commit()
    token = re.search(r"/reset/(\S+)", outbox(settings)[-1].get_body(("plain",)).get_content()).group(1)
    assert client.get(f"/reset/{token}").status_code == 404
    assert client.get("/reset/pwr_not-a-real-token-at-all").status_code == 404


def test_an_admin_makes_a_password_link_for_a_lead_without_email_and_sees_it_once(client, db, world, csrf, settings):
    f.sign_in(client, db, world["admin"])
    people = client.get("/backbone/people?lang=en").text
    assert world["lead_a"].email in people and "Partner lead" in people and "Backbone analyst" in people
    made = client.post(f"/backbone/people/{world['lead_a'].id}/password-link?lang=en", data={"csrf_token": csrf})
    assert made.status_code == 200 and "works for 24 hours, once" in made.text
    link = re.search(r'value="(http://[^"]+/reset/[^"]+)"', made.text).group(1)
    assert link not in client.get("/backbone/people").text  # shown once, never again
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "password.reset_link_made"))
    assert event.actor_id == world["admin"].id and event.object_id == str(world["lead_a"].id)
    outsider = f.user(db, email="someone@elsewhere.example.org")
    db.commit()
    assert client.post(f"/backbone/people/{outsider.id}/password-link", data={"csrf_token": csrf}).status_code == 404
    f.sign_in(client, db, world["analyst"])
    assert client.get("/backbone/people").status_code == 403


def test_an_admin_invites_a_colleague_who_takes_the_seat_and_removes_a_seat_but_never_the_last_admin(client, db, world, csrf, settings,
                                                                                                     new_client):
    from app.organizations.models import Membership

    f.sign_in(client, db, world["admin"])
    bad = client.post("/backbone/people/invite?lang=es", data={"email": "not an address", "role": "backbone_analyst", "csrf_token": csrf})
    assert bad.status_code == 422 and 'value="not an address"' in bad.text
    sent = client.post("/backbone/people/invite?lang=en", data={"email": "new.analyst@backbone.example.org", "role": "backbone_analyst",
                                                                "language": "es", "csrf_token": csrf})
    assert sent.status_code == 200 and "An invitation to the coordinating staff was sent" in sent.text
    mail = outbox(settings)[-1]
    assert mail["To"] == "new.analyst@backbone.example.org" and "equipo coordinador" in mail.get_body(("plain",)).get_content()
    link = re.search(r'value="http://[^"]+(/invite/[^"]+)"', sent.text).group(1)  # no SMTP: shown to the admin who made it
    colleague = new_client()
    entry = colleague.get(link + "?lang=en")
    assert "You are invited to the coordinating staff of Dashboard Backbone." in entry.text
    took = colleague.post(f"{link}/accept", data={"password": "a long enough password 42", "confirm": "a long enough password 42",
                                                  "csrf_token": csrf})
    assert took.status_code == 303 and took.headers["location"] == "/backbone"
    home = colleague.get("/backbone?lang=en")
    assert home.status_code == 200 and colleague.get("/backbone/people").status_code == 403  # an analyst
    assert "Manage partners" not in home.text and "See the partners" in home.text  # an analyst reads the partners, manages none
    # The admin removes the analyst's seat; the account stays. Their own seat and the last admin's cannot go.
    seat = db.scalar(select(Membership).where(Membership.user_id == world["analyst"].id))
    page = client.get("/backbone/people?lang=en").text
    assert "Remove the seat" in page and f'/backbone/people/seats/{seat.id}/remove' in page
    seat_id = seat.id
    assert client.post(f"/backbone/people/seats/{seat_id}/remove", data={"csrf_token": csrf}).status_code == 200
    db.expire_all()
    assert db.get(Membership, seat_id) is None and db.get(type(world["analyst"]), world["analyst"].id) is not None
    own = db.scalar(select(Membership).where(Membership.user_id == world["admin"].id, Membership.role == Role.backbone_admin))
    assert client.post(f"/backbone/people/seats/{own.id}/remove", data={"csrf_token": csrf}).status_code == 403
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "seat.removed"))
    assert event.details == {"role": "backbone_analyst"} and event.actor_id == world["admin"].id
