"""A respondent's whole journey in headless Chromium, with and without JavaScript, checked with axe-core.

Screenshots of every step go to test-artifacts/screenshots/respond/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment, ResponseStatus
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
AXE = Axe()
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


ALL_SAVED = "() => document.querySelectorAll('.item-state.saved').length >= document.querySelectorAll('fieldset.q input[type=radio]:checked').length"


@pytest.fixture(scope="module")
def setup(live):
    with live.session() as db:
        backbone = f.backbone(db, "Browser Backbone")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Escuela Puente")
        lead = f.user(db, org, Role.partner_lead)
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", instrument=live.catalogue.get("equity-self-assessment", "1.0"),
                                     opens_on=today, closes_on=today + dt.timedelta(days=9), partner_ids=[org.id])
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        links = {}
        for name, language in (("js", "en"), ("nojs", "es")):
            issued = invitations.issue(db, live.settings, email=f"{name}@example.org", language=language, organization=org,
                                       purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=lead.id)
            links[name] = f"/invite/{issued.token}"
        db.commit()
        return {"links": links, "assessment_id": assessment.id}


def check_accessibility(page, label: str) -> None:
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{label}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}" for v in serious)


def check_accessibility_without_js(browser, page, label: str) -> None:
    """axe needs scripts: check the HTML a no-JS browser got in a scripted copy (same markup and styles)."""
    html = page.content().replace("<head>", f'<head><base href="{page.url}">', 1)
    context = browser.new_context(viewport=page.viewport_size)
    try:
        copy = context.new_page()
        copy.set_content(html, wait_until="load")
        check_accessibility(copy, label)
    finally:
        context.close()


def no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"


def answer_page(page, choice: int) -> int:
    """Answer every question on the page by clicking visible labels; returns how many were answered."""
    count = 0
    for fieldset in page.locator("fieldset.q").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            fieldset.locator("label").nth(min(choice, radios.count() - 1)).click()
        else:
            box = fieldset.locator("textarea, input[type=text]").first
            box.fill("Trabajamos con un grupo asesor de familias." if page.evaluate("document.documentElement.lang") == "es"
                     else "We work with a parent advisory group.")
        count += 1
    return count


def test_journey_with_autosave_resume_and_a_switch_to_spanish(browser, live, setup):
    area = "respond"
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(live.url + setup["links"]["js"])
    assert page.url.endswith("/welcome")
    screenshot(page, area, "01-welcome-en")
    check_accessibility(page, "welcome en")
    page.get_by_label("Staff", exact=True).check()
    page.get_by_role("button", name="Start").click()
    assert page.url.endswith("/page/reflection")
    answer_page(page, 1)
    page.get_by_role("button", name="Save and continue", exact=True).click()
    visited = []
    for _ in range(4):  # four domains with autosave, then the browser is closed
        assert "/page/domain-" in page.url
        visited.append(page.url)
        answer_page(page, 2)
        page.wait_for_function(ALL_SAVED)
        if len(visited) == 1:
            screenshot(page, area, "02-domain-autosaved-en")
            check_accessibility(page, "domain page en")
        page.get_by_role("button", name="Save and continue", exact=True).click()
    stopped_at = page.url
    context.close()

    # The next day, on a phone: the same link resumes where the respondent stopped.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live.url + setup["links"]["js"])
    assert page.url == stopped_at
    page.get_by_role("link", name="Español").first.click()
    assert "lang=es" in page.url and page.locator("html").get_attribute("lang") == "es"
    screenshot(page, area, "03-resumed-on-phone-es")
    no_horizontal_scroll(page)
    check_accessibility(page, "domain page es (phone)")
    while "/page/" in page.url:
        answer_page(page, 3)
        page.wait_for_function(ALL_SAVED)
        button = page.get_by_role("button", name="Guardar y continuar", exact=True)
        (button if button.count() else page.get_by_role("button", name="Guardar y revisar")).click()
    assert page.url.endswith("/review")
    assert "Revisar y enviar" in page.content() and "Review" not in page.locator("main").inner_text()
    screenshot(page, area, "04-review-es")
    check_accessibility(page, "review es")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.url.endswith("/review") or page.url.endswith("/submit")  # not confirmed yet
    page.get_by_label("Mis respuestas son definitivas").check()
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.url.endswith("/done")
    screenshot(page, area, "05-thanks-es")
    check_accessibility(page, "thanks es")
    context.close()

    with live.session() as db:
        response = db.scalar(select(ResponseRow).join(ResponseRow.assessment).where(ResponseRow.assessment_id == setup["assessment_id"],
                                                                                      ResponseRow.status == ResponseStatus.submitted))
        answers = service.answers_of(db, response.id)
        instrument = live.catalogue.get("equity-self-assessment", "1.0")
        assert all(i.id in answers for i in instrument.items)  # every item of every domain was stored
        early = [i for i in instrument.items if i.domain == "leadership" and i.is_rated]
        assert all(answers[i.id].value == 2 for i in early)  # the answers from the first sitting survived


def test_the_same_journey_without_javascript_in_spanish_on_a_phone(browser, live, setup):
    area = "respond-nojs"
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(live.url + setup["links"]["nojs"])
    assert page.locator("html").get_attribute("lang") == "es"
    screenshot(page, area, "01-welcome-es")
    page.get_by_role("button", name="Empezar").click()
    assert "obligatoria" in page.content() and page.locator("#error-summary").count() == 1  # the role group is required
    check_accessibility_without_js(browser, page, "welcome error es")
    page.get_by_label("Miembro de la junta directiva").check()
    page.get_by_role("button", name="Empezar").click()
    pages = 0
    while "/page/" in page.url:
        answer_page(page, 0)
        pages += 1
        if pages == 2:
            screenshot(page, area, "02-domain-es")
            no_horizontal_scroll(page)
            check_accessibility_without_js(browser, page, "domain page es without js")
        button = page.get_by_role("button", name="Guardar y continuar", exact=True)
        (button if button.count() else page.get_by_role("button", name="Guardar y revisar")).click()
    assert page.url.endswith("/review") and "Respondió todas las preguntas" in page.content()
    page.get_by_label("Mis respuestas son definitivas").check()
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.url.endswith("/done") and "Gracias" in page.content()
    screenshot(page, area, "03-thanks-es")
    context.close()
