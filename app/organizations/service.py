"""Organizations and memberships."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.i18n import gettext as _
from app.organizations.models import BACKBONE_ROLES, Membership, Organization, OrgKind, Role

# A partner's fields that are one line of text. A line break or other control character in them is refused: a name
# goes into mail headers (a CR/LF there made every invitation fail) and one-line cells of exports.
SINGLE_LINE_FIELDS = ("name", "contact_name", "contact_email")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line_errors(values: Mapping[str, str], fields: Iterable[str] = SINGLE_LINE_FIELDS) -> dict[str, str]:
    """{field: translated message} for the fields whose text holds a line break or another control character."""
    message = _("Write this on one line, without line breaks, tabs or other control characters.")
    return {field: message for field in fields if _CONTROL.search(values.get(field) or "")}


def find_organization(session: Session, name_or_id: str | int) -> Organization | None:
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        return session.get(Organization, int(name_or_id))
    return session.scalar(select(Organization).where(func.lower(Organization.name) == str(name_or_id).strip().lower()))


def find_or_create_for_role(session: Session, name_or_id: str, role: Role, backbone_name: str | None = None) -> Organization:
    """The organization a new member joins: a backbone for backbone roles, a partner otherwise."""
    org = find_organization(session, name_or_id)
    kind = OrgKind.backbone if role in BACKBONE_ROLES else OrgKind.partner
    if org is not None:
        if org.kind is not kind:
            raise ValueError(f"{org.name} is a {org.kind.value} organization; a {role.value} belongs to a {kind.value}")
        return org
    backbone_id = None
    if kind is OrgKind.partner:
        backbone = find_organization(session, backbone_name) if backbone_name else _only_backbone(session)
        if backbone is None or backbone.kind is not OrgKind.backbone:
            raise ValueError("a new partner organization needs its backbone: pass --backbone NAME")
        backbone_id = backbone.id
    org = Organization(kind=kind, name=str(name_or_id).strip(), backbone_id=backbone_id)
    session.add(org)
    session.flush()
    return org


def _only_backbone(session: Session) -> Organization | None:
    backbones = session.scalars(select(Organization).where(Organization.kind == OrgKind.backbone).limit(2)).all()
    return backbones[0] if len(backbones) == 1 else None


def add_member(session: Session, user: User, org: Organization, role: Role) -> Membership:
    existing = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.organization_id == org.id, Membership.role == role))
    if existing is not None:
        return existing
    membership = Membership(user_id=user.id, organization_id=org.id, role=role)
    session.add(membership)
    session.flush()
    return membership
