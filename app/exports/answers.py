"""The individual answers that leave the server (exports, the API), as the principal's view allows.

None before the organization has submitted; in an anonymous cycle under codes new in every call, in a random order,
with only the group fields that no fewer than the minimum share (app.assessments.disclosure).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments import disclosure
from app.assessments.models import Answer, Assessment, Result
from app.assessments.service import counted_responses
from app.auth.models import User

AnswersView = Literal["named", "pseudonymous", "combined"]


def submitted_answers(db: Session, assessment: Assessment, view: AnswersView, min_group_size: int) -> list[dict[str, Any]]:
    """Rows of the answers that the assessment's current result counts, as exports and the API give them (answer_rows)."""
    return answer_rows(db, [assessment.id], view, min_group_size)[assessment.id]


def answer_rows(db: Session, assessment_ids: list[int], view: AnswersView, min_group_size: int,
                taken: set[str] | None = None) -> dict[int, list[dict[str, Any]]]:
    """Per assessment, rows of the answers its current result counts; none before the organization has submitted
    (nothing of a response leaves the server while people are still answering).

    ``view`` (app.access.answers_view): 'named', a named cycle: the respondent's email and group fields, as the welcome
    page told them. 'pseudonymous', the backbone in an anonymous cycle: per response a code new in this call, responses
    in a random order, the group fields that disclosure.released_fields allows within the organization. 'combined', the
    organization itself in an anonymous cycle: no respondent, no group field, each item's answers in a random order, so
    that no two rows can be tied to one person. ``taken``: codes an export read in parts has given already (kept unique).
    """
    counted = counted_responses(db, assessment_ids)
    everyone = [r for responses in counted.values() for r in responses]
    answers: dict[int, list[Any]] = {r.id: [] for r in everyone}
    if everyone:  # plain rows, not ORM objects: an export reads hundreds of thousands
        for a in db.execute(select(Answer.response_id, Answer.item_id, Answer.value, Answer.special, Answer.choices, Answer.text, Answer.comment)
                            .where(Answer.response_id.in_(list(answers))).order_by(Answer.item_id)):
            answers[a.response_id].append(a)
    emails = dict(db.execute(select(User.id, User.email).where(User.id.in_({r.user_id for r in everyone}))).all()) if everyone and view == "named" else {}
    codes = iter(disclosure.fresh_pseudonyms(len(everyone), taken)) if view == "pseudonymous" else iter(())
    shown = _shown_groups(db, [a for a, rs in counted.items() if rs]) if view == "pseudonymous" else {}
    history = _computed_at(db, [a for a, rs in counted.items() if rs]) if view == "pseudonymous" else {}
    out: dict[int, list[dict[str, Any]]] = {}
    for aid, responses in counted.items():
        profiles = {r.id: disclosure.Profile(r.role_group, tuple(r.race_ethnicity or ()), r.language) for r in responses}
        released: tuple[str, ...] | None = ()
        if view == "named":
            keys, released = {r.id: emails.get(r.user_id) for r in responses}, disclosure.FIELDS
        elif view == "pseudonymous":
            # What the result's group figures reveal counts as released: rows tied together could be matched to them.
            groups = shown.get(aid, {})
            batch = _batches(responses, history.get(aid, []))
            profiles = {k: disclosure.coarsened(dataclasses.replace(p, batch=batch[k]), groups) for k, p in profiles.items()}
            required = [kind for kind, ids in groups.items() if ids] + (["batch"] if any(batch.values()) else [])
            released = disclosure.released_fields(list(profiles.values()), min_group_size, required)
            responses = disclosure.shuffled(responses)
            keys = {r.id: next(codes) if released is not None else None for r in responses}
        else:
            keys = {r.id: None for r in responses}
        tied = released is not None and view != "combined"
        released = released or ()
        rows = []
        for r in responses:
            p = profiles[r.id]
            for a in answers[r.id]:
                rows.append({
                    "respondent": keys[r.id],
                    "role_group": p.role_group if "role_group" in released else None,
                    "race_ethnicity": (list(p.race_ethnicity) or None) if "race_ethnicity" in released else None,
                    "language": p.language if "language" in released else None,
                    "item_id": a.item_id,
                    "value": a.value,
                    "special": a.special.value if a.special else None,
                    "choices": a.choices,
                    "text": a.text,
                    "comment": a.comment,
                })
        # Rows not tied to one another (the organization's own view, or rows whose ties would single someone out): each
        # item's answers in a random order.
        out[aid] = rows if tied else sorted(disclosure.shuffled(rows), key=lambda x: x["item_id"])
    return out


def _computed_at(db: Session, assessment_ids: list[int]) -> dict[int, list[dt.datetime]]:
    """Per assessment, when each of its results was computed, oldest first."""
    out: dict[int, list[dt.datetime]] = {}
    for aid, at in db.execute(select(Result.assessment_id, Result.computed_at).where(Result.assessment_id.in_(assessment_ids))
                              .order_by(Result.computed_at)):
        out.setdefault(aid, []).append(at)
    return out


def _batches(responses: list[Any], computed: list[dt.datetime]) -> dict[int, int]:
    """Per response, which result first counted it: the number of results computed before it was submitted (a
    recomputation adds a result but no response: only results that came with new responses count)."""
    firsts = [at for n, at in enumerate(computed) if n == 0 or any(computed[n - 1] < r.submitted_at <= at for r in responses)]
    return {r.id: sum(1 for at in firsts if at < r.submitted_at) for r in responses}


def _shown_groups(db: Session, assessment_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Per assessment, the groups its current result shows, per kind."""
    if not assessment_ids:
        return {}
    rows = db.execute(select(Result.assessment_id, Result.data).where(Result.assessment_id.in_(assessment_ids), Result.is_current.is_(True)))
    return {aid: {kind: list(ids) for kind, ids in ((data or {}).get("groups") or {}).items()} for aid, data in rows}
