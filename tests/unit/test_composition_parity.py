"""The masking and parity rules of app.composition.parity (pure)."""

from __future__ import annotations

import itertools

from app.composition import parity

RACE = parity.DEFAULT_RACE
N = 5


def level(total: int, **groups: int) -> dict[parity.Key, int]:
    counts: dict[parity.Key, int] = {("board", "total", "all"): total}
    counts.update({("board", "race", c): v for c, v in groups.items()})
    return counts


def test_a_small_count_is_hidden_and_so_is_the_one_it_could_be_worked_out_from() -> None:
    view = parity.level_view("board", level(12, white=10, black_african_american=2), RACE, N)
    assert view.race["black_african_american"].masked and view.race["black_african_american"].count is None
    # 12 - 10 = 2: the white count would give the hidden one, so it is hidden too.
    assert view.race["white"].masked
    assert view.poc.masked
    assert view.total == 12
    assert view.race["asian"].count == 0  # a zero names nobody


def test_no_shown_sum_has_exactly_one_hidden_part() -> None:
    """Whatever the counts, no hidden count can be worked out from the shown ones with one subtraction."""
    for white, black, asian, unknown in itertools.product((0, 2, 5, 9), (0, 1, 3, 6), (0, 4, 7), (0, 2, 6)):
        total = white + black + asian + unknown + 1  # one person in no category
        v = parity.level_view("board", level(total, white=white, black_african_american=black, asian=asian, unknown=unknown), RACE, N)
        if v.small:
            continue
        parts = [*[v.race[c] for c in RACE], v.unreported]
        assert sum(1 for p in parts if p.masked) != 1, (white, black, asian, unknown)
        colors = [v.race[c] for c in parity.color_categories(RACE)]
        if not v.poc.masked:
            assert sum(1 for p in colors if p.masked) != 1, (white, black, asian, unknown)
        for cell in (*parts, v.poc):
            assert cell.masked or cell.count is None or cell.count == 0 or cell.count >= N


def test_a_level_with_fewer_people_than_the_minimum_shows_only_its_total() -> None:
    view = parity.level_view("board", level(4, white=4), RACE, N)
    assert view.small and view.total == 4 and view.race == {} and view.poc.count is None


def test_shares_and_representation_index_against_the_benchmark() -> None:
    bench = {"white": 60.0, "black_african_american": 20.0, "hispanic_latino": 20.0}
    view = parity.level_view("board", level(20, white=15, hispanic_latino=5), RACE, N, bench)
    assert view.denominator == "known"
    assert view.poc.share == 25.0 and view.poc.benchmark == 40.0 and view.poc.index == 0.62
    assert view.race["hispanic_latino"].share == 25.0 and view.race["hispanic_latino"].index == 1.25


def test_a_hidden_unknown_makes_shares_of_everyone() -> None:
    view = parity.level_view("board", level(20, white=12, hispanic_latino=6, unknown=2), RACE, N)
    assert view.race["unknown"].masked
    assert view.denominator == "all"
    assert view.race["white"].masked or view.race["hispanic_latino"].masked  # the secondary cell
    shown = [c for c in (view.race["white"], view.race["hispanic_latino"]) if not c.masked]
    assert all(c.share == round(100 * c.count / 20, 1) for c in shown)


def test_a_hidden_count_bounds_its_share() -> None:
    view = parity.level_view("board", level(30, white=28, asian=2), RACE, N, {"white": 50.0, "asian": 50.0})
    assert view.poc.masked and view.poc.share is None
    assert view.poc.share_below == round(100 * 4 / 30, 1) and view.poc.index_below == round(view.poc.share_below / 50, 2)


def test_partial_counts_are_shown_as_such() -> None:
    view = parity.level_view("board", level(20, white=10), RACE, N)
    assert view.partial and view.unreported.count == 10


def test_the_largest_drop_on_the_way_up() -> None:
    counts = {}
    for lv, total, poc in (("staff", 100, 40), ("managers", 50, 20), ("leadership", 20, 5), ("board", 10, 0)):
        counts.update({(lv, "total", "all"): total, (lv, "race", "hispanic_latino"): poc, (lv, "race", "white"): total - poc})
    views = parity.views(counts, RACE, N)
    drop = parity.largest_drop(views)
    assert drop is not None and (drop.lower, drop.upper) == ("leadership", "board")


def test_rules_of_counts_and_shares() -> None:
    assert parity.check_counts(level(5, white=4, asian=2)) == [("board", "race_over_total")]
    assert parity.check_counts({("board", "race", "white"): 3}) == [("board", "groups_without_total")]
    assert parity.check_counts({("board", "total", "all"): -1}) == [("board", "negative")]
    assert parity.check_counts(level(10, white=4, asian=2)) == []
    assert parity.check_shares({"a": 50.2, "b": 49.5})
    assert not parity.check_shares({"a": 50, "b": 40})


def test_the_instruments_categories_replace_self_description_and_prefer_not() -> None:
    cats = parity.race_categories(["asian", "white", "self_describe", "prefer_not_to_say"])
    assert cats == ("asian", "white", "another", "unknown")
    assert parity.benchmark_categories(cats) == ("asian", "white", "another")
