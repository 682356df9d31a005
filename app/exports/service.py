"""A cycle's exports: results per partner and domain, per partner and item, and the raw answers.

Each export is a ``Sheet`` (localized headers, typed values) written as CSV or XLSX. Numbers stay
numbers in XLSX; every text cell that a spreadsheet would read as a formula (=, +, -, @, tab,
carriage return first) is neutralised with a leading apostrophe, in both formats. The scores are
the stored ones: "Score" is the whole number every page shows, "Exact score" the full precision.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from fastapi.responses import Response as HttpResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, i18n
from app.assessments import disclosure
from app.assessments.models import Answer, Assessment, Cycle, Result
from app.assessments.service import counted_responses, instrument_of
from app.auth.models import User
from app.config import Settings
from app.dashboard.service import comparison_table
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.labels import sector_label, size_label
from app.organizations.models import Organization
from app.scoring import shown
from app.text import clean_text

KINDS = ("results", "items", "answers")
FORMATS = ("csv", "xlsx", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    title: str
    keys: list[str]  # stable column ids (the JSON export's field names)
    headers: list[str]  # the same columns in the reader's language
    rows: list[list[Any]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.keys, row, strict=True)) for row in self.rows]


def _sheet(title: str, columns: Sequence[tuple[str, str]], rows: list[list[Any]]) -> Sheet:
    return Sheet(title, [k for k, _h in columns], [h for _k, h in columns], rows)


def results_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """One row per partner and domain (and one for the overall score), with the change since the baseline."""
    table = comparison_table(db, catalogue, cycle, lang)
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("sector", _("Sector")), ("size_band", _("Size")),
               ("cycle", _("Cycle")), ("responses", _("Responses")), ("domain_id", _("Domain id")), ("domain", _("Domain")),
               ("score", _("Score")), ("exact_score", _("Exact score")), ("level", _("Readiness level")),
               ("policy_score", _("Policy score")), ("practice_score", _("Practice score")),
               ("baseline_score", _("Baseline score")), ("change", _("Change since baseline")), ("level_change", _("Level change"))]
    rows = []
    for r in table.rows:
        org = r.organization
        head = [org.id, org.name, sector_label(org.sector), size_label(org.size_band), cycle.name, r.n_responses]
        for domain_id, title, c in [("overall", _("Overall"), r.overall), *((d.id, d.title, r.cells[d.id]) for d in table.domains)]:
            rows.append([*head, domain_id, title, c.shown, _round(c.score), c.level.name if c.level else None,
                         shown(c.policy_score), shown(c.practice_score), c.baseline_shown, c.change, c.level_move])
    return _sheet(_("Results by domain"), columns, rows)


def items_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """One row per partner and rated item: score, answers counted, spread, don't-know share."""
    instrument = instrument_of(catalogue, cycle)
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("domain_id", _("Domain id")), ("item_id", _("Item id")),
               ("item", _("Question")), ("focus", _("Policy or practice")), ("score", _("Score")), ("exact_score", _("Exact score")),
               ("answers", _("Answers with a score")), ("spread", _("Spread")), ("dont_know_share", _("Share answering don't know"))]
    focus = {"policy": _("Policy"), "practice": _("Practice")}
    pairs = db.execute(select(Assessment.id, Organization).join(Organization, Organization.id == Assessment.organization_id)
                       .where(Assessment.cycle_id == cycle.id).order_by(Organization.name)).all()
    data = dict(db.execute(select(Result.assessment_id, Result.data).where(
        Result.assessment_id.in_([a for a, _o in pairs]), Result.is_current.is_(True))).all()) if pairs else {}
    rows = []
    for aid, org in pairs:
        for d in (data.get(aid) or {}).get("domains", []):
            for i in d.get("items", []):
                item = instrument.item(i["id"])
                rows.append([org.id, org.name, d["id"], i["id"], item.text.get(lang), focus.get(item.focus.value if item.focus else ""),
                             i.get("shown"), _round(i.get("score")), i.get("n", 0), _round(i.get("spread")), _round(i.get("dont_know_share"), 3)])
    return _sheet(_("Results by question"), columns, rows)


def answers_sheet(db: Session, cycle: Cycle, min_group_size: int) -> Sheet:
    """One row per response and item, of the responses each submitted assessment's result counts: under a code that is
    new in every export (anonymous cycle) or the respondent's email (named cycle), in a random order, with the group
    fields that no fewer than the minimum share (app.assessments.disclosure). A few queries, whatever the partners."""
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("respondent", _("Respondent")),
               ("role_group", _("Role group")), ("race_ethnicity", _("Race or ethnicity")), ("language", _("Language")),
               ("item_id", _("Item id")), ("value", _("Value")), ("special", _("Special answer")), ("choices", _("Choices")),
               ("text", _("Text answer")), ("comment", _("Comment"))]
    pairs = db.execute(select(Assessment.id, Organization.id, Organization.name).join(Organization, Organization.id == Assessment.organization_id)
                       .where(Assessment.cycle_id == cycle.id).order_by(Organization.name)).all()
    by_assessment = answer_rows(db, [aid for aid, _o, _n in pairs], "named" if not cycle.anonymous else "pseudonymous", min_group_size)
    rows = []
    for aid, org_id, org_name in pairs:
        for a in by_assessment[aid]:
            rows.append([org_id, org_name, a["respondent"], a["role_group"], "; ".join(a["race_ethnicity"] or []) or None, a["language"],
                         a["item_id"], a["value"], a["special"], "; ".join(a["choices"] or []) or None, a["text"], a["comment"]])
    return _sheet(_("Answers"), columns, rows)


AnswersView = Literal["named", "pseudonymous", "combined"]


def submitted_answers(db: Session, assessment: Assessment, view: AnswersView, min_group_size: int) -> list[dict[str, Any]]:
    """Rows of the answers that the assessment's current result counts, as exports and the API give them (answer_rows)."""
    return answer_rows(db, [assessment.id], view, min_group_size)[assessment.id]


def answer_rows(db: Session, assessment_ids: list[int], view: AnswersView, min_group_size: int) -> dict[int, list[dict[str, Any]]]:
    """Per assessment, rows of the answers its current result counts; none before the organization has submitted
    (nothing of a response leaves the server while people are still answering).

    ``view`` (app.access.answers_view): 'named', a named cycle: the respondent's email and group fields, as the welcome
    page told them. 'pseudonymous', the backbone in an anonymous cycle: per response a code new in this call, responses
    in a random order, the group fields that disclosure.released_fields allows within the organization. 'combined', the
    organization itself in an anonymous cycle: no respondent, no group field, each item's answers in a random order, so
    that no two rows can be tied to one person.
    """
    counted = counted_responses(db, assessment_ids)
    everyone = [r for responses in counted.values() for r in responses]
    answers: dict[int, list[Answer]] = {r.id: [] for r in everyone}
    if everyone:
        for a in db.scalars(select(Answer).where(Answer.response_id.in_(list(answers))).order_by(Answer.item_id)):
            answers[a.response_id].append(a)
    emails = dict(db.execute(select(User.id, User.email).where(User.id.in_({r.user_id for r in everyone}))).all()) if everyone and view == "named" else {}
    codes = iter(disclosure.fresh_pseudonyms(len(everyone))) if view == "pseudonymous" else iter(())
    shown = _shown_groups(db, [a for a, rs in counted.items() if rs]) if view == "pseudonymous" else {}
    history = _computed_at(db, [a for a, rs in counted.items() if rs]) if view == "pseudonymous" else {}
    out: dict[int, list[dict[str, Any]]] = {}
    for aid, responses in counted.items():
        profiles = {r.id: disclosure.Profile(r.role_group, tuple(r.race_ethnicity or ()), r.language) for r in responses}
        released: tuple[str, ...] | None = ()
        if view == "named":
            keys, released = {r.id: emails.get(r.user_id) for r in responses}, disclosure.FIELDS
        elif view == "pseudonymous":
            # What the result's group figures reveal counts as released: rows tied together could be matched to them.
            groups = shown.get(aid, {})
            batch = _batches(responses, history.get(aid, []))
            profiles = {k: disclosure.coarsened(dataclasses.replace(p, batch=batch[k]), groups) for k, p in profiles.items()}
            required = [kind for kind, ids in groups.items() if ids] + (["batch"] if any(batch.values()) else [])
            released = disclosure.released_fields(list(profiles.values()), min_group_size, required)
            responses = disclosure.shuffled(responses)
            keys = {r.id: next(codes) if released is not None else None for r in responses}
        else:
            keys = {r.id: None for r in responses}
        tied = released is not None and view != "combined"
        released = released or ()
        rows = []
        for r in responses:
            p = profiles[r.id]
            for a in answers[r.id]:
                rows.append({
                    "respondent": keys[r.id],
                    "role_group": p.role_group if "role_group" in released else None,
                    "race_ethnicity": (list(p.race_ethnicity) or None) if "race_ethnicity" in released else None,
                    "language": p.language if "language" in released else None,
                    "item_id": a.item_id,
                    "value": a.value,
                    "special": a.special.value if a.special else None,
                    "choices": a.choices,
                    "text": a.text,
                    "comment": a.comment,
                })
        # Rows not tied to one another (the organization's own view, or rows whose ties would single someone out): each
        # item's answers in a random order.
        out[aid] = rows if tied else sorted(disclosure.shuffled(rows), key=lambda x: x["item_id"])
    return out


def _computed_at(db: Session, assessment_ids: list[int]) -> dict[int, list[dt.datetime]]:
    """Per assessment, when each of its results was computed, oldest first."""
    out: dict[int, list[dt.datetime]] = {}
    for aid, at in db.execute(select(Result.assessment_id, Result.computed_at).where(Result.assessment_id.in_(assessment_ids))
                              .order_by(Result.computed_at)):
        out.setdefault(aid, []).append(at)
    return out


def _batches(responses: list[Any], computed: list[dt.datetime]) -> dict[int, int]:
    """Per response, which result first counted it: the number of results computed before it was submitted (a
    recomputation adds a result but no response: only results that came with new responses count)."""
    firsts = [at for n, at in enumerate(computed) if n == 0 or any(computed[n - 1] < r.submitted_at <= at for r in responses)]
    return {r.id: sum(1 for at in firsts if at < r.submitted_at) for r in responses}


def _shown_groups(db: Session, assessment_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Per assessment, the groups its current result shows, per kind."""
    if not assessment_ids:
        return {}
    rows = db.execute(select(Result.assessment_id, Result.data).where(Result.assessment_id.in_(assessment_ids), Result.is_current.is_(True)))
    return {aid: {kind: list(ids) for kind, ids in ((data or {}).get("groups") or {}).items()} for aid, data in rows}


def build(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, lang: str, min_group_size: int) -> Sheet:
    if kind == "results":
        return results_sheet(db, catalogue, cycle, lang)
    if kind == "items":
        return items_sheet(db, catalogue, cycle, lang)
    return answers_sheet(db, cycle, min_group_size)


def audit_sheet(entries: Sequence[audit.Entry], labels: dict[str, str]) -> Sheet:
    """The audit log as a sheet: one row per event (``labels``: audit.labels()), details as JSON text."""
    columns = [("at", _("When (UTC)")), ("actor", _("Who")), ("action_id", _("Action id")), ("action", _("What")),
               ("organization", _("Organization")), ("object_type", _("Object")), ("object_id", _("Object id")), ("details", _("Details"))]
    rows = [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, labels.get(e.action, e.action), e.organization, e.object_type,
             e.object_id, json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""] for e in entries]
    return _sheet(_("Audit log"), columns, rows)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


# -- writing -----------------------------------------------------------------------------------

def safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe, and loses the control characters
    a spreadsheet cannot hold (older rows may have them); other values pass."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(FORMULA_START) or _formula_after_invisibles(value):
            return "'" + value
    return value


def _formula_after_invisibles(value: str) -> bool:
    """A formula a spreadsheet still finds: after leading spaces and invisible format characters (zero-width space,
    byte-order mark: Unicode category Cf), or behind a full-width sign (＝ ＋ － ＠, which NFKC makes = + - @)."""
    for ch in value:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        return unicodedata.normalize("NFKC", ch).startswith(FORMULA_START)
    return False


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow(["" if v is None else safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Iterable[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.freeze_panes = "A2"
        header = []
        for h in sheet.headers:
            cell = WriteOnlyCell(ws, value=safe(h))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_stem(name: str, fallback: str) -> str:
    """A download's file name part: ASCII letters and digits joined by hyphens ("Educación 2026" -> "educacion-2026")."""
    import re
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60] or fallback


def filename(cycle: Cycle, kind: str, fmt: str) -> str:
    return f"{file_stem(cycle.name, f'cycle-{cycle.id}')}-{kind}.{fmt}"


# -- delivery ----------------------------------------------------------------------------------

def export_response(db: Session, catalogue: Catalogue, settings: Settings, cycle: Cycle, kind: str, fmt: str, actor_id: int | None) -> HttpResponse:
    """The export as a download (CSV, XLSX or JSON), recorded in the audit log."""
    sheet = build(db, catalogue, cycle, kind, i18n.get_locale(), settings.min_group_size)
    audit.record(db, actor_id, "cycle.exported", "cycle", cycle.id, cycle.backbone_id, kind=kind, format=fmt)
    db.commit()
    name = filename(cycle, kind, fmt)
    if fmt == "csv":
        return attachment(to_csv(sheet), name, CSV)
    if fmt == "xlsx":
        return attachment(to_xlsx([sheet]), name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return attachment(json.dumps({"cycle": {"id": cycle.id, "name": cycle.name}, "kind": kind, "columns": dict(zip(sheet.keys, sheet.headers, strict=True)),
                                  "rows": sheet.records()}, ensure_ascii=False, default=str).encode(), name, "application/json")


CSV = "text/csv; charset=utf-8"


def attachment(content: bytes, name: str, media_type: str) -> HttpResponse:
    """A download that is never cached."""
    return HttpResponse(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                                 "Cache-Control": "no-store"})
