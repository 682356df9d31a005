"""The scoring engine: answers in; item, domain and overall scores, readiness levels, gaps and growth opportunities out.

Pure and deterministic: it imports nothing but the standard library, Pydantic and the instrument schema, and it reads
every number (scale, weights, level bounds, thresholds) from the instrument version. The rules (README, "How scores are
computed") as implemented here:

1. A rated answer with value v on a scale from ``lo`` to ``hi`` gives the item score ``100 * (v - lo) / (hi - lo)`` for
   that response; every shipped scale starts at 0, where this is ``100 * v / hi``. "Don't know" and "Not applicable"
   give no value. A value that is not on the item's scale is an error (``ValueError``), never silently scored.
2. An item's score is the mean of the item scores of the responses that gave a value (computed as one exact fraction
   of integers, so it never depends on the order of the responses); with none, the item has no score.
3. A domain's score is the weighted mean (item weights) of the scores of its rated items that have one, among the
   items the cycle asked (``asked_items``). When fewer than ``scoring.min_answered_share`` of those items have a score
   (exactly that share is enough), the domain has no score: "not enough answers" (``enough`` is False).
4. The policy score and the practice score apply rule 3 to the domain's policy items and to its practice items alone;
   ``gap`` is policy minus practice (None when either is missing).
5. The overall score is the weighted mean (domain weights) of the domain scores that exist.
6. Scores are kept at full precision; ``shown`` rounds half up (``decimal.ROUND_HALF_UP``: 49.5 shows as 50, 49.49 as
   49) after discarding floating-point noise below a billionth, so a mean that is 49.5 on paper shows 50 even when the
   float is 49.49999999999999. The level is ``instrument.level_for(shown)``, so the number and the level agree.
7. A domain's "Don't know" share is the number of "Don't know" answers over the answers with a value or "Don't know"
   to its asked rated items ("Not applicable" answers are left out: they say the question does not apply, not that the
   respondent does not know). An item's share is the same over its own answers. With two values or more an item has a
   ``spread`` (highest minus lowest item score) and a standard deviation ``sd`` (points, population). It is a
   disagreement when its answers spread unusually for this organization: the highest and lowest values given lie at
   least ``scoring.disagreement_steps`` positions apart on the scale, and its ``sd`` is at least
   ``scoring.disagreement_ratio`` times the median ``sd`` of the organization's items and at least
   ``scoring.disagreement_min_sd`` points (defaults 2 steps, 1.5 times, 25 points; with fewer than
   ``scoring.disagreement_typical_items`` items that have an ``sd``, default 5, there is no typical spread and the floor
   alone applies). Engines before 1.2.0 flagged every item whose answers lay two steps apart, which with a dozen
   respondents is nearly every item.
8. Group results (by role group; by race/ethnicity category, a multi-select question) apply rules 1-6 to the
   responses of one group and report its overall and domain scores; which groups are shown (at least ``min_group_size``
   responses, with complementary suppression): see ``visible_groups``.
9. Growth opportunities: every asked rated item with a score is an "improve" opportunity with priority
   ``weight * (100 - score)``. An item whose "Don't know" share is at least ``scoring.dont_know_opportunity_share`` is a
   "learn" ("learn where you stand") opportunity instead (one entry per item), with priority ``weight * 100 * share``
   (the room to grow if those who do not know stood at the lowest point and everyone else at the highest) or its
   improve priority if that is higher; it ranks with the others.
   Ties (to 1e-9) go to the lower step, then to the item that comes first in the instrument. The result keeps the top
   ``scoring.top_opportunities`` overall and the top ``scoring.top_per_domain`` item ids of every domain; each entry
   says whether the item is a disagreement, and its guidance is the instrument item's ``guidance``.

Speed: everything derived from the instrument alone (which items are asked, scale positions, weights, domain
membership, the level of every whole score) is computed once per instrument version and depth and cached; answers are
tallied as integer counts per (item, scale value | "Don't know" | "Not applicable") slot in one pass; the result is
built as plain data and validated into ``AssessmentResult`` once (one call into pydantic-core, cheaper than
constructing a hundred nested models one by one).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from operator import mul
from typing import Any

from app.instruments.schema import Focus, Instrument, Item
from app.scoring.models import AssessmentResult

ENGINE_VERSION = "1.2.0"  # 1.1: no cell of the shown groups below the minimum (rule 8); 1.2: unusual spread (rule 7)
DONT_KNOW = "dont_know"
NOT_APPLICABLE = "not_applicable"
DEPTHS = ("core", "full")
GROUP_KINDS = ("role_group", "race_ethnicity")

_NOISE = Decimal("1e-9")
_ONE = Decimal(1)
_TIE = 9  # decimals to which priorities are compared (so that float noise does not break a tie)


@dataclass(frozen=True, slots=True)
class AnswerIn:
    """One answer to a rated item: a scale value, or ``special`` "dont_know" / "not_applicable" (then no value)."""

    value: int | None = None
    special: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseIn:
    """One submitted response: a pseudonymous id, answers by item id, and the respondent's self-identified groups."""

    id: str
    answers: Mapping[str, AnswerIn]
    role_group: str | None = None
    race_ethnicity: tuple[str, ...] = ()
    known: bool = False  # answered by someone who sees the result (a lead): they could subtract it, so it counts for no minimum


def shown(score: float | None) -> int | None:
    """Rule 6: a score as users see it, rounded half up to a whole number (49.5 -> 50, 49.49 -> 49)."""
    if score is None:
        return None
    whole = math.floor(score)
    if abs(score - whole - 0.5) > 1e-6:  # fast path: not near a half, where every rounding agrees
        return whole + 1 if score - whole > 0.5 else whole
    return int(Decimal(score).quantize(_NOISE, ROUND_HALF_EVEN).quantize(_ONE, ROUND_HALF_UP))


def level_id(instrument: Instrument, shown_score: int | None) -> str | None:
    """The id of the readiness level of a shown score (None without a score)."""
    return None if shown_score is None else instrument.level_for(shown_score).id


# -- the per-instrument plan -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ItemPlan:
    id: str
    domain: str
    order: int  # position among the instrument's items
    step: int
    weight: float
    focus: Focus | None
    low: int
    span: int  # highest minus lowest scale value
    values: tuple[int, ...]  # the scale's values, ascending
    keys: tuple[str, ...]  # the same as text (distribution keys)
    base: int  # first tally slot: base + position for a value, base + len(values) for "Don't know", + 1 for "Not applicable"


@dataclass(frozen=True, slots=True)
class _DomainPlan:
    id: str
    weight: float
    items: tuple[int, ...]  # indexes into _Plan.items
    policy: tuple[int, ...]
    practice: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    instrument: Instrument
    depth: str
    asked: tuple[Item, ...]
    items: tuple[_ItemPlan, ...]  # the asked rated items, in instrument order
    slots: dict[str, dict[int | str, int]]  # item id -> {scale value | "dont_know" | "not_applicable": tally slot}
    n_slots: int
    spans: tuple[tuple[int, int, tuple[int, ...], int, int], ...]  # per item: first and end value slot, values, low, span
    weights: tuple[float, ...]  # item weights, by item index
    domains: tuple[_DomainPlan, ...]
    domain_weights: tuple[float, ...]
    levels: tuple[str, ...]  # level id of every shown score 0..100


_PLANS: dict[tuple[str, str, str], _Plan] = {}
_MAX_PLANS = 64


def _plan(instrument: Instrument, depth: str) -> _Plan:
    """The instrument-only part of scoring, cached by (instrument id, version, depth).

    The cached plan keeps a reference to its instrument and is used only for that very object, so two different
    instruments that happen to share an id and version (as in tests) never see each other's plan.
    """
    if depth not in DEPTHS:
        raise ValueError(f"unknown depth {depth!r}: 'core' or 'full'")
    key = (instrument.id, instrument.version, depth)
    plan = _PLANS.get(key)
    if plan is not None and plan.instrument is instrument:
        return plan
    asked = tuple(i for i in instrument.items if depth == "full" or i.step == 1)
    order = {item.id: n for n, item in enumerate(instrument.items)}
    items: list[_ItemPlan] = []
    slots: dict[str, dict[int | str, int]] = {}
    base = 0
    for item in asked:
        if not item.is_rated or item.scale is None:
            continue
        values = tuple(sorted(instrument.scale(item.scale).values))
        items.append(_ItemPlan(
            id=item.id, domain=item.domain, order=order[item.id], step=item.step, weight=float(item.weight), focus=item.focus,
            low=values[0], span=values[-1] - values[0], values=values, keys=tuple(str(v) for v in values), base=base))
        table: dict[int | str, int] = {v: base + p for p, v in enumerate(values)}
        table[DONT_KNOW] = base + len(values)
        table[NOT_APPLICABLE] = base + len(values) + 1
        slots[item.id] = table
        base += len(values) + 2
    domains = []
    for domain in instrument.domains:
        mine = tuple(k for k, ip in enumerate(items) if ip.domain == domain.id)
        domains.append(_DomainPlan(
            id=domain.id, weight=float(domain.weight), items=mine,
            policy=tuple(k for k in mine if items[k].focus is Focus.policy),
            practice=tuple(k for k in mine if items[k].focus is Focus.practice)))
    plan = _Plan(instrument=instrument, depth=depth, asked=asked, items=tuple(items), slots=slots, n_slots=base,
                 spans=tuple((ip.base, ip.base + len(ip.values), ip.values, ip.low, ip.span) for ip in items),
                 weights=tuple(ip.weight for ip in items), domains=tuple(domains), domain_weights=tuple(d.weight for d in domains),
                 levels=tuple(instrument.level_for(s).id for s in range(101)))
    if len(_PLANS) >= _MAX_PLANS and key not in _PLANS:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def asked_items(instrument: Instrument, depth: str) -> list[Item]:
    """The items a cycle of this depth asks, in instrument order: "core" = step 1 only; "full" = every step."""
    return list(_plan(instrument, depth).asked)


def _level(plan: _Plan, shown_score: int | None) -> str | None:
    if shown_score is None:
        return None
    if 0 <= shown_score <= 100:
        return plan.levels[shown_score]
    return plan.instrument.level_for(shown_score).id


def _shown_level(plan: _Plan, score: float | None) -> dict[str, Any]:
    s = shown(score)
    return {"score": score, "shown": s, "level": _level(plan, s)}


# -- tallies ---------------------------------------------------------------------------------------


def _parse(plan: _Plan, response: ResponseIn) -> list[int]:
    """A response's answers to the asked rated items as tally slots.

    Answers to other items (unasked steps, unrated questions, unknown ids) and empty answers are ignored; a value
    that is not on the item's scale, an unknown special answer or a value with a special answer is a ValueError.
    """
    table = plan.slots
    out = []
    for item_id, answer in response.answers.items():
        slots = table.get(item_id)
        if slots is None:
            continue
        special = answer.special
        if special is None:
            value = answer.value
            if value is None:
                continue
            slot = slots.get(value) if type(value) is int else None
        else:
            slot = slots.get(special) if answer.value is None and special in (DONT_KNOW, NOT_APPLICABLE) else None
        if slot is None:
            raise ValueError(_bad_answer(plan, response.id, item_id, answer))
        out.append(slot)
    return out


def _bad_answer(plan: _Plan, response_id: str, item_id: str, answer: AnswerIn) -> str:
    values = next(ip.values for ip in plan.items if ip.id == item_id)
    if answer.special is None:
        return f"response {response_id}: {item_id} = {answer.value!r} is not a value of the item's scale {list(values)}"
    if answer.value is not None:
        return f"response {response_id}: {item_id} has both a value ({answer.value!r}) and {answer.special!r}"
    return f"response {response_id}: {item_id}: unknown special answer {answer.special!r} (use {DONT_KNOW!r} or {NOT_APPLICABLE!r})"


def _tally(plan: _Plan, parsed: Iterable[list[int]]) -> list[int]:
    counts = [0] * plan.n_slots
    for slots in parsed:
        for slot in slots:
            counts[slot] += 1
    return counts


def _item_scores(plan: _Plan, counts: list[int]) -> list[float | None]:
    """Rules 1 and 2: each item's score (None without a value), as one exact division of integers."""
    scores: list[float | None] = []
    for first, end, values, low, span in plan.spans:
        c = counts[first:end]
        n = sum(c)
        scores.append(100 * (sum(map(mul, c, values)) - n * low) / (n * span) if n else None)
    return scores


def _weighted(indexes: Sequence[int], weights: Sequence[float], scores: Sequence[float | None], min_share: float) -> tuple[float | None, int]:
    """Rule 3 (and 5): the weighted mean of the scores that exist among ``indexes``, and how many exist.

    None when fewer than ``min_share`` of them have a score (exactly that share is enough). The mean is clamped to the
    range of its scores, so that floating-point rounding never puts it outside them (all 100 stays exactly 100).
    """
    num = den = 0.0
    have = 0
    lo, hi = math.inf, -math.inf
    for k in indexes:
        s = scores[k]
        if s is not None:
            w = weights[k]
            num += w * s
            den += w
            have += 1
            if s < lo:
                lo = s
            if s > hi:
                hi = s
    if not have or have < min_share * len(indexes) - 1e-9:
        return None, have
    mean = num / den
    return (lo if mean < lo else hi if mean > hi else mean), have


def _scores(plan: _Plan, counts: list[int]) -> tuple[list[float | None], list[tuple[float | None, int]], float | None]:
    """Item scores, (domain score, items with a score) per domain, and the overall score of one tally."""
    items = _item_scores(plan, counts)
    min_share = plan.instrument.scoring.min_answered_share
    domains = [_weighted(d.items, plan.weights, items, min_share) for d in plan.domains]
    overall, _ = _weighted(range(len(domains)), plan.domain_weights, [s for s, _ in domains], 0.0)  # rule 5
    return items, domains, overall


# -- rule 8: groups -----------------------------------------------------------------------------------


def visible_groups(members: Mapping[str, Sequence[int]], n_responses: int, min_size: int, known: Set[int] = frozenset()) -> set[str]:
    """Rule 8: which groups of one kind may be shown, so that no set of fewer than ``min_size`` responses can be worked
    out from the figures shown.

    ``members`` maps a group id to the indexes (0 .. n_responses - 1) of the responses in it; a response may be in
    several groups (race/ethnicity is multi-select) or in none (the respondent stated no group).

    1. A group is shown only with at least ``min_size`` responses.
    2. The shown groups split the responses into cells: the responses in exactly the same shown groups (for a single
       choice, each group and the responses in no shown group; for a multiple choice also the overlaps, such as the
       respondents in both W and B). Every cell's figures can be worked out from the groups' and the whole's by adding
       and subtracting. So while a cell holds more than 0 but fewer than ``min_size`` responses, a group is hidden: for
       the cell of responses in no shown group, the smallest shown group; otherwise the smallest group the cell is in
       (ties: the lower group id). This covers the complement of a group ({W}, {W, B} x 4, {B}: the whole minus W is
       one person) and the overlaps of categories ({W} x 5, {W, B}, {B} x 5: W plus B minus the whole is one person).

    ``known``: the indexes of responses whose authors see the result (the organization's leads): they could subtract
    their own answers, so those responses count toward no group's or cell's minimum.
    """
    visible = {g for g, rs in members.items() if sum(1 for r in rs if r not in known) >= min_size}
    groups_of: list[set[str]] = [set() for _ in range(n_responses)]
    for g, rs in members.items():
        for r in rs:
            groups_of[r].add(g)
    while visible:
        cells: dict[frozenset[str], int] = {}
        for n, gs in enumerate(groups_of):
            key = frozenset(gs & visible)
            cells[key] = cells.get(key, 0) + (0 if n in known else 1)
        small = sorted((n, sorted(key)) for key, n in cells.items() if 0 < n < min_size)
        if not small:
            break
        _n, cell = small[0]
        candidates = cell or visible
        visible.discard(min(candidates, key=lambda g: (len(members[g]), g)))
    return visible


def _group_result(plan: _Plan, parsed: Sequence[list[int]], member_indexes: Sequence[int]) -> dict[str, Any]:
    _, domains, overall = _scores(plan, _tally(plan, (parsed[i] for i in member_indexes)))
    return {"n": len(member_indexes), "overall": _shown_level(plan, overall),
            "domains": {d.id: _shown_level(plan, score) for d, (score, _) in zip(plan.domains, domains, strict=True)}}


def _groups(plan: _Plan, responses: Sequence[ResponseIn], parsed: Sequence[list[int]], min_group_size: int
            ) -> tuple[dict[str, dict[str, Any]], dict[str, bool]]:
    by_kind: dict[str, dict[str, list[int]]] = {kind: {} for kind in GROUP_KINDS}
    roles, races = by_kind["role_group"], by_kind["race_ethnicity"]
    for n, r in enumerate(responses):
        if r.role_group:
            roles.setdefault(r.role_group, []).append(n)
        for category in dict.fromkeys(r.race_ethnicity):
            races.setdefault(category, []).append(n)
    groups: dict[str, dict[str, Any]] = {}
    suppressed: dict[str, bool] = {}
    known = {n for n, r in enumerate(responses) if r.known}
    for kind, members in by_kind.items():
        visible = visible_groups(members, len(responses), min_group_size, known)
        groups[kind] = {g: _group_result(plan, parsed, members[g]) for g in sorted(visible)}
        suppressed[kind] = len(visible) < len(members)
    return groups, suppressed


# -- rule 9: growth opportunities ----------------------------------------------------------------------


def _opportunities(plan: _Plan, items: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    rules = plan.instrument.scoring
    threshold = rules.dont_know_opportunity_share - 1e-12
    ranked: list[tuple[tuple[float, int, int], dict[str, Any]]] = []
    for ip, r in zip(plan.items, items, strict=True):
        score, share = r["score"], r["dont_know_share"]
        improve = ip.weight * (100.0 - score) if score is not None else None
        if share is not None and share >= threshold:
            kind = "learn"
            priority = ip.weight * 100.0 * share
            if improve is not None and improve > priority:
                priority = improve
        elif improve is not None:
            kind, priority = "improve", improve
        else:
            continue
        ranked.append(((-round(priority, _TIE), ip.step, ip.order), {
            "item_id": ip.id, "domain": ip.domain, "kind": kind, "priority": priority, "score": score, "shown": r["shown"],
            "disagreement": r["disagreement"], "dont_know_share": share, "step": ip.step}))
    ranked.sort(key=lambda x: x[0])
    per_domain: dict[str, list[str]] = {d.id: [] for d in plan.domains}
    for _, o in ranked:
        ids = per_domain[o["domain"]]
        if len(ids) < rules.top_per_domain:
            ids.append(o["item_id"])
    return [o for _, o in ranked[: rules.top_opportunities]], per_domain


# -- the engine ------------------------------------------------------------------------------------------


def score_assessment(instrument: Instrument, responses: Sequence[ResponseIn], *, depth: str = "full", min_group_size: int = 5) -> AssessmentResult:
    """Score the submitted responses of one assessment (rules 1-9; see the module docstring).

    ``depth`` is the cycle's depth ("core" asks step 1 only, "full" every step); only the asked rated items count.
    ``min_group_size`` is the anonymity threshold for group results (rule 8). Raises ValueError on an unknown depth
    or an answer that does not fit its item's scale.
    """
    plan = _plan(instrument, depth)
    rules = instrument.scoring
    parsed = [_parse(plan, r) for r in responses]
    counts = _tally(plan, parsed)
    item_scores, domain_scores, overall = _scores(plan, counts)

    items: list[dict[str, Any]] = []
    sds: list[float | None] = []
    for ip, score in zip(plan.items, item_scores, strict=True):
        m = len(ip.values)
        c = counts[ip.base:ip.base + m]
        dk = counts[ip.base + m]
        n = sum(c)
        spread, wide, sd = None, False, None
        if n >= 2:
            given = [p for p, x in enumerate(c) if x]  # scale positions with at least one value
            first, last = given[0], given[-1]
            spread = 100 * (ip.values[last] - ip.values[first]) / ip.span
            wide = last - first >= rules.disagreement_steps
        if n >= 2:
            points = [100 * (ip.values[p] - ip.low) / ip.span for p in range(m)]
            mean = sum(x * k for x, k in zip(points, c, strict=True)) / n
            sd = math.sqrt(sum(k * (x - mean) ** 2 for x, k in zip(points, c, strict=True)) / n)
        sds.append(sd)
        distribution = dict(zip(ip.keys, c, strict=True))
        distribution[DONT_KNOW] = dk
        distribution[NOT_APPLICABLE] = counts[ip.base + m + 1]
        s = shown(score)
        items.append({"id": ip.id, "score": score, "shown": s, "n": n, "spread": spread, "sd": sd, "disagreement": wide,
                      "dont_know_share": dk / (n + dk) if n + dk else None, "distribution": distribution})
    known = [x for x in sds if x is not None]
    typical = statistics.median(known) if len(known) >= rules.disagreement_typical_items else 0.0
    bar = max(rules.disagreement_ratio * typical, rules.disagreement_min_sd)
    for it in items:  # rule 7: unusual for this organization, not merely two steps apart
        it["disagreement"] = bool(it["disagreement"] and it["sd"] is not None and it["sd"] >= bar - 1e-9)

    min_share = rules.min_answered_share
    domains: list[dict[str, Any]] = []
    for d, (score, have) in zip(plan.domains, domain_scores, strict=True):
        policy, _ = _weighted(d.policy, plan.weights, item_scores, min_share)  # rule 4
        practice, _ = _weighted(d.practice, plan.weights, item_scores, min_share)
        mine = [items[k] for k in d.items]
        dk = sum(i["distribution"][DONT_KNOW] for i in mine)
        answered = dk + sum(i["n"] for i in mine)
        domains.append({
            **_shown_level(plan, score), "id": d.id, "enough": score is not None, "policy_score": policy, "practice_score": practice,
            "gap": policy - practice if policy is not None and practice is not None else None,
            "dont_know_share": dk / answered if answered else None, "n_answers": answered, "items": mine,
            "n_items": len(d.items), "n_scored": have})

    top, per_domain = _opportunities(plan, items)
    groups, suppressed = _groups(plan, responses, parsed, min_group_size)
    return AssessmentResult.model_validate({
        "engine_version": ENGINE_VERSION, "instrument_id": instrument.id, "instrument_version": instrument.version, "depth": depth,
        "n_responses": len(responses), "overall": _shown_level(plan, overall), "domains": domains, "growth_opportunities": top,
        "top_per_domain": per_domain, "groups": groups, "suppressed": suppressed, "min_group_size": min_group_size})
