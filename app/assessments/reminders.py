"""Reminders to everyone who has not finished a cycle: by hand (after a confirmation that says who gets one) or on the
cycle's schedule (by default 14 and 3 days before it closes), which `reassess serve` keeps (app/scheduler.py).

Who gets one, in their language:
- each person invited to answer who has not submitted, with the link they already have (links are derived from the
  secret key, so a reminder never replaces one: app.auth.invitations.issue);
- each partner lead who has not accepted the invitation to lead, with that invitation's link;
- each partner lead (an account) whose team has not started (no one invited, no response begun), with the way to
  invite the team.

A round is one row of `cycle_reminders` per cycle and day: the scheduled round claims its day by inserting that row,
so that with several web processes or machines one of them sends it, once. A round sent by hand records its day too,
and the scheduled round of that day is then skipped (people are not reminded twice on one day).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import audit, clock, i18n
from app.assessments.models import Assessment, AssessmentStatus, Cycle, CycleReminder, Response, ResponseStatus
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose, User
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.mail import render_mail
from app.mail import send as send_mail
from app.organizations.models import Membership, Organization, Role

DEFAULT_DAYS = (14, 3)
MOST_ROUNDS = 6


def days_of(cycle: Cycle) -> list[int]:
    """The cycle's reminder days (days before closing), furthest first."""
    days = DEFAULT_DAYS if cycle.reminder_days is None else cycle.reminder_days
    return sorted({int(d) for d in days}, reverse=True)


def schedule(cycle: Cycle) -> list[dt.date]:
    """The days the cycle's scheduled reminders go, in order (those that fall before the cycle opens are dropped)."""
    return [day for d in days_of(cycle) if (day := cycle.closes_on - dt.timedelta(days=d)) >= cycle.opens_on]


def parse_days(text: str) -> list[int]:
    """ "14, 3" -> [14, 3]; empty: no scheduled reminder. A bad entry raises Invalid, in the user's language."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    message = _("Give the days before closing as whole numbers from 1 to 365, separated by commas, for example 14, 3.")
    if not all(p.isdigit() and 1 <= int(p) <= 365 for p in parts):
        raise Invalid(message, field="reminder_days")
    days = sorted({int(p) for p in parts}, reverse=True)
    if len(days) > MOST_ROUNDS:
        raise Invalid(_("At most %(num)s reminders per cycle.", num=MOST_ROUNDS), field="reminder_days")
    return days


def set_days(db: Session, cycle: Cycle, text: str, actor_id: int) -> list[int]:
    days = parse_days(text)
    cycle.reminder_days = days
    audit.record(db, actor_id, "cycle.reminders_scheduled", "cycle", cycle.id, cycle.backbone_id, days=days)
    return days


@dataclass(frozen=True)
class Recipient:
    kind: str  # "respondent", "lead invitation" or "lead"
    email: str
    language: str
    organization: Organization
    invitation: Invitation | None = None


@dataclass
class PartnerPreview:
    """Who a round reaches at one partner: how many respondents, and whether its lead (never an address)."""

    organization: Organization
    respondents: int = 0
    lead: str = ""  # "", "lead invitation" (not accepted yet) or "lead" (has not started)
    kinds: Counter[str] = field(default_factory=Counter)


def recipients(db: Session, cycle: Cycle) -> list[Recipient]:
    """Everyone a round of reminders goes to now (see the module's docstring); archived partners get none."""
    assessments = {a.id: a for a in db.scalars(select(Assessment).join(Organization, Organization.id == Assessment.organization_id)
                                              .where(Assessment.cycle_id == cycle.id, Organization.archived_at.is_(None)))}
    open_ids = [a.id for a in assessments.values() if a.status is not AssessmentStatus.submitted]
    out: list[Recipient] = []
    if not open_ids:
        return out
    done = {(a, u) for a, u in db.execute(select(Response.assessment_id, Response.user_id).where(
        Response.assessment_id.in_(open_ids), Response.status == ResponseStatus.submitted))}
    invited: set[int] = set()
    for inv in db.scalars(select(Invitation).where(Invitation.assessment_id.in_(open_ids), Invitation.purpose == InvitationPurpose.respond,
                                                   Invitation.revoked_at.is_(None)).order_by(Invitation.id)):
        invited.add(inv.assessment_id)
        if inv.user_id is not None and (inv.assessment_id, inv.user_id) in done:
            continue
        out.append(Recipient("respondent", inv.email, inv.language, assessments[inv.assessment_id].organization, inv))
    started = set(db.scalars(select(Response.assessment_id).where(Response.assessment_id.in_(open_ids)).distinct()))
    open_orgs = {assessments[i].organization_id: assessments[i] for i in open_ids}
    for inv in db.scalars(select(Invitation).where(Invitation.organization_id.in_(open_orgs), Invitation.purpose == InvitationPurpose.partner_lead,
                                                   Invitation.revoked_at.is_(None), Invitation.used_at.is_(None)).order_by(Invitation.id)):
        out.append(Recipient("lead invitation", inv.email, inv.language, open_orgs[inv.organization_id].organization, inv))
    # A lead whose team has not started: no one invited, no response begun (a lead who invited people is not told to).
    not_started = [a.organization_id for a in open_orgs.values() if a.id not in invited and a.id not in started]
    if not_started:
        for email, language, org_id in db.execute(
                select(User.email, User.preferred_language, Membership.organization_id).join(Membership, Membership.user_id == User.id)
                .where(Membership.organization_id.in_(not_started), Membership.role == Role.partner_lead, User.is_active.is_(True))
                .order_by(User.id)):
            out.append(Recipient("lead", email, language, open_orgs[org_id].organization))
    return out


def preview(db: Session, cycle: Cycle) -> list[PartnerPreview]:
    """Per partner (by name), who a round sent now reaches."""
    by_org: dict[int, PartnerPreview] = {}
    for r in recipients(db, cycle):
        row = by_org.setdefault(r.organization.id, PartnerPreview(r.organization))
        row.kinds[r.kind] += 1
        if r.kind == "respondent":
            row.respondents += 1
        elif not row.lead or r.kind == "lead invitation":
            row.lead = r.kind
    return sorted(by_org.values(), key=lambda p: p.organization.name.casefold())


def send_round(db: Session, settings: Settings, cycle: Cycle, minutes: int, actor_id: int | None, *, scheduled: bool = False) -> int:
    """Remind everyone `recipients` names, each in their language; returns how many were reminded. Audited."""
    backbone = db.get(Organization, cycle.backbone_id)
    n = 0
    for r in recipients(db, cycle):
        if r.invitation is not None:
            inv = r.invitation
            issued = invitations.issue(db, settings, email=inv.email, language=inv.language, organization=r.organization,
                                       purpose=inv.purpose, assessment_id=inv.assessment_id, created_by_id=actor_id)
            invitations.send(db, settings, issued, r.organization, cycle, minutes, reminder=True)
        else:
            language = r.language if r.language in settings.locales else settings.default_locale
            with i18n.locale(language):
                closes = i18n.format_date(cycle.closes_on)
            subject, text, html = render_mail("lead_reminder", language, {
                "org": r.organization.name, "backbone": backbone.name if backbone else "", "cycle": cycle.name_in(language),
                "closes": closes, "link": f"{settings.base_url.rstrip('/')}/partner"})
            send_mail(settings, r.email, subject, text, html)
        n += 1
    audit.record(db, actor_id, "cycle.reminded", "cycle", cycle.id, cycle.backbone_id, sent=n, scheduled=scheduled)
    return n


def rounds(db: Session, cycle: Cycle) -> list[CycleReminder]:
    return list(db.scalars(select(CycleReminder).where(CycleReminder.cycle_id == cycle.id).order_by(CycleReminder.due_on)))


def send_by_hand(db: Session, settings: Settings, cycle: Cycle, minutes: int, actor_id: int) -> int:
    """A round now, recorded as today's (the scheduled round of today, if any, is then not sent again)."""
    n = send_round(db, settings, cycle, minutes, actor_id)
    today = clock.today()
    row = db.scalar(select(CycleReminder).where(CycleReminder.cycle_id == cycle.id, CycleReminder.due_on == today))
    if row is None:
        row = CycleReminder(cycle_id=cycle.id, due_on=today, scheduled=False, sent=0)
        db.add(row)
    row.sent += n
    row.sent_at = utcnow()
    return n


def claim(db: Session, cycle_id: int, day: dt.date) -> CycleReminder | None:
    """The round of `day`, if this caller is the first to claim it (its row inserted and committed); else None."""
    row = CycleReminder(cycle_id=cycle_id, due_on=day, scheduled=True, sent=0)
    try:
        with db.begin_nested():
            db.add(row)
        db.commit()
    except IntegrityError:
        db.rollback()
        return None
    return row


def send_due(db: Session, settings: Settings, minutes_of: dict[int, int] | None = None, today: dt.date | None = None) -> int:
    """The scheduled job: for each open cycle whose latest reminder day has come, one round, once (a day missed while
    the service was down is covered by the next round, never sent twice). Returns the rounds sent.
    ``minutes_of``: the estimated minutes of each cycle's instrument, for the respondents' emails."""
    today = today or clock.today()
    cycles = db.scalars(select(Cycle).where(Cycle.closed_at.is_(None), Cycle.opens_on <= today, Cycle.closes_on >= today)
                        .order_by(Cycle.id)).all()
    db.commit()
    sent = 0
    for cycle in cycles:
        due = [day for day in schedule(cycle) if day <= today]
        row = claim(db, cycle.id, due[-1]) if due else None
        if row is None:
            continue
        row.sent = send_round(db, settings, cycle, (minutes_of or {}).get(cycle.id, 0), None, scheduled=True)
        row.sent_at = utcnow()
        db.commit()
        sent += 1
    return sent


def minutes_by_cycle(db: Session, catalogue: Catalogue) -> dict[int, int]:
    """Each open cycle's instrument's estimated minutes (what a respondent's email says)."""
    out = {}
    for cycle in db.scalars(select(Cycle).where(Cycle.closed_at.is_(None))):
        instrument = catalogue.find(cycle.instrument_id, cycle.instrument_version)
        out[cycle.id] = instrument.estimated_minutes if instrument else 0
    return out
