"""GET/POST /api/v1/partners/{id}/actions and /api/v1/targets: action plans and the partnership's targets as JSON.

A plan is read by its partner's leads and plan editors and by its backbone's staff, and written by the former
(app.access); targets are written by backbone admins and read by backbone staff; partners' leads read the partnership's figures of
closed cycles, frozen at their close, where at least the anonymity minimum of partners have results; plan editors read
the targets' words alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select

from app import access, i18n
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.api.schemas import PLAIN_TEXT
from app.assessments.models import Assessment, Cycle
from app.assessments.results import IdPath
from app.assessments.service import instrument_of
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.errors import Forbidden
from app.plans import checkins, service, targets
from app.plans.models import Action

router = APIRouter(tags=["action plans"])
Short = Annotated[str, StringConstraints(max_length=200, pattern=PLAIN_TEXT)]
Long = Annotated[str, StringConstraints(max_length=5000)]
ItemId = Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class ActionOut(BaseModel):
    id: int = Field(description="The action's id")
    partner_id: int = Field(description="The id of the partner organization whose plan it is in")
    title: str = Field(description="What the organization will do, in a line")
    description: str = Field(description="More about the action; may be empty")
    domain_id: str | None = Field(description="The id of the domain it addresses; null when none is chosen")
    item_ids: list[str] = Field(description="The ids of the questions (items) of that domain it addresses; may be empty")
    owner: str = Field(description="Who carries it out (free text); may be empty")
    starts_on: dt.date | None = Field(description="When it starts; null when not set")
    due_on: dt.date | None = Field(description="When it is due; null when not set")
    measure: str = Field(description="How progress will be known; may be empty")
    status: Literal["planned", "in_progress", "done", "dropped"] = Field(description="Where the action stands")
    dropped_reason: str = Field(description="Why it was dropped (given with the status dropped); empty otherwise")
    source: Literal["opportunity", "commitment", "scratch"] = Field(
        description="What it was started from: opportunity, a growth opportunity of a result; commitment, a commitment the team wrote when "
                    "answering; scratch, nothing")
    planned_in_cycle_id: int | None = Field(description="The cycle whose result it was planned from; null when planned outside a cycle")
    notes: list[dict[str, str]] = Field(description="Progress notes, newest first: date and text")
    updated_at: dt.datetime = Field(description="When the action or its notes last changed")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short = Field(min_length=1, description="What the organization will do, in a line")
    description: Long = Field(default="", description="More about the action")
    domain_id: ItemId | None = Field(default=None, description="The id of the domain it addresses, in the instrument of the partner's latest "
                                                               "cycle; none for no domain")
    item_ids: list[ItemId] = Field(default_factory=list, max_length=50, description="The ids of questions (items) it addresses, all of the "
                                                                                     "action's domain when one is given")
    owner: Short = Field(default="", description="Who carries it out (free text)")
    starts_on: dt.date | None = Field(default=None, description="When it starts")
    due_on: dt.date | None = Field(default=None, description="When it is due: on or after starts_on")
    measure: Long = Field(default="", description="How progress will be known")
    status: Literal["planned", "in_progress", "done", "dropped"] = Field(default="planned", description="Where the action stands")
    dropped_reason: Long = Field(default="", description="Why it is dropped: required with the status dropped")


def action_out(a: Action) -> ActionOut:
    return ActionOut(id=a.id, partner_id=a.organization_id, title=a.title, description=a.description, domain_id=a.domain_id,
                     item_ids=list(a.item_ids or []), owner=a.owner, starts_on=a.starts_on, due_on=a.due_on, measure=a.measure,
                     status=a.status.value, dropped_reason=a.dropped_reason, source=a.source.value, planned_in_cycle_id=a.cycle_id,
                     notes=[{"date": n.noted_on.isoformat(), "text": n.body} for n in a.notes], updated_at=a.updated_at)


def _instrument(db: SessionDep, catalogue: CatalogueDep, org_id: int):  # type: ignore[no-untyped-def]
    cycle = db.scalar(select(Cycle).join(Assessment, Assessment.cycle_id == Cycle.id).where(Assessment.organization_id == org_id)
                      .order_by(Cycle.opens_on.desc(), Cycle.id.desc()).limit(1))
    return instrument_of(catalogue, cycle) if cycle is not None else None


@router.get("/partners/{partner_id}/actions", summary="A partner's action plan (its leads and plan editors, its backbone's staff)")
def list_actions(partner_id: IdPath, db: SessionDep, principal: CurrentUser, page: PagingDep,
                 status: Annotated[Literal["planned", "in_progress", "done", "dropped"] | None, Query(description="Only in this status")] = None,
                 updated_since: Annotated[dt.datetime | None, Query(description="Only those changed at or after this time (ISO 8601)")] = None,
                 ) -> list[ActionOut]:
    """In the plan's order."""
    org = access.get_plan_organization(db, principal, partner_id)
    since = (updated_since if updated_since is None or updated_since.tzinfo else updated_since.replace(tzinfo=dt.UTC))
    actions = [a for a in service.plan_of(db, org.id) if (status is None or a.status.value == status)
               and (since is None or a.updated_at.replace(tzinfo=a.updated_at.tzinfo or dt.UTC) >= since)]
    return page.slice([action_out(a) for a in actions])


@router.post("/partners/{partner_id}/actions", status_code=201, summary="Add an action to a partner's plan (its leads and plan editors)",
             responses=WRITE_ERRORS)
def add_action(partner_id: IdPath, body: ActionIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> ActionOut:
    """Adds an action to the partner's plan and returns it; its domain and questions are checked against the instrument of
    the partner's latest cycle. Only the partner's leads and plan editors may add one (backbone staff read, 403)."""
    org = access.get_plan_organization(db, principal, partner_id, "change")
    fields = service.ActionFields(title=body.title, description=body.description, domain_id=body.domain_id or "", item_ids=tuple(body.item_ids),
                                  owner=body.owner, starts_on=body.starts_on, due_on=body.due_on, measure=body.measure, status=body.status,
                                  dropped_reason=body.dropped_reason)
    action = service.create_action(db, org, fields, _instrument(db, catalogue, org.id), principal.user_id)
    db.commit()
    return action_out(action)


@router.patch("/actions/{action_id}", summary="Change an action of a plan (its partner's leads and plan editors)", responses=WRITE_ERRORS)
def update_action(action_id: IdPath, body: ActionIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> ActionOut:
    """The whole action as it should be (the fields left out take their defaults, as in the form)."""
    action = access.get_action(db, principal, action_id, "change")
    fields = service.ActionFields(title=body.title, description=body.description, domain_id=body.domain_id or "", item_ids=tuple(body.item_ids),
                                  owner=body.owner, starts_on=body.starts_on, due_on=body.due_on, measure=body.measure, status=body.status,
                                  dropped_reason=body.dropped_reason)
    service.update_action(db, action, fields, _instrument(db, catalogue, action.organization_id), principal.user_id)
    db.commit()
    return action_out(action)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: Long = Field(min_length=1, description="The note: what progress was made")
    noted_on: dt.date | None = Field(default=None, description="The day the progress is about (default: today)")


@router.post("/actions/{action_id}/notes", status_code=201, summary="Add a dated progress note to an action (its leads and plan editors)",
             responses=WRITE_ERRORS)
def add_note(action_id: IdPath, body: NoteIn, db: SessionDep, principal: CurrentUser) -> ActionOut:
    """Adds a progress note, dated the day it is about (today by default), and returns the action with its notes. Only the
    partner's leads and plan editors may add one (backbone staff read, 403)."""
    action = access.get_action(db, principal, action_id, "change")
    service.add_note(db, action, body.body, body.noted_on, principal.user_id)
    db.commit()
    db.refresh(action)
    return action_out(action)


class StandingOut(BaseModel):
    cycle_id: int = Field(description="The cycle's id")
    cycle: str = Field(description="The cycle's name in the request's language")
    value: float | None = Field(description="Share of partners (0-100) at the level or above, or the median's change in points")
    partners: int = Field(description="How many partners have a result in the target's domain in this cycle")
    met: bool = Field(description="Whether the figure reaches the target's share or points")


class TargetOut(BaseModel):
    id: int = Field(description="The target's id")
    title: str = Field(description="The target's name, as the backbone wrote it")
    goal: str = Field(description="The target in words, in the request's language, e.g. 80 % of partners at “Established” or above: Data")
    kind: Literal["share_at_level", "median_change", "composition_gap"] = Field(
        description="share_at_level: a share of partners at a readiness level or above; median_change: the partnership's median score up "
                    "by some points from the reference cycle; composition_gap: the partnership's share of people of color at a level of "
                    "seats within some points of its benchmark")
    domain_id: str = Field(description="The id of the domain in the reference cycle's instrument, or overall")
    level_index: int | None = Field(description="share_at_level: the level's position among the instrument's levels (0: the lowest); null otherwise")
    share: int | None = Field(description="share_at_level: the percent of partners aimed for (1-100); null otherwise")
    points: int | None = Field(description="median_change: the points the median score should rise by; composition_gap: the largest "
                                           "gap below the benchmark, in points; null otherwise")
    level: Literal["board", "leadership", "managers", "staff"] | None = Field(description="composition_gap: the level of seats; null otherwise")
    reference_cycle_id: int | None = Field(description="The cycle whose instrument names the domain, and the baseline of a median change; null "
                                                       "when that cycle no longer exists")
    due_on: dt.date | None = Field(description="The day the target should be met by; null when not set")
    standings: list[StandingOut] = Field(description="The partnership's figure in each cycle with results, oldest first (partners: closed cycles "
                                                     "only, as they stood at the close; plan editors: none)")
    withheld: int = Field(description="For partners: closed cycles whose figure rests on fewer partners than the anonymity minimum")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short = Field(min_length=1, description="The target's name")
    kind: Literal["share_at_level", "median_change", "composition_gap"] = Field(
        description="share_at_level: a share of partners at a readiness level or above (give level_index and share); median_change: the "
                    "median score up by some points from the reference cycle (give points); composition_gap: people of color at a level "
                    "of seats within some points of the partnership's benchmark (give level and points)")
    domain_id: ItemId = Field(default="overall", description="A domain id of the reference cycle's instrument, or overall")
    level_index: int | None = Field(default=None, ge=0, le=20, description="share_at_level: the level's position among the instrument's levels "
                                                                           "(0: the lowest)")
    share: int | None = Field(default=None, ge=1, le=100, description="share_at_level: the percent of partners to reach the level or above")
    points: int | None = Field(default=None, ge=0, le=100, description="median_change: the points the median score should rise by (1-100); "
                                                                      "composition_gap: the largest gap below the benchmark (0-100)")
    level: Literal["board", "leadership", "managers", "staff"] | None = Field(default=None, description="composition_gap: the level of seats")
    reference_cycle_id: int = Field(ge=1, le=2**31 - 1, description="A cycle of the partnership: its instrument names the domain, and it is "
                                                                     "the baseline of a median change")
    due_on: dt.date | None = Field(default=None, description="The day the target should be met by")


@router.get("/targets", summary="The partnership's targets and where it stands on each, cycle by cycle")
def list_targets(db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep, page: PagingDep) -> list[TargetOut]:
    """The partnership's targets in words, with its figure for each in every cycle. Backbone staff see every cycle as it
    stands; partner leads see closed cycles only, frozen at their close, and only figures that rest on at least the
    anonymity minimum of partners; plan editors get the targets' words alone."""
    leads = access.lead_org_ids(principal)
    if access.is_backbone(principal):
        backbone_id, partner_view = access.get_backbone(db, principal).id, False
    else:
        orgs = access.plan_organizations(db, principal)
        if not orgs or orgs[0].backbone_id is None:
            return []
        backbone_id, partner_view = orgs[0].backbone_id, True
    # Partners: closed cycles only, frozen at their close, with enough partners; plan editors: the words alone.
    rows = targets.overview(db, catalogue, backbone_id, i18n.get_locale(), for_partners=partner_view,
                            min_partners=settings.min_group_size if partner_view else 0,
                            figures=not partner_view or any(o.id in leads for o in access.plan_organizations(db, principal)),
                            minimum=settings.min_group_size)
    out = []
    for r in rows:
        t = r.target
        out.append(TargetOut(id=t.id, title=t.title, goal=r.goal, kind=t.kind.value, domain_id=t.domain_id, level_index=t.level_index,
                             share=t.share, points=t.points, level=t.level,  # type: ignore[arg-type]
                             reference_cycle_id=t.reference_cycle_id, due_on=t.due_on, withheld=r.withheld,
                             standings=[StandingOut(cycle_id=s.cycle.id, cycle=s.cycle.name_in(i18n.get_locale()), value=s.value,
                                                    partners=s.partners, met=s.met) for s in r.standings]))
    return page.slice(out)


@router.post("/targets", status_code=201, summary="Set a partnership target (backbone admins)", responses=WRITE_ERRORS)
def add_target(body: TargetIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> dict[str, int]:
    """Sets a target for the caller's partnership and returns its id ({"id": ...}). Backbone admins only (others get a 403);
    share_at_level needs level_index and share, median_change needs points."""
    if not access.is_backbone(principal):
        raise Forbidden()
    backbone = access.get_backbone(db, principal, "admin")
    fields = targets.TargetFields(title=body.title, kind=body.kind, domain_id=body.domain_id,
                                  level_index="" if body.level_index is None else str(body.level_index),
                                  share="" if body.share is None else str(body.share), points="" if body.points is None else str(body.points),
                                  reference_cycle_id=str(body.reference_cycle_id), due_on=body.due_on.isoformat() if body.due_on else "",
                                  level=body.level or "")
    target = targets.create_target(db, catalogue, backbone, fields, principal.user_id)
    db.commit()
    return {"id": target.id}


class CheckInOut(BaseModel):
    id: int = Field(description="The check-in's id")
    due_on: dt.date = Field(description="The day by which partners update their plans")
    reminded_at: dt.datetime | None = Field(description="When the partners were reminded of it; null before the reminder")
    updated: dict[int, bool] = Field(description="Partner id -> whether its plan changed in this check-in's window")


@router.get("/cycles/{cycle_id}/check-ins", summary="A cycle's check-ins and which partners updated their plan for each (backbone staff)")
def list_check_ins(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[CheckInOut]:
    """The cycle's check-in dates, earliest first, and per partner whether its plan changed in each check-in's window
    (after the previous check-in, or the cycle's opening, up to the check-in's date). Backbone staff only: a partner lead
    gets a 404."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    dates, rows = checkins.standings(db, cycle)
    return [CheckInOut(id=c.id, due_on=c.due_on, reminded_at=c.reminded_at, updated={r.organization.id: r.updated[c.id] for r in rows})
            for c in dates]
