"""Issue 21, items 4 and 8: a domain's page says where the groups the result shows see it differently (a sentence and a
small greyscale chart with its values in words); the partnership summary gives each partner's responses and response
rate, the anonymity note, the partnership's median per domain, the partners that moved a level, and keeps its tables
whole or in fragments of three rows at least."""

from __future__ import annotations

import copy
import re
from types import SimpleNamespace

import pytest

from app import i18n
from app.assessments.service import current_result
from app.assessments.views import DomainView, GroupView, ResultView
from app.reports import narrative, service
from app.web import presenters
from tests.pdf_text import page_words, pdf_words

pytestmark = pytest.mark.pdf


def domain(did: str, title: str, shown: int) -> DomainView:
    return DomainView(did, title, "", float(shown), shown, None, None, None, None, None, [])


def test_a_perception_gap_of_ten_points_or_more_is_named_per_domain_for_shown_groups_only():
    domains = [domain("d1", "Leadership", 60), domain("d2", "Data", 40)]
    roles = [GroupView("staff", "Staff", 6, 50, None, {"d1": 50, "d2": 40}),
             GroupView("manager", "Managers", 5, 80, None, {"d1": 80, "d2": 49})]
    races = [GroupView("a", "Latino or Hispanic", 5, 50, None, {"d1": 55, "d2": 30}),
             GroupView("b", "White", 6, 50, None, {"d1": 60, "d2": 41})]
    view = ResultView("en", "", "1", 11, 60.0, 60, None, [], domains, [], roles, races, True)
    with i18n.locale("en"):
        gaps = narrative.perception_gaps(view)
        alone = narrative.perception_gaps(ResultView("en", "", "1", 11, 60.0, 60, None, [], domains, [], roles[:1], races[:1], True))
    assert set(gaps) == {"d1", "d2"} and alone == {}
    (role,) = gaps["d1"]  # races differ by 5 in d1: not named
    assert role.kind == "role_group" and role.difference == 30 and role.scores == [("Staff", 50), ("Managers", 80)]
    assert role.sentence == ("Role groups see this domain differently, by 30 points: a score of 80 from the group “Managers” "
                             "and of 50 from the group “Staff”.")
    (race,) = gaps["d2"]  # roles differ by 9 in d2: not named; races by 11
    assert race.kind == "race_ethnicity" and race.difference == 11
    assert "those who identify as White and of 30 from those who identify as Latino or Hispanic" in race.sentence


def test_the_group_chart_is_ink_and_labels_with_its_values_in_words():
    with i18n.locale("en"):
        svg = str(presenters.group_chart("Leadership", "role_group", [("Staff", 50), ("Managers", 80)], 63, "g1"))
    alt = svg.split('<title id="g1-t">')[1].split("</title>")[0]
    assert alt == "Scores in Leadership by role group. Scores from 0 to 100: Staff: 50; Managers: 80; all responses: 63."
    assert 'role="img"' in svg and 'aria-labelledby="g1-t"' in svg
    assert re.search(r">50</text>", svg) and re.search(r">80</text>", svg) and "All responses: 63" in svg  # printed, not only drawn
    for colour in re.findall(r'fill="#([0-9a-f]{6})"', svg):  # one dark ink, white labels, grey text: nothing that needs colour
        r, g, b = (int(colour[k:k + 2], 16) for k in (0, 2, 4))
        assert max(r, g, b) - min(r, g, b) <= 24, colour


def with_groups(data: dict, shift: int) -> dict:
    """The result's data with two role groups shown, the second `shift` points above the first in every domain."""
    data = copy.deepcopy(data)
    base = {d["id"]: {"shown": 40} for d in data["domains"]}
    high = {d: {"shown": 40 + shift} for d in base}
    data["groups"] = {"role_group": {"staff": {"n": 5, "overall": {"shown": 40}, "domains": base},
                                     "manager": {"n": 5, "overall": {"shown": 40 + shift}, "domains": high}}, "race_ethnicity": {}}
    return data


def test_the_domain_page_says_the_gap_in_a_sentence_and_a_chart(db, catalogue, settings, world):
    row = current_result(db, world["fa"].id)
    first = row.data["domains"][0]["id"]
    html = service._html("reports/partner.html", service.partner_context(
        catalogue, settings, world["fa"], SimpleNamespace(id=row.id, data=with_groups(row.data, 25)), None, "en"), "en", "letter")
    page = html.split(f'id="domain-{first}"')[1].split('<section class="section"')[0]
    assert "Perception gap" in page and "by 25 points: a score of 65 from the group" in page
    assert "Questions and answers" in page.split("Perception gap")[1]  # before the questions, where a reader starts
    assert f'id="groups-{first}-role_group-t"' in page and "all responses:" in page
    quiet = service._html("reports/partner.html", service.partner_context(
        catalogue, settings, world["fa"], SimpleNamespace(id=row.id, data=with_groups(row.data, 9)), None, "en"), "en", "letter")
    assert "Perception gap" not in quiet and "group-chart" not in quiet  # 9 points: not a gap the page names


def invite(db, assessment, count: int) -> None:
    from app.auth.models import Invitation

    for k in range(count):
        db.add(Invitation(token_hash=f"{assessment.id:08x}{k:056x}", purpose="respond", email=f"q{k}@example.org", language="en",
                          organization_id=assessment.organization_id, assessment_id=assessment.id,
                          created_at=assessment.created_at, expires_at=assessment.created_at))
    db.flush()


def test_the_summary_gives_responses_rates_medians_moves_and_the_anonymity_note(db, catalogue, settings, world):
    n = current_result(db, world["fa"].id).data["n_responses"]
    invite(db, world["fa"], n + 3 - service.invited_count(db, world["fa"]))
    context = service.summary_context(db, catalogue, world["follow"], "en", settings.min_group_size)
    html = service._html("reports/summary.html", service._with_plans(context, [], {}), "en", "letter")
    with i18n.locale("en"):
        rate = i18n.format_percent(n / (n + 3))
    assert f"{n} of {n + 3} ({rate})" in html  # Alder counted its invitations
    fb = current_result(db, world["fb"].id).data["n_responses"]
    if service.invited_count(db, world["fb"]) < fb:
        assert f'<td class="n">{fb}</td>' in html  # Birch did not: its count, no rate
    assert "Anonymity: a partner has scores only when at least 5 people besides its leads answered" in html
    # the medians: Alder 67 and Birch 67 in most domains, Alder 100 and Birch 67 in leadership
    medians = narrative.domain_medians(context["table"])
    assert medians["leadership"] == pytest.approx(83.5) and "Partnership median" in html
    assert re.search(r"<strong>83[.,]5</strong>", html)
    moved = {m.name: m for m in context["moved"]}
    assert "Alder School District" in moved and moved["Alder School District"].up
    assert "Partners that moved a readiness level" in html and "Birch Youth Alliance" in moved  # Birch fell in data
    assert moved["Birch Youth Alliance"].down
    assert "Among the 1 partner whose invitations were counted" in " ".join(context["method"].answered)


def test_an_item_quoted_at_a_sentences_end_is_not_followed_by_two_stops():
    with i18n.locale("en"):
        assert narrative.quoted("Our budget funds our goals.") == "“Our budget funds our goals”"
        assert narrative.quoted("Do we ask?") == "“Do we ask?”"
        sentence = narrative.partnership_summary(SimpleNamespace(total=2, rows=[], domains=[], levels=[], baseline=None),
                                                 [{"n": 2, "text": "Our budget funds our goals."}], 2)[-1]
    assert sentence == "The most common growth opportunity, shared by 2 partners, is “Our budget funds our goals”."
    with i18n.locale("es"):
        assert narrative.quoted("Nuestro presupuesto financia las metas.") == "«Nuestro presupuesto financia las metas»"


def test_the_summarys_nine_row_table_is_never_split_after_its_first_rows(db, catalogue, settings, world):
    pdf = service.cycle_summary(db, catalogue, settings, world["follow"], "en").content
    pages = page_words(pdf)
    titles = [d.title.get("en") for d in world["instrument"].domains]
    page = next(p for p in pages if "Partnership median" in p)
    assert all(t[:25] in page for t in titles)  # the distribution table whole on its page
    html = service._html("reports/summary.html", service._with_plans(service.summary_context(db, catalogue, world["follow"], "en"), [], {}),
                         "en", "letter")
    assert "tbody tr:nth-child(2), tbody tr:nth-child(3), tr.tail { break-before: avoid; }" in html


def lightness(hex_colour: str) -> float:
    """CIE L* of an sRGB colour: how light it prints in grey."""
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 116 * y ** (1 / 3) - 16


def test_the_summarys_levels_stay_apart_in_grey_and_keep_their_numbers_readable(db, catalogue, settings, world):
    html = service._html("reports/summary.html", service._with_plans(service.summary_context(db, catalogue, world["follow"], "en"), [], {}),
                         "en", "letter")
    shades = dict(re.findall(r"\.cmp td\.level-(\d), \.swatch\.level-\d \{ background: (#[0-9a-f]{6}); \}", html))
    levels = len(world["instrument"].levels)
    assert sorted(shades) == [str(k) for k in range(levels)]
    grey = [lightness(shades[str(k)]) for k in range(levels)]
    assert all(a - b >= 10 for a, b in zip(grey, grey[1:], strict=False)), grey  # each level darker than the one before, clearly
    assert min(grey) >= 50  # black numbers stay readable on the darkest
    assert 'class="level-' in html and "background-image" not in html[html.index(".cmp td.level-0"):html.index("</style>")]


def test_a_large_partnerships_summary_lists_each_partner_on_a_line_and_counts_the_moves_per_domain(db, catalogue, settings, world,
                                                                                                     monkeypatch):
    monkeypatch.setattr(service, "GRID_MAX_PARTNERS", 2)  # the world's 3 partners count as a large partnership
    context = service.summary_context(db, catalogue, world["follow"], "en", settings.min_group_size)
    html = service._html("reports/summary.html", service._with_plans(context, [], {}), "en", "letter")
    assert 'class="cmp"' not in html and "Readiness per partner and domain" not in html
    words = pdf_words(service.renderer.write_pdf(html, str(service.HERE)))
    assert "Responses and overall readiness per partner" in words
    assert "With 3 partners, this summary gives each partner's responses and overall score" in words
    n = current_result(db, world["fa"].id).data["n_responses"]
    assert re.search(rf"Alder School District · Responses {n}( of \d+ \(\d+ ?%\))? · \d+ \w+", words)
    assert "Cedar Employers · No result yet" in words
    moves = {m.title: (m.up, m.down) for m in context["moved_by_domain"]}
    assert moves["Organizational commitment, leadership and governance"][0] >= 1  # Alder rose in leadership
    assert moves["Data, metrics and continuous quality improvement"][1] >= 1  # Birch fell in data
    assert re.search(r"Organizational commitment, leadership and governance \d+ \d+", words) and "Moved down" in words
    # Spanish, the same shape
    with i18n.locale("es"):
        context = service.summary_context(db, catalogue, world["follow"], "es", settings.min_group_size)
    spanish = service._html("reports/summary.html", service._with_plans(context, [], {}), "es", "a4")
    assert "Con 3 organizaciones socias" in spanish and "en cada área" in spanish
