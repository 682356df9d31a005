"""Announcing a cycle: each partner's lead is emailed, in their language, that the cycle is open and until when, with
the way to invite the team; a partner with no lead yet gets an invitation to lead at its contact address instead.

Sent when the cycle is created (if it is open already) or, for a cycle that opens later, on its opening day by
`reassess serve` (app/scheduler.py): the cycle's ``announced_at`` is set by one conditional update, so that it goes once
whatever the number of web processes. Partners added to an open cycle are announced to as they are added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import audit, clock, i18n
from app.assessments.models import Assessment, Cycle
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose, User
from app.config import Settings
from app.db import utcnow
from app.instruments.loader import Catalogue
from app.mail import render_mail
from app.mail import send as send_mail
from app.organizations.models import Membership, Organization, Role


def announce(db: Session, settings: Settings, cycle: Cycle, minutes: int, actor_id: int | None, organization_ids: Iterable[int] | None = None) -> int:
    """Email the leads of the cycle's partners (or of ``organization_ids`` only); returns how many were emailed. Audited."""
    query = select(Organization).join(Assessment, Assessment.organization_id == Organization.id).where(
        Assessment.cycle_id == cycle.id, Organization.archived_at.is_(None)).order_by(Organization.id)
    if organization_ids is not None:
        query = query.where(Organization.id.in_(list(organization_ids)))
    backbone = db.get(Organization, cycle.backbone_id)
    n = 0
    for org in db.scalars(query).all():
        leads = db.execute(select(User.email, User.preferred_language).join(Membership, Membership.user_id == User.id).where(
            Membership.organization_id == org.id, Membership.role == Role.partner_lead, User.is_active.is_(True))).all()
        for address, language in leads:
            language = language if language in settings.locales else settings.default_locale
            with i18n.locale(language):
                opens, closes = i18n.format_date(cycle.opens_on), i18n.format_date(cycle.closes_on)
            subject, text, html = render_mail("announcement", language, {
                "org": org.name, "backbone": backbone.name if backbone else "", "cycle": cycle.name_in(language), "opens": opens,
                "closes": closes, "link": f"{settings.base_url.rstrip('/')}/partner"})
            send_mail(settings, address, subject, text, html)
            n += 1
        pending = db.scalar(select(Invitation.id).where(Invitation.organization_id == org.id, Invitation.purpose == InvitationPurpose.partner_lead,
                                                        Invitation.revoked_at.is_(None), Invitation.used_at.is_(None)))
        if not leads and org.contact_email and pending is None:
            issued = invitations.issue(db, settings, email=org.contact_email, language=org.preferred_language, organization=org,
                                       purpose=InvitationPurpose.partner_lead, assessment_id=None, created_by_id=actor_id)
            invitations.send(db, settings, issued, org, cycle, minutes)
            n += 1
    audit.record(db, actor_id, "cycle.announced", "cycle", cycle.id, cycle.backbone_id, sent=n)
    return n


def announce_now_or_later(db: Session, settings: Settings, cycle: Cycle, minutes: int, actor_id: int | None) -> int | None:
    """At a cycle's creation with "announce" chosen: the emails now if it is open (the count), else on its opening day (None)."""
    cycle.announce = True
    if cycle.opens_on > clock.today():
        return None
    cycle.announced_at = utcnow()
    return announce(db, settings, cycle, minutes, actor_id)


def send_due(db: Session, settings: Settings, catalogue: Catalogue, today: dt.date | None = None) -> int:
    """The scheduled job: each cycle to announce whose opening day has come, claimed once, then announced."""
    today = today or clock.today()
    due = db.scalars(select(Cycle).where(Cycle.announce.is_(True), Cycle.announced_at.is_(None), Cycle.closed_at.is_(None),
                                         Cycle.opens_on <= today, Cycle.closes_on >= today)).all()
    db.commit()
    done = 0
    for cycle in due:
        claimed = db.execute(update(Cycle).where(Cycle.id == cycle.id, Cycle.announced_at.is_(None)).values(announced_at=utcnow())).rowcount  # type: ignore[attr-defined]
        db.commit()
        if claimed != 1:
            continue
        instrument = catalogue.find(cycle.instrument_id, cycle.instrument_version)
        announce(db, settings, cycle, instrument.estimated_minutes if instrument else 0, None)
        db.commit()
        done += 1
    return done
