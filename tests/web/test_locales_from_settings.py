"""The languages the service offers come from settings (REASSESS_LOCALES), not from lists written in the code."""

from __future__ import annotations

import subprocess
import sys

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


def test_the_command_line_takes_its_languages_from_settings(tmp_path):
    env = {"REASSESS_VAR_DIR": str(tmp_path), "REASSESS_LOCALES": "en", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "app.cli", "user", "create", "--email", "x@example.org", "--role", "backbone_admin",
                          "--org", "B", "--lang", "es", "--no-password"], capture_output=True, text=True, env=env)
    assert out.returncode != 0 and "--lang es: not one of REASSESS_LOCALES (en)" in out.stderr
