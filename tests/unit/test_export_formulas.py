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


def test_a_list_of_codes_stays_a_list_in_json_and_is_one_cell_in_csv_and_xlsx():
    import json

    from app.exports import formats
    from app.exports.sheets import Coded, Sheet

    sheet = Sheet("t", ["race_ethnicity", "n"], ["Race or ethnicity", "N"], [[Coded(["black", "latine"], "Black; Latine"), 3]])
    assert json.loads(formats.to_json(sheet, {}))["rows"] == [{"race_ethnicity": ["black", "latine"], "n": 3}]
    sheet = Sheet("t", ["race_ethnicity", "n"], ["Race or ethnicity", "N"], [[Coded(["black", "latine"], "Black; Latine"), 3]])
    assert formats.to_csv(sheet, values="codes").decode("utf-8-sig").splitlines()[1] == "black; latine,3"
    sheet = Sheet("t", ["race_ethnicity", "n"], ["Race or ethnicity", "N"], [[Coded(["black", "latine"], "Black; Latine"), 3]])
    assert formats.to_csv(sheet, values="labels", headers="codes").decode("utf-8-sig").splitlines() == ["race_ethnicity,n", "Black; Latine,3"]
