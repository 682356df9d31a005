"""The language is the person's, on every device: a respondent invited in English who switched to Español reads Spanish
when they open their link on another device with their return code. Screenshots of the lead's invitation list and of a
link that no longer works, in both languages, on a laptop and a 360 px phone, go to test-artifacts/screenshots/links/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app import clock
from app.assessments import service
from app.assessments.models import Assessment
from app.auth import invitations
from app.auth.models import Invitation, InvitationPurpose
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot, sign_in_page

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def setup(live):
    with live.session() as db:
        backbone = f.backbone(db, "Language Backbone")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Centro Comunitario Raíces")
        lead = f.user(db, org, Role.partner_lead, email="lead.raices@example.org")
        today = clock.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", anonymous=False,
                                     instrument=live.catalogue.get("equity-self-assessment", "1.0"),
                                     opens_on=today - dt.timedelta(days=20), closes_on=today + dt.timedelta(days=70), partner_ids=[org.id])
        assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
        links = {}
        for name, language in (("mara", "en"), ("waiting", "es"), ("withdrawn", "es")):
            issued = invitations.issue(db, live.settings, email=f"{name}@example.org", language=language, organization=org,
                                       purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=lead.id)
            links[name] = f"/invite/{issued.token}"
        # Someone halfway through, for the lead's list.
        issued = invitations.issue(db, live.settings, email="halfway@example.org", language="es", organization=org,
                                   purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=lead.id)
        user = invitations.accept(db, issued.invitation)
        response = service.get_or_start_response(db, assessment, user.id, "es", invitation_id=issued.invitation.id)
        for item in ("leadership-01", "leadership-02", "leadership-03"):
            service.save_answer(db, live.catalogue, response, service.AnswerInput(item, value="2"))
        db.commit()
        return {"links": links, "lead_email": lead.email}


def test_a_person_who_switched_to_spanish_reads_spanish_on_another_device(browser, live, setup):
    laptop = browser.new_context(viewport=LAPTOP, locale="en-US")
    phone = browser.new_context(viewport=PHONE, locale="en-US")  # a device that has never seen the site
    try:
        page = laptop.new_page()
        page.goto(live.url + setup["links"]["mara"])
        assert page.locator("html").get_attribute("lang") == "en"  # invited in English
        page.click(".respond-nav button[name=switch_lang][value=es]")  # the welcome form's own switch: it saves first
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "es"
        code = page.locator("strong.code").first.inner_text().strip()

        other = phone.new_page()
        other.goto(live.url + setup["links"]["mara"])
        # Before the code, the page tells nobody which language the person chose since: the invitation's.
        assert other.locator("html").get_attribute("lang") == "en" and other.locator("#code").count() == 1
        other.fill("#code", code)
        other.click("button[type=submit]")
        other.wait_for_load_state()
        assert "/respond/" in other.url
        assert other.locator("html").get_attribute("lang") == "es", other.url
        other.reload()
        assert other.locator("html").get_attribute("lang") == "es"
        screenshot(other, "links", "respondent-other-device-es-360")
    finally:
        laptop.close()
        phone.close()


def test_screenshots_of_the_leads_invitations_and_of_a_link_that_no_longer_works(browser, live, setup):
    with live.session() as db:
        withdrawn = db.scalar(select(Invitation).where(Invitation.email == "withdrawn@example.org"))
        invitations.revoke(db, withdrawn, None)
        db.commit()
    for size, viewport in (("desktop", LAPTOP), ("360", PHONE)):
        context = browser.new_context(viewport=viewport, locale="en-US")
        try:
            page = context.new_page()
            sign_in_page(page, live, setup["lead_email"], f.PASSWORD)
            for lang in ("en", "es"):
                page.goto(f"{live.url}/partner?lang={lang}")
                table = page.locator("table").first
                assert table.is_visible()
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
                screenshot(page, "links", f"lead-invitations-{lang}-{size}")
        finally:
            context.close()
        for lang in ("en", "es"):
            # A revoked link's page is an unknown link's page: in the browser's language, never the invitee's.
            context = browser.new_context(viewport=viewport, locale={"en": "en-US", "es": "es-ES"}[lang],
                                          extra_http_headers={"Accept-Language": lang})
            try:
                page = context.new_page()
                query = ""
                response = page.goto(live.url + setup["links"]["withdrawn"] + query)
                assert response is not None and response.status == 404
                heading = page.locator("h1").inner_text()
                assert heading == {"en": "This link no longer works", "es": "Este enlace ya no funciona"}[lang]
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
                screenshot(page, "links", f"link-no-longer-works-{lang}-{size}")
            finally:
                context.close()
