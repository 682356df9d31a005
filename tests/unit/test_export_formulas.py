"""Export cells: text a spreadsheet would run as a formula is neutralised, however it is disguised; other text passes."""

from __future__ import annotations

import pytest

from app.exports.formats import safe


@pytest.mark.parametrize("text", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",  # the plain forms
    "＝1+1", "＋1", "－1", "＠SUM(A1)",  # full-width signs (NFKC makes them = + - @)
    "\u200b=1+1", "\ufeff=HYPERLINK(\"http://evil.example\")", "\u2060\u200d=1",  # invisible format characters (Cf)
    " =1", "\u00a0=1", "\u3000=1", "\n=1", " \u200b ＝1",  # leading whitespace, and a mix
])
def test_formulas_are_neutralised_with_a_leading_apostrophe(text):
    assert safe(text) == "'" + text


@pytest.mark.parametrize("text", ["", "   ", "Alder School District", "Año 2026: 3 = 1 + 2", "e-mail", "ana@example.org",
                                  "\u200bhello", " plain", "（注）", "Ω", "1,5"])
def test_normal_text_is_unchanged(text):
    assert safe(text) == text


def test_other_values_pass_and_control_characters_go():
    assert safe(3) == 3 and safe(None) is None and safe(2.5) == 2.5
    assert safe("a\x00b\x07c") == "abc"
