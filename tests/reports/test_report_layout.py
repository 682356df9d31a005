"""What a reader sees as a layout defect, read from WeasyPrint's own layout of the reports (every page; English on both
paper sizes, Spanish on A4, the narrower one):

- text that runs out of its table cell: a column header wider than its column ran into the next one
  ("PuntuaciónRespuestas" in the Spanish report's tables), which the extracted text and the margins check do not see;
  the partner report is laid out with its page of composition counts, whose headers are the longest ("Representation
  index" ran past the page's margin);
- a near-empty page: the last box of a section alone on a page before the next section's page;
- a heading stranded at a page's foot, with less than STRANDED_MM under it and what it heads on the next page
  ("Questions and answers" and its key at the foot of a page, its table on the next one).
"""

from __future__ import annotations

import itertools

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from app.reports import renderer, service
from tests.reports.test_composition_report import benchmark, enter

pytestmark = pytest.mark.pdf

TOLERANCE_PT = 0.5
LEAST_FILLED = 0.22  # a page filled less than this (a fifth and a bit) is near-empty
STRANDED_MM = 15  # a heading with less than this (three lines of text) under it, at a page's foot, is stranded
PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS pixels


def layout_problems(html: str, least_filled: float = LEAST_FILLED) -> tuple[list[tuple[int, str, float]], list[tuple[int, float]], list[tuple[int, str]]]:
    """What a reader would see as a defect in the layout of `html`:

    - (page, text, how far past its cell's border, in pt) for every run of text that leaves its table cell;
    - (page, share of its height filled) for every page but the first and the last whose content fills less than
      `least_filled` of it and that has no chart: the last box of a section left alone on a page;
    - (page, heading) for every page but the last whose last h2 or h3 has less than `STRANDED_MM` of text or chart
      under it on that page while the next page goes on with what it heads (it does not start with a heading): a
      heading stranded at the foot of a page.
    """
    document = HTML(string=html, base_url=str(service.HERE), url_fetcher=renderer.asset_fetcher()).render()
    outside, empty, stranded = [], [], []

    def walk(box, page: int, seen: dict, cell=None, margin: bool = False, heading: bool = False) -> None:  # type: ignore[no-untyped-def]
        margin = margin or isinstance(box, boxes.MarginBox)  # the running header and footer
        heading = heading or getattr(box, "element_tag", None) in ("h1", "h2", "h3")
        if isinstance(box, boxes.TableCellBox):
            cell = box
        if isinstance(box, boxes.ReplacedBox):
            seen["chart"] = True
            seen["under"] = max(seen["under"], box.position_y + box.height)
        if isinstance(box, boxes.BlockBox) and box.element_tag in ("h2", "h3") and not margin:
            seen["heading"] = (box.position_y + box.margin_height(), "".join(
                b.text for b in box.descendants() if isinstance(b, boxes.TextBox)).strip())
        if isinstance(box, boxes.TextBox) and box.text.strip():
            if cell is not None:
                left, right = cell.border_box_x(), cell.border_box_x() + cell.border_width()
                past = max(box.position_x + box.width - right, left - box.position_x)
                if past > TOLERANCE_PT:
                    outside.append((page, box.text, round(past, 1)))
            if not margin:
                seen["bottom"] = max(seen["bottom"], box.position_y + box.height)
                seen["under"] = max(seen["under"], box.position_y + box.height)
                seen.setdefault("starts_with_heading", heading)
        for child in getattr(box, "children", None) or []:
            walk(child, page, seen, cell, margin, heading)

    pages = []
    for number, page in enumerate(document.pages, 1):
        box = page._page_box
        seen = {"bottom": box.content_box_y(), "under": box.content_box_y(), "chart": False, "heading": None}
        walk(box, number, seen)
        pages.append(seen)
        filled = (seen["bottom"] - box.content_box_y()) / box.height
        if 1 < number < len(document.pages) and not seen["chart"] and filled < least_filled:
            empty.append((number, round(filled, 2)))
    for number, (seen, following) in enumerate(itertools.pairwise(pages), 1):
        if seen["heading"] is not None and not following.get("starts_with_heading", True):
            under, title = seen["heading"]
            if seen["under"] - under < STRANDED_MM * PX_PER_MM:
                stranded.append((number, title))
    return outside, empty, stranded


def text_outside_cells(html: str) -> list[tuple[int, str, float]]:
    return layout_problems(html)[0]


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


def test_the_check_finds_a_box_left_alone_on_a_page():
    # 25 lines of 10 mm fill an A4 page with 20 mm margins (257 mm); a section starts on a page of its own.
    doc = ('<style>@page {{ size: A4; margin: 20mm }} section {{ break-before: page }} p {{ margin: 0; line-height: 10mm }}</style>'
           "<section>{}</section><section><p>The next section</p></section>")

    def lines(n: int) -> str:
        return "<p>a line</p>" * n

    assert [page for page, _ in layout_problems(doc.format(lines(27)))[1]] == [2]  # 2 lines left alone on page 2
    assert layout_problems(doc.format(lines(35)))[1] == []  # 10 lines go on: not near-empty
    assert layout_problems(doc.format(lines(25)))[1] == []  # one full page, then the next section
    chart = doc.format(lines(27)).replace("a line</p></section>", 'a line</p><svg width="10" height="10"></svg></section>')
    assert layout_problems(chart)[1] == []  # a page with a chart on it is not counted as near-empty


def test_the_check_finds_a_heading_stranded_at_a_pages_foot():
    # 23 lines of 10 mm, a heading and a key of two small lines fill 248 of 257 mm: the table's first row (17 mm)
    # goes on to page 2, and the heading with it only when they are kept together.
    doc = ('<style>@page {{ size: A4; margin: 20mm }} p, h3 {{ margin: 0; line-height: 10mm }} tr {{ break-inside: avoid }}'
           " .lead-in {{ break-after: avoid; break-inside: avoid }} p.key {{ line-height: 4mm }}</style>{}"
           "<table><tr><td>a row<br>of two lines<br>and a third one</td></tr><tr><td>another</td></tr></table>")
    heading = '<h3>Questions and answers</h3><p class="key">Answers: how many people</p><p class="key">chose each answer</p>'
    assert layout_problems(doc.format("<p>a line</p>" * 23 + heading))[2] == [(1, "Questions and answers")]
    assert layout_problems(doc.format("<p>a line</p>" * 23 + f'<div class="lead-in">{heading}</div>'))[2] == []
    assert layout_problems(doc.format("<p>a line</p>" * 5 + heading))[2] == []  # the table follows on the same page


@pytest.mark.parametrize(("lang", "paper"), [("es", "a4"), ("en", "letter"), ("en", "a4")])
def test_no_text_leaves_its_cell_in_the_partner_report(db, catalogue, settings, world, html_of, lang, paper):
    benchmark(db, world)
    enter(db, world, "a", "follow")  # with its page of counts (issue 26), whose table has the longest headers
    service.partner_report(db, catalogue, settings, world["fa"], lang, paper)
    assert 'id="composition"' in html_of[-1]
    assert html_of, "the report was not rendered (it came from the cache)"
    outside, _, stranded = layout_problems(html_of[-1])
    assert outside == [] and stranded == []


@pytest.mark.parametrize(("lang", "paper"), [("es", "a4"), ("en", "letter")])
def test_no_text_leaves_its_cell_in_the_partnership_summary(db, catalogue, settings, world, html_of, lang, paper):
    service.cycle_summary(db, catalogue, settings, world["follow"], lang, paper)
    assert html_of, "the summary was not rendered (it came from the cache)"
    assert layout_problems(html_of[-1]) == ([], [], [])


@pytest.mark.parametrize(("lang", "paper"), [("es", "a4"), ("en", "letter")])
def test_the_demo_summary_lists_every_section_and_leaves_no_page_a_quarter_full(db, catalogue, settings, html_of, lang, paper):
    """The demo's latest cycle has every section a summary can have (moves since the baseline, where partners acted, who
    holds the seats, the partnership's targets). Its contents list each one, and no page but the last is filled less
    than a third: the method once started a page of its own after the last target box had been left alone on one (a
    quarter of Spanish A4 page 13)."""
    import re

    from sqlalchemy import select

    from app.assessments.models import Cycle
    from app.demo import BACKBONE_NAME, load_demo
    from app.organizations.models import Organization

    load_demo(db, catalogue, settings.min_group_size)
    demo = db.scalar(select(Organization.id).where(Organization.name == BACKBONE_NAME))
    latest = db.scalars(select(Cycle).where(Cycle.backbone_id == demo).order_by(Cycle.opens_on.desc())).first()
    service.cycle_summary(db, catalogue, settings, latest, lang, paper)
    html = html_of[-1]
    sections = re.findall(r'<section[^>]* id="([a-z-]+)"', html)
    assert {"moved", "acted", "composition", "targets", "method"} <= set(sections), sections
    contents = html[html.index('<ol class="toc">'):]
    contents = contents[:contents.index("</ol>")]
    assert re.findall(r'href="#([a-z-]+)"', contents) == [s for s in sections if s != "executive-summary"]
    targets = html[html.index('id="targets"'):html.index('id="method"')]
    assert re.search(r"\u2212\d", targets) and not re.search(r"(?<![\w-])-\d", targets)  # the board gap: a minus sign
    assert layout_problems(html, least_filled=1 / 3) == ([], [], [])
