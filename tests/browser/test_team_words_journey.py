"""A partner team in Spanish on a phone, as issue 20 asks: three people answer over several sittings, one loses their
session mid-page and is told so, nothing typed is lost, and the lead reads the team's stories and commitments without
learning who wrote which, and chooses three quotes for the report.

The partnership's anonymity minimum is 3 here (LIVE_SETTINGS), so that three people make a result.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.assessments import service
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot, sign_in_page
from tests.pdf_text import pdf_words

pytestmark = pytest.mark.browser
LIVE_SETTINGS = {"min_group_size": 3}
PHONE = {"width": 360, "height": 740}
PEOPLE = [
    {"story": "Contratamos a dos consejeras bilingües y cambió la relación con las familias.",
     "commitment": "Publicaremos los datos de disciplina por raza cada semestre."},
    {"story": "El comité escuchó a madres y padres afrodescendientes antes de cambiar el horario.",
     "commitment": "Revisaremos las políticas de contratación con el sindicato antes de junio."},
    {"story": "Tradujimos los formularios, pero nadie revisó si se entendían.",
     "commitment": "Formaremos un grupo asesor de familias con pago por su tiempo."},
]


@pytest.fixture(scope="module")
def team(live):
    with live.session() as db:
        backbone = f.backbone(db, "Alianza Cascadia")
        admin = f.user(db, backbone, Role.backbone_admin)
        org = f.partner(db, backbone, "Escuela Raíces")
        lead = f.user(db, org, Role.partner_lead, email="directora@raices.example.org", language="es")
        today = dt.date.today()
        service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", names={"es": "Línea de base 2026"},
                             instrument=live.catalogue.get("equity-self-assessment", "1.0"), opens_on=today,
                             closes_on=today + dt.timedelta(days=30), partner_ids=[org.id])
        db.commit()
        return {"lead": lead.email}


def phone(browser):
    return browser.new_context(viewport=PHONE, locale="es-ES", extra_http_headers={"Accept-Language": "es"})


def answer_reflection(page, text: str) -> None:
    page.fill("textarea[name='reflection-01']", text)
    with page.expect_navigation():  # the next page has loaded: closing a page mid-navigation can hang Chromium
        page.get_by_role("button", name="Guardar y continuar").last.click()


def test_a_team_in_spanish_on_phones_from_the_first_answer_to_three_quotes_in_the_report(live, browser, team):
    lead_ctx = phone(browser)
    lead = lead_ctx.new_page()
    sign_in_page(lead, live, team["lead"], f.PASSWORD)
    lead.goto(f"{live.url}/partner")
    assert "Línea de base 2026" in lead.content()
    lead.fill("textarea[name=emails]", "\n".join(f"persona{k}@raices.example.org" for k in range(3)))
    lead.select_option("select[name=language]", "es")
    with lead.expect_navigation():
        lead.get_by_role("button", name="Enviar invitaciones").click()
    links = re.findall(r'value="(http://[^"]+/invite/[^"]+)"', lead.content())
    assert len(links) == 3

    for k, (link, person) in enumerate(zip(links, PEOPLE, strict=True)):
        ctx = phone(browser)
        page = ctx.new_page()
        page.goto(link)
        page.check("input[name=role_group][value=staff]")
        code = page.locator(".return-code .code").inner_text()  # shown to the person, to come back with
        with page.expect_navigation():
            page.get_by_role("button", name="Empezar").click()
        if k == 1:
            # Mid-page, the session ends (signed out in another tab): the answer typed after that is not falsely
            # "Saved", and "Save and continue" keeps it on screen with how to get back in. (Typed before the sign-out,
            # the autosave may save it first, and the page rightly says nothing was lost: on a loaded machine it did.)
            other = ctx.new_page()
            other.goto(f"{live.url}/respond")
            with other.expect_navigation():
                other.get_by_role("button", name="Cerrar sesión").click()
            other.close()
            page.fill("textarea[name='reflection-01']", person["story"])
            with page.expect_navigation():
                page.get_by_role("button", name="Guardar y continuar").last.click()
            page.wait_for_load_state()
            body = page.content()
            assert "no se guardaron" in body.lower() and person["story"] in body
            screenshot(page, "team-words", "01-session-ended-es-phone")
            # Back in through the link and the return code: the story typed again from what the page showed.
            page.goto(link)
            page.fill("input[name=code]", code)
            with page.expect_navigation():
                page.locator("form[action$='/resume'] button[type=submit]").click()
            answer_reflection(page, person["story"])
        else:
            answer_reflection(page, person["story"])
            if k == 0:  # a second sitting, later, in the same browser: the link opens the response again
                page.close()
                page = ctx.new_page()
                page.goto(link)
                assert "/respond/" in page.url and page.locator("input[name=code]").count() == 0
        # The closing page: the commitment, then review and submit.
        rid = re.search(r"/respond/(\d+)/", page.url).group(1)
        page.goto(f"{live.url}/respond/{rid}/page/closing")
        assert page.locator("textarea[name='reflection-01']").count() == 0
        page.fill("textarea[name='closing-commitments']", person["commitment"])
        with page.expect_navigation():
            page.get_by_role("button", name="Guardar y revisar").last.click()
        review = page.content()
        assert person["story"] in review and person["commitment"] in review  # the review shows their own answers
        page.check("#confirm")
        with page.expect_navigation():
            page.get_by_role("button", name="Enviar mis respuestas").click()
        assert "/done" in page.url
        ctx.close()

    lead.goto(f"{live.url}/partner")
    lead.check("input[name=confirm]")
    with lead.expect_navigation():
        lead.get_by_role("button", name="Enviar la evaluación").click()
    assert "/result" in lead.url
    result = lead.content()
    words = result[result.index('id="team-texts"'):result.index('aria-labelledby="detail-h"')]
    for person in PEOPLE:
        assert person["story"] in words and person["commitment"] in words
    assert not re.search(r"persona\d@", words) and "staff" not in words.lower()
    screenshot(lead, "team-words", "02-what-your-team-wrote-es-phone")
    for text in (PEOPLE[0]["story"], PEOPLE[2]["story"], PEOPLE[1]["commitment"]):
        with lead.expect_navigation():
            lead.locator("li.quote", has_text=text).get_by_role("button", name="Citar en el informe").click()
    assert lead.locator("li.quote-chosen").count() == 3
    assert "3 textos elegidos para el informe" in lead.content()
    pdf_url = lead.get_by_role("link", name="Descargar el informe (PDF)").get_attribute("href")
    pdf = lead_ctx.request.get(f"{live.url}{pdf_url}", timeout=180_000)  # a cold report on a loaded 2-core CI machine
    text = pdf_words(pdf.body())
    assert "En nuestras propias palabras" in text
    for quoted in (PEOPLE[0]["story"], PEOPLE[2]["story"], PEOPLE[1]["commitment"]):
        assert quoted in text
    assert PEOPLE[1]["story"] not in text
    lead_ctx.close()
