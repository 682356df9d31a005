"""GET/POST /api/v1/cycles: cycles, their progress, the cross-partner comparison and the exports as JSON.

Backbone admins read and write; backbone analysts only read; a partner lead reads the cycles it takes part in (its own
progress) and never the cross-partner comparison or exports (404).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from app import access, i18n
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.api.schemas import PLAIN_TEXT, PartnerOut, partner_out
from app.assessments import service
from app.assessments.catalogue import missing_languages
from app.assessments.models import Cycle, Depth, Order
from app.assessments.results import IdPath
from app.auth.ratelimit import client_key
from app.dashboard.comparison import comparison_table as build_table
from app.dashboard.progress import cycle_progress
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.errors import Invalid
from app.exports.params import export_options
from app.exports.service import export_stream
from app.exports.sheets import ExportKind, Options
from app.i18n import gettext as _
from app.organizations.models import Organization, OrgKind
from app.web.downloads import streamed_attachment

router = APIRouter(tags=["cycles"])


LanguageKey = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
CycleName = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT)]


class CycleOut(BaseModel):
    id: int = Field(description="The cycle's id")
    name: str = Field(description="The cycle's name in the partnership's first language")
    names: dict[str, str] = Field(description="The name in the partnership's other languages (language code -> name)")
    instrument_id: str = Field(description="The id of the instrument the partners answer")
    instrument_version: str = Field(description="The instrument's version")
    depth: str = Field(description="Which questions are asked: full (every step) or core (step 1 only)")
    order: str = Field(description="How the questions are paged: integrated (one page per domain) or stepped (core questions first, then deeper ones)")
    anonymous: bool = Field(description="Whether the cycle is anonymous (partner leads never see who answered what) rather than named")
    opens_on: dt.date = Field(description="The first day people can answer")
    closes_on: dt.date = Field(description="The last day people can answer (a partner may have a later day of its own)")
    closed: bool = Field(description="Whether an admin has closed the cycle (a cycle past its closing day takes no answers either)")
    baseline_id: int | None = Field(description="The id of the earlier cycle this one follows up, whose results the change is measured from; "
                                                "null for a baseline")


class CycleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=PLAIN_TEXT, description="The cycle's name in the partnership's first language")
    names: dict[LanguageKey, CycleName] = Field(default_factory=dict, max_length=20,
                                                description="The name in the partnership's other languages (language code -> name)")
    instrument_id: str = Field(max_length=64, description="The id of a published instrument (GET /api/v1/instruments)")
    instrument_version: str = Field(max_length=20, description="The version of that instrument")
    opens_on: dt.date = Field(description="The first day people can answer")
    closes_on: dt.date = Field(description="The last day people can answer, on or after opens_on")
    anonymous: bool = Field(default=True, description="Anonymous (partner leads never see who answered what) or, when false, named "
                                                      "(leads can see each respondent's answers)")
    depth: Literal["core", "full"] = Field(default="full", description="full: every question; core: only the core questions (step 1)")
    order: Literal["stepped", "integrated"] = Field(default="integrated", description="integrated: one page per domain; stepped: core "
                                                                                      "questions first, then deeper ones")
    baseline_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="The earlier cycle of the partnership this one follows up "
                                                                                   "(the change is measured from its results); none for a baseline")
    partner_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=5000, description="The ids of the partners "
                                                                         "taking part (not archived): each gets an assessment in the cycle")


def cycle_out(c: Cycle) -> CycleOut:
    return CycleOut(id=c.id, name=c.name, names=dict(c.names or {}), instrument_id=c.instrument_id, instrument_version=c.instrument_version,
                    depth=c.depth.value,
                    order=c.order.value, anonymous=c.anonymous, opens_on=c.opens_on, closes_on=c.closes_on, closed=c.closed_at is not None,
                    baseline_id=c.baseline_id)


@router.get("/cycles", summary="Cycles the caller may read")
def list_cycles(db: SessionDep, principal: CurrentUser, page: PagingDep,
                closed: Annotated[bool | None, Query(description="Only closed cycles (true) or only cycles not closed (false)")] = None,
                ) -> list[CycleOut]:
    """Oldest first (by opening date)."""
    query = select(Cycle).where(access.cycle_scope(principal))
    if closed is not None:
        query = query.where(Cycle.closed_at.is_not(None) if closed else Cycle.closed_at.is_(None))
    return page.finish([cycle_out(c) for c in db.scalars(page.apply(query.order_by(Cycle.opens_on, Cycle.id)))])


@router.post("/cycles", status_code=201, summary="Open a cycle for some partners (backbone admins)", responses=WRITE_ERRORS)
def add_cycle(body: CycleIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep) -> CycleOut:
    """Creates a cycle of the caller's partnership on a published instrument version, with an assessment for each partner
    named, and returns it. Backbone admins only (analysts get a 403); an unknown instrument, baseline or partner id is a
    422 naming the field."""
    backbone = access.get_backbone(db, principal, "admin")
    unknown = sorted(set(body.names) - set(settings.locales) | ({settings.default_locale} & set(body.names)))
    if unknown:
        raise Invalid(_("Names are given for the partnership's other languages (%(languages)s), not for: %(unknown)s.",
                        languages=", ".join(x for x in settings.locales if x != settings.default_locale) or "-",
                        unknown=", ".join(unknown)), field="names")
    instrument = catalogue.find(body.instrument_id, body.instrument_version)
    if instrument is None:
        raise Invalid(_("Choose an instrument from the list."), field="instrument_id")
    if missing := missing_languages(instrument, settings.locales):
        raise Invalid(_("This version has no text in %(languages)s, which the partnership offers: choose a version that has "
                        "every language.", languages=", ".join(i18n.language_name(x) for x in missing)), field="instrument_version")
    baseline = None
    if body.baseline_id is not None:
        baseline = db.scalar(select(Cycle).where(Cycle.id == body.baseline_id, Cycle.backbone_id == backbone.id))
        if baseline is None:
            raise Invalid(_("No cycle of this partnership has the id %(id)s.", id=body.baseline_id), field="baseline_id")
    known = set(db.scalars(select(Organization.id).where(Organization.backbone_id == backbone.id, Organization.kind == OrgKind.partner,
                                                         Organization.archived_at.is_(None))))
    unknown_partners = sorted(set(body.partner_ids) - known)
    if unknown_partners:
        raise Invalid(_("No partner of this partnership has the id %(ids)s.", ids=", ".join(map(str, unknown_partners))), field="partner_ids")
    cycle = service.create_cycle(db, backbone=backbone, actor_id=principal.user_id, name=body.name, instrument=instrument,
                                 opens_on=body.opens_on, closes_on=body.closes_on, depth=Depth(body.depth), order=Order(body.order),
                                 anonymous=body.anonymous, baseline=baseline, partner_ids=body.partner_ids, names=body.names)
    db.commit()
    return cycle_out(cycle)


class ProgressOut(BaseModel):
    partner: PartnerOut = Field(description="The partner organization")
    assessment_id: int = Field(description="The id of the partner's assessment in this cycle")
    status: Literal["not_started", "in_progress", "submitted", "reopened"] = Field(
        description="not_started: no response yet; in_progress: people are answering; submitted: the lead submitted it; reopened: open "
                    "for answers again after a submission")
    responses_submitted: int = Field(description="How many of its people have submitted their response")
    responses_in_progress: int = Field(description="How many of its people have started but not submitted")
    last_activity: dt.datetime | None = Field(description="When a response was last saved or the assessment submitted; null before any "
                                                          "activity, and always null for callers who are not backbone staff")


class CycleDetail(CycleOut):
    progress: list[ProgressOut] = Field(description="Each partner's progress, by name: every partner for the backbone, only its own for a partner lead")


@router.get("/cycles/{cycle_id}", summary="One cycle with each partner's progress (the backbone sees all partners, a partner itself)")
def read_cycle(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> CycleDetail:
    """The cycle's settings and each partner's progress: status, responses submitted and under way, last activity. Backbone
    staff see every partner; a partner lead taking part sees its own row only."""
    cycle = access.get_cycle(db, principal, cycle_id)
    readable = set(db.scalars(select(Organization.id).where(access.org_scope(principal))))
    # Last activity goes to backbone staff only, as on the pages: a lead who polled it beside the invitations it sent
    # could tell when each invited person was answering.
    staff = access.is_backbone(principal)
    rows = [ProgressOut(partner=partner_out(r.organization), assessment_id=r.assessment.id, status=r.status.value,
                        responses_submitted=r.submitted, responses_in_progress=r.in_progress,
                        last_activity=r.last_activity if staff else None)
            for r in cycle_progress(db, cycle) if r.organization.id in readable]
    return CycleDetail(**cycle_out(cycle).model_dump(), progress=rows)


class CellOut(BaseModel):
    score: float | None = Field(description="The score from 0 to 100 at full precision; null without a result or with too few answers")
    shown: int | None = Field(description="The score as people see it: a whole number, rounded half up")
    level: str | None = Field(description="The id of the readiness level for the shown score; null without a score")
    level_name: str | None = Field(description="The level's name in the request's language; null without a score")
    baseline_shown: int | None = Field(description="The partner's shown score in the baseline cycle; null without a baseline or a score there")
    change: int | None = Field(description="The change since the baseline in points: shown score minus baseline shown score; null when "
                                           "either is missing")
    level_move: int | None = Field(description="Levels moved since the baseline (positive: up, negative: down, 0: same); null when either "
                                               "level is missing")
    comparable: bool = Field(description="Whether the domain has a match in the baseline's instrument version (false: no change is given)")


class RowOut(BaseModel):
    partner: PartnerOut = Field(description="The partner organization")
    assessment_id: int = Field(description="The id of the partner's assessment in this cycle")
    n_responses: int = Field(description="How many responses its result counts (0 without a result)")
    has_result: bool = Field(description="Whether the partner has submitted and has a result")
    overall: CellOut = Field(description="The overall score, level and change")
    domains: dict[str, CellOut] = Field(description="Domain id -> that domain's score, level and change")


class ComparisonOut(BaseModel):
    cycle_id: int = Field(description="The cycle compared")
    baseline_cycle_id: int | None = Field(description="The cycle the changes are measured from; null for a baseline cycle")
    language: str = Field(description="The language of the domain titles and level names")
    domains: dict[str, str] = Field(description="Domain id -> title, in the instrument's order")
    levels: dict[str, str] = Field(description="Readiness level id -> name, lowest level first")
    not_comparable_domains: list[str] = Field(description="The titles of the domains that have no match in the baseline's instrument version")
    rows: list[RowOut] = Field(description="One row per partner that matches the filters, in the order asked for (rows without a value last)")
    distribution: dict[str, dict[str, int]] = Field(description="Domain id -> how many of the rows are at each level (level id -> count), "
                                                                "plus not_enough_answers and no_result")


def _cell(c) -> CellOut:  # type: ignore[no-untyped-def]
    return CellOut(score=c.score, shown=c.shown, level=c.level.id if c.level else None, level_name=c.level.name if c.level else None,
                   baseline_shown=c.baseline_shown, change=c.change, level_move=c.level_move, comparable=c.comparable)


@router.get("/cycles/{cycle_id}/comparison", summary="Partners x domains: scores, levels and change since the baseline (backbone only)")
def comparison(cycle_id: IdPath, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
               sector: Annotated[str | None, Query(max_length=40, description="Only partners of this sector (its code)")] = None,
               size: Annotated[str | None, Query(max_length=20, description="Only partners of this size band (its code)")] = None,
               sort: Annotated[str, Query(max_length=80, description="name, sector, size, responses, overall, overall_change, a domain id, "
                                                                     "or change:DOMAIN_ID (an unknown key sorts by name)")] = "name",
               dir: Literal["asc", "desc"] = "asc") -> ComparisonOut:
    """Every partner's overall and domain scores, levels and change since the baseline, with the distribution of levels per
    domain, as the compare page shows them, in the request's language. Backbone staff only: a partner lead gets a 404."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    lang = i18n.get_locale()
    t = build_table(db, catalogue, cycle, lang, sector=sector, size=size, sort=sort, descending=dir == "desc")
    return ComparisonOut(
        cycle_id=cycle.id, baseline_cycle_id=t.baseline.id if t.baseline else None, language=lang,
        domains={d.id: d.title for d in t.domains}, levels={lv.id: lv.name for lv in t.levels},
        not_comparable_domains=t.not_comparable_domains,
        rows=[RowOut(partner=partner_out(r.organization), assessment_id=r.assessment.id, n_responses=r.n_responses, has_result=r.has_result,
                     overall=_cell(r.overall), domains={k: _cell(c) for k, c in r.cells.items()}) for r in t.rows],
        distribution={d.domain.id: {**{lv.id: n for lv, n in zip(t.levels, d.counts, strict=True)}, "not_enough_answers": d.not_enough,
                                    "no_result": d.no_result} for d in t.distribution})


@router.get("/cycles/{cycle_id}/export/{kind}", summary="A cycle's export: results by domain, by item, or raw answers (backbone only)",
            responses={200: {"content": {"text/csv": {}, "application/json": {},
                                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export(request: Request, cycle_id: IdPath, kind: ExportKind, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep,
           settings: SettingsDep, opts: Annotated[Options, Depends(export_options)], format: Literal["json", "csv", "xlsx"] = "json") -> Response:
    """The same exports as the cycle page's, written while they go out. `dictionary` describes every question and coded
    field; `answers` has only submitted assessments' answers, under the privacy rules of docs/privacy.md."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    f = export_stream(db, request.app.state.sessionmaker, catalogue, cycle, kind, format, i18n.get_locale(), settings.min_group_size,
                      principal.user_id, channel="api", address=client_key(request), opts=opts)
    return streamed_attachment(f.chunks, f.name, f.media_type)
