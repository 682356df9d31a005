"""Stored results as the API, pages, exports and reports read them (never re-scored here)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from app.assessments.models import Result

IdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ScoreOut(Open):
    score: float | None = Field(description="The score from 0 to 100 at full precision; null when there are not enough answers")
    shown: int | None = Field(description="The score as people see it: a whole number, rounded half up (49.5 shows as 50)")
    level: str | None = Field(description="The id of the instrument's readiness level for the shown score; null without a score")


class ItemOut(Open):
    id: str = Field(description="The question's (item's) id in the instrument")
    score: float | None = Field(description="The mean of the responses' item scores, 0-100 at full precision; null when no response gave a value")
    n: int = Field(description="How many responses gave a value on the scale (neither \"Don't know\" nor \"Not applicable\")")
    spread: float | None = Field(description="The highest minus the lowest item score given, in points (0-100); null with fewer than two values")


class DomainOut(Open):
    id: str = Field(description="The domain's id in the instrument")
    score: float | None = Field(description="The weighted mean of the domain's item scores, 0-100 at full precision; null: not enough answers")
    shown: int | None = Field(description="The score as people see it: a whole number, rounded half up")
    level: str | None = Field(description="The id of the readiness level for the shown score; null without a score")
    policy_score: float | None = Field(description="The score of the domain's policy items alone (written, adopted), 0-100; null: too few answers")
    practice_score: float | None = Field(description="The score of the domain's practice items alone (what is actually done), 0-100; null: too few answers")
    dont_know_share: float | None = Field(description="The share (0-1) of \"Don't know\" among the domain's answers with a value or \"Don't know\"; "
                                                      "null without such answers")
    items: list[ItemOut] = Field(description="The domain's rated questions that the cycle asked, in the instrument's order")


class OpportunityOut(Open):
    item_id: str = Field(description="The question's (item's) id in the instrument")
    domain: str = Field(description="The id of the question's domain")
    kind: str = Field(description="improve: a score with room to grow; learn: many answered \"Don't know\", so the first step is to learn where "
                                  "the organization stands")


class ResultOut(Open):
    assessment_id: int = Field(description="The id of the assessment this result is of")
    engine_version: str = Field(description="The version of the scoring engine that computed it")
    instrument_id: str = Field(description="The id of the instrument the answers were given to")
    instrument_version: str = Field(description="The instrument's version")
    computed_at: str = Field(description="When the result was computed (ISO 8601, UTC)")
    n_responses: int = Field(description="How many submitted responses it counts")
    overall: ScoreOut = Field(description="The overall score: the weighted mean of the domain scores, with its level")
    domains: list[DomainOut] = Field(description="Each domain's score, level, policy and practice scores and questions, in the instrument's order")
    growth_opportunities: list[OpportunityOut] = Field(description="The questions with the most room to grow, highest priority first")
    groups: dict[str, dict[str, Any]] = Field(description="Results by group: role_group or race_ethnicity -> group id -> {n, overall, domains}; only "
                                                          "groups with at least the anonymity minimum of responses, none that would single anyone out")


def result_out(row: Result) -> ResultOut:
    data = dict(row.data)
    data.pop("engine_version", None)
    data.pop("instrument_id", None)
    data.pop("instrument_version", None)
    return ResultOut(assessment_id=row.assessment_id, engine_version=row.engine_version, instrument_id=row.instrument_id,
                     instrument_version=row.instrument_version, computed_at=row.computed_at.isoformat(), **data)
