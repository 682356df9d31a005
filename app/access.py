"""The permission layer: who may read or change what. Every service and route asks here.

A principal never learns that an object it may not read exists: such lookups raise NotFound,
whatever the id. Readable objects that the principal may not change raise Forbidden.
Scoping functions return SQL conditions, so list queries cannot forget a tenant filter.
"""

from __future__ import annotations

import functools
from typing import Literal

from sqlalchemy import ColumnElement, Select, bindparam, false, or_, select
from sqlalchemy.orm import Session, joinedload

from app.assessments.models import Assessment, Cycle, Response
from app.auth.service import Principal
from app.errors import Forbidden, NotFound
from app.i18n import gettext as _
from app.organizations.models import Organization, OrgKind, Role

BACKBONE_ROLES = (Role.backbone_admin, Role.backbone_analyst)
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
    """The backbone the principal works for (the first, when several); need='admin' refuses analysts (403)."""
    ids = backbone_ids(p) if p.invitation_id is None else set()
    if not ids:
        raise NotFound()
    if need == "admin":
        ids = admin_backbone_ids(p)
        if not ids:
            raise Forbidden(_("Only backbone administrators can change this; analysts can read it."))
    org = session.get(Organization, min(ids))
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


def get_own_response(session: Session, p: Principal, response_id: int) -> Response:
    """A respondent reaches only their own response (read with its assessment and cycle, which every caller needs)."""
    response = session.scalar(_own_response(), {"response_id": response_id})
    if response is None or response.user_id != p.user_id:
        raise NotFound()
    return response


@functools.cache
def _own_response() -> Select[tuple[Response]]:
    """Built once: on every save and page of a respondent, building the statement cost more than running it."""
    return (select(Response).options(joinedload(Response.assessment).joinedload(Assessment.cycle))
            .where(Response.id == bindparam("response_id")))


def may_see_individual_answers(p: Principal, assessment: Assessment) -> bool:
    """Respondents' individual answers (by pseudonym) are never shown to their organization in an anonymous cycle."""
    if assessment.cycle.anonymous:
        return assessment.organization.backbone_id in backbone_ids(p)
    return can(p, assessment.organization, "read")
