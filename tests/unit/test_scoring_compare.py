"""Rule 10 (comparison with an earlier cycle) and the id mapping between instrument versions."""

from __future__ import annotations

import pytest

from app.instruments.mapping import IdMap
from app.scoring import compare, score_assessment
from tests.unit.scoring_fixtures import domain, make_instrument, rated, resp


def exact(x: float) -> object:
    return pytest.approx(x, rel=1e-12, abs=1e-12)


OLD = make_instrument()  # mini 1.0: lead (2), data, comm; lead-01..04, data-01..02, comm-01 (1-5), comm-02

# mini 1.1: domain lead renamed leadership; item lead-01 renamed leadership-01; lead-03 retired;
# comm-01 and comm-02 merged into comm-03; a new domain voice with a new item voice-01.
NEW_ITEMS = [
    rated("leadership-01", "leadership", "policy", 2),
    rated("lead-02", "leadership", "practice"),
    rated("lead-04", "leadership", "policy"),
    rated("data-01", "data", "policy"),
    rated("data-02", "data", "practice"),
    rated("comm-03", "comm", "practice"),
    rated("voice-01", "voice", "policy"),
]
NEW_DOMAINS = [domain("leadership", 2), domain("data"), domain("comm"), domain("voice")]
CHANGES = {"supersedes": "1.0",
           "items": {"renamed": {"lead-01": "leadership-01"}, "merged": {"comm-03": ["comm-01", "comm-02"]}, "retired": ["lead-03"]},
           "domains": {"renamed": {"lead": "leadership"}}}
NEW = make_instrument(NEW_ITEMS, NEW_DOMAINS, version="1.1", changes=CHANGES)


# -- the mapping ----------------------------------------------------------------------------------------


def test_mapping_renamed_merged_retired_and_unchanged_ids():
    m = IdMap.between(NEW, OLD)
    assert m.linked
    assert m.old_item_for("leadership-01") == "lead-01"
    assert m.old_item_for("lead-02") == "lead-02" and m.old_item_for("data-01") == "data-01"
    assert m.old_items_for("comm-03") == ("comm-01", "comm-02") and m.old_item_for("comm-03") is None
    assert m.old_item_for("voice-01") is None and m.old_items_for("voice-01") == ()
    assert m.old_item_for("lead-03") is None  # retired: not in the newer version at all
    assert m.comparable_items == {"leadership-01": "lead-01", "lead-02": "lead-02", "lead-04": "lead-04", "data-01": "data-01", "data-02": "data-02"}
    assert m.not_comparable_items == ["comm-03", "voice-01"]
    assert m.old_domain_for("leadership") == "lead" and m.old_domain_for("data") == "data" and m.old_domain_for("voice") is None
    assert m.comparable_domains == {"leadership": "lead", "data": "data", "comm": "comm"}
    assert m.not_comparable_domains == ["voice"]


def test_an_id_reused_for_a_new_item_does_not_map_to_the_renamed_old_item():
    items = [rated("lead-22", "lead"), rated("lead-02", "lead"), rated("data-01", "data")]
    newer = make_instrument(items, version="1.1", changes={"supersedes": "1.0", "items": {"renamed": {"lead-02": "lead-22"}}})
    m = IdMap.between(newer, OLD)
    assert m.old_item_for("lead-22") == "lead-02"
    assert m.old_item_for("lead-02") is None  # a new question under an old id


def test_mapping_chains_through_intermediate_versions_when_given_a_finder():
    v12 = make_instrument([rated("lead-one", "leadership", "policy", 2), rated("lead-02", "leadership", "practice"), rated("voice-01", "voice")],
                          NEW_DOMAINS, version="1.2", changes={"supersedes": "1.1", "items": {"renamed": {"leadership-01": "lead-one"}}})
    versions = {"1.0": OLD, "1.1": NEW}
    m = IdMap.between(v12, OLD, find=lambda _id, version: versions.get(version))
    assert m.linked
    assert m.old_item_for("lead-one") == "lead-01" and m.old_item_for("lead-02") == "lead-02" and m.old_item_for("voice-01") is None
    assert m.old_domain_for("leadership") == "lead"
    unlinked = IdMap.between(v12, OLD)  # no finder: equal ids only
    assert not unlinked.linked and unlinked.old_item_for("lead-one") is None and unlinked.old_item_for("lead-02") == "lead-02"


def test_mapping_of_a_version_to_itself_and_of_another_instrument():
    same = IdMap.between(OLD, OLD)
    assert same.not_comparable_items == [] and same.old_item_for("lead-05") == "lead-05"
    other = IdMap.between(make_instrument(instrument_id="other"), OLD)
    assert not other.linked and other.comparable_items == {} and other.not_comparable_domains == ["lead", "data", "comm"]


# -- rule 10 --------------------------------------------------------------------------------------------

# Baseline (1.0): one respondent, everything at 1 (33.3) except comm-01 = 3 on 1-5 (50).
#   lead 100/3 (developing), data 100/3, comm (50 + 100/3) / 2 = 125/3 (developing); overall (2 x 100/3 + 100/3 + 125/3) / 4 = 425/12
BEFORE = score_assessment(OLD, [resp("a", {"lead-01": 1, "lead-02": 1, "lead-03": 1, "lead-04": 1, "data-01": 1, "data-02": 1,
                                           "comm-01": 3, "comm-02": 1})])
# Follow-up (1.1): leadership (2 x 100 + 200/3 + 100) / 4 = 275/3 (leading), data 100/3, comm 200/3 (established), voice 0;
#   overall (2 x 275/3 + 100/3 + 200/3 + 0) / 5 = 170/3 (established)
AFTER = score_assessment(NEW, [resp("a", {"leadership-01": 3, "lead-02": 2, "lead-04": 3, "data-01": 1, "data-02": 1, "comm-03": 2,
                                          "voice-01": 0})])


def test_rule_10_change_and_level_move_through_renamed_ids():
    assert BEFORE.overall.score == exact(425 / 12) and AFTER.overall.score == exact(170 / 3)
    cmp = compare(AFTER, BEFORE, NEW, OLD)
    by_id = {d.id: d for d in cmp.domains}
    assert list(by_id) == ["leadership", "data", "comm"]
    lead = by_id["leadership"]
    assert (lead.baseline_id, lead.score, lead.baseline_score) == ("lead", exact(275 / 3), exact(100 / 3))
    assert lead.change == exact(175 / 3)
    assert (lead.level, lead.baseline_level, lead.level_move) == ("leading", "developing", 2)
    assert (by_id["data"].change, by_id["data"].level_move) == (0, 0)
    assert by_id["comm"].change == exact(200 / 3 - 125 / 3) and by_id["comm"].level_move == 1  # same id, merged items
    assert cmp.overall.change == exact(170 / 3 - 425 / 12) and cmp.overall.change == exact(21.25)
    assert (cmp.overall.id, cmp.overall.level, cmp.overall.baseline_level, cmp.overall.level_move) == ("overall", "established", "developing", 1)
    assert cmp.not_comparable_domains == ["voice"]
    assert cmp.not_comparable_items == ["comm-03", "voice-01"]
    items = {i.id: i for i in cmp.items}
    assert items["leadership-01"].baseline_id == "lead-01" and items["leadership-01"].change == exact(200 / 3)
    assert set(items) == {"leadership-01", "lead-02", "lead-04", "data-01", "data-02"}


def test_rule_10_a_missing_score_gives_no_change_and_a_level_move_down_is_negative():
    low = score_assessment(OLD, [resp("a", {"lead-01": 0, "lead-02": 0, "data-01": "dk"})])
    high = score_assessment(OLD, [resp("a", {"lead-01": 3, "lead-02": 3, "data-01": 3})])
    cmp = compare(low, high, OLD, OLD)
    lead = next(d for d in cmp.domains if d.id == "lead")
    assert (lead.change, lead.level_move) == (-100, -3)
    data = next(d for d in cmp.domains if d.id == "data")
    assert (data.score, data.baseline_score, data.change, data.level, data.level_move) == (None, 100, None, None, None)


def test_rule_10_a_core_cycle_beside_a_full_one_compares_the_items_both_asked():
    answers = {"lead-01": 1, "lead-02": 1, "lead-03": 1, "lead-04": 1, "comm-02": 2}
    core = score_assessment(OLD, [resp("a", answers)], depth="core")
    full = score_assessment(OLD, [resp("a", answers)], depth="full")
    cmp = compare(full, core, OLD, OLD)
    assert cmp.not_comparable_items == ["lead-03", "comm-02"]
    assert next(d for d in cmp.domains if d.id == "lead").change == 0


def test_rule_10_results_must_match_the_instruments_given():
    with pytest.raises(ValueError, match="instrument"):
        compare(AFTER, BEFORE, OLD, NEW)
