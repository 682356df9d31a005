"""A report is ready when its reader asks (issue 21): opening a result page renders its report in the background, so
the download a moment later comes from the cache, or waits for that rendering instead of starting another."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment
from app.organizations.models import Role
from app.reports.models import ReportCacheEntry
from tests import factories as f
from tests.browser.conftest import sign_in_page
from tests.dashboard_world import INSTRUMENT, answer_and_submit

pytestmark = pytest.mark.browser
LIVE_SETTINGS = {"report_prefetch": True}


@pytest.fixture(scope="module")
def submitted(live):
    with live.session() as db:
        backbone = f.backbone(db, "Alianza Sur")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Escuela Primavera", preferred_language="es")
        lead = f.user(db, org, Role.partner_lead, email="lider@primavera.example.org", language="es")
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", instrument=live.catalogue.get(*INSTRUMENT),
                                     opens_on=today, closes_on=today + dt.timedelta(days=30), partner_ids=[org.id])
        answer_and_submit(db, live.catalogue, cycle, org, lead, {"*": 2})
        db.commit()
        return {"lead": lead.email, "assessment": db.scalar(select(Assessment.id).where(Assessment.cycle_id == cycle.id))}


def test_the_report_of_an_opened_result_page_comes_from_the_cache(live, browser, submitted):
    context = browser.new_context(locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = context.new_page()
    sign_in_page(page, live, submitted["lead"], f.PASSWORD)
    with live.session() as db:
        assert not db.scalars(select(ReportCacheEntry)).all()  # nothing rendered before anyone looks
    page.goto(f"{live.url}/assessments/{submitted['assessment']}/result?lang=es")
    link = page.locator("a[href$='report.pdf?lang=es'], a[href*='report.pdf']").first.get_attribute("href")
    response = page.request.get(f"{live.url}{link}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert response.headers["x-report-cache"] == "hit"  # rendered while the page was read (or waited for), not again
    with live.session() as db:
        assert len(db.scalars(select(ReportCacheEntry)).all()) == 1
    context.close()
