"""The scoring engine's typed output.

``AssessmentResult.model_dump(mode="json")`` is what is stored with every submitted assessment and what
``GET /api/v1/assessments/{id}/result`` returns. A missing score is ``None`` (``null`` in JSON). Scores are
kept at full precision; ``shown`` is the score as users see it (rounded half up) and ``level`` is the id of
the readiness level of the shown score. Fields added after engine 1.0.0 have defaults, so results stored
by an earlier engine still load.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Overall(Frozen):
    score: float | None  # full precision
    shown: int | None  # rounded half up, as users see it
    level: str | None  # level id, from the shown score


class ItemResult(Frozen):
    id: str
    score: float | None  # rule 2: the mean of the item scores of the responses that gave a value
    shown: int | None
    n: int  # number of values given
    spread: float | None  # rule 7: highest minus lowest item score; None with fewer than two values
    sd: float | None = None  # rule 7: the standard deviation of its item scores (points); None with fewer than two values
    disagreement: bool  # the values span at least `disagreement_steps` scale steps
    dont_know_share: float | None  # "Don't know" among the answers with a value or "Don't know"; None without such answers
    distribution: dict[str, int]  # every scale value (as text), "dont_know", "not_applicable" -> count


class DomainResult(Frozen):
    id: str
    score: float | None
    shown: int | None
    level: str | None
    enough: bool  # False: "not enough answers" (fewer than min_answered_share of the asked rated items have a score)
    policy_score: float | None
    practice_score: float | None
    gap: float | None  # policy minus practice, full precision; None when either is missing
    dont_know_share: float | None
    n_answers: int  # rated answers with a value or "Don't know" (the don't-know share's denominator)
    items: list[ItemResult]
    n_items: int = 0  # asked rated items of the domain
    n_scored: int = 0  # of which have a score


class Opportunity(Frozen):
    item_id: str
    domain: str
    kind: Literal["improve", "learn"]  # learn: "learn where you stand" (many answered "Don't know")
    priority: float
    score: float | None
    disagreement: bool
    shown: int | None = None
    dont_know_share: float | None = None
    step: int = 1


class GroupDomain(Frozen):
    score: float | None
    shown: int | None
    level: str | None


class GroupResult(Frozen):
    n: int  # responses in the group
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
    growth_opportunities: list[Opportunity]  # the top `top_opportunities`, best first
    top_per_domain: dict[str, list[str]]  # domain id -> the top `top_per_domain` item ids, best first
    groups: dict[str, dict[str, GroupResult]]  # "role_group" / "race_ethnicity" -> group id -> result (shown groups only)
    suppressed: dict[str, bool]  # "role_group" / "race_ethnicity" -> whether some group with respondents was hidden
    min_group_size: int = Field(default=5)  # the anonymity threshold the groups were computed with

    def domain(self, domain_id: str) -> DomainResult | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def item(self, item_id: str) -> ItemResult | None:
        return next((i for d in self.domains for i in d.items if i.id == item_id), None)
