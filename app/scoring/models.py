"""The scoring engine's typed output. ``model_dump(mode="json")`` is what is stored and what the API returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Overall(Frozen):
    score: float | None  # full precision
    shown: int | None  # rounded half up, as users see it
    level: str | None  # level id; from the shown score


class ItemResult(Frozen):
    id: str
    score: float | None
    shown: int | None
    n: int  # responses that gave a value
    spread: float | None  # highest minus lowest item score, with two values or more
    disagreement: bool
    dont_know_share: float | None  # among answers with a value or "Don't know"
    distribution: dict[str, int]  # scale value (as text), "dont_know", "not_applicable" -> count


class DomainResult(Frozen):
    id: str
    score: float | None
    shown: int | None
    level: str | None
    enough: bool  # False: "not enough answers"
    policy_score: float | None
    practice_score: float | None
    gap: float | None  # policy minus practice
    dont_know_share: float | None
    n_answers: int
    items: list[ItemResult]


class Opportunity(Frozen):
    item_id: str
    domain: str
    kind: Literal["improve", "learn"]
    priority: float
    score: float | None
    disagreement: bool


class GroupDomain(Frozen):
    score: float | None
    shown: int | None
    level: str | None


class GroupResult(Frozen):
    n: int
    overall: Overall
    domains: dict[str, GroupDomain]


class AssessmentResult(Frozen):
    engine_version: str
    instrument_id: str
    instrument_version: str
    depth: Literal["core", "full"]
    n_responses: int
    overall: Overall
    domains: list[DomainResult]
    growth_opportunities: list[Opportunity]
    top_per_domain: dict[str, list[str]]
    groups: dict[str, dict[str, GroupResult]]  # "role_group" / "race_ethnicity" -> group id -> result
    suppressed: dict[str, bool]  # whether some groups of that kind are hidden

    def domain(self, domain_id: str) -> DomainResult | None:
        return next((d for d in self.domains if d.id == domain_id), None)
