"""One-line fields (a partner's name, contact name and email) refuse line breaks and other control characters with a
message in the user's language, and change nothing; mail headers never carry one, whatever is stored."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import func, select

from app.mail import send
from app.organizations.models import Organization, Role
from app.web.middleware import LANG_COOKIE
from tests import factories as f

ONE_LINE_ES = "Escríbalo en una sola línea, sin saltos de línea, tabulaciones ni otros caracteres de control."
FORM = {"sector": "health", "size_band": "51-200", "preferred_language": "es"}


@pytest.fixture
def admin(client, db):
    backbone = f.backbone(db, "Single-line Backbone")
    user = f.user(db, backbone, Role.backbone_admin)
    partner = f.partner(db, backbone, "Elm Clinic", contact_name="Ana", contact_email="ana@elm.example.org")
    db.commit()
    f.sign_in(client, db, user)
    client.cookies.set(LANG_COOKIE, "es")
    return {"user": user, "partner": partner}


def organizations(db) -> int:
    return db.scalar(select(func.count()).select_from(Organization))


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Dogwood\r\nBcc: everyone@example.org"), ("name", "Dogwood\nClinic"), ("name", "Dogwood\tClinic"),
    ("name", "Dogwood\u0085Clinic"), ("name", "Dogwood\u2028Clinic"), ("contact_name", "Ana\r\nTo: x@example.org"),
    ("contact_email", "ana@dogwood.example.org\r\nBcc: x@example.org"),
])
def test_creating_a_partner_with_a_control_character_is_refused_in_spanish(client, db, csrf, admin, field, value):
    before = organizations(db)
    r = client.post("/backbone/partners", data={"name": "Dogwood Clinic", **FORM, field: value, "csrf_token": csrf})
    assert r.status_code == 422 and ONE_LINE_ES in r.text and 'lang="es"' in r.text
    assert organizations(db) == before


def test_editing_a_partner_with_a_control_character_is_refused_and_changes_nothing(client, db, csrf, admin):
    org = admin["partner"]
    r = client.post(f"/backbone/partners/{org.id}", data={"name": "Elm\r\nClinic", **FORM, "contact_name": "Ana",
                                                          "contact_email": "ana@elm.example.org", "csrf_token": csrf})
    assert r.status_code == 422 and ONE_LINE_ES in r.text
    db.expire_all()
    assert db.get(Organization, org.id).name == "Elm Clinic"
    ok = client.post(f"/backbone/partners/{org.id}", data={"name": "  Elm Clinic East  ", **FORM, "csrf_token": csrf})
    assert ok.status_code == 303  # spaces around a name are trimmed, not refused


@pytest.mark.parametrize("body", [{"name": "Dogwood\r\nClinic"}, {"name": "Dogwood\x00Clinic"}, {"name": "Dogwood", "contact_name": "A\tB"}])
def test_the_api_refuses_a_control_character_in_spanish(client, db, admin, body):
    before = organizations(db)
    r = client.post("/api/v1/partners", json=body, headers={**f.api_token(db, admin["user"]), "accept-language": "es"})
    assert r.status_code == 422 and r.json()["detail"] == ONE_LINE_ES
    assert organizations(db) == before


def test_mail_headers_never_carry_a_line_break(settings):
    path = send(settings, "lead@example.org\r\nBcc: x@example.org", "Invitation to Elm\r\nBcc: everyone@example.org\x00", "text", "<p>html</p>")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Invitation to Elm Bcc: everyone@example.org"
    assert message["Bcc"] is None and message.get_all("Subject") == [message["Subject"]]
