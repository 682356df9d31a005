"""Partners from a spreadsheet (CSV or XLSX): one row per partner with its name, sector, size, language and its lead's
email. Read into rows with a message per field in the reader's language, shown before anything is saved; then all are
created in one transaction, or none (a row that has become wrong since the preview stops the whole import).

Columns are found by their header, in English or Spanish, in any order: name / nombre, sector, size / tamaño, language /
idioma, lead_email / correo (of the lead), contact_name / contacto. A sector or a size is its code or its label in
either language (e.g. "k12", "K-12 education", "Educación K-12"); a language is its code (en, es).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import i18n
from app.errors import Invalid
from app.i18n import gettext as _
from app.organizations.labels import sector_label, size_label
from app.organizations.models import SECTORS, SIZE_BANDS, Organization
from app.organizations.service import create_partner, partner_problems

MAX_ROWS = 1000
MAX_BYTES = 2_000_000
HEADERS = {
    "name": ("name", "nombre", "partner", "organización", "organizacion", "organization"),
    "sector": ("sector",),
    "size_band": ("size", "size_band", "tamaño", "tamano"),
    "preferred_language": ("language", "idioma", "preferred_language"),
    "lead_email": ("lead_email", "lead", "correo", "email", "correo de la persona responsable"),
    "contact_name": ("contact_name", "contact", "contacto"),
}


@dataclass
class Row:
    number: int  # the spreadsheet's row number (the header is row 1)
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def _key(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text or "")).strip().casefold()
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2060", "").replace("\u00a0", " ")  # "51–200" as "51-200"
    return " ".join(s.replace("_", " ").split())


def _codes(locales: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Every way a sector and a size may be written (codes, labels in each language) -> its code."""
    sectors: dict[str, str] = {}
    sizes: dict[str, str] = {}
    for lang in locales:
        with i18n.locale(lang):
            sectors.update({_key(sector_label(c)): c for c in SECTORS})
            sizes.update({_key(size_label(b)): b for b in SIZE_BANDS})
    sectors.update({_key(c): c for c in SECTORS})
    sizes.update({_key(b): b for b in SIZE_BANDS})
    return sectors, sizes


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The file's cells as text, by row (CSV in UTF-8, with or without a BOM, or the first sheet of an XLSX)."""
    if len(content) > MAX_BYTES:
        raise Invalid(_("The file is too large (at most 2 MB)."), field="file")
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same clear message
            raise Invalid(_("This file could not be read as a spreadsheet (CSV or XLSX)."), field="file") from None
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("Save the CSV file as UTF-8 and try again."), field="file") from None
    dialect = csv.Sniffer().sniff(text[:2000], delimiters=",;\t") if text.strip() else csv.excel
    return [row for row in csv.reader(io.StringIO(text), dialect)]


def parse(session: Session, table: list[list[str]], backbone: Organization, locales: list[str], default_language: str) -> list[Row]:
    """The rows, each checked as the partner form checks it, plus names repeated within the file."""
    rows = [r for r in table if any(str(c).strip() for c in r)]
    if not rows:
        raise Invalid(_("The file is empty."), field="file")
    header = [_key(c) for c in rows[0]]
    where = {name: next((i for i, h in enumerate(header) if h in {_key(x) for x in options}), None) for name, options in HEADERS.items()}
    if where["name"] is None:
        raise Invalid(_("The first row must name the columns; a column \u201cname\u201d (or \u201cnombre\u201d) is needed."), field="file")
    if len(rows) - 1 > MAX_ROWS:
        raise Invalid(_("At most %(num)s partners per file.", num=MAX_ROWS), field="file")
    sectors, sizes = _codes(locales)
    out: list[Row] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        def cell(name: str, cells: list[str] = cells) -> str:
            i = where[name]
            return str(cells[i]).strip() if i is not None and i < len(cells) else ""

        values = {"name": cell("name"), "sector": sectors.get(_key(cell("sector")), cell("sector") or "other"),
                  "size_band": sizes.get(_key(cell("size_band")), cell("size_band")),
                  "preferred_language": (cell("preferred_language") or default_language).lower(),
                  "contact_name": cell("contact_name"), "contact_email": cell("lead_email")}
        errors = partner_problems(session, values, locales, backbone.id)
        key = values["name"].casefold()
        if key and key in seen and "name" not in errors:
            errors["name"] = _("The same name is on row %(row)s.", row=seen[key])
        seen.setdefault(key, number)
        out.append(Row(number, values, errors))
    return out


def create_all(session: Session, backbone: Organization, rows: list[Row], actor_id: int) -> list[Organization]:
    """Create every row's partner (the caller checked that no row has an error, and commits once)."""
    return [create_partner(session, backbone, row.values, actor_id) for row in rows]
