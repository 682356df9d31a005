"""app.assessments.disclosure: which group fields may go out with per-respondent rows, codes and order."""

from __future__ import annotations

from app.assessments.disclosure import FIELDS, Profile, coarsened, fresh_pseudonyms, isolated_late_answers, released_fields, shuffled
from app.scoring.engine import visible_groups


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


def test_late_answers_isolated_by_any_cell_of_the_shown_groups_are_caught():
    # Five staff, then one staff and five board members: the staff cell's late part is one person.
    everyone = [*(R(n, "staff") for n in range(6)), *(R(n, "board") for n in range(6, 11))]
    assert isolated_late_answers(everyone, {5, *range(6, 11)}, {"role_group": {"staff", "board"}}, 5) == (1, False)
    # The whole against the whole is said first.
    assert isolated_late_answers(everyone, {5}, {"role_group": {"staff"}}, 5) == (1, True)
    # "The whole minus a group": staff shown, five staff and one volunteer late: the cell of no shown group has one.
    late = [*(R(n, "staff") for n in range(10)), *(R(n, "staff") for n in range(10, 15)), R(15, "volunteer")]
    assert isolated_late_answers(late, set(range(10, 16)), {"role_group": {"staff"}}, 5) == (1, False)
    # An overlap of two shown categories: one late respondent in both W and B among five late.
    races = [R(1, race=["white", "black"]), *(R(n, race=["white"]) for n in range(2, 6))]
    assert isolated_late_answers(races, {1, 2, 3, 4, 5}, {"race_ethnicity": {"white", "black"}}, 5) == (1, False)
    # Five late in every cell: nothing isolated.
    fine = [*(R(n, "staff") for n in range(5)), *(R(n, "board") for n in range(5, 10))]
    assert isolated_late_answers(fine, set(range(10)), {"role_group": {"staff", "board"}}, 5) is None


def test_fields_a_result_reveals_count_as_released_and_rows_are_untied_when_they_would_single_someone_out():
    """The backbone matched subsets of coded rows to the result's "staff" figures, found the staff, and with the
    language column singled out the only English-speaking staff member. A field whose groups the result shows is
    released whatever the rows carry: here role and language together single one person out, so language stays out;
    and when even the revealed fields alone single someone out, the rows may not be tied together at all."""
    group = (people(("staff", (), "en")) + people(("staff", (), "es"), times=4) + people(("manager", (), "en"), times=3)
             + people(("board", (), "en"), times=2) + people(("board", (), "es"), times=2))
    assert released_fields(group, 5) == ("race_ethnicity", "language")  # roles too small: withheld; en 6, es 6 ...
    shown = [coarsened(p, {"role_group": ["staff"]}) for p in group]  # ... but the result shows the staff's figures
    assert released_fields(shown, 5, required=["role_group"]) == ("role_group", "race_ethnicity")  # language goes
    # Role and race both shown by the result, and one person is the only white staff member: no ties at all.
    crossed = people(("staff", ("white",), "en")) + people(("staff", ("black",), "en"), times=4) \
        + people(("board", ("white",), "en"), times=4) + people(("board", ("black",), "en"), times=1)
    assert released_fields(crossed, 5, required=["role_group", "race_ethnicity"]) is None


def test_a_profile_reveals_only_the_groups_a_result_shows():
    p = Profile("volunteer", ("white", "black"), "es")
    assert coarsened(p, {"role_group": ["staff"], "race_ethnicity": ["white"]}) == Profile(None, ("white",), "es")
    assert coarsened(p, {}) == p


def test_the_early_part_of_a_cell_shown_only_after_a_reopening_is_caught():
    """Seven staff and one board member; reopened, five board members join and the board group is shown now: the board
    cell minus its late part (the whole's growth) is the one early board member."""
    everyone = [*(R(n, "staff") for n in range(7)), R(7, "board"), *(R(n, "board") for n in range(8, 13))]
    assert isolated_late_answers(everyone, set(range(8, 13)), {"role_group": {"board"}}, 5) == (1, False)


def test_a_reopenings_batches_count_in_the_combinations_of_coded_rows():
    """Rows a new result added can be told from the earlier ones (compare with an older export): "batch" counts."""
    group = people(("staff", (), "en"), times=7) + [Profile("board", (), "en", batch=0)] + [Profile("board", (), "en", batch=1)] * 5
    assert released_fields(group, 5, required=["role_group"]) == ("role_group", "race_ethnicity", "language")
    assert released_fields(group, 5, required=["role_group", "batch"]) is None  # (board, first batch) is one person


def test_the_answers_of_those_who_see_the_result_count_toward_no_group():
    """A group of five with the lead in it is four people to the lead."""
    assert visible_groups({"exec": [0, 1, 2, 3, 4], "staff": list(range(5, 12))}, 12, 5) == {"exec", "staff"}
    # The lead (0) is an executive: exec is four people to them, and so is the whole minus staff: nothing is shown.
    assert visible_groups({"exec": [0, 1, 2, 3, 4], "staff": list(range(5, 12))}, 12, 5, known={0}) == set()
    assert visible_groups({"exec": [0, 1, 2, 3, 4, 5], "staff": list(range(6, 13))}, 13, 5, known={0}) == {"exec", "staff"}
