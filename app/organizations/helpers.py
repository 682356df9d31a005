"""The people a partner's lead asks to help with one thing (its action plan, its composition counts): invited by email to
an account's seat that reaches that thing alone, listed, and removable."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import access, audit
from app.auth import invitations
from app.auth.models import InvitationPurpose, User
from app.auth.service import Principal
from app.config import Settings
from app.errors import Invalid
from app.i18n import gettext as _
from app.organizations.models import Membership, Organization, Role


def holders(db: Session, org_id: int, role: Role) -> list[tuple[int, str]]:
    """(user id, email) of the organization's seats in ``role``, by email."""
    return [(uid, email) for uid, email in db.execute(
        select(User.id, User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == org_id, Membership.role == role).order_by(User.email))]


def remove(db: Session, org: Organization, user_id: int, role: Role, actor_id: int, event: str) -> bool:
    seat = db.scalar(select(Membership).where(Membership.organization_id == org.id, Membership.user_id == user_id, Membership.role == role))
    if seat is None:
        return False
    db.delete(seat)
    audit.record(db, actor_id, event, "organization", org.id, org.id)
    return True


def invite(db: Session, settings: Settings, principal: Principal, org: Organization, raw_email: str, language: str,
           purpose: InvitationPurpose) -> tuple[list[tuple[str, str]], list[str]]:
    """Invite one person (Invalid when the address is not one): the links to show (only without an email server, and
    only to the person who made the invitation) and the addresses invited earlier by someone else (sent again)."""
    emails = invitations.parse_emails(raw_email[:400])
    if len(emails) != 1:
        raise Invalid(_("Enter one email address."), field="email")
    issued = invitations.issue(db, settings, email=emails[0], language=language, organization=org, purpose=purpose,
                               assessment_id=None, created_by_id=principal.user_id)
    outbox = invitations.send(db, settings, issued, org, None, 0)
    shown = outbox and access.may_see_link(principal, issued.invitation)  # never someone else's invitation's link
    return ([(emails[0], issued.link(settings))] if shown else []), ([emails[0]] if outbox and not shown else [])
