"""Who holds the seats, in Spanish on a phone: a lead enters the board's and the staff's counts, makes a mistake that is
refused in Spanish with what was typed kept, corrects it, and reads the masked view; the backbone's analyst then sees
the partner's row with the small count hidden. The pages stay within the phone's width."""

from __future__ import annotations

import datetime as dt

import pytest

from app.assessments import service
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot, sign_in_page
from tests.dashboard_world import INSTRUMENT

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def partner(live):
    with live.session() as db:
        backbone = f.backbone(db, "Alianza del Río")
        admin = f.user(db, backbone, Role.backbone_admin)
        analyst = f.user(db, backbone, Role.backbone_analyst, email="analista@alianza.example.org")
        org = f.partner(db, backbone, "Centro Comunitario Raíces")
        lead = f.user(db, org, Role.partner_lead, email="lider@raices.example.org", language="es")
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Follow-up", names={"es": "Seguimiento"},
                                     instrument=live.catalogue.get(*INSTRUMENT), opens_on=today - dt.timedelta(days=3),
                                     closes_on=today + dt.timedelta(days=30), partner_ids=[org.id])
        db.commit()
        return {"lead": lead.email, "analyst": analyst.email, "org_id": org.id, "cycle_id": cycle.id}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_lead_enters_counts_on_a_phone_in_spanish_and_the_backbone_reads_them_masked(live, browser, partner):
    ctx = browser.new_context(viewport=PHONE, locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = ctx.new_page()
    sign_in_page(page, live, partner["lead"], f.PASSWORD)
    page.goto(f"{live.url}/partner")
    with page.expect_navigation():
        page.get_by_role("link", name="Quién ocupa los puestos").click()
    assert "Todavía no hay recuentos para este ciclo." in page.content() and fits(page)
    page.fill("#as_of", "2026-09-30")
    page.fill("#c-board-total-all", "12")
    page.fill("#c-board-race-white", "11")
    page.fill("#c-board-race-hispanic_latino", "2")  # 13 of 12: refused
    page.fill("#c-staff-total-all", "40")
    page.fill("#c-staff-race-white", "22")
    page.fill("#c-staff-race-hispanic_latino", "18")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar los recuentos").click()
    body = page.content()
    assert "No se guardó nada." in body and "Junta directiva: los recuentos por raza y origen étnico suman más que el número de personas." in body
    assert page.input_value("#c-staff-race-hispanic_latino") == "18" and page.input_value("#c-board-race-white") == "11"
    page.fill("#c-board-race-white", "10")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar los recuentos").click()
    assert "Los recuentos se guardaron." in page.content()
    view = page.locator("table").first.inner_text().replace("\xa0", " ")
    assert "menos de 5" in view and "45 %" in view  # the board's 2 of 12 hidden; the staff's 18 of 40 shown
    assert fits(page)
    screenshot(page, "composition", "lead-phone-es")
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = ctx.new_page()
    sign_in_page(page, live, partner["analyst"], f.PASSWORD)
    page.goto(f"{live.url}/backbone/cycles/{partner['cycle_id']}/composition?lang=en")
    row = page.get_by_role("row", name="Centro Comunitario Raíces").inner_text().replace("\xa0", " ")
    assert "45%" in row and "fewer than 5" in row and " 2 " not in f" {row} "
    assert "The partnership's figures are shown once the cycle closes" in page.content()
    screenshot(page, "composition", "backbone-compare")
    ctx.close()
