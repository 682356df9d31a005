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
        for name, language in (("js", "en"), ("nojs", "es"), ("keys", "en")):
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
    code = page.locator(".return-code .code").inner_text()  # the respondent's own, shown only to them
    page.get_by_label("Staff", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Start").click()
    assert page.url.endswith("/page/reflection")
    answer_page(page, 1)
    with page.expect_navigation():
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
        with page.expect_navigation():
            page.get_by_role("button", name="Save and continue", exact=True).click()
    stopped_at = page.url
    context.close()

    # The next day, on a phone: the same link and the respondent's return code resume where they stopped.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live.url + setup["links"]["js"])
    assert "/invite/" in page.url and page.get_by_label("Return code").is_visible()
    screenshot(page, area, "02b-return-code-phone-en")
    check_accessibility(page, "return code (phone)")
    page.get_by_label("Return code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue my answers").click()
    assert page.url == stopped_at
    with page.expect_navigation():
        page.get_by_role("link", name="Español").first.click()
    assert "lang=es" in page.url and page.locator("html").get_attribute("lang") == "es"
    screenshot(page, area, "03-resumed-on-phone-es")
    no_horizontal_scroll(page)
    check_accessibility(page, "domain page es (phone)")
    while "/page/" in page.url:
        answer_page(page, 3)
        page.wait_for_function(ALL_SAVED)
        button = page.get_by_role("button", name="Guardar y continuar", exact=True)
        with page.expect_navigation():
            (button if button.count() else page.get_by_role("button", name="Guardar y revisar")).click()
    assert page.url.endswith("/review")
    assert "Revisar y enviar" in page.content() and "Review" not in page.locator("main").inner_text()
    screenshot(page, area, "04-review-es")
    check_accessibility(page, "review es")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.url.endswith("/review") or page.url.endswith("/submit")  # not confirmed yet
    page.get_by_label("Mis respuestas son definitivas").check()
    with page.expect_navigation():
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
    with page.expect_navigation():
        page.get_by_role("button", name="Empezar").click()
    assert "obligatoria" in page.content() and page.locator("#error-summary").count() == 1  # the role group is required
    check_accessibility_without_js(browser, page, "welcome error es")
    page.get_by_label("Miembro de la junta directiva").check()
    with page.expect_navigation():
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
        with page.expect_navigation():
            (button if button.count() else page.get_by_role("button", name="Guardar y revisar")).click()
    assert page.url.endswith("/review") and "Respondió todas las preguntas" in page.content()
    page.get_by_label("Mis respuestas son definitivas").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.url.endswith("/done") and "Gracias" in page.content()
    screenshot(page, area, "03-thanks-es")
    context.close()


FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "", text: (e.innerText || "").trim(),
          checked: !!e.checked, ring: s.outlineStyle !== "none" || s.boxShadow !== "none",
          inView: r.bottom > 0 && r.top < window.innerHeight && r.width > 0};
}"""
DONE_BUTTONS = ("Save and continue", "Save and review", "Start", "Submit my answers")


def keyboard_through_page(page, seen_rings: list[bool]) -> str:
    """Tab through the page with the keyboard alone: answer each question, then press the page's main button.

    Radio groups: Tab enters a group once and Space checks the focused option; text boxes get typed text;
    the confirmation box is ticked with Space. Returns the text of the button that was pressed.
    """
    answered: set[str] = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        el = page.evaluate(FOCUSED)
        seen_rings.append(el["ring"] and el["inView"])
        if el["tag"] == "input" and el["type"] in ("radio", "checkbox") and el["name"] not in answered:
            if el["name"] != "race_ethnicity":  # the optional question is skipped, as a respondent may
                page.keyboard.press("Space")
                answered.add(el["name"])
        elif el["tag"] in ("textarea", "input") and el["type"] in ("textarea", "text") and el["name"] not in answered:
            if not el["name"].endswith("-comment"):
                page.keyboard.type("We meet our parent advisory group every month.")
            answered.add(el["name"])
        elif el["tag"] == "button" and el["text"] in DONE_BUTTONS:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return el["text"]
    raise AssertionError(f"no way forward by keyboard on {page.url}")


def test_keyboard_only_from_the_link_to_the_thank_you_page(browser, live, setup):
    """No mouse: Tab, Space and Enter from the welcome page to the thank-you page, with a visible focus ring throughout."""
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(live.url + setup["links"]["keys"])
    rings: list[bool] = []
    assert keyboard_through_page(page, rings) == "Start"
    pages = 0
    while "/page/" in page.url:
        keyboard_through_page(page, rings)
        pages += 1
    assert pages >= 9 and page.url.endswith("/review")
    assert "You have answered every question." in page.content()
    check_accessibility(page, "review en")
    assert keyboard_through_page(page, rings) == "Submit my answers"
    assert page.url.endswith("/done"), page.url
    screenshot(page, "respond-keyboard", "done-en")
    check_accessibility(page, "thanks en")
    assert rings and all(rings), f"{rings.count(False)} of {len(rings)} focused elements showed no visible focus"
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_respondent_page_reflows_at_200_percent_zoom(browser, live, setup, lang):
    """200 % zoom on a 1280 x 800 laptop is a 640 x 400 CSS viewport at twice the pixel density: nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    with live.session() as db:
        issued = invitations.issue(db, live.settings, email=f"zoom-{lang}@example.org", language=lang,
                                   organization=db.get(Assessment, setup["assessment_id"]).organization,
                                   purpose=InvitationPurpose.respond, assessment_id=setup["assessment_id"], created_by_id=None)
        db.commit()
    page.goto(f"{live.url}/invite/{issued.token}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    no_horizontal_scroll(page)
    screenshot(page, "respond-zoom", f"01-welcome-{lang}")
    check_accessibility(page, f"welcome {lang} at 200 %")
    page.locator("input[name=role_group]").first.check()
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    steps = 0
    while "/page/" in page.url:
        no_horizontal_scroll(page)
        if steps == 1:
            screenshot(page, "respond-zoom", f"02-domain-{lang}")
        with page.expect_navigation():
            page.locator("main button[type=submit]").last.click()
        steps += 1
    assert page.url.endswith("/review")
    no_horizontal_scroll(page)
    screenshot(page, "respond-zoom", f"03-review-{lang}")
    check_accessibility(page, f"review {lang} at 200 %")
    context.close()
