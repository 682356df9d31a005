""""Respondents disagree" means something: in the demo's partners (6 to 12 respondents each), a handful of the 56
questions are flagged, not nearly all of them as under the rule before engine 1.2.0 (two steps apart)."""

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
        flagged.append(sum(1 for i in items if i["disagreement"]))
        steps_apart.append(sum(1 for i in items if i["spread"] is not None and i["spread"] >= 200 / 3 - 1e-9))
    assert len(flagged) >= 10
    assert max(flagged) <= 15 and sorted(flagged)[len(flagged) // 2] <= 8 and any(flagged)
    assert sorted(steps_apart)[len(steps_apart) // 2] >= 30  # what the old rule would have flagged
