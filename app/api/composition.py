"""GET/PUT /api/v1/.../composition and /api/v1/benchmark: who holds the seats, as JSON.

A partner's counts are read by its leads, the people they named to enter them and its backbone's staff, and entered by
the former (app.access.get_composition_organization); the partnership's benchmark is read by backbone staff and set by
its administrators. Every count is masked as on the pages (app.composition.parity): a hidden count is null with
``suppressed`` true, a level with fewer people than the minimum gives its total only.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app import access, i18n
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.api.schemas import PLAIN_TEXT
from app.assessments.models import Cycle
from app.assessments.results import IdPath
from app.composition import parity, service
from app.composition.models import Benchmark
from app.deps import CatalogueDep, CurrentUser, SessionDep
from app.errors import Invalid, NotFound
from app.i18n import gettext as _
from app.organizations.models import Organization

router = APIRouter(tags=["composition"])
Level = Literal["board", "leadership", "managers", "staff", "served"]


class CellOut(BaseModel):
    count: int | None = Field(description="The number of people; null when hidden (suppressed) or not reported")
    suppressed: bool = Field(description="Whether the count is hidden: fewer than the anonymity minimum, or one that would give a hidden one")
    share: float | None = Field(description="Percent of the level's people (see denominator); null when hidden or not applicable")
    share_below: float | None = Field(description="For a hidden count: its share is under this percent (a bound only); null otherwise")
    benchmark: float | None = Field(description="The benchmark's share of this group, percent; null without a benchmark")
    index: float | None = Field(description="Representation index: share / benchmark share (1.0: parity); null when either is missing")
    index_below: float | None = Field(description="For a hidden count: the index is under this bound; null otherwise")


class LevelOut(BaseModel):
    level: Level = Field(description="The level of seats: board, leadership, managers, staff or served (the people served)")
    label: str = Field(description="The level's name in the request's language")
    total: int | None = Field(description="The number of people at the level; null when the level was not reported")
    totals_only: bool = Field(description="Fewer people than the anonymity minimum: only the total is given")
    denominator: Literal["known", "all"] | None = Field(description="What the race shares are of: known, the people whose race is known; all, "
                                                                    "everyone at the level; null without race counts")
    race: dict[str, CellOut] = Field(description="Race or ethnicity category code -> its cell; empty without race counts or for a small level")
    people_of_color: CellOut | None = Field(description="Every known category but white, together; null without race counts")
    unreported: CellOut | None = Field(description="People at the level in no race category (partial data); null without race counts")
    gender: dict[str, CellOut] = Field(description="Gender category code (women, men, another_gender, unknown) -> its cell; empty when not given")


class BenchmarkOut(BaseModel):
    name: str = Field(description="The population, e.g. County population, 2020 census")
    source: str = Field(description="Where the shares come from; may be empty")
    scope: Literal["partnership", "partner"] = Field(description="partnership: set by the backbone; partner: the partner's own service area")
    shares: dict[str, float] = Field(description="Race or ethnicity category code -> percent of the population")
    updated_at: dt.datetime = Field(description="When it was last set")


class CompositionOut(BaseModel):
    partner_id: int = Field(description="The partner organization's id")
    partner: str = Field(description="The partner's name")
    sector: str = Field(description="The sector's code")
    size_band: str = Field(description="The size band's code")
    cycle_id: int = Field(description="The cycle's id")
    cycle: str = Field(description="The cycle's name in the request's language")
    reported: bool = Field(description="Whether the partner entered counts for this cycle")
    editable: bool = Field(description="Whether counts may still be entered (the cycle has not closed)")
    as_of: dt.date | None = Field(description="The day the counts refer to; null when not given")
    source: str = Field(description="Where the counts come from; may be empty")
    minimum: int = Field(description="The anonymity minimum: counts from 1 to this less one are hidden")
    benchmark: BenchmarkOut | None = Field(description="The benchmark the shares are read against; null when none is set")
    levels: list[LevelOut] = Field(description="Each level of seats, widest last: board, leadership, managers, staff, served")


class PooledOut(BaseModel):
    level: Level = Field(description="The level of seats")
    share: float | None = Field(description="People of color, percent of people whose race is known, all partners together; null when withheld")
    partners: int = Field(description="How many partners gave race counts at this level")
    benchmark: float | None = Field(description="The partnership's benchmark share of people of color, percent; null without one")
    withheld: Literal["open", "few", "hidden"] | None = Field(
        description="Why no figure: open, the cycle has not closed; few, fewer partners than the minimum; hidden, it would give "
                    "some partner's hidden counts; null when given")


class CycleCompositionOut(BaseModel):
    cycle_id: int = Field(description="The cycle's id")
    benchmark: BenchmarkOut | None = Field(description="The partnership's benchmark every row is read against; null when none is set")
    pooled: list[PooledOut] = Field(description="The partnership's figures per level, over every partner of the cycle (never the filtered ones)")
    partners: list[CompositionOut] = Field(description="This page of the partners (by name) that match the filters")


class CountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    level: Level = Field(description="The level of seats")
    dimension: Literal["total", "race", "gender"] = Field(description="total (category all): the level's headcount; race or gender: a group")
    category: str = Field(max_length=64, description="all for a total; a race or ethnicity category code of the cycle's instrument "
                                                    "(with another and unknown); women, men, another_gender or unknown for gender")
    count: int = Field(ge=0, le=service.MAX_COUNT, description="A whole number of people, 0 or more")


class CompositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: dt.date | None = Field(default=None, description="The day the counts refer to")
    source: Annotated[str, StringConstraints(max_length=300, pattern=PLAIN_TEXT)] = Field(default="", description="Where the counts come from")
    counts: list[CountIn] = Field(max_length=500, description="Every count given (the others are not reported): they replace the earlier ones")


class BenchmarkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PLAIN_TEXT)] = Field(description="The population, in a line")
    source: Annotated[str, StringConstraints(max_length=300, pattern=PLAIN_TEXT)] = Field(default="", description="Where the shares come from")
    shares: dict[str, float] = Field(max_length=50, description="Category code -> percent (0-100); categories left out count 0; they add "
                                                               "up to 100 within half a point")


def _cell(c: parity.Cell) -> CellOut | None:
    if c.missing:
        return None
    return CellOut(count=c.count, suppressed=c.masked, share=c.share, share_below=c.share_below, benchmark=c.benchmark, index=c.index,
                   index_below=c.index_below)


def _benchmark(b: Benchmark | None) -> BenchmarkOut | None:
    if b is None:
        return None
    return BenchmarkOut(name=b.name, source=b.source, scope="partner" if b.organization_id else "partnership",
                        shares={k: float(v) for k, v in b.shares.items()}, updated_at=b.updated_at)


def _view(v: service.PartnerView, labels: dict[str, str], minimum: int) -> CompositionOut:
    lang = i18n.get_locale()
    levels = []
    for level in parity.LEVELS:
        lv = v.levels[level]
        levels.append(LevelOut(level=level, label=labels[level], total=lv.total, totals_only=lv.small,  # type: ignore[arg-type]
                               denominator=lv.denominator,  # type: ignore[arg-type]
                               race={k: c for k, cell in lv.race.items() if (c := _cell(cell)) is not None},
                               people_of_color=_cell(lv.poc), unreported=_cell(lv.unreported),
                               gender={k: c for k, cell in lv.gender.items() if (c := _cell(cell)) is not None}))
    comp = v.composition
    return CompositionOut(partner_id=v.org.id, partner=v.org.name, sector=v.org.sector, size_band=v.org.size_band, cycle_id=v.cycle.id,
                          cycle=v.cycle.name_in(lang), reported=comp is not None, editable=service.is_editable(v.cycle),
                          as_of=comp.as_of if comp else None, source=comp.source if comp else "", minimum=minimum,
                          benchmark=_benchmark(v.benchmark), levels=levels)


def _minimum(request: Request) -> int:
    return int(request.app.state.settings.min_group_size)


@router.get("/cycles/{cycle_id}/composition", summary="Every partner's composition in a cycle, masked, with the pooled figures (backbone staff)")
def cycle_composition(request: Request, cycle_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, page: PagingDep,
                      sector: Annotated[str | None, Query(max_length=40, description="Only partners of this sector (its code)")] = None,
                      size_band: Annotated[str | None, Query(max_length=20, description="Only partners of this size band")] = None,
                      ) -> CycleCompositionOut:
    """Each partner's counts against the partnership's benchmark, masked as on the compare page, paged by partner name;
    the pooled figures are over every partner of the cycle, and given only where app.composition.service allows. Backbone
    staff only: a partner lead gets a 404."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    minimum = _minimum(request)
    partners = [o for o in access.cycle_partners(db, principal, cycle)
                if (not sector or o.sector == sector) and (not size_band or o.size_band == size_band)]
    shown = page.slice(partners)
    labels = service.labels(catalogue, cycle, i18n.get_locale())
    rows = service.compare_rows(db, catalogue, cycle, shown, minimum)
    return CycleCompositionOut(cycle_id=cycle.id, benchmark=_benchmark(service.benchmark_of(db, cycle.backbone_id)),
                               pooled=[PooledOut(level=p.level, share=p.share, partners=p.partners, benchmark=p.benchmark,  # type: ignore[arg-type]
                                                 withheld=p.withheld) for p in service.pooled(db, catalogue, cycle, minimum)],  # type: ignore[arg-type]
                               partners=[_view(v, labels, minimum) for v in rows])


@router.get("/partners/{partner_id}/composition", summary="A partner's composition in each of its cycles, masked (its leads, its counters, "
                                                          "its backbone's staff)")
def partner_composition(request: Request, partner_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
                        page: PagingDep) -> list[CompositionOut]:
    """Its trend: one entry per cycle it takes part in, oldest first (reported or not), against its own benchmark (its
    service area's, else the partnership's). Another partner's lead gets a 404."""
    org = access.get_composition_organization(db, principal, partner_id)
    minimum = _minimum(request)
    bench = service.benchmark_for(db, org)
    cycles = page.slice(service.cycles_of(db, org))
    return [_view(service.partner_view(db, catalogue, org, c, minimum, bench), service.labels(catalogue, c, i18n.get_locale()), minimum)
            for c in cycles]


def _cycle_of(db: SessionDep, org: Organization, cycle_id: int) -> Cycle:
    cycle = next((c for c in service.cycles_of(db, org) if c.id == cycle_id), None)
    if cycle is None:
        raise NotFound()
    return cycle


@router.put("/partners/{partner_id}/composition/{cycle_id}", summary="Enter a partner's counts for a cycle (its leads and counters)",
            responses={**WRITE_ERRORS, 409: {"model": WRITE_ERRORS[403]["model"], "description": "The cycle has closed: its counts are kept"}})
def put_composition(request: Request, partner_id: IdPath, cycle_id: IdPath, body: CompositionIn, db: SessionDep, principal: CurrentUser,
                    catalogue: CatalogueDep) -> CompositionOut:
    """Replaces the partner's counts for the cycle with those given and returns the masked view. The rules of the form: a
    level's group counts may not exceed its total, groups need a total; a refused body is a 422 naming the field, in the
    request's language, and changes nothing; a closed cycle is a 409. Backbone staff read only (403)."""
    org = access.get_composition_organization(db, principal, partner_id, "change")
    cycle = _cycle_of(db, org, cycle_id)
    race = service.race_of(catalogue, cycle)
    allowed = {"total": ("all",), "race": race, "gender": parity.GENDERS}
    counts: dict[parity.Key, int] = {}
    for n, c in enumerate(body.counts):
        if c.category not in allowed[c.dimension]:
            raise Invalid(_("Use one of: %(choices)s.", choices=", ".join(allowed[c.dimension])), field=f"counts.{n}.category")
        key = (c.level, c.dimension, c.category)
        if key in counts:
            raise Invalid(_("This count is given twice."), field=f"counts.{n}")
        counts[key] = c.count
    labels = service.labels(catalogue, cycle, i18n.get_locale())
    # The form's rules and messages (the level by its name, in the caller's language) before the service's own checks.
    _parsed, errors = service.parse({service.field_name(k): str(v) for k, v in counts.items()}, race, labels)
    if errors:
        raise Invalid(next(iter(errors.values())), field="counts")
    try:
        service.save(db, org, cycle, counts, body.as_of.isoformat() if body.as_of else "", body.source, principal.user_id)
    except Invalid as exc:
        field = str(exc.details.get("field") or "counts")
        raise Invalid(exc.message, field="counts" if field.startswith("c-") else field) from None
    db.commit()
    return _view(service.partner_view(db, catalogue, org, cycle, _minimum(request)), labels, _minimum(request))


def _shares(body: BenchmarkIn, race: tuple[str, ...]) -> dict[str, float]:
    categories = parity.benchmark_categories(race)
    unknown = sorted(set(body.shares) - set(categories))
    if unknown:
        raise Invalid(_("Use one of: %(choices)s.", choices=", ".join(categories)), field="shares")
    if any(not 0 <= v <= 100 for v in body.shares.values()):
        raise Invalid(_("A share is a number from 0 to 100."), field="shares")
    return {c: round(float(body.shares.get(c, 0)), 1) for c in categories}


def _latest_race(catalogue: CatalogueDep) -> tuple[str, ...]:
    question = catalogue.all()[-1].respondent.race_ethnicity
    return parity.race_categories([o.id for o in question.options or []] if question else None)


class PartnershipBenchmarkOut(BaseModel):
    benchmark: BenchmarkOut | None = Field(description="The partnership's benchmark; null when none is set")
    categories: dict[str, str] = Field(description="The category codes a benchmark's shares may name -> their labels in the request's language")


@router.get("/benchmark", summary="The partnership's benchmark: the community it serves (backbone staff)")
def read_benchmark(db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> PartnershipBenchmarkOut:
    """The population shares every partner's counts are compared with, and the categories they may name. Backbone staff
    only (partners get a 404)."""
    backbone = access.get_backbone(db, principal)
    labels = service.labels(catalogue, None, i18n.get_locale())
    return PartnershipBenchmarkOut(benchmark=_benchmark(service.benchmark_of(db, backbone.id)),
                                   categories={c: labels.get(c, c) for c in parity.benchmark_categories(_latest_race(catalogue))})


@router.put("/benchmark", summary="Set the partnership's benchmark (backbone admins)", responses=WRITE_ERRORS)
def put_benchmark(body: BenchmarkIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> BenchmarkOut:
    """Sets the shares (they add up to 100 % within half a point) and returns them. Analysts get a 403."""
    backbone = access.get_backbone(db, principal, "admin")
    bench = service.save_benchmark(db, backbone.id, None, body.name, body.source, _shares(body, _latest_race(catalogue)), principal.user_id)
    db.commit()
    return _benchmark(bench)  # type: ignore[return-value]


def _partner_race(db: SessionDep, catalogue: CatalogueDep, org: Organization) -> tuple[str, ...]:
    cycles = service.cycles_of(db, org)
    return service.race_of(catalogue, cycles[-1]) if cycles else parity.DEFAULT_RACE


@router.put("/partners/{partner_id}/benchmark", summary="Set a partner's own service-area benchmark (its leads and counters)",
            responses=WRITE_ERRORS)
def put_partner_benchmark(partner_id: IdPath, body: BenchmarkIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> BenchmarkOut:
    """The partner's counts are then read against it in place of the partnership's. Backbone staff read only (403)."""
    org = access.get_composition_organization(db, principal, partner_id, "change")
    if org.backbone_id is None:
        raise NotFound()
    bench = service.save_benchmark(db, org.backbone_id, org.id, body.name, body.source, _shares(body, _partner_race(db, catalogue, org)),
                                   principal.user_id)
    db.commit()
    return _benchmark(bench)  # type: ignore[return-value]


@router.delete("/partners/{partner_id}/benchmark", status_code=204, summary="Remove a partner's own benchmark (its leads and counters)",
               responses=WRITE_ERRORS)
def delete_partner_benchmark(partner_id: IdPath, db: SessionDep, principal: CurrentUser) -> Response:
    """Its counts are read against the partnership's benchmark again. Nothing to remove is no error."""
    org = access.get_composition_organization(db, principal, partner_id, "change")
    if org.backbone_id is not None:
        service.remove_benchmark(db, org.backbone_id, org.id, principal.user_id)
    db.commit()
    return Response(status_code=204)
