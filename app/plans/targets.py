"""The partnership's targets, and where the partnership stands on each, cycle by cycle, from the stored results.

Two kinds, as partnerships write them:
- "share at level": by a date, a share of partners at a readiness level or above in a domain (or overall), e.g. "80 %
  of partners at Established or above in Data and accountability";
- "median change": the partnership's median score in a domain (or overall) up by some points from a baseline cycle.

A target names a domain of one instrument version (its reference cycle's); a cycle run on another version is read
through the versions' mapping (renamed and merged domains), and a domain without a match in a version leaves that cycle
out. Only the partnership's figures are computed: never a partner's row.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock
from app.assessments.models import Assessment, Cycle, Result
from app.assessments.service import instrument_of
from app.composition import parity
from app.composition import service as composition
from app.dashboard.summaries import cycle_summaries
from app.db import utcnow
from app.errors import Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.instruments.mapping import IdMap
from app.instruments.schema import Instrument
from app.organizations.models import Organization
from app.plans.models import Target, TargetKind
from app.text import clean_text


@dataclass(frozen=True)
class TargetFields:
    title: str = ""
    kind: str = TargetKind.share_at_level.value
    domain_id: str = "overall"
    level_index: str = ""
    share: str = ""
    points: str = ""
    reference_cycle_id: str = ""
    due_on: str = ""
    level: str = ""  # a composition gap's level of seats


def _int(value: str, field: str, low: int, high: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise Invalid(message, field=field) from None
    if not low <= number <= high:
        raise Invalid(message, field=field)
    return number


def check(db: Session, catalogue: Catalogue, backbone: Organization, fields: TargetFields) -> dict[str, object]:
    """The target's clean values, or Invalid naming the first field that is wrong."""
    title = clean_text(fields.title).strip()
    if not title:
        raise Invalid(_("Give the target a name."), field="title")
    if len(title) > 200:
        raise Invalid(_("The name is too long (at most %(n)s characters).", n=200), field="title")
    if fields.kind not in TargetKind.__members__:
        raise Invalid(_("Choose a kind of target from the list."), field="kind")
    kind = TargetKind(fields.kind)
    ref = db.get(Cycle, int(fields.reference_cycle_id)) if str(fields.reference_cycle_id).isdigit() else None
    if ref is None or ref.backbone_id != backbone.id:
        raise Invalid(_("Choose a cycle from the list."), field="reference_cycle_id")
    instrument = instrument_of(catalogue, ref)
    if kind is not TargetKind.composition_gap and fields.domain_id != "overall" and not any(d.id == fields.domain_id for d in instrument.domains):
        raise Invalid(_("Choose a domain from the list."), field="domain_id")
    out: dict[str, object] = {"title": title, "kind": kind, "domain_id": fields.domain_id, "reference_cycle_id": ref.id,
                              "level_index": None, "share": None, "points": None, "due_on": None, "level": None}
    if kind is TargetKind.composition_gap:
        if fields.level not in parity.REQUIRED_LEVELS:
            raise Invalid(_("Choose a level of seats from the list."), field="level")
        out["level"], out["domain_id"] = fields.level, "overall"
        out["points"] = _int(fields.points, "points", 0, 100, _("Give a number of points between 0 and 100."))
    elif kind is TargetKind.share_at_level:
        out["level_index"] = _int(fields.level_index, "level_index", 0, len(instrument.levels) - 1, _("Choose a level from the list."))
        out["share"] = _int(fields.share, "share", 1, 100, _("Give a share between 1 and 100 %."))
    else:
        out["points"] = _int(fields.points, "points", 1, 100, _("Give a number of points between 1 and 100."))
    if fields.due_on.strip():
        try:
            out["due_on"] = dt.date.fromisoformat(fields.due_on.strip())
        except ValueError:
            raise Invalid(_("Enter a date like 2026-09-30."), field="due_on") from None
    return out


def create_target(db: Session, catalogue: Catalogue, backbone: Organization, fields: TargetFields, actor_id: int) -> Target:
    target = Target(backbone_id=backbone.id, created_by_id=actor_id, **check(db, catalogue, backbone, fields))
    db.add(target)
    db.flush()
    audit.record(db, actor_id, "target.created", "target", target.id, backbone.id, title=target.title)
    return target


def update_target(db: Session, catalogue: Catalogue, target: Target, fields: TargetFields, actor_id: int) -> None:
    backbone = db.get(Organization, target.backbone_id)
    assert backbone is not None
    clean = check(db, catalogue, backbone, fields)
    changed = [k for k, v in clean.items() if getattr(target, k) != v]
    for k in changed:
        setattr(target, k, clean[k])
    if changed:
        target.updated_at = utcnow()
        audit.record(db, actor_id, "target.updated", "target", target.id, target.backbone_id, fields=changed)


def targets_of(db: Session, backbone_id: int) -> list[Target]:
    return list(db.scalars(select(Target).where(Target.backbone_id == backbone_id).order_by(Target.due_on, Target.id)))


@dataclass(frozen=True)
class Standing:
    """The partnership's figure for a target in one cycle."""

    cycle: Cycle
    value: float | None  # the share of partners (0-100) at the level, or the median change in points
    partners: int  # partners with a result (in this domain)
    met: bool


def _domain_in(instrument: Instrument, ref: Instrument, domain_id: str, catalogue: Catalogue) -> str | None:
    """The id in ``instrument`` of the reference instrument's domain (through the versions' mapping), or None."""
    if domain_id == "overall":
        return "overall"
    if instrument.key == ref.key:
        return domain_id
    if catalogue.find(instrument.id, instrument.version) is None:
        return None
    try:
        newer, older = (instrument, ref) if _newer(instrument, ref) else (ref, instrument)
        mapping = IdMap.between(newer, older, catalogue.find)
    except (KeyError, ValueError):
        return None
    if newer is instrument:
        return next((d.id for d in instrument.domains if mapping.old_domain_for(d.id) == domain_id), None)
    return mapping.old_domain_for(domain_id)


def _newer(a: Instrument, b: Instrument) -> bool:
    def key(i: Instrument) -> list[int | str]:
        return [int(p) if p.isdigit() else p for p in i.version.split(".")]
    return key(a) > key(b)


def closed_at(cycle: Cycle) -> dt.datetime | None:
    """When the cycle closed (closed early, or the end of its closing day in the partnership's calendar), or None."""
    end = cycle.closed_at or dt.datetime.combine(cycle.closes_on + dt.timedelta(days=1), dt.time(0), tzinfo=clock.zone())
    return end if end <= utcnow() else None


def _summaries_at(db: Session, cycle: Cycle, until: dt.datetime) -> list[dict[str, object]]:
    """The summaries of each assessment's last result computed by ``until``: what the cycle said when it closed."""
    latest: dict[int, tuple[dt.datetime, dict[str, object]]] = {}
    for aid, at, summary in db.execute(select(Result.assessment_id, Result.computed_at, Result.summary)
                                       .join(Assessment, Assessment.id == Result.assessment_id)
                                       .where(Assessment.cycle_id == cycle.id, Result.computed_at <= until)):
        if aid not in latest or at > latest[aid][0]:
            latest[aid] = (at, summary or {})
    return [s for _at, s in latest.values()]


def _cells(db: Session, cycle: Cycle, domain_id: str, until: dt.datetime | None = None) -> list[dict[str, object]]:
    summaries = cycle_summaries(db, cycle.id, Assessment.id).values() if until is None else _summaries_at(db, cycle, until)
    out = []
    for summary in summaries:
        cell = summary.get("overall") if domain_id == "overall" else (summary.get("domains") or {}).get(domain_id)
        if cell and cell.get("shown") is not None:
            out.append(cell)
    return out


def _composition_progress(db: Session, catalogue: Catalogue, target: Target, minimum: int) -> list[Standing]:
    """Per closed cycle, the partnership's share of people of color at the target's level less the benchmark's share
    (points; met within the target's points). The pooled figure is only ever a closed cycle's, and withheld where it
    would give a partner's hidden counts (app.composition.service.pooled)."""
    out = []
    for cycle in db.scalars(select(Cycle).where(Cycle.backbone_id == target.backbone_id).order_by(Cycle.opens_on, Cycle.id)):
        figure = next((p for p in composition.pooled(db, catalogue, cycle, minimum) if p.level == target.level), None)
        if figure is None or figure.share is None or figure.benchmark is None:
            continue
        gap = round(figure.share - figure.benchmark, 1)
        out.append(Standing(cycle, gap, figure.partners, gap >= -(target.points or 0)))
    return out


def progress(db: Session, catalogue: Catalogue, target: Target, *, closed_only: bool = False, minimum: int = 5) -> list[Standing]:
    """The target's figure in every cycle of the partnership that has results, oldest first.

    ``closed_only``: for partners' eyes, only closed cycles, each as it stood when it closed. A figure that moves with
    each submission would give, read before and after, the one partner that just submitted (its level, in any domain
    a target names); frozen at the close, it moves no more."""
    if target.kind is TargetKind.composition_gap:
        return _composition_progress(db, catalogue, target, minimum)
    ref_cycle = db.get(Cycle, target.reference_cycle_id) if target.reference_cycle_id else None
    if ref_cycle is None:
        return []
    ref = instrument_of(catalogue, ref_cycle)
    cycles = db.scalars(select(Cycle).where(Cycle.backbone_id == target.backbone_id).order_by(Cycle.opens_on, Cycle.id)).all()
    base_median = None
    ref_until = closed_at(ref_cycle) if closed_only else None
    if closed_only and ref_until is None:
        return []
    if target.kind is TargetKind.median_change:
        cells = _cells(db, ref_cycle, target.domain_id, ref_until)
        base_median = statistics.median([float(c["shown"]) for c in cells]) if cells else None  # type: ignore[arg-type]
    out = []
    for cycle in cycles:
        instrument = instrument_of(catalogue, cycle)
        domain = _domain_in(instrument, ref, target.domain_id, catalogue)
        until = closed_at(cycle) if closed_only else None
        if domain is None or (closed_only and until is None):
            continue
        cells = _cells(db, cycle, domain, until)
        if not cells:
            continue
        if target.kind is TargetKind.share_at_level:
            level_ids = [lv.id for lv in instrument.levels]
            at = sum(1 for c in cells if c.get("level") in level_ids and level_ids.index(str(c["level"])) >= (target.level_index or 0))
            value = round(100 * at / len(cells), 1)
            out.append(Standing(cycle, value, len(cells), value >= (target.share or 0)))
        elif base_median is not None:
            change = statistics.median([float(c["shown"]) for c in cells]) - base_median  # type: ignore[arg-type]
            out.append(Standing(cycle, change, len(cells), change >= (target.points or 0)))
    return out


def remove_target(db: Session, target: Target, actor_id: int) -> None:
    audit.record(db, actor_id, "target.removed", "target", target.id, target.backbone_id, title=target.title)
    db.delete(target)


@dataclass(frozen=True)
class TargetRow:
    target: Target
    goal: str  # the target in words, in the reader's language
    standings: list[Standing]
    withheld: int = 0  # cycles whose figure rests on too few partners to show to a partner
    @property
    def latest(self) -> Standing | None:
        return self.standings[-1] if self.standings else None


def describe(target: Target, instrument: Instrument | None, lang: str) -> str:
    if target.kind is TargetKind.composition_gap:
        seats = {"board": _("boards"), "leadership": _("executive leadership"), "managers": _("managers"), "staff": _("staff")}
        return _("The share of people of color on partners' %(seats)s within %(points)s points of the partnership's benchmark",
                 seats=seats.get(target.level or "", target.level or ""), points=target.points)
    domain = _("overall") if target.domain_id == "overall" else next(
        (d.title.get(lang) for d in (instrument.domains if instrument else []) if d.id == target.domain_id), target.domain_id)
    if target.kind is TargetKind.share_at_level:
        level = instrument.levels[target.level_index or 0].name.get(lang) if instrument else str(target.level_index)
        return _("%(share)s %% of partners at “%(level)s” or above: %(domain)s", share=target.share, level=level, domain=domain)
    return _("The partnership's median score up %(points)s points: %(domain)s", points=target.points, domain=domain)


def overview(db: Session, catalogue: Catalogue, backbone_id: int, lang: str, *, for_partners: bool = False, min_partners: int = 0,
             figures: bool = True, minimum: int = 5) -> list[TargetRow]:
    """Every target of the partnership, in words, with its figure in each cycle (for pages, the summary PDF, partners).

    ``for_partners``: closed cycles only, frozen at their close (see progress), and a cycle's figure only when at least
    ``min_partners`` partners have a result in it: with two partners, "50 % at Established" and one's own level would
    give the other's. ``figures=False``: the targets' words alone (a plan editor, who reaches no result)."""
    rows = []
    for t in targets_of(db, backbone_id):
        ref = db.get(Cycle, t.reference_cycle_id) if t.reference_cycle_id else None
        standings = progress(db, catalogue, t, closed_only=for_partners, minimum=minimum) if figures else []
        shown = [s for s in standings if s.partners >= min_partners]
        rows.append(TargetRow(t, describe(t, instrument_of(catalogue, ref) if ref else None, lang), shown, len(standings) - len(shown)))
    return rows
