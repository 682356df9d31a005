"""Every email, in the pseudo-locale: each of its strings translated (in brackets), subject, text and HTML alike."""

from __future__ import annotations

import re

import pytest

from app import i18n
from app.mail import render_mail
from tests.languages import PSEUDO, pseudo_world, untranslated

DATA = {"org": "Alder School District", "backbone": "Dashboard Backbone", "cycle": "Follow-up", "link": "http://testserver/x",
        "expires": "[1]", "closes": "[2]", "date": "[3]", "minutes": 45, "hours": 2, "name": "Ana"}
VARIANTS = {  # the branches each template has, by the context that selects them
    "invitation": [{"purpose": p, "account_link": p != "respond", "reminder": r, "replaces_earlier": r}
                   for p in ("respond", "partner_lead", "backbone_admin", "backbone_analyst", "plan_editor") for r in (False, True)],
    "announcement": [{}], "check_in": [{}], "lead_reminder": [{}], "password_reset": [{}],
}


@pytest.fixture(scope="module")
def offered(tmp_path_factory):
    extra, _catalogue = pseudo_world(tmp_path_factory.mktemp("pseudo-mail"))
    saved = i18n.configuration()
    i18n.configure(extra["locales_dir"], extra["locales"], "en")
    yield
    i18n.configure(*saved)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_email_in_the_pseudo_locale_is_translated_throughout(offered, name):
    for variant in VARIANTS[name]:
        subject, text, html = render_mail(name, PSEUDO, {**DATA, **variant})
        visible = re.sub(r"<style.*?</style>|<[^>]+>", " ", html, flags=re.S)
        for part, content in (("subject", subject), ("text", text), ("html", visible)):
            left = untranslated(content, [str(v) for v in DATA.values()])
            assert not left, f"{name} {variant} {part}: {sorted(set(left))}"
        assert subject.startswith("[")
    assert untranslated(render_mail(name, "en", {**DATA, **VARIANTS[name][0]})[1], [str(v) for v in DATA.values()])  # English fails
