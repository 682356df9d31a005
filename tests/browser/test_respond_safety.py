"""Nothing a respondent typed is lost without a word, in headless Chromium, in English and Spanish: "Not saved" when
the autosave did not save (session ended, link revoked, no connection), "Save and continue" after the session ended,
Enter presses "Save and continue", every way off a page saves without JavaScript, the review shows the answers and
"back" after submitting shows the thank-you page.

Screenshots go to test-artifacts/screenshots/respond-safety/.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from app import i18n
from app.assessments import service
from app.assessments.models import Assessment
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot
from tests.browser.test_respond_journey import check_accessibility

pytestmark = pytest.mark.browser
AREA = "respond-safety"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
_n = itertools.count()

ENDED = "Not saved: your session has ended. Keep this page open, reopen your invitation link in another tab, then save again."
OFFLINE = "Not saved: no connection. Your answer is still here; it will be saved when you press Save and continue."


def tr(lang: str, msgid: str, **values: object) -> str:
    """The message as the page shows it in ``lang`` (English until the catalogue has the translation)."""
    with i18n.locale(lang):
        return i18n.gettext(msgid, **values)


@pytest.fixture(scope="module")
def setup(live):
    with live.session() as db:
        backbone = f.backbone(db, "Safety Backbone")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Casa Abierta")
        lead = f.user(db, org, Role.partner_lead)
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", instrument=live.catalogue.get("equity-self-assessment", "1.0"),
                                     opens_on=today, closes_on=today + dt.timedelta(days=9), partner_ids=[org.id])
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        db.commit()
        return {"assessment_id": assessment.id, "org_id": org.id, "lead_id": lead.id}


def link(live, setup, lang: str) -> tuple[str, str]:
    """A new invitation in ``lang``: its link and its email."""
    email = f"safety{next(_n)}@example.org"
    with live.session() as db:
        assessment = db.get(Assessment, setup["assessment_id"])
        issued = invitations.issue(db, live.settings, email=email, language=lang, organization=assessment.organization,
                                   purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=setup["lead_id"])
        db.commit()
    return f"/invite/{issued.token}", email


def start(browser, live, setup, lang: str, *, viewport=LAPTOP, js: bool = True, race: tuple[str, ...] = ()):
    """A respondent past the welcome page, on the first domain page: (context, page, response id, email)."""
    url, email = link(live, setup, lang)
    context = browser.new_context(viewport=viewport, java_script_enabled=js)
    page = context.new_page()
    page.goto(live.url + url)
    assert page.url.endswith("/welcome") and page.locator("html").get_attribute("lang") == lang
    page.locator("input[name=role_group]").first.check()
    for option in race:
        page.locator(f"#race-{option}").check()
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    rid = int(page.url.split("/respond/")[1].split("/")[0])
    page.goto(f"{live.url}/respond/{rid}/page/domain-leadership")
    return context, page, rid, email


def answers(live, rid: int) -> dict:
    with live.session() as db:
        return service.answers_of(db, rid)


def sign_out_in_another_tab(context, live) -> None:
    other = context.new_page()
    other.goto(live.url + "/respond")
    with other.expect_navigation():
        other.get_by_role("button", name=tr(other.locator("html").get_attribute("lang"), "Sign out")).click()
    other.close()


@pytest.mark.parametrize(("lang", "viewport", "size"), [("en", LAPTOP, "desktop"), ("es", PHONE, "phone"), ("es", LAPTOP, "desktop"),
                                                        ("en", PHONE, "phone")])
def test_after_signing_out_in_another_tab_the_autosave_says_not_saved_and_save_and_continue_gives_the_text_back(
        browser, live, setup, lang, viewport, size):
    context, page, rid, _email = start(browser, live, setup, lang, viewport=viewport)
    first = page.locator("fieldset.q").first
    first.locator("label").nth(1).click()
    page.wait_for_selector(".item-state.saved")  # the autosave works while the session lasts
    sign_out_in_another_tab(context, live)

    second = page.locator("fieldset.q").nth(1)
    second.locator("label").nth(2).click()
    state = second.locator(".item-state")
    state.and_(page.locator(".unsaved")).wait_for()
    assert state.inner_text().endswith(tr(lang, ENDED)) and tr(lang, "Saved") != state.inner_text()
    assert second.locator("input[type=radio]").nth(2).is_checked()  # the answer stays in the form
    assert page.locator("#save-status").inner_text() == tr(lang, ENDED)
    typed = "Nos reunimos con las familias cada mes." if lang == "es" else "We meet the families every month."
    box = page.locator("input[name=leadership-08]")
    box.fill(typed)
    page.wait_for_selector('[data-state-for="leadership-08"].unsaved')
    screenshot(page, AREA, f"01-not-saved-{lang}-{size}")
    check_accessibility(page, f"not saved {lang} {size}")
    item = second.get_attribute("data-item")
    assert item not in answers(live, rid)
    legends = [first.locator("legend").inner_text(), second.locator("legend").inner_text()]

    # "Save and continue" with the session over: a page that says so, in the page's language, with the text to copy.
    with page.expect_navigation():
        page.locator(".pager button.button").last.click()
    assert "/respond/" in page.url and "/login" not in page.url
    assert page.locator("html").get_attribute("lang") == lang
    assert page.get_by_role("heading", level=1).inner_text() == tr(lang, "Your answers were not saved")
    assert page.locator("textarea[readonly]").first.input_value() == typed
    shown = page.locator("main").inner_text()
    assert tr(lang, "What you entered (not saved)") in shown
    assert legends[1] in shown and legends[0] not in shown  # the answer the autosave had saved is not listed as lost
    screenshot(page, AREA, f"02-save-after-sign-out-{lang}-{size}")
    check_accessibility(page, f"save after sign-out {lang} {size}")
    assert "leadership-08" not in answers(live, rid)
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_revoked_link_or_no_connection_is_never_saved(browser, live, setup, lang):
    context, page, rid, email = start(browser, live, setup, lang)
    fieldsets = page.locator("fieldset.q")
    context.set_offline(True)
    fieldsets.nth(0).locator("label").nth(1).click()
    state = fieldsets.nth(0).locator(".item-state.unsaved")
    state.wait_for()
    assert state.inner_text().endswith(tr(lang, OFFLINE))
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    fieldsets.nth(0).locator(".item-state.saved").wait_for()  # back online: saved, and only now said so

    page.route("**/answer", lambda route: route.fulfill(status=200, content_type="text/html", body="<html>Sign in</html>"))
    fieldsets.nth(1).locator("label").nth(1).click()  # a 200 that is not the autosave's own answer
    fieldsets.nth(1).locator(".item-state.unsaved").wait_for()
    page.unroute("**/answer")

    with live.session() as db:
        invitations.revoke(db, db.scalar(select(Invitation).where(Invitation.email == email)), None)
        db.commit()
    fieldsets.nth(2).locator("label").nth(3).click()
    state = fieldsets.nth(2).locator(".item-state.unsaved")
    state.wait_for()
    assert state.inner_text().endswith(tr(lang, ENDED))
    assert page.locator(".item-state.saved").count() == 1
    stored = answers(live, rid)
    assert fieldsets.nth(0).get_attribute("data-item") in stored
    assert fieldsets.nth(2).get_attribute("data-item") not in stored
    context.close()


def test_enter_in_a_one_line_field_on_a_spanish_page_saves_and_continues_in_spanish(browser, live, setup):
    context, page, rid, _email = start(browser, live, setup, "es")
    page.route("**/answer", lambda route: route.abort())  # no autosave: only the form's post can save
    box = page.locator("input[name=leadership-08]")
    box.fill("Un grupo asesor de familias")
    box.press("Enter")
    page.wait_for_url("**/page/domain-policies")
    assert page.locator("html").get_attribute("lang") == "es"
    assert answers(live, rid)["leadership-08"].text == "Un grupo asesor de familias"
    context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_without_javascript_the_language_switch_and_the_steps_save_first(browser, live, setup, lang):
    context, page, rid, _email = start(browser, live, setup, lang, viewport=PHONE, js=False)
    other = "es" if lang == "en" else "en"
    first = page.locator("fieldset.q").first
    first.locator("label").nth(1).click()
    page.locator("input[name=leadership-08]").fill("Typed before switching")
    with page.expect_navigation():
        page.locator(f'header button[name=switch_lang][value="{other}"]').click()  # the header's language switch
    assert page.locator("html").get_attribute("lang") == other and "/page/domain-leadership" in page.url
    stored = answers(live, rid)
    assert stored["leadership-08"].text == "Typed before switching" and first.get_attribute("data-item") in stored
    assert page.locator("input[name=leadership-08]").input_value() == "Typed before switching"

    page.locator("input[name=leadership-08]").fill("Typed before a step")
    with page.expect_navigation():
        page.locator('.section-list button[value="step:domain-climate"]').click()
    assert page.url.endswith("/page/domain-climate")
    assert answers(live, rid)["leadership-08"].text == "Typed before a step"
    page.locator("input[name=climate-07]").fill("Typed before review")
    with page.expect_navigation():
        page.locator(".shortcuts button[value=review]").click()  # "Review and submit", before the questions
    assert page.url.endswith("/review") and answers(live, rid)["climate-07"].text == "Typed before review"
    context.close()


@pytest.mark.parametrize(("lang", "viewport", "size"), [("en", PHONE, "phone"), ("es", LAPTOP, "desktop"), ("en", LAPTOP, "desktop"),
                                                        ("es", PHONE, "phone")])
def test_review_lists_the_answers_and_back_after_submitting_shows_thanks(browser, live, setup, lang, viewport, size):
    context, page, rid, _email = start(browser, live, setup, lang, viewport=viewport, race=("self_describe",))
    page.goto(f"{live.url}/respond/{rid}/welcome")
    page.locator("#self_description").fill("Afrolatina" if lang == "es" else "Afro-Latina")
    screenshot(page, AREA, f"03-self-description-{lang}-{size}")
    check_accessibility(page, f"self-description {lang} {size}")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.goto(f"{live.url}/respond/{rid}/page/domain-leadership")
    fieldset = page.locator("fieldset.q").first
    fieldset.locator("label").nth(2).click()
    fieldset.locator(".item-state.saved").wait_for()
    chosen, question = fieldset.locator("label").nth(2).inner_text(), fieldset.locator("legend").inner_text()
    page.locator("input[name=leadership-08]").fill("Consejo asesor" if lang == "es" else "Advisory board")
    with page.expect_navigation():
        page.locator(".shortcuts button[value=review]").click()
    assert page.url.endswith("/review")
    rows = page.locator(".your-answers .answer-row")
    first = page.locator("#answer-leadership-01")
    assert chosen in first.inner_text() and question in first.inner_text()
    assert tr(lang, "Not answered") in page.locator(".your-answers").inner_text()
    assert ("Consejo asesor" if lang == "es" else "Advisory board") in page.locator("#answer-leadership-08").inner_text()
    assert ("Afrolatina" if lang == "es" else "Afro-Latina") in rows.nth(1).inner_text()
    assert first.get_by_role("link").get_attribute("href").endswith("/page/domain-leadership#q-leadership-01")
    screenshot(page, AREA, f"04-review-with-answers-{lang}-{size}")
    check_accessibility(page, f"review with answers {lang} {size}")
    page.locator("#confirm").check()
    with page.expect_navigation():
        page.locator("form[action$=submit] button").click()
    assert page.url.endswith("/done")
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/done"), page.url  # not the live review form
    assert page.get_by_role("heading", level=1).inner_text() == tr(lang, "Thank you")
    with live.session() as db:
        assert db.get(ResponseRow, rid).self_description == ("Afrolatina" if lang == "es" else "Afro-Latina")
    context.close()
