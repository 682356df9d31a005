"""Exports an analyst uses as they are (issue 24): the comparison page's filters, codes or labels, long or wide answers,
only submitted assessments, a data dictionary that agrees with every export; read with the standard library alone."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter

from openpyxl import load_workbook
from sqlalchemy import select

from app.assessments import service
from app.assessments.models import Answer, Assessment
from app.assessments.service import AnswerInput
from app.organizations.models import Role
from tests import factories as f


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def dictionary(client, cycle: int) -> dict[str, dict[str, dict[str, str]]]:
    """variable -> language -> code -> label, from the dictionary's CSV ("code, label | code, label")."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows_of(client.get(f"/backbone/cycles/{cycle}/export/dictionary.csv?headers=codes")):
        for lang in ("en", "es"):
            pairs = [p.split(", ", 1) for p in row[f"values_{lang}"].split(" | ")] if row[f"values_{lang}"] else []
            out.setdefault(row["variable"], {})[lang] = {code: label for code, label in pairs}
    return out


def test_the_compare_page_downloads_what_it_shows(client, db, world):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    page = client.get(f"/backbone/cycles/{cycle}/compare?sector=k12&lang=en").text
    link = re.search(r'href="(/backbone/cycles/\d+/export/results\.xlsx[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "sector=k12" in link and "the 1 partner shown" in page
    shown = rows_of(client.get(link.replace(".xlsx", ".csv") + "&headers=codes"))
    assert {r["partner"] for r in shown} == {"Alder School District"} and len(shown) == 10  # overall and nine domains
    everyone = rows_of(client.get(f"/backbone/cycles/{cycle}/export/results.csv?headers=codes"))
    assert {r["partner"] for r in everyone} == {"Alder School District", "Birch Youth Alliance", "Cedar Employers"}
    small = rows_of(client.get(f"/backbone/cycles/{cycle}/export/answers.csv?headers=codes&size=1-10"))
    assert small and {r["partner"] for r in small} == {"Birch Youth Alliance"}


def test_codes_or_labels_and_headers_as_codes_or_labels_agree_with_the_dictionary(client, db, world):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    words = dictionary(client, cycle)
    labels = rows_of(client.get(f"/backbone/cycles/{cycle}/export/results.csv?lang=es"))
    codes = rows_of(client.get(f"/backbone/cycles/{cycle}/export/results.csv?values=codes&headers=codes&lang=es"))
    assert "Sector" in labels[0] and "Nivel de preparación" in labels[0] and "sector" in codes[0] and "level" in codes[0]
    assert len(labels) == len(codes) == 30
    for named, coded in zip(labels, codes, strict=True):  # the same rows in the same order: only the words differ
        assert words["sector"]["es"][coded["sector"]] == named["Sector"]
        assert words["size_band"]["es"][coded["size_band"]] == named["Tamaño"]
        assert (words["level"]["es"][coded["level"]] if coded["level"] else "") == named["Nivel de preparación"]
    assert {r["level"] for r in codes} >= {"established", "leading"}
    # JSON: codes under the field names the API uses.
    export = json.loads(client.get(f"/backbone/cycles/{cycle}/export/results.json").content)
    partner = next(p for p in client.get("/api/v1/partners", headers=f.api_token(db, world["admin"])).json() if p["name"].startswith("Alder"))
    alder = next(r for r in export["rows"] if r["partner_id"] == partner["id"])
    assert alder["sector"] == partner["sector"] == "k12" and alder["size_band"] == partner["size_band"] == "11-50"
    # The answers: every value and special answer, coded or labelled, is the dictionary's.
    coded = rows_of(client.get(f"/backbone/cycles/{cycle}/export/answers.csv?values=codes&headers=codes"))
    named = rows_of(client.get(f"/backbone/cycles/{cycle}/export/answers.csv?headers=codes&lang=en"))
    as_words = Counter((r["item_id"], words[r["item_id"]]["en"][r["value"]]) for r in coded if r["value"])
    assert as_words == Counter((r["item_id"], r["value"]) for r in named if r["value"])
    assert {r["role_group"] for r in coded} <= set(words["role_group"]["en"]) | {""}
    assert {r["role_group"] for r in named} <= set(words["role_group"]["en"].values()) | {""}


def test_only_submitted_assessments_answers_go_out(client, db, world, catalogue):
    """Cedar has people answering but has not submitted: none of its answers is in any shape or format."""
    follow = world["follow"]
    instrument = catalogue.get("equity-self-assessment", "1.0")
    cedar = db.scalar(select(Assessment).where(Assessment.cycle_id == follow.id, Assessment.organization_id == world["c"].id))
    for _k in range(3):
        person = f.user(db, world["c"], Role.respondent, password=None)
        response = service.get_or_start_response(db, cedar, person.id, "en")
        item = next(i for i in instrument.items if i.is_rated)
        db.add(Answer(response_id=response.id, item_id=item.id, **service.validate_answer(instrument, follow.depth, AnswerInput(item.id, value="1"))))
    db.commit()
    f.sign_in(client, db, world["admin"])
    for query in ("", "?shape=wide"):
        rows = rows_of(client.get(f"/backbone/cycles/{follow.id}/export/answers.csv{query}{'&' if query else '?'}headers=codes"))
        assert rows and {r["partner"] for r in rows} == {"Alder School District", "Birch Youth Alliance"}
    export = json.loads(client.get(f"/backbone/cycles/{follow.id}/export/answers.json").content)
    assert world["c"].id not in {r["partner_id"] for r in export["rows"]}


def test_the_wide_shape_has_a_row_per_response_and_a_number_per_rated_item(client, db, world, catalogue):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    instrument = catalogue.get("equity-self-assessment", "1.0")
    r = client.get(f"/backbone/cycles/{cycle}/export/answers.csv?shape=wide&headers=codes&values=codes")
    assert 'filename="follow-up-answers-wide.csv"' in r.headers["content-disposition"]
    wide = rows_of(r)
    assert len(wide) == 10 and len({row["respondent"] for row in wide}) == 10  # five people in each of two partners
    rated = [i.id for i in instrument.items if i.is_rated]
    assert set(rated) <= set(wide[0]) and all(f"{i}_special" in wide[0] for i in rated)
    alder = [row for row in wide if row["partner"].startswith("Alder")]
    assert {row["leadership-01"] for row in alder} == {"3"} and {row["data-01"] for row in alder} == {"2"}
    # The same in XLSX: numbers stay numbers, headers are the questions in the reader's language.
    x = client.get(f"/backbone/cycles/{cycle}/export/answers.xlsx?shape=wide&lang=es")
    ws = load_workbook(io.BytesIO(x.content), read_only=True).worksheets[0]
    header, *body = list(ws.values)
    column = header.index(instrument.item("leadership-01").text.get("es"))
    top = next(o.label.get("es") for o in instrument.scale(instrument.item("leadership-01").scale).options if o.value == 3)
    assert header[0] == "Id de la organización" and {row[column] for row in body if row[1].startswith("Alder")} == {top}
    coded = load_workbook(io.BytesIO(client.get(f"/backbone/cycles/{cycle}/export/answers.xlsx?shape=wide&values=codes&lang=en").content),
                          read_only=True).worksheets[0]
    header, *body = list(coded.values)
    assert {row[header.index(instrument.item("leadership-01").text.get("en"))] for row in body if row[1].startswith("Alder")} == {3}
    # The long export of the same cycle holds the same answers.
    long = rows_of(client.get(f"/backbone/cycles/{cycle}/export/answers.csv?values=codes&headers=codes"))
    assert Counter((row["partner"], row["item_id"], row["value"]) for row in long if row["value"]) == Counter(
        (row["partner"], item, row[item]) for row in wide for item in rated if row[item])


def test_the_data_dictionary_describes_every_question_in_every_format(client, db, world, catalogue):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    instrument = catalogue.get("equity-self-assessment", "1.0")
    rows = {r["variable"]: r for r in rows_of(client.get(f"/backbone/cycles/{cycle}/export/dictionary.csv?headers=codes"))}
    questions = [*instrument.reflection, *instrument.items, *instrument.closing]
    assert {q.id for q in questions} <= set(rows)
    first = next(i for i in instrument.items if i.is_rated)
    row = rows[first.id]
    assert row["domain_id"] == first.domain and row["step"] == str(first.step) and row["type"] == "rated"
    assert row["text_en"] == first.text.get("en") and row["text_es"] == first.text.get("es") and float(row["weight"]) == first.weight
    assert row["values_es"].startswith("0, ") and "dont_know, " in row["special_en"]
    assert {"sector", "size_band", "level", "role_group", "language", "special"} <= set(rows)
    x = client.get(f"/backbone/cycles/{cycle}/export/dictionary.xlsx?lang=es")
    header, *body = list(load_workbook(io.BytesIO(x.content), read_only=True).worksheets[0].values)
    assert header[0] == "Variable" and len(body) == len(rows)
    data = json.loads(client.get(f"/backbone/cycles/{cycle}/export/dictionary.json").content)
    assert data["kind"] == "dictionary" and {r["variable"] for r in data["rows"]} == set(rows)
    # The export form on the cycle page sends each choice to its download.
    choice = client.get(f"/backbone/cycles/{cycle}/export?kind=answers&fmt=csv&values=codes&headers=codes&shape=wide")
    assert choice.status_code == 303 and choice.headers["location"] == f"/backbone/cycles/{cycle}/export/answers.csv?values=codes&headers=codes&shape=wide"
    page = client.get(f"/backbone/cycles/{cycle}?lang=es").text
    assert "Diccionario de datos" in page and f'action="/backbone/cycles/{cycle}/export"' in page


def test_an_export_is_recorded_with_what_was_asked(client, db, world):
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    client.get(f"/backbone/cycles/{cycle}/export/answers.csv?shape=wide&values=codes&sector=k12")
    log = client.get("/backbone/audit?lang=en").text
    assert "one row per response" in log and "k12" in log


def test_every_export_loads_in_every_format_with_the_same_rows_and_columns(client, db, world):
    """CSV through csv, XLSX through openpyxl, JSON through json: the same columns (as codes) and the same number of rows,
    numbers as numbers in XLSX and JSON."""
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    for kind in ("results", "items", "answers", "dictionary", "actions", "check_ins", "targets"):
        for shape in (("long", "wide") if kind == "answers" else ("long",)):
            query = f"values=codes&headers=codes&shape={shape}"
            as_csv = rows_of(client.get(f"/backbone/cycles/{cycle}/export/{kind}.csv?{query}"))
            book = load_workbook(io.BytesIO(client.get(f"/backbone/cycles/{cycle}/export/{kind}.xlsx?{query}").content), read_only=True)
            header, *body = list(book.worksheets[0].values)
            data = json.loads(client.get(f"/backbone/cycles/{cycle}/export/{kind}.json?{query}").content)
            assert list(data["columns"]) == list(header), (kind, shape)
            assert len(as_csv) == len(body) == len(data["rows"]), (kind, shape)
            if as_csv:
                assert list(as_csv[0]) == list(header)
            if kind == "results":
                assert all(isinstance(r["score"], int | type(None)) for r in data["rows"]) and any(isinstance(row[header.index("score")], int) for row in body)


def test_a_partner_whose_rows_cannot_be_tied_is_named_in_the_wide_exports_notes(client, db, world, monkeypatch):
    """Where the long shape gives a partner's answers untied (no code: tying them would single someone out), the wide shape
    leaves the partner out and its notes say so, in the reader's language (JSON, and a sheet of its own in XLSX)."""
    from app.exports import sheets

    real = sheets.answer_rows

    def untied_for_alder(db_, ids, view, min_group_size, taken=None):
        out = real(db_, ids, view, min_group_size, taken=taken)
        for aid in ids:
            if aid == world["fa"].id:
                out[aid] = [{**r, "respondent": None} for r in out[aid]]
        return out

    monkeypatch.setattr(sheets, "answer_rows", untied_for_alder)
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    data = json.loads(client.get(f"/backbone/cycles/{cycle}/export/answers.json?shape=wide&lang=es").content)
    assert {r["partner"] for r in data["rows"]} == {"Birch Youth Alliance"}
    assert len(data["notes"]) == 1 and data["notes"][0].startswith("Alder School District: sus respuestas no pueden darse")
    book = load_workbook(io.BytesIO(client.get(f"/backbone/cycles/{cycle}/export/answers.xlsx?shape=wide&lang=es").content), read_only=True)
    assert book.sheetnames == ["Respuestas", "Observaciones"] and next(book["Observaciones"].values)[0].startswith("Alder School District")
