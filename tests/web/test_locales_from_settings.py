"""The languages the service offers come from settings (REASSESS_LOCALES), not from lists written in the code."""

from __future__ import annotations

from app.organizations.models import Role
from tests import factories as f


def test_the_api_refuses_a_partner_language_the_service_does_not_offer_naming_the_field(client, db, settings):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    headers = f.api_token(db, admin)
    refused = client.post("/api/v1/partners", json={"name": "Lingua", "preferred_language": "fr"}, headers=headers)
    assert refused.status_code == 422 and refused.json()["detail"] == "Choose a language from the list."
    made = client.post("/api/v1/partners", json={"name": "Lingua"}, headers=headers)
    assert made.status_code == 201 and made.json()["preferred_language"] == settings.default_locale


def test_a_report_in_a_language_the_service_does_not_offer_is_a_clear_422(client, db):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    r = client.get("/api/v1/assessments/1/report.pdf?lang=fr", headers=f.api_token(db, admin))
    assert r.status_code == 422 and r.json()["detail"] == "Choose a language from the list."
