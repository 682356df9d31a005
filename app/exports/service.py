"""A cycle's export as a file: the sheet built for the reader's language, recorded in the audit log."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import audit, i18n
from app.assessments.models import Cycle
from app.exports import formats
from app.exports.composition import composition_sheet, dictionary_rows
from app.exports.sheets import Options, Sheet, audit_sheet, build
from app.instruments.loader import Catalogue
from app.organizations.models import Organization


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    name: str
    media_type: str


@dataclass(frozen=True)
class ExportStream:
    chunks: Iterator[bytes]
    name: str
    media_type: str


def _build(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, lang: str, min_group_size: int, opts: Options) -> Sheet:
    if kind == "composition":
        return composition_sheet(db, catalogue, cycle, lang, min_group_size, opts)
    sheet = build(db, catalogue, cycle, kind, lang, min_group_size, opts)
    if kind == "dictionary":  # the composition export's coded fields too
        sheet = dataclasses.replace(sheet, rows=[*sheet.rows, *dictionary_rows(catalogue, cycle, sheet.keys, min_group_size)])
    return sheet


def filename(cycle: Cycle, kind: str, fmt: str, opts: Options | None = None) -> str:
    shape = "-wide" if kind == "answers" and opts is not None and opts.shape == "wide" else ""
    return f"{formats.file_stem(cycle.name, f'cycle-{cycle.id}')}-{kind}{shape}.{fmt}"


def _record(db: Session, cycle: Cycle, kind: str, fmt: str, opts: Options, actor_id: int | None, channel: str, address: str) -> None:
    asked = {k: v for k, v in opts.query().items() if k != "shape" or kind == "answers"}
    audit.record(db, actor_id, "cycle.exported", "cycle", cycle.id, cycle.backbone_id, kind=kind, format=fmt, channel=channel,
                 **asked, **({"address": address} if address else {}))
    db.commit()


def _head(cycle: Cycle, kind: str, opts: Options) -> dict[str, object]:
    return {"cycle": {"id": cycle.id, "name": cycle.name}, "kind": kind, **({"shape": opts.shape} if kind == "answers" else {}),
            "filters": {k: v for k, v in (("sector", opts.sector), ("size_band", opts.size)) if v}}


def export_file(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, fmt: str, lang: str, min_group_size: int,
                actor_id: int | None, *, channel: str = "web", address: str = "", opts: Options | None = None) -> ExportFile:
    """The export (CSV, XLSX or JSON) in memory, recorded in the audit log (with the channel, web or API, the address it
    went to and what was asked) and committed."""
    opts = opts or Options()
    sheet = _build(db, catalogue, cycle, kind, lang, min_group_size, opts)
    _record(db, cycle, kind, fmt, opts, actor_id, channel, address)
    content = formats.encode(sheet, fmt, _head(cycle, kind, opts), opts.values, opts.headers)
    return ExportFile(content, filename(cycle, kind, fmt, opts), formats.MEDIA_TYPES[fmt])


def export_stream(db: Session, sessions: Callable[[], Session], catalogue: Catalogue, cycle: Cycle, kind: str, fmt: str, lang: str,
                  min_group_size: int, actor_id: int | None, *, channel: str = "web", address: str = "",
                  opts: Options | None = None) -> ExportStream:
    """The export as pieces written while the response goes out (constant memory, whatever the partners), recorded in
    the audit log first. The pieces are read in a session of their own (``sessions``), closed at the end; the sheet's
    words are chosen here, in the reader's language."""
    opts = opts or Options()
    _record(db, cycle, kind, fmt, opts, actor_id, channel, address)
    head = _head(cycle, kind, opts)
    name = filename(cycle, kind, fmt, opts)
    session = sessions()
    try:
        with i18n.locale(lang):
            sheet = _build(session, catalogue, session.get(Cycle, cycle.id), kind, lang, min_group_size, opts)  # type: ignore[arg-type]
    except BaseException:
        session.close()
        raise

    def pieces() -> Iterator[bytes]:
        try:
            yield from formats.chunks(sheet, fmt, head, opts.values, opts.headers)
        finally:
            session.close()
    return ExportStream(pieces(), name, formats.MEDIA_TYPES[fmt])


def audit_log_file(db: Session, backbone: Organization, filters: audit.Filters, actor_id: int | None) -> ExportFile:
    """The backbone's audit log as CSV, as filtered on its page; exporting it is recorded too."""
    labels = audit.labels()
    entries = audit.backbone_events(db, backbone.id, limit=None, filters=filters)
    sheet = audit_sheet(entries, labels)
    audit.record(db, actor_id, "audit.exported", "organization", backbone.id, backbone.id)
    db.commit()
    return ExportFile(formats.to_csv(sheet), f"{formats.file_stem(backbone.name, 'backbone')}-audit-log.csv", formats.CSV)
