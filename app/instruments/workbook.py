"""Instruments as spreadsheets (in the manner of XLSForm, the convention of KoboToolbox and ODK): a workbook with a sheet
per part and a column per language, written from an instrument and read back into one.

Sheets: ``settings`` (id, version, languages, dates, scoring rules; title, description and attribution per language),
``domains``, ``levels``, ``scales`` (one row per answer value, then its "don't know" and "not applicable" labels),
``questions`` (the readiness reflection, the rated and other items, the closing questions and the questions about the
respondent, in order, with their guidance), ``choices`` and ``resources`` (per question, in order) and ``changes`` (the
mapping from the version it supersedes). A text column is named ``text_en``, ``text_es``...; an empty cell is a value
left out.

Reading a workbook validates it as a YAML file is validated (app.instruments.loader), and names each problem by its
sheet and cell (``questions!J14: ...``). Writing then reading gives the same instrument (tests/instruments/test_workbook.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import ValidationError

from app.instruments.loader import InstrumentError, _message
from app.instruments.schema import Instrument, Item, Question, ScoringRules
from app.instruments.validation import problems

Loc = tuple[str | int, ...]
QUESTION_COLUMNS = ["section", "id", "domain", "step", "type", "focus", "scale", "weight", "required"]
QUESTION_TEXTS = ["text", "help", "why", "action1", "action2", "action3"]
SECTIONS = ("reflection", "item", "closing", "role_group", "race_ethnicity")
SPECIAL = ("dont_know", "not_applicable")
CHANGE_KINDS = ("renamed", "merged", "retired")


# -- writing -----------------------------------------------------------------------------------

def to_workbook(inst: Instrument) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    langs = list(inst.languages)
    book = Workbook()
    book.remove(book.active)

    def sheet(name: str, header: list[str], rows: Iterable[list[Any]]) -> None:
        ws = book.create_sheet(name)
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in rows:
            ws.append([_cell(v) for v in row])

    def t(text: Any) -> list[Any]:
        return [text.root.get(lang) if text is not None else None for lang in langs]

    settings: list[list[Any]] = [["id", inst.id], ["version", inst.version], ["source_language", inst.source_language],
                                 ["languages", ", ".join(langs)], ["published", inst.published.isoformat()],
                                 ["estimated_minutes", inst.estimated_minutes]]
    settings += [[f"scoring.{k}", v] for k, v in inst.scoring.model_dump().items()]
    if inst.changes is not None:
        settings.append(["supersedes", inst.changes.supersedes])
    settings += [[key, None, *t(getattr(inst, key))] for key in ("title", "description", "attribution")]
    sheet("settings", ["key", "value", *langs], settings)
    sheet("domains", ["id", "weight", *_cols("title", langs), *_cols("introduction", langs)],
          ([d.id, d.weight, *t(d.title), *t(d.introduction)] for d in inst.domains))
    sheet("levels", ["id", "min_score", *_cols("name", langs), *_cols("description", langs)],
          ([lv.id, lv.min_score, *t(lv.name), *t(lv.description)] for lv in inst.levels))
    scale_rows = []
    for s in inst.scales:
        scale_rows += [[s.id, o.value, *t(o.label)] for o in s.options]
        scale_rows += [[s.id, key, *t(getattr(s, key))] for key in SPECIAL if getattr(s, key) is not None]
    sheet("scales", ["scale", "value", *_cols("label", langs)], scale_rows)
    questions, choices, resources = [], [], []
    for section, q in _all_questions(inst):
        item = q if isinstance(q, Item) else None
        g = item.guidance if item else None
        actions = list(g.actions) if g else []
        questions.append([section, q.id, item.domain if item else None, item.step if item else None, q.type.value,
                          item.focus.value if item and item.focus else None, item.scale if item else None, item.weight if item else None,
                          (q.required if isinstance(q, Question) else None),
                          *t(q.text), *t(q.help), *t(g.why if g else None), *[x for n in range(3) for x in t(actions[n] if n < len(actions) else None)]])
        choices += [[q.id, c.id, *t(c.label)] for c in q.options or []]
        resources += [[q.id, r.url, *t(r.title)] for r in (g.resources if g else [])]
    sheet("questions", [*QUESTION_COLUMNS, *[c for name in QUESTION_TEXTS for c in _cols(name, langs)]], questions)
    sheet("choices", ["question", "id", *_cols("label", langs)], choices)
    sheet("resources", ["question", "url", *_cols("title", langs)], resources)
    changes: list[list[Any]] = []
    if inst.changes is not None:
        for kind_of in ("items", "domains"):
            ids = getattr(inst.changes, kind_of)
            changes += [[kind_of, "renamed", old, new] for old, new in ids.renamed.items()]
            changes += [[kind_of, "merged", old, new] for new, olds in ids.merged.items() for old in olds]
            changes += [[kind_of, "retired", old, None] for old in ids.retired]
    sheet("changes", ["of", "change", "old", "new"], changes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cols(name: str, langs: list[str]) -> list[str]:
    return [f"{name}_{lang}" for lang in langs]


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _all_questions(inst: Instrument) -> list[tuple[str, Question | Item]]:
    out: list[tuple[str, Question | Item]] = [("reflection", q) for q in inst.reflection]
    out += [("item", i) for i in inst.items] + [("closing", q) for q in inst.closing]
    out.append(("role_group", inst.respondent.role_group))
    if inst.respondent.race_ethnicity is not None:
        out.append(("race_ethnicity", inst.respondent.race_ethnicity))
    return out


# -- reading -----------------------------------------------------------------------------------

class _Reader:
    """The workbook's rows as dicts by header, each value remembered with its cell for the messages."""

    def __init__(self, content: bytes, label: str):
        from openpyxl import load_workbook

        self.label = label
        try:
            self.book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises several kinds for a file that is not a workbook
            raise InstrumentError([f"{label}: not an Excel workbook (.xlsx): {exc}"]) from None
        self.origin: dict[Loc, str] = {}
        self.problems: list[str] = []

    def rows(self, name: str, required: bool = True) -> list[dict[str, tuple[Any, str]]]:
        if name not in self.book.sheetnames:
            if required:
                self.problems.append(f"{self.label}: the workbook has no sheet '{name}'")
            return []
        values = list(self.book[name].iter_rows(values_only=True))
        if not values:
            return []
        header = [str(h).strip() if h is not None else "" for h in values[0]]
        out = []
        for r, row in enumerate(values[1:], start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            cells = {}
            for c, (key, value) in enumerate(zip(header, row, strict=False)):
                if key and value is not None and not (isinstance(value, str) and not value.strip()):
                    cells[key] = (value.strip() if isinstance(value, str) else value, f"{name}!{_column(c)}{r}")
            out.append(cells)
        return out

    def put(self, loc: Loc, cell: str) -> None:
        self.origin[loc] = cell

    def where(self, loc: Loc) -> str:
        for n in range(len(loc), -1, -1):
            if loc[:n] in self.origin:
                return self.origin[loc[:n]]
        return self.label


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def from_workbook(content: bytes, label: str = "workbook.xlsx", version: str | None = None) -> Instrument:
    """The instrument a workbook describes (its version replaced by ``version`` if given); InstrumentError listing every
    problem by sheet and cell."""
    reader = _Reader(content, label)
    data = _data(reader, version)
    if reader.problems:
        raise InstrumentError(reader.problems)
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError([f"{reader.where(tuple(e['loc']))}: {'.'.join(map(str, e['loc']))}: {_message(e)}"
                               for e in exc.errors()]) from None
    found = [f"{reader.where(loc)}: {message}" for loc, message in problems(instrument)]
    if found:
        raise InstrumentError(found)
    return instrument


def _data(reader: _Reader, version: str | None) -> dict[str, Any]:
    settings = {row["key"][0]: row for row in reader.rows("settings") if "key" in row}
    langs = [x.strip() for x in str(settings.get("languages", {}).get("value", ("", ""))[0]).split(",") if x.strip()]
    if not langs:
        reader.problems.append(f"{reader.label}: settings: the row 'languages' must list the languages, e.g. 'en, es'")

    def text(row: dict[str, tuple[Any, str]], name: str, loc: Loc) -> dict[str, str] | None:
        found = {}
        for lang in langs:
            key = f"{name}_{lang}" if f"{name}_{lang}" in row else lang if name == "" else None
            if key and key in row:
                found[lang] = str(row[key][0])
                reader.put((*loc, lang), row[key][1])
        if found:
            reader.put(loc, next(iter(row.values()))[1])
        return found or None

    def value(row: dict[str, tuple[Any, str]], key: str, loc: Loc) -> Any:
        if key not in row:
            return None
        reader.put(loc, row[key][1])
        return row[key][0]

    data: dict[str, Any] = {}
    for key in ("id", "version", "source_language", "published", "estimated_minutes"):
        if key in settings and "value" in settings[key]:
            data[key] = value(settings[key], "value", (key,))
    if version is not None:
        data["version"] = version
    if "version" in data:
        data["version"] = str(data["version"])
    if "published" in data and isinstance(data["published"], dt.datetime):
        data["published"] = data["published"].date().isoformat()
    data["languages"] = langs
    for key in ("title", "description", "attribution"):
        if key in settings:
            data[key] = text({k: v for k, v in settings[key].items() if k in langs}, "", (key,))
    scoring = {}
    for name in ScoringRules.model_fields:
        row = settings.get(f"scoring.{name}")
        if row and "value" in row:
            scoring[name] = value(row, "value", ("scoring", name))
    data["scoring"] = scoring
    if "supersedes" in settings and "value" in settings["supersedes"]:
        data["changes"] = {"supersedes": str(value(settings["supersedes"], "value", ("changes", "supersedes")))}

    data["domains"] = []
    for n, row in enumerate(reader.rows("domains")):
        loc: Loc = ("domains", n)
        data["domains"].append(_clean({"id": value(row, "id", (*loc, "id")), "weight": value(row, "weight", (*loc, "weight")),
                                       "title": text(row, "title", (*loc, "title")),
                                       "introduction": text(row, "introduction", (*loc, "introduction"))}))
        reader.put(loc, next(iter(row.values()))[1])
    data["levels"] = []
    for n, row in enumerate(reader.rows("levels")):
        loc = ("levels", n)
        data["levels"].append(_clean({"id": value(row, "id", (*loc, "id")), "min_score": value(row, "min_score", (*loc, "min_score")),
                                      "name": text(row, "name", (*loc, "name")), "description": text(row, "description", (*loc, "description"))}))
        reader.put(loc, next(iter(row.values()))[1])
    scales: dict[str, dict[str, Any]] = {}
    for row in reader.rows("scales"):
        sid = str(row.get("scale", ("", ""))[0])
        n = list(scales).index(sid) if sid in scales else len(scales)
        scale = scales.setdefault(sid, {"id": sid, "options": []})
        reader.put(("scales", n), row.get("scale", ("", reader.label))[1])
        kind = row.get("value", (None, ""))[0]
        if kind in SPECIAL:
            scale[kind] = text(row, "label", ("scales", n, kind))
        else:
            k = len(scale["options"])
            reader.put(("scales", n, "options", k), row.get("value", ("", reader.label))[1])
            scale["options"].append(_clean({"value": value(row, "value", ("scales", n, "options", k, "value")),
                                            "label": text(row, "label", ("scales", n, "options", k, "label"))}))
    data["scales"] = list(scales.values())

    choices: dict[str, list[dict[str, tuple[Any, str]]]] = {}
    for row in reader.rows("choices", required=False):
        choices.setdefault(str(row.get("question", ("", ""))[0]), []).append(row)
    resources: dict[str, list[dict[str, tuple[Any, str]]]] = {}
    for row in reader.rows("resources", required=False):
        resources.setdefault(str(row.get("question", ("", ""))[0]), []).append(row)
    lists: dict[str, list[Any]] = {"reflection": [], "item": [], "closing": []}
    respondent: dict[str, Any] = {}
    for row in reader.rows("questions"):
        section = str(row.get("section", ("", ""))[0])
        if section not in SECTIONS:
            cell = row.get("section", ("", reader.label))[1]
            reader.problems.append(f"{cell}: section must be one of {', '.join(SECTIONS)}")
            continue
        loc = ({"item": "items"}.get(section, section), len(lists[section])) if section in lists else ("respondent", section)
        reader.put(loc, row.get("id", next(iter(row.values())))[1])
        q: dict[str, Any] = {"id": value(row, "id", (*loc, "id")), "type": value(row, "type", (*loc, "type")),
                             "text": text(row, "text", (*loc, "text")), "help": text(row, "help", (*loc, "help"))}
        if section == "item":
            q.update({"domain": value(row, "domain", (*loc, "domain")), "step": value(row, "step", (*loc, "step")),
                      "focus": value(row, "focus", (*loc, "focus")), "scale": value(row, "scale", (*loc, "scale")),
                      "weight": value(row, "weight", (*loc, "weight"))})
            why = text(row, "why", (*loc, "guidance", "why"))
            actions = [a for n in range(1, 4) if (a := text(row, f"action{n}", (*loc, "guidance", "actions", n - 1)))]
            listed = resources.get(str(q["id"]), [])
            if why or actions or listed:
                q["guidance"] = _clean({"why": why, "actions": actions, "resources": [
                    _clean({"url": value(r, "url", (*loc, "guidance", "resources", k, "url")),
                            "title": text(r, "title", (*loc, "guidance", "resources", k, "title"))}) for k, r in enumerate(listed)]})
        else:
            required = value(row, "required", (*loc, "required"))
            if required is not None:
                q["required"] = _boolean(required)
        listed = choices.get(str(q["id"]), [])
        if listed:
            q["options"] = [_clean({"id": value(c, "id", (*loc, "options", k, "id")), "label": text(c, "label", (*loc, "options", k, "label"))})
                            for k, c in enumerate(listed)]
        q = _clean(q)
        if section in lists:
            lists[section].append(q)
        else:
            respondent[section] = q
    data.update({"reflection": lists["reflection"], "items": lists["item"], "closing": lists["closing"], "respondent": respondent})

    for row in reader.rows("changes", required=False):
        of, kind = str(row.get("of", ("", ""))[0]), str(row.get("change", ("", ""))[0])
        cell = next(iter(row.values()))[1]
        if of not in ("items", "domains") or kind not in CHANGE_KINDS or "changes" not in data:
            reader.problems.append(f"{cell}: a change names 'items' or 'domains', one of {', '.join(CHANGE_KINDS)}, and the version "
                                   "superseded is in settings (supersedes)")
            continue
        ids = data["changes"].setdefault(of, {"renamed": {}, "merged": {}, "retired": []})
        old, new = row.get("old", (None, ""))[0], row.get("new", (None, ""))[0]
        reader.put(("changes", of, kind), cell)
        if kind == "renamed":
            ids["renamed"][str(old)] = str(new)
        elif kind == "merged":
            ids["merged"].setdefault(str(new), []).append(str(old))
        else:
            ids["retired"].append(str(old))
    return data


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != []}


def _boolean(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "1", "false", "no", "0"):
        return value.strip().lower() in ("true", "yes", "1")
    return value


def to_yaml(instrument: Instrument) -> str:
    """The instrument as a YAML file (as surveys/ holds them)."""
    data = instrument.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
