"""Composition data out (issue 26, item 6): the cycle's composition export (CSV, XLSX, JSON) masked as the pages are, codes
or labels; the API's composition and benchmark endpoints, their refusals in the caller's language and their scopes."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from app.audit import AuditEvent
from app.composition import service
from tests import factories as f

# Alder's board: 12 people, 2 of them people of color (hidden, and the white 10 with it); staff: 40, 18 people of color.
BOARD = {("board", "total", "all"): 12, ("board", "race", "white"): 10, ("board", "race", "black_african_american"): 2,
         ("staff", "total", "all"): 40, ("staff", "race", "white"): 22, ("staff", "race", "hispanic_latino"): 12,
         ("staff", "race", "asian"): 6, ("leadership", "total", "all"): 3, ("leadership", "race", "white"): 3}


def _enter(db, world) -> None:
    service.save(db, world["a"], world["follow"], dict(BOARD), "2026-09-30", "HR system", world["lead_a"].id)
    service.save_benchmark(db, world["backbone"].id, None, "County population", "Census 2020",
                           {"white": 55, "hispanic_latino": 25, "black_african_american": 10, "asian": 10}, world["admin"].id)
    db.commit()


def _csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _row(rows, level, dim, cat, keys=("level", "dimension", "category")):
    return next(r for r in rows if (r[keys[0]], r[keys[1]], r[keys[2]]) == (level, dim, cat) and r.get("partner_id", "x") != "")


def test_the_composition_export_is_masked_as_the_pages(client, db, world):
    _enter(db, world)
    f.sign_in(client, db, world["admin"])
    cycle = world["follow"].id
    rows = _csv(client.get(f"/backbone/cycles/{cycle}/export/composition.csv?values=codes&headers=codes"))
    alder = [r for r in rows if r["partner"] == "Alder School District"]
    poc = _row(alder, "board", "race", "poc")
    assert poc["count"] == "" and poc["suppressed"] == "True" and poc["share"] == ""
    black = _row(alder, "board", "race", "black_african_american")
    assert black["count"] == "" and black["suppressed"] == "True" and black["share"] == ""
    assert _row(alder, "board", "race", "white")["count"] == ""  # secondary masking: 12 - 10 would give the 2
    total = _row(alder, "board", "total", "all")
    assert total["count"] == "12" and total["suppressed"] == "False"
    staff = _row(alder, "staff", "race", "poc")
    assert staff["count"] == "18" and staff["share"] == "45.0" and staff["benchmark_share"] == "45.0" and staff["representation_index"] == "1.0"
    small = [r for r in alder if r["level"] == "leadership"]  # 3 people: the total alone
    assert [(r["dimension"], r["count"], r["totals_only"]) for r in small] == [("total", "3", "True")]
    assert not any(r["count"] == "2" for r in alder)
    bench = [r for r in rows if r["level"] == "benchmark"]
    assert {r["category"]: r["benchmark_share"] for r in bench}["poc"] == "45.0" and all(r["partner_id"] == "" for r in bench)
    # Labels in Spanish: the marker reads "menos de 5"; the other partners (no counts) are named in the notes.
    es = _csv(client.get(f"/backbone/cycles/{cycle}/export/composition.csv?lang=es"))
    header = list(es[0])
    assert "Índice de representación" in header and "Nivel de puestos" in header
    marked = [r for r in es if r["Organización socia"] == "Alder School District" and r[header[11]] == "menos de 5"]
    assert marked and all(r["Recuento"] == "" for r in marked)
    assert {r["Nivel de puestos"] for r in es} >= {"Junta directiva", "Referencia"}
    # JSON: codes under the field names, a boolean marker, the notes.
    data = json.loads(client.get(f"/backbone/cycles/{cycle}/export/composition.json").content)
    assert data["kind"] == "composition" and "Birch Youth Alliance" in data["notes"][0]
    j = next(r for r in data["rows"] if (r["partner"], r["level"], r["category"]) == ("Alder School District", "board", "poc"))
    assert j["count"] is None and j["suppressed"] is True and j["share"] is None
    # XLSX: the same rows, numbers as numbers.
    book = load_workbook(io.BytesIO(client.get(f"/backbone/cycles/{cycle}/export/composition.xlsx?headers=codes&values=codes").content),
                         read_only=True)
    header, *body = list(book.worksheets[0].values)
    assert len(body) == len(rows) and 12 in [r[header.index("count")] for r in body]
    # The data dictionary gives every code of the export, with its labels in each language.
    words = {r["variable"]: r for r in _csv(client.get(f"/backbone/cycles/{cycle}/export/dictionary.csv?headers=codes"))}
    levels = dict(p.split(", ", 1) for p in words["composition.level"]["values_es"].split(" | "))
    assert levels["board"] == "Junta directiva" and levels["benchmark"] == "Referencia"
    categories = {p.split(", ", 1)[0] for p in words["composition.category"]["values_en"].split(" | ")}
    assert {r["category"] for r in rows} <= categories and "menos de 5" in words["composition.suppressed"]["values_es"]
    # The audit row says what went out, and the cycle page's form offers it.
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.exported")).all()
    assert any(e.details.get("kind") == "composition" for e in events)
    assert "Composition counts by partner" in client.get("/backbone/audit?lang=en").text
    assert 'value="composition"' in client.get(f"/backbone/cycles/{cycle}?lang=en").text


def test_the_api_round_trip_refusals_and_scopes(client, db, world):
    a, follow, baseline = world["a"], world["follow"], world["baseline"]
    lead = f.api_token(db, world["lead_a"])
    body = {"as_of": "2026-09-30", "source": "HR system",
            "counts": [{"level": lv, "dimension": d, "category": c, "count": n} for (lv, d, c), n in BOARD.items()]}
    put = client.put(f"/api/v1/partners/{a.id}/composition/{follow.id}", json=body, headers=lead)
    assert put.status_code == 200, put.text
    board = next(lv for lv in put.json()["levels"] if lv["level"] == "board")
    assert board["total"] == 12 and board["people_of_color"]["count"] is None and board["people_of_color"]["suppressed"] is True
    assert board["race"]["black_african_american"] == {**board["race"]["black_african_american"], "count": None, "suppressed": True}
    # A group count over the total: 422 naming the field and the level, in Spanish; nothing changed.
    over = {**body, "counts": [*body["counts"][:1], {"level": "board", "dimension": "race", "category": "white", "count": 13}]}
    bad = client.put(f"/api/v1/partners/{a.id}/composition/{follow.id}", json=over, headers={**lead, "Accept-Language": "es"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "counts"
    assert bad.json()["detail"].startswith("Junta directiva: los recuentos por raza")
    assert service.counts_of(service.composition_of(db, a.id, follow.id))[("board", "race", "white")] == 10
    # Read back: the trend, one entry per cycle, masked.
    trend = client.get(f"/api/v1/partners/{a.id}/composition", headers=lead).json()
    assert [t["cycle_id"] for t in trend] == [baseline.id, follow.id] and trend[1]["reported"] and not trend[0]["reported"]
    assert "10" not in json.dumps(next(lv for lv in trend[1]["levels"] if lv["level"] == "board")["race"])
    # A closed cycle: 409.
    closed = client.put(f"/api/v1/partners/{a.id}/composition/{baseline.id}", json=body, headers={**lead, "Accept-Language": "es"})
    assert closed.status_code == 409 and "cerró" in closed.json()["detail"]
    # The other partner's lead learns nothing; the backbone reads all, with the pooled figures.
    other = f.api_token(db, world["lead_b"])
    assert client.get(f"/api/v1/partners/{a.id}/composition", headers=other).status_code == 404
    assert client.put(f"/api/v1/partners/{a.id}/composition/{follow.id}", json=body, headers=other).status_code == 404
    assert client.get(f"/api/v1/cycles/{follow.id}/composition", headers=lead).status_code == 404
    staff = f.api_token(db, world["analyst"])
    everyone = client.get(f"/api/v1/cycles/{follow.id}/composition?sector=k12", headers=staff)
    assert everyone.status_code == 200 and [p["partner"] for p in everyone.json()["partners"]] == ["Alder School District"]
    assert {p["withheld"] for p in everyone.json()["pooled"]} == {"open"}
    assert client.put(f"/api/v1/partners/{a.id}/composition/{follow.id}", json=body, headers=staff).status_code == 403


def test_the_benchmarks_through_the_api(client, db, world):
    admin, analyst = f.api_token(db, world["admin"]), f.api_token(db, world["analyst"])
    shares = {"white": 55, "hispanic_latino": 25, "black_african_american": 10, "asian": 10}
    off = client.put("/api/v1/benchmark", json={"name": "Condado", "shares": {**shares, "asian": 20}}, headers={**admin, "Accept-Language": "es"})
    assert off.status_code == 422 and "suman 110" in off.json()["detail"]
    assert client.put("/api/v1/benchmark", json={"name": "County", "shares": shares}, headers=analyst).status_code == 403
    assert client.put("/api/v1/benchmark", json={"name": "County", "shares": shares}, headers=admin).status_code == 200
    read = client.get("/api/v1/benchmark", headers=analyst).json()
    assert read["benchmark"]["shares"]["white"] == 55 and "white" in read["categories"]
    lead = f.api_token(db, world["lead_a"])
    assert client.get("/api/v1/benchmark", headers=lead).status_code == 404
    a = world["a"]
    own = client.put(f"/api/v1/partners/{a.id}/benchmark", json={"name": "Our district", "shares": {"white": 40, "asian": 60}}, headers=lead)
    assert own.status_code == 200 and own.json()["scope"] == "partner"
    assert service.benchmark_for(db, a).name == "Our district"
    assert client.delete(f"/api/v1/partners/{a.id}/benchmark", headers=f.api_token(db, world["lead_b"])).status_code == 404
    assert client.delete(f"/api/v1/partners/{a.id}/benchmark", headers=lead).status_code == 204
    db.expire_all()
    assert service.benchmark_for(db, a).name == "County"
