"""app.assessments.disclosure: which group fields may go out with per-respondent rows, codes and order."""

from __future__ import annotations

from app.assessments.disclosure import FIELDS, Profile, fresh_pseudonyms, isolating_difference, published_sets, released_fields, shuffled


def people(*specs: tuple[str | None, tuple[str, ...], str], times: int = 1) -> list[Profile]:
    return [Profile(*spec) for spec in specs for _ in range(times)]


def test_every_field_goes_out_when_every_combination_is_shared_by_the_minimum():
    group = people(("staff", ("latino",), "es"), ("staff", ("black",), "en"), times=5)
    assert released_fields(group, 5) == FIELDS


def test_a_field_that_would_single_someone_out_is_left_out_for_everyone():
    # One board member among staff: role goes; one person in Spanish: language goes too.
    group = people(("staff", (), "en"), times=5) + people(("board", (), "es"))
    assert released_fields(group, 5) == ("race_ethnicity",)
    # Five of each role, one Spanish speaker: the role stays, the language goes.
    group = people(("staff", (), "en"), times=5) + people(("board", (), "en"), times=4) + people(("board", (), "es"))
    assert released_fields(group, 5) == ("role_group", "race_ethnicity")


def test_combinations_count_not_fields_alone():
    # Each role and each language has 5, but (board, es) has 1: role and language may not go out together.
    group = (people(("staff", (), "en"), times=4) + people(("staff", (), "es"), times=1)
             + people(("board", (), "es"), times=4) + people(("board", (), "en"), times=1))
    fields = released_fields(group, 5)
    assert not {"role_group", "language"} <= set(fields)


def test_fewer_people_than_the_minimum_release_nothing():
    assert released_fields(people(("staff", (), "en"), times=4), 5) == ()
    assert released_fields([], 5) == ()


def test_codes_are_new_every_time_and_order_is_not_kept():
    first, second = fresh_pseudonyms(50), fresh_pseudonyms(50)
    assert len(set(first)) == 50 and not set(first) & set(second)
    rows = list(range(30))
    assert sorted(shuffled(rows)) == rows and any(shuffled(rows) != rows for _ in range(3))


class R:
    def __init__(self, id: int, role: str | None = None, race: list[str] | None = None):
        self.id, self.role_group, self.race_ethnicity = id, role, race


def test_two_results_that_differ_by_fewer_than_the_minimum_in_any_published_set_are_caught():
    # Result 1: five staff. Then one more staff and five board members submit: the whole grows by six (fine), but the
    # staff group of result 2 contains result 1's whole and differs from it by one person.
    before = [R(n, "staff") for n in range(5)]
    after = [*before, R(5, "staff"), *(R(n, "board") for n in range(6, 11))]
    sets_before = published_sets(before, {"role_group": {}})
    sets_after = published_sets(after, {"role_group": {"staff": {}, "board": {}}})
    assert isolating_difference(sets_before, sets_after, 5) == (1, False)
    # The whole against the whole is said first.
    assert isolating_difference(published_sets(before, {}), published_sets([*before, R(5, "staff")], {}), 5) == (1, True)
    # Five more staff: every difference is none or at least five.
    more = [*before, *(R(n, "staff") for n in range(5, 10))]
    assert isolating_difference(sets_before, published_sets(more, {"role_group": {"staff": {}}}), 5) is None
    # A multi-select group is a published set too.
    races = published_sets([R(1, race=["white", "black"]), R(2, race=["black"])], {"race_ethnicity": {"black": {}}})
    assert races["race_ethnicity:black"] == {1, 2}
