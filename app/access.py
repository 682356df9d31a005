"""The permission layer: who may read or change what. Every service and route asks here.

A principal never learns that an object it may not read exists: such lookups raise NotFound,
whatever the id. Readable objects that the principal may not change raise Forbidden.
Scoping functions return SQL conditions, so list queries cannot forget a tenant filter.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import ColumnElement, Select, String, and_, bindparam, case, cast, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.assessments.models import Answer, Assessment, Cycle, Response, ResponseStatus
from app.auth.models import Invitation, User
from app.auth.service import Principal
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.organizations.models import BACKBONE_ROLES, Membership, Organization, OrgKind, Role
from app.plans.models import Action

Need = Literal["read", "manage", "admin"]


def backbone_ids(p: Principal, roles: tuple[Role, ...] = BACKBONE_ROLES) -> set[int]:
    return {s.organization_id for s in p.seats if s.kind is OrgKind.backbone and s.role in roles}


def admin_backbone_ids(p: Principal) -> set[int]:
    return backbone_ids(p, (Role.backbone_admin,))


def lead_org_ids(p: Principal) -> set[int]:
    return {s.organization_id for s in p.seats if s.kind is OrgKind.partner and s.role is Role.partner_lead}


def is_backbone(p: Principal) -> bool:
    return bool(backbone_ids(p)) and p.invitation_id is None


def is_backbone_admin(p: Principal) -> bool:
    return bool(admin_backbone_ids(p)) and p.invitation_id is None


def is_partner_lead(p: Principal) -> bool:
    return bool(lead_org_ids(p)) and p.invitation_id is None


def home_for(p: Principal) -> str:
    """Where a principal starts: the backbone workspace, their organization, or their response."""
    if is_backbone(p):
        return "/backbone"
    if is_partner_lead(p):
        return "/partner"
    editing = plan_org_ids(p)
    if editing:
        return f"/plans/{min(editing)}"
    counting = composition_org_ids(p)
    if counting:
        return f"/composition/{min(counting)}"
    return "/respond"


# -- organizations ---------------------------------------------------------------------------

def org_scope(p: Principal, need: Need = "read") -> ColumnElement[bool]:
    """Organizations the principal may read (need='read') or change (need='manage'/'admin')."""
    if p.invitation_id is not None:
        return false()
    if need == "read":
        backbones = backbone_ids(p)
        own = lead_org_ids(p)
    else:
        backbones = admin_backbone_ids(p)
        own = lead_org_ids(p) if need == "manage" else set()
    conditions = []
    if backbones:
        conditions += [Organization.backbone_id.in_(backbones), Organization.id.in_(backbones)]
    if own:
        conditions.append(Organization.id.in_(own))
    return or_(*conditions) if conditions else false()


def can(p: Principal, org: Organization, need: Need) -> bool:
    if p.invitation_id is not None:
        return False
    backbone = org.id if org.kind is OrgKind.backbone else org.backbone_id
    if need == "read":
        return backbone in backbone_ids(p) or org.id in lead_org_ids(p)
    if need == "manage":
        return backbone in admin_backbone_ids(p) or org.id in lead_org_ids(p)
    return backbone in admin_backbone_ids(p)


def get_organization(session: Session, p: Principal, org_id: int, need: Need = "read") -> Organization:
    org = session.get(Organization, org_id)
    if org is None or not can(p, org, "read"):
        raise NotFound()
    if not can(p, org, need):
        raise Forbidden()
    return org


# -- cycles ----------------------------------------------------------------------------------

def cycle_scope(p: Principal) -> ColumnElement[bool]:
    """Cycles of the principal's backbone, or cycles in which the principal's organization takes part."""
    if p.invitation_id is not None:
        return false()
    conditions = []
    if backbone_ids(p):
        conditions.append(Cycle.backbone_id.in_(backbone_ids(p)))
    if lead_org_ids(p):
        conditions.append(Cycle.id.in_(select(Assessment.cycle_id).where(Assessment.organization_id.in_(lead_org_ids(p)))))
    return or_(*conditions) if conditions else false()


def get_cycle(session: Session, p: Principal, cycle_id: int, need: Need = "read") -> Cycle:
    cycle = session.scalar(select(Cycle).where(Cycle.id == cycle_id, cycle_scope(p)))
    if cycle is None:
        raise NotFound()
    if need != "read" and cycle.backbone_id not in admin_backbone_ids(p):
        raise Forbidden()
    return cycle


def can_compare_cycle(p: Principal, cycle: Cycle) -> bool:
    """Cross-partner views of a cycle are for the backbone only."""
    return cycle.backbone_id in backbone_ids(p) and p.invitation_id is None


def get_backbone_cycle(session: Session, p: Principal, cycle_id: int, need: Literal["read", "admin"] = "read") -> Cycle:
    """A cycle seen from the backbone workspace: partners never reach these views (404), analysts only read (403)."""
    cycle = get_cycle(session, p, cycle_id, need)
    if not can_compare_cycle(p, cycle):
        raise NotFound()
    return cycle


# -- the backbone workspace --------------------------------------------------------------------

def get_backbone(session: Session, p: Principal, need: Literal["read", "admin"] = "read") -> Organization:
    """The backbone the principal works in: one, the same for reading and for changing (the first they administer, else
    the first they read); need='admin' refuses analysts (403)."""
    ids = backbone_ids(p) if p.invitation_id is None else set()
    if not ids:
        raise NotFound()
    chosen = min(admin_backbone_ids(p) or ids)
    if need == "admin" and chosen not in admin_backbone_ids(p):
        raise Forbidden(_("Only backbone administrators can change this; analysts can read it."))
    org = session.get(Organization, chosen)
    assert org is not None
    return org


def get_partner(session: Session, p: Principal, org_id: int, need: Need = "read") -> Organization:
    org = get_organization(session, p, org_id, need)
    if org.kind is not OrgKind.partner:
        raise NotFound()
    return org


# -- assessments and responses ---------------------------------------------------------------

def assessment_scope(p: Principal) -> ColumnElement[bool]:
    return Assessment.organization_id.in_(select(Organization.id).where(org_scope(p)))


def get_assessment(session: Session, p: Principal, assessment_id: int, need: Need = "read") -> Assessment:
    """need='read': see status and results; 'manage': invite, submit (lead or backbone admin); 'admin': reopen."""
    assessment = session.get(Assessment, assessment_id)
    if assessment is None or not can(p, assessment.organization, "read"):
        raise NotFound()
    if not can(p, assessment.organization, need):
        raise Forbidden()
    return assessment


def reaches_response(p: Principal, response: Response) -> bool:
    """A link's session reaches the one response its invitation opened; an account's sign-in reaches the person's own
    responses that were not started from a link (a lead's own answers), never one that was."""
    if response.user_id != p.user_id or p.via_token:
        return False
    if p.invitation_id is not None:
        return response.invited and response.assessment_id == p.invitation_assessment_id
    return not response.invited


def lead_assessments(session: Session, p: Principal) -> list[Assessment]:
    """The assessments of the organizations the principal leads, newest first."""
    ids = lead_org_ids(p)
    if not ids or p.invitation_id is not None:
        return []
    return list(session.scalars(select(Assessment).options(joinedload(Assessment.cycle), joinedload(Assessment.organization))
                                .where(Assessment.organization_id.in_(ids)).order_by(Assessment.id.desc())))


def invitations_of(session: Session, p: Principal, assessments: list[Assessment]) -> dict[int, list[Invitation]]:
    """The respondents' invitations of these assessments, for those the principal may manage, oldest first (one query)."""
    ids = [a.id for a in assessments if can(p, a.organization, "manage")]
    out: dict[int, list[Invitation]] = {a.id: [] for a in assessments}
    if ids:
        for inv in session.scalars(select(Invitation).where(Invitation.assessment_id.in_(ids)).order_by(Invitation.created_at, Invitation.id)):
            out[inv.assessment_id].append(inv)  # type: ignore[index]
    return out


@dataclass(frozen=True)
class Standing:
    """Where one invitation stands, as its lead sees it: 'revoked', 'not-opened', 'opened' (the link was opened, nothing
    answered yet), 'answering' or 'submitted'; ``answered``: how many questions have an answer, in a named cycle only
    (None in an anonymous one, whose lead learns no one's progress). Never an answer, never when anything was answered."""

    state: Literal["revoked", "not-opened", "opened", "answering", "submitted"]
    answered: int | None = None


def invitation_standings(session: Session, p: Principal, assessments: list[Assessment]) -> dict[int, Standing]:
    """Per invitation id: where each respondent's invitation of these assessments stands, for those the principal may
    manage (a lead: their own organization's; two queries). The response counted is the one the invitation's link
    started; only whether each answer is given is read, never what it is."""
    managed = {a.id: a for a in assessments if can(p, a.organization, "manage")}
    if not managed:
        return {}
    rows = session.execute(
        select(Invitation.id, Invitation.assessment_id, Invitation.revoked_at.is_not(None), Invitation.used_at.is_not(None),
               Response.id, Response.status)
        .outerjoin(Response, and_(Response.invitation_id == Invitation.id, Response.assessment_id == Invitation.assessment_id))
        .where(Invitation.assessment_id.in_(managed))).all()
    named_responses = {r[4] for r in rows if r[4] is not None and not managed[r[1]].cycle.anonymous}
    answered: dict[int, int] = {}
    started = {r[4] for r in rows if r[4] is not None}
    given = or_(Answer.value.is_not(None), Answer.special.is_not(None), Answer.text.is_not(None),
                and_(Answer.choices.is_not(None), cast(Answer.choices, String) != "null"))
    if started:
        # Whether anyone has answered anything (all cycles: 'answering'), and how much (named cycles only).
        counted = session.execute(select(Answer.response_id, func.sum(case((given, 1), else_=0)))
                                  .where(Answer.response_id.in_(started)).group_by(Answer.response_id)).all()
        answered = {rid: int(n or 0) for rid, n in counted}
    out: dict[int, Standing] = {}
    for inv_id, _assessment_id, revoked, used, response_id, status in rows:
        n = answered.get(response_id, 0) if response_id is not None else 0
        shown = n if response_id in named_responses else None
        if revoked:
            out[inv_id] = Standing("revoked")
        elif status is ResponseStatus.submitted:
            out[inv_id] = Standing("submitted")
        elif n:
            out[inv_id] = Standing("answering", shown)
        elif used:
            out[inv_id] = Standing("opened", shown)
        else:
            out[inv_id] = Standing("not-opened")
    return out


def get_invitation(session: Session, p: Principal, invitation_id: int) -> Invitation:
    """A respondent's invitation, for the lead (or backbone admin) who may manage its assessment."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.assessment_id is None:
        raise NotFound()
    get_assessment(session, p, invitation.assessment_id, need="manage")
    return invitation


def may_see_link(p: Principal, invitation: Invitation) -> bool:
    """Without an email server a link is shown on screen, to pass on: only to the person who made the invitation (who
    has seen it already), never to someone else who may resend it (a backbone admin would otherwise collect the links
    and emails of every partner's respondents)."""
    return invitation.created_by_id is not None and invitation.created_by_id == p.user_id and p.invitation_id is None


def get_own_response(session: Session, p: Principal, response_id: int) -> Response:
    """A respondent reaches only their own response (read with its assessment and cycle, which every caller needs)."""
    response = session.scalar(_own_response(), {"response_id": response_id})
    if response is None or not reaches_response(p, response):
        raise NotFound()
    return response


def own_responses(session: Session, p: Principal) -> list[Response]:
    """The responses the principal reaches (see reaches_response), newest first."""
    query = select(Response).where(Response.user_id == p.user_id).order_by(Response.id.desc())
    if p.via_token:
        return []
    if p.invitation_id is not None:
        query = query.where(Response.invited.is_(True), Response.assessment_id == p.invitation_assessment_id)
    else:
        query = query.where(Response.invited.is_(False))
    return list(session.scalars(query))


@functools.cache
def _own_response() -> Select[tuple[Response]]:
    """Built once: on every save and page of a respondent, building the statement cost more than running it."""
    return (select(Response).options(joinedload(Response.assessment).joinedload(Assessment.cycle))
            .where(Response.id == bindparam("response_id")))


def instrument_versions(session: Session, p: Principal) -> set[tuple[str, str]] | None:
    """The instrument versions the principal may read on the catalogue pages: every one for backbone staff (None);
    for anyone else, those of the cycles they take part in: a lead's organization's cycles, a respondent's own
    responses' (a link's session: its invitation's). Reading a version shows its questions, never anyone's answers."""
    if is_backbone(p):
        return None
    if p.via_token:
        return set()
    found: set[tuple[str, str]] = set()
    if p.invitation_id is None and lead_org_ids(p):
        found |= {(i, v) for i, v in session.execute(select(Cycle.instrument_id, Cycle.instrument_version).where(cycle_scope(p)))}
    if p.invitation_id is not None:  # a link's session: its invitation's assessment
        assessments: ColumnElement[bool] = Assessment.id == p.invitation_assessment_id
    else:  # an account's own responses (a respondent who signed in, a lead answering)
        assessments = Assessment.id.in_(select(Response.assessment_id).where(Response.user_id == p.user_id, Response.invited.is_(False)))
    found |= {(i, v) for i, v in session.execute(select(Cycle.instrument_id, Cycle.instrument_version)
                                                .join(Assessment, Assessment.cycle_id == Cycle.id).where(assessments))}
    return found


def answers_view(p: Principal, assessment: Assessment) -> Literal["named", "pseudonymous", "combined"]:
    """How the principal (who may read the assessment) sees its individual answers (app.exports.answers.submitted_answers):
    in a named cycle with the respondents' emails, as the welcome page says; in an anonymous one the backbone sees them
    under codes new in every export, and the organization itself only combined, never two rows tied to one person."""
    if not assessment.cycle.anonymous:
        return "named"
    return "pseudonymous" if assessment.organization.backbone_id in backbone_ids(p) else "combined"


def team_texts_view(p: Principal, assessment: Assessment) -> Literal["named", "combined"]:
    """How the principal (who may read the assessment) sees what its people wrote (app.assessments.texts): in a named
    cycle with the respondents' emails, as the welcome page says; in an anonymous one without anything beside a text."""
    return "named" if not assessment.cycle.anonymous else "combined"


def may_mark_texts(p: Principal, assessment: Assessment) -> bool:
    """Only the organization's own leads choose the texts its report quotes and hide a text that identifies someone."""
    return p.invitation_id is None and not p.via_token and assessment.organization_id in lead_org_ids(p)


# -- action plans ------------------------------------------------------------------------------------

def plan_org_ids(p: Principal) -> set[int]:
    """The partners whose action plan the principal changes: those they lead, and those whose lead made them a plan
    editor (who reaches the plan and nothing else: no answer, no result)."""
    if p.invitation_id is not None:
        return set()
    return {s.organization_id for s in p.seats if s.kind is OrgKind.partner and s.role in (Role.partner_lead, Role.plan_editor)}


def may_read_plan(p: Principal, org: Organization) -> bool:
    """A partner's plan is read by whoever changes it and by its backbone's staff; never by another partner."""
    return org.kind is OrgKind.partner and (org.id in plan_org_ids(p) or (p.invitation_id is None and org.backbone_id in backbone_ids(p)))


def get_plan_organization(session: Session, p: Principal, org_id: int, need: Literal["read", "change"] = "read") -> Organization:
    org = session.get(Organization, org_id)
    if org is None or not may_read_plan(p, org):
        raise NotFound()
    if need == "change" and org.id not in plan_org_ids(p):
        raise Forbidden()
    return org


def get_action(session: Session, p: Principal, action_id: int, need: Literal["read", "change"] = "read") -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound()
    get_plan_organization(session, p, action.organization_id, need)
    return action


def plan_organizations(session: Session, p: Principal) -> list[Organization]:
    """The partners whose plan the principal changes, by name."""
    ids = plan_org_ids(p)
    if not ids:
        return []
    return list(session.scalars(select(Organization).where(Organization.id.in_(ids), Organization.archived_at.is_(None))
                                .order_by(Organization.name)))


def may_name_plan_editors(p: Principal, org: Organization) -> bool:
    """Only the organization's leads ask people to help with its plan (a plan editor does not add others)."""
    return p.invitation_id is None and org.id in lead_org_ids(p)


# -- composition (who holds the seats: counts, never names) -----------------------------------------------

def composition_org_ids(p: Principal) -> set[int]:
    """The partners whose composition counts the principal enters: those they lead, and those whose lead named them
    (e.g. HR: a seat that reaches the counts and nothing else)."""
    if p.invitation_id is not None:
        return set()
    return {s.organization_id for s in p.seats if s.kind is OrgKind.partner and s.role in (Role.partner_lead, Role.composition_editor)}


def may_read_composition(p: Principal, org: Organization) -> bool:
    """Read by whoever enters the counts and by its backbone's staff; never by another partner nor a respondent."""
    return org.kind is OrgKind.partner and (org.id in composition_org_ids(p) or (p.invitation_id is None and org.backbone_id in backbone_ids(p)))


def get_composition_organization(session: Session, p: Principal, org_id: int, need: Literal["read", "change", "name"] = "read") -> Organization:
    """The partner whose counts are asked for ("change": enter them; "name": name who enters them, its leads only)."""
    org = session.get(Organization, org_id)
    if org is None or not may_read_composition(p, org):
        raise NotFound()
    if need == "change" and org.id not in composition_org_ids(p):
        raise Forbidden()
    if need == "name" and org.id not in lead_org_ids(p):
        raise Forbidden()
    return org


def cycle_partners(session: Session, p: Principal, cycle: Cycle) -> list[Organization]:
    """The partners taking part in a cycle of the principal's partnership, by name (backbone staff only)."""
    if not can_compare_cycle(p, cycle):
        raise NotFound()
    return list(session.scalars(select(Organization).join(Assessment, Assessment.organization_id == Organization.id)
                                .where(Assessment.cycle_id == cycle.id).order_by(func.lower(Organization.name), Organization.id)))


def backbone_cycles(session: Session, p: Principal) -> list[Cycle]:
    """The cycles of the principal's partnership, newest first (backbone staff only)."""
    backbone = get_backbone(session, p)
    return list(session.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.opens_on.desc(), Cycle.id.desc())))


# -- the partnership's people (a backbone admin's People page) ---------------------------------------------

PEOPLE_ROLES = (Role.backbone_admin, Role.backbone_analyst, Role.partner_lead, Role.plan_editor, Role.composition_editor)


def partnership_people(session: Session, p: Principal) -> list[tuple[User, Membership, Organization]]:
    """The seats of an admin's partnership that sign in with a password: its staff, and its partners' leads and plan
    editors (never its respondents), by organization then name."""
    backbone = get_backbone(session, p, "admin")
    orgs = select(Organization.id).where(or_(Organization.id == backbone.id, Organization.backbone_id == backbone.id))
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(User, Membership, Organization).join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.organization_id.in_(orgs), Membership.role.in_(PEOPLE_ROLES))
        .order_by(Organization.kind, func.lower(Organization.name), func.lower(User.email)))]



def get_removable_seat(session: Session, p: Principal, membership_id: int) -> Membership:
    """A seat of the admin's partnership that may be taken away: never the admin's own, never the last administrator's."""
    listed = {m.id: m for _user, m, _org in partnership_people(session, p)}
    seat = listed.get(membership_id)
    if seat is None:
        raise NotFound()
    if seat.user_id == p.user_id:
        raise Forbidden(_("You cannot remove your own seat; another administrator can."))
    if seat.role is Role.backbone_admin and sum(1 for m in listed.values() if m.role is Role.backbone_admin) <= 1:
        raise Forbidden(_("The partnership needs at least one administrator."))
    return seat

def get_partnership_person(session: Session, p: Principal, user_id: int) -> User:
    """A person of the admin's partnership (as `partnership_people` lists them), or NotFound."""
    for user, _seat, _org in partnership_people(session, p):
        if user.id == user_id:
            return user
    raise NotFound()
