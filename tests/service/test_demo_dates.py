"""The demo's dates are those of a partnership that ran its cycles when they say: every response, submission and result
of a cycle falls inside that cycle's dates (a baseline report once said "Submitted December 1, 2026" for a cycle that
ran October 2025 - January 2026), and the action plans still start after the baseline closed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app import clock
from app.assessments.models import Assessment, Cycle, Response, ResponseStatus, Result
from app.assessments.service import counted_responses
from app.demo import BACKBONE_NAME, load_demo
from app.organizations.models import Organization
from app.plans.models import Action


def test_the_demo_dates_every_submission_and_result_inside_its_cycle(db, catalogue, settings):
    today = dt.date(2026, 12, 1)
    load_demo(db, catalogue, settings.min_group_size, today=today)
    db.flush()
    backbone = db.scalar(select(Organization).where(Organization.name == BACKBONE_NAME))
    cycles = db.scalars(select(Cycle).where(Cycle.backbone_id == backbone.id).order_by(Cycle.id)).all()
    assert len(cycles) == 3 and [c.baseline_id for c in cycles] == [None, cycles[0].id, cycles[1].id]  # a chain of three
    baseline = cycles[0]
    now = dt.datetime.now(dt.UTC)

    def day(at: dt.datetime) -> dt.date:
        return clock.local(at).date()

    for cycle in cycles:
        assessments = db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id)).all()
        submitted = [a for a in assessments if a.submitted_at is not None]
        assert submitted
        last = min(cycle.closes_on, today)
        for a in submitted:
            assert cycle.opens_on <= day(a.submitted_at) <= last, (cycle.name, a.submitted_at)
            row = db.scalar(select(Result).where(Result.assessment_id == a.id, Result.is_current.is_(True)))
            assert row.computed_at == a.submitted_at and row.computed_at <= now
            responses = db.scalars(select(Response).where(Response.assessment_id == a.id,
                                                          Response.status == ResponseStatus.submitted)).all()
            for r in responses:
                assert cycle.opens_on <= day(r.submitted_at) <= last and r.submitted_at <= row.computed_at
            # the result still counts every response submitted before it (nothing dated after it)
            assert len(counted_responses(db, [a.id])[a.id]) == len(responses) == row.data["n_responses"]
        if cycle is baseline:
            assert len({day(a.submitted_at) for a in submitted}) >= 1
            assert len({day(r.submitted_at) for a in submitted for r in db.scalars(
                select(Response).where(Response.assessment_id == a.id, Response.submitted_at.is_not(None)))}) > 5  # spread out
    actions = db.scalars(select(Action).join(Organization, Organization.id == Action.organization_id)
                         .where(Organization.backbone_id == backbone.id)).all()
    assert actions and all(day(x.created_at) > baseline.closes_on for x in actions)
