"""A cycle's exports as sheets: results per partner and domain, per partner and item, the raw answers, the audit log.

Each ``Sheet`` has stable column ids (the JSON export's field names), headers in the reader's language and typed
values; app.exports.formats writes it. The scores are the stored ones: "Score" is the whole number every page shows,
"Exact score" the full precision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.assessments.models import Assessment, Cycle, Result
from app.assessments.service import instrument_of
from app.dashboard.comparison import comparison_table
from app.exports.answers import answer_rows
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.labels import sector_label, size_label
from app.organizations.models import Organization
from app.plans.checkins import standings
from app.plans.models import Action
from app.plans.service import status_labels
from app.plans.targets import overview
from app.scoring import shown

KINDS = ("results", "items", "answers", "actions", "check_ins", "targets")
ExportKind = Literal["results", "items", "answers", "actions", "check_ins", "targets"]


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
        head = [org.id, org.name, sector_label(org.sector), size_label(org.size_band), cycle.name_in(lang), r.n_responses]
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


def actions_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """The action plans of the cycle's partners: one row per action (a plan spans cycles: every action of the partner)."""
    instrument = instrument_of(catalogue, cycle)
    titles = {d.id: d.title.get(lang) for d in instrument.domains}
    labels = status_labels()
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("action_id", _("Action id")), ("title", _("Action")),
               ("domain_id", _("Domain id")), ("domain", _("Domain")), ("items", _("Questions")), ("owner", _("Owner")),
               ("starts_on", _("Starts on")), ("due_on", _("Due on")), ("measure", _("Measure of success")), ("status_id", _("Status id")),
               ("status", _("Status")), ("dropped_reason", _("Why it was dropped")), ("source", _("Started from")),
               ("planned_in_cycle_id", _("Planned in cycle id")), ("notes", _("Progress notes")), ("updated_at", _("Last changed (UTC)"))]
    rows = []
    for action, org in db.execute(select(Action, Organization).join(Organization, Organization.id == Action.organization_id)
                                  .join(Assessment, Assessment.organization_id == Organization.id)
                                  .where(Assessment.cycle_id == cycle.id).order_by(Organization.name, Action.id)):
        rows.append([org.id, org.name, action.id, action.title, action.domain_id, titles.get(action.domain_id or ""),
                     "; ".join(action.item_ids or []) or None,
                     action.owner or None, action.starts_on, action.due_on, action.measure or None, action.status.value, labels[action.status.value],
                     action.dropped_reason or None, action.source.value, action.cycle_id, len(action.notes),
                     action.updated_at.strftime("%Y-%m-%d %H:%M:%S")])
    return _sheet(_("Action plans"), columns, rows)


def check_ins_sheet(db: Session, cycle: Cycle) -> Sheet:
    """Per partner and check-in: whether the partner updated its plan in that check-in's window."""
    dates, partners = standings(db, cycle)
    columns = [("partner_id", _("Partner id")), ("partner", _("Partner")), ("check_in", _("Check-in")), ("updated", _("Plan updated")),
               ("open_actions", _("Open actions")), ("plan_last_changed", _("Plan last changed"))]
    rows = [[r.organization.id, r.organization.name, c.due_on, r.updated[c.id], r.open_actions, r.last_update] for r in partners for c in dates]
    return _sheet(_("Check-ins"), columns, rows)


def targets_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str) -> Sheet:
    """The partnership's targets and its figure for each in every cycle."""
    columns = [("target_id", _("Target id")), ("target", _("Target")), ("goal", _("Goal")), ("kind", _("Kind")), ("domain_id", _("Domain id")),
               ("due_on", _("By")), ("cycle_id", _("Cycle id")), ("cycle", _("Cycle")), ("value", _("Partnership")), ("partners", _("Partners")),
               ("met", _("Met"))]
    rows = [[r.target.id, r.target.title, r.goal, r.target.kind.value, r.target.domain_id, r.target.due_on, s.cycle.id, s.cycle.name_in(lang),
             s.value, s.partners, s.met] for r in overview(db, catalogue, cycle.backbone_id, lang) for s in r.standings]
    return _sheet(_("Targets"), columns, rows)


def build(db: Session, catalogue: Catalogue, cycle: Cycle, kind: str, lang: str, min_group_size: int) -> Sheet:
    if kind == "actions":
        return actions_sheet(db, catalogue, cycle, lang)
    if kind == "check_ins":
        return check_ins_sheet(db, cycle)
    if kind == "targets":
        return targets_sheet(db, catalogue, cycle, lang)
    if kind == "results":
        return results_sheet(db, catalogue, cycle, lang)
    if kind == "items":
        return items_sheet(db, catalogue, cycle, lang)
    return answers_sheet(db, cycle, min_group_size)


def audit_sheet(entries: Sequence[audit.Entry], labels: dict[str, str]) -> Sheet:
    """The audit log as a sheet: one row per event (``labels``: audit.labels()), details as JSON text."""
    columns = [("at", _("When (UTC)")), ("actor", _("Who")), ("action_id", _("Action id")), ("action", _("What")),
               ("organization", _("Organization")), ("object_type", _("Object")), ("object_id", _("Object id")),
               ("object_name", _("Object name")), ("details", _("Details"))]
    rows = [[e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, labels.get(e.action, e.action), e.organization, e.object_type,
             e.object_id, e.object_name, json.dumps(e.details, ensure_ascii=False, sort_keys=True) if e.details else ""] for e in entries]
    return _sheet(_("Audit log"), columns, rows)


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)
