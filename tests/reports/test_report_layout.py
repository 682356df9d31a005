"""No text runs out of its table cell: a column header wider than its column ran into the next one
("PuntuaciónRespuestas" in the Spanish report's tables), which the extracted text and the margins check do not see.
The check reads WeasyPrint's own layout of the report, every page, in both languages (Spanish on A4, the narrower page; English on Letter)."""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from app.reports import renderer, service

pytestmark = pytest.mark.pdf

TOLERANCE_PT = 0.5


def text_outside_cells(html: str) -> list[tuple[int, str, float]]:
    """(page, text, how far past its cell's border, in pt) for every run of text that leaves its table cell."""
    document = HTML(string=html, base_url=str(service.HERE), url_fetcher=renderer.asset_fetcher()).render()
    found = []

    def walk(box, page: int, cell=None) -> None:  # type: ignore[no-untyped-def]
        if isinstance(box, boxes.TableCellBox):
            cell = box
        if cell is not None and isinstance(box, boxes.TextBox):
            left, right = cell.border_box_x(), cell.border_box_x() + cell.border_width()
            past = max(box.position_x + box.width - right, left - box.position_x)
            if past > TOLERANCE_PT:
                found.append((page, box.text, round(past, 1)))
        for child in getattr(box, "children", None) or []:
            walk(child, page, cell)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, number)
    return found


@pytest.fixture
def html_of(monkeypatch):
    """The HTML a report would be rendered from. The check lays it out itself: the PDF is not written (what is stored
    in the report cache in its place is rolled back with the test)."""
    seen: list[str] = []

    def keep(html: str, base_url: str, processes: int) -> bytes:
        seen.append(html)
        return b"%PDF-1.7 (laid out by the test, not written)"

    monkeypatch.setattr(renderer, "render", keep)
    return seen


def test_the_check_finds_a_header_wider_than_its_column():
    table = ('<style>@page {{ size: A4 }} table {{ table-layout: fixed; width: 100mm }}</style><table><col style="width: {}">'
             "<col><tr><th>Puntuación</th><th>Respuestas</th></tr></table>")
    assert [t for _, t, _ in text_outside_cells(table.format("8mm"))] == ["Puntuación"]
    assert text_outside_cells(table.format("30mm")) == []


@pytest.mark.parametrize(("lang", "paper"), [("es", "a4"), ("en", "letter")])
def test_no_text_leaves_its_cell_in_the_partner_report(db, catalogue, settings, world, html_of, lang, paper):
    service.partner_report(db, catalogue, settings, world["fa"], lang, paper)
    assert html_of, "the report was not rendered (it came from the cache)"
    assert text_outside_cells(html_of[-1]) == []


@pytest.mark.parametrize(("lang", "paper"), [("es", "a4"), ("en", "letter")])
def test_no_text_leaves_its_cell_in_the_partnership_summary(db, catalogue, settings, world, html_of, lang, paper):
    service.cycle_summary(db, catalogue, settings, world["follow"], lang, paper)
    assert html_of, "the summary was not rendered (it came from the cache)"
    assert text_outside_cells(html_of[-1]) == []
