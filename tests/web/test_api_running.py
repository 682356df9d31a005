"""The operations that run a partnership, through the API as through the pages (issue 24, item 6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.assessments.models import Assessment
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.plans.models import Action
from tests import factories as f


def test_a_partner_is_changed_archived_restored_and_its_lead_invited(client, db, world):
    admin = f.api_token(db, world["admin"])
    pid = world["b"].id
    changed = client.patch(f"/api/v1/partners/{pid}", json={"name": "Birch Youth Alliance NW", "size_band": "11-50"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["name"] == "Birch Youth Alliance NW" and changed.json()["sector"] == "nonprofit"
    taken = client.patch(f"/api/v1/partners/{pid}", json={"name": "Alder School District"}, headers=admin)
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "name"
    assert client.post(f"/api/v1/partners/{pid}/archive", headers=admin).json()["archived"] is True
    refused = client.post(f"/api/v1/partners/{pid}/invite-lead", json={"email": "new@birch.example.org"}, headers=admin)
    assert refused.status_code == 409 and "archived" in refused.json()["detail"]
    assert client.post(f"/api/v1/partners/{pid}/restore", headers=admin).json()["archived"] is False
    invited = client.post(f"/api/v1/partners/{pid}/invite-lead", json={"email": "new@birch.example.org", "language": "es"}, headers=admin)
    assert invited.status_code == 201 and invited.json()["language"] == "es" and "/invite/" in invited.json()["link"]  # no SMTP: the link
    analyst = f.api_token(db, world["analyst"])
    assert client.post(f"/api/v1/partners/{pid}/archive", headers=analyst).status_code == 403


def test_a_cycle_is_closed_reopened_and_reminded_and_its_invitations_counted(client, db, world, settings):
    admin = f.api_token(db, world["admin"])
    follow = world["follow"]
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    for address in ("uno@cedar.example.org", "dos@cedar.example.org"):
        invitations.issue(db, settings, email=address, language="en", organization=world["c"], purpose=InvitationPurpose.respond,
                          assessment_id=cedar.id, created_by_id=None)
    db.commit()
    reach = {r["partner"]["name"]: r for r in client.get(f"/api/v1/cycles/{follow.id}/reminders", headers=admin).json()}
    assert reach["Cedar Employers"]["respondents"] == 2 and "uno@cedar" not in str(reach)
    assert {r["partner"]["name"]: r["invited"] for r in client.get(f"/api/v1/cycles/{follow.id}/invitations", headers=admin).json()}[
        "Cedar Employers"] == 2
    assert client.post(f"/api/v1/cycles/{follow.id}/reminders", headers=admin).json() == {"sent": 2}
    closed = client.post(f"/api/v1/cycles/{follow.id}/close", headers=admin).json()
    assert closed["state"] == "closed" and closed["closed"] is True
    again = client.post(f"/api/v1/cycles/{follow.id}/reminders", headers=admin)
    assert again.status_code == 409
    later = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    reopened = client.post(f"/api/v1/cycles/{follow.id}/reopen", json={"closes_on": later}, headers=admin).json()
    assert reopened["state"] == "open" and reopened["closes_on"] == later
    not_closed = client.post(f"/api/v1/cycles/{follow.id}/reopen", json={}, headers={**admin, "Accept-Language": "es"})
    assert not_closed.status_code == 422 and not_closed.json()["errors"][0]["field"] == "closes_on"
    # The audit log says it all, in the caller's language, filtered and paged.
    log = client.get("/api/v1/audit?action=cycle.closed&lang=es", headers=admin).json()
    assert log and log[0]["action"] == "cycle.closed" and log[0]["action_label"] == "Ciclo cerrado"
    assert len(client.get("/api/v1/audit?limit=2", headers=admin).json()) == 2
    assert client.get("/api/v1/audit?action=nonsense", headers=admin).status_code == 422
    seats = client.get("/api/v1/people", headers=admin).json()
    assert {"backbone_admin", "partner_lead"} <= {s["role"] for s in seats} and all(s["role"] != "respondent" for s in seats)
    assert client.get("/api/v1/audit", headers=f.api_token(db, world["analyst"])).status_code == 403


def test_a_lead_changes_an_action_and_adds_a_progress_note(client, db, world):
    action = Action(organization_id=world["a"].id, title="Publish the hiring data")
    db.add(action)
    db.commit()
    lead = f.api_token(db, world["lead_a"])
    changed = client.patch(f"/api/v1/actions/{action.id}", json={"title": "Publish the hiring data each term", "status": "in_progress"},
                           headers=lead)
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    noted = client.post(f"/api/v1/actions/{action.id}/notes", json={"body": "Shared with the board.", "noted_on": "2026-11-30"}, headers=lead)
    assert noted.status_code == 201
    other = f.api_token(db, world["lead_b"])
    assert client.patch(f"/api/v1/actions/{action.id}", json={"title": "x"}, headers=other).status_code == 404


def test_staff_are_invited_and_seats_taken_away_but_never_ones_own(client, db, world):
    admin = f.api_token(db, world["admin"])
    invited = client.post("/api/v1/people/invite", json={"email": "colleague@backbone.example.org", "role": "backbone_analyst", "language": "es"},
                          headers=admin)
    assert invited.status_code == 201 and invited.json()["language"] == "es" and invited.json()["link"]
    seats = {s["email"]: s for s in client.get("/api/v1/people?limit=500", headers=admin).json()}
    own = seats[world["admin"].email]["seat_id"]
    mine = client.delete(f"/api/v1/people/seats/{own}", headers=admin)
    assert mine.status_code == 403 and "own seat" in mine.json()["detail"]
    lead_seat = seats[world["lead_b"].email]["seat_id"]
    assert client.delete(f"/api/v1/people/seats/{lead_seat}", headers=admin).status_code == 204
    assert world["lead_b"].email not in {s["email"] for s in client.get("/api/v1/people?limit=500", headers=admin).json()}
