"""Instruments authored in a spreadsheet (issue 25): YAML -> XLSX -> YAML gives the same instrument; a workbook's
problems are named by sheet and cell; `import-xlsx` publishes a new version that loads; backbone staff download it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.instruments.loader import InstrumentError, load_catalogue, load_text
from app.instruments.workbook import from_workbook, to_workbook, to_yaml
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def shipped():
    return load_catalogue(ROOT / "surveys")


def test_every_shipped_version_survives_the_round_trip_unchanged(shipped):
    for inst in shipped.all():
        back = from_workbook(to_workbook(inst), f"{inst.version}.xlsx")
        assert back.model_dump() == inst.model_dump(), inst.version
        assert load_text(to_yaml(back), "again.yaml").model_dump() == inst.model_dump()


def _edited(inst, sheet: str, find: str, column: str, value) -> bytes:
    book = load_workbook(io.BytesIO(to_workbook(inst)))
    ws = book[sheet]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if find in [c.value for c in row]:
            row[header.index(column)].value = value
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()
    raise AssertionError(find)


def test_a_workbooks_problems_name_the_sheet_and_the_cell(shipped):
    inst = shipped.get("equity-self-assessment", "1.0")
    rated = next(i for i in inst.items if i.is_rated)
    with pytest.raises(InstrumentError) as bad_scale:
        from_workbook(_edited(inst, "questions", rated.id, "scale", "no-such-scale"), "next.xlsx")
    assert any(p.startswith("questions!G") and "no-such-scale" in p for p in bad_scale.value.problems), bad_scale.value.problems
    with pytest.raises(InstrumentError) as bad_step:
        from_workbook(_edited(inst, "questions", rated.id, "step", 9), "next.xlsx")
    assert any(p.startswith("questions!D") for p in bad_step.value.problems), bad_step.value.problems
    with pytest.raises(InstrumentError) as not_a_book:
        from_workbook(b"not a workbook", "notes.txt")
    assert "not an Excel workbook" in str(not_a_book.value)


def test_import_xlsx_publishes_a_new_version_that_loads(tmp_path, shipped):
    surveys = tmp_path / "surveys"
    (surveys / "equity-self-assessment").mkdir(parents=True)
    source = ROOT / "surveys" / "equity-self-assessment" / "1.0.yaml"
    (surveys / "equity-self-assessment" / "1.0.yaml").write_bytes(source.read_bytes())
    book = tmp_path / "next.xlsx"
    run = [sys.executable, "-m", "app.cli", "instruments"]
    subprocess.run([*run, "export-xlsx", "equity-self-assessment", "1.0", "-o", str(book), "--surveys-dir", str(surveys)], check=True, cwd=ROOT)
    edited = _edited(shipped.get("equity-self-assessment", "1.0"), "settings", "estimated_minutes", "value", 40)
    book.write_bytes(edited)
    done = subprocess.run([*run, "import-xlsx", str(book), "--version", "1.2", "--surveys-dir", str(surveys)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    new = load_catalogue(surveys).get("equity-self-assessment", "1.2")
    assert new.estimated_minutes == 40 and new.version == "1.2"
    again = subprocess.run([*run, "import-xlsx", str(book), "--version", "1.2", "--surveys-dir", str(surveys)], cwd=ROOT,
                           capture_output=True, text=True)
    assert again.returncode != 0 and "never changes" in again.stderr


def test_backbone_staff_download_the_workbook_and_nobody_else(client, db, world):
    f.sign_in(client, db, world["analyst"])
    page = client.get("/instruments/equity-self-assessment/1.0?lang=en").text
    assert "/instruments/equity-self-assessment/1.0/workbook.xlsx" in page
    r = client.get("/instruments/equity-self-assessment/1.0/workbook.xlsx")
    assert r.status_code == 200 and load_workbook(io.BytesIO(r.content)).sheetnames[:2] == ["settings", "domains"]
    f.sign_in(client, db, world["lead_a"])
    assert client.get("/instruments/equity-self-assessment/1.0/workbook.xlsx").status_code == 404
    assert "workbook.xlsx" not in client.get("/instruments/equity-self-assessment/1.0?lang=en").text
