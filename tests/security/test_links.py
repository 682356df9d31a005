"""A link is a key to one thing (docs/privacy.md, "Links"), tried over HTTP as the people who hold a link would.

- A session opened from a respondent's link reaches that invitation's response and nothing else: not the person's
  other responses, not their account's seats; it ends when the invitation is revoked.
- A started response is not opened by the link alone: whoever else saw the link (the lead it was shown to, a resend)
  gets a page asking for the respondent's own return code, with nothing of the answers.
- A lead's link never signs anyone in as an existing account, and works once.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.organizations.models import Membership, Role
from tests import factories as f
from tests.service.test_assessments import INSTRUMENT, cycle_assessment

SECRET = "my manager dismisses every concern I raise"


@pytest.fixture
def clients(new_client):
    return new_client


@pytest.fixture
def world(db, catalogue):
    x = f.backbone(db, "Links Backbone X")
    y = f.backbone(db, "Links Backbone Y")
    admin_x, admin_y = f.user(db, x, Role.backbone_admin), f.user(db, y, Role.backbone_admin)
    a, b = f.partner(db, x, "Links Partner A"), f.partner(db, x, "Links Partner B")
    lead_a, lead_b = f.user(db, a, Role.partner_lead), f.user(db, b, Role.partner_lead)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=x, actor_id=admin_x.id, name="Links 2026", instrument=catalogue.get(*INSTRUMENT),
                                 opens_on=today, closes_on=today + dt.timedelta(days=30), partner_ids=[a.id, b.id])
    db.commit()
    return {"x": x, "y": y, "admin_x": admin_x, "admin_y": admin_y, "a": a, "b": b, "lead_a": lead_a, "lead_b": lead_b,
            "assessment_a": cycle_assessment(db, cycle, a), "assessment_b": cycle_assessment(db, cycle, b)}


def invite(client, db, lead, assessment, csrf, email="sam@example.org") -> str:
    f.sign_in(client, db, lead)
    page = client.post(f"/partner/assessments/{assessment.id}/invite", data={"emails": email, "language": "en", "csrf_token": csrf})
    assert page.status_code == 200, page.text
    (link,) = re.findall(r'value="http://[^"]+(/invite/[^"]+)"', page.text)
    return link


def start_answering(c: TestClient, link: str, csrf: str, comment: str = SECRET) -> int:
    """Open the link, fill the welcome page and write a comment on the first question; returns the response id."""
    r = c.get(link)
    assert r.status_code == 303 and "/welcome" in r.headers["location"], r.text
    rid = int(r.headers["location"].split("/")[2])
    assert c.post(f"/respond/{rid}/welcome", data={"role_group": "staff", "csrf_token": csrf}).status_code == 303
    saved = c.post(f"/respond/{rid}/answer", json={"item_id": "leadership-01", "value": "1", "comment": comment},
                   headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    return rid


def test_a_links_session_reaches_only_its_own_response_and_ends_when_it_is_revoked(db, world, clients, csrf):
    """Finding 1: a person invited by two partners; the first partner's link must not open the second's response."""
    lead_client = clients()
    link_a = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    link_b = invite(lead_client, db, world["lead_b"], world["assessment_b"], csrf)
    person_b = clients()
    rid_b = start_answering(person_b, link_b, csrf, comment="only partner B may ever hold this")
    person_a = clients()
    rid_a = start_answering(person_a, link_a, csrf, comment="the answer in partner A")
    for path in (f"/respond/{rid_b}/welcome", f"/respond/{rid_b}/page/reflection", f"/respond/{rid_b}/review"):
        assert person_a.get(path).status_code == 404
    assert person_a.post(f"/respond/{rid_b}/answer", json={"item_id": "leadership-01", "value": "3"},
                         headers={"X-CSRF-Token": csrf}).status_code == 404
    listing = person_a.get("/respond")
    assert listing.status_code == 200 and f"/respond/{rid_b}/" not in listing.text and f"/respond/{rid_a}/" in listing.text
    # The link's session holds no seat of the account, whatever the account holds.
    for path in ("/partner", "/backbone"):
        assert person_a.get(path).headers.get("location") == "/respond"
    # Revoking A's invitation ends the session it opened at the next request.
    invitation = db.scalar(select(invitations.Invitation).where(invitations.Invitation.assessment_id == world["assessment_a"].id))
    f.sign_in(lead_client, db, world["lead_a"])
    assert lead_client.post(f"/partner/invitations/{invitation.id}/revoke", data={"csrf_token": csrf}).status_code == 303
    gone = person_a.get(f"/respond/{rid_a}/welcome")
    assert gone.status_code in (303, 401) and "the answer in partner A" not in gone.text
    # B's response is untouched by all of this.
    stored = {a.item_id: a for a in db.scalar(select(ResponseRow).where(ResponseRow.id == rid_b)).answers}
    db.expire_all()
    assert stored["leadership-01"].comment == "only partner B may ever hold this" and stored["leadership-01"].value == 1


def test_a_started_response_is_not_opened_by_the_link_alone_nor_by_a_resend(db, world, clients, csrf, settings):
    """Finding 2: the lead was shown the link (no SMTP) and presses "Send again" after the respondent has started."""
    lead_client = clients()
    link = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    respondent = clients()
    rid = start_answering(respondent, link, csrf)
    welcome = respondent.get(f"/respond/{rid}/welcome")
    code = re.search(r'<strong class="code" translate="no">([A-Z0-9]{4}-[A-Z0-9]{4})</strong>', welcome.text).group(1)

    invitation = db.scalar(select(invitations.Invitation).where(invitations.Invitation.assessment_id == world["assessment_a"].id))
    resent = lead_client.post(f"/partner/invitations/{invitation.id}/resend", data={"csrf_token": csrf})
    assert resent.status_code == 200
    (again,) = re.findall(r'value="http://[^"]+(/invite/[^"]+)"', resent.text)
    assert again == link  # the same link again: the one the respondent holds keeps working

    for holder in (lead_client, clients()):  # the lead's own browser, and a fresh one
        opened = holder.get(link)
        assert opened.status_code == 200 and 'action="' + link + '/resume"' in opened.text
        assert SECRET not in opened.text and "reassess_session" not in opened.headers.get("set-cookie", "")
        assert holder.get(f"/respond/{rid}/welcome").status_code in (303, 401, 404)
        wrong = holder.post(f"{link}/resume", data={"code": "AAAA-AAAA", "csrf_token": csrf})
        assert wrong.status_code == 422 and SECRET not in wrong.text
    # The respondent on a new device: the link and their own code.
    phone = clients()
    entered = phone.post(f"{link}/resume", data={"code": code.lower().replace("-", " "), "csrf_token": csrf})
    assert entered.status_code == 303 and entered.headers["location"].startswith(f"/respond/{rid}/")
    assert SECRET in phone.get(f"/respond/{rid}/page/domain-leadership").text


def test_guessing_a_return_code_is_slowed_per_response(db, world, clients, csrf, settings):
    lead_client = clients()
    link = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    start_answering(clients(), link, csrf)
    guesser = clients()
    statuses = [guesser.post(f"{link}/resume", data={"code": f"AAAA-{n:04d}", "csrf_token": csrf}).status_code
                for n in range(settings.link_attempts + 1)]
    assert statuses[:settings.link_attempts] == [422] * settings.link_attempts and statuses[-1] == 429


def test_a_lead_link_for_an_existing_account_signs_no_one_in(db, world, clients, csrf, settings):
    """Finding 2: backbone X's admin invites backbone Y's admin as a lead and opens the link shown on screen."""
    issued = invitations.issue(db, settings, email=world["admin_y"].email, language="en", organization=world["a"],
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=world["admin_x"].id)
    db.commit()
    link = "/invite/" + issued.token
    inviter = f.sign_in(clients(), db, world["admin_x"])
    page = inviter.get(link)
    assert page.status_code == 200 and "Sign in to accept the invitation" in page.text
    assert "reassess_session" not in page.headers.get("set-cookie", "")
    assert inviter.get("/backbone").status_code == 200 and "Links Backbone Y" not in inviter.get("/backbone").text
    stranger = clients()
    stranger.get(link)
    refused = stranger.post(f"{link}/accept", data={"password": "a guess of the password", "csrf_token": csrf})
    assert refused.status_code == 400 and "reassess_session" not in refused.headers.get("set-cookie", "")
    seats = set(db.scalars(select(Membership.organization_id).where(Membership.user_id == world["admin_y"].id)))
    assert seats == {world["y"].id}
    # The owner signs in with their own password: the seat is added to their account, and the link is used up.
    owner = clients()
    accepted = owner.post(f"{link}/accept", data={"password": f.PASSWORD, "csrf_token": csrf})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/partner"
    db.expire_all()
    seats = set(db.scalars(select(Membership.organization_id).where(Membership.user_id == world["admin_y"].id)))
    assert seats == {world["y"].id, world["a"].id}
    again = clients().get(link)
    assert again.status_code == 200 and "has been used already" in again.text


def test_a_new_leads_link_works_once(db, world, clients, csrf, settings):
    issued = invitations.issue(db, settings, email="new.lead@example.org", language="es", organization=world["b"],
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=world["admin_x"].id)
    db.commit()
    link = "/invite/" + issued.token
    first = clients()
    form = first.get(link)
    assert form.status_code == 200 and "Elija su contraseña" in form.text  # the invitation's language
    short = first.post(f"{link}/accept", data={"password": "short", "confirm": "short", "csrf_token": csrf})
    assert short.status_code == 422 and "10" in short.text
    made = first.post(f"{link}/accept", data={"password": "a long passphrase 2026", "confirm": "a long passphrase 2026", "csrf_token": csrf})
    assert made.status_code == 303 and made.headers["location"] == "/partner"
    assert first.get("/partner").status_code == 200
    second = clients()
    assert "ya se usó" in second.get(link, headers={"Accept-Language": "en"}).text  # the invitee's language, on any device
    reuse = second.post(f"{link}/accept", data={"password": "another passphrase 99", "confirm": "another passphrase 99", "csrf_token": csrf})
    assert reuse.status_code == 410 and "reassess_session" not in reuse.headers.get("set-cookie", "")


def test_invited_again_after_a_revocation_starts_afresh_and_reads_nothing_of_before(db, world, clients, csrf):
    """A respondent who lost their code is invited again: the new link opens an empty response, and what was saved
    under the revoked link is deleted, never shown to the lead who minted the new one."""
    lead_client = clients()
    link = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    rid = start_answering(clients(), link, csrf)
    invitation = db.scalar(select(invitations.Invitation).where(invitations.Invitation.assessment_id == world["assessment_a"].id))
    f.sign_in(lead_client, db, world["lead_a"])
    assert lead_client.post(f"/partner/invitations/{invitation.id}/revoke", data={"csrf_token": csrf}).status_code == 303
    again = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    assert again != link
    holder = clients()
    opened = holder.get(again)
    assert opened.status_code == 303 and opened.headers["location"] == f"/respond/{rid}/welcome"
    for path in (f"/respond/{rid}/welcome", f"/respond/{rid}/page/domain-leadership"):
        assert SECRET not in holder.get(path).text
    db.expire_all()
    assert service.answers_of(db, rid) == {} and db.get(ResponseRow, rid).role_group is None


def test_a_lead_link_never_gives_a_password_to_an_existing_account(db, catalogue, world, clients, csrf, settings):
    """An account without a password (made by a respondent's link) is not claimed by whoever holds a lead's link for its
    email: the link cannot give it a password."""
    person = f.user(db, world["a"], Role.respondent, password=None, email="quiet@example.org")
    response = service.get_or_start_response(db, world["assessment_a"], person.id, "en")
    service.save_answer(db, catalogue, response,
                        service.AnswerInput("leadership-01", value="2", comment=SECRET))
    issued = invitations.issue(db, settings, email=person.email, language="en", organization=world["b"],
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=world["admin_x"].id)
    db.commit()
    holder = clients()
    page = holder.get("/invite/" + issued.token)
    assert page.status_code == 200 and "already has an account" in page.text and "Create my account" not in page.text
    taken = holder.post(f"/invite/{issued.token}/accept", data={"password": "a brand new passphrase", "confirm": "a brand new passphrase",
                                                               "csrf_token": csrf})
    assert taken.status_code == 409 and "reassess_session" not in taken.headers.get("set-cookie", "")
    db.expire_all()
    assert db.get(type(person), person.id).password_hash is None


def test_a_resend_shows_the_link_only_to_whoever_made_the_invitation(db, world, clients, csrf):
    """Finding of an attack with the demo: a backbone admin pressing "Send again" on partners' invitations collected
    every respondent's link and email. The link goes to the invitee's address; only its inviter sees it on screen."""
    lead_client = clients()
    link = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    invitation = db.scalar(select(invitations.Invitation).where(invitations.Invitation.assessment_id == world["assessment_a"].id))
    admin = f.sign_in(clients(), db, world["admin_x"])
    resent = admin.post(f"/partner/invitations/{invitation.id}/resend", data={"csrf_token": csrf})
    assert resent.status_code == 200 and link not in resent.text and "/invite/" not in resent.text
    again = f.sign_in(lead_client, db, world["lead_a"]).post(f"/partner/invitations/{invitation.id}/resend", data={"csrf_token": csrf})
    assert link in again.text


def test_a_link_opened_first_by_someone_else_keeps_the_invitee_out_of_their_session(db, world, clients, csrf):
    """Finding of an attack with the demo: the lead opened the link before the invitee; the invitee's later opening got
    a session beside the lead's, and the lead read what the invitee then wrote. Whoever opens a link first holds it."""
    lead_client = clients()
    link = invite(lead_client, db, world["lead_a"], world["assessment_a"], csrf)
    first = clients()
    assert first.get(link).status_code == 303  # the lead, in another browser, before the invitee
    invitee = clients()
    opened = invitee.get(link)
    assert opened.status_code == 200 and f'action="{link}/resume"' in opened.text
    assert "reassess_session" not in opened.headers.get("set-cookie", "")
