"""The PDF reports, read back as a person's tools read them: pdftotext, pdffonts, pdfinfo, pdftoppm."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.assessments import service as assessments
from app.i18n import format_date, locale
from app.instruments.loader import Correction
from app.reports import service
from app.reports.models import ReportCacheEntry
from tests import factories as f
from tests.conftest import ARTIFACTS


def poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: scripts/test installs poppler-utils")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], check=True, capture_output=True,
                          text=True).stdout


def pdf_objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (the catalog may sit in a compressed object stream)."""
    import zlib

    out = [pdf]
    for m in re.finditer(rb"stream\r?\n", pdf):
        try:
            out.append(zlib.decompressobj().decompress(pdf[m.end():m.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"\n".join(out)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_spanish_report_reads_in_spanish_with_the_results_numbers(db, catalogue, settings, world, tmp_path):
    pdf = service.partner_report(db, catalogue, settings, world["fa"], "es")
    assert not pdf.cached and pdf.content.startswith(b"%PDF")
    text = flat(poppler("pdftotext", pdf.content, tmp_path, "-layout"))
    instrument = world["instrument"]
    assert "Alder School District" in text and "Follow-up" in text
    for domain in instrument.domains:
        assert flat(domain.title.get("es")) in text, domain.id
    assert "Referente" in text and "Consolidado" in text  # the levels Alder reached, in Spanish
    assert "100" in text and "67" in text and "▲ +33" in text  # leadership 100 (+33 since the baseline), the rest 67
    with locale("es"):
        assert format_date(world["fa"].submitted_at) in text  # e.g. "23 de noviembre de 2026"
    assert re.search(r"Página 1 de \d+", text) and "Hoja de planificación de acciones" in text and "Responsable" in text
    for english in ("How to read", "Growth opportunities", "Page ", "Summary", "Domain", "Score", "Policy", "worksheet", "Not enough"):
        assert english not in text, english
    info = poppler("pdfinfo", pdf.content, tmp_path)
    assert "Tagged:          yes" in info and "A4" in info
    assert "Informe de oportunidades de crecimiento: Alder School District" in info  # the document title
    assert re.search(rb"/Lang ?\(es\)", pdf_objects(pdf.content))  # the document language, in the catalog
    fonts = poppler("pdffonts", pdf.content, tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded


def test_english_report_on_letter_paper_and_the_cache(db, catalogue, settings, world, tmp_path):
    first = service.partner_report(db, catalogue, settings, world["fb"], "en")
    info = poppler("pdfinfo", first.content, tmp_path)
    assert "letter" in info.lower() and "Tagged:          yes" in info
    text = flat(poppler("pdftotext", first.content, tmp_path))
    assert "Executive summary" in text and "Method and confidentiality" in text and re.search(r"Page 2 of \d+", text) and "Developing" in text
    again = service.partner_report(db, catalogue, settings, world["fb"], "en")
    assert again.cached and again.content == first.content
    a4 = service.partner_report(db, catalogue, settings, world["fb"], "en", "a4")
    assert not a4.cached and "A4" in poppler("pdfinfo", a4.content, tmp_path)
    assessments.recompute_results(db, catalogue, settings.min_group_size, cycle_id=world["follow"].id)  # a new result row
    assert not service.partner_report(db, catalogue, settings, world["fb"], "en").cached
    kept = db.scalars(select(ReportCacheEntry.subject_id).where(ReportCacheEntry.subject_id.startswith(f"a{world['fb'].id}-"))).all()
    assert len(kept) == 1  # the renderings of the superseded result are gone, not kept forever
    world["b"].name = "Birch Youth Alliance (renamed)"
    db.flush()
    renamed = service.partner_report(db, catalogue, settings, world["fb"], "en")
    assert not renamed.cached and "Birch Youth Alliance (renamed)" in flat(poppler("pdftotext", renamed.content, tmp_path))


def test_a_cached_report_reads_neither_the_results_data_nor_the_teams_answers(db, catalogue, settings, world, statements):
    """A download from the cache checks that nothing the report shows has changed; the results' stored data and the
    team's answers are read only when the report is rendered."""
    service.partner_report(db, catalogue, settings, world["fb"], "en")
    statements.clear()
    assert service.partner_report(db, catalogue, settings, world["fb"], "en").cached
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert any("report_cache" in s for s in selects)
    assert not any("FROM answers" in s or "results.data" in s for s in selects), selects


def test_a_report_is_made_again_when_its_instruments_spelling_is_corrected(db, catalogue, settings, world, tmp_path, monkeypatch):
    first = service.partner_report(db, catalogue, settings, world["fb"], "en")
    text = flat(poppler("pdftotext", first.content, tmp_path))
    assert "Fully in place and practiced" in text and "practised" not in text  # the key of the questions' answers, corrected
    cycle = world["follow"]
    service.cycle_summary(db, catalogue, settings, cycle, "en")
    assert service.partner_report(db, catalogue, settings, world["fb"], "en").cached
    assert service.cycle_summary(db, catalogue, settings, cycle, "en").cached
    key = (cycle.instrument_id, cycle.instrument_version)
    entry = catalogue.entries[key]
    monkeypatch.setitem(catalogue.entries, key, dataclasses.replace(
        entry, corrections=(*entry.corrections, Correction("levels.developing.name.en", "Developing", "Developing!"))))
    assert not service.partner_report(db, catalogue, settings, world["fb"], "en").cached
    assert not service.cycle_summary(db, catalogue, settings, cycle, "en").cached
    assert service.cycle_summary(db, catalogue, settings, cycle, "en").cached


def test_partnership_summary(db, catalogue, settings, world, tmp_path):
    pdf = service.cycle_summary(db, catalogue, settings, world["follow"], "es")
    text = flat(poppler("pdftotext", pdf.content, tmp_path))
    assert "Resumen de la alianza: Follow-up" in text and re.search(r"Cedar \S* ?(Sin resultado )*Employers", text) and "Sin resultado todavía" in text
    assert "La distribución de la alianza por área" in text and "Las oportunidades de crecimiento más frecuentes" in text
    assert "▼−34" in text  # Birch fell in data (a minus sign, not a hyphen)
    assert "Consolidado: 50–74" in text and "Referente: 75–100" in text  # the legend gives each level's scores
    assert service.cycle_summary(db, catalogue, settings, world["follow"], "es").cached


def test_the_summarys_shared_growth_opportunities_are_the_most_frequent_then_in_the_instruments_order(db, catalogue, world):
    """The same results give the same summary: equal counts are ordered as the instrument asks the items, not as a set
    happened to iterate in this process."""
    instrument = world["instrument"]
    counts: dict[str, int] = {}
    for result in (assessments.current_result(db, a.id) for a in (world["fa"], world["fb"])):
        for o in result.data["growth_opportunities"]:
            counts[o["item_id"]] = counts.get(o["item_id"], 0) + 1
    order = [i.id for i in instrument.items]
    expected = sorted(counts, key=lambda item_id: (-counts[item_id], order.index(item_id)))[:10]
    assert len(set(counts.values())) < len(counts)  # there are ties to order
    top = service.summary_context(db, catalogue, world["follow"], "en")["top"]
    assert [t["text"] for t in top] == [instrument.item(i).text.get("en") for i in expected]
    assert [t["n"] for t in top] == [counts[i] for i in expected]


def test_the_report_cache_version_covers_every_template_a_report_uses():
    """A cached PDF is made again when something that shapes it changes: every template a report template extends,
    includes or imports counts (the shared macros once did not)."""
    from app.web.templating import TEMPLATE_DIRS

    covered = {p.resolve() for p in service.version_files()}
    used = set()
    for template in (service.HERE / "templates").rglob("*.html"):
        used |= set(re.findall(r'\{%-? *(?:from|include|extends|import) +"([^"]+)"', template.read_text()))
    assert used
    for name in used:
        path = next(d / name for d in TEMPLATE_DIRS if (d / name).is_file())
        assert path.resolve() in covered, name


def test_downloads_over_http_respect_permissions(client, db, world):
    fa, fb = world["fa"].id, world["fb"].id
    f.sign_in(client, db, world["lead_a"])
    r = client.get(f"/assessments/{fa}/report.pdf?lang=es&paper=letter")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert client.get(f"/assessments/{fb}/report.pdf").status_code == 404  # another partner's, guessed
    assert client.get(f"/backbone/cycles/{world['follow'].id}/summary.pdf").status_code == 404
    analyst = f.api_token(db, world["analyst"])
    api = client.get(f"/api/v1/assessments/{fb}/report.pdf?lang=en", headers=analyst)
    assert api.status_code == 200 and api.headers["x-report-cache"] == "miss"
    assert client.get(f"/api/v1/assessments/{fb}/report.pdf?lang=en", headers=analyst).headers["x-report-cache"] == "hit"
    summary = client.get(f"/api/v1/cycles/{world['follow'].id}/summary.pdf?lang=en", headers=analyst)
    assert summary.status_code == 200 and summary.content.startswith(b"%PDF")
    assert client.get(f"/api/v1/assessments/{fa}/report.pdf?lang=xx", headers=analyst).status_code == 422


def test_demo_report_pages_in_both_languages_for_a_person_to_look_at(db, catalogue, settings, tmp_path):
    from sqlalchemy import select

    from app.assessments.models import Assessment, Cycle
    from app.demo import load_demo

    load_demo(db, catalogue, settings.min_group_size)
    follow = db.scalar(select(Cycle).where(Cycle.baseline_id.is_not(None)))
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.submitted_at.is_not(None)).order_by(Assessment.id))
    folder = ARTIFACTS / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "es"):
        pdf = service.partner_report(db, catalogue, settings, assessment, lang)
        (folder / f"demo-report-{lang}.pdf").write_bytes(pdf.content)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(folder / f"demo-report-{lang}.pdf"), str(folder / f"demo-report-{lang}")], check=True)
        text = flat(poppler("pdftotext", pdf.content, tmp_path))
        assert assessment.organization.name in text
    assert len(list(folder.glob("demo-report-es-*.png"))) >= 10


def test_a_report_waiting_for_its_renderer_leaves_the_page_threads_free(app, db, world, monkeypatch):
    """A web process serves pages with a few threads (the THREADS setting); a report waits seconds for its renderer
    process in a thread of the reports' own, so that respondents' pages are served meanwhile."""
    import threading

    import anyio.to_thread
    from fastapi.testclient import TestClient

    from app.reports import renderer

    rendering, finish = threading.Event(), threading.Event()

    def slow_render(html: str, base_url: str, processes: int) -> bytes:
        rendering.set()
        finish.wait(30)
        return b"%PDF-1.7 (a test's rendering)"

    monkeypatch.setattr(renderer, "render", slow_render)
    app.state.settings = app.state.settings.model_copy(update={"threads": 1})
    done: dict[str, object] = {}
    with TestClient(app, base_url="http://testserver") as client:
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 1
        f.sign_in(client, db, world["admin"])
        report = threading.Thread(target=lambda: done.update(report=client.get(f"/assessments/{world['fa'].id}/report.pdf")))
        report.start()
        assert rendering.wait(10)
        page = threading.Thread(target=lambda: done.update(page=client.get("/backbone")))
        page.start()
        page.join(10)
        served_while_rendering = not page.is_alive()
        finish.set()
        report.join(30)
        page.join(30)
    assert served_while_rendering, "the page waited for the report's rendering"
    assert done["page"].status_code == 200 and done["report"].status_code == 200
    assert done["report"].content.startswith(b"%PDF-1.7 (a test")
