"""From assessment to action, in Spanish on a phone: from the baseline's result page the lead creates three actions from
growth opportunities, updates one at a check-in and marks one done; the follow-up's result then shows each domain's
change next to the actions that addressed it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment, Cycle
from app.auth.models import User
from app.organizations.models import Organization, Role
from app.plans.models import Action, ActionStatus, CheckIn
from tests import factories as f
from tests.browser.conftest import screenshot, sign_in_page
from tests.dashboard_world import INSTRUMENT, answer_and_submit

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def partner(live):
    with live.session() as db:
        instrument = live.catalogue.get(*INSTRUMENT)
        backbone = f.backbone(db, "Alianza del Valle")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Biblioteca Comunitaria")
        lead = f.user(db, org, Role.partner_lead, email="lider@biblioteca.example.org", language="es")
        today = dt.date.today()
        baseline = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline", names={"es": "Línea de base"},
                                        instrument=instrument, opens_on=today, closes_on=today, partner_ids=[org.id])
        answer_and_submit(db, live.catalogue, baseline, org, lead, {"*": 1, "leadership": 2})
        baseline.opens_on, baseline.closes_on = today - dt.timedelta(days=200), today - dt.timedelta(days=100)
        follow = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Follow-up", names={"es": "Seguimiento"},
                                      instrument=instrument, opens_on=today - dt.timedelta(days=10), closes_on=today + dt.timedelta(days=30),
                                      partner_ids=[org.id], baseline=baseline)
        db.add(CheckIn(cycle_id=follow.id, due_on=today + dt.timedelta(days=5)))
        first = db.scalar(select(Assessment).where(Assessment.cycle_id == baseline.id))
        db.commit()
        return {"lead": lead.email, "org_id": org.id, "baseline_assessment": first.id, "follow": follow.id, "lead_id": lead.id}


def test_a_lead_plans_from_the_result_acts_and_sees_the_follow_up_beside_the_actions(live, browser, partner):
    ctx = browser.new_context(viewport=PHONE, locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = ctx.new_page()
    sign_in_page(page, live, partner["lead"], f.PASSWORD)
    result_url = f"{live.url}/assessments/{partner['baseline_assessment']}/result"
    for k in range(3):
        page.goto(result_url)
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile("^Añadir al plan de acción")).nth(k).click()
        assert "Iniciada desde una oportunidad de crecimiento" in page.content()
        page.fill("input[name=owner]", ["Dirección", "Recursos humanos", "Comité de datos"][k])
        with page.expect_navigation():
            page.get_by_role("button", name="Añadir al plan").click()
        assert "Acción añadida al plan." in page.content()
    screenshot(page, "plans", "01-plan-es-phone")
    with live.session() as db:
        actions = db.scalars(select(Action).where(Action.organization_id == partner["org_id"]).order_by(Action.id)).all()
        ids, domains = [a.id for a in actions], {a.domain_id for a in actions}
    assert len(ids) == 3
    # At the check-in: a note on the first action, and the second marked done.
    page.goto(f"{live.url}/plans/actions/{ids[0]}")
    page.fill("textarea[name=body]", "Revisamos el avance con la junta directiva.")
    with page.expect_navigation():
        page.get_by_role("button", name="Añadir la nota").click()
    assert "Revisamos el avance con la junta directiva." in page.content()
    page.goto(f"{live.url}/plans/actions/{ids[1]}")
    page.select_option("select[name=status]", "done")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar la acción").click()
    screenshot(page, "plans", "02-after-check-in-es-phone")
    with live.session() as db:
        assert db.get(Action, ids[1]).status is ActionStatus.done
        # The follow-up is answered and submitted after the actions.
        org, cycle = db.get(Organization, partner["org_id"]), db.get(Cycle, partner["follow"])
        done = answer_and_submit(db, live.catalogue, cycle, org, db.get(User, partner["lead_id"]), {"*": 2, "leadership": 3})
        db.commit()
        follow_result = done.id
    page.goto(f"{live.url}/assessments/{follow_result}/result")
    section = page.locator("section[aria-labelledby=loop-h]")
    text = section.inner_text()
    assert "Desde Línea de base" in text
    assert "1 acción hecha" in text and "acción planificada" in text
    assert text.count("ninguna acción") == 9 - len(domains)  # nine domains, the others without an action
    screenshot(page, "plans", "03-follow-up-beside-actions-es-phone")
    ctx.close()
