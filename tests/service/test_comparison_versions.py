"""The result page, the report's comparison and the dashboard agree on what changed since the baseline, across three
versions of the instrument (1.0 -> 1.1 renames the domain "data" and an item; 1.2 changes nothing else): the mapping
chains through 1.1 everywhere (the result page called the comparison without the catalogue, so with a third version
it found no path and said the renamed domain was not comparable, while the dashboard found it)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from sqlalchemy import select

from app.assessments import service
from app.assessments.comparison import baseline_comparison
from app.assessments.models import Answer, Assessment
from app.config import ROOT
from app.dashboard.comparison import comparison_table
from app.instruments.loader import load_catalogue
from app.organizations.models import Role
from tests import factories as f
from tests.instruments.minimal import write

ID = "equity-self-assessment"


def version(base: dict, number: str, supersedes: str, domains: dict[str, str] | None = None, items: dict[str, str] | None = None) -> dict:
    data = copy.deepcopy(base)
    data["version"] = number
    domains, items = domains or {}, items or {}
    for d in data["domains"]:
        d["id"] = domains.get(d["id"], d["id"])
    for i in data["items"]:
        i["id"] = items.get(i["id"], i["id"])
        i["domain"] = domains.get(i["domain"], i["domain"])
    data["changes"] = {"supersedes": supersedes, "items": {"renamed": items}, "domains": {"renamed": domains}}
    return data


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    text = (ROOT / "surveys" / ID / "1.0.yaml").read_text(encoding="utf-8")
    base = yaml.safe_load(text)
    surveys = tmp_path_factory.mktemp("three") / "surveys"
    write(surveys, text, ID, "1.0")
    v11 = version(base, "1.1", "1.0", domains={"data": "data-accountability"}, items={"leadership-03": "leadership-10"})
    write(surveys, yaml.safe_dump(v11, sort_keys=False, allow_unicode=True), ID, "1.1")
    write(surveys, yaml.safe_dump(version(v11, "1.2", "1.1"), sort_keys=False, allow_unicode=True), ID, "1.2")
    return load_catalogue(surveys)


def answer(db, instrument, cycle, org, value_of) -> Assessment:
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
    for _k in range(5):
        person = f.user(db, org, Role.respondent, password=None)
        response = service.get_or_start_response(db, assessment, person.id, "en")
        db.add_all(Answer(response_id=response.id, item_id=i.id, value=value_of(i)) for i in instrument.items if i.is_rated)
        db.flush()
        service.submit_response(db, response, person.id)
    return assessment


def test_the_result_page_the_report_and_the_dashboard_agree_across_three_versions(db, versions):
    old, new = versions.get(ID, "1.0"), versions.get(ID, "1.2")
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone)
    lead = f.user(db, org, Role.partner_lead)
    today = dt.date.today()
    baseline = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", instrument=old, opens_on=today,
                                    closes_on=today, partner_ids=[org.id])
    then = answer(db, old, baseline, org, lambda i: 1)
    service.submit_assessment(db, versions, then, lead.id, 5)
    follow = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Follow-up", instrument=new, opens_on=today,
                                  closes_on=today, partner_ids=[org.id], baseline=baseline)
    now = answer(db, new, follow, org, lambda i: 3 if i.domain == "data-accountability" else 2)
    row = service.submit_assessment(db, versions, now, lead.id, 5)

    page = baseline_comparison(db, versions, now, row, "en")  # what the result page and the report's comparison show
    table = comparison_table(db, versions, follow, "en")
    cells = table.rows[0].cells
    assert page is not None and page.not_comparable_domains == [] and table.not_comparable_domains == []
    assert page.not_comparable_items == 0  # the renamed item is found through 1.1
    by_id = {d.id: d for d in page.domains}
    assert set(by_id) == set(cells) and by_id["data-accountability"].change == 67  # 33 -> 100
    for domain_id, cell in cells.items():
        assert (by_id[domain_id].change, by_id[domain_id].level_move) == (cell.change, cell.level_move), domain_id
    assert page.overall.change == table.rows[0].overall.change
