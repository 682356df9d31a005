"""The API's operations that run a partnership, as the backbone's pages do: change, archive and restore a partner,
invite its lead; close and reopen a cycle, send reminders and see who they reach, the invitations per partner; the
audit log; the partnership's people. Backbone administrators change; analysts read where the pages let them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
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
from app.organizations.models import SECTORS, SIZE_BANDS, Organization

router = APIRouter(tags=["running a partnership"])
ADMIN_READ = {403: WRITE_ERRORS[403]}


# -- partners ----------------------------------------------------------------------------------

class PartnerPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="A name no other partner of the partnership has")
    sector: Literal[SECTORS] | None = Field(default=None, description="The sector's code")  # type: ignore[valid-type]
    size_band: Literal[SIZE_BANDS] | None = Field(default=None, description="The size band, by number of people")  # type: ignore[valid-type]
    preferred_language: str | None = Field(default=None, max_length=16, description="One of REASSESS_LOCALES")
    contact_name: str | None = Field(default=None, max_length=200, description="The contact person's name (empty to clear it)")
    contact_email: str | None = Field(default=None, max_length=320, pattern=r"^$|^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$",
                                      description="The contact person's email address (empty to clear it)")


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
    """Archives the partner and returns it: its history stays, it is left out of new cycles and of lists by default, and
    its people's seats stop working until it is restored. Backbone admins only (analysts get a 403)."""
    org = access.get_partner(db, principal, partner_id, "admin")
    orgs.archive_partner(db, org, principal.user_id)
    db.commit()
    return partner_out(org)


@router.post("/partners/{partner_id}/restore", summary="Restore an archived partner (backbone admins)", responses=WRITE_ERRORS)
def restore_partner(partner_id: IdPath, db: SessionDep, principal: CurrentUser) -> PartnerOut:
    """Brings an archived partner back, with its history, and returns it. Backbone admins only (analysts get a 403)."""
    org = access.get_partner(db, principal, partner_id, "admin")
    orgs.restore_partner(db, org, principal.user_id)
    db.commit()
    return partner_out(org)


class LeadInvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$",
                       description="The email address of the person invited to lead the partner")
    language: str | None = Field(default=None, max_length=16, description="The invitation's language (default: the partner's)")


class InvitationOut(BaseModel):
    id: int = Field(description="The invitation's id")
    email: str = Field(description="The address it was sent to")
    language: str = Field(description="The language code of the invitation and its email")
    expires_at: dt.datetime | None = Field(description="When the link stops working; null when it does not expire")
    link: str | None = Field(description="The invitation link, given only when no email server is set (pass it on yourself)")


def _sent(db: SessionDep, settings: SettingsDep, principal: CurrentUser, issued: invitations.Issued, org: Organization) -> InvitationOut:
    """Send an invitation just issued and say what became of it: its link only where no email server took it (outbox)."""
    outbox = invitations.send(db, settings, issued, org, None, 0)
    db.commit()
    shown = outbox and access.may_see_link(principal, issued.invitation)
    return InvitationOut(id=issued.invitation.id, email=issued.invitation.email, language=issued.invitation.language,
                         expires_at=issued.invitation.expires_at, link=issued.link(settings) if shown else None)


@router.post("/partners/{partner_id}/invite-lead", status_code=201, summary="Invite the partner's lead, in their language (backbone admins)",
             responses={**WRITE_ERRORS, 409: {"model": WRITE_ERRORS[403]["model"], "description": "The partner is archived"}})
def invite_lead(partner_id: IdPath, body: LeadInvitationIn, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> InvitationOut:
    """Sends a personal link to lead the partner, in the language given or the partner's, and returns the invitation; the
    link works once. Backbone admins only (analysts get a 403); an archived partner is a 409."""
    org = access.get_partner(db, principal, partner_id, "admin")
    if org.archived_at is not None:
        raise Conflict(_("This partner is archived; restore it before inviting its lead."))
    language = body.language or org.preferred_language
    if language not in settings.locales:
        raise Invalid(_("Choose a language from the list."), field="language")
    issued = invitations.issue(db, settings, email=body.email.strip(), language=language, organization=org,
                               purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=principal.user_id)
    return _sent(db, settings, principal, issued, org)


# -- running a cycle ---------------------------------------------------------------------------

class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closes_on: dt.date | None = Field(default=None, description="Open until this day (default: the cycle's closing date, if it has not passed)")


class CycleStateOut(BaseModel):
    id: int = Field(description="The cycle's id")
    state: Literal["upcoming", "open", "closed"] = Field(description="upcoming: not open yet; open: people can answer; closed: closed by an "
                                                                     "admin or past its closing day")
    closes_on: dt.date = Field(description="The last day people can answer")
    closed: bool = Field(description="Whether an admin has closed the cycle")


def _state(cycle) -> CycleStateOut:  # type: ignore[no-untyped-def]
    return CycleStateOut(id=cycle.id, state=assessments.cycle_state(cycle, clock.today()), closes_on=cycle.closes_on, closed=cycle.closed_at is not None)


@router.post("/cycles/{cycle_id}/close", summary="Close a cycle: no new answers (backbone admins)", responses=WRITE_ERRORS)
def close_cycle(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> CycleStateOut:
    """Closes the cycle now: no more answers or submissions, and a cycle.closed webhook event; closing a closed cycle changes
    nothing. Backbone admins only (analysts get a 403); returns the cycle's state."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    assessments.close_cycle(db, cycle, principal.user_id)
    db.commit()
    return _state(cycle)


@router.post("/cycles/{cycle_id}/reopen", summary="Reopen a closed cycle (backbone admins)", responses=WRITE_ERRORS)
def reopen_cycle(cycle_id: IdPath, body: ReopenIn, db: SessionDep, principal: CurrentUser) -> CycleStateOut:
    """Reopens a cycle closed early or past its closing day, until the closing day given (default: its own, if it has not
    passed); people's links work again and what was submitted stays submitted. Backbone admins only (analysts get a 403);
    a cycle that is not closed is a 422."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    assessments.reopen_cycle(db, cycle, principal.user_id, body.closes_on.isoformat() if body.closes_on else "")
    db.commit()
    return _state(cycle)


class ReachOut(BaseModel):
    partner: PartnerOut = Field(description="The partner organization")
    respondents: int = Field(description="People invited who have not submitted (never their addresses)")
    lead: Literal["", "lead invitation", "lead"] = Field(description="Whether the lead is reminded: an invitation not accepted, or not started")


@router.get("/cycles/{cycle_id}/reminders", summary="Who a reminder round sent now would reach, per partner (backbone staff)")
def reminder_preview(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[ReachOut]:
    """Per partner, how many people a reminder round sent now would reach and whether its lead would be reminded; never
    anyone's address. Backbone staff (admins and analysts); a partner lead gets a 404."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    return [ReachOut(partner=partner_out(p.organization), respondents=p.respondents, lead=p.lead) for p in reminders.preview(db, cycle)]


class SentOut(BaseModel):
    sent: int = Field(description="Reminders sent, each with the link its person already has")


@router.post("/cycles/{cycle_id}/reminders", summary="Send a reminder round now (backbone admins)",
             responses={**WRITE_ERRORS, 409: {"model": WRITE_ERRORS[403]["model"], "description": "The cycle is not open"}})
def send_reminders(cycle_id: IdPath, db: SessionDep, principal: CurrentUser, settings: SettingsDep, catalogue: CatalogueDep) -> SentOut:
    """Sends a reminder round now, each in its person's language: everyone invited who has not submitted, leads who have not
    accepted their invitation, leads whose team has not started. Backbone admins only (analysts get a 403); a cycle that
    is not open is a 409."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id, "admin")
    if not assessments.cycle_is_open(cycle):
        raise Conflict(_("This cycle is not open: reminders go out only while people can answer."))
    n = reminders.send_by_hand(db, settings, cycle, assessments.instrument_of(catalogue, cycle).estimated_minutes, principal.user_id)
    db.commit()
    return SentOut(sent=n)


class InvitedOut(BaseModel):
    partner: PartnerOut = Field(description="The partner organization")
    assessment_id: int = Field(description="The id of the partner's assessment in this cycle")
    invited: int = Field(description="People invited to answer (links not revoked); their addresses stay with the lead who invited them")


@router.get("/cycles/{cycle_id}/invitations", summary="How many people each partner invited to answer (backbone staff)")
def cycle_invitations(cycle_id: IdPath, db: SessionDep, principal: CurrentUser) -> list[InvitedOut]:
    """Per partner of the cycle, the number of people invited to answer (links not revoked), never their addresses.
    Backbone staff (admins and analysts); a partner lead gets a 404."""
    cycle = access.get_backbone_cycle(db, principal, cycle_id)
    rows = db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id).order_by(Assessment.id)).all()
    counts = invitations.invited_counts(db, [a.id for a in rows])
    return [InvitedOut(partner=partner_out(a.organization), assessment_id=a.id, invited=counts.get(a.id, 0)) for a in rows]


# -- the audit log and the people ---------------------------------------------------------------

class AuditEntryOut(BaseModel):
    id: int = Field(description="The entry's id (higher is later)")
    at: dt.datetime = Field(description="When it happened")
    action: str = Field(description="A stable code, e.g. cycle.exported")
    action_label: str = Field(description="What it means, in the request's language")
    actor: str = Field(description="Who (name and email); empty for the system or an anonymous respondent")
    organization: str = Field(description="The name of the organization it concerns (the backbone or a partner)")
    object_type: str = Field(description="The kind of object acted on, e.g. cycle, assessment, organization")
    object_id: str = Field(description="The object's id, as text")
    object_name: str = Field(description="The cycle's name in the request's language when the object is a cycle; empty otherwise")
    details: dict[str, object] = Field(description="What else was recorded, which depends on the action (e.g. fields changed, a language)")


@router.get("/audit", summary="The audit log, newest first (backbone admins)", responses=ADMIN_READ)
def audit_log(db: SessionDep, principal: CurrentUser, page: PagingDep,
              action: Annotated[str | None, Query(max_length=64, description="Only this action (its code)")] = None,
              since: Annotated[dt.date | None, Query(description="From this day (the partnership's time zone)")] = None,
              until: Annotated[dt.date | None, Query(description="To this day, included")] = None) -> list[AuditEntryOut]:
    """What was done in the partnership and its partners, by whom and when, newest first, optionally of one action and
    between two days. Backbone admins only (analysts get a 403); an unknown action code is a 422."""
    backbone = access.get_backbone(db, principal, "admin")
    labels = audit.labels()
    if action is not None and action not in labels:
        raise Invalid(_("Unknown action '%(action)s'.", action=action), field="action")
    entries = audit.backbone_events(db, backbone.id, limit=page.offset + page.limit + 1,  # only as far as this page
                                    filters=audit.Filters(action=action, since=since, until=until))
    return page.slice([AuditEntryOut(id=e.id, at=e.at, action=e.action, action_label=labels.get(e.action, e.action), actor=e.actor,
                                     organization=e.organization, object_type=e.object_type, object_id=e.object_id,
                                     object_name=e.object_name, details=e.details) for e in entries])


class PersonSeatOut(BaseModel):
    user_id: int = Field(description="The person's user id")
    email: str = Field(description="The person's email address")
    name: str = Field(description="The person's name; empty when not given")
    seat_id: int = Field(description="The seat's id (one person may hold several seats)")
    role: Literal["backbone_admin", "backbone_analyst", "partner_lead", "plan_editor", "composition_editor"] = Field(
        description="backbone_admin: changes everything; backbone_analyst: reads the partnership; partner_lead: runs a partner's "
                    "assessment; plan_editor: changes a partner's action plan only; composition_editor: enters a partner's "
                    "composition counts only")
    organization_id: int = Field(description="The id of the organization the seat is in")
    organization: str = Field(description="That organization's name")
    last_signed_in: dt.datetime | None = Field(description="When the person last signed in; null if never")


@router.get("/people", summary="Who holds a seat in the partnership (staff, leads, plan editors; never respondents) (backbone admins)",
            responses=ADMIN_READ)
def people(db: SessionDep, principal: CurrentUser, page: PagingDep) -> list[PersonSeatOut]:
    """Every seat of the partnership held by someone who signs in: its staff, and its partners' leads and plan editors
    (never respondents), by organization then email. Backbone admins only (analysts get a 403)."""
    return page.slice([PersonSeatOut(user_id=u.id, email=u.email, name=u.name or "", seat_id=m.id, role=m.role.value, organization_id=o.id,
                               organization=o.name, last_signed_in=u.last_login_at)
                       for u, m, o in access.partnership_people(db, principal)])



STAFF = {"backbone_admin": InvitationPurpose.backbone_admin, "backbone_analyst": InvitationPurpose.backbone_analyst}


class StaffInvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$",
                       description="The colleague's address")
    role: Literal["backbone_admin", "backbone_analyst"] = Field(description="The seat: an administrator changes, an analyst only reads")
    language: str | None = Field(default=None, max_length=16, description="The invitation's language (default: the partnership's first)")


@router.post("/people/invite", status_code=201, summary="Invite a colleague to the coordinating staff (backbone admins)", responses=WRITE_ERRORS)
def invite_staff(body: StaffInvitationIn, db: SessionDep, principal: CurrentUser, settings: SettingsDep) -> InvitationOut:
    """The invitation link, as the People page sends it; given in the answer only when no email server is set."""
    backbone = access.get_backbone(db, principal, "admin")
    language = body.language or settings.default_locale
    if language not in settings.locales:
        raise Invalid(_("Choose a language from the list."), field="language")
    issued = invitations.issue(db, settings, email=body.email.strip(), language=language, organization=backbone, purpose=STAFF[body.role],
                               assessment_id=None, created_by_id=principal.user_id)
    return _sent(db, settings, principal, issued, backbone)


@router.delete("/people/seats/{seat_id}", status_code=204, summary="Take a seat away (backbone admins)", responses=WRITE_ERRORS)
def remove_seat(seat_id: IdPath, db: SessionDep, principal: CurrentUser) -> Response:
    """Never one's own seat, never the last administrator's; the account keeps its other seats."""
    orgs.remove_seat(db, access.get_removable_seat(db, principal, seat_id), principal.user_id)
    db.commit()
    return Response(status_code=204)
