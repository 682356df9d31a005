"""Properties of the scoring engine, checked by Hypothesis on the fixture instrument."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.scoring import AnswerIn, AssessmentResult, ResponseIn, score_assessment
from tests.unit.scoring_fixtures import RACES, ROLES, make_instrument

INST = make_instrument()
RATED = {i.id: i for i in INST.items if i.is_rated}
STEP_ONE = {i.id for i in INST.items if i.step == 1}
SETTINGS = settings(max_examples=200, deadline=None)

SPECIALS = [AnswerIn(special="dont_know"), AnswerIn(special="not_applicable")]


def answer_for(item_id: str) -> st.SearchStrategy[AnswerIn]:
    scale = INST.scale(RATED[item_id].scale or "")
    return st.one_of(st.sampled_from(sorted(scale.values)).map(lambda v: AnswerIn(value=v)), st.sampled_from(SPECIALS))


answers = st.fixed_dictionaries({}, optional={item_id: answer_for(item_id) for item_id in RATED})
respondent = st.tuples(answers, st.one_of(st.none(), st.sampled_from(ROLES)), st.lists(st.sampled_from(RACES), max_size=2, unique=True))
people = st.lists(respondent, max_size=14).map(
    lambda rs: [ResponseIn(id=f"r{k}", answers=a, role_group=role, race_ethnicity=tuple(race)) for k, (a, role, race) in enumerate(rs)])
depths = st.sampled_from(["core", "full"])
group_sizes = st.integers(1, 6)


def all_scores(result: AssessmentResult) -> list[float | None]:
    scores: list[float | None] = [result.overall.score]
    for d in result.domains:
        scores += [d.score, d.policy_score, d.practice_score] + [i.score for i in d.items] + [i.spread for i in d.items]
    for groups in result.groups.values():
        for g in groups.values():
            scores += [g.overall.score] + [x.score for x in g.domains.values()]
    scores += [o.score for o in result.growth_opportunities]
    return scores


@SETTINGS
@given(people, depths, group_sizes)
def test_every_score_is_between_0_and_100_and_its_level_matches_its_shown_value(responses, depth, k):
    result = score_assessment(INST, responses, depth=depth, min_group_size=k)
    assert all(s is None or 0 <= s <= 100 for s in all_scores(result))
    for d in result.domains:
        assert d.gap is None or -100 <= d.gap <= 100
        assert d.dont_know_share is None or 0 <= d.dont_know_share <= 1
        assert (d.score is None) == (d.shown is None) == (d.level is None) == (not d.enough)
        if d.shown is not None:
            # Rule 6 discards floating-point noise below a billionth first: 87.49999999999999 (87.5 on paper) shows 88.
            assert INST.level_for(d.shown).id == d.level and abs(d.shown - d.score) <= 0.5 + 1e-9
    if result.overall.shown is not None:
        assert INST.level_for(result.overall.shown).id == result.overall.level


@SETTINGS
@given(people, st.data())
def test_raising_an_answer_never_lowers_its_item_domain_or_overall_score(responses, data):
    given_values = [(k, item_id) for k, r in enumerate(responses) for item_id, a in r.answers.items()
                    if a.value is not None and a.value < INST.scale(RATED[item_id].scale or "").max_value]
    if not given_values:
        return
    k, item_id = data.draw(st.sampled_from(given_values))
    old = responses[k].answers[item_id].value
    higher = data.draw(st.sampled_from([v for v in INST.scale(RATED[item_id].scale or "").values if v > old]))
    raised = [*responses[:k], ResponseIn(id=responses[k].id, answers={**responses[k].answers, item_id: AnswerIn(value=higher)}), *responses[k + 1:]]
    before, after = score_assessment(INST, responses), score_assessment(INST, raised)
    item_before, item_after = before.item(item_id), after.item(item_id)
    assert item_before is not None and item_after is not None and item_after.score > item_before.score
    domain_id = RATED[item_id].domain
    d_before, d_after = before.domain(domain_id), after.domain(domain_id)
    assert d_before is not None and d_after is not None
    pairs = [(d_before.score, d_after.score), (d_before.policy_score, d_after.policy_score), (d_before.practice_score, d_after.practice_score),
             (before.overall.score, after.overall.score)]
    for b, a in pairs:
        assert (b is None) == (a is None)  # which scores exist depends on which items have a value, not on the values
        assert b is None or a >= b


@SETTINGS
@given(people, st.randoms(use_true_random=False), group_sizes)
def test_the_order_of_respondents_does_not_matter(responses, rnd, k):
    shuffled = list(responses)
    rnd.shuffle(shuffled)
    assert score_assessment(INST, shuffled, min_group_size=k).model_dump() == score_assessment(INST, responses, min_group_size=k).model_dump()


@SETTINGS
@given(people, st.sampled_from(sorted(RATED)), st.data())
def test_adding_a_not_applicable_answer_changes_nothing_but_its_count(responses, item_id, data):
    unanswered = [k for k, r in enumerate(responses) if item_id not in r.answers]
    if not unanswered:
        return
    k = data.draw(st.sampled_from(unanswered))
    more = [*responses[:k], ResponseIn(id=responses[k].id, answers={**responses[k].answers, item_id: AnswerIn(special="not_applicable")},
                                       role_group=responses[k].role_group, race_ethnicity=responses[k].race_ethnicity), *responses[k + 1:]]
    before, after = score_assessment(INST, responses).model_dump(), score_assessment(INST, more).model_dump()
    for d in before["domains"]:
        for i in d["items"]:
            if i["id"] == item_id:
                i["distribution"]["not_applicable"] += 1
    assert before == after


@SETTINGS
@given(people)
def test_core_depth_ignores_items_beyond_step_one(responses):
    stripped = [ResponseIn(id=r.id, answers={k: a for k, a in r.answers.items() if k in STEP_ONE}, role_group=r.role_group,
                           race_ethnicity=r.race_ethnicity) for r in responses]
    core = score_assessment(INST, responses, depth="core")
    assert core.model_dump() == score_assessment(INST, stripped, depth="core").model_dump()
    assert {i.id for d in core.domains for i in d.items} == STEP_ONE & set(RATED)
    assert {o.item_id for o in core.growth_opportunities} <= STEP_ONE


@SETTINGS
@given(people, group_sizes)
def test_groups_are_large_enough_and_cannot_be_derived_by_subtraction(responses, k):
    result = score_assessment(INST, responses, min_group_size=k)
    members: dict[str, dict[str, set[str]]] = {"role_group": {}, "race_ethnicity": {}}
    for r in responses:
        if r.role_group:
            members["role_group"].setdefault(r.role_group, set()).add(r.id)
        for c in r.race_ethnicity:
            members["race_ethnicity"].setdefault(c, set()).add(r.id)
    for kind, groups in result.groups.items():
        covered: set[str] = set()
        for gid, g in groups.items():
            assert g.n == len(members[kind][gid]) >= k
            assert len(responses) - g.n == 0 or len(responses) - g.n >= k  # the whole minus the group is no one or a group
            covered |= members[kind][gid]
        outside = len(responses) - len(covered)
        assert groups == {} or outside == 0 or outside >= k
        cells: dict[frozenset[str], int] = {}  # the responses in exactly the same shown groups: each a derivable set
        for r in responses:
            key = frozenset(g for g in groups if r.id in members[kind][g])
            cells[key] = cells.get(key, 0) + 1
        assert groups == {} or all(n >= k for n in cells.values()), cells  # (with no group shown, the one cell is the whole)
        assert result.suppressed[kind] == (len(groups) < len(members[kind]))


@settings(max_examples=60, deadline=None)
@given(people)
def test_a_group_result_equals_scoring_the_groups_responses_alone(responses):
    result = score_assessment(INST, responses, min_group_size=1)
    for gid, g in result.groups["role_group"].items():
        alone = score_assessment(INST, [r for r in responses if r.role_group == gid])
        assert g.overall == alone.overall
        assert {d.id: (d.score, d.shown, d.level) for d in alone.domains} == {i: (x.score, x.shown, x.level) for i, x in g.domains.items()}


@settings(max_examples=100, deadline=None)
@given(people, depths)
def test_the_result_is_a_valid_model_that_survives_json(responses, depth):
    result = score_assessment(INST, responses, depth=depth)
    data: dict[str, Any] = result.model_dump(mode="json")
    assert AssessmentResult.model_validate(data) == result
    assert AssessmentResult.model_validate_json(result.model_dump_json()) == result
