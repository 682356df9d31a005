"""The comparison figures, the progress rows and the exports, against hand-computed expectations."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select, update

from app.assessments import service
from app.assessments.models import Answer, Response
from app.assessments.views import LevelView
from app.dashboard.comparison import Cell, PartnerRow, comparison_table
from app.dashboard.progress import Progress, cycle_progress
from app.dashboard.summaries import SummaryCache
from app.exports import formats, sheets
from app.i18n import locale
from app.scoring import shown as half_up
from app.web.presenters import CellWords, cells_html
from tests import dashboard_world
from tests.dashboard_world import weighted_overall


def by_name(table):
    return {r.organization.name.split()[0]: r for r in table.rows}


def test_domain_cells_levels_and_change_since_the_baseline(db, catalogue, world):
    table = comparison_table(db, catalogue, world["follow"], "en")
    rows = by_name(table)
    a, b, c = rows["Alder"], rows["Birch"], rows["Cedar"]
    assert a.cells["leadership"].shown == 100 and a.cells["leadership"].level.id == "leading"
    assert a.cells["leadership"].baseline_shown == 67 and a.cells["leadership"].change == 33 and a.cells["leadership"].level_move == 1
    assert a.cells["data"].shown == 67 and a.cells["data"].baseline_shown == 33 and a.cells["data"].change == 34
    assert a.cells["data"].level.name == "Established" and a.cells["data"].baseline_level.name == "Developing"
    assert b.cells["data"].shown == 33 and b.cells["data"].change == -34 and b.cells["data"].level_move == -1
    assert b.cells["voice"].change == 0 and b.cells["voice"].level_move == 0
    assert not c.has_result and c.cells["data"].shown is None and c.overall.change is None
    instrument = world["instrument"]
    now = half_up(weighted_overall(instrument, {d.id: 100 if d.id == "leadership" else 200 / 3 for d in instrument.domains}))
    then = half_up(weighted_overall(instrument, {d.id: 200 / 3 if d.id == "leadership" else 100 / 3 for d in instrument.domains}))
    assert (a.overall.shown, a.overall.baseline_shown, a.overall.change) == (now, then, now - then)
    # Alder rose a level in all nine domains, Birch fell one in data.
    assert len(table.moved_up) == 9 and {name for name, _ in table.moved_up} == {"Alder School District"}
    assert table.moved_down == [("Birch Youth Alliance", instrument.domain("data").title.get("en"))]


def test_distribution_counts_each_level_and_the_partners_without_a_result(db, catalogue, world):
    table = comparison_table(db, catalogue, world["follow"], "en")
    dist = {d.domain.id: d for d in table.distribution}
    levels = [lv.id for lv in table.levels]
    assert levels == ["emerging", "developing", "established", "leading"]
    assert dist["leadership"].counts == [0, 0, 1, 1] and dist["leadership"].no_result == 1
    assert dist["data"].counts == [0, 1, 1, 0] and dist["data"].not_enough == 0
    assert all(sum(d.counts) + d.not_enough + d.no_result == 3 for d in table.distribution)


def test_sorting_puts_missing_values_last_and_filters_narrow_the_rows(db, catalogue, world):
    names = lambda t: [r.organization.name.split()[0] for r in t.rows]  # noqa: E731
    assert names(comparison_table(db, catalogue, world["follow"], "en", sort="data", descending=True)) == ["Alder", "Birch", "Cedar"]
    assert names(comparison_table(db, catalogue, world["follow"], "en", sort="data")) == ["Birch", "Alder", "Cedar"]
    assert names(comparison_table(db, catalogue, world["follow"], "en", sort="change:data")) == ["Birch", "Alder", "Cedar"]
    assert names(comparison_table(db, catalogue, world["follow"], "en", sort="size")) == ["Birch", "Alder", "Cedar"]
    assert names(comparison_table(db, catalogue, world["follow"], "en", sort="nonsense")) == ["Alder", "Birch", "Cedar"]
    only = comparison_table(db, catalogue, world["follow"], "en", sector="k12")
    assert names(only) == ["Alder"] and only.total == 3
    assert only.distribution[0].no_result == 0  # the distribution follows the filter
    assert names(comparison_table(db, catalogue, world["follow"], "en", size="1-10")) == ["Birch"]


def test_a_baseline_cycle_has_no_change_column(db, catalogue, world):
    table = comparison_table(db, catalogue, world["baseline"], "es")
    a = by_name(table)["Alder"]
    assert table.baseline is None and a.cells["leadership"].change is None
    assert a.cells["leadership"].level.name == "Consolidado"  # the instrument's Spanish level name


def test_progress_rows(db, catalogue, world):
    rows = {r.organization.name.split()[0]: r for r in cycle_progress(db, world["follow"])}
    assert rows["Alder"].status is Progress.submitted and rows["Alder"].submitted == 5 and rows["Alder"].last_activity is not None
    assert rows["Cedar"].status is Progress.not_started and rows["Cedar"].submitted == 0 and rows["Cedar"].last_activity is None


def test_results_export_equals_the_comparison_in_csv_and_xlsx(db, catalogue, world):
    table = comparison_table(db, catalogue, world["follow"], "en")
    sheet = sheets.results_sheet(db, catalogue, world["follow"], "en")
    records = sheet.records()
    assert len(records) == 3 * 10  # three partners, overall + nine domains
    rows = by_name(table)
    for rec in records:
        row = rows[rec["partner"].split()[0]]
        cell = row.overall if rec["domain_id"] == "overall" else row.cells[rec["domain_id"]]
        assert rec["score"] == cell.shown and rec["change"] == cell.change
    parsed = list(csv.DictReader(io.StringIO(formats.to_csv(sheet).decode("utf-8-sig"))))
    assert parsed[0].keys() >= {"Partner", "Domain", "Score", "Readiness level", "Change since baseline"}
    alder_data = next(p for p in parsed if p["Partner"].startswith("Alder") and p["Domain id"] == "data")
    assert (alder_data["Score"], alder_data["Readiness level"], alder_data["Change since baseline"]) == ("67", "Established", "34")
    book = load_workbook(io.BytesIO(formats.to_xlsx([sheet])), read_only=True)
    ws = book.worksheets[0]
    values = list(ws.values)
    header = list(values[0])
    first = dict(zip(header, values[1], strict=True))
    assert isinstance(first["Score"], int | float) and isinstance(first["Responses"], int)  # numbers stay numbers


def test_exports_neutralise_formulas_and_speak_spanish(db, catalogue, world):
    world["a"].name = "=HYPERLINK(\"http://evil\")"
    db.flush()
    with locale("es"):
        sheet = sheets.results_sheet(db, catalogue, world["follow"], "es")
    assert "Puntuación" in sheet.headers and "Nivel de preparación" in sheet.headers
    text = formats.to_csv(sheet).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    ws = load_workbook(io.BytesIO(formats.to_xlsx([sheet]))).worksheets[0]
    names = {ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)}
    assert "'=HYPERLINK(\"http://evil\")" in names
    assert all(ws.cell(row=r, column=2).data_type == "s" for r in range(2, ws.max_row + 1))


def test_answers_export_is_pseudonymous_and_suppresses_small_groups(db, catalogue, world):
    sheet = sheets.answers_sheet(db, world["follow"], min_group_size=5)
    records = sheet.records()
    assert records and all(r["respondent"].startswith("P-") for r in records)
    # Per partner one executive and four staff: a role shared by fewer than five is not released, for anyone.
    assert {r["role_group"] for r in records} == {None}
    again = sheets.answers_sheet(db, world["follow"], min_group_size=5).records()
    assert not {r["respondent"] for r in records} & {r["respondent"] for r in again}  # new codes in every export
    assert not any("@" in str(v) for r in records for v in r.values())


def test_items_export_has_one_row_per_partner_and_rated_item(db, catalogue, world):
    sheet = sheets.items_sheet(db, catalogue, world["follow"], "en")
    rated = [i for i in world["instrument"].items if i.is_rated]
    assert len(sheet.rows) == 2 * len(rated)
    rec = next(r for r in sheet.records() if r["partner"].startswith("Birch") and r["domain_id"] == "data")
    assert rec["score"] == 33 and rec["answers"] == 5


def test_a_result_computed_since_shows_at_once_and_unchanged_summaries_are_not_read_again(db, catalogue, world, statements):
    """The comparison keeps decoded summaries per stored result: a second look reads no summary, and a result
    submitted or recomputed since is shown at once."""
    comparison_table(db, catalogue, world["follow"], "en")
    statements.clear()
    again = comparison_table(db, catalogue, world["follow"], "en")
    assert statements and not any("summary" in s for s in statements)
    assert by_name(again)["Alder"].cells["leadership"].shown == 100

    # Cedar submits; Alder's leadership answers are lowered and its result recomputed.
    dashboard_world.answer_and_submit(db, catalogue, world["follow"], world["c"], world["admin"], {"*": 3})
    leadership = [i.id for i in world["instrument"].items if i.domain == "leadership" and i.is_rated]
    db.execute(update(Answer).where(Answer.item_id.in_(leadership),
                                    Answer.response_id.in_(select(Response.id).where(Response.assessment_id == world["fa"].id)))
               .values(value=1))
    service.recompute_results(db, catalogue, min_group_size=5, cycle_id=world["follow"].id)
    db.commit()
    statements.clear()
    after = by_name(comparison_table(db, catalogue, world["follow"], "en"))
    assert any("summary" in s for s in statements)
    assert after["Cedar"].has_result and after["Cedar"].cells["voice"].shown == 100
    assert after["Alder"].cells["leadership"].shown == 33 and after["Alder"].cells["leadership"].change == 33 - 67
    assert after["Alder"].cells["data"].shown == 67  # untouched domains keep their figures


def test_the_cells_of_a_row_say_score_level_and_change_in_words_and_escape_what_they_show(db, catalogue, world):
    """Every case a comparison cell can be in, in the page's language; a level name from an instrument file is escaped."""
    def level(name, index):
        return LevelView(name.lower(), name, "", 0, index)

    emerging, odd = level("Emerging", 1), level("<b>Bold & new</b>", 3)
    cells = {"a": Cell(80, odd, 80.0, 60, emerging, 20, 2),  # up two levels
             "b": Cell(40, emerging, 40.0, 45, odd, -5, -2),  # down
             "c": Cell(50, emerging, 50.0, 50, emerging, 0, 0),  # unchanged
             "d": Cell(None, None, comparable=True),  # too few answers, no baseline figure
             "e": Cell(70, emerging, 70.0, comparable=False)}  # the questions changed
    row = PartnerRow(world["a"], world["fa"], True, 4, Cell(60, emerging, 60.0, 55, emerging, 5, 0), cells)
    with locale("es"):
        words = CellWords.current()
        html = str(cells_html(row, True, words))
        plain = str(cells_html(row, False, words))
        empty = str(cells_html(PartnerRow(world["c"], world["fa"], False, 0, Cell(None, None), cells), True, words))
    tds = html.split("</td>")[:-1]
    assert len(tds) == 6 and all(td.startswith('<td class="cell">') for td in tds)
    assert tds[0].endswith('<span class="up">▲ +5</span></span>')  # overall first; no level move, no words for it
    assert "&lt;b&gt;Bold &amp; new&lt;/b&gt;" in tds[1] and "<b>" not in html
    assert '<span class="up">▲ +20</span> <span class="move">sube de nivel</span>' in tds[1]
    assert '<span class="down">▼ -5</span> <span class="move">baja de nivel</span>' in tds[2]
    assert '<span class="same">= 0</span></span>' in tds[3] and "move" not in tds[3]
    assert '<span class="score">—</span> <span class="level level-none">No hay suficientes respuestas</span>' in tds[4]
    assert '<span class="muted">sin línea de base</span>' in tds[4]
    assert tds[5].endswith('<span class="change">no comparable</span>')
    assert "change" not in plain and plain.count("<td") == 6
    assert empty == '<td class="cell"><span class="muted">Sin resultado todavía</span></td>' * 6


def test_the_summary_cache_drops_the_least_recently_used_beyond_its_size():
    cache = SummaryCache(size=2)
    a, b, c = ((n, dt.datetime(2026, 1, n, tzinfo=dt.UTC)) for n in (1, 2, 3))
    cache.put_many({a: {"n": 1}, b: {"n": 2}})
    assert cache.get_many([a]) == {a: {"n": 1}}  # a is now the most recently used
    cache.put_many({c: {"n": 3}})
    assert cache.get_many([a, b, c]) == {a: {"n": 1}, c: {"n": 3}}


def test_the_answers_export_reads_the_same_few_statements_whatever_the_partners(db, catalogue, world, statements):
    """No query per partner (it was three per partner)."""
    sheets.answers_sheet(db, world["baseline"], min_group_size=5).records()
    few = len([s for s in statements if s.lstrip().upper().startswith("SELECT")])
    statements.clear()
    sheet = sheets.answers_sheet(db, world["follow"], min_group_size=5)
    assert {r["partner"] for r in sheet.records()} == {world["a"].name, world["b"].name}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) <= 6 and few <= 6
