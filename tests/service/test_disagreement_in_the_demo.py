""""Respondents disagree" means something: in the demo's partners (6 to 12 respondents each), a handful of the rated
questions (56 in 1.0, 87 in 1.1) are flagged, not nearly all of them as under the rule before engine 1.2.0 (two steps
apart). The shares were set on 1.0: at most 15, typically at most 8, of 56 questions."""

from __future__ import annotations

from sqlalchemy import select

from app.assessments.models import Result
from app.demo import load_demo


def test_a_typical_demo_partner_has_a_handful_of_disagreements_not_all(db, catalogue, settings):
    load_demo(db, catalogue, settings.min_group_size)
    db.flush()
    flagged, steps_apart = [], []
    for data in db.scalars(select(Result.data).where(Result.is_current.is_(True))):
        items = [i for d in data["domains"] for i in d["items"]]
        flagged.append(sum(1 for i in items if i["disagreement"]) / len(items))
        steps_apart.append(sum(1 for i in items if i["spread"] is not None and i["spread"] >= 200 / 3 - 1e-9) / len(items))
    assert len(flagged) >= 10
    assert max(flagged) <= 15 / 56 and sorted(flagged)[len(flagged) // 2] <= 8 / 56 and any(flagged)
    assert sorted(steps_apart)[len(steps_apart) // 2] >= 30 / 56  # what the old rule would have flagged
