"""The shipped instrument, surveys/equity-self-assessment/1.0.yaml: it validates and meets the content rules."""

from __future__ import annotations

from collections import Counter

import pytest

from app.cli import main as cli_main
from app.config import ROOT
from app.instruments.loader import load_catalogue, load_file
from app.instruments.schema import Focus, Instrument, ItemType
from app.instruments.validation import problems, texts

SHIPPED = ROOT / "surveys" / "equity-self-assessment" / "1.0.yaml"

# The nine domains of the Portland model, in its order.
DOMAINS = [
    "Organizational commitment, leadership and governance",
    "Racial equity policies and implementation practices",
    "Organizational climate, culture and communications",
    "Service-based equity",
    "Service-user voice and influence",
    "Workforce composition and quality",
    "Community collaboration",
    "Resource allocation and contracting practices",
    "Data, metrics and continuous quality improvement",
]


@pytest.fixture(scope="module")
def shipped() -> Instrument:
    return load_file(SHIPPED).instrument


def test_the_shipped_instrument_validates(capsys):
    catalogue = load_catalogue(ROOT / "surveys")
    assert ("equity-self-assessment", "1.0") in catalogue.entries
    assert problems(catalogue.get("equity-self-assessment", "1.0")) == []
    assert cli_main(["instruments", "check", str(SHIPPED)]) == 0
    assert capsys.readouterr().out == ("ok  equity-self-assessment 1.0: 9 domains, 74 items (56 rated), languages en, es, 3 spelling corrections\n")


def test_metadata_languages_and_attribution(shipped):
    assert shipped.key == ("equity-self-assessment", "1.0")
    assert shipped.source_language == "en" and shipped.languages == ["en", "es"]
    assert shipped.published.isoformat() == "2026-11-01"
    for lang in ("en", "es"):
        credit = shipped.attribution.get(lang)
        assert "Coalition of Communities of Color" in credit and "All Hands Raised" in credit and "2013" in credit


def test_nine_domains_each_with_an_introduction(shipped):
    assert [d.title.get("en") for d in shipped.domains] == DOMAINS
    assert all(d.introduction.get("en") and d.introduction.get("es") for d in shipped.domains)


def test_twenty_core_rated_items_spread_across_the_domains(shipped):
    core = [i for i in shipped.items if i.step == 1]
    assert len(core) == 20
    assert all(i.type is ItemType.rated for i in core)
    assert {i.domain for i in core} == {d.id for d in shipped.domains}


def test_at_least_four_rated_deeper_items_per_domain(shipped):
    deeper = Counter(i.domain for i in shipped.items if i.step == 2 and i.is_rated)
    assert {d.id: deeper[d.id] >= 4 for d in shipped.domains} == {d.id: True for d in shipped.domains}


def test_short_answer_and_narrative_items(shipped):
    by_step = {step: [i for i in shipped.items if i.step == step] for step in (3, 4)}
    assert by_step[3] and all(i.type is ItemType.short_text for i in by_step[3])
    assert by_step[4] and all(i.type is ItemType.long_text for i in by_step[4])
    # Every domain asks the organization to describe its work.
    for step in (3, 4):
        assert {i.domain for i in by_step[step]} == {d.id for d in shipped.domains}
    assert all(not i.is_rated for i in shipped.items if i.step in (3, 4))


def test_every_rated_item_is_tagged_and_has_growth_guidance(shipped):
    rated = [i for i in shipped.items if i.is_rated]
    assert len(rated) == 56
    assert {i.focus for i in rated} == {Focus.policy, Focus.practice}
    for item in rated:
        assert item.focus in (Focus.policy, Focus.practice), item.id
        assert item.scale == "implementation", item.id
        assert item.guidance is not None, item.id
        assert item.guidance.why.get("en"), item.id
        assert 2 <= len(item.guidance.actions) <= 3, item.id
        assert item.guidance.resources, item.id
    resources = {r.url for i in rated for r in i.guidance.resources}
    assert "https://nationalequityatlas.org" in {u.rstrip("/") for u in resources if u}


def test_the_implementation_scale(shipped):
    scale = shipped.scale("implementation")
    assert [(o.value, o.label.get("en")) for o in scale.options] == [
        (0, "Not yet started"), (1, "Early stages"), (2, "Making progress"), (3, "Fully in place and practiced")]
    assert scale.dont_know is not None and scale.not_applicable is not None


def test_four_levels_with_bounds_from_zero_increasing(shipped):
    bounds = [level.min_score for level in shipped.levels]
    assert len(shipped.levels) == 4
    assert bounds[0] == 0
    assert all(a < b for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(b <= 100 for b in bounds)
    assert all(level.description.get("en") and level.description.get("es") for level in shipped.levels)


def test_reflection_closing_and_respondent_questions(shipped):
    assert len(shipped.reflection) >= 2 and all(q.type is not ItemType.rated for q in shipped.reflection)  # unscored
    assert [q.id for q in shipped.closing] == ["closing-strengths", "closing-growth", "closing-commitments"]
    role = shipped.respondent.role_group
    assert role.type is ItemType.single_choice and role.required and len(role.options or []) >= 2
    race = shipped.respondent.race_ethnicity
    assert race is not None and not race.required and race.type is ItemType.multiple_choice
    assert len(race.options or []) >= 5


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_string_is_present_in_each_language(shipped, lang):
    missing = [loc for loc, text in texts(shipped) if not text.root.get(lang, "").strip()]
    assert missing == []
    assert sum(1 for _ in texts(shipped)) > 400


def test_the_spanish_is_a_translation_with_consistent_terms(shipped):
    pairs = [(t.root["en"], t.root["es"]) for _, t in texts(shipped)]
    assert [en for en, es in pairs if en == es] == []  # nothing left in English
    spanish = " ".join(es for _, es in pairs).lower()
    assert "equidad racial" in spanish and "comunidades de color" in spanish
    # "racial equity" is always "equidad racial", never a calque such as "equidad de raza".
    assert "equidad de raza" not in spanish
    with_equity = [es for en, es in pairs if "racial equity" in en.lower()]
    assert with_equity and all("equidad racial" in es.lower() for es in with_equity)
