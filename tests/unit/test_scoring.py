"""The scoring rules (issue 4, rules 1-9), each with a hand-computed example.

The instrument is ``scoring_fixtures.make_instrument()`` (see its docstring for the items, weights and scales).
Expected numbers are written as the fractions worked out by hand; ``exact`` compares them to 1e-12.
"""

from __future__ import annotations

import json
import math

import pytest

from app.instruments.schema import Instrument
from app.scoring import ENGINE_VERSION, AnswerIn, AssessmentResult, ResponseIn, asked_items, score_assessment, shown, visible_groups
from tests.unit.scoring_fixtures import crowd, domain, make_instrument, rated, resp


def exact(x: float) -> object:
    return pytest.approx(x, rel=1e-12, abs=1e-12)


INST = make_instrument()

# Two respondents; worked example used by several tests.
#            lead-01 lead-02 lead-03 lead-04 data-01 data-02 comm-01 (1-5) comm-02
#   r1          3       1       2      dk       0       3       5          na
#   r2          2      dk      na      dk       1       3       3          na
PAIR = [
    resp("r1", {"lead-01": 3, "lead-02": 1, "lead-03": 2, "lead-04": "dk", "data-01": 0, "data-02": 3, "comm-01": 5, "comm-02": "na"}),
    resp("r2", {"lead-01": 2, "lead-02": "dk", "lead-03": "na", "lead-04": "dk", "data-01": 1, "data-02": 3, "comm-01": 3, "comm-02": "na"}),
]


def item(result: AssessmentResult, item_id: str):  # type: ignore[no-untyped-def]
    found = result.item(item_id)
    assert found is not None
    return found


def dom(result: AssessmentResult, domain_id: str):  # type: ignore[no-untyped-def]
    found = result.domain(domain_id)
    assert found is not None
    return found


# -- rules 1 and 2: item scores ---------------------------------------------------------------------


def test_rules_1_2_item_score_is_the_mean_of_100_v_over_m_of_the_values():
    result = score_assessment(INST, PAIR)
    lead01 = item(result, "lead-01")
    assert lead01.score == exact((100 + 200 / 3) / 2) and lead01.score == exact(250 / 3)  # 3 -> 100, 2 -> 66.67
    assert (lead01.n, lead01.shown) == (2, 83)
    assert item(result, "data-01").score == exact((0 + 100 / 3) / 2)  # 16.67
    assert item(result, "data-02").score == 100


def test_rule_1_dont_know_and_not_applicable_give_no_value():
    result = score_assessment(INST, PAIR)
    assert item(result, "lead-02").score == exact(100 / 3) and item(result, "lead-02").n == 1  # 1 and "Don't know"
    assert item(result, "lead-03").score == exact(200 / 3) and item(result, "lead-03").n == 1  # 2 and "Not applicable"
    only_specials = item(result, "lead-04")  # "Don't know" twice
    assert (only_specials.score, only_specials.shown, only_specials.n, only_specials.spread) == (None, None, 0, None)
    assert item(result, "comm-02").score is None  # "Not applicable" twice


def test_rule_1_a_scale_that_does_not_start_at_zero_maps_lowest_to_0_and_highest_to_100():
    # comm-01 is on the 1-5 scale: 5 -> 100, 3 -> 50, 1 -> 0, 4 -> 75
    assert item(score_assessment(INST, PAIR), "comm-01").score == 75
    three = score_assessment(INST, [resp("a", {"comm-01": 1}), resp("b", {"comm-01": 5}), resp("c", {"comm-01": 4})])
    assert item(three, "comm-01").score == exact(175 / 3)


def test_rule_2_item_distribution_counts_every_answer_kind():
    result = score_assessment(INST, PAIR)
    assert item(result, "lead-02").distribution == {"0": 0, "1": 1, "2": 0, "3": 0, "dont_know": 1, "not_applicable": 0}
    assert item(result, "comm-01").distribution == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1, "dont_know": 0, "not_applicable": 0}
    assert item(result, "comm-02").distribution["not_applicable"] == 2


def test_answers_to_unasked_unrated_or_unknown_items_are_ignored():
    extra = [resp("r", {"lead-01": 3, "lead-05": 2, "nope": 1})]
    assert score_assessment(INST, extra).model_dump() == score_assessment(INST, [resp("r", {"lead-01": 3})]).model_dump()


@pytest.mark.parametrize(("answer", "message"), [
    (AnswerIn(value=4), "not a value"),
    (AnswerIn(value=-1), "not a value"),
    (AnswerIn(special="maybe"), "unknown special"),
    (AnswerIn(value=2, special="dont_know"), "both a value"),
])
def test_an_answer_that_does_not_fit_the_scale_is_an_error(answer, message):
    with pytest.raises(ValueError, match=message):
        score_assessment(INST, [ResponseIn(id="r", answers={"lead-01": answer})])


def test_an_empty_answer_is_no_answer():
    result = score_assessment(INST, [ResponseIn(id="r", answers={"lead-01": AnswerIn()})])
    assert item(result, "lead-01").n == 0 and sum(item(result, "lead-01").distribution.values()) == 0


# -- rule 3: domain scores, weights and "not enough answers" --------------------------------------------


def test_rule_3_domain_score_is_the_item_weighted_mean_of_the_items_with_a_score():
    result = score_assessment(INST, PAIR)
    lead = dom(result, "lead")
    # lead-01 (weight 2) 250/3, lead-02 100/3, lead-03 200/3; lead-04 has no score and is left out.
    assert lead.score == exact((2 * 250 / 3 + 100 / 3 + 200 / 3) / 4) and lead.score == exact(200 / 3)
    assert (lead.shown, lead.level, lead.enough, lead.n_items, lead.n_scored) == (67, "established", True, 4, 3)
    assert dom(result, "data").score == exact(175 / 3)  # (50/3 + 100) / 2
    assert (dom(result, "data").shown, dom(result, "data").level) == (58, "established")


def test_rule_3_weights_change_the_domain_score():
    heavy = make_instrument(items=[rated("lead-01", "lead", weight=3), rated("lead-02", "lead", weight=1)])
    result = score_assessment(heavy, [resp("r", {"lead-01": 3, "lead-02": 0})])
    assert dom(result, "lead").score == 75  # (3 x 100 + 1 x 0) / 4


def test_rule_3_exactly_half_the_asked_items_with_a_score_is_enough():
    # lead asks four rated items (full depth); two scored: 100 (weight 2) and 0.
    result = score_assessment(INST, [resp("r", {"lead-01": 3, "lead-02": 0, "data-01": 3})])
    lead = dom(result, "lead")
    assert lead.score == exact(200 / 3) and lead.enough and (lead.n_items, lead.n_scored) == (4, 2)


def test_rule_3_fewer_than_half_gives_no_domain_score():
    result = score_assessment(INST, [resp("r", {"lead-01": 3, "lead-02": "dk", "lead-03": "na", "data-01": 3, "comm-01": 1})])
    lead = dom(result, "lead")
    assert (lead.score, lead.shown, lead.level, lead.enough, lead.n_scored) == (None, None, None, False, 1)
    assert lead.items[0].score == 100  # the item itself still has its score
    # the overall score uses the domains that have one: data 100 (weight 1), comm: comm-01 0 and comm-02 none -> 0 (1 of 2)
    assert dom(result, "comm").score == 0
    assert result.overall.score == 50


def test_rule_3_the_instrument_sets_the_share():
    strict = make_instrument(min_answered_share=0.75)
    two_of_four = [resp("r", {"lead-01": 3, "lead-02": 0})]
    assert dom(score_assessment(strict, two_of_four), "lead").score is None
    three_of_four = [resp("r", {"lead-01": 3, "lead-02": 0, "lead-04": 3})]
    assert dom(score_assessment(strict, three_of_four), "lead").score == 75  # (2 x 100 + 0 + 100) / 4


def test_rule_3_a_domain_with_no_answers_has_no_score():
    result = score_assessment(INST, [resp("r", {"lead-01": 3})])
    data = dom(result, "data")
    assert (data.score, data.enough, data.dont_know_share, data.n_answers, data.policy_score, data.practice_score, data.gap) == (
        None, False, None, 0, None, None, None)


# -- rule 4: policy, practice and the gap ---------------------------------------------------------------


def test_rule_4_policy_and_practice_scores_and_gap():
    result = score_assessment(INST, PAIR)
    lead = dom(result, "lead")
    # policy items lead-01 (250/3) and lead-04 (no score): one of two is enough.
    assert lead.policy_score == exact(250 / 3)
    assert lead.practice_score == exact(50)  # lead-02 100/3 and lead-03 200/3
    assert lead.gap == exact(100 / 3)  # a written policy that is not fully practised
    data = dom(result, "data")
    assert data.gap == exact(50 / 3 - 100)  # a practice with no policy behind it: negative
    comm = dom(result, "comm")
    assert (comm.policy_score, comm.practice_score, comm.gap) == (None, 75, None)  # comm-02 only "Not applicable"


def test_rule_4_policy_score_also_needs_enough_answers():
    inst = make_instrument(items=[rated("lead-01", "lead", "policy"), rated("lead-02", "lead", "policy"), rated("lead-03", "lead", "policy"),
                                  rated("lead-04", "lead", "practice")])
    result = score_assessment(inst, [resp("r", {"lead-01": 3, "lead-04": 0})])
    lead = dom(result, "lead")
    assert lead.policy_score is None  # 1 of 3 policy items
    assert lead.practice_score == 0
    assert lead.score == 50  # 2 of 4 items: (100 + 0) / 2


# -- rule 5: overall ------------------------------------------------------------------------------------


def test_rule_5_overall_is_the_domain_weighted_mean_of_existing_domain_scores():
    result = score_assessment(INST, PAIR)
    # lead 200/3 (weight 2), data 175/3, comm 75 -> (400/3 + 175/3 + 225/3) / 4 = 200/3
    assert result.overall.score == exact((2 * 200 / 3 + 175 / 3 + 75) / 4)
    assert (result.overall.shown, result.overall.level) == (67, "established")


def test_rule_5_no_domain_score_no_overall_score():
    result = score_assessment(INST, [resp("r", {"lead-01": "dk"})])
    assert (result.overall.score, result.overall.shown, result.overall.level) == (None, None, None)
    empty = score_assessment(INST, [])
    assert empty.n_responses == 0 and empty.overall.score is None and all(d.score is None for d in empty.domains)


# -- rule 6: rounding and levels ------------------------------------------------------------------------


@pytest.mark.parametrize(("score", "expected"), [
    (49.5, 50), (49.49, 49), (49.499999, 49), (0.5, 1), (1.5, 2), (2.5, 3), (74.5, 75), (74.49, 74), (0, 0), (100, 100), (None, None),
    (49.49999999999999, 50),  # 49.5 on paper, a hair below in floating point: shown as 50
    (66.66666666666667, 67), (33.333333333333336, 33),
])
def test_rule_6_rounding_half_up(score, expected):
    assert shown(score) == expected


def test_rule_6_a_domain_score_of_49_5_shows_50_and_the_level_at_50():
    inst = make_instrument(items=[rated("lead-01", "lead", weight=99), rated("lead-02", "lead", "practice", weight=101)],
                           domains=[domain("lead")])
    result = score_assessment(inst, [resp("r", {"lead-01": 3, "lead-02": 0})])
    lead = dom(result, "lead")
    assert lead.score == 49.5  # 99 x 100 / 200
    assert (lead.shown, lead.level) == (50, "established")


def test_rule_6_a_domain_score_of_49_49_shows_49_and_the_level_below():
    inst = make_instrument(items=[rated("lead-01", "lead", weight=4949), rated("lead-02", "lead", "practice", weight=5051)],
                           domains=[domain("lead")])
    lead = dom(score_assessment(inst, [resp("r", {"lead-01": 3, "lead-02": 0})]), "lead")
    assert lead.score == exact(49.49) and (lead.shown, lead.level) == (49, "developing")


def test_rule_6_an_overall_score_of_49_5_shows_50_and_the_level_at_50():
    inst = make_instrument(items=[rated("lead-01", "lead"), rated("data-01", "data")], domains=[domain("lead", 99), domain("data", 101)])
    result = score_assessment(inst, [resp("r", {"lead-01": 3, "data-01": 0})])
    assert result.overall.score == 49.5 and (result.overall.shown, result.overall.level) == (50, "established")
    assert dom(result, "data").level == "emerging" and dom(result, "lead").level == "leading"


def test_rule_6_every_level_bound():
    zero = dom(score_assessment(INST, [resp("r", {"lead-01": 0, "lead-02": 0})]), "lead")
    assert (zero.shown, zero.level) == (0, "emerging")
    for bound, level in ((25, "developing"), (50, "established"), (75, "leading")):
        inst = make_instrument(items=[rated("lead-01", "lead", weight=bound), rated("lead-02", "lead", weight=100 - bound)],
                               domains=[domain("lead")])
        lead = dom(score_assessment(inst, [resp("r", {"lead-01": 3, "lead-02": 0})]), "lead")
        assert (lead.score, lead.shown, lead.level) == (bound, bound, level)


# -- rule 7: "Don't know" share, spread and disagreement ----------------------------------------------------


def test_rule_7_dont_know_share_leaves_out_not_applicable():
    result = score_assessment(INST, PAIR)
    lead = dom(result, "lead")
    # values: lead-01 x2, lead-02 x1, lead-03 x1 (its "Not applicable" left out); "Don't know": lead-02 x1, lead-04 x2 -> 3 / 7
    assert lead.dont_know_share == exact(3 / 7) and lead.n_answers == 7
    assert item(result, "lead-02").dont_know_share == exact(1 / 2)
    assert item(result, "lead-04").dont_know_share == 1
    assert item(result, "lead-03").dont_know_share == 0
    assert item(result, "comm-02").dont_know_share is None  # only "Not applicable": no share
    assert dom(result, "comm").dont_know_share == 0 and dom(result, "comm").n_answers == 2


def test_rule_7_spread_and_disagreement_on_a_0_3_scale():
    result = score_assessment(INST, [resp("a", {"lead-01": 0, "lead-02": 1, "lead-03": 2, "data-01": 3}),
                                     resp("b", {"lead-01": 2, "lead-02": 2, "lead-03": 2, "data-01": 0}),
                                     resp("c", {"lead-01": 1, "lead-02": 1, "lead-03": "dk"})])
    assert (item(result, "lead-01").spread, item(result, "lead-01").disagreement) == (exact(200 / 3), True)  # 0..2: two steps
    assert (item(result, "lead-02").spread, item(result, "lead-02").disagreement) == (exact(100 / 3), False)  # 1..2: one step
    assert (item(result, "lead-03").spread, item(result, "lead-03").disagreement) == (0, False)  # 2 and 2
    assert (item(result, "data-01").spread, item(result, "data-01").disagreement) == (100, True)
    assert (item(result, "data-02").spread, item(result, "data-02").disagreement) == (None, False)  # no value


def test_rule_7_only_a_spread_unusual_for_the_organization_is_a_disagreement():
    # Six items on a 0-3 scale answered by four people: five spread 1-2-2-3 (typical here: two steps apart, sd 23.6),
    # one 0-0-3-3 (sd 50). With a typical spread, only the unusual one is a disagreement (the bar: 1.5 x 23.6).
    typical = {"lead-01": (1, 2, 2, 3), "lead-02": (1, 2, 2, 3), "lead-03": (1, 2, 2, 3), "lead-04": (1, 2, 2, 3), "data-01": (1, 2, 2, 3),
               "data-02": (0, 0, 3, 3)}
    result = score_assessment(INST, [resp(f"r{k}", {i: v[k] for i, v in typical.items()}) for k in range(4)])
    assert [i for i in typical if item(result, i).disagreement] == ["data-02"]
    assert item(result, "lead-01").sd == exact(100 * math.sqrt(1 / 18))  # 23.6 points
    # Without a typical spread (fewer items than the setting asks), a floor below their spread flags all six.
    rules = {"disagreement_typical_items": 7, "disagreement_min_sd": 20}
    loose = INST.model_copy(update={"scoring": INST.scoring.model_copy(update=rules)})
    alone = score_assessment(loose, [resp(f"r{k}", {i: v[k] for i, v in typical.items()}) for k in range(4)])
    assert all(item(alone, i).disagreement for i in typical)


def test_rule_7_a_single_value_has_no_spread():
    result = score_assessment(INST, [resp("a", {"lead-01": 0}), resp("b", {"lead-01": "dk"})])
    assert (item(result, "lead-01").spread, item(result, "lead-01").disagreement) == (None, False)


def test_rule_7_disagreement_counts_steps_of_the_items_own_scale():
    result = score_assessment(INST, [resp("a", {"comm-01": 1}), resp("b", {"comm-01": 3})])  # 1-5 scale: two steps = 50 points
    assert (item(result, "comm-01").spread, item(result, "comm-01").disagreement) == (50, True)
    near = score_assessment(INST, [resp("a", {"comm-01": 4}), resp("b", {"comm-01": 5})])
    assert (item(near, "comm-01").spread, item(near, "comm-01").disagreement) == (25, False)


def test_rule_7_the_instrument_sets_the_disagreement_steps():
    wide = make_instrument(disagreement_steps=3)
    result = score_assessment(wide, [resp("a", {"lead-01": 0}), resp("b", {"lead-01": 2})])
    assert not item(result, "lead-01").disagreement
    result = score_assessment(wide, [resp("a", {"lead-01": 0}), resp("b", {"lead-01": 3})])
    assert item(result, "lead-01").disagreement


# -- rule 8: groups -----------------------------------------------------------------------------------------


def test_rule_8_a_group_of_four_is_hidden():
    result = score_assessment(INST, crowd("s", 4, {"lead-01": 3, "lead-02": 3}, role="staff"))
    assert result.groups == {"role_group": {}, "race_ethnicity": {}}
    assert result.suppressed == {"role_group": True, "race_ethnicity": False}


def test_rule_8_a_group_of_five_is_shown_with_its_own_scores():
    people = crowd("s", 4, {"lead-01": 3, "lead-02": 3, "data-01": 1}, role="staff") + [resp("s4", {"lead-01": 0, "lead-02": 0, "data-01": 1}, "staff")]
    result = score_assessment(INST, people)
    staff = result.groups["role_group"]["staff"]
    assert staff.n == 5
    assert staff.domains["lead"].score == 80 and (staff.domains["lead"].shown, staff.domains["lead"].level) == (80, "leading")  # (4 x 100 + 0) / 5
    assert staff.domains["data"].score == exact(100 / 3)
    assert staff.domains["comm"].score is None
    assert staff.overall.score == exact((2 * 80 + 100 / 3) / 3)
    assert result.suppressed == {"role_group": False, "race_ethnicity": False}


def test_rule_8_the_threshold_is_a_parameter():
    people = crowd("s", 3, {"lead-01": 3}, role="staff")
    assert set(score_assessment(INST, people, min_group_size=3).groups["role_group"]) == {"staff"}
    assert score_assessment(INST, people, min_group_size=4).groups["role_group"] == {}
    assert score_assessment(INST, people, min_group_size=4).min_group_size == 4


def test_rule_8_complementary_suppression_hides_the_next_smallest_group():
    people = (crowd("s", 5, {"lead-01": 3}, role="staff") + crowd("b", 6, {"lead-01": 0}, role="board")
              + crowd("v", 2, {"lead-01": 1}, role="volunteer"))
    result = score_assessment(INST, people)
    # volunteers (2) are hidden; total - board - staff would reveal them, so staff (the smaller shown group) goes too.
    assert set(result.groups["role_group"]) == {"board"} and result.suppressed["role_group"]
    assert result.groups["role_group"]["board"].n == 6


def test_rule_8_respondents_with_no_group_count_as_hidden():
    people = crowd("s", 5, {"lead-01": 3}, role="staff") + crowd("b", 6, {"lead-01": 0}, role="board")
    assert set(score_assessment(INST, people).groups["role_group"]) == {"staff", "board"}
    with_unstated = [*people, resp("x", {"lead-01": 2})]
    result = score_assessment(INST, with_unstated)
    assert set(result.groups["role_group"]) == {"board"}
    # no group was too small, but staff was hidden to protect the one respondent without a group
    assert result.suppressed["role_group"]


def test_rule_8_no_extra_suppression_when_the_hidden_total_reaches_the_threshold():
    people = (crowd("s", 5, {"lead-01": 3}, role="staff") + crowd("b", 5, {"lead-01": 0}, role="board")
              + crowd("v", 3, {"lead-01": 1}, role="volunteer") + crowd("e", 2, {"lead-01": 2}, role="executive"))
    result = score_assessment(INST, people)
    assert set(result.groups["role_group"]) == {"board", "staff"} and result.suppressed["role_group"]  # hidden: 3 + 2 = 5


def test_rule_8_suppression_cascades_until_nothing_is_derivable():
    people = (crowd("a", 5, {"lead-01": 3}, role="staff") + crowd("b", 6, {"lead-01": 0}, role="board")
              + crowd("c", 7, {"lead-01": 1}, role="executive") + crowd("d", 1, {"lead-01": 2}, role="volunteer"))
    # hidden 1 -> hide staff (5): hidden 6 >= 5, stop.
    assert set(score_assessment(INST, people).groups["role_group"]) == {"board", "executive"}
    few = crowd("a", 5, {"lead-01": 3}, role="staff") + crowd("d", 1, {"lead-01": 2}, role="volunteer")
    # hidden 1 -> hide staff: hidden 6, nothing left to show.
    assert score_assessment(INST, few).groups["role_group"] == {}


def test_rule_8_ties_hide_the_lower_group_id_first():
    people = crowd("s", 5, {"lead-01": 3}, role="staff") + crowd("b", 5, {"lead-01": 0}, role="board") + [resp("v", {}, "volunteer")]
    assert set(score_assessment(INST, people).groups["role_group"]) == {"staff"}


def test_rule_8_race_ethnicity_categories_are_groups():
    people = (crowd("l", 5, {"lead-01": 3, "lead-02": 3}, race=("latino",)) + crowd("a", 5, {"lead-01": 1}, race=("asian",))
              + [resp("m", {"lead-01": 0, "lead-02": 0}, race=("latino", "black"))])
    result = score_assessment(INST, people)
    races = result.groups["race_ethnicity"]
    assert set(races) == {"latino", "asian"}  # black (1) hidden; that respondent is in latino, so nobody is outside a shown category
    assert races["latino"].n == 6 and races["latino"].domains["lead"].score == exact(500 / 6)  # (5 x 100 + 0) / 6 on both items
    assert result.suppressed == {"role_group": False, "race_ethnicity": True}


def test_rule_8_race_ethnicity_complementary_suppression():
    people = crowd("l", 5, {"lead-01": 3}, race=("latino",)) + crowd("a", 4, {"lead-01": 1}, race=("asian",))
    # asian (4) hidden; latino would reveal them by subtraction: hidden too.
    assert score_assessment(INST, people).groups["race_ethnicity"] == {}
    unstated = crowd("l", 5, {"lead-01": 3}, race=("latino",)) + crowd("a", 5, {"lead-01": 1}, race=("asian",)) + [resp("x", {"lead-01": 2})]
    assert set(score_assessment(INST, unstated).groups["race_ethnicity"]) == {"latino"}


def test_rule_8_a_group_whose_complement_is_below_the_minimum_is_hidden():
    """{W}, {W, B} x 4, {B}: W and B have five each and nobody is outside both, but the whole minus W is the one {B}
    respondent (and minus B the one {W}): both are hidden."""
    people = ([resp("w", {"lead-01": 3}, race=("white",))] + crowd("wb", 4, {"lead-01": 1}, race=("white", "black"))
              + [resp("b", {"lead-01": 0}, race=("black",))])
    assert score_assessment(INST, people).groups["race_ethnicity"] == {}
    assert visible_groups({"w": [0, 1, 2, 3, 4], "b": [1, 2, 3, 4, 5]}, 6, 5) == set()
    assert visible_groups({"w": [0, 1, 2, 3, 4], "b": [5, 6, 7, 8, 9]}, 10, 5) == {"w", "b"}
    # w alone (not in b) is one person: w goes; then the whole minus b is one person: b goes too.
    assert visible_groups({"w": [0, 1, 2, 3, 4], "b": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 10, 5) == set()


def test_rule_8_an_overlap_of_two_shown_categories_below_the_minimum_hides_one():
    """{W} x 5, {W, B}, {B} x 5: W (6) and B (6) are each large enough and nobody is outside both, but W + B - the whole
    is the one respondent in both."""
    assert visible_groups({"w": [0, 1, 2, 3, 4, 5], "b": [5, 6, 7, 8, 9, 10]}, 11, 5) == {"w"}
    people = (crowd("w", 5, {"lead-01": 3}, race=("white",)) + [resp("x", {"lead-01": 0}, race=("white", "black"))]
              + crowd("b", 5, {"lead-01": 1}, race=("black",)))
    shown = score_assessment(INST, people).groups["race_ethnicity"]
    assert len(shown) == 1


def test_rule_8_a_category_chosen_twice_by_one_respondent_counts_once():
    people = crowd("l", 4, {"lead-01": 3}, race=("latino",)) + [resp("d", {"lead-01": 3}, race=("latino", "latino"))]
    assert score_assessment(INST, people).groups["race_ethnicity"]["latino"].n == 5


# -- rule 9: growth opportunities ---------------------------------------------------------------------------

#            lead-01(w2) lead-02 lead-03(step 2) lead-04 data-01 data-02 comm-01(1-5) comm-02(step 2)
#   a, b          3         1         1            1       dk       2        3            dk
#   c             1         1         1            1        0       2        3            dk
RANKING = [resp(rid, {"lead-01": v, "lead-02": 1, "lead-03": 1, "lead-04": 1, "data-01": dk, "data-02": 2, "comm-01": 3, "comm-02": "dk"})
           for rid, v, dk in (("a", 3, "dk"), ("b", 3, "dk"), ("c", 1, 0))]


def test_rule_9_ranking_by_weight_times_room_to_grow_with_learn_and_ties():
    result = score_assessment(INST, RANKING)
    got = [(o.item_id, o.kind, round(o.priority, 6)) for o in result.growth_opportunities]
    assert got == [
        ("data-01", "learn", 100.0),  # score 0, 2 of 3 "Don't know": learn; priority max(100 x 2/3, 100 - 0) = 100
        ("comm-02", "learn", 100.0),  # no score, all "Don't know": 100 x 1; tie with data-01 -> step 2 after step 1
        ("lead-02", "improve", round(200 / 3, 6)),  # 100 - 33.3
        ("lead-04", "improve", round(200 / 3, 6)),  # same priority, same step: instrument order
        ("lead-03", "improve", round(200 / 3, 6)),  # same priority, but step 2: after lead-04 although it comes first in the instrument
        ("comm-01", "improve", 50.0),  # 3 on 1-5 -> 50
        ("lead-01", "improve", round(2 * (100 - 700 / 9), 6)),  # weight 2 x (100 - 77.8) = 44.4
        ("data-02", "improve", round(100 / 3, 6)),  # 100 - 66.7
    ]
    assert [o.disagreement for o in result.growth_opportunities] == [False, False, False, False, False, False, True, False]  # lead-01: 1..3
    assert result.top_per_domain == {"lead": ["lead-02", "lead-04", "lead-03"], "data": ["data-01", "data-02"], "comm": ["comm-02", "comm-01"]}
    first = result.growth_opportunities[0]
    assert (first.domain, first.score, first.dont_know_share, first.step) == ("data", 0, exact(2 / 3), 1)


def test_rule_9_learn_at_exactly_the_share_and_improve_below_it():
    result = score_assessment(INST, [resp("a", {"data-01": 3, "data-02": 3}), resp("b", {"data-01": "dk", "data-02": "dk"}),
                                     resp("c", {"data-02": 3})])
    kinds = {o.item_id: (o.kind, round(o.priority, 6)) for o in result.growth_opportunities}
    assert kinds["data-01"] == ("learn", 50.0)  # 1 of 2 "Don't know" (= the share): 100 x 1/2 beats 100 - 100
    assert kinds["data-02"] == ("improve", 0.0)  # 1 of 3: below the share


def test_rule_9_the_instrument_sets_the_learn_share():
    result = score_assessment(make_instrument(dont_know_opportunity_share=0.3), [resp("a", {"data-02": 3}), resp("b", {"data-02": 3}),
                                                                                resp("c", {"data-02": "dk"})])
    assert next(o for o in result.growth_opportunities if o.item_id == "data-02").kind == "learn"


def test_rule_9_keeps_the_top_n_overall_and_per_domain():
    inst = make_instrument(top_opportunities=3, top_per_domain=1)
    result = score_assessment(inst, RANKING)
    assert [o.item_id for o in result.growth_opportunities] == ["data-01", "comm-02", "lead-02"]
    assert result.top_per_domain == {"lead": ["lead-02"], "data": ["data-01"], "comm": ["comm-02"]}
    default = score_assessment(INST, RANKING * 3)
    assert len(default.growth_opportunities) == 8  # all rated items: fewer than ten


def test_rule_9_an_item_without_a_value_or_dont_know_is_no_opportunity():
    result = score_assessment(INST, [resp("a", {"lead-01": 3, "comm-02": "na"})])
    assert [o.item_id for o in result.growth_opportunities] == ["lead-01"]
    assert result.top_per_domain == {"lead": ["lead-01"], "data": [], "comm": []}


# -- depth ------------------------------------------------------------------------------------------------


def test_core_depth_asks_step_one_only():
    assert [i.id for i in asked_items(INST, "core")] == ["lead-01", "lead-02", "lead-04", "data-01", "data-02", "comm-01"]
    assert [i.id for i in asked_items(INST, "full")] == [i.id for i in INST.items]
    result = score_assessment(INST, PAIR, depth="core")
    lead = dom(result, "lead")
    assert [i.id for i in lead.items] == ["lead-01", "lead-02", "lead-04"] and result.depth == "core"
    assert lead.score == exact((2 * 250 / 3 + 100 / 3) / 3)  # lead-03 (step 2) not counted
    assert lead.n_items == 3 and lead.practice_score == exact(100 / 3)
    comm = dom(result, "comm")
    assert [i.id for i in comm.items] == ["comm-01"] and comm.policy_score is None  # comm-02 is step 2


def test_core_depth_counts_enough_answers_among_asked_items_only():
    # one scored of lead's three core items: not enough; at full depth one of four: not enough either;
    # comm: comm-01 is the only core item -> enough with it alone.
    result = score_assessment(INST, [resp("r", {"lead-01": 3, "comm-01": 5})], depth="core")
    assert dom(result, "lead").score is None and dom(result, "comm").score == 100


def test_unknown_depth_is_an_error():
    with pytest.raises(ValueError, match="depth"):
        score_assessment(INST, PAIR, depth="deep")


# -- the result as stored -----------------------------------------------------------------------------------


def test_result_shape_as_stored_and_served():
    result = score_assessment(INST, PAIR)
    data = json.loads(json.dumps(result.model_dump(mode="json")))
    assert AssessmentResult.model_validate(data) == result  # the engine's output is a valid model
    assert data["engine_version"] == ENGINE_VERSION == "1.2.0"
    assert (data["instrument_id"], data["instrument_version"], data["depth"], data["n_responses"]) == ("mini", "1.0", "full", 2)
    assert set(data) >= {"overall", "domains", "growth_opportunities", "top_per_domain", "groups", "suppressed"}
    assert set(data["overall"]) == {"score", "shown", "level"}
    assert [d["id"] for d in data["domains"]] == ["lead", "data", "comm"]
    assert set(data["domains"][0]) >= {"id", "score", "shown", "level", "policy_score", "practice_score", "gap", "dont_know_share",
                                       "n_answers", "enough", "items"}
    assert set(data["domains"][0]["items"][0]) >= {"id", "score", "shown", "n", "spread", "sd", "disagreement", "dont_know_share", "distribution"}
    assert set(data["growth_opportunities"][0]) >= {"item_id", "domain", "kind", "priority", "score", "disagreement"}
    assert data["groups"] == {"role_group": {}, "race_ethnicity": {}}
    assert data["domains"][0]["items"][3]["score"] is None  # lead-04: null in JSON


def test_results_are_frozen():
    result = score_assessment(INST, PAIR)
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        result.n_responses = 3  # type: ignore[misc]


def test_scores_come_from_the_instrument_not_the_code():
    # same answers, other levels: the level follows the instrument
    data = INST.model_dump()
    data["levels"] = [{**lv, "min_score": b} for lv, b in zip(data["levels"], (0, 10, 20, 90), strict=True)]
    other = Instrument.model_validate(data)
    assert dom(score_assessment(other, PAIR), "lead").level == "established"  # 67: between 20 and 90
    assert dom(score_assessment(INST, PAIR), "lead").level == "established"
    data["levels"] = [{**lv, "min_score": b} for lv, b in zip(data["levels"], (0, 10, 20, 60), strict=True)]
    assert dom(score_assessment(Instrument.model_validate(data), PAIR), "lead").level == "leading"
