"""Who holds the seats (issue 26), as its users meet it over HTTP: a lead (or the person the lead names) enters a
cycle's counts; bad input is refused in the user's language and loses nothing; small cells are shown as "fewer than 5"
to every reader; a closed cycle's counts are kept; the backbone sets the benchmark and compares partners."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import i18n
from app.audit import AuditEvent
from app.composition import service
from app.composition.models import Composition
from app.errors import Invalid
from tests import factories as f


def counts_form(csrf: str, **counts: str) -> dict[str, str]:
    return {"csrf_token": csrf, "as_of": "2026-09-30", "source": "HR system", **{f"c-{k.replace('__', '-')}": v for k, v in counts.items()}}


BOARD = {"board-total-all": "12", "board-race-white": "10", "board-race-black_african_american": "2",
         "staff-total-all": "40", "staff-race-white": "22", "staff-race-hispanic_latino": "12", "staff-race-asian": "6",
         "board-gender-women": "7", "board-gender-men": "5"}


def test_a_lead_enters_the_counts_and_every_reader_sees_small_cells_masked(client, db, world, csrf):
    a, follow = world["a"], world["follow"]
    page = f"/composition/{a.id}/cycles/{follow.id}"
    f.sign_in(client, db, world["lead_a"])
    assert "Who holds the seats" in client.get("/partner").text and page in client.get("/partner").text
    # A group count over the level's total: refused in Spanish, the typed values kept, nothing saved.
    bad = client.post(f"{page}?lang=es", data=counts_form(csrf, **{**BOARD, "board-race-white": "11"}))
    assert bad.status_code == 422
    assert "Junta directiva: los recuentos por raza y origen étnico suman más que el número de personas." in bad.text
    assert 'value="11"' in bad.text and 'value="HR system"' in bad.text
    assert db.scalar(select(Composition).where(Composition.organization_id == a.id)) is None
    word = client.post(f"{page}?lang=es", data=counts_form(csrf, **{**BOARD, "staff-race-asian": "seis"}))
    assert word.status_code == 422 and "números enteros de 0 o más" in word.text
    assert client.post(f"{page}?lang=en", data=counts_form(csrf, **BOARD)).status_code == 303
    saved = client.get(page).text
    assert "The counts were saved" not in saved  # no flash without ?flash
    assert "fewer than 5" in saved and 'name="c-board-race-black_african_american"' in saved and 'value="2"' in saved  # the lead's own form
    # Staff: 18 people of color of 40 (45 %), shown; the board's 2 of 12 hidden, and the white 10 with it (12 - 10 = 2).
    assert "45%" in saved
    audit = db.scalars(select(AuditEvent).where(AuditEvent.action == "composition.created")).all()
    assert audit and all("2" not in str(e.details.get("levels")) for e in audit)
    # The backbone's analyst reads the same masked view, with no form and no raw count.
    f.sign_in(client, db, world["analyst"])
    read = client.get(page)
    assert read.status_code == 200 and "fewer than 5" in read.text and "<form" not in read.text.split("</header>")[-1].split("<footer")[0]
    assert 'value="2"' not in read.text and 'value="10"' not in read.text
    genders = read.text.split("People by gender at each level")[1].split("</table>")[0]
    assert re.search(r"Women</th>\s*<td>7 <span", genders) and re.search(r"Men</th>\s*<td>5 <span", genders)
    table = read.text.split("People by race and ethnicity at each level")[1]
    assert not re.search(r"Black or African American</th>\s*<td>\s*2\b", table)
    assert client.post(page, data=counts_form(csrf, **BOARD)).status_code == 403
    # The other partner's lead does not learn that the page exists.
    f.sign_in(client, db, world["lead_b"])
    assert client.get(page).status_code == 404 and client.get(f"/composition/{a.id}").status_code == 404


def test_a_closed_cycles_counts_are_kept_as_entered(client, db, world, csrf):
    b, baseline = world["b"], world["baseline"]
    f.sign_in(client, db, world["lead_b"])
    page = f"/composition/{b.id}/cycles/{baseline.id}"
    refused = client.post(f"{page}?lang=es", data=counts_form(csrf, **BOARD))
    assert refused.status_code == 409 and "Este ciclo cerró: sus recuentos quedan como se ingresaron." in refused.text
    assert service.composition_of(db, b.id, baseline.id) is None
    assert "<fieldset" not in client.get(f"{page}?lang=en").text


def test_the_backbone_sets_the_benchmark_and_compares_partners(client, db, world, csrf):
    a, follow = world["a"], world["follow"]
    f.sign_in(client, db, world["lead_a"])
    client.post(f"/composition/{a.id}/cycles/{follow.id}", data=counts_form(csrf, **BOARD))
    f.sign_in(client, db, world["admin"])
    shares = {"s-white": "55", "s-hispanic_latino": "25", "s-black_african_american": "10", "s-asian": "10"}
    off = client.post("/backbone/composition?lang=es", data={"csrf_token": csrf, "name": "Condado", **{**shares, "s-asian": "20"}})
    assert off.status_code == 422 and "suman 110" in off.text and 'value="Condado"' in off.text
    assert client.post("/backbone/composition?lang=en", data={"csrf_token": csrf, "name": "County population, 2020 census", **shares}).status_code == 303
    compare = client.get(f"/backbone/cycles/{follow.id}/composition")
    assert compare.status_code == 200 and "County population, 2020 census" in compare.text
    # Staff: 45 % people of color against 45 %: index 1.00. The board's hidden 2 of 12 bounds its share under 33 %: short.
    assert "index 1.00" in compare.text and "fewer than 5 (under 33%)" in compare.text
    short = compare.text.split("Where representation falls short")[1].split("</section>")[0]
    assert "Alder School District: Board" in short and "All staff" not in short
    assert "The partnership's figures are shown once the cycle closes" in compare.text  # an open cycle: no pooled figure
    assert "Birch Youth Alliance" in compare.text and "no counts yet" in compare.text
    # Filtered by sector: only k12's Alder.
    assert "Birch Youth Alliance" not in client.get(f"/backbone/cycles/{follow.id}/composition?sector=k12").text
    f.sign_in(client, db, world["analyst"])
    assert client.post("/backbone/composition", data={"csrf_token": csrf, "name": "x", **shares}).status_code == 403


def test_a_lead_names_someone_who_enters_the_counts_and_reaches_nothing_else(client, db, world, csrf, new_client):
    a, follow = world["a"], world["follow"]
    f.sign_in(client, db, world["lead_a"])
    page = client.post(f"/composition/{a.id}/helpers", data={"email": "hr-counts@alder.example.org", "language": "es", "csrf_token": csrf})
    assert page.status_code == 200 and "hr-counts@alder.example.org" in page.text
    link = re.search(r'value="http://[^"]+(/invite/[^"]+)"', page.text).group(1)
    hr = new_client()
    assert "Le invitan a ingresar los recuentos de composición de Alder School District" in hr.get(link).text
    joined = hr.post(f"{link}/accept", data={"password": "a long enough password 42", "confirm": "a long enough password 42", "csrf_token": csrf})
    assert joined.status_code == 303 and joined.headers["location"] == f"/composition/{a.id}"
    assert hr.get("/").headers["location"] == f"/composition/{a.id}"
    hr.get(f"/composition/{a.id}?lang=en")
    assert hr.post(f"/composition/{a.id}/cycles/{follow.id}", data=counts_form(csrf, **BOARD)).status_code == 303
    assert hr.get(f"/assessments/{world['fa'].id}/result").status_code == 404
    assert hr.get(f"/plans/{a.id}").status_code == 404
    assert hr.post(f"/composition/{a.id}/helpers", data={"email": "x@example.org", "csrf_token": csrf}).status_code == 403
    uid = re.search(r"/composition/\d+/helpers/(\d+)/remove", client.get(f"/composition/{a.id}").text).group(1)
    assert client.post(f"/composition/{a.id}/helpers/{uid}/remove", data={"csrf_token": csrf}).status_code == 303
    assert hr.get(f"/composition/{a.id}").status_code == 404


def test_the_pooled_figure_waits_for_the_close_and_never_gives_a_hidden_count(db, world, catalogue):
    a, b, c, baseline = world["a"], world["b"], world["c"], world["baseline"]
    big = {("board", "total", "all"): 20, ("board", "race", "white"): 10, ("board", "race", "asian"): 10}
    half = {("board", "total", "all"): 12, ("board", "race", "white"): 6, ("board", "race", "asian"): 6}
    small = {("board", "total", "all"): 12, ("board", "race", "white"): 10, ("board", "race", "asian"): 2}
    service.save(db, a, baseline, big, "", "", None, after_close=True)
    service.save(db, c, baseline, half, "", "", None, after_close=True)
    service.save(db, b, baseline, small, "", "", None, after_close=True)
    board = {p.level: p for p in service.pooled(db, catalogue, baseline, 3)}["board"]
    # Alder's and Cedar's rows are shown; the pool (18 of 44) less them would give Birch's hidden 2.
    assert board.share is None and board.withheld == "hidden"
    service.save(db, b, baseline, half, "", "", None, after_close=True)
    board = {p.level: p for p in service.pooled(db, catalogue, baseline, 3)}["board"]
    assert board.withheld is None and board.share == 50.0 and board.partners == 3
    assert {p.level: p for p in service.pooled(db, catalogue, baseline, 4)}["board"].withheld == "few"
    open_board = {p.level: p for p in service.pooled(db, catalogue, world["follow"], 1)}["board"]
    assert open_board.withheld == "open" and open_board.share is None
    db.rollback()


def test_a_target_on_composition_reads_the_pooled_figure_of_closed_cycles(client, db, world, csrf, catalogue):
    from app.plans import targets
    from app.plans.models import Target

    a, b, c, baseline = world["a"], world["b"], world["c"], world["baseline"]
    f.sign_in(client, db, world["admin"])
    form = {"csrf_token": csrf, "title": "Boards like the county", "kind": "composition_gap", "level": "board", "points": "10",
            "reference_cycle_id": str(baseline.id), "due_on": "2028-06-30"}
    bad = client.post("/backbone/targets?lang=es", data={**form, "level": "janitors"})
    assert bad.status_code == 422 and "Elija un nivel de puestos de la lista." in bad.text, re.findall(r"(?s)error-summary.{0,400}", bad.text)
    assert client.post("/backbone/targets?lang=en", data=form).status_code == 303
    page = client.get("/backbone/targets").text
    assert "The share of people of color on partners&#39; boards within 10 points of the partnership&#39;s benchmark" in page
    target = db.scalar(select(Target).where(Target.title == "Boards like the county"))
    assert target.level == "board" and target.points == 10
    service.save_benchmark(db, world["backbone"].id, None, "County", "", {"white": 60.0, "asian": 40.0}, None)
    for org, white, asian in ((a, 10, 10), (b, 6, 6), (c, 12, 8)):
        service.save(db, org, baseline, {("board", "total", "all"): white + asian, ("board", "race", "white"): white,
                                         ("board", "race", "asian"): asian}, "", "", None, after_close=True)
    (standing,) = targets.progress(db, catalogue, target, minimum=3)
    # 24 of 52 people of color (46.2 %) against the county's 40 %: 6.2 points above, met.
    assert standing.cycle.id == baseline.id and standing.value == 6.2 and standing.met and standing.partners == 3
    assert targets.progress(db, catalogue, target, minimum=4) == []  # too few partners: no figure
    db.rollback()


def test_a_refusal_names_the_level_in_the_users_words(db, world):

    with i18n.locale("es"), pytest.raises(Invalid) as refused:
        service.save(db, world["a"], world["follow"], {("board", "total", "all"): 3, ("board", "race", "white"): 4}, "", "", None)
    assert refused.value.message.startswith("Junta directiva:")
    db.rollback()
