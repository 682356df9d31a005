"""The audit log: what is recorded, who may read it, and its CSV export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from app.audit import AuditEvent
from app.organizations.models import Role
from tests import factories as f


def test_admin_sees_who_did_what_newest_first_and_downloads_it(client, db, world, csrf):
    admin = world["admin"]
    admin.name = "<b>Ada</b> Admin"
    db.commit()
    f.sign_in(client, db, admin)
    # Acting leaves a trace: an edit, an export and a report download.
    a = world["a"]
    assert client.post(f"/backbone/partners/{a.id}", data={"name": "Alder Schools", "sector": a.sector, "size_band": a.size_band,
                                                            "preferred_language": "en", "csrf_token": csrf}).status_code == 303
    assert client.get(f"/backbone/cycles/{world['follow'].id}/export/results.csv").status_code == 200
    assert client.get(f"/assessments/{world['fa'].id}/report.pdf").status_code == 200

    page = client.get("/backbone/audit")
    assert page.status_code == 200
    text = page.text.split("<tbody>")[1]  # the rows, not the filter's options
    for label in ("Partner changed", "Data exported", "Report downloaded", "Assessment submitted", "Cycle closed", "Cycle opened"):
        assert label in text, label
    assert text.index("Report downloaded") < text.index("Data exported") < text.index("Partner changed")  # newest first
    assert "&lt;b&gt;Ada&lt;/b&gt; Admin" in text and "<b>Ada</b>" not in text  # names are shown escaped

    only = client.get("/backbone/audit?action=report.downloaded").text.split("<tbody>")[1]
    assert "Report downloaded" in only and "Partner changed" not in only

    es = client.get("/backbone/audit?lang=es").text
    assert "Registro de auditoría" in es and "Informe descargado" in es

    export = client.get("/backbone/audit.csv?lang=en")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    actions = [r["Action id"] for r in rows]
    assert actions[:3] == ["report.downloaded", "cycle.exported", "organization.updated"]
    edited = rows[2]
    assert edited["Who"].startswith("<b>Ada</b> Admin <") and "Alder Schools" in edited["Organization"]
    # The download itself is recorded too.
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported")) is not None


def test_the_log_is_for_backbone_admins_of_that_backbone_only(client, db, world):
    f.sign_in(client, db, world["analyst"])
    assert client.get("/backbone/audit").status_code == 403
    assert client.get("/backbone/audit.csv").status_code == 403
    f.sign_in(client, db, world["lead_a"])
    assert client.get("/backbone/audit").status_code == 404
    other = f.backbone(db, "Another Backbone")
    stranger = f.user(db, other, Role.backbone_admin)
    f.sign_in(client, db, stranger)
    page = client.get("/backbone/audit")
    assert page.status_code == 200 and "Nothing recorded yet." in page.text and "Alder" not in page.text


def test_submissions_are_logged_without_the_respondents_pseudonym(db, world):
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "response.submitted")).all()
    assert events and all(e.object_type == "assessment" for e in events)


def test_sign_ins_tokens_and_filters_a_data_protection_officer_asks_for(client, db, world, csrf, settings, new_client):
    from app.auth import service as auth

    lead = world["lead_a"]
    # A lead signs in; someone fails with the lead's address; a respondent's own sign-in is never recorded.
    browser = new_client()
    assert browser.post("/login", data={"email": lead.email, "password": f.PASSWORD, "csrf_token": csrf}).status_code == 303
    assert browser.post("/login", data={"email": lead.email, "password": "wrong one", "csrf_token": csrf}).status_code == 400
    respondent = f.user(db, world["a"], Role.respondent, email="answers@alder.example.org")
    db.commit()
    assert new_client().post("/login", data={"email": respondent.email, "password": f.PASSWORD, "csrf_token": csrf}).status_code == 303
    token = auth.create_api_token(db, world["analyst"], name="BI tool")
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "token.created"))
    auth.revoke_api_token(db, int(row.object_id))
    db.commit()
    assert token.startswith("rsk_")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.in_(["auth.signed_in", "auth.sign_in_failed"]))).all()
    assert sorted((e.action, e.actor_id, e.details["channel"]) for e in events) == [
        ("auth.sign_in_failed", lead.id, "web"), ("auth.signed_in", lead.id, "web")]
    assert all(e.details["address"] for e in events) and not any(e.actor_id == respondent.id for e in db.scalars(select(AuditEvent)))
    # The admin filters by a person, an organization and a month, reads it in the partnership's time zone, and exports
    # what the page shows.
    f.sign_in(client, db, world["admin"])
    assert client.get(f"/backbone/cycles/{world['follow'].id}/export/results.csv").status_code == 200
    page = client.get(f"/backbone/audit?lang=en&who={lead.email}&org={world['a'].id}").text
    rows = page.split("<tbody>")[1]
    assert "Signed in" in rows and "Failed sign-in" in rows and "Data exported" not in rows
    assert f"When ({settings.time_zone})" in page
    exported = client.get("/backbone/audit?lang=en&action=cycle.exported").text.split("<tbody>")[1]
    assert "Data exported: Follow-up" in exported and "Results by partner and domain" in exported  # the cycle named, the kind in words
    assert "Datos exportados: Follow-up" in client.get("/backbone/audit?lang=es&action=cycle.exported").text
    tokens = client.get(f"/backbone/audit?lang=en&org={world['backbone'].id}").text.split("<tbody>")[1]
    assert "API token created" in tokens and "API token revoked" in tokens and "BI tool" in tokens
    from app import clock

    today = clock.today()
    assert "Signed in" in client.get(f"/backbone/audit?lang=en&since={today.isoformat()}&until={today.isoformat()}").text
    old = client.get("/backbone/audit?lang=en&since=2001-01-01&until=2001-01-31").text
    assert "Nothing recorded matches these filters." in old
    bad = client.get("/backbone/audit?lang=es&since=yesterday").text
    assert "Escriba una fecha como 2026-09-30." in bad and 'value="yesterday"' in bad  # what was typed stays, with why
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/backbone/audit.csv?lang=en&who={lead.email}").content.decode("utf-8-sig"))))
    assert {r[2] for r in csv_rows[1:]} == {"auth.signed_in", "auth.sign_in_failed", "assessment.submitted"}  # the lead's events only


def test_reads_of_raw_answers_and_exports_are_logged_with_their_channel_and_address(client, db, world):
    analyst = world["analyst"]
    headers = f.api_token(db, analyst)
    assert client.get(f"/api/v1/cycles/{world['follow'].id}/export/answers?format=csv", headers=headers).status_code == 200
    assert client.get(f"/api/v1/assessments/{world['fa'].id}/answers", headers=headers).status_code == 200
    f.sign_in(client, db, analyst)
    assert client.get(f"/backbone/cycles/{world['follow'].id}/export/answers.csv").status_code == 200
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action.in_(["cycle.exported", "answers.read"])).order_by(AuditEvent.id)).all()
    assert [(e.action, e.details["channel"], e.actor_id) for e in rows] == [
        ("cycle.exported", "api", analyst.id), ("answers.read", "api", analyst.id), ("cycle.exported", "web", analyst.id)]
    assert all(e.details.get("address") for e in rows) and rows[1].details["rows"] > 0
    f.sign_in(client, db, world["admin"])
    log = client.get("/backbone/audit?lang=en").text.split("<tbody>")[1]
    assert "Answers read" in log and "Channel: API" in log and "Channel: web" in log


def test_a_recorded_detail_reads_in_words():
    from app import i18n
    from app.audit import detail_value

    with i18n.locale("es"):
        assert detail_value("names", {"es": "Seguimiento 2027"}) == "Español: Seguimiento 2027"
        assert detail_value("kind", "results") == "Resultados por organización y área"
        assert detail_value("scheduled", True) == "sí" and detail_value("language", "en") == "English"
