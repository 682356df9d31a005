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
