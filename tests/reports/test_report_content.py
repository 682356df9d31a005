"""What a board reads first: the executive summary on page 2, the method and confidentiality notes, the pre-filled
worksheet, the contents, the partnership's name; and the layout defects that a reader saw (plurals, minus signs,
the chart's label and alternative text, the running header on a domain's continuation pages, the PDF's dates)."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy.orm import sessionmaker

from app import i18n
from app.assessments import views
from app.assessments.service import current_result
from app.reports import narrative, service
from app.web import presenters
from tests.pdf_text import page_words

pytestmark = pytest.mark.pdf


pages = page_words


@pytest.fixture(scope="module", autouse=True)
def reports_rendered_once(module_connection, world_rows, catalogue, settings):
    """The report and the summary that most tests here read, rendered once for the module into the report cache, where
    the tests' own calls find them (a test that changes what a report shows gets a new rendering). The cache itself is
    tested in test_reports.py; the module's rows, these renderings with them, are rolled back after the module."""
    factory = sessionmaker(bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as db:
        service.partner_report(db, catalogue, settings, db.get(*world_rows["fa"]), "en")
        service.cycle_summary(db, catalogue, settings, db.get(*world_rows["follow"]), "en")


def view_of(db, catalogue, world, key: str = "fa") -> views.ResultView:
    row = current_result(db, world[key].id)
    return views.build_view(row.data, world["instrument"], "en")


def test_page_two_is_the_executive_summary_from_the_stored_result(db, catalogue, settings, world):
    pdf = service.partner_report(db, catalogue, settings, world["fa"], "en").content
    text = pages(pdf)
    view = view_of(db, catalogue, world)
    assert "Executive summary" in text[1] and "Partnership summary" not in text[1]
    assert f"Overall, Alder School District is at the “{view.overall_level.name}” readiness level, with a score of {view.overall_shown} out of 100." in text[1]
    for o in view.opportunities[:narrative.PRIORITIES]:
        assert o.text[:40] in text[1]
    assert "Since Baseline" in text[1]  # a follow-up says what moved
    cover = text[0]
    backbone = service.backbone_name(db, world["follow"])
    assert backbone and backbone in cover and "Generated" in cover
    assert all(backbone in page for page in text)  # the footer names the partnership on every page


def test_the_summary_names_only_groups_the_result_shows():
    """A sentence about role groups appears only when two shown groups differ, and names only them."""
    from app.assessments.views import DomainView, GroupView, ResultView

    domain = DomainView("d1", "Leadership", "", 60.0, 60, None, None, None, None, None, [])
    groups = [GroupView("staff", "Staff", 6, 50, None, {"d1": 50}), GroupView("managers", "Managers", 5, 80, None, {"d1": 80})]
    view = ResultView("en", "", "1", 11, 60.0, 60, None, [], [domain], [], groups, [], True)
    with i18n.locale("en"):
        assert narrative.group_difference(view, groups) == (
            "Role groups see Leadership most differently: Managers give it 80, Staff 50, a difference of 30 points.")
        assert narrative.group_difference(view, groups[:1]) is None  # one group shown: nothing to compare


def test_the_method_says_who_answered_how_scores_are_made_and_who_may_see(db, catalogue, settings, world):
    text = " ".join(pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content))
    instrument = world["instrument"]
    assert "Method and confidentiality" in text and "people answered, between" in text
    assert "How this list is ranked: by room to grow" in text
    assert text.count("How this list is ranked") == 2  # in the method, and next to the list
    assert f"at least {settings.min_group_size} people besides the organization's leads answered" in text
    assert "may download this report" in text
    weighted = len(narrative.central_weights(instrument))
    if weighted:
        assert f"{weighted} questions, which the instrument marks as central" in text


def test_the_response_rate_counts_the_invitations(db, catalogue, settings, world):
    from app.auth.models import Invitation

    n = current_result(db, world["fa"].id).data["n_responses"]
    invited = service.invited_count(db, world["fa"])
    if invited < n:  # the world's responses were made without invitations: add them
        for k in range(n + 3 - invited):
            db.add(Invitation(token_hash=f"{k:064x}", purpose="respond", email=f"p{k}@example.org", language="en",
                              organization_id=world["fa"].organization_id, assessment_id=world["fa"].id,
                              created_at=world["fa"].created_at, expires_at=world["fa"].created_at))
        db.flush()
        invited = service.invited_count(db, world["fa"])
    text = " ".join(pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content))
    with i18n.locale("en"):
        rate = i18n.format_percent(n / invited)
    assert f"{invited} people were invited: a response rate of {rate}." in text


def test_the_worksheet_is_prefilled_with_the_priorities(db, catalogue, settings, world):
    text = pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content)
    start = next(k for k, page in enumerate(text) if "Action-planning worksheet" in page and "Owner" in page and k > 2)
    worksheet = " ".join(text[start:])
    for header in ("Owner", "First step", "Date", "Measure of success"):
        assert header in worksheet
    view = view_of(db, catalogue, world)
    for k, o in enumerate(view.opportunities[:narrative.PRIORITIES], 1):
        assert f"{k}. {o.text[:30]}" in worksheet
        if o.actions:
            assert o.actions[0][:30] in worksheet


def test_the_contents_give_each_sections_page(db, catalogue, settings, world):
    text = pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content)
    contents = next(page for page in text if "Contents" in page)
    for title in ("Executive summary", "How to use this report", "Method and confidentiality", "Growth opportunities and next steps",
                  "Action-planning worksheet"):
        m = re.search(re.escape(title) + r"[ .]*?(\d+)", contents)
        assert m, title
        assert title in text[int(m.group(1)) - 1], (title, m.group(1))


def test_the_ranked_list_sends_the_reader_to_each_opportunitys_box_instead_of_repeating_its_actions(db, catalogue, settings, world):
    text = pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content)
    start = next(k for k, page in enumerate(text) if "Growth opportunities and next steps" in page and k > 2)
    listed = " ".join(text[start:])
    listed = listed[listed.index("Growth opportunities and next steps"):listed.index("Action-planning worksheet")]
    view = view_of(db, catalogue, world)
    boxed = service.boxed_opportunities(view)
    row = current_result(db, world["fa"].id)
    html = service._html("reports/partner.html", service.partner_context(catalogue, settings, world["fa"], row, None, "en"), "en", "letter")
    ranked = html[html.index('id="opportunities"'):html.index('id="worksheet"')]
    referred = 0
    for o in view.opportunities:
        head = " ".join(o.text.split()[:6])
        entry = listed[listed.index(head):]
        if o.item_id in boxed:
            where = entry.index("recommended actions in the domain's section")
            assert " ".join(o.actions[0].split()[:6]) not in entry[:where], o.text  # not repeated here
            # the link leads to the box, in the section of the opportunity's domain, where the actions are
            assert f'href="#opp-{o.item_id}"' in ranked
            section = html[html.index(f'id="domain-{o.domain_id}"'):]
            box = section[section.index(f'id="opp-{o.item_id}"'):section.index("</section>")]
            assert str(escape(o.actions[0])) in box
            referred += 1
    assert referred >= 3  # the world's opportunities are boxed in their domains: the list refers, it does not repeat


def test_the_questions_table_counts_each_point_of_the_scale_lowest_first_with_a_key(db, catalogue, settings, world):
    row = current_result(db, world["fa"].id)
    html = service._html("reports/partner.html", service.partner_context(catalogue, settings, world["fa"], row, None, "en"), "en", "letter")
    text = " ".join(pages(service.partner_report(db, catalogue, settings, world["fa"], "en").content))
    view = view_of(db, catalogue, world)
    scale = world["instrument"].scale(world["instrument"].item(view.domains[0].items[0].id).scale)
    options = sorted(scale.options, key=lambda o: o.value)
    key = f"from the lowest to the highest (“{options[0].label.get('en')}” to “{options[-1].label.get('en')}”)"
    assert " ".join(key.split()) in text
    checked = 0
    for d in view.domains:
        section = html[html.index(f'id="domain-{d.id}"'):]
        section = section[:section.index("</section>")]
        for i in d.items:
            points = [c for c in i.distribution if c.point]
            assert [c.label for c in points] == [o.label.get("en") for o in sorted(
                world["instrument"].scale(world["instrument"].item(i.id).scale).options, key=lambda o: o.value)]
            cell = section[section.index(str(escape(i.text))):]
            cell = cell[cell.index('<td class="small">'):cell.index("</td></tr>")]
            assert "\u00a0·\u00a0".join(str(c.n) for c in points) in cell, (i.id, cell)
            for c in i.distribution:
                if not c.point:
                    assert (f"{escape(c.label)}: {c.n}" in cell) == (c.n > 0), (i.id, c, cell)
            assert not any(f"{escape(c.label)}:" in cell for c in points)  # the points' words are in the key, not in every row
            checked += 1
    assert checked == sum(len(d.items) for d in view.domains) > 20


def test_a_domain_with_two_scales_marks_each_rows_scale_with_the_same_letter_throughout_the_report(db, catalogue, world):
    view = view_of(db, catalogue, world)
    true = [views.Count(label, n) for label, n in (("Not true", 1), ("Somewhat true", 2), ("Mostly true", 0), ("Fully true", 3))]
    first, second = view.domains[0], view.domains[1]
    points = [c.label for c in first.items[0].distribution if c.point]
    lowest, highest = points[0], points[-1]
    # The second scale: on the first domain's second question, and on the second domain's first (where it comes first).
    changed = dataclasses.replace(view, domains=[
        dataclasses.replace(first, items=[first.items[0], dataclasses.replace(first.items[1], distribution=true), *first.items[2:]]),
        dataclasses.replace(second, items=[dataclasses.replace(second.items[0], distribution=true), *second.items[1:]]),
        *view.domains[2:]])
    ends, marks = service.answer_scales(changed), service.scale_marks(changed)
    assert ends[first.id] == [("A", lowest, highest), ("B", "Not true", "Fully true")]
    assert ends[second.id] == [("B", "Not true", "Fully true"), ("A", lowest, highest)]
    assert [marks[i.id] for i in first.items[:3]] == ["A", "B", "A"] and [marks[i.id] for i in second.items[:2]] == ["B", "A"]
    assert all(ends[d.id] == [("", lowest, highest)] for d in view.domains[2:])  # one scale: no mark
    assert not any(i.id in marks for d in view.domains[2:] for i in d.items)
    assert service.scale_marks(view) == {} and all(mark == "" for e in service.answer_scales(view).values() for mark, *_ in e)


def test_a_domains_resources_are_listed_once_after_its_growth_opportunities(db, catalogue, settings, world):
    row = current_result(db, world["fa"].id)
    html = service._html("reports/partner.html", service.partner_context(catalogue, settings, world["fa"], row, None, "en"), "en", "letter")
    view = view_of(db, catalogue, world)
    with_resources = 0
    for d in view.domains:
        section = html[html.index(f'id="domain-{d.id}"'):]
        section = section[:section.index("</section>")]
        titles = {title for o in d.opportunities for title, _url in o.resources}
        for title in titles:
            assert section.count(str(escape(title))) == 1, (d.id, title)
        if titles:
            with_resources += 1
            last_box = section.rindex('<div class="box keep" id="opp-')
            assert section.index("for these growth opportunities", last_box) > last_box
    assert with_resources >= 3


def test_quotes_the_lead_chose_are_in_our_own_words(db, catalogue, settings, world):
    row = current_result(db, world["fa"].id)
    html = service._html("reports/partner.html", service.partner_context(
        catalogue, settings, world["fa"], row, None, "en", [("What would help?", ["More time & trust <now>"])]), "en", "letter")
    assert "In our own words" in html and "More time &amp; trust &lt;now&gt;" in html
    assert html.index("In our own words") < html.index('id="opportunities"')


def test_plurals_and_the_minus_sign(db, catalogue, settings, world):
    with i18n.locale("en"):
        view = view_of(db, catalogue, world)
        sentences = narrative.gap_sentences(view)
    assert all(not re.search(r"\b1 points\b", s) for s in sentences.values())
    with i18n.locale("en"):
        assert i18n.ngettext("Policy %(policy)s, practice %(practice)s: a gap of %(num)s point.",
                             "Policy %(policy)s, practice %(practice)s: a gap of %(num)s points.", 1, policy=50, practice=49) \
            == "Policy 50, practice 49: a gap of 1 point."
    summary = " ".join(pages(service.cycle_summary(db, catalogue, settings, world["follow"], "en").content))
    assert "▼−34" in summary and "▼-" not in summary
    assert str(presenters.change_mark(-8, "−")) == '<span class="down">▼ −8</span>'


def test_the_domain_chart_labels_a_missing_score_by_its_row_and_gives_the_scores_in_words(db, catalogue, world):
    view = view_of(db, catalogue, world)
    missing = views.DomainView("x", "Community", "", None, None, None, None, None, None, None, [])
    with i18n.locale("en"):
        svg = str(presenters.domain_chart(view, "c"))
        lone = str(presenters.domain_chart(views.ResultView("en", "", "1", 5, None, None, None, view.levels, [missing], [], [], [], False)))
    d = view.domains[0]
    assert f"{d.title}: {d.shown}, {d.level.name}" in svg.split('<title id="c-t">')[1].split("</title>")[0]
    assert "Community: not enough answers" in lone
    # the "not enough answers" label starts where the row's bar would, left of the 100 line, on a white label
    x = float(re.search(r'<rect x="([\d.]+)"[^>]*fill="#fff"[^>]*/><text x="[\d.]+"[^>]*>— · not enough answers', lone).group(1))
    assert 230 < x < 260


def test_a_domain_continued_on_another_page_names_it_in_the_header(db, catalogue, settings, world, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: scripts/test installs poppler-utils")
    pdf = service.partner_report(db, catalogue, settings, world["fa"], "en").content
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    titles = [d.title.get("en") for d in world["instrument"].domains]
    continued = 0
    text = pages(pdf)
    after_domains = next(k for k, page in enumerate(text) if "Growth opportunities and next steps" in page and k > 2)
    for k, page in enumerate(text):
        header = subprocess.run(["pdftotext", "-f", str(k + 1), "-l", str(k + 1), "-y", "0", "-H", "62", "-W", "3000", str(path), "-"],
                                check=True, capture_output=True, text=True).stdout.strip()
        starts = any(page.lstrip().startswith(t) or f" {t} " in page[:400] for t in titles)
        if k > after_domains:  # the ranked list and the worksheet that follow the domains are no domain's continuation
            assert "(continued)" not in header, (k + 1, header)
        if "(continued)" in header:
            continued += 1
            assert any(f"{t} (continued)" in header for t in titles), header
        elif not starts:
            assert not any(t in header for t in titles), header
    assert continued >= 1  # the world's first domain runs over a page
    assert "Growth opportunities in " + titles[0] in " ".join(pages(pdf))


def test_the_pdf_has_creation_and_modification_dates(db, catalogue, settings, world, tmp_path):
    for pdf in (service.partner_report(db, catalogue, settings, world["fa"], "en").content,
                service.cycle_summary(db, catalogue, settings, world["follow"], "en").content):
        meta = PdfReader(io.BytesIO(pdf)).metadata
        assert meta.creation_date is not None and meta.modification_date is not None


def test_the_summary_has_an_executive_summary_method_and_no_lone_row(db, catalogue, settings, world):
    text = pages(service.cycle_summary(db, catalogue, settings, world["follow"], "en").content)
    assert "Executive summary" in text[0] and "Contents" in text[0]
    assert service.backbone_name(db, world["follow"]) in text[0]
    whole = " ".join(text)
    assert "Method and confidentiality" in whole and "may download this summary" in whole
    assert [len(c) for c in service.balanced_chunks(list(range(26)), 25)] == [13, 13]
    assert [len(c) for c in service.balanced_chunks(list(range(51)), 25)] == [17, 17, 17]
    assert service.balanced_chunks([], 25) == []


def test_a_size_band_range_does_not_break(db, catalogue, settings, world):
    html = service._html("reports/summary.html", service.summary_context(db, catalogue, world["follow"], "en"), "en", "letter")
    table = html.split('id="per-partner"')[1].split("</table>")[0]
    ranges = re.findall(r"\d+–.?\d+.people", table)  # the size bands (the legend's level ranges are a line of their own)
    assert ranges and all("\u2060" in r for r in ranges)  # a word joiner after the dash: "11–50 people" never splits there
    assert all("\u00a0people" in r for r in ranges)  # and a no-break space before "people"



def figure_alts(pdf: bytes) -> list[str]:
    """The alternative text (/Alt) of every Figure in the PDF's structure tree, in reading order."""
    out: list[str] = []

    def walk(node) -> None:  # type: ignore[no-untyped-def]
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return  # a marked-content id
        if node.get("/S") == "/Figure":
            out.append(str(node.get("/Alt", "")))
        if "/K" in node:
            walk(node["/K"])

    walk(PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/StructTreeRoot"])
    return out


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_chart_in_the_pdfs_gives_its_values_in_words_to_a_screen_reader(db, catalogue, settings, world, lang):
    report = service.partner_report(db, catalogue, settings, world["fa"], lang).content
    alts = figure_alts(report)
    assert alts and all(alts), alts  # every figure has an alternative text
    view = views.build_view(current_result(db, world["fa"].id).data, world["instrument"], lang)
    with i18n.locale(lang):
        overview = next(a for a in alts if a.startswith(i18n.gettext("Score and readiness level per domain")))
        for d in view.domains:
            if d.shown is not None and d.level is not None:
                assert i18n.gettext("%(domain)s: %(score)s, %(level)s", domain=d.title, score=d.shown, level=d.level.name) in overview
    summary = figure_alts(service.cycle_summary(db, catalogue, settings, world["follow"], lang).content)
    with i18n.locale(lang):
        chart = next(a for a in summary if a.startswith(i18n.gettext("How many partners are at each readiness level, per domain")))
        assert i18n.gettext("Partners per readiness level and domain: %(counts)s.").split("%")[0] in chart
    assert re.search(r"\d", chart)  # the counts, not only the title
