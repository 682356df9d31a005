"""Reports in any language: the pseudo-locale finds untranslated strings and text past the margins; Vietnamese,
Russian, Chinese and Arabic render with embedded fonts and read back as they were written; paper follows the region."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import i18n
from app.reports import service
from tests.conftest import ARTIFACTS
from tests.languages import PSEUDO, pseudo_world, untranslated
from tests.reports.test_reports import poppler

MARGIN_MM = 18  # the reports' left and right page margins (reports/_base.html)


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory):
    return pseudo_world(tmp_path_factory.mktemp("pseudo"))


@pytest.fixture
def offering(settings):
    """Settings that offer more languages, with app.i18n told so for the test (and put back after it)."""
    saved = i18n.configuration()

    def offer(**changes):
        changed = settings.model_copy(update=changes)
        i18n.configure(changed.locales_dir, changed.locales, changed.default_locale)
        return changed

    yield offer
    i18n.configure(*saved)


def world_names(world) -> list[str]:
    return [world[k].name for k in ("a", "b", "c", "baseline", "follow")] + ["Dashboard Backbone"]


def words_past_the_margins(pdf: bytes, tmp_path: Path) -> list[str]:
    html = poppler("pdftotext", pdf, tmp_path, "-bbox")
    out = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        width = float(page.group(1))
        margin = MARGIN_MM / 25.4 * 72
        for word in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page.group(3)):
            if float(word.group(1)) < margin - 1 or float(word.group(2)) > width - margin + 1:
                out.append(word.group(3))
    return out


def test_the_partner_report_in_the_pseudo_locale_is_translated_throughout_and_stays_within_its_margins(
        db, settings, world, pseudo, offering, tmp_path):
    extra, catalogue = pseudo
    offered = offering(**extra)
    pdf = service.partner_report(db, catalogue, offered, world["fa"], PSEUDO).content
    (ARTIFACTS / "reports").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "reports" / "partner-en-XA.pdf").write_bytes(pdf)
    text = poppler("pdftotext", pdf, tmp_path)
    assert "[" in text and "Ŕàçîàĺ" in text  # the pseudo-locale's strings and the instrument's pseudo texts
    left = untranslated(text, world_names(world))
    assert not left, f"strings not translated in the report: {sorted(set(left))[:40]}"
    assert not words_past_the_margins(pdf, tmp_path)
    assert "A4" in poppler("pdfinfo", pdf, tmp_path)  # a pseudo region (XA) prints on A4


def test_the_partnership_summary_in_the_pseudo_locale_is_translated_throughout(db, settings, world, pseudo, offering, tmp_path):
    extra, catalogue = pseudo
    pdf = service.cycle_summary(db, catalogue, offering(**extra), world["follow"], PSEUDO).content
    (ARTIFACTS / "reports" / "summary-en-XA.pdf").write_bytes(pdf)
    text = poppler("pdftotext", pdf, tmp_path)
    left = untranslated(text, world_names(world))
    assert not left, f"strings not translated in the summary: {sorted(set(left))[:40]}"
    assert not words_past_the_margins(pdf, tmp_path)


def test_the_checks_find_an_untranslated_word_and_a_word_past_the_margin(tmp_path):
    from app.reports.renderer import write_pdf

    assert untranslated("[Ŝàvé] Save [ţĥé %s [ĩ]] 12 % December 3, 2026 Alder", ["Alder"]) == ["Save"]
    page = "<style>@page { size: A4; margin: 20mm 18mm }</style><p>{}</p>"
    inside = write_pdf(page.replace("{}", "Short words stay inside."), str(tmp_path))
    outside = write_pdf(page.replace("{}", "An unbreakable " + "x" * 120), str(tmp_path))
    assert words_past_the_margins(inside, tmp_path) == []
    assert [w[:10] for w in words_past_the_margins(outside, tmp_path)] == ["x" * 10]  # (read as far as the page goes)


@pytest.mark.parametrize(("code", "paper"), [("en", "letter"), ("en-US", "letter"), ("es-US", "letter"), ("en-CA", "letter"),
                                             ("es", "a4"), ("es-MX", "letter"), ("vi", "a4"), ("ar", "a4"), ("zh_Hant", "a4"),
                                             ("en-GB", "a4"), (PSEUDO, "a4")])
def test_paper_follows_the_languages_region(code, paper):
    assert service.default_paper(code) == paper


def test_numbers_dates_and_percentages_follow_the_language(offering):
    import datetime as dt

    with i18n.locale("es"):
        assert i18n.format_percent(0.72) == "72\xa0%" and i18n.format_number(1234.5, 1) == "1.234,5"
    with i18n.locale("en"):
        assert i18n.format_percent(0.72) == "72%" and i18n.format_date(dt.date(2026, 12, 1)) == "December 1, 2026"

# A test-only translation: a few strings of the catalog and of the instrument in each script (the rest falls back).
SAMPLES = {
    "vi": {"Executive summary": "Tóm tắt tổng quan", "Method and confidentiality": "Phương pháp và bảo mật",
           "Organizational commitment, leadership and governance": "Cam kết, lãnh đạo và quản trị của tổ chức"},
    "ru": {"Executive summary": "Краткое изложение", "Method and confidentiality": "Метод и конфиденциальность",
           "Organizational commitment, leadership and governance": "Приверженность организации, руководство и управление"},
    "zh": {"Executive summary": "执行摘要", "Method and confidentiality": "方法与保密",
           "Organizational commitment, leadership and governance": "组织承诺、领导与治理"},
    "ar": {"Executive summary": "الملخص التنفيذي", "Method and confidentiality": "المنهجية والسرية",
           "Organizational commitment, leadership and governance": "الالتزام المؤسسي والقيادة والحوكمة"},
}


@pytest.fixture(scope="module")
def scripts_world(tmp_path_factory):
    """locales/ and surveys/ copies with a sample translation into vi, ru, zh and ar."""
    from babel.messages.pofile import read_po, write_po

    from app import catalogs
    from app.config import ROOT
    from app.instruments.loader import load_catalogue

    folder = tmp_path_factory.mktemp("scripts")
    locales, surveys = folder / "locales", folder / "surveys"
    catalogs.write_pseudo(PSEUDO, locales, ROOT / "locales")  # a copy of locales/ (the pseudo-locale beside it is unused)
    for lang, sample in SAMPLES.items():
        import io

        catalog = read_po(io.BytesIO(catalogs.export_catalog(lang, locales)))
        for message in catalog:
            if message.id in sample:
                message.string = sample[message.id]
        path = i18n.catalog_path(lang, locales)
        path.parent.mkdir(parents=True)
        with path.open("wb") as fh:
            write_po(fh, catalog)
    for source in sorted((ROOT / "surveys").glob("*/*.yaml")):
        text = source.read_text(encoding="utf-8")
        for lang, sample in SAMPLES.items():
            text = catalogs.translate_instrument(text, lang, lambda s, sample=sample: sample.get(s, s), str(source))
        target = surveys / source.relative_to(ROOT / "surveys")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for source in sorted((ROOT / "surveys").glob("*/corrections/*.yaml")):  # the published versions' spelling corrections
        target = surveys / source.relative_to(ROOT / "surveys")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return {"locales": ["en", "es", *SAMPLES], "locales_dir": locales, "surveys_dir": surveys}, load_catalogue(surveys)


def readable(text: str) -> str:
    """Text as pdftotext gives it, compared without spaces or line breaks and with Arabic's presentation forms (the
    shaped glyphs' code points) folded to its letters. The lam-alef ligature (ﻻ) reads back as alef-lam (its glyph's
    two letters in visual order): both spellings are folded to one."""
    import unicodedata

    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("\u0644\u0627", "\u0627\u0644")


@pytest.mark.parametrize("lang", list(SAMPLES))
def test_reports_in_other_scripts_embed_their_fonts_and_read_back_as_written(db, world, scripts_world, offering, tmp_path, lang):
    extra, catalogue = scripts_world
    offered = offering(**extra)
    pdf = service.partner_report(db, catalogue, offered, world["fa"], lang).content
    (ARTIFACTS / "reports").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "reports" / f"partner-{lang}.pdf").write_bytes(pdf)
    text = readable(poppler("pdftotext", pdf, tmp_path))
    for written in SAMPLES[lang].values():
        assert readable(written) in text, written
    fonts = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every glyph from an embedded font
    if lang == "zh":
        assert any("CJK" in line for line in fonts), fonts
    if lang == "ar":
        assert any("Arabic" in line for line in fonts), fonts
        assert i18n.text_direction(lang) == "rtl"
    assert "A4" in poppler("pdfinfo", pdf, tmp_path)
    # The page number sits on the side where lines end (the left in Arabic), the partnership's name where they start.
    number, name = footer_sides(pdf, tmp_path, page=2, partnership=service.backbone_name(db, world["follow"]))
    assert (number, name) == (("left", "right") if lang == "ar" else ("right", "left"))


def footer_sides(pdf: bytes, tmp_path: Path, page: int, partnership: str) -> tuple[str, str]:
    """On which half of the page ("left" or "right") the footer's page number and the partnership's name are."""
    html = poppler("pdftotext", pdf, tmp_path, "-bbox", "-f", str(page), "-l", str(page))
    width, height = (float(v) for v in re.search(r'<page width="([\d.]+)" height="([\d.]+)">', html).groups())
    footer = [(float(x0), float(x1), w) for x0, y0, x1, w in
              re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)
              if float(y0) > height - 20 / 25.4 * 72]
    side = {True: "left", False: "right"}
    number = next(side[(x0 + x1) / 2 < width / 2] for x0, x1, w in footer if w == str(page))
    first_word = partnership.split()[0]
    name = next(side[(x0 + x1) / 2 < width / 2] for x0, x1, w in footer if w == first_word)
    return number, name
