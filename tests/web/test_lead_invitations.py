"""Invitations over HTTP as a lead and their invitees meet them: a link lasts as long as its cycle, the lead sees where
each invitation stands (never an answer), a link that no longer works says so in the invitee's language, and the lead
can read the questions their cycle asks."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from sqlalchemy import select

from app import clock, i18n
from app.assessments import service
from app.auth import invitations
from app.auth.models import Invitation
from app.db import utcnow
from app.organizations.models import Role
from tests import factories as f
from tests.service.test_assessments import INSTRUMENT, cycle_assessment

SECRET = "my supervisor talks over every colleague of colour"


def make_world(db, catalogue, *, anonymous: bool, opened_days_ago: int = 10, closes_in_days: int = 80):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org, other = f.partner(db, backbone, "Casa Abierta"), f.partner(db, backbone, "Otra Casa")
    lead, other_lead = f.user(db, org, Role.partner_lead), f.user(db, other, Role.partner_lead)
    today = clock.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Ciclo 2026", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today - dt.timedelta(days=opened_days_ago), closes_on=today + dt.timedelta(days=closes_in_days),
                                 partner_ids=[org.id, other.id], anonymous=anonymous)
    db.commit()
    return {"admin": admin, "org": org, "other": other, "lead": lead, "other_lead": other_lead, "cycle": cycle,
            "assessment": cycle_assessment(db, cycle, org), "other_assessment": cycle_assessment(db, cycle, other)}


@pytest.fixture
def world(db, catalogue):
    return make_world(db, catalogue, anonymous=False)


def invite(client, db, lead, assessment, csrf, emails: str, language: str = "en") -> dict[str, str]:
    """The links shown to the lead (no SMTP), by email; the lead's session is dropped afterwards."""
    f.sign_in(client, db, lead)
    page = client.post(f"/partner/assessments/{assessment.id}/invite", data={"emails": emails, "language": language, "csrf_token": csrf})
    assert page.status_code == 200, page.text
    client.cookies.delete("reassess_session")
    found = re.findall(r'<strong>([^<]+)</strong><br><input type="text" readonly value="http://[^"]+(/invite/[^"]+)"', page.text)
    return dict(found)


def later(monkeypatch, days: int) -> None:
    """The links are checked ``days`` from now (the cycle's calendar is the partnership's, app.clock)."""
    shifted = utcnow() + dt.timedelta(days=days)
    monkeypatch.setattr(invitations, "utcnow", lambda: shifted)


# -- 2. a link lasts as long as its cycle ---------------------------------------------------------------------------

def test_a_link_still_works_sixty_days_after_the_invitation_while_the_cycle_is_open(client, db, world, csrf, new_client, monkeypatch):
    links = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org")
    link = links["rosa@example.org"]
    later(monkeypatch, 60)
    opened = new_client().get(link)
    assert opened.status_code == 303 and opened.headers["location"].endswith("/welcome"), opened.text


def test_a_link_stops_when_its_cycle_closes_on_its_last_day_or_earlier(client, db, world, csrf, new_client, monkeypatch):
    link = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org")["rosa@example.org"]
    later(monkeypatch, 81)  # the day after the cycle's closing day
    gone = new_client().get(link)
    assert gone.status_code == 410 and "This link no longer works" in gone.text and "Error 410" not in gone.text
    assert "reassess_session" not in gone.headers.get("set-cookie", "")
    monkeypatch.undo()
    assert new_client().get(link).status_code == 303  # today it works
    service.close_cycle(db, world["cycle"], world["admin"].id)  # closed before its closing day: the link stops now
    db.commit()
    closed = new_client().get(link)
    assert closed.status_code == 410 and "This link no longer works" in closed.text


def test_the_link_is_valid_until_the_end_of_the_closing_day_in_the_partnerships_zone_and_the_email_says_so(client, db, world, csrf, settings):
    before = set(settings.outbox_dir.glob("*.eml"))
    invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org", language="es")
    invitation = db.scalar(select(Invitation).where(Invitation.assessment_id == world["assessment"].id))
    closes_on = world["cycle"].closes_on
    end = dt.datetime.combine(closes_on + dt.timedelta(days=1), dt.time(0), tzinfo=clock.zone())
    assert invitation.expires_at == end.astimezone(dt.UTC)
    assert invitations.valid_until(db, invitation) == end.astimezone(dt.UTC)
    (mail,) = set(settings.outbox_dir.glob("*.eml")) - before
    body = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
    with i18n.locale("es"):
        day = i18n.format_date(closes_on)
    assert f"hasta el final del {day}" in " ".join(body.split())


def test_send_again_sends_the_same_link_and_carries_it_to_the_cycles_close(client, db, world, csrf):
    link = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org")["rosa@example.org"]
    invitation = db.scalar(select(Invitation).where(Invitation.assessment_id == world["assessment"].id))
    invitation.expires_at = utcnow() + dt.timedelta(days=2)  # an invitation made when links lasted a fixed number of days
    db.commit()
    f.sign_in(client, db, world["lead"])
    again = client.post(f"/partner/invitations/{invitation.id}/resend", data={"csrf_token": csrf})
    assert again.status_code == 200 and link in again.text
    db.expire_all()
    assert invitation.expires_at == invitations.cycle_end(world["cycle"])


# -- 3. where each invitation stands --------------------------------------------------------------------------------

def rows_of(page: str) -> dict[str, str]:
    """Each invitation's row of the lead's table, by email."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr><th scope="row">([^<]+@example\.org)<br>.*?</tr>', page, re.S)}


def start(c, link: str, csrf: str, answers: dict[str, str]) -> int:
    r = c.get(link)
    assert r.status_code == 303, r.text
    rid = int(r.headers["location"].split("/")[2])
    assert c.post(f"/respond/{rid}/welcome", data={"role_group": "staff", "csrf_token": csrf}).status_code == 303
    for item, value in answers.items():
        saved = c.post(f"/respond/{rid}/answer", json={"item_id": item, "value": value, "comment": SECRET}, headers={"X-CSRF-Token": csrf})
        assert saved.status_code == 200, saved.text
    return rid


def test_the_lead_sees_where_each_invitation_stands_and_no_answer(client, db, world, csrf, new_client, catalogue):
    people = "not.opened@example.org, opened@example.org, answering@example.org, submitted@example.org"
    links = invite(client, db, world["lead"], world["assessment"], csrf, people)
    assert new_client().get(links["opened@example.org"]).status_code == 303
    start(new_client(), links["answering@example.org"], csrf, {"leadership-01": "1", "leadership-02": "dont_know"})
    done = new_client()
    rid = start(done, links["submitted@example.org"], csrf, {"leadership-01": "3"})
    assert done.post(f"/respond/{rid}/submit", data={"csrf_token": csrf, "confirm": "yes"}).status_code == 303

    f.sign_in(client, db, world["lead"])
    page = client.get("/partner")
    assert page.status_code == 200
    rows = rows_of(page.text)
    total = sum(len(p.question_ids) for p in service_pages(catalogue, world["cycle"]))
    assert "Not opened yet" in rows["not.opened@example.org"] and "Send again" in rows["not.opened@example.org"]
    assert "Opened, nothing answered yet" in rows["opened@example.org"]
    assert f"Answering: 2 of {total} questions" in rows["answering@example.org"] and "Send again" in rows["answering@example.org"]
    assert "Answers submitted" in rows["submitted@example.org"]
    assert "Send again" not in rows["submitted@example.org"] and "Revoke" in rows["submitted@example.org"]
    assert SECRET not in page.text and "Don't know" not in page.text
    # Nor can it be sent again by hand.
    submitted = db.scalar(select(Invitation).where(Invitation.email == "submitted@example.org"))
    refused = client.post(f"/partner/invitations/{submitted.id}/resend", data={"csrf_token": csrf})
    assert refused.status_code == 409


def service_pages(catalogue, cycle):
    from app.respond.service import plan_pages

    return plan_pages(catalogue.find(cycle.instrument_id, cycle.instrument_version), cycle.depth, cycle.order)


def test_in_an_anonymous_cycle_the_lead_sees_each_invitations_state_but_no_ones_progress(client, db, catalogue, csrf, new_client):
    world = make_world(db, catalogue, anonymous=True)
    links = invite(client, db, world["lead"], world["assessment"], csrf, "answering@example.org")
    start(new_client(), links["answering@example.org"], csrf, {"leadership-01": "1", "leadership-02": "2"})
    f.sign_in(client, db, world["lead"])
    row = rows_of(client.get("/partner").text)["answering@example.org"]
    assert "Answering" in row and " of " not in row and SECRET not in row


def test_a_lead_of_another_organization_sees_none_of_it(client, db, world, csrf, new_client):
    links = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org")
    start(new_client(), links["rosa@example.org"], csrf, {"leadership-01": "1"})
    invitation = db.scalar(select(Invitation).where(Invitation.email == "rosa@example.org"))
    f.sign_in(client, db, world["other_lead"])
    page = client.get("/partner")
    assert page.status_code == 200 and "rosa@example.org" not in page.text and "Answering" not in page.text
    assert client.post(f"/partner/invitations/{invitation.id}/resend", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/partner/invitations/{invitation.id}/revoke", data={"csrf_token": csrf}).status_code == 404


# -- 1. a link that no longer works, in the invitee's language ------------------------------------------------------

def test_a_revoked_link_says_so_as_an_unknown_link_does_in_the_browsers_language_not_error_404(client, db, world, csrf, new_client):
    link = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org", language="es")["rosa@example.org"]
    invitation = db.scalar(select(Invitation).where(Invitation.email == "rosa@example.org"))
    f.sign_in(client, db, world["lead"])
    assert client.post(f"/partner/invitations/{invitation.id}/revoke", data={"csrf_token": csrf}).status_code == 303
    gone = new_client().get(link, headers={"Accept-Language": "es"})
    assert gone.status_code == 404 and '<html lang="es">' in gone.text
    assert "<h1>Este enlace ya no funciona</h1>" in gone.text and "Error 404" not in gone.text
    assert "pida a la persona que le invitó un enlace nuevo" in gone.text
    # In an English browser it speaks English: the invitee's language (Spanish) is not given away, as for an unknown link.
    english = new_client().get(link, headers={"Accept-Language": "en"})
    assert english.status_code == 404 and "<h1>This link no longer works</h1>" in english.text
    unknown = new_client().get("/invite/inv_not-a-link-of-anyone-at-all", headers={"Accept-Language": "en"})
    assert unknown.status_code == 404 and "<h1>This link no longer works</h1>" in unknown.text and "not valid" in unknown.text


def test_a_closed_cycles_link_says_when_it_closed_in_the_invitations_language(client, db, world, csrf, new_client):
    link = invite(client, db, world["lead"], world["assessment"], csrf, "rosa@example.org", language="es")["rosa@example.org"]
    service.close_cycle(db, world["cycle"], world["admin"].id)
    db.commit()
    gone = new_client().get(link)
    assert gone.status_code == 410 and "<h1>Este enlace ya no funciona</h1>" in gone.text and "Error" not in gone.text


# -- 4. the lead previews the questions -----------------------------------------------------------------------------

def test_the_lead_reads_the_questions_of_their_cycles_instrument_and_no_other(client, db, world, catalogue):
    f.sign_in(client, db, world["lead"])
    home = client.get("/partner")
    preview = f"/instruments/{world['cycle'].instrument_id}/{world['cycle'].instrument_version}"
    assert f'href="{preview}"' in home.text and "Preview the questions" in home.text
    page = client.get(preview + "?lang=es")
    instrument = catalogue.find(world["cycle"].instrument_id, world["cycle"].instrument_version)
    assert page.status_code == 200 and instrument.item("leadership-01").text.root["es"] in page.text
    listing = client.get("/instruments")
    assert listing.status_code == 200 and f'href="{preview}"' in listing.text
    others = [i for i in catalogue.all() if (i.id, i.version) != (instrument.id, instrument.version)]
    for other in others:
        assert f'href="/instruments/{other.id}/{other.version}"' not in listing.text
        assert client.get(f"/instruments/{other.id}/{other.version}").status_code == 404
    # A lead whose organization takes part in no cycle reads none.
    lonely = f.user(db, f.partner(db, f.backbone(db)), Role.partner_lead)
    f.sign_in(client, db, lonely)
    assert client.get(preview).status_code == 404
    assert client.get("/instruments").status_code == 200
