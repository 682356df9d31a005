"""A cycle's export as a file: the sheet built for the reader's language, recorded in the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import audit
from app.assessments.models import Cycle
from app.exports import formats
from app.exports.sheets import audit_sheet, build
from app.instruments.loader import Catalogue
from app.organizations.models import Organization


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    name: str
    media_type: str


def filename(cycle: Cycle, kind: str, fmt: str) -> str:
    return f"{formats.file_stem(cycle.name, f'cycle-{cycle.id}')}-{kind}.{fmt}"


def export_file(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, fmt: str, lang: str, min_group_size: int,
                actor_id: int | None, *, channel: str = "web", address: str = "") -> ExportFile:
    """The export (CSV, XLSX or JSON), recorded in the audit log (with the channel, web or API, and the address it went
    to) and committed."""
    sheet = build(db, catalogue, cycle, kind, lang, min_group_size)
    audit.record(db, actor_id, "cycle.exported", "cycle", cycle.id, cycle.backbone_id, kind=kind, format=fmt, channel=channel,
                 **({"address": address} if address else {}))
    db.commit()
    content = formats.encode(sheet, fmt, {"cycle": {"id": cycle.id, "name": cycle.name}, "kind": kind})
    return ExportFile(content, filename(cycle, kind, fmt), formats.MEDIA_TYPES[fmt])


def audit_log_file(db: Session, backbone: Organization, filters: audit.Filters, actor_id: int | None) -> ExportFile:
    """The backbone's audit log as CSV, as filtered on its page; exporting it is recorded too."""
    labels = audit.labels()
    entries = audit.backbone_events(db, backbone.id, limit=None, filters=filters)
    sheet = audit_sheet(entries, labels)
    audit.record(db, actor_id, "audit.exported", "organization", backbone.id, backbone.id)
    db.commit()
    return ExportFile(formats.to_csv(sheet), f"{formats.file_stem(backbone.name, 'backbone')}-audit-log.csv", formats.CSV)
