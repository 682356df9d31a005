"""Stored results as the API, pages, exports and reports read them (never re-scored here)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict

from app.assessments.models import Result

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScoreOut(Open):
    score: float | None
    shown: int | None
    level: str | None


class ItemOut(Open):
    id: str
    score: float | None
    n: int
    spread: float | None


class DomainOut(Open):
    id: str
    score: float | None
    shown: int | None
    level: str | None
    policy_score: float | None
    practice_score: float | None
    dont_know_share: float | None
    items: list[ItemOut]


class OpportunityOut(Open):
    item_id: str
    domain: str
    kind: str


class ResultOut(Open):
    assessment_id: int
    engine_version: str
    instrument_id: str
    instrument_version: str
    computed_at: str
    n_responses: int
    overall: ScoreOut
    domains: list[DomainOut]
    growth_opportunities: list[OpportunityOut]
    groups: dict[str, dict[str, Any]]


def result_out(row: Result) -> ResultOut:
    data = dict(row.data)
    data.pop("engine_version", None)
    data.pop("instrument_id", None)
    data.pop("instrument_version", None)
    return ResultOut(assessment_id=row.assessment_id, engine_version=row.engine_version, instrument_id=row.instrument_id,
                     instrument_version=row.instrument_version, computed_at=row.computed_at.isoformat(), **data)
