"""The respondent's answers are never lost without a word: a post after the session ended, every way off a question
page saving first, the review listing the answers, the self-description kept for the respondent alone."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app import i18n
from app.assessments import service
from app.assessments.models import Response as ResponseRow
from app.auth import invitations
from app.auth.models import Invitation
from app.exports.service import export_file
from app.organizations.models import Role
from tests import factories as f
from tests.web.test_respond import invite, open_link, world  # noqa: F401  (the fixture)


def es(msgid: str, **values: object) -> str:
    """A message as the Spanish page shows it (the English text until the catalogue has its translation)."""
    with i18n.locale("es"):
        return i18n.gettext(msgid, **values)


@pytest.fixture
def started(client, db, world, csrf):  # noqa: F811
    """A respondent in Spanish, past the welcome page; their response id."""
    welcome = open_link(client, invite(client, db, world, csrf)[0])
    assert client.post(welcome, data={"role_group": "staff", "csrf_token": csrf}).status_code == 303
    return int(welcome.split("/")[2])


def text_item(world):  # noqa: F811
    return next(i for i in world["instrument"].items if i.type.value == "short_text")


def rated(world, domain="leadership"):  # noqa: F811
    return [i for i in world["instrument"].items if i.domain == domain and i.is_rated]


def page_form(csrf, items, **extra):
    return {"csrf_token": csrf, "instrument": "equity-self-assessment@1.0", "page_lang": "es", **extra,
            **{i.id: "2" for i in items}}


def test_save_and_continue_after_signing_out_says_not_saved_and_gives_the_text_back(client, db, world, csrf, started):  # noqa: F811
    item = text_item(world)
    client.cookies.delete("reassess_session")  # signed out in another tab
    typed = "Nuestro consejo <asesor> de familias se reúne cada mes."
    r = client.post(f"/respond/{started}/page/domain-{item.domain}", data=page_form(csrf, [], nav="next") | {item.id: typed},
                    follow_redirects=False)
    assert r.status_code == 401 and "location" not in r.headers  # not the sign-in page, which would lose the answers
    assert r.headers["cache-control"] == "no-store"
    assert '<html lang="es">' in r.text and es("Your answers were not saved") in r.text
    assert "Nuestro consejo &lt;asesor&gt; de familias se reúne cada mes.</textarea>" in r.text  # escaped, read-only, to copy
    assert "readonly" in r.text and item.text.get("es") in r.text
    assert es("Open your invitation link again (it is in your invitation email). If it asks for your return code, enter it.") in r.text
    db.expire_all()
    assert item.id not in service.answers_of(db, started)
    same = client.post(f"/respond/{started}/page/domain-{item.domain}", data=page_form(csrf, [], nav="next") | {item.id: "x", f"orig-{item.id}": "x"})
    assert same.status_code == 401 and es("Your session has ended") in same.text and "</textarea>" not in same.text  # nothing new was lost


def test_a_revoked_link_or_another_account_is_not_saved_either_and_choices_come_back_as_labels(client, db, world, csrf, started):  # noqa: F811
    items = rated(world)
    other = f.user(db, world["org"], Role.respondent)
    f.sign_in(client, db, other)  # another account in the same browser
    r = client.post(f"/respond/{started}/page/domain-leadership", data=page_form(csrf, items[:1], nav="next"), follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers  # as for any response out of reach
    scale = world["instrument"].scale(items[0].scale)
    assert next(o.label.get("es") for o in scale.options if o.value == 2) in r.text
    auto = client.post(f"/respond/{started}/answer", json={"item_id": items[0].id, "value": "2"}, headers={"X-CSRF-Token": csrf})
    assert auto.status_code == 404 and auto.json()["ok"] is False and auto.json()["reason"] == "session"

    invitation = db.scalar(select(Invitation).where(Invitation.email == "ana@example.org"))
    invitations.revoke(db, invitation, None)
    db.commit()
    client.cookies.delete("reassess_session")
    gone = client.post(f"/respond/{started}/answer", json={"item_id": items[0].id, "value": "2"}, headers={"X-CSRF-Token": csrf},
                       follow_redirects=False)
    assert gone.status_code == 401 and gone.headers["content-type"] == "application/json" and gone.json()["reason"] == "session"
    db.expire_all()
    assert items[0].id not in service.answers_of(db, started)


@pytest.mark.parametrize(("extra", "target"), [
    ({"go": "step:domain-policies"}, "/page/domain-policies"),
    ({"go": "review"}, "/review"),
    ({"go": "list"}, "/respond"),
    ({"switch_lang": "en"}, "/page/domain-leadership?lang=en"),
    ({"go": "step:nowhere"}, "/page/domain-leadership?flash=saved"),
    ({"go": "signout"}, "/login?flash=signed-out"),
])
def test_every_way_off_a_question_page_saves_it_first(client, db, world, csrf, started, extra, target):  # noqa: F811
    items = rated(world)
    r = client.post(f"/respond/{started}/page/domain-leadership", data=page_form(csrf, items, **extra))
    assert r.status_code == 303 and r.headers["location"].endswith(target)
    db.expire_all()
    assert all(service.answers_of(db, started)[i.id].value == 2 for i in items)


def test_save_and_sign_out_ends_the_session_after_saving(client, db, world, csrf, started):  # noqa: F811
    items = rated(world)
    assert client.post(f"/respond/{started}/page/domain-leadership", data=page_form(csrf, items, go="signout")).status_code == 303
    again = client.get(f"/respond/{started}/page/domain-leadership")
    assert again.status_code in (303, 401) and "/login" in again.headers.get("location", "/login")
    db.expire_all()
    assert all(service.answers_of(db, started)[i.id].value == 2 for i in items)


def test_the_question_page_has_one_default_button_first_and_buttons_for_every_way_off(client, db, world, csrf, started):  # noqa: F811
    page = client.get(f"/respond/{started}/page/domain-leadership")
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    first_submit = html.index('type="submit"')
    assert 'class="default-submit"' in html[first_submit - 20:first_submit + 120] and 'value="next"' in html[first_submit:first_submit + 120]
    assert html.index('name="switch_lang"') > first_submit
    side = html[html.index('class="section-list"'):]
    assert f'href="/respond/{started}/' not in side  # the side list's steps are buttons of the form, not links
    assert 'name="go" value="step:domain-policies"' in html and 'name="go" value="review"' in html
    assert html.index('name="go" value="review"') < html.index('class="q"')  # "Review and submit" before the questions


def test_review_lists_the_answers_with_a_way_to_change_each_and_a_submitted_response_shows_thanks(client, db, world, csrf, started):  # noqa: F811
    items = rated(world)
    item = text_item(world)
    client.post(f"/respond/{started}/page/domain-leadership", data=page_form(csrf, items, nav="next"))
    client.post(f"/respond/{started}/answer", json={"item_id": item.id, "text": "Un grupo asesor"}, headers={"X-CSRF-Token": csrf})
    review = client.get(f"/respond/{started}/review")
    assert review.status_code == 200 and review.headers["cache-control"] == "no-store"
    scale = world["instrument"].scale(items[0].scale)
    label = next(o.label.get("es") for o in scale.options if o.value == 2)
    row = review.text[review.text.index(f'id="answer-{items[0].id}"'):]
    row = row[:row.index("</div>")]
    assert items[0].text.get("es") in row and label in row and f'href="/respond/{started}/page/domain-leadership#q-{items[0].id}"' in row
    assert "Un grupo asesor" in review.text and es("Not answered") in review.text
    assert client.post(f"/respond/{started}/submit", data={"csrf_token": csrf, "confirm": "yes"}).status_code == 303
    for path in ("review", "page/domain-leadership", "welcome"):  # "back" after submitting: the thank-you page
        again = client.get(f"/respond/{started}/{path}", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].endswith("/done")


def test_the_self_description_is_kept_for_the_respondent_cleaned_bounded_and_cleared(client, db, world, csrf, started):  # noqa: F811
    welcome = f"/respond/{started}/welcome"
    r = client.post(welcome, data={"role_group": "staff", "race_ethnicity": ["self_describe"], "csrf_token": csrf,
                                   "self_description": "  Afro\x00latina \x0b y  <orgullosa>  "})
    assert r.status_code == 303
    db.expire_all()
    assert db.get(ResponseRow, started).self_description == "Afrolatina y <orgullosa>"
    shown = client.get(welcome).text
    assert 'value="Afrolatina y &lt;orgullosa&gt;"' in shown
    assert "Afrolatina y &lt;orgullosa&gt;" in client.get(f"/respond/{started}/review").text
    long = client.post(welcome, data={"role_group": "staff", "race_ethnicity": ["self_describe"], "csrf_token": csrf,
                                      "self_description": "x" * 201})
    assert long.status_code == 422 and 'id="err-self_description"' in long.text and "x" * 201 in long.text  # kept, to shorten
    db.expire_all()
    assert db.get(ResponseRow, started).self_description == "Afrolatina y <orgullosa>"
    client.post(welcome, data={"role_group": "staff", "race_ethnicity": ["multiracial"], "csrf_token": csrf,
                               "self_description": "Afrolatina y <orgullosa>"})
    db.expire_all()
    assert db.get(ResponseRow, started).self_description is None  # the option unticked: the words are deleted


def test_the_self_description_is_never_exported(db, world, catalogue, settings):  # noqa: F811
    cycle = world["cycle"]
    cycle.anonymous = False  # named: every detail of a response could be shown
    secret = "Mi descripción privada 7f3a"
    for n in range(6):
        person = f.user(db, world["org"], Role.respondent, password=None)
        response = service.get_or_start_response(db, world["assessment"], person.id, "es")
        service.set_respondent_profile(db, catalogue, response, "staff", ["self_describe"])
        response.self_description = secret
        for item in rated(world):
            service.save_answer(db, catalogue, response, service.AnswerInput(item.id, value=str(1 + n % 3)))
        service.submit_response(db, response, person.id)
    db.flush()
    service.submit_assessment(db, catalogue, world["assessment"], world["lead"].id, settings.min_group_size)
    db.flush()
    for kind in ("results", "items", "answers"):
        for fmt in ("csv", "json"):
            out = export_file(db, catalogue, cycle, kind, fmt, "es", settings.min_group_size, world["admin"].id)
            assert secret.encode() not in out.content, (kind, fmt)
    answers = json.loads(export_file(db, catalogue, cycle, "answers", "json", "es", settings.min_group_size, world["admin"].id).content)
    assert "Afro" not in json.dumps(answers) and len(json.dumps(answers)) > 1000  # the answers themselves are there


def test_the_welcome_pages_language_switch_saves_what_was_chosen_first(client, db, world, csrf):  # noqa: F811
    welcome = open_link(client, invite(client, db, world, csrf)[0])
    page = client.get(welcome).text
    assert 'form="welcome-form" name="switch_lang" value="en"' in page
    nothing = client.post(welcome, data={"switch_lang": "en", "csrf_token": csrf})
    assert nothing.status_code == 303 and nothing.headers["location"].endswith("/welcome?lang=en")
    chosen = client.post(welcome, data={"role_group": "staff", "switch_lang": "en", "csrf_token": csrf})
    assert chosen.status_code == 303 and chosen.headers["location"].endswith("/welcome?lang=en")
    db.expire_all()
    assert db.get(ResponseRow, int(welcome.split("/")[2])).role_group == "staff"
