"""A respondent's journey and a lead's result page in the pseudo-locale (en-XA: accented, 30 % longer, bracketed), on
a phone and on a laptop: every string on the page is translated (in brackets) and nothing makes the page wider than
the screen. Screenshots go to test-artifacts/screenshots/pseudo/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.assessments.models import Assessment
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.catalogs import pseudo
from tests import dashboard_world
from tests.browser.conftest import screenshot, sign_in_page
from tests.factories import PASSWORD
from tests.languages import PSEUDO, pseudo_world, untranslated

pytestmark = pytest.mark.browser
LIVE_WORLD = pseudo_world
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
AREA = "pseudo"

# The page's text, without what is not the application's to translate: scripts and styles, and elements in another
# language on purpose (the language switch names each language in itself).
PAGE_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('script, style, [lang]:not([lang="en-XA"])').forEach(e => e.remove());
  copy.querySelectorAll('input[type=submit], input[type=button]').forEach(e => e.after(' ' + e.value + ' '));
  const titled = [...document.querySelectorAll('[title], [aria-label], [placeholder], img[alt]')]
    .map(e => [e.title, e.getAttribute('aria-label'), e.placeholder, e.alt].filter(Boolean).join(' '));
  return document.title + ' ' + copy.innerText + ' ' + titled.join(' ');
}"""


# A chart's text that runs past its own drawing (cut off by the SVG, where the page's width cannot show it).
CHART_TEXT_OUTSIDE = """() => [...document.querySelectorAll('svg[viewBox] text')].filter(t => {
  const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
  return box.x < view.x - 1 || box.x + box.width > view.x + view.width + 1;
}).map(t => t.textContent)"""


@pytest.fixture(scope="module")
def setup(live):
    with live.session() as db:
        world = dashboard_world.build(db, live.catalogue)
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == world["follow"].id,
                                                        Assessment.organization_id == world["c"].id))
        lead_c = dashboard_world.f.user(db, world["c"], dashboard_world.Role.partner_lead)
        links = {name: invitations.issue(db, live.settings, email=f"pseudo-{name}@example.org", language=PSEUDO,
                                         organization=world["c"], purpose=InvitationPurpose.respond, assessment_id=assessment.id,
                                         created_by_id=lead_c.id).token for name in ("phone", "laptop")}
        lead_a = world["lead_a"]
        lead_a.preferred_language = PSEUDO
        db.commit()
        names = [world[k].name for k in ("a", "b", "c", "baseline", "follow", "backbone")]
        return {"links": {k: f"/invite/{v}" for k, v in links.items()}, "names": [*names, lead_a.email, lead_c.email], "lead": lead_a.email,
                "result": f"/assessments/{world['fa'].id}/result"}


def check(page, setup, label: str, *data: str) -> None:
    assert page.locator("html").get_attribute("lang") == PSEUDO, label
    left = untranslated(page.evaluate(PAGE_TEXT), [*setup["names"], *data])
    assert not left, f"{label}: not translated: {sorted(set(left))[:30]}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{label}: the page scrolls sideways"
    outside = page.evaluate(CHART_TEXT_OUTSIDE)
    assert not outside, f"{label}: chart text past the chart's edges: {outside[:5]}"


def button(page, *texts: str):
    for text in texts:
        found = page.get_by_role("button", name=pseudo(text), exact=True)
        if found.count():
            return found.first
    raise AssertionError(f"no button {texts} on {page.url}")


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_respondents_journey_in_the_pseudo_locale_is_translated_throughout_and_fits_the_screen(browser, live, setup, viewport):
    name = "phone" if viewport is PHONE else "laptop"
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live.url + setup["links"][name])
    assert page.url.endswith("/welcome")
    code = page.locator(".return-code .code").inner_text()  # the respondent's own code: data, not a string to translate
    check(page, setup, f"welcome ({name})", code)
    screenshot(page, AREA, f"01-welcome-{name}")
    page.locator("fieldset input[type=radio]").first.check()
    with page.expect_navigation():
        button(page, "Start").click()
    seen = 0
    while "/page/" in page.url:
        for fieldset in page.locator("fieldset.q").all():
            radios = fieldset.locator("input[type=radio]")
            if radios.count():
                fieldset.locator("label").first.click()
        if seen < 2:
            check(page, setup, f"{page.url} ({name})", code)
            screenshot(page, AREA, f"02-page-{seen}-{name}")
        seen += 1
        with page.expect_navigation():
            button(page, "Save and continue", "Save and review").click()
    assert page.url.endswith("/review")
    check(page, setup, f"review ({name})", code)
    screenshot(page, AREA, f"03-review-{name}")
    context.close()


def test_a_leads_result_page_in_the_pseudo_locale_is_translated_throughout_and_fits_a_phone(browser, live, setup):
    for viewport, name in ((PHONE, "phone"), (LAPTOP, "laptop")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        sign_in_page(page, live, setup["lead"], PASSWORD)
        page.wait_for_load_state()
        page.goto(live.url + setup["result"])
        assert page.url.endswith(setup["result"]) and page.locator("svg").count(), page.url  # the result, with its charts
        check(page, setup, f"result ({name})")
        screenshot(page, AREA, f"04-result-{name}")
        if viewport is LAPTOP:  # the check finds English where it is left: the same page in English fails it
            page.goto(live.url + setup["result"] + "?lang=en")
            assert {"Download", "report"} <= set(untranslated(page.evaluate(PAGE_TEXT), setup["names"]))
        context.close()
