"""Version 1.1 of the shipped instrument, surveys/equity-self-assessment/1.1.yaml, meets the content rules of the equity
consultant's review of 1.0: policy and practice tags that hold in every domain, guidance with specific linked resources,
weights that the description explains, and a mapping from 1.0 that drops no question and compares every domain."""

from __future__ import annotations

from collections import defaultdict

import pytest

from app.config import ROOT
from app.instruments.loader import Catalogue, load_catalogue
from app.instruments.mapping import IdMap
from app.instruments.schema import Focus, Instrument
from app.scoring import AnswerIn, ResponseIn, compare, score_assessment

ID = "equity-self-assessment"
# A policy question asks whether something is written and formally adopted: its wording names the written thing.
WRITTEN = ("written", "adopted", "policy", "policies", "bylaws", "budget", "agreements")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "surveys")  # the shipped catalogue, wherever pytest runs from


@pytest.fixture(scope="module")
def old(catalogue) -> Instrument:
    return catalogue.get(ID, "1.0")


@pytest.fixture(scope="module")
def new(catalogue) -> Instrument:
    return catalogue.get(ID, "1.1")


def rated(instrument: Instrument, steps: tuple[int, ...] = (1, 2, 3, 4)):
    return [i for i in instrument.items if i.is_rated and i.step in steps]


def test_1_1_supersedes_1_0_and_keeps_the_domains(new, old):
    assert new.changes is not None and new.changes.supersedes == "1.0"
    assert [d.id for d in new.domains] == [d.id for d in old.domains]
    assert new.published.isoformat() == "2026-12-01"
    assert [q.id for q in new.reflection] == [q.id for q in old.reflection]
    assert [q.id for q in new.closing] == [q.id for q in old.closing]
    assert [lv.id for lv in new.levels] == [lv.id for lv in old.levels]


def test_every_domain_has_two_policy_and_two_practice_items_in_steps_1_and_2(new):
    counts: dict[str, dict[Focus, int]] = {d.id: {Focus.policy: 0, Focus.practice: 0} for d in new.domains}
    for item in rated(new, (1, 2)):
        counts[item.domain][item.focus] += 1
    short = {d: c for d, c in counts.items() if c[Focus.policy] < 2 or c[Focus.practice] < 2}
    assert short == {}


def test_every_domain_asks_core_questions_of_both_kinds(new):
    """A core cycle (step 1 only) can still show policy beside practice in every domain."""
    for domain in new.domains:
        core = {i.focus for i in rated(new, (1,)) if i.domain == domain.id}
        assert core == {Focus.policy, Focus.practice}, domain.id


def test_policy_items_ask_about_something_written_and_adopted(new):
    vague = [i.id for i in rated(new) if i.focus is Focus.policy and not any(w in i.text.get("en").lower() for w in WRITTEN)]
    assert vague == []


def test_statements_of_fact_have_a_scale_of_their_own(new):
    extent = new.scale("extent")
    assert [o.value for o in extent.options] == [o.value for o in new.scale("implementation").options]  # same footing, 0-100
    assert extent.dont_know is not None and extent.not_applicable is not None
    on_extent = [i for i in rated(new) if i.scale == "extent"]
    assert on_extent and all(i.focus is Focus.practice for i in on_extent)
    assert {i.scale for i in rated(new)} == {"implementation", "extent"}


def test_every_rated_item_links_a_resource_and_no_two_domains_share_all_their_resources(new):
    by_domain: dict[str, set[str]] = defaultdict(set)
    for item in rated(new):
        assert item.guidance is not None, item.id
        urls = [r.url for r in item.guidance.resources if r.url]
        assert any(u.startswith("https://") for u in urls), item.id
        assert all(r.title.get("en") != r.title.get("es") for r in item.guidance.resources), item.id
        by_domain[item.domain].update(urls)
    domains = sorted(by_domain)
    same = [(a, b) for n, a in enumerate(domains) for b in domains[n + 1:] if by_domain[a] == by_domain[b]]
    assert same == []
    assert {u for urls in by_domain.values() for u in urls} >= {"https://nationalequityatlas.org/getting-started",
                                                                 "https://www.racialequityalliance.org/tools-resources/"}


def test_the_heavier_items_are_one_core_item_per_domain(new):
    """The description says why: in each domain one core question counts one and a half times as much as the others."""
    heavy = defaultdict(list)
    for item in rated(new):
        assert item.weight in (1.0, 1.5), item.id
        if item.weight != 1.0:
            heavy[item.domain].append(item)
    assert {d.id: len(heavy[d.id]) for d in new.domains} == {d.id: 1 for d in new.domains}
    assert all(items[0].step == 1 for items in heavy.values())
    assert "one and a half times" in new.description.get("en") and "una vez y media" in new.description.get("es")


def test_every_1_0_rated_item_is_kept_renamed_merged_into_or_retired(new, old):
    changes = new.changes.items
    merged_from = {o for olds in changes.merged.values() for o in olds}
    fates = {}
    for item in rated(old):
        fate = [name for name, held in (("renamed", item.id in changes.renamed), ("merged", item.id in merged_from),
                                        ("retired", item.id in changes.retired)) if held]
        if new.has_item(item.id):
            fate.append("kept")
            assert new.item(item.id).is_rated, item.id
        fates[item.id] = fate
    assert {k: v for k, v in fates.items() if len(v) != 1} == {}  # each exactly one fate: none silently dropped
    for new_id in [*changes.renamed.values(), *changes.merged]:
        assert new.item(new_id).is_rated, new_id


def _responses(instrument: Instrument, parent: dict[str, str]) -> list[ResponseIn]:
    """Five respondents answering every rated item; an item answers as its 1.0 counterpart (``parent``) did."""
    out = []
    for k in range(5):
        answers = {}
        for item in rated(instrument):
            values = sorted(instrument.scale(item.scale).values)
            j = sum(map(ord, parent.get(item.id, item.id)))
            answers[item.id] = AnswerIn(value=values[(k + j) % len(values)])
        out.append(ResponseIn(id=f"r{k}", answers=answers, role_group="staff"))
    return out


@pytest.mark.parametrize("depth", ["core", "full"])
def test_a_1_0_result_compares_with_a_1_1_result_in_every_domain(catalogue, new, old, depth):
    mapping = IdMap.between(new, old, catalogue.find)
    assert mapping.linked
    assert mapping.comparable_domains == {d.id: d.id for d in new.domains}
    before = score_assessment(old, _responses(old, {}), depth=depth)
    after = score_assessment(new, _responses(new, mapping.comparable_items), depth=depth)
    cmp = compare(after, before, new, old, mapping)
    assert cmp.not_comparable_domains == []
    assert [c.id for c in cmp.domains] == [d.id for d in new.domains]
    assert all(c.change is not None and c.level_move is not None for c in cmp.domains)
    assert cmp.overall.change is not None
    carried = {c.baseline_id: c for c in cmp.items}
    for c in carried.values():  # a carried item answered as its baseline did scores as its baseline did
        assert c.score == c.baseline_score, c.id
    if depth == "full":
        retired = set(new.changes.items.retired)
        assert sorted(carried) == sorted(i.id for i in rated(old) if i.id not in retired)
        assert set(cmp.not_comparable_items) == {i.id for i in rated(new)} - set(mapping.comparable_items)
