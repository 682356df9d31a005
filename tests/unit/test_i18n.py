"""Message formatting: plural forms whose templates carry placeholders of their own."""

from __future__ import annotations

from app import i18n
from app.web.templating import env


def test_ngettext_leaves_the_templates_own_placeholders_for_jinja():
    assert i18n.ngettext("%(num)s a of %(org)s", "%(num)s b of %(org)s", 2) == "2 b of %(org)s"
    assert i18n.ngettext("%(num)s a of %(org)s", "%(num)s b of %(org)s", 1, org="X") == "1 a of X"
    template = '{{ ngettext("%(num)s x of %(org)s", "%(num)s xs of %(org)s", 3, org="O") }}'
    assert env.from_string(template).render() == "3 xs of O"
