"""Message formatting: plural forms whose templates carry placeholders of their own."""

from __future__ import annotations

from app import i18n
from app.web.templating import env


def test_ngettext_leaves_the_templates_own_placeholders_for_jinja():
    assert i18n.ngettext("%(num)s a of %(org)s", "%(num)s b of %(org)s", 2) == "2 b of %(org)s"
    assert i18n.ngettext("%(num)s a of %(org)s", "%(num)s b of %(org)s", 1, org="X") == "1 a of X"
    template = '{{ ngettext("%(num)s x of %(org)s", "%(num)s xs of %(org)s", 3, org="O") }}'
    assert env.from_string(template).render() == "3 xs of O"


def test_a_signed_figure_has_a_minus_sign_its_locales_digits_and_no_sign_for_nothing():
    from app.web.presenters import target_value

    with i18n.locale("es"):
        assert [i18n.format_signed(v) for v in (4, -3, 0, -0.4, None)] == ["+4", "\u22123", "0", "0", "—"]
        assert i18n.format_signed(-29.6, 1) == "\u221229,6" and i18n.format_signed(1234) == "+" + i18n.format_number(1234)
        assert target_value("composition_gap", -29.63) == "\u221229,6" and target_value("median_change", 16.6) == "+17"
        assert target_value("share_at_level", 85.7) == "86 %" and target_value("median_change", -0.2) == "0"
    with i18n.locale("en"):
        assert i18n.format_signed(-1234.5, 1) == "\u22121,234.5" and target_value("composition_gap", 6.2) == "+6.2"
