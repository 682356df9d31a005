"""The scoring engine: answers in, domain scores, readiness levels and growth opportunities out.

Pure and deterministic: it imports no database, web or template code, and it reads every
number (scale, weights, level bounds, thresholds) from the instrument version. The rules are
documented for users in the README, "How scores are computed"; each rule is referenced below.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.instruments.schema import Focus, Instrument, Item
from app.scoring.models import (
    AssessmentResult,
    DomainResult,
    GroupDomain,
    GroupResult,
    ItemResult,
    Opportunity,
    Overall,
)

ENGINE_VERSION = "1.0.0"
SPECIALS = ("dont_know", "not_applicable")


@dataclass(frozen=True, slots=True)
class AnswerIn:
    value: int | None = None
    special: str | None = None  # "dont_know" or "not_applicable"


@dataclass(frozen=True, slots=True)
class ResponseIn:
    id: str
    answers: Mapping[str, AnswerIn]
    role_group: str | None = None
    race_ethnicity: tuple[str, ...] = ()


def shown(score: float | None) -> int | None:
    """Rule 6: a score as users see it, rounded half up (49.5 shows as 50)."""
    if score is None:
        return None
    whole = math.floor(score)
    return whole + 1 if score - whole >= 0.5 else whole


def asked_items(instrument: Instrument, depth: str) -> list[Item]:
    """The items a cycle of this depth asks: core = step 1 only; full = every step."""
    return list(_plan(instrument, depth).asked)


@dataclass(frozen=True)
class _Rated:
    item: Item
    index: int  # instrument order
    low: int
    high: int

    def score(self, value: int) -> float:
        """Rule 1 (a scale starting above 0 is mapped from its lowest to its highest value)."""
        return 100.0 * (value - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class _Plan:
    asked: tuple[Item, ...]
    rated: tuple[_Rated, ...]
    by_domain: dict[str, tuple[_Rated, ...]] = field(default_factory=dict)


_PLANS: dict[tuple[int, str], tuple[Instrument, _Plan]] = {}


def _plan(instrument: Instrument, depth: str) -> _Plan:
    if depth not in ("core", "full"):
        raise ValueError(f"unknown depth {depth!r}: core or full")
    key = (id(instrument), depth)
    cached = _PLANS.get(key)
    if cached is not None and cached[0] is instrument:
        return cached[1]
    asked = tuple(i for i in instrument.items if depth == "full" or i.step == 1)
    asked_ids = {i.id for i in asked}
    rated = []
    for index, item in enumerate(instrument.items):
        if item.is_rated and item.id in asked_ids and item.scale is not None:
            scale = instrument.scale(item.scale)
            rated.append(_Rated(item, index, scale.min_value, scale.max_value))
    by_domain = {d.id: tuple(r for r in rated if r.item.domain == d.id) for d in instrument.domains}
    plan = _Plan(asked, tuple(rated), by_domain)
    if len(_PLANS) > 256:
        _PLANS.clear()
    _PLANS[key] = (instrument, plan)
    return plan


def _weighted(pairs: Sequence[tuple[float, float | None]], total: int, min_share: float) -> float | None:
    """Rules 3-5: weighted mean of the scores that exist, or None when fewer than min_share of `total` have one."""
    have = [(w, s) for w, s in pairs if s is not None]
    if not have or (total and len(have) < min_share * total):
        return None
    return sum(w * s for w, s in have) / sum(w for w, _ in have)


@dataclass(slots=True)
class _ItemTally:
    raw: list[int] = field(default_factory=list)  # the values given (scale points)
    dont_know: int = 0
    not_applicable: int = 0


def _tally(plan: _Plan, responses: Sequence[ResponseIn]) -> dict[str, _ItemTally]:
    tallies = {r.item.id: _ItemTally() for r in plan.rated}
    for response in responses:
        for item_id, answer in response.answers.items():
            tally = tallies.get(item_id)
            if tally is None:
                continue
            if answer.special is None:
                if answer.value is not None:
                    tally.raw.append(answer.value)
            elif answer.special == "dont_know":
                tally.dont_know += 1
            elif answer.special == "not_applicable":
                tally.not_applicable += 1
    return tallies


def _part(rated: Sequence[_Rated], item_scores: dict[str, float | None], focus: Focus | None, min_share: float) -> float | None:
    """Rule 3 over the domain's rated items, or (rule 4) over its policy or its practice items alone."""
    chosen = [r for r in rated if focus is None or r.item.focus is focus]
    return _weighted([(r.item.weight, item_scores[r.item.id]) for r in chosen], len(chosen), min_share)


def _domains(instrument: Instrument, plan: _Plan, tallies: dict[str, _ItemTally], with_items: bool) -> list[DomainResult]:
    rules = instrument.scoring
    out = []
    for domain in instrument.domains:
        rated = plan.by_domain.get(domain.id, ())
        item_scores: dict[str, float | None] = {}
        items = []
        dk = answered = 0
        for r in rated:
            t = tallies[r.item.id]
            n = len(t.raw)
            step = 100.0 / (r.high - r.low)
            score = (sum(t.raw) / n - r.low) * step if n else None  # rules 1 and 2: the mean of the item scores
            item_scores[r.item.id] = score
            dk += t.dont_know
            answered += t.dont_know + n
            if with_items:
                spread = (max(t.raw) - min(t.raw)) * step if n >= 2 else None
                rated_answers = t.dont_know + n
                counts = Counter(t.raw)
                distribution = {str(o.value): counts.get(o.value, 0) for o in instrument.scale(r.item.scale or "").options}
                distribution["dont_know"] = t.dont_know
                distribution["not_applicable"] = t.not_applicable
                items.append(ItemResult(
                    id=r.item.id, score=score, shown=shown(score), n=n, spread=spread,
                    disagreement=spread is not None and spread >= rules.disagreement_steps * step - 1e-9,
                    dont_know_share=t.dont_know / rated_answers if rated_answers else None, distribution=distribution))

        score, policy, practice = (_part(rated, item_scores, focus, rules.min_answered_share) for focus in (None, Focus.policy, Focus.practice))
        s = shown(score)
        out.append(DomainResult(
            id=domain.id, score=score, shown=s, level=instrument.level_for(s).id if s is not None else None,
            enough=score is not None, policy_score=policy, practice_score=practice,
            gap=policy - practice if policy is not None and practice is not None else None,
            dont_know_share=dk / answered if answered else None, n_answers=answered, items=items))
    return out


def _overall(instrument: Instrument, domains: Sequence[DomainResult]) -> Overall:
    weights = {d.id: d.weight for d in instrument.domains}
    score = _weighted([(weights[d.id], d.score) for d in domains], 0, 1.0)  # rule 5: the domain scores that exist
    s = shown(score)
    return Overall(score=score, shown=s, level=instrument.level_for(s).id if s is not None else None)


def _opportunities(instrument: Instrument, plan: _Plan, domains: Sequence[DomainResult]) -> tuple[list[Opportunity], dict[str, list[str]]]:
    """Rule 9."""
    rules = instrument.scoring
    facts = {i.id: i for d in domains for i in d.items}
    ranked: list[tuple[float, _Rated, str, ItemResult]] = []
    for r in plan.rated:
        f = facts[r.item.id]
        if f.dont_know_share is not None and f.dont_know_share >= rules.dont_know_opportunity_share:
            # "Learn where you stand": as urgent as an item scored 0 for the share of people who don't know.
            ranked.append((r.item.weight * 100.0 * f.dont_know_share, r, "learn", f))
        elif f.score is not None:
            ranked.append((r.item.weight * (100.0 - f.score), r, "improve", f))
    ranked.sort(key=lambda x: (-round(x[0], 9), x[1].item.step, x[1].index))
    top = [Opportunity(item_id=r.item.id, domain=r.item.domain, kind=kind, priority=priority, score=f.score, disagreement=f.disagreement)
           for priority, r, kind, f in ranked[: rules.top_opportunities]]
    per_domain: dict[str, list[str]] = {d.id: [] for d in instrument.domains}
    for _, r, _, _ in ranked:
        if len(per_domain[r.item.domain]) < rules.top_per_domain:
            per_domain[r.item.domain].append(r.item.id)
    return top, per_domain


def _group_result(instrument: Instrument, plan: _Plan, responses: Sequence[ResponseIn]) -> GroupResult:
    domains = _domains(instrument, plan, _tally(plan, responses), with_items=False)
    return GroupResult(n=len(responses), overall=_overall(instrument, domains),
                       domains={d.id: GroupDomain(score=d.score, shown=d.shown, level=d.level) for d in domains})


def _visible_groups(members: dict[str, list[ResponseIn]], total: int, min_size: int) -> tuple[set[str], bool]:
    """Rule 8 with complementary suppression.

    A group is shown only with at least ``min_size`` responses. If the responses outside the shown
    groups number more than zero but fewer than ``min_size`` (so that subtracting the shown groups from
    the total would reveal them), the smallest shown groups are hidden too until that is no longer so.
    Respondents who stated no group count as outside every group.
    """
    shown_ids = {g for g, rs in members.items() if len(rs) >= min_size}
    suppressed = len(shown_ids) < len(members)

    def outside() -> int:
        covered = {id(r) for g in shown_ids for r in members[g]}
        return total - len(covered)

    while shown_ids and 0 < outside() < min_size:
        smallest = min(shown_ids, key=lambda g: (len(members[g]), g))
        shown_ids.discard(smallest)
        suppressed = True
    return shown_ids, suppressed or outside() > 0


def score_assessment(instrument: Instrument, responses: Sequence[ResponseIn], *, depth: str = "full",
                     min_group_size: int = 5) -> AssessmentResult:
    """Score the submitted responses of one assessment (rules 1-9)."""
    plan = _plan(instrument, depth)
    domains = _domains(instrument, plan, _tally(plan, responses), with_items=True)
    overall = _overall(instrument, domains)
    top, per_domain = _opportunities(instrument, plan, domains)

    groups: dict[str, dict[str, GroupResult]] = {"role_group": {}, "race_ethnicity": {}}
    suppressed = {"role_group": False, "race_ethnicity": False}
    by_role: dict[str, list[ResponseIn]] = {}
    by_race: dict[str, list[ResponseIn]] = {}
    for r in responses:
        if r.role_group:
            by_role.setdefault(r.role_group, []).append(r)
        for category in dict.fromkeys(r.race_ethnicity):
            by_race.setdefault(category, []).append(r)
    for kind, members in (("role_group", by_role), ("race_ethnicity", by_race)):
        visible, hidden = _visible_groups(members, len(responses), min_group_size)
        suppressed[kind] = hidden and bool(members)
        for gid in sorted(visible):
            groups[kind][gid] = _group_result(instrument, plan, members[gid])

    return AssessmentResult(
        engine_version=ENGINE_VERSION, instrument_id=instrument.id, instrument_version=instrument.version, depth=depth,
        n_responses=len(responses), overall=overall, domains=domains, growth_opportunities=top, top_per_domain=per_domain,
        groups=groups, suppressed=suppressed)
