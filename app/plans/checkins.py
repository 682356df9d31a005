"""Check-ins: dates the backbone sets for a cycle (e.g. quarterly) by which partners update their action plans.

The backbone sees, per check-in, which partners updated their plan since the previous one (or since the cycle opened)
and which did not; a reminder emails each partner's leads, in their language, with the plan's open actions. Nothing
here reads an answer: only the plan's own dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app import audit, clock, i18n
from app.assessments.models import Assessment, Cycle
from app.auth.models import User
from app.config import Settings
from app.db import utcnow
from app.errors import Invalid
from app.i18n import gettext as _
from app.mail import render_mail
from app.mail import send as send_mail
from app.organizations.models import Membership, Organization, Role
from app.plans.models import Action, ActionNote, ActionStatus, CheckIn


def check_ins_of(db: Session, cycle_id: int) -> list[CheckIn]:
    return list(db.scalars(select(CheckIn).where(CheckIn.cycle_id == cycle_id).order_by(CheckIn.due_on)))


def add_check_in(db: Session, cycle: Cycle, due_on: str, actor_id: int) -> CheckIn:
    try:
        day = dt.date.fromisoformat(due_on.strip())
    except ValueError:
        raise Invalid(_("Enter a date like 2026-09-30."), field="due_on") from None
    if day < cycle.opens_on:
        raise Invalid(_("A check-in comes after the cycle opens (%(date)s).", date=i18n.format_date(cycle.opens_on)), field="due_on")
    if any(c.due_on == day for c in check_ins_of(db, cycle.id)):
        raise Invalid(_("There is a check-in on that date already."), field="due_on")
    check_in = CheckIn(cycle_id=cycle.id, due_on=day)
    db.add(check_in)
    db.flush()
    audit.record(db, actor_id, "checkin.created", "cycle", cycle.id, cycle.backbone_id, date=day.isoformat())
    return check_in


def remove_check_in(db: Session, cycle: Cycle, check_in_id: int, actor_id: int) -> None:
    check_in = db.get(CheckIn, check_in_id)
    if check_in is None or check_in.cycle_id != cycle.id:
        return
    db.delete(check_in)
    audit.record(db, actor_id, "checkin.removed", "cycle", cycle.id, cycle.backbone_id, date=check_in.due_on.isoformat())


@dataclass(frozen=True)
class PartnerStanding:
    organization: Organization
    open_actions: int
    last_update: dt.date | None  # in the partnership's calendar
    updated: dict[int, bool]  # check-in id -> whether the plan changed in that check-in's window


def _last_changes(db: Session, org_ids: list[int]) -> dict[int, list[dt.datetime]]:
    """Per organization, when its plan changed (each action's last change, each note)."""
    out: dict[int, list[dt.datetime]] = {o: [] for o in org_ids}
    if not org_ids:
        return out
    for org_id, at in db.execute(select(Action.organization_id, Action.updated_at).where(Action.organization_id.in_(org_ids))):
        out[org_id].append(at)
    for org_id, at in db.execute(select(Action.organization_id, ActionNote.at).join(Action, Action.id == ActionNote.action_id)
                                 .where(Action.organization_id.in_(org_ids))):
        out[org_id].append(at)
    return out


def standings(db: Session, cycle: Cycle) -> tuple[list[CheckIn], list[PartnerStanding]]:
    """The cycle's check-ins, and per partner whether it updated its plan in each check-in's window (after the
    previous check-in, or the cycle's opening, up to and including the check-in's date). Three queries."""
    check_ins = check_ins_of(db, cycle.id)
    partners = list(db.scalars(select(Organization).join(Assessment, Assessment.organization_id == Organization.id)
                               .where(Assessment.cycle_id == cycle.id).order_by(func.lower(Organization.name))))
    ids = [o.id for o in partners]
    changes = _last_changes(db, ids)
    open_counts = dict(db.execute(select(Action.organization_id, func.count()).where(
        Action.organization_id.in_(ids), Action.status.in_([ActionStatus.planned, ActionStatus.in_progress]))
        .group_by(Action.organization_id)).all()) if ids else {}
    windows = []
    start = cycle.opens_on - dt.timedelta(days=1)
    for c in check_ins:
        windows.append((c.id, start, c.due_on))
        start = c.due_on
    rows = []
    for org in partners:
        days = [clock.local(at).date() for at in changes[org.id]]
        rows.append(PartnerStanding(org, open_counts.get(org.id, 0), max(days) if days else None,
                                    {cid: any(lo < d <= hi for d in days) for cid, lo, hi in windows}))
    return check_ins, rows


def reminder_day(settings: Settings, check_in: CheckIn) -> dt.date:
    """The day `reassess serve` emails a check-in's reminder (``check_in_reminder_days`` before its date)."""
    return check_in.due_on - dt.timedelta(days=settings.check_in_reminder_days)


def claim_reminder(db: Session, check_in_id: int) -> bool:
    """Mark a check-in's reminder as sent, if no one has: True for the one caller (of any web process, on any machine
    sharing the database) whose update changed the row. Commits, so that the others see the claim at once."""
    won = db.execute(update(CheckIn).where(CheckIn.id == check_in_id, CheckIn.reminded_at.is_(None))
                     .values(reminded_at=utcnow())).rowcount == 1  # type: ignore[attr-defined]
    db.commit()
    return won


def send_due_reminders(db: Session, settings: Settings, today: dt.date | None = None) -> int:
    """The scheduled job: each check-in whose reminder day has come and whose date has not passed, not reminded yet
    (by hand or by another process), is claimed and its reminders sent, once. Returns the check-ins reminded."""
    today = today or clock.today()
    latest = today + dt.timedelta(days=settings.check_in_reminder_days)
    due = db.scalars(select(CheckIn).where(CheckIn.reminded_at.is_(None), CheckIn.due_on >= today, CheckIn.due_on <= latest)
                     .order_by(CheckIn.due_on, CheckIn.id)).all()
    db.commit()
    done = 0
    for check_in in due:
        if not claim_reminder(db, check_in.id):
            continue
        cycle = db.get(Cycle, check_in.cycle_id)
        if cycle is None:
            continue
        send_reminders(db, settings, cycle, check_in, None, scheduled=True)
        db.commit()
        done += 1
    return done


def send_reminders(db: Session, settings: Settings, cycle: Cycle, check_in: CheckIn, actor_id: int | None, *,
                   scheduled: bool = False) -> int:
    """Email every partner lead of the cycle, in their language, with the plan's open actions and the check-in's date;
    returns how many were sent. Recorded once in the audit log, with the count."""
    sent = 0
    leads = db.execute(select(User.email, User.preferred_language, Organization).join(Membership, Membership.user_id == User.id)
                       .join(Organization, Organization.id == Membership.organization_id)
                       .join(Assessment, Assessment.organization_id == Organization.id)
                       .where(Assessment.cycle_id == cycle.id, Membership.role == Role.partner_lead, User.is_active.is_(True),
                              Organization.archived_at.is_(None))).all()
    backbone = db.get(Organization, cycle.backbone_id)
    for email, language, org in leads:
        language = language if language in settings.locales else settings.default_locale
        actions = db.scalars(select(Action).where(Action.organization_id == org.id,
                                                  Action.status.in_([ActionStatus.planned, ActionStatus.in_progress]))
                             .order_by(Action.due_on, Action.id)).all()
        with i18n.locale(language):
            due = i18n.format_date(check_in.due_on)
            items = [(a.title, i18n.format_date(a.due_on) if a.due_on else "") for a in actions]
        subject, text, html = render_mail("check_in", language, {
            "org": org.name, "backbone": backbone.name if backbone else "", "cycle": cycle.name_in(language), "due": due,
            "actions": items, "link": f"{settings.base_url.rstrip('/')}/plans/{org.id}"})
        send_mail(settings, email, subject, text, html)
        sent += 1
    check_in.reminded_at = utcnow()
    audit.record(db, actor_id, "checkin.reminded", "cycle", cycle.id, cycle.backbone_id, date=check_in.due_on.isoformat(), sent=sent,
                 scheduled=scheduled)
    return sent
