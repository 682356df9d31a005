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
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from typing import IO, Any

from app.exports.sheets import Sheet, Values
from app.text import clean_text

FORMATS = ("csv", "xlsx", "json")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv; charset=utf-8"
MEDIA_TYPES = {"csv": CSV, "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "json": "application/json"}


def safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe, and loses the control characters
    a spreadsheet cannot hold (older rows may have them); a list (codes: several categories, choices) is one cell, its
    items joined with "; "; other values pass."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
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


def csv_chunks(sheet: Sheet, values: Values = "labels", headers: Values = "labels", rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read accents right; written a few hundred rows at a
    time (a large export streams)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([safe(h) for h in sheet.header_row(headers)])
    for n, row in enumerate(sheet.value_rows(values), start=1):
        writer.writerow(["" if v is None else safe(v) for v in row])
        if n % rows_per_chunk == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def to_csv(sheet: Sheet, values: Values = "labels", headers: Values = "labels") -> bytes:
    return b"".join(csv_chunks(sheet, values, headers))


def write_xlsx(sheets: Iterable[Sheet], target: IO[bytes], values: Values = "labels", headers: Values = "labels") -> None:
    """The sheets as a workbook written to ``target``: openpyxl's write-only mode keeps the rows on disk, not in memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(title=sheet.title[:31])
        ws.freeze_panes = "A2"
        header = []
        for h in sheet.header_row(headers):
            cell = WriteOnlyCell(ws, value=safe(h))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        for row in sheet.value_rows(values):
            ws.append([safe(v) for v in row])
        if sheet.notes:  # what was left out, on a sheet of its own (the data sheet stays rows of data)
            notes = book.create_sheet(title=sheet.notes_title[:31])
            for note in sheet.notes:
                notes.append([safe(note)])
    book.save(target)


def to_xlsx(sheets: Iterable[Sheet], values: Values = "labels", headers: Values = "labels") -> bytes:
    out = io.BytesIO()
    write_xlsx(sheets, out, values, headers)
    return out.getvalue()


def xlsx_chunks(sheet: Sheet, values: Values = "labels", headers: Values = "labels") -> Iterator[bytes]:
    """The workbook built in a temporary file, then read out in pieces."""
    with tempfile.TemporaryFile() as f:
        write_xlsx([sheet], f, values, headers)
        f.seek(0)
        while piece := f.read(1 << 16):
            yield piece


def json_chunks(sheet: Sheet, head: dict[str, Any], values: Values = "codes", rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The sheet's rows as records under their column ids (the API's field names), after ``head`` (what the export is)
    and the headers; the notes after the rows."""
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, default=str)

    opening = dumps({**head, "columns": dict(zip(sheet.keys, sheet.headers, strict=True))})
    parts = [opening[:-1] + ', "rows": [']
    for n, record in enumerate(sheet.iter_records(values)):
        parts.append(("," if n else "") + dumps(record))
        if len(parts) >= rows_per_chunk:
            yield "".join(parts).encode()
            parts = []
    parts.append('], "notes": ' + dumps(sheet.notes) + "}")
    yield "".join(parts).encode()


def to_json(sheet: Sheet, head: dict[str, Any], values: Values = "codes") -> bytes:
    return b"".join(json_chunks(sheet, head, values))


def chunks(sheet: Sheet, fmt: str, head: dict[str, Any], values: Values | None = None, headers: Values = "labels") -> Iterator[bytes]:
    """The export in ``fmt``, in pieces; values as labels in CSV and XLSX and as codes in JSON unless asked otherwise."""
    if fmt == "csv":
        return csv_chunks(sheet, values or "labels", headers)
    if fmt == "xlsx":
        return xlsx_chunks(sheet, values or "labels", headers)
    return json_chunks(sheet, head, values or "codes")


def encode(sheet: Sheet, fmt: str, head: dict[str, Any], values: Values | None = None, headers: Values = "labels") -> bytes:
    return b"".join(chunks(sheet, fmt, head, values, headers))


def file_stem(name: str, fallback: str) -> str:
    """A download's file name part: ASCII letters and digits joined by hyphens ("Educación 2026" -> "educacion-2026")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60] or fallback


