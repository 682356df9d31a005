"""The backbone's view of a cycle's progress: per partner, its status, responses submitted and under way, last activity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assessments.models import Assessment, AssessmentStatus, Cycle, Response, ResponseStatus
from app.organizations.models import Organization


class Progress(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    reopened = "reopened"


@dataclass(frozen=True)
class ProgressRow:
    organization: Organization
    assessment: Assessment
    status: Progress
    submitted: int
    in_progress: int
    last_activity: dt.datetime | None


def cycle_progress(db: Session, cycle: Cycle) -> list[ProgressRow]:
    """Each partner of the cycle: status, responses submitted and under way, last activity."""
    pairs = db.execute(select(Assessment, Organization).join(Organization, Organization.id == Assessment.organization_id)
                       .where(Assessment.cycle_id == cycle.id).order_by(func.lower(Organization.name))).all()
    ids = [a.id for a, _ in pairs]
    counts: dict[int, dict[ResponseStatus, int]] = {i: {} for i in ids}
    last: dict[int, dt.datetime] = {}
    if ids:
        for aid, status, n, latest in db.execute(
                select(Response.assessment_id, Response.status, func.count(), func.max(Response.updated_at))
                .where(Response.assessment_id.in_(ids)).group_by(Response.assessment_id, Response.status)):
            counts[aid][status] = n
            last[aid] = max(last.get(aid, latest), latest)
    rows = []
    for a, org in pairs:
        c = counts[a.id]
        if a.status is AssessmentStatus.submitted:
            status = Progress.submitted
        elif a.status is AssessmentStatus.reopened:
            status = Progress.reopened
        else:
            status = Progress.in_progress if c else Progress.not_started
        activity = [t for t in (last.get(a.id), a.submitted_at) if t]
        rows.append(ProgressRow(org, a, status, c.get(ResponseStatus.submitted, 0), c.get(ResponseStatus.in_progress, 0),
                                max(activity) if activity else None))
    return rows
