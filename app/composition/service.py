"""Composition data: a partner's counts per cycle, benchmarks, and the views every reader gets of them (masked, see
app.composition.parity). Who reaches what is app.access's (get_composition_organization); this module takes the
organization it returns.

Counts may be entered and changed until the cycle closes; then they are kept as they were. The partnership's pooled
figures (the share of people of color on all partners' boards, a target's standing) are computed for closed cycles
only and from at least the minimum number of partners: read before and after one partner enters its counts, a figure
that moves would give that partner's counts, hidden small cells included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit
from app.assessments.cycles import cycle_state, instrument_of
from app.assessments.models import Assessment, Cycle
from app.composition import parity
from app.composition.models import Benchmark, Composition, CompositionCount
from app.db import utcnow
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import Organization
from app.text import clean_text

MAX_COUNT = 10_000_000


def race_of(catalogue: Catalogue, cycle: Cycle) -> tuple[str, ...]:
    question = instrument_of(catalogue, cycle).respondent.race_ethnicity
    return parity.race_categories([o.id for o in question.options or []] if question else None)


def level_labels() -> dict[str, str]:
    return {"board": _("Board"), "leadership": _("Executive leadership"), "managers": _("Managers"), "staff": _("All staff"),
            "served": _("People served")}


def labels(catalogue: Catalogue, cycle: Cycle | None, lang: str) -> dict[str, str]:
    """Every level, category and dimension name in the reader's language."""
    out = {
        **level_labels(), parity.ANOTHER: _("Another race or ethnicity"), parity.UNKNOWN: _("Unknown or not collected"),
        parity.POC: _("People of color"), parity.UNREPORTED: _("Not reported"), "women": _("Women"), "men": _("Men"),
        "another_gender": _("Another gender (e.g. nonbinary)"),
    }
    instrument = instrument_of(catalogue, cycle) if cycle is not None else catalogue.all()[-1]
    question = instrument.respondent.race_ethnicity
    for o in (question.options or []) if question else []:
        if o.id not in ("self_describe", "prefer_not_to_say"):
            out[o.id] = o.label.get(lang)
    for c in parity.DEFAULT_RACE:
        out.setdefault(c, c.replace("_", " ").capitalize())
    return out


def composition_of(db: Session, org_id: int, cycle_id: int) -> Composition | None:
    return db.scalar(select(Composition).where(Composition.organization_id == org_id, Composition.cycle_id == cycle_id))


def counts_of(composition: Composition | None) -> dict[parity.Key, int]:
    return {(c.level, c.dimension, c.category): c.count for c in composition.counts} if composition else {}


def field_name(key: parity.Key) -> str:
    return "c-" + "-".join(key)


def form_keys(race: tuple[str, ...]) -> list[parity.Key]:
    keys: list[parity.Key] = []
    for level in parity.LEVELS:
        keys.append((level, "total", "all"))
        keys += [(level, "race", c) for c in race]
        keys += [(level, "gender", g) for g in parity.GENDERS]
    return keys


def is_editable(cycle: Cycle) -> bool:
    return cycle_state(cycle) != "closed"


def _problem_message(problem: str, level_label: str) -> str:
    return {
        "race_over_total": _("%(level)s: the race and ethnicity counts add up to more than the number of people.", level=level_label),
        "gender_over_total": _("%(level)s: the gender counts add up to more than the number of people.", level=level_label),
        "groups_without_total": _("%(level)s: give the number of people before counting them by group.", level=level_label),
    }.get(problem, _("%(level)s: counts are whole numbers of 0 or more.", level=level_label))


def parse(form: Mapping[str, Any], race: tuple[str, ...], level_labels: Mapping[str, str]) -> tuple[dict[parity.Key, int], dict[str, str]]:
    """The counts a form gives (blank: not given) and, per field, what is wrong (empty when all is well)."""
    counts: dict[parity.Key, int] = {}
    errors: dict[str, str] = {}
    for key in form_keys(race):
        raw = str(form.get(field_name(key)) or "").strip().replace(",", "").replace("\u202f", "").replace("\xa0", "")
        if not raw:
            continue
        if not raw.isdigit() or int(raw) > MAX_COUNT:
            errors[field_name(key)] = _("%(level)s: counts are whole numbers of 0 or more.", level=level_labels[key[0]])
            continue
        counts[key] = int(raw)
    if not errors:
        for level, problem in parity.check_counts(counts):
            errors[field_name((level, "total", "all"))] = _problem_message(problem, level_labels[level])
    return counts, errors


def save(db: Session, org: Organization, cycle: Cycle, counts: dict[parity.Key, int], as_of: str, source: str,
         actor_id: int | None, *, after_close: bool = False) -> Composition:
    """Replace the partner's counts for the cycle (Invalid naming the field, or Conflict once the cycle has closed;
    ``after_close``: the demo's history, written as it would have been)."""
    if not after_close and not is_editable(cycle):
        raise Conflict(_("This cycle has closed: its counts are kept as they were entered."))
    if db.scalar(select(Assessment.id).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id)) is None:
        raise Invalid(_("Your organization takes no part in this cycle."), field="cycle")
    problems = parity.check_counts(counts)
    if problems:
        level = problems[0][0]
        raise Invalid(_problem_message(problems[0][1], level_labels().get(level, level)), field=field_name((level, "total", "all")))
    if not any(k[1] == "total" for k in counts):
        raise Invalid(_("Give the number of people at one level at least."), field=field_name(("board", "total", "all")))
    day = None
    if as_of.strip():
        try:
            day = dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise Invalid(_("Enter a date like 2026-09-30."), field="as_of") from None
    source = clean_text(source).strip()
    if len(source) > 300 or "\n" in source:
        raise Invalid(_("Describe the source in one line (at most 300 characters)."), field="source")
    composition = composition_of(db, org.id, cycle.id)
    created = composition is None
    if composition is None:
        composition = Composition(organization_id=org.id, cycle_id=cycle.id)
        db.add(composition)
    composition.as_of, composition.source = day, source
    composition.updated_at, composition.updated_by_id = utcnow(), actor_id
    composition.counts.clear()
    db.flush()  # the old rows go before the new ones come (the unit of work would insert first, against the unique key)
    composition.counts = [CompositionCount(level=k[0], dimension=k[1], category=k[2], count=v) for k, v in sorted(counts.items())]
    db.flush()
    # The log says that counts changed and at which levels, never the counts (an audit row must not be a cell).
    audit.record(db, actor_id, "composition.created" if created else "composition.updated", "organization", org.id, org.id,
                 cycle_id=cycle.id, levels=sorted({k[0] for k in counts}))
    return composition


# -- benchmarks -------------------------------------------------------------------------------------------------------

def benchmark_of(db: Session, backbone_id: int, org_id: int | None = None) -> Benchmark | None:
    q = select(Benchmark).where(Benchmark.backbone_id == backbone_id)
    q = q.where(Benchmark.organization_id.is_(None)) if org_id is None else q.where(Benchmark.organization_id == org_id)
    return db.scalar(q.order_by(Benchmark.id))


def benchmark_for(db: Session, org: Organization) -> Benchmark | None:
    """The benchmark a partner's counts are read against: its own service area's, else its partnership's."""
    if org.backbone_id is None:
        return None
    return benchmark_of(db, org.backbone_id, org.id) or benchmark_of(db, org.backbone_id)


def parse_shares(form: Mapping[str, Any], categories: tuple[str, ...]) -> tuple[dict[str, float], dict[str, str]]:
    shares: dict[str, float] = {}
    errors: dict[str, str] = {}
    for c in categories:
        raw = str(form.get(f"s-{c}") or "").strip().replace(",", ".").rstrip("%").strip()
        if not raw:
            shares[c] = 0.0
            continue
        try:
            value = float(raw)
        except ValueError:
            value = -1
        if not 0 <= value <= 100 or value != value:
            errors[f"s-{c}"] = _("A share is a number from 0 to 100.")
            continue
        shares[c] = round(value, 1)
    if not errors and not parity.check_shares(shares):
        errors["shares"] = _("The shares add up to %(sum)s %%: they must add up to 100 %% (within half a point).",
                             sum=round(sum(shares.values()), 1))
    return shares, errors


def save_benchmark(db: Session, backbone_id: int, org_id: int | None, name: str, source: str, shares: dict[str, float],
                   actor_id: int | None) -> Benchmark:
    name, source = clean_text(name).strip(), clean_text(source).strip()
    if not name or len(name) > 200 or "\n" in name:
        raise Invalid(_("Name the population in one line, e.g. “County population, 2020 census”."), field="name")
    if len(source) > 300 or "\n" in source:
        raise Invalid(_("Describe the source in one line (at most 300 characters)."), field="source")
    if not parity.check_shares(shares):
        raise Invalid(_("The shares add up to %(sum)s %%: they must add up to 100 %% (within half a point).",
                        sum=round(sum(shares.values()), 1)), field="shares")
    bench = benchmark_of(db, backbone_id, org_id)
    if bench is None:
        bench = Benchmark(backbone_id=backbone_id, organization_id=org_id, shares={})
        db.add(bench)
    bench.name, bench.source, bench.shares = name, source, dict(shares)
    bench.updated_at, bench.updated_by_id = utcnow(), actor_id
    db.flush()
    audit.record(db, actor_id, "benchmark.saved", "organization", org_id or backbone_id, backbone_id, name=name)
    return bench


def remove_benchmark(db: Session, backbone_id: int, org_id: int | None, actor_id: int | None) -> None:
    bench = benchmark_of(db, backbone_id, org_id)
    if bench is not None:
        audit.record(db, actor_id, "benchmark.removed", "organization", org_id or backbone_id, backbone_id, name=bench.name)
        db.delete(bench)


# -- what readers see ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PartnerView:
    """A partner's counts for one cycle as every reader sees them (masked), against its benchmark."""

    org: Organization
    cycle: Cycle
    composition: Composition | None
    levels: dict[str, parity.LevelView]
    benchmark: Benchmark | None
    race: tuple[str, ...]

    @property
    def drop(self) -> parity.Drop | None:
        return parity.largest_drop(self.levels)

    @property
    def reported(self) -> bool:
        return self.composition is not None


def partner_view(db: Session, catalogue: Catalogue, org: Organization, cycle: Cycle, minimum: int,
                 benchmark: Benchmark | None = None, *, own_benchmark: bool = True) -> PartnerView:
    race = race_of(catalogue, cycle)
    comp = composition_of(db, org.id, cycle.id)
    bench = benchmark if benchmark is not None else (benchmark_for(db, org) if own_benchmark else
                                                      benchmark_of(db, org.backbone_id) if org.backbone_id else None)
    return PartnerView(org, cycle, comp, parity.views(counts_of(comp), race, minimum, bench.shares if bench else None), bench, race)


def cycles_of(db: Session, org: Organization) -> list[Cycle]:
    """The cycles the partner takes part in, oldest first."""
    return list(db.scalars(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id)
                           .where(Assessment.organization_id == org.id).order_by(Cycle.opens_on, Cycle.id)))


def trend(db: Session, catalogue: Catalogue, org: Organization, minimum: int) -> list[PartnerView]:
    """The partner's counts in each of its cycles that has them, oldest first, against one benchmark (its own)."""
    bench = benchmark_for(db, org)
    return [v for v in (partner_view(db, catalogue, org, c, minimum, bench) for c in cycles_of(db, org)) if v.reported]


def previous_view(db: Session, catalogue: Catalogue, view: PartnerView, minimum: int) -> PartnerView | None:
    """The partner's counts in its cycle's baseline (else the latest earlier cycle that has them)."""
    earlier = [c for c in cycles_of(db, view.org) if (c.opens_on, c.id) < (view.cycle.opens_on, view.cycle.id)]
    if view.cycle.baseline_id is not None:
        earlier.sort(key=lambda c: c.id != view.cycle.baseline_id)
    else:
        earlier.reverse()
    for c in earlier:
        v = partner_view(db, catalogue, view.org, c, minimum, view.benchmark)
        if v.reported:
            return v
    return None


def compare_rows(db: Session, catalogue: Catalogue, cycle: Cycle, partners: list[Organization], minimum: int) -> list[PartnerView]:
    """Every given partner's counts in the cycle against the partnership's benchmark (one yardstick for all)."""
    bench = benchmark_of(db, cycle.backbone_id)
    return [partner_view(db, catalogue, org, cycle, minimum, bench, own_benchmark=False) for org in partners]


@dataclass(frozen=True)
class Pooled:
    level: str
    share: float | None  # people of color, percent of people whose race is known, across partners
    partners: int
    benchmark: float | None
    withheld: str | None = None  # why no figure: "open" (the cycle has not closed), "few" (too few partners) or
    # "hidden" (it would give the hidden counts of one or two partners)


def pooled(db: Session, catalogue: Catalogue, cycle: Cycle, minimum: int) -> list[Pooled]:
    """The partnership's share of people of color per level, all partners together.

    Shown only for a closed cycle (its counts kept as entered), from at least ``minimum`` partners, over every partner
    of the cycle (never a filtered subset: two subsets that differ by one partner would give that partner's counts),
    and only when what the partners' own rows hide at that level (a small level, a hidden count, an unknown too small
    to show) belongs to no partner, or to two or more whose hidden people of color number at least ``minimum``: the
    pool less the shown rows would give it otherwise."""
    race = race_of(catalogue, cycle)
    bench = benchmark_of(db, cycle.backbone_id)
    bench_poc = round(sum(float(bench.shares.get(c, 0)) for c in parity.color_categories(race)), 1) if bench else None
    entries = [counts_of(c) for c in db.scalars(select(Composition).where(Composition.cycle_id == cycle.id))]
    closed = cycle_state(cycle) == "closed"
    out = []
    for level in parity.LEVELS:
        share, partners, _known = parity.pooled_share(entries, level, race)
        hidden_partners = hidden_poc = 0
        colors = parity.color_categories(race)
        for counts in entries:
            view = parity.level_view(level, counts, race, minimum)
            has_groups = any(k[0] == level and k[1] == "race" for k in counts)
            if has_groups and (view.small or view.poc.masked or view.denominator == "all"):
                hidden_partners += 1
                hidden_poc += sum(counts.get((level, "race", c), 0) for c in colors)
        # The pool less the shown rows gives what the rows hide, summed: one partner's hidden counts exactly, or a
        # small number of people across two or more.
        exposes = hidden_partners == 1 or 0 < hidden_poc < minimum
        withheld = "open" if not closed else "few" if partners < minimum else "hidden" if exposes else None
        out.append(Pooled(level, None if withheld else share, partners, bench_poc, withheld))
    return out


def digest(view: PartnerView, previous: PartnerView | None) -> list[Any]:
    """What a cached report depends on."""
    def one(v: PartnerView | None) -> list[Any]:
        if v is None or v.composition is None:
            return []
        return [v.composition.updated_at.isoformat(), v.benchmark.updated_at.isoformat() if v.benchmark else None]
    return [one(view), one(previous)]
