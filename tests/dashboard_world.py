"""A small partnership with hand-computable results, for the dashboard's service, HTTP and export tests.

Every respondent gives the same value to every rated item of a domain, so a domain's score is that
value's item score: 0 -> 0, 1 -> 33.33 (shown 33, developing), 2 -> 66.67 (67, established), 3 -> 100 (leading).

- Baseline:  A (k12, 11-50) 1 everywhere, 2 in leadership;   B (nonprofit, 1-10) 2 everywhere.
- Follow-up: A 2 everywhere, 3 in leadership;                 B 2 everywhere, 1 in data;   C (employer) no result.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Answer, Assessment
from app.assessments.service import AnswerInput
from app.organizations.models import Role
from tests import factories as f

INSTRUMENT = ("equity-self-assessment", "1.0")


def answer_and_submit(db, catalogue, cycle, org, lead, values: dict[str, int], people: int = 5) -> Assessment:
    """``people`` respondents (as many as an anonymous cycle needs to submit) give ``values`` to every rated item."""
    instrument = catalogue.get(*INSTRUMENT)
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
    for k in range(people):
        person = f.user(db, org, Role.respondent, password=None)
        response = service.get_or_start_response(db, assessment, person.id, "en")
        service.set_respondent_profile(db, catalogue, response, "staff" if k else "executive", [])
        db.add_all(Answer(response_id=response.id, item_id=item.id, **service.validate_answer(
            instrument, cycle.depth, AnswerInput(item.id, value=str(values.get(item.domain, values["*"]))))) for item in instrument.items if item.is_rated)
        db.flush()
        service.submit_response(db, response, person.id)
    service.submit_assessment(db, catalogue, assessment, lead.id, min_group_size=5)
    return assessment


def build(db, catalogue) -> dict:
    instrument = catalogue.get(*INSTRUMENT)
    backbone = f.backbone(db, "Dashboard Backbone")
    admin = f.user(db, backbone, Role.backbone_admin)
    analyst = f.user(db, backbone, Role.backbone_analyst)
    a = f.partner(db, backbone, "Alder School District", sector="k12", size_band="11-50")
    b = f.partner(db, backbone, "Birch Youth Alliance", sector="nonprofit", size_band="1-10")
    c = f.partner(db, backbone, "Cedar Employers", sector="employer", size_band="201-1000")
    lead_a, lead_b = f.user(db, a, Role.partner_lead), f.user(db, b, Role.partner_lead)
    today = dt.date.today()
    baseline = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", instrument=instrument,
                                    opens_on=today, closes_on=today, partner_ids=[a.id, b.id, c.id])
    answer_and_submit(db, catalogue, baseline, a, lead_a, {"*": 1, "leadership": 2})
    answer_and_submit(db, catalogue, baseline, b, lead_b, {"*": 2})
    baseline.opens_on, baseline.closes_on = today - dt.timedelta(days=400), today - dt.timedelta(days=340)  # a year ago
    service.close_cycle(db, baseline, admin.id)
    follow = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Follow-up", instrument=instrument, baseline=baseline,
                                  opens_on=today - dt.timedelta(days=5), closes_on=today + dt.timedelta(days=30), partner_ids=[a.id, b.id, c.id])
    fa = answer_and_submit(db, catalogue, follow, a, lead_a, {"*": 2, "leadership": 3})
    fb = answer_and_submit(db, catalogue, follow, b, lead_b, {"*": 2, "data": 1})
    db.commit()
    return {"instrument": instrument, "backbone": backbone, "admin": admin, "analyst": analyst, "a": a, "b": b, "c": c,
            "lead_a": lead_a, "lead_b": lead_b, "baseline": baseline, "follow": follow, "fa": fa, "fb": fb}


def weighted_overall(instrument, scores: dict[str, float]) -> float:
    total = sum(d.weight for d in instrument.domains)
    return sum(d.weight * scores[d.id] for d in instrument.domains) / total
