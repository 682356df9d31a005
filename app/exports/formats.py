"""Writing a sheet as CSV, XLSX or JSON.

Numbers stay numbers in XLSX; every text cell that a spreadsheet would read as a formula (=, +, -, @, tab, carriage
return first, also behind invisible characters or full-width signs) is neutralised with a leading apostrophe, in
every format a spreadsheet opens.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from app.exports.sheets import Sheet
from app.text import clean_text

FORMATS = ("csv", "xlsx", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv; charset=utf-8"
MEDIA_TYPES = {"csv": CSV, "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json"}


def safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe, and loses the control characters
    a spreadsheet cannot hold (older rows may have them); other values pass."""
    if isinstance(value, str):
        value = clean_text(value)
        if value.startswith(FORMULA_START) or _formula_after_invisibles(value):
            return "'" + value
    return value


def _formula_after_invisibles(value: str) -> bool:
    """A formula a spreadsheet still finds: after leading spaces and invisible format characters (zero-width space,
    byte-order mark: Unicode category Cf), or behind a full-width sign (＝ ＋ － ＠, which NFKC makes = + - @)."""
    for ch in value:
        if ch.isspace() or unicodedata.category(ch) == "Cf":
            continue
        return unicodedata.normalize("NFKC", ch).startswith(FORMULA_START)
    return False


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read accents right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow(["" if v is None else safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheets: Iterable[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.freeze_panes = "A2"
        header = []
        for h in sheet.headers:
            cell = WriteOnlyCell(ws, value=safe(h))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(sheet: Sheet, head: dict[str, Any]) -> bytes:
    """The sheet's rows as records under their column ids, after ``head`` (what the export is), the headers beside."""
    return json.dumps({**head, "columns": dict(zip(sheet.keys, sheet.headers, strict=True)), "rows": sheet.records()},
                      ensure_ascii=False, default=str).encode()


def encode(sheet: Sheet, fmt: str, head: dict[str, Any]) -> bytes:
    if fmt == "csv":
        return to_csv(sheet)
    if fmt == "xlsx":
        return to_xlsx([sheet])
    return to_json(sheet, head)


def file_stem(name: str, fallback: str) -> str:
    """A download's file name part: ASCII letters and digits joined by hyphens ("Educación 2026" -> "educacion-2026")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60] or fallback


