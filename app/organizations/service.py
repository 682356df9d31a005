"""Organizations and memberships."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit
from app.auth.models import User
from app.db import utcnow
from app.i18n import gettext as _
from app.organizations.models import BACKBONE_ROLES, SECTORS, SIZE_BANDS, Membership, Organization, OrgKind, Role
from app.text import email_address

# A partner's fields that are one line of text. A line break or other control character in them is refused: a name
# goes into mail headers (a CR/LF there made every invitation fail) and one-line cells of exports.
SINGLE_LINE_FIELDS = ("name", "contact_name", "contact_email")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def single_line_errors(values: Mapping[str, str], fields: Iterable[str] = SINGLE_LINE_FIELDS) -> dict[str, str]:
    """{field: translated message} for the fields whose text holds a line break or another control character."""
    message = _("Write this on one line, without line breaks, tabs or other control characters.")
    return {field: message for field in fields if _CONTROL.search(values.get(field) or "")}


PARTNER_FIELDS = ("name", "sector", "size_band", "preferred_language", "contact_name", "contact_email")


def partner_problems(session: Session, values: dict[str, str], locales: Iterable[str], backbone_id: int,
                     org_id: int | None = None) -> dict[str, str]:
    """What is wrong with a partner's fields, per field, in the reader's language (forms show them all at once; the API
    the first). A valid contact email is normalized in ``values``. The same for the form and the API."""
    errors = single_line_errors(values)  # a line break or control character: said first, for each field
    if not values.get("name"):
        errors["name"] = _("Give the organization's name.")
    elif len(values["name"]) > 200:
        errors.setdefault("name", _("The name is too long (at most %(n)s characters).", n=200))
    if values.get("sector") not in SECTORS:
        errors["sector"] = _("Choose a sector from the list.")
    if values.get("size_band") not in SIZE_BANDS:
        errors["size_band"] = _("Choose a size from the list.")
    if values.get("preferred_language") not in set(locales):
        errors["preferred_language"] = _("Choose a language from the list.")
    if len(values.get("contact_name") or "") > 200:
        errors.setdefault("contact_name", _("The name is too long (at most %(n)s characters).", n=200))
    if values.get("contact_email") and "contact_email" not in errors:
        email = email_address(values["contact_email"])
        if email is None:
            errors["contact_email"] = _("Enter an email address like name@example.org.")
        else:
            values["contact_email"] = email
    if "name" not in errors:
        same = select(Organization.id).where(Organization.backbone_id == backbone_id, func.lower(Organization.name) == values["name"].lower())
        if session.scalar(same.where(Organization.id != org_id) if org_id else same):
            errors["name"] = _("A partner with this name already exists.")
    return errors


def create_partner(session: Session, backbone: Organization, values: dict[str, str], actor_id: int | None) -> Organization:
    """A new partner of the backbone, from fields that partner_problems found nothing wrong with; recorded in the log."""
    org = Organization(kind=OrgKind.partner, backbone_id=backbone.id, **{k: values[k] for k in PARTNER_FIELDS if k in values})
    session.add(org)
    session.flush()
    audit.record(session, actor_id, "organization.created", "organization", org.id, org.id, name=org.name)
    return org


def update_partner(session: Session, org: Organization, values: dict[str, str], actor_id: int | None) -> list[str]:
    """Change a partner's fields (checked by partner_problems); the changed fields' names are recorded in the log."""
    changed = [k for k in PARTNER_FIELDS if k in values and getattr(org, k) != values[k]]
    for k in changed:
        setattr(org, k, values[k])
    audit.record(session, actor_id, "organization.updated", "organization", org.id, org.id, fields=changed)
    return changed


def archive_partner(session: Session, org: Organization, actor_id: int | None) -> None:
    """Archive a partner (kept with its history, left out of new cycles); recorded in the log. Already archived: nothing."""
    if org.archived_at is None:
        org.archived_at = utcnow()
        audit.record(session, actor_id, "organization.archived", "organization", org.id, org.id)


def restore_partner(session: Session, org: Organization, actor_id: int | None) -> None:
    if org.archived_at is not None:
        org.archived_at = None
        audit.record(session, actor_id, "organization.restored", "organization", org.id, org.id)


def remove_seat(session: Session, seat: Membership, actor_id: int | None) -> None:
    """Take a seat away (app.access.get_removable_seat checks which may go); the account keeps its other seats."""
    audit.record(session, actor_id, "seat.removed", "user", seat.user_id, seat.organization_id, role=seat.role.value)
    session.delete(seat)


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
