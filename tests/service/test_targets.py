"""Partnership targets computed from stored results over three cycles, with an instrument version change between them
(1.0 -> 1.1 renames the domain "data" to "data-accountability"; 1.2 changes nothing else)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.assessments import service
from app.errors import Invalid
from app.organizations.models import Role
from app.plans import targets
from app.plans.models import TargetKind
from tests import factories as f
from tests.service.test_comparison_versions import ID, answer, versions  # noqa: F401 (the three-version catalogue)


def run_cycle(db, catalogue, instrument, backbone, admin, orgs_values, name, baseline=None):
    today = dt.date.today()
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name=name, instrument=instrument, opens_on=today,
                                 closes_on=today, partner_ids=[o.id for o, _v in orgs_values], baseline=baseline)
    for org, value in orgs_values:
        lead = f.user(db, org, Role.partner_lead)
        a = answer(db, instrument, cycle, org, value)
        service.submit_assessment(db, catalogue, a, lead.id, 5)
    return cycle


@pytest.fixture
def partnership(db, versions):  # noqa: F811
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    orgs = [f.partner(db, backbone, f"Partner {k}") for k in range(4)]
    v10, v11, v12 = (versions.get(ID, v) for v in ("1.0", "1.1", "1.2"))
    # Baseline: every partner at 1 ("developing", 33) everywhere.
    c1 = run_cycle(db, versions, v10, backbone, admin, [(o, lambda i: 1) for o in orgs], "Baseline")
    # Follow-up 1 (1.1): two partners reach 2 (established, 67) in the renamed data domain.
    c2 = run_cycle(db, versions, v11, backbone, admin,
                   [(o, (lambda i: 2 if i.domain == "data-accountability" else 1) if k < 2 else (lambda i: 1)) for k, o in enumerate(orgs)],
                   "Follow-up 1", baseline=c1)
    # Follow-up 2 (1.2): three partners at 2 there, one at 3.
    c3 = run_cycle(db, versions, v12, backbone, admin,
                   [(o, (lambda i: 3 if i.domain == "data-accountability" else 1) if k == 0 else
                     (lambda i: 2 if i.domain == "data-accountability" else 1) if k < 3 else (lambda i: 1)) for k, o in enumerate(orgs)],
                   "Follow-up 2", baseline=c2)
    db.commit()
    return {"backbone": backbone, "admin": admin, "cycles": (c1, c2, c3)}


def test_a_share_at_level_target_follows_its_domain_through_a_renaming(db, versions, partnership):  # noqa: F811
    c1, c2, c3 = partnership["cycles"]
    fields = targets.TargetFields(title="Data by race everywhere", kind="share_at_level", domain_id="data", level_index="2",
                                  share="75", reference_cycle_id=str(c1.id), due_on="2028-06-30")
    target = targets.create_target(db, versions, partnership["backbone"], fields, partnership["admin"].id)
    got = [(s.cycle.name, s.value, s.partners, s.met) for s in targets.progress(db, versions, target)]
    assert got == [("Baseline", 0.0, 4, False), ("Follow-up 1", 50.0, 4, False), ("Follow-up 2", 75.0, 4, True)]


def test_a_median_change_target_counts_from_its_reference_cycle(db, versions, partnership):  # noqa: F811
    c1, _c2, _c3 = partnership["cycles"]
    fields = targets.TargetFields(title="Data up 30", kind="median_change", domain_id="data", points="30", reference_cycle_id=str(c1.id))
    target = targets.create_target(db, versions, partnership["backbone"], fields, partnership["admin"].id)
    got = [(s.cycle.name, s.value, s.met) for s in targets.progress(db, versions, target)]
    # Medians of the data domain: 33; (67, 67, 33, 33) -> 50; (100, 67, 67, 33) -> 67.
    assert got == [("Baseline", 0.0, False), ("Follow-up 1", 17.0, False), ("Follow-up 2", 34.0, True)]
    assert target.kind is TargetKind.median_change


def test_a_target_named_in_the_newest_version_reads_the_older_cycles_too(db, versions, partnership):  # noqa: F811
    _c1, _c2, c3 = partnership["cycles"]
    fields = targets.TargetFields(title="Established in data", kind="share_at_level", domain_id="data-accountability", level_index="2",
                                  share="50", reference_cycle_id=str(c3.id))
    target = targets.create_target(db, versions, partnership["backbone"], fields, partnership["admin"].id)
    assert [s.value for s in targets.progress(db, versions, target)] == [0.0, 50.0, 75.0]


def test_a_bad_target_is_refused_at_its_field(db, versions, partnership):  # noqa: F811
    c1 = partnership["cycles"][0]
    base = {"title": "T", "kind": "share_at_level", "domain_id": "data", "level_index": "2", "share": "75", "reference_cycle_id": str(c1.id)}
    for change, field in (({"title": " "}, "title"), ({"domain_id": "nowhere"}, "domain_id"), ({"share": "0"}, "share"),
                          ({"share": "abc"}, "share"), ({"level_index": "9"}, "level_index"), ({"reference_cycle_id": "999999"}, "reference_cycle_id"),
                          ({"kind": "median_change", "points": "-3"}, "points"), ({"due_on": "30/06/2028"}, "due_on")):
        with pytest.raises(Invalid) as refused:
            targets.create_target(db, versions, partnership["backbone"], targets.TargetFields(**{**base, **change}), partnership["admin"].id)
        assert refused.value.details["field"] == field


def test_a_partner_sees_no_figure_that_rests_on_fewer_partners_than_the_minimum(db, versions, partnership):  # noqa: F811
    c1 = partnership["cycles"][0]
    fields = targets.TargetFields(title="T", kind="share_at_level", domain_id="data", level_index="2", share="75", reference_cycle_id=str(c1.id))
    targets.create_target(db, versions, partnership["backbone"], fields, partnership["admin"].id)
    [row] = targets.overview(db, versions, partnership["backbone"].id, "en", min_partners=5)
    assert row.standings == [] and row.withheld == 3
    [row] = targets.overview(db, versions, partnership["backbone"].id, "en", min_partners=4)
    assert len(row.standings) == 3 and row.goal == "75 % of partners at “Established” or above: Data, metrics and continuous quality improvement"


def test_a_partners_trend_follows_its_domains_over_three_cycles_and_a_renaming(db, versions, partnership):  # noqa: F811
    from sqlalchemy import select

    from app.assessments.models import Assessment
    from app.assessments.trends import partner_trend
    from app.organizations.models import Organization

    c3 = partnership["cycles"][2]
    first = db.scalar(select(Organization).where(Organization.name == "Partner 0", Organization.backbone_id == partnership["backbone"].id))
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == c3.id, Assessment.organization_id == first.id))
    trend = partner_trend(db, versions, assessment, "en", "Overall")
    assert [c.name for c in trend.cycles] == ["Baseline", "Follow-up 1", "Follow-up 2"]
    data = next(s for s in trend.series if s.domain_id == "data-accountability")
    assert [p.shown for p in data.points] == [33, 67, 100]
    assert [p.level for p in data.points] == ["Developing", "Established", "Leading"]
    leadership = next(s for s in trend.series if s.domain_id == "leadership")
    assert [p.shown for p in leadership.points] == [33, 33, 33]


def test_the_partner_report_shows_the_trend_over_three_cycles_and_not_over_two(db, versions, partnership, settings):  # noqa: F811
    from sqlalchemy import select

    from app.assessments.models import Assessment
    from app.organizations.models import Organization
    from app.reports import service as reports
    from tests.pdf_text import pdf_words

    c1, c2, c3 = partnership["cycles"]
    first = db.scalar(select(Organization).where(Organization.name == "Partner 0", Organization.backbone_id == partnership["backbone"].id))
    words = {}
    for cycle in (c2, c3):
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == first.id))
        words[cycle.name] = pdf_words(reports.partner_report(db, versions, settings, assessment, "en").content)
    assert "Over every cycle" in words["Follow-up 2"] and "Baseline Follow-up 1 Follow-up 2" in words["Follow-up 2"]
    assert "Over every cycle" not in words["Follow-up 1"]  # two cycles: the comparison with the baseline says it all
    # The contents list the trend where it stands, after the domains: their page numbers never go back.
    from tests.pdf_text import pdf_pages

    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == c3.id, Assessment.organization_id == first.id))
    text = pdf_pages(reports.partner_report(db, versions, settings, assessment, "en").content)
    contents = next(page for page in text if "Contents" in page)
    entries = re.findall(r"^([^\d\n].*?)\s*\n\s*(\d+)\s*$", contents[contents.index("Contents") + len("Contents"):], re.M)
    pages_listed = [int(n) for _, n in entries]
    assert len(entries) >= 15 and pages_listed == sorted(pages_listed), entries
    listed = dict(entries)
    assert "Over every cycle" in text[int(listed["Over every cycle"]) - 1], entries
    assert int(listed["Over every cycle"]) > int(listed["Scores by domain"]) + 1  # after the domains' pages
