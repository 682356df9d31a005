"""The instrument file format, as Pydantic models.

Structural rules (types, required keys, unknown keys) live on the models; rules that
relate one part of a file to another (ids, references, bounds, translations) live in
``validation.py`` so that every problem is reported, each with its own location.
This module imports nothing from the database, the web layer or the templates.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, RootModel, field_validator

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(RootModel[dict[str, Annotated[str, Field(min_length=1)]]]):
    """A user-visible string in every declared language: ``{en: ..., es: ...}``."""

    model_config = ConfigDict(frozen=True)

    def get(self, lang: str, fallback: str = "en") -> str:
        return self.root.get(lang) or self.root.get(fallback) or next(iter(self.root.values()), "")

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return self.get("en")


class ScaleOption(Model):
    value: int
    label: Text


class Scale(Model):
    id: Id
    options: list[ScaleOption] = Field(min_length=2)
    # Present (with its label) when items on this scale may be answered so.
    dont_know: Text | None = None
    not_applicable: Text | None = None

    @property
    def min_value(self) -> int:
        return min(o.value for o in self.options)

    @property
    def max_value(self) -> int:
        return max(o.value for o in self.options)

    @property
    def values(self) -> frozenset[int]:
        return frozenset(o.value for o in self.options)


class Level(Model):
    id: Id
    name: Text
    min_score: float = Field(ge=0, le=100)
    description: Text


class Domain(Model):
    id: Id
    title: Text
    introduction: Text
    weight: float = Field(default=1.0, gt=0)


class Choice(Model):
    id: Id
    label: Text


class Resource(Model):
    title: Text
    url: str | None = None


class Guidance(Model):
    why: Text
    actions: list[Text] = Field(min_length=2, max_length=3)
    resources: list[Resource] = Field(default_factory=list)


class ItemType(StrEnum):
    rated = "rated"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"
    short_text = "short_text"
    long_text = "long_text"


class Focus(StrEnum):
    policy = "policy"
    practice = "practice"


STEPS = (1, 2, 3, 4)  # 1 core, 2 deeper, 3 short answer, 4 narrative


class Question(Model):
    """An unscored question: readiness reflection, closing summary, respondent questions."""

    id: Id
    type: ItemType
    text: Text
    help: Text | None = None
    options: list[Choice] | None = None
    required: bool = False


class Item(Model):
    id: Id
    domain: Id
    step: Literal[1, 2, 3, 4]
    type: ItemType
    focus: Focus | None = None
    scale: Id | None = None
    text: Text
    help: Text | None = None
    weight: float = Field(default=1.0, gt=0)
    guidance: Guidance | None = None
    options: list[Choice] | None = None

    @property
    def is_rated(self) -> bool:
        return self.type is ItemType.rated


class RespondentQuestions(Model):
    role_group: Question
    race_ethnicity: Question | None = None


class ScoringRules(Model):
    """Thresholds of the scoring engine; every one can be set per instrument version."""

    min_answered_share: float = Field(default=0.5, gt=0, le=1)
    disagreement_steps: int = Field(default=2, ge=1)
    # An item is a disagreement only when its answers spread unusually for this organization: their standard deviation
    # (in points, 0-100) is at least disagreement_ratio times the median of its items' and at least disagreement_min_sd.
    # With fewer than disagreement_typical_items items that have a spread, there is no typical spread: the floor alone.
    disagreement_ratio: float = Field(default=1.5, ge=1)
    disagreement_min_sd: float = Field(default=25.0, ge=0, le=100)
    disagreement_typical_items: int = Field(default=5, ge=1)
    dont_know_opportunity_share: float = Field(default=0.5, gt=0, le=1)
    top_opportunities: int = Field(default=10, ge=1)
    top_per_domain: int = Field(default=3, ge=1)


class IdChanges(Model):
    renamed: dict[Id, Id] = Field(default_factory=dict)  # old id -> new id
    merged: dict[Id, list[Id]] = Field(default_factory=dict)  # new id -> old ids
    retired: list[Id] = Field(default_factory=list)  # old ids with no successor


class Changes(Model):
    """How this version relates to the version it supersedes."""

    supersedes: str
    items: IdChanges = Field(default_factory=IdChanges)
    domains: IdChanges = Field(default_factory=IdChanges)


class Instrument(Model):
    id: Id
    version: str = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    title: Text
    description: Text
    attribution: Text
    source_language: str = "en"
    languages: list[str] = Field(min_length=1)
    published: dt.date
    estimated_minutes: int = Field(default=45, gt=0)
    scoring: ScoringRules = Field(default_factory=ScoringRules)
    scales: list[Scale] = Field(min_length=1)
    levels: list[Level] = Field(min_length=2)
    domains: list[Domain] = Field(min_length=1)
    reflection: list[Question] = Field(default_factory=list)
    items: list[Item] = Field(min_length=1)
    closing: list[Question] = Field(default_factory=list)
    respondent: RespondentQuestions
    changes: Changes | None = None
    _lookup: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_text(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError('write the version in quotes, for example "1.0"')
        return value

    # Lookups built on first use; the model is frozen, so they never go stale.
    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.version)

    def scale(self, scale_id: str) -> Scale:
        return _index(self, "scales")[scale_id]

    def domain(self, domain_id: str) -> Domain:
        return _index(self, "domains")[domain_id]

    def item(self, item_id: str) -> Item:
        return _index(self, "items")[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in _index(self, "items")

    def items_of(self, domain_id: str) -> list[Item]:
        return [i for i in self.items if i.domain == domain_id]

    def question(self, question_id: str) -> Question | Item | None:
        """Any answerable thing by id: an item, a reflection or a closing question."""
        return _index(self, "answerable").get(question_id)

    def level_for(self, shown_score: float) -> Level:
        """The highest level whose lower bound is at most the score as shown."""
        found = self.levels[0]
        for level in self.levels:
            if level.min_score <= shown_score:
                found = level
        return found


def _index(instrument: Instrument, name: str) -> dict[str, Any]:
    cache = instrument._lookup
    if name not in cache:
        if name == "answerable":
            things = [*instrument.reflection, *instrument.items, *instrument.closing]
            cache[name] = {q.id: q for q in things}
        else:
            cache[name] = {x.id: x for x in getattr(instrument, name)}
    return cache[name]
