"""The backbone admin's first visit, in headless Chromium: the demo, a new follow-up cycle, sorting, filtering,
drilling down, the Spanish dashboard on a phone, and an XLSX export whose numbers equal the screen's."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook

from app.demo import ADMIN_EMAIL, PASSWORD, load_demo
from tests.browser.conftest import screenshot, sign_in_page

pytestmark = pytest.mark.browser
AREA = "dashboard"


@pytest.fixture(scope="module")
def demo(live):
    with live.session() as db:
        load_demo(db, live.catalogue, live.settings.min_group_size)
        db.commit()
    return live


def serious(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']} at {v['nodes'][0]['target']}" for v in found if v["impact"] in ("serious", "critical")]


def column(page, index: int) -> list[int | None]:
    """The scores in one column of the comparison table (None where there is no score)."""
    out = []
    for text in page.locator("#compare tbody tr").evaluate_all(f"rows => rows.map(r => r.children[{index}].innerText)"):
        m = re.match(r"\s*(\d+)", text)
        out.append(int(m.group(1)) if m else None)
    return out


def test_a_new_admin_compares_partners_and_exports_what_the_screen_shows(browser, demo):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in_page(page, demo, ADMIN_EMAIL, PASSWORD)
    assert page.url.endswith("/backbone")
    screenshot(page, AREA, "01-home")

    # A follow-up of the latest cycle, through the form (the baseline is preselected).
    with page.expect_navigation():
        page.get_by_role("link", name="New cycle").click()
    page.get_by_label("Name in English", exact=True).fill("Second follow-up 2027")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the cycle").click()
    assert "The cycle was created" in page.content()
    assert "follow-up of Follow-up 2026-2027" in page.content()
    screenshot(page, AREA, "02-new-cycle-progress")

    # The existing follow-up: who moved up, sorted by a domain, filtered, drilled into.
    page.goto(demo.url + "/backbone")
    with page.expect_navigation():
        page.locator("tr", has=page.get_by_role("rowheader", name="Follow-up 2026-2027", exact=True)).get_by_role("link", name="Compare").click()
    assert "moved up a readiness level" in page.content()
    screenshot(page, AREA, "03-compare")
    assert not serious(page)
    header = page.locator("#compare thead th").nth(4)  # the first domain
    with page.expect_navigation():
        header.get_by_role("link").click()
    first = column(page, 4)
    scored = [v for v in first if v is not None]
    assert scored == sorted(scored, reverse=True) and first[: len(scored)] == scored  # highest first, no score last
    assert header.get_attribute("aria-sort") == "descending"
    page.get_by_label("Sector").select_option(label="K-12 education")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    sectors = page.locator("#compare tbody tr td:nth-child(2)").all_inner_texts()
    assert sectors and set(sectors) == {"K-12 education"}
    screenshot(page, AREA, "04-sorted-and-filtered")
    with page.expect_navigation():
        page.get_by_role("link", name="Show all partners").click()

    # The numbers on screen, then the XLSX: every domain score and change must be equal.
    on_screen = {}
    domain_titles = page.locator("#compare thead th").all_inner_texts()[4:]
    for row in page.locator("#compare tbody tr").all():
        name = row.locator("th").inner_text().split("\n")[0].strip()
        cells = row.locator("td").all_inner_texts()[3:]
        on_screen[name] = [int(m.group(1)) if (m := re.match(r"\s*(\d+)", c)) else None for c in cells]
    with page.expect_download() as info:
        page.get_by_role("link", name="Download these results (XLSX)").click()
    ws = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True).worksheets[0]
    rows = list(ws.values)
    header_row = list(rows[0])
    at = {h: header_row.index(h) for h in ("Partner", "Domain", "Score")}
    exported: dict[str, dict[str, object]] = {}
    for r in rows[1:]:
        exported.setdefault(r[at["Partner"]], {})[r[at["Domain"]]] = r[at["Score"]]
    assert set(exported) == set(on_screen)
    for name, scores in on_screen.items():
        for title, value in zip([t.replace(" ▲", "").replace(" ▼", "").strip() for t in domain_titles], scores, strict=True):
            assert exported[name][title] == value, (name, title)

    # Drill down into one partner.
    with page.expect_navigation():
        page.locator("#compare tbody tr th a").first.click()
    assert page.url.endswith("/result") and "Growth opportunities" in page.content()
    assert "Policy" in page.content() and page.get_by_role("link", name=re.compile("Compare partners")).count() == 1
    screenshot(page, AREA, "05-drill-down")
    context.close()


def test_the_spanish_dashboard_on_a_phone(browser, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_page(page, demo, ADMIN_EMAIL, PASSWORD)
    page.goto(demo.url + "/backbone?lang=es")
    with page.expect_navigation():
        page.locator("tr", has=page.get_by_role("rowheader", name="Seguimiento 2026-2027", exact=True)).get_by_role("link", name="Comparar").click()
    assert page.locator("html").get_attribute("lang") == "es"
    html = page.content()
    assert "Preparación por organización y área" in html and "La distribución de la alianza por área" in html
    assert "Referente" in html or "Consolidado" in html
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways"
    screenshot(page, AREA, "06-compare-es-phone")
    assert not serious(page)
    for path, name in (("/backbone/partners", "07-partners-es-phone"), ("/backbone/cycles/1", "08-progress-es-phone")):
        page.goto(demo.url + path)
        screenshot(page, AREA, name)
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{path} scrolls sideways"
    context.close()
