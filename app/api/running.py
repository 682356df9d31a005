"""The API's operations that run a partnership, as the backbone's pages do: change, archive and restore a partner,
invite its lead; close and reopen a cycle, send reminders and see who they reach, the invitations per partner; the
audit log; the partnership's people. Backbone administrators change; analysts read where the pages let them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from app import access, audit, clock
from app.api.deps import WRITE_ERRORS
from app.api.paging import PagingDep
from app.api.schemas import PartnerOut, partner_out
from app.assessments import reminders
from app.assessments import service as assessments
from app.assessments.models import Assessment
from app.assessments.results import IdPath
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.deps import CatalogueDep, CurrentUser, SessionDep, SettingsDep
from app.errors import Conflict, Invalid
from app.i18n import gettext as _
from app.organizations import service as orgs
from app.organizations.models import SECTORS, SIZE_BANDS

router = APIRouter(tags=["running a partnership"])
ADMIN_READ = {403: WRITE_ERRORS[403]}


# -- partners ----------------------------------------------------------------------------------

class PartnerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="A name no other partner of the partnership has")
    sector: Literal[SECTORS] | None = None  # type: ignore[valid-type]
    size_band: Literal[SIZE_BANDS] | None = None  # type: ignore[valid-type]
    preferred_language: str | None = Field(default=None, max_length=16, description="One of REASSESS_LOCALES")
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320, pattern=r"^$|^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


@router.patch("/partners/{partner_id}", summary="Change a partner's fields (backbone admins)", responses=WRITE_ERRORS)
def update_partner(partner_id: IdPath, body: PartnerPatch, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> PartnerOut:
    """Only the fields given change; the same checks as the form (one line each, a known language, a unique name)."""
    org = access.get_partner(db, principal, partner_id, "admin")
    values = {k: org_value for k in orgs.PARTNER_FIELDS if (org_value := getattr(org, k)) is not None}
    values.update({k: v.strip() for k, v in body.model_dump(exclude_none=True).items()})
    for field, message in orgs.partner_problems(db, values, settings.locales, org.backbone_id, org.id).items():
        raise Invalid(message, field=field)
    orgs.update_partner(db, org, values, principal.user_id)
    db.commit()
    return partner_out(org)


@router.post("/partners/{partner_id}/archive", summary="Archive a partner: kept with its history, left out of new cycles (backbone admins)",
             responses=WRITE_ERRORS)
def archive_partner(partner_id: IdPath, db: SessionDep, principal: CurrentUser) -> PartnerOut:
    org = access.get_partner(db, principal, partner_id, "admin")
    orgs.archive_partner(db, org, principal.user_id)
    db.commit()
    return partner_out(org)


@router.post("/partners/{partner_id}/restore", summary="Restore an archived partner (backbone admins)", responses=WRITE_ERRORS)
def restore_partner(partner_id: IdPath, db: SessionDep, principal: CurrentUser) -> PartnerOut:
    org = access.get_partner(db, principal, partner_id, "admin")
    orgs.restore_partner(db, org, principal.user_id)
    db.commit()
    return partner_out(org)


class LeadInvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
    language: str | None = Field(default=None, max_length=16, description="The invitation's language (default: the partner's)")


class InvitationOut(BaseModel):
    id: int
    email: str
    language: str
    expires_at: dt.datetime | None
    link: str | None = Field(description="The invitation link, given only when no email server is set (pass it on yourself)")


@router.post("/partners/{partner_id}/invite-lead", status_code=201, summary="Invite the partner's lead, in their language (backbone admins)",
             responses={**WRITE_ERRORS, 409: {"model": WRITE_ERRORS[403]["model"], "description": "The partner is archived"}})
def invite_lead(partner_id: IdPath, body: LeadInvitationIn, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> InvitationOut:
    org = access.get_partner(db, principal, partner_id, "admin")
    if org.archived_at is not None:
        raise Conflict(_("This partner is archived; restore it before inviting its lead."))
    language = body.language or org.preferred_language
    if language not in settings.locales:
        raise Invalid(_("Choose a language from the list."), field="language")
    issued = invitations.issue(db, settings, email=body.email.strip(), language=language, organization=org,
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, org, None, 0)
    db.commit()
    shown = outbox and access.may_see_link(principal, issued.invitation)
    return InvitationOut(id=issued.invitation.id, email=issued.invitation.email, language=issued.invitation.language,
                         expires_at=issued.invitation.expires_at, link=issued.link(settings) if shown else None)


# -- running a cycle ---------------------------------------------------------------------------

class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closes_on: dt.date | None = Field(default=None, description="Open until this day (default: the cycle's closing date, if it has not passed)")


class CycleStateOut(BaseModel):
    id: int
    state: Literal["upcoming", "open", "closed"]
    closes_on: dt.date
    closed: bool


def _state(cycle) -> CycleStateOut:  # type: ignore[no-untyped-def]
    return CycleStateOut(id=cycle.id, state=assessments.cycle_state(cycle, clock.today()), closes_on=cycle.closes_on, closed=cycle.closed_at is not None)


@router.post("/cycles/{cycle_id}/close", summary="Close a cycle: no new answers (backbone admins)", responses=WRITE_ERRORS)
def close_cycle(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> CycleStateOut:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    assessments.close_cycle(db, cycle, principal.user_id)
    db.commit()
    return _state(cycle)


@router.post("/cycles/{cycle_id}/reopen", summary="Reopen a closed cycle (backbone admins)", responses=WRITE_ERRORS)
def reopen_cycle(cycle_id: IdPath, body: ReopenIn, db: SessionDep, principal: CurrentUser) -> CycleStateOut:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    assessments.reopen_cycle(db, cycle, principal.user_id, body.closes_on.isoformat() if body.closes_on else "")
    db.commit()
    return _state(cycle)


class ReachOut(BaseModel):
    partner: PartnerOut
    respondents: int = Field(description="People invited who have not submitted (never their addresses)")
    lead: Literal["", "lead invitation", "lead"] = Field(description="Whether the lead is reminded: an invitation not accepted, or not started")


@router.get("/cycles/{cycle_id}/reminders", summary="Who a reminder round sent now would reach, per partner (backbone staff)")
def reminder_preview(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[ReachOut]:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    return [ReachOut(partner=partner_out(p.organization), respondents=p.respondents, lead=p.lead) for p in reminders.preview(db, cycle)]


class SentOut(BaseModel):
    sent: int = Field(description="Reminders sent, each with the link its person already has")


@router.post("/cycles/{cycle_id}/reminders", summary="Send a reminder round now (backbone admins)", responses=WRITE_ERRORS)
def send_reminders(cycle_id: IdPath, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep) -> SentOut:
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    if not assessments.cycle_is_open(cycle):
        raise Conflict(_("This cycle is not open: reminders go out only while people can answer."))
    n = reminders.send_by_hand(db, settings, cycle, assessments.instrument_of(catalogue, cycle).estimated_minutes, principal.user_id)
    db.commit()
    return SentOut(sent=n)


class InvitedOut(BaseModel):
    partner: PartnerOut
    assessment_id: int
    invited: int = Field(description="People invited to answer (links not revoked); their addresses stay with the lead who invited them")


@router.get("/cycles/{cycle_id}/invitations", summary="How many people each partner invited to answer (backbone staff)")
def cycle_invitations(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[InvitedOut]:
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    rows = db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id).order_by(Assessment.id)).all()
    counts = invitations.invited_counts(db, [a.id for a in rows])
    return [InvitedOut(partner=partner_out(a.organization), assessment_id=a.id, invited=counts.get(a.id, 0)) for a in rows]


# -- the audit log and the people ---------------------------------------------------------------

class AuditEntryOut(BaseModel):
    id: int
    at: dt.datetime
    action: str = Field(description="A stable code, e.g. cycle.exported")
    action_label: str = Field(description="What it means, in the request's language")
    actor: str = Field(description="Who (name and email); empty for the system or an anonymous respondent")
    organization: str
    object_type: str
    object_id: str
    object_name: str
    details: dict[str, object]


@router.get("/audit", summary="The audit log, newest first (backbone admins)", responses=ADMIN_READ)
def audit_log(db: SessionDep, principal: CurrentUser, page: PagingDep,
              action: Annotated[str | None, Query(max_length=64, description="Only this action (its code)")] = None,
              since: Annotated[dt.date | None, Query(description="From this day (the partnership's time zone)")] = None,
              until: Annotated[dt.date | None, Query(description="To this day, included")] = None) -> list[AuditEntryOut]:
    backbone = access.get_backbone(db, principal, "admin")
    labels = audit.labels()
    if action is not None and action not in labels:
        raise Invalid(_("Unknown action '%(action)s'.", action=action), field="action")
    entries = audit.backbone_events(db, backbone.id, limit=None, filters=audit.Filters(action=action, since=since, until=until))
    return page.slice([AuditEntryOut(id=e.id, at=e.at, action=e.action, action_label=labels.get(e.action, e.action), actor=e.actor,
                                     organization=e.organization, object_type=e.object_type, object_id=e.object_id,
                                     object_name=e.object_name, details=e.details) for e in entries])


class PersonSeatOut(BaseModel):
    user_id: int
    email: str
    name: str
    seat_id: int
    role: Literal["backbone_admin", "backbone_analyst", "partner_lead", "plan_editor"]
    organization_id: int
    organization: str
    last_signed_in: dt.datetime | None


@router.get("/people", summary="Who holds a seat in the partnership (staff, leads, plan editors; never respondents) (backbone admins)",
            responses=ADMIN_READ)
def people(db: SessionDep, principal: CurrentUser, page: PagingDep) -> list[PersonSeatOut]:
    return page.slice([PersonSeatOut(user_id=u.id, email=u.email, name=u.name or "", seat_id=m.id, role=m.role.value, organization_id=o.id,
                               organization=o.name, last_signed_in=u.last_login_at)
                       for u, m, o in access.partnership_people(db, principal)])

