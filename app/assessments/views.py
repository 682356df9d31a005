"""A stored result, localized: what result pages, the dashboard drill-down and the reports show.

It joins the stored numbers with the instrument's words (domain titles, level names and
descriptions, item texts, growth guidance) in one language (its markup: app.web.presenters).
It computes no score: numbers are the stored ones, rounded as the engine rounded them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.instruments.schema import Instrument, Level


@dataclass(frozen=True)
class LevelView:
    id: str
    name: str
    description: str
    lower: float
    index: int


@dataclass(frozen=True)
class Count:
    label: str
    n: int
    point: bool = True  # a point of the question's scale, lowest first; False: "Don't know" or "Not applicable"


@dataclass(frozen=True)
class ItemView:
    id: str
    text: str
    focus: str | None
    step: int
    score: float | None
    shown: int | None
    n: int
    spread: float | None
    disagreement: bool
    dont_know_share: float | None
    distribution: list[Count]
    answers: int


@dataclass(frozen=True)
class OpportunityView:
    item_id: str
    domain_id: str
    domain_title: str
    text: str
    kind: str  # improve | learn
    shown: int | None
    disagreement: bool
    why: str
    actions: list[str]
    resources: list[tuple[str, str | None]]


@dataclass(frozen=True)
class DomainView:
    id: str
    title: str
    introduction: str
    score: float | None
    shown: int | None
    level: LevelView | None
    policy_shown: int | None
    practice_shown: int | None
    gap: int | None  # policy minus practice, as shown
    dont_know_share: float | None
    items: list[ItemView]
    opportunities: list[OpportunityView] = field(default_factory=list)


@dataclass(frozen=True)
class GroupView:
    id: str
    label: str
    n: int
    overall_shown: int | None
    overall_level: LevelView | None
    domains: dict[str, int | None]


@dataclass(frozen=True)
class ResultView:
    lang: str
    instrument_title: str
    instrument_version: str
    n_responses: int
    overall_score: float | None
    overall_shown: int | None
    overall_level: LevelView | None
    levels: list[LevelView]
    domains: list[DomainView]
    opportunities: list[OpportunityView]
    role_groups: list[GroupView]
    race_groups: list[GroupView]
    groups_suppressed: bool

    def domain(self, domain_id: str) -> DomainView | None:
        return next((d for d in self.domains if d.id == domain_id), None)


def level_views(instrument: Instrument, lang: str) -> list[LevelView]:
    return [_level(level, i, lang) for i, level in enumerate(instrument.levels)]


def _level(level: Level, index: int, lang: str) -> LevelView:
    return LevelView(level.id, level.name.get(lang), level.description.get(lang), level.min_score, index)


def build_view(data: dict[str, Any], instrument: Instrument, lang: str) -> ResultView:
    levels = level_views(instrument, lang)
    by_level = {lv.id: lv for lv in levels}
    opportunities = [_opportunity(o, instrument, lang, data) for o in data.get("growth_opportunities", [])]
    top_per_domain = data.get("top_per_domain", {})
    item_scores = {i["id"]: i for d in data.get("domains", []) for i in d.get("items", [])}
    domains = []
    for d in data.get("domains", []):
        domain = instrument.domain(d["id"])
        items = [_item(i, instrument, lang) for i in d.get("items", [])]
        policy, practice = _shown(d.get("policy_score")), _shown(d.get("practice_score"))
        per_domain = [_opportunity({"item_id": item_id, "domain": d["id"], **_opportunity_facts(item_id, data, item_scores)},
                                   instrument, lang, data) for item_id in top_per_domain.get(d["id"], [])]
        domains.append(DomainView(
            id=d["id"], title=domain.title.get(lang), introduction=domain.introduction.get(lang), score=d.get("score"),
            shown=d.get("shown"), level=by_level.get(d.get("level") or ""), policy_shown=policy, practice_shown=practice,
            gap=policy - practice if policy is not None and practice is not None else None,
            dont_know_share=d.get("dont_know_share"), items=items, opportunities=per_domain))
    overall = data.get("overall", {})
    groups = data.get("groups", {})
    return ResultView(
        lang=lang, instrument_title=instrument.title.get(lang), instrument_version=instrument.version,
        n_responses=data.get("n_responses", 0), overall_score=overall.get("score"), overall_shown=overall.get("shown"),
        overall_level=by_level.get(overall.get("level") or ""), levels=levels, domains=domains, opportunities=opportunities,
        role_groups=_groups(groups.get("role_group", {}), instrument, lang, by_level, "role_group"),
        race_groups=_groups(groups.get("race_ethnicity", {}), instrument, lang, by_level, "race_ethnicity"),
        groups_suppressed=any((data.get("suppressed") or {}).values()))


def _shown(score: float | None) -> int | None:
    from app.scoring import shown

    return shown(score)


def _item(i: dict[str, Any], instrument: Instrument, lang: str) -> ItemView:
    item = instrument.item(i["id"])
    scale = instrument.scale(item.scale) if item.scale else None
    dist = i.get("distribution") or {}
    counts = []
    if scale is not None:
        counts = [Count(o.label.get(lang), int(dist.get(str(o.value), 0))) for o in sorted(scale.options, key=lambda o: o.value)]
        if scale.dont_know is not None:
            counts.append(Count(scale.dont_know.get(lang), int(dist.get("dont_know", 0)), point=False))
        if scale.not_applicable is not None:
            counts.append(Count(scale.not_applicable.get(lang), int(dist.get("not_applicable", 0)), point=False))
    return ItemView(id=item.id, text=item.text.get(lang), focus=item.focus.value if item.focus else None, step=item.step,
                    score=i.get("score"), shown=i.get("shown"), n=i.get("n", 0), spread=i.get("spread"),
                    disagreement=bool(i.get("disagreement")), dont_know_share=i.get("dont_know_share"), distribution=counts,
                    answers=sum(c.n for c in counts))


def _opportunity_facts(item_id: str, data: dict[str, Any], item_scores: dict[str, Any]) -> dict[str, Any]:
    for o in data.get("growth_opportunities", []):
        if o["item_id"] == item_id:
            return {k: v for k, v in o.items() if k not in ("item_id", "domain")}
    facts = item_scores.get(item_id, {})
    kind = "improve" if facts.get("score") is not None else "learn"
    return {"kind": kind, "score": facts.get("score"), "disagreement": facts.get("disagreement", False)}


def _opportunity(o: dict[str, Any], instrument: Instrument, lang: str, data: dict[str, Any]) -> OpportunityView:
    item = instrument.item(o["item_id"])
    guidance = item.guidance
    return OpportunityView(
        item_id=item.id, domain_id=item.domain, domain_title=instrument.domain(item.domain).title.get(lang), text=item.text.get(lang),
        kind=o.get("kind", "improve"), shown=_shown(o.get("score")), disagreement=bool(o.get("disagreement")),
        why=guidance.why.get(lang) if guidance else "", actions=[a.get(lang) for a in guidance.actions] if guidance else [],
        resources=[(r.title.get(lang), r.url) for r in guidance.resources] if guidance else [])


def _groups(groups: dict[str, Any], instrument: Instrument, lang: str, by_level: dict[str, LevelView], kind: str) -> list[GroupView]:
    question = instrument.respondent.role_group if kind == "role_group" else instrument.respondent.race_ethnicity
    labels = {c.id: c.label.get(lang) for c in (question.options or [])} if question else {}
    order = list(labels)
    out = []
    for gid, g in sorted(groups.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)):
        overall = g.get("overall", {})
        out.append(GroupView(id=gid, label=labels.get(gid, gid), n=g.get("n", 0), overall_shown=overall.get("shown"),
                             overall_level=by_level.get(overall.get("level") or ""),
                             domains={k: v.get("shown") for k, v in (g.get("domains") or {}).items()}))
    return out
