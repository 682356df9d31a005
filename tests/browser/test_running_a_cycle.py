"""Running a cycle in the browser (issue 23): a backbone admin, on a laptop in English and on a phone in Spanish, sends
reminders after seeing who they reach, closes the cycle after its confirmation and reopens it; in Spanish on a phone,
invites a colleague, finds the partners' actions within the screen, and a lead who forgot the password sets a new one
through the emailed link; the compare page keeps its corner header and legible chart labels on a phone."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Assessment
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.organizations.models import Role
from tests import factories as f
from tests.browser.conftest import screenshot, sign_in_page
from tests.dashboard_world import INSTRUMENT

pytestmark = pytest.mark.browser
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def partnership(live):
    with live.session() as db:
        backbone = f.backbone(db, "Alianza Norte")
        admin = f.user(db, backbone, Role.backbone_admin, email="admin@norte.example.org", language="en")
        org = f.partner(db, backbone, "Clínica Comunitaria", contact_email="direccion@clinica.example.org", preferred_language="es")
        lead = f.user(db, org, Role.partner_lead, email="lider@clinica.example.org", language="es")
        today = dt.date.today()
        cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Baseline 2026", names={"es": "Línea de base 2026"},
                                     instrument=live.catalogue.get(*INSTRUMENT), opens_on=today - dt.timedelta(days=3),
                                     closes_on=today + dt.timedelta(days=20), partner_ids=[org.id])
        db.flush()
        a = db.scalars(select(Assessment).where(Assessment.cycle_id == cycle.id)).one()
        for address in ("uno@clinica.example.org", "dos@clinica.example.org"):
            invitations.issue(db, live.settings, email=address, language="es", organization=org, purpose=InvitationPurpose.respond,
                              assessment_id=a.id, created_by_id=lead.id)
        db.commit()
        return {"admin": admin.email, "lead": lead.email, "cycle": cycle.id, "org": org.id}


def outbox(live) -> list:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(live.settings.outbox_dir.glob("*.eml"))] \
        if live.settings.outbox_dir.exists() else []


WORDS = {
    "en": {"send": "Send reminders", "now": "Send the reminders now", "sent": "2 reminders sent to people who have not finished.",
           "close": "Close the cycle", "ask": "Close the cycle?", "waiting": "1 partner has not submitted: Clínica Comunitaria.",
           "closed": "The cycle is closed: no new answers are accepted.", "reopen": "Reopen the cycle", "reopened": "The cycle is open again, until"},
    "es": {"send": "Enviar recordatorios", "now": "Enviar los recordatorios ahora", "sent": "Se enviaron 2 recordatorios a quienes no han terminado.",
           "close": "Cerrar el ciclo", "ask": "¿Cerrar el ciclo?", "waiting": "1 organización socia no ha enviado su evaluación: Clínica Comunitaria.",
           "closed": "El ciclo está cerrado: ya no se aceptan respuestas nuevas.", "reopen": "Reabrir el ciclo",
           "reopened": "El ciclo está abierto de nuevo, hasta el"},
}


@pytest.mark.parametrize(("lang", "viewport"), [("en", LAPTOP), ("es", PHONE)])
def test_reminders_then_closing_and_reopening(live, browser, partnership, lang, viewport):
    words = WORDS[lang]
    ctx = browser.new_context(viewport=viewport, locale=lang, extra_http_headers={"Accept-Language": lang})
    page = ctx.new_page()
    sign_in_page(page, live, partnership["admin"], f.PASSWORD)
    page.goto(f"{live.url}/backbone/cycles/{partnership['cycle']}?lang={lang}")
    with page.expect_navigation():
        page.get_by_role("link", name=words["send"]).click()
    row = page.locator("tr", has_text="Clínica Comunitaria")
    assert row.locator("td").first.inner_text() == "2"  # two people who have not submitted, no address shown
    assert "uno@clinica" not in page.content()
    screenshot(page, "running-a-cycle", f"01-reminders-preview-{lang}")
    before = len(outbox(live))
    with page.expect_navigation():
        page.get_by_role("button", name=words["now"]).click()
    assert words["sent"] in page.content()
    assert all("Recordatorio" in m["Subject"] for m in outbox(live)[before:])
    # Closing asks first, says what it does, and can be undone.
    with page.expect_navigation():
        page.get_by_role("link", name=words["close"]).click()
    assert words["ask"] in page.content() and words["waiting"] in page.content()
    screenshot(page, "running-a-cycle", f"02-close-confirmation-{lang}")
    with page.expect_navigation():
        page.get_by_role("button", name=words["close"]).click()
    assert words["closed"] in page.content()
    until = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    page.fill("input[name=closes_on]", until)
    with page.expect_navigation():
        page.get_by_role("button", name=words["reopen"]).click()
    assert words["reopened"] in page.content()
    ctx.close()


PEOPLE = {
    "es": {"summary": "Invitar a una persona colega al equipo coordinador", "send": "Enviar la invitación",
           "sent": "Se envió una invitación al equipo coordinador a {email}.", "invite_lead": "Invitar a quien dirige",
           "forgot": "¿Olvidó su contraseña?", "link": "Enviarme un enlace", "asked": "le enviamos por correo un enlace que funciona durante 2 horas",
           "save": "Guardar la contraseña nueva", "saved": "Su contraseña nueva está guardada"},
    "en": {"summary": "Invite a colleague to the coordinating staff", "send": "Send the invitation",
           "sent": "An invitation to the coordinating staff was sent to {email}.", "invite_lead": "Invite the lead",
           "forgot": "Forgot your password?", "link": "Send me a link", "asked": "we have emailed it a link that works for 2 hours",
           "save": "Save the new password", "saved": "Your new password is saved"},
}


@pytest.mark.parametrize(("lang", "viewport"), [("es", PHONE), ("en", LAPTOP)])
def test_people_and_a_forgotten_password(live, browser, partnership, lang, viewport):
    words = PEOPLE[lang]
    colleague = f"colega-{lang}@norte.example.org"
    ctx = browser.new_context(viewport=viewport, locale=lang, extra_http_headers={"Accept-Language": lang})
    page = ctx.new_page()
    sign_in_page(page, live, partnership["admin"], f.PASSWORD)
    page.goto(f"{live.url}/backbone/people?lang={lang}")
    page.locator("summary", has_text=words["summary"]).click()
    page.fill("input[name=email]", colleague)
    page.select_option("select[name=role]", "backbone_analyst")
    page.select_option("select#invite-language", lang)
    with page.expect_navigation():
        page.get_by_role("button", name=words["send"]).click()
    assert words["sent"].format(email=colleague) in page.content()
    assert re.search(r'value="http://[^"]+/invite/inv_', page.content())  # no email server: the link, to its inviter
    screenshot(page, "running-a-cycle", f"03-people-invited-{lang}")
    # The partners' table fits the screen: each partner's actions are on it, not past its right edge.
    page.goto(f"{live.url}/backbone/partners?lang={lang}")
    box = page.locator("summary", has_text=words["invite_lead"]).first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"]
    screenshot(page, "running-a-cycle", f"04-partners-{lang}")
    ctx.close()
    # A lead who forgot the password asks for a link and sets a new one.
    ctx = browser.new_context(viewport=viewport, locale=lang, extra_http_headers={"Accept-Language": lang})
    page = ctx.new_page()
    page.goto(f"{live.url}/login?lang={lang}")
    with page.expect_navigation():
        page.get_by_role("link", name=words["forgot"]).click()
    page.fill("input[name=email]", partnership["lead"])
    before = len(outbox(live))
    with page.expect_navigation():
        page.get_by_role("button", name=words["link"]).click()
    assert words["asked"] in page.content()
    (mail,) = [m for m in outbox(live)[before:] if m["To"] == partnership["lead"]]
    link = re.search(r"(http://\S+/reset/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    page.goto(link)
    page.fill("input[name=password]", "una frase nueva y larga 2026")
    page.fill("input[name=confirm]", "una frase nueva y larga 2026")
    with page.expect_navigation():
        page.get_by_role("button", name=words["save"]).click()
    assert words["saved"] in page.content()
    screenshot(page, "running-a-cycle", f"05-password-saved-{lang}")
    sign_in_page(page, live, partnership["lead"], "una frase nueva y larga 2026")
    assert "/partner" in page.url
    ctx.close()


def test_the_compare_page_on_a_phone_keeps_its_corner_header_and_legible_chart_labels(live, browser, partnership):
    ctx = browser.new_context(viewport={"width": 358, "height": 800}, locale="es-ES", extra_http_headers={"Accept-Language": "es"})
    page = ctx.new_page()
    sign_in_page(page, live, partnership["admin"], f.PASSWORD)
    page.goto(f"{live.url}/backbone/cycles/{partnership['cycle']}/compare?lang=es")
    sizes = page.evaluate("() => Array.from(document.querySelectorAll('figure.chart-figure svg text')).map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 8  # not 5 px squeezed into the phone's width
    corner = page.locator("#compare thead th").first
    assert corner.evaluate("e => getComputedStyle(e).position") == "sticky" and corner.evaluate("e => getComputedStyle(e).left") == "0px"
    page.locator("#compare").evaluate("e => e.closest('.table-wrap, .compare-wrap').scrollLeft = 400")
    box = corner.bounding_box()
    assert box is not None and box["x"] < 40  # the corner stays at the left while the domains scroll under it
    screenshot(page, "running-a-cycle", "06-compare-phone-es")
    ctx.close()
