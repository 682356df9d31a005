"""A translator adds Vietnamese as docs/translating.md says, in copies of locales/ and surveys/, with no change to
app/: `reassess i18n export --lang vi`, a few strings translated, the instrument's strings exported, translated and
imported as version 1.1.1, REASSESS_LOCALES=en,es,vi. The respondent's email and pages, the lead's result page and the
PDF report appear in Vietnamese; what is not translated yet is shown in English and counted on the Languages page."""

from __future__ import annotations

import email
import email.policy
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from app import i18n
from app.assessments import service
from app.assessments.catalogue import check_languages
from app.assessments.models import Answer, Assessment
from app.assessments.service import AnswerInput
from app.auth import invitations
from app.auth.models import InvitationPurpose
from app.cli import main as reassess
from app.clock import today
from app.config import ROOT
from app.instruments.loader import InstrumentError, load_catalogue
from app.main import create_app
from app.organizations.models import Role
from tests import factories as f

APP_STRINGS = {  # what the translator got to so far: a few of the application's strings
    "Start": "Bắt đầu",
    "Hello,": "Xin chào,",
    "Your invitation to the racial equity self-assessment of %(org)s": "Lời mời tham gia tự đánh giá công bằng chủng tộc của %(org)s",
    "Download the report (PDF)": "Tải báo cáo (PDF)",
    "Executive summary": "Tóm tắt tổng quan",
}
TITLE_VI = "Tự đánh giá công bằng chủng tộc của tổ chức"
LEADERSHIP_VI = "Cam kết, lãnh đạo và quản trị của tổ chức"


def fill(po: Path, translate) -> None:  # type: ignore[no-untyped-def]
    catalog = read_po(io.BytesIO(po.read_bytes()))
    for message in catalog:
        if message.id and isinstance(message.id, str):
            message.string = translate(message.id) or ""
    with po.open("wb") as fh:
        write_po(fh, catalog, width=0)


@pytest.fixture(scope="module")
def vi_project(tmp_path_factory):
    """The translator's work, through the commands they are told to run."""
    here = tmp_path_factory.mktemp("vi-copy")
    locales, surveys = here / "locales", here / "surveys"
    shutil.copytree(ROOT / "locales", locales)
    shutil.copytree(ROOT / "surveys", surveys)
    po = here / "vi.po"
    assert reassess(["i18n", "export", "--lang", "vi", "-o", str(po), "--locales-dir", str(locales)]) == 0
    fill(po, APP_STRINGS.get)
    (locales / "vi" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(po, locales / "vi" / "LC_MESSAGES" / "messages.po")
    instrument_po = here / "instrument-vi.po"
    assert reassess(["instruments", "export-strings", "equity-self-assessment", "1.1", "--lang", "vi", "-o", str(instrument_po),
                     "--surveys-dir", str(surveys)]) == 0
    samples = {"Racial Equity Organizational Self-Assessment": TITLE_VI,
               "Organizational commitment, leadership and governance": LEADERSHIP_VI}
    fill(instrument_po, lambda s: samples.get(s, f"(vi) {s}"))
    assert reassess(["instruments", "import-strings", "equity-self-assessment", "1.1", "--lang", "vi", "--po", str(instrument_po),
                     "--new-version", "1.1.1", "--surveys-dir", str(surveys)]) == 0
    assert (surveys / "equity-self-assessment" / "1.1.1.yaml").exists()
    return {"locales": ["en", "es", "vi"], "locales_dir": locales, "surveys_dir": surveys}


@pytest.fixture
def vi_app(settings, engine, connection, vi_project):
    saved = i18n.configuration()
    offered = settings.model_copy(update=vi_project)
    i18n.configure(offered.locales_dir, offered.locales, offered.default_locale)
    catalogue = load_catalogue(offered.surveys_dir)
    app = create_app(offered, engine=engine, catalogue=catalogue, check_database=False)
    app.state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield app
    i18n.configure(*saved)


def submitted_assessment(db, catalogue, cycle, org, lead) -> Assessment:  # type: ignore[no-untyped-def]
    instrument = catalogue.get(cycle.instrument_id, cycle.instrument_version)
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.organization_id == org.id))
    for k in range(5):
        person = f.user(db, org, Role.respondent, password=None)
        response = service.get_or_start_response(db, assessment, person.id, "vi")
        service.set_respondent_profile(db, catalogue, response, "staff" if k else "executive", [])
        db.add_all(Answer(response_id=response.id, item_id=item.id, **service.validate_answer(
            instrument, cycle.depth, AnswerInput(item.id, value=str(instrument.scale(item.scale).max_value))))
            for item in instrument.items if item.is_rated)
        db.flush()
        service.submit_response(db, response, person.id)
    service.submit_assessment(db, catalogue, assessment, lead.id, min_group_size=5)
    return assessment


def test_a_language_added_by_translators_alone_reaches_emails_pages_results_and_reports(vi_app, db, tmp_path):
    settings, catalogue = vi_app.state.settings, vi_app.state.catalogue
    backbone = f.backbone(db, "Cầu Nối Partnership")
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone, "Nhà Cộng Đồng", preferred_language="vi")
    lead = f.user(db, org, Role.partner_lead, language="vi")
    cycle = service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="2026", names={"vi": "Năm 2026"},
                                 instrument=catalogue.get("equity-self-assessment", "1.1.1"), opens_on=today(),
                                 closes_on=today(), partner_ids=[org.id])
    check_languages(db, catalogue, settings.locales, today())  # the cycle's version has every language offered

    # The respondent's invitation, in Vietnamese where it is translated and in English (counted) elsewhere.
    assessment = db.scalar(select(Assessment).where(Assessment.cycle_id == cycle.id))
    issued = invitations.issue(db, settings, email="ban@example.org", language="vi", organization=org,
                               purpose=InvitationPurpose.respond, assessment_id=assessment.id, created_by_id=lead.id)
    name = invitations.send(db, settings, issued, org, cycle, 45)
    db.commit()
    mail = email.message_from_bytes((settings.var_dir / "outbox" / name).read_bytes(), policy=email.policy.default)
    assert mail["Subject"] == \
        "Lời mời tham gia tự đánh giá công bằng chủng tộc của Nhà Cộng Đồng"
    assert "Xin chào," in next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()

    with TestClient(vi_app, base_url="http://testserver") as client:
        client.cookies.set("reassess_csrf", "test-csrf-cookie")
        welcome = client.get(issued.link(settings).removeprefix(settings.base_url))
        assert welcome.status_code == 200 and '<html lang="vi">' in welcome.text, welcome.url
        assert "Bắt đầu" in welcome.text and TITLE_VI in welcome.text and "Tiếng Việt" in welcome.text  # the switch names it

        submitted = submitted_assessment(db, catalogue, cycle, org, lead)
        db.commit()
        f.sign_in(client, db, lead)
        result = client.get(f"/assessments/{submitted.id}/result")
        assert result.status_code == 200 and '<html lang="vi">' in result.text  # the lead's own language
        assert "Tải báo cáo (PDF)" in result.text and LEADERSHIP_VI in result.text and "Năm 2026" in result.text
        report = client.get(f"/assessments/{submitted.id}/report.pdf?lang=vi")
        assert report.status_code == 200 and report.content.startswith(b"%PDF")
        path = tmp_path / "vi.pdf"
        path.write_bytes(report.content)
        text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
        assert "Tóm tắt tổng quan" in text and LEADERSHIP_VI in text
        assert "A4" in subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout

        # The rest fell back to English, visibly: counted, and listed for the partnership's administrators.
        f.sign_in(client, db, admin)
        page = client.get("/backbone/languages?lang=en")
        assert page.status_code == 200 and "Tiếng Việt" in page.text
        done, total = i18n.catalog_counts("vi")
        assert done == len(APP_STRINGS) and total > 1000
        assert f"{done:,} of {total:,} strings" in page.text
        shown = i18n.fallbacks()["vi"]
        assert shown and "Executive summary" not in shown and "Hello," not in shown
        assert "shown untranslated most often" in page.text and "Download the report (PDF)" not in shown


def test_an_open_cycle_whose_instrument_lacks_an_offered_language_stops_start_up_naming_file_and_language(vi_app, db):
    settings, catalogue = vi_app.state.settings, vi_app.state.catalogue
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    service.create_cycle(db, backbone=backbone, actor_id=admin.id, name="Old", instrument=catalogue.get("equity-self-assessment", "1.1"),
                         opens_on=today(), closes_on=today(), partner_ids=[])
    with pytest.raises(InstrumentError) as refused:
        check_languages(db, catalogue, settings.locales, today())
    [problem] = refused.value.problems
    assert problem.startswith(f"{settings.surveys_dir / 'equity-self-assessment' / '1.1.yaml'}: equity-self-assessment 1.1 is used"
                              " by an open or upcoming cycle and has no 'vi'")
    check_languages(db, catalogue, ["en", "es"], today())  # without vi offered, the same cycle is fine


def test_a_right_to_left_language_gets_rtl_pages_and_its_name_from_babel(settings, engine, connection, tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    assert reassess(["i18n", "export", "--lang", "ar", "-o", str(tmp_path / "ar.po"), "--locales-dir", str(locales)]) == 0
    (locales / "ar" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(tmp_path / "ar.po", locales / "ar" / "LC_MESSAGES" / "messages.po")  # nothing translated yet
    saved = i18n.configuration()
    offered = settings.model_copy(update={"locales": ["en", "ar"], "locales_dir": locales})
    i18n.configure(offered.locales_dir, offered.locales, offered.default_locale)
    try:
        app = create_app(offered, engine=engine, catalogue=load_catalogue(ROOT / "surveys"), check_database=False)
        app.state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        with TestClient(app, base_url="http://testserver") as client:
            page = client.get("/login", headers={"Accept-Language": "ar-EG,ar;q=0.9"})
            english = client.get("/login?lang=en")
        assert '<html lang="ar" dir="rtl">' in page.text and 'lang="ar" hreflang="ar">العربية</a>' in english.text
        assert '<html lang="en">' in english.text
        assert i18n.fallbacks()["ar"]  # every string of the page, shown in English and counted
    finally:
        i18n.configure(*saved)


def test_a_catalog_that_cannot_be_read_stops_start_up_naming_the_file(settings, engine, tmp_path):
    from app.config import ConfigError

    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    broken = locales / "vi" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    broken.write_text('msgid "Start"\nmsgstr "Bắt đầu"\nmsgid "Start"\n', encoding="utf-8")  # cut off in the middle
    saved = i18n.configuration()
    offered = settings.model_copy(update={"locales": ["en", "vi"], "locales_dir": locales})
    i18n.configure(offered.locales_dir, offered.locales, offered.default_locale)
    try:
        with pytest.raises(ConfigError) as refused:
            create_app(offered, engine=engine, catalogue=load_catalogue(ROOT / "surveys"), check_database=False)
        assert str(refused.value).startswith(f"{broken}: the catalog cannot be read (")
        assert str(refused.value).endswith("export it again with `reassess i18n export --lang vi`")
    finally:
        i18n.configure(*saved)


def test_a_translation_with_other_placeholders_is_shown_in_english_and_counted(tmp_path):
    locales = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", locales)
    po = tmp_path / "vi.po"
    assert reassess(["i18n", "export", "--lang", "vi", "-o", str(po), "--locales-dir", str(locales)]) == 0
    fill(po, {"Benchmark: %(name)s.": "Chuẩn: %(ten)s.", "Your invitation to the racial equity self-assessment of %(org)s":
              "Lời mời của %(org)s"}.get)
    (locales / "vi" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(po, locales / "vi" / "LC_MESSAGES" / "messages.po")
    saved = i18n.configuration()
    i18n.configure(locales, ["en", "vi"], "en")
    try:
        with i18n.locale("vi"):
            assert i18n.gettext("Your invitation to the racial equity self-assessment of %(org)s", org="X") == "Lời mời của X"
            before = i18n.fallbacks().get("vi", {}).get("Benchmark: %(name)s.", 0)
            assert i18n.gettext("Benchmark: %(name)s.", name="Ana") == "Benchmark: Ana."  # not a KeyError on the reader's page
            assert i18n.fallbacks()["vi"]["Benchmark: %(name)s."] == before + 1
    finally:
        i18n.configure(*saved)


def test_a_new_cycle_needs_a_version_with_every_language_offered(vi_app, db, csrf):
    backbone = f.backbone(db)
    admin = f.user(db, backbone, Role.backbone_admin)
    org = f.partner(db, backbone)
    headers = f.api_token(db, admin)
    db.commit()
    body = {"name": "2027", "instrument_id": "equity-self-assessment", "instrument_version": "1.1", "opens_on": str(today()),
            "closes_on": str(today()), "partner_ids": [org.id]}
    with TestClient(vi_app, base_url="http://testserver") as client:
        refused = client.post("/api/v1/cycles?lang=en", json=body, headers=headers)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "instrument_version"
        assert refused.json()["detail"] == ("This version has no text in Tiếng Việt, which the partnership offers: choose a "
                                            "version that has every language.")
        assert client.post("/api/v1/cycles", json={**body, "instrument_version": "1.1.1"}, headers=headers).status_code == 201
        client.cookies.set("reassess_csrf", "test-csrf-cookie")
        f.sign_in(client, db, admin)
        form = client.post("/backbone/cycles?lang=es", data={"csrf_token": csrf, "name": "2027", "instrument": "equity-self-assessment@1.0",
                                                              "opens_on": str(today()), "closes_on": str(today()), "partners": str(org.id)})
        assert form.status_code == 422 and "Esta versión no tiene textos en Tiếng Việt" in form.text
