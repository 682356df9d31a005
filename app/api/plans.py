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
    id: int
    partner_id: int
    title: str
    description: str
    domain_id: str | None
    item_ids: list[str]
    owner: str
    starts_on: dt.date | None
    due_on: dt.date | None
    measure: str
    status: Literal["planned", "in_progress", "done", "dropped"]
    dropped_reason: str
    source: Literal["opportunity", "commitment", "scratch"]
    planned_in_cycle_id: int | None
    notes: list[dict[str, str]] = Field(description="Progress notes, newest first: date and text")
    updated_at: dt.datetime


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short = Field(min_length=1)
    description: Long = ""
    domain_id: ItemId | None = None
    item_ids: list[ItemId] = Field(default_factory=list, max_length=50)
    owner: Short = ""
    starts_on: dt.date | None = None
    due_on: dt.date | None = None
    measure: Long = ""
    status: Literal["planned", "in_progress", "done", "dropped"] = "planned"
    dropped_reason: Long = ""


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
    body: Long = Field(min_length=1)
    noted_on: dt.date | None = Field(default=None, description="The day the progress is about (default: today)")


@router.post("/actions/{action_id}/notes", status_code=201, summary="Add a dated progress note to an action (its leads and plan editors)",
             responses=WRITE_ERRORS)
def add_note(action_id: IdPath, body: NoteIn, db: SessionDep, principal: CurrentUser) -> ActionOut:
    action = access.get_action(db, principal, action_id, "change")
    service.add_note(db, action, body.body, body.noted_on, principal.user_id)
    db.commit()
    db.refresh(action)
    return action_out(action)


class StandingOut(BaseModel):
    cycle_id: int
    cycle: str
    value: float | None = Field(description="Share of partners (0-100) at the level or above, or the median's change in points")
    partners: int
    met: bool


class TargetOut(BaseModel):
    id: int
    title: str
    goal: str
    kind: Literal["share_at_level", "median_change"]
    domain_id: str
    level_index: int | None
    share: int | None
    points: int | None
    reference_cycle_id: int | None
    due_on: dt.date | None
    standings: list[StandingOut]
    withheld: int = Field(description="For partners: closed cycles whose figure rests on fewer partners than the anonymity minimum")


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Short = Field(min_length=1)
    kind: Literal["share_at_level", "median_change"]
    domain_id: ItemId = "overall"
    level_index: int | None = Field(default=None, ge=0, le=20)
    share: int | None = Field(default=None, ge=1, le=100)
    points: int | None = Field(default=None, ge=1, le=100)
    reference_cycle_id: int = Field(ge=1, le=2**31 - 1)
    due_on: dt.date | None = None


@router.get("/targets", summary="The partnership's targets and where it stands on each, cycle by cycle")
def list_targets(db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep, settings: SettingsDep, page: PagingDep) -> list[TargetOut]:
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
                            figures=not partner_view or any(o.id in leads for o in access.plan_organizations(db, principal)))
    out = []
    for r in rows:
        t = r.target
        out.append(TargetOut(id=t.id, title=t.title, goal=r.goal, kind=t.kind.value, domain_id=t.domain_id, level_index=t.level_index,
                             share=t.share, points=t.points, reference_cycle_id=t.reference_cycle_id, due_on=t.due_on, withheld=r.withheld,
                             standings=[StandingOut(cycle_id=s.cycle.id, cycle=s.cycle.name_in(i18n.get_locale()), value=s.value,
                                                    partners=s.partners, met=s.met) for s in r.standings]))
    return page.slice(out)


@router.post("/targets", status_code=201, summary="Set a partnership target (backbone admins)", responses=WRITE_ERRORS)
def add_target(body: TargetIn, db: SessionDep, principal: CurrentUser, catalogue: CatalogueDep) -> dict[str, int]:
    if not access.is_backbone(principal):
        raise Forbidden()
    backbone = access.get_backbone(db, principal, "admin")
    fields = targets.TargetFields(title=body.title, kind=body.kind, domain_id=body.domain_id,
                                  level_index="" if body.level_index is None else str(body.level_index),
                                  share="" if body.share is None else str(body.share), points="" if body.points is None else str(body.points),
                                  reference_cycle_id=str(body.reference_cycle_id), due_on=body.due_on.isoformat() if body.due_on else "")
    target = targets.create_target(db, catalogue, backbone, fields, principal.user_id)
    db.commit()
    return {"id": target.id}


class CheckInOut(BaseModel):
    id: int
    due_on: dt.date
    reminded_at: dt.datetime | None
    updated: dict[int, bool] = Field(description="Partner id -> whether its plan changed in this check-in's window")


@router.get("/cycles/{cycle_id}/check-ins", summary="A cycle's check-ins and which partners updated their plan for each (backbone staff)")
def list_check_ins(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[CheckInOut]:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    dates, rows = checkins.standings(db, cycle)
    return [CheckInOut(id=c.id, due_on=c.due_on, reminded_at=c.reminded_at, updated={r.organization.id: r.updated[c.id] for r in rows})
            for c in dates]
