"""A second, test-only version of the shipped instrument proves the comparison of results across versions."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import ROOT
from app.instruments.loader import Catalogue, InstrumentError, load_catalogue
from app.instruments.mapping import IdMap
from app.instruments.schema import Instrument
from app.scoring import AnswerIn, ResponseIn, compare, score_assessment
from tests.instruments.minimal import line_of, write

ID = "equity-self-assessment"
SHIPPED_TEXT = (ROOT / "surveys" / ID / "1.0.yaml").read_text(encoding="utf-8")


def _version(base: dict[str, Any], version: str, supersedes: str | None, renamed: dict[str, str] | None = None,
             retired: list[str] | None = None) -> dict[str, Any]:
    """A copy of ``base`` as ``version``, with items renamed (old id: new id) and retired."""
    data = copy.deepcopy(base)
    data["version"] = version
    renamed, retired = renamed or {}, retired or []
    for item in data["items"]:
        item["id"] = renamed.get(item["id"], item["id"])
    data["items"] = [i for i in data["items"] if i["id"] not in retired]
    if supersedes is None:
        data.pop("changes", None)
    else:
        data["changes"] = {"supersedes": supersedes, "items": {"renamed": renamed, "retired": retired}}
    return data


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=140)


@pytest.fixture(scope="module")
def base() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_TEXT)


@pytest.fixture(scope="module")
def versions(tmp_path_factory, base) -> Catalogue:
    """1.0 (shipped); 1.1 renames leadership-03 to leadership-10; 1.2 retires data-07 and renames leadership-10 to leadership-11."""
    surveys = tmp_path_factory.mktemp("versions") / "surveys"
    write(surveys, SHIPPED_TEXT, ID, "1.0")
    v11 = _version(base, "1.1", "1.0", renamed={"leadership-03": "leadership-10"})
    write(surveys, _dump(v11), ID, "1.1")
    v12 = _version(v11, "1.2", "1.1", renamed={"leadership-10": "leadership-11"}, retired=["data-07"])
    write(surveys, _dump(v12), ID, "1.2")
    return load_catalogue(surveys)


def _responses(instrument: Instrument, ids: dict[str, str] | None = None) -> list[ResponseIn]:
    """Five respondents answering every rated item of 1.0; ``ids`` gives the id each item has in ``instrument``."""
    ids = ids or {}
    rated = [i.id for i in instrument.items if i.is_rated]
    original = {v: k for k, v in ids.items()}
    out = []
    for k in range(5):
        answers = {}
        for item_id in rated:
            j = sum(map(ord, original.get(item_id, item_id)))  # the same answer under the old and the new id
            answers[item_id] = AnswerIn(value=(k + j) % 4)
        out.append(ResponseIn(id=f"r{k}", answers=answers, role_group="staff"))
    return out


def test_the_test_versions_validate_and_the_catalogue_orders_them(versions):
    assert [i.version for i in versions.all()] == ["1.0", "1.1", "1.2"]
    assert versions.latest(ID).version == "1.2"


def test_the_renamed_item_maps_to_its_old_id_and_every_other_id_to_itself(versions):
    old, new = versions.get(ID, "1.0"), versions.get(ID, "1.1")
    mapping = IdMap.between(new, old)
    assert mapping.linked
    assert mapping.old_item_for("leadership-10") == "leadership-03"
    assert mapping.comparable_items == {i.id: ("leadership-03" if i.id == "leadership-10" else i.id) for i in new.items}
    assert mapping.not_comparable_items == []
    assert mapping.comparable_domains == {d.id: d.id for d in new.domains}


def test_results_of_two_versions_are_compared_item_by_item(versions):
    old, new = versions.get(ID, "1.0"), versions.get(ID, "1.1")
    before = score_assessment(old, _responses(old))
    after = score_assessment(new, _responses(new, {"leadership-03": "leadership-10"}))
    cmp = compare(after, before, new, old)
    assert cmp.not_comparable_items == [] and cmp.not_comparable_domains == []
    assert len(cmp.items) == sum(1 for i in new.items if i.is_rated)
    renamed = next(c for c in cmp.items if c.id == "leadership-10")
    assert renamed.baseline_id == "leadership-03"
    assert renamed.score is not None and renamed.score == renamed.baseline_score and renamed.change == 0
    assert all(c.change == 0 for c in cmp.domains) and cmp.overall.change == 0 and cmp.overall.level_move == 0


def test_the_mapping_chains_through_intermediate_versions(versions):
    old, newest = versions.get(ID, "1.0"), versions.get(ID, "1.2")
    mapping = IdMap.between(newest, old, versions.find)
    assert mapping.linked
    assert mapping.old_item_for("leadership-11") == "leadership-03"
    assert "data-07" not in mapping.items  # retired: gone from 1.2
    assert mapping.not_comparable_items == []
    # Without the intermediate version there is no declared path: equal ids only, and the renamed item is not comparable.
    unlinked = IdMap.between(newest, old)
    assert not unlinked.linked
    assert unlinked.not_comparable_items == ["leadership-11"]


def test_a_version_without_changes_compares_equal_ids_only(tmp_path, base):
    surveys = tmp_path / "surveys"
    write(surveys, SHIPPED_TEXT, ID, "1.0")
    write(surveys, _dump(_version(base, "1.1", None, renamed={"leadership-03": "leadership-10"})), ID, "1.1")
    catalogue = load_catalogue(surveys)
    mapping = IdMap.between(catalogue.get(ID, "1.1"), catalogue.get(ID, "1.0"), catalogue.find)
    assert not mapping.linked
    assert mapping.not_comparable_items == ["leadership-10"]


def test_wrong_changes_are_reported_with_file_and_line(tmp_path, base):
    surveys = tmp_path / "surveys"
    write(surveys, SHIPPED_TEXT, ID, "1.0")
    v11 = _version(base, "1.1", "1.0", renamed={"leadership-03": "leadership-10"})
    v11["changes"]["items"]["renamed"]["leadership-99"] = "leadership-01"  # 99 was never in 1.0
    v11["changes"]["items"]["retired"] = ["data-08"]  # still in 1.1
    text = _dump(v11)
    write(surveys, text, ID, "1.1")
    label = f"surveys/{ID}/1.1.yaml"
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert caught.value.problems == [
        f"{label}:{line_of(text, '- data-08')}: changes.items.retired[0]: 'data-08' is retired but still in this version",
    ]
    v11["changes"]["items"]["retired"] = []
    text = _dump(v11)
    write(surveys, text, ID, "1.1")
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert caught.value.problems == [f"{label}:{line_of(text, 'leadership-99: leadership-01')}: changes.items: 'leadership-99' is not in version 1.0"]


def test_a_version_superseding_an_unknown_version(tmp_path, base):
    surveys = tmp_path / "surveys"
    text = _dump(_version(base, "1.1", "0.9"))
    write(surveys, text, ID, "1.1")
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert caught.value.problems == [f"surveys/{ID}/1.1.yaml:{line_of(text, 'supersedes:')}: changes.supersedes: {ID} 0.9 is not in "
                                     f"the catalogue (no {ID}/0.9.yaml)"]


def test_checking_one_new_version_file_finds_the_version_it_supersedes(tmp_path, base):
    """An author checks the new file alone (surveys/README.md): the superseded version is read from beside it."""
    surveys = tmp_path / "surveys"
    write(surveys, SHIPPED_TEXT, ID, "1.0")
    path = write(surveys, _dump(_version(base, "1.1", "1.0", renamed={"leadership-03": "leadership-10"})), ID, "1.1")
    catalogue = load_catalogue(Path("/nonexistent"), files=[path])
    assert [i.version for i in catalogue.all()] == ["1.1"]
