"""Sessions and tokens: Secure cookies behind HTTPS, secrets stored hashed, revocation and logout at once."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import Type
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment
from app.auth import invitations, security
from app.auth import service as auth
from app.auth.models import ApiToken, Invitation, InvitationPurpose, User
from app.main import create_app
from app.organizations.models import Role
from tests import factories as f


@pytest.fixture
def https_client(settings, engine, catalogue, app):
    secure = settings.model_copy(update={"base_url": "https://reassess.example.org"})
    https_app = create_app(secure, engine=engine, catalogue=catalogue, check_database=False)
    https_app.state.sessionmaker = app.state.sessionmaker  # the test's rolled-back transaction
    with TestClient(https_app, base_url="https://testserver", follow_redirects=False) as c:
        c.cookies.set("reassess_csrf", "test-csrf-cookie")
        yield c


def test_behind_https_every_cookie_is_secure_httponly_and_lax(https_client, db, csrf):
    f.user(db, email="ana@example.org")
    db.commit()
    https_client.cookies.clear()
    fresh = https_client.get("/login?lang=es")  # a first visit: the CSRF and language cookies are set
    https_client.cookies.set("reassess_csrf", "test-csrf-cookie")
    r = https_client.post("/login", data={"email": "ana@example.org", "password": f.PASSWORD, "csrf_token": csrf})
    assert r.status_code == 303
    cookies = [*fresh.headers.get_list("set-cookie"), *r.headers.get_list("set-cookie")]
    names = {c.split("=")[0] for c in cookies}
    assert {"reassess_session", "reassess_csrf", "reassess_lang"} <= names
    for c in cookies:
        flags = c.lower()
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, c
    assert r.headers["strict-transport-security"].startswith("max-age=")


def test_security_headers_forbid_inline_script_and_framing(client):
    headers = client.get("/login").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_passwords_are_hashed_at_argon2s_default_cost(production_hasher):
    """The suite hashes with argon2's cheapest parameters (conftest); the service's own hasher keeps argon2id at its
    library's default cost (RFC 9106's low-memory choice: 3 passes over 64 MiB), and a password it hashed is checked by
    `verify_password` whatever hasher is current."""
    p = production_hasher
    assert (p.type, p.time_cost, p.memory_cost, p.parallelism) == (Type.ID, 3, 65536, 4)
    stored = p.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert security.verify_password(stored, "correct horse battery staple")
    assert not security.verify_password(stored, "correct horse battery stable")


def test_secrets_are_stored_hashed(client, db, settings):
    user = f.user(db, email="hash@example.org")
    token = auth.create_api_token(db, user)
    backbone = f.backbone(db)
    org = f.partner(db, backbone)
    issued = invitations.issue(db, settings, email="inv@example.org", language="en", organization=org,
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=None)
    session_token = auth.start_session(db, user, 1)
    db.commit()
    assert db.get(User, user.id).password_hash.startswith("$argon2id$")
    stored = [t.token_hash for t in db.scalars(select(ApiToken))] + [i.token_hash for i in db.scalars(select(Invitation))]
    assert token not in stored and issued.token not in stored and all(len(h) == 64 for h in stored)
    assert all(session_token not in str(v) for v in db.execute(select(auth.UserSession.token_hash)).scalars())


def test_revoking_an_invitation_ends_the_respondents_session_at_once(client, db, settings, csrf):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone)
    lead = f.user(db, org, Role.partner_lead)
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Now", opens_on=today, closes_on=today + dt.timedelta(days=3),
                                 instrument=client.app.state.catalogue.get("equity-self-assessment", "1.0"), partner_ids=[org.id])
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
    issued = invitations.issue(db, settings, email="resp@example.org", language="en", organization=org,
                               purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=lead.id)
    db.commit()
    opened = client.get(f"/invite/{issued.token}")
    assert opened.status_code == 303 and "/respond/" in opened.headers["location"]
    page = opened.headers["location"]
    assert client.get(page).status_code == 200
    respondent_cookie = client.cookies.get("reassess_session")

    lead_client = TestClient(client.app, base_url="http://testserver", follow_redirects=False)
    lead_client.cookies.set("reassess_csrf", "test-csrf-cookie")
    f.sign_in(lead_client, db, lead)
    assert lead_client.post(f"/partner/invitations/{issued.invitation.id}/revoke", data={"csrf_token": csrf}).status_code == 303

    client.cookies.set("reassess_session", respondent_cookie)
    after = client.get(page)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")
    assert client.get(f"/invite/{issued.token}").status_code == 404


def test_a_revoked_api_token_is_refused_on_the_next_request(client, db):
    user = f.user(db, email="api@example.org")
    headers = f.api_token(db, user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token_id = db.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    auth.revoke_api_token(db, token_id)
    db.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
