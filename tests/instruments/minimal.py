"""A minimal valid instrument written out as YAML text, and helpers to place instrument files in a folder.

Tests break it with one textual change each, so every expected message can name an exact line.
"""

from __future__ import annotations

from pathlib import Path

MINIMAL = """\
id: mini
version: "1.0"
title: {en: Mini assessment, es: Evaluación mínima}
description: {en: A small instrument for tests., es: Un instrumento pequeño para pruebas.}
attribution: {en: Written for the tests., es: Escrito para las pruebas.}
source_language: en
languages: [en, es]
published: 2026-01-15
scales:
  - id: implementation
    options:
      - {value: 0, label: {en: Not yet started, es: Aún no se ha iniciado}}
      - {value: 1, label: {en: Early stages, es: En etapas iniciales}}
      - {value: 2, label: {en: Making progress, es: En progreso}}
      - {value: 3, label: {en: Fully in place, es: Plenamente establecido}}
    dont_know: {en: Don't know, es: No sé}
levels:
  - id: emerging
    min_score: 0
    name: {en: Emerging, es: Incipiente}
    description: {en: Little is in place., es: Hay poco establecido.}
  - id: leading
    min_score: 50
    name: {en: Leading, es: Referente}
    description: {en: Most is in place., es: Casi todo está establecido.}
domains:
  - id: leadership
    title: {en: Leadership, es: Liderazgo}
    introduction: {en: How leaders commit., es: Cómo se compromete la dirección.}
items:
  - id: leadership-01
    domain: leadership
    step: 1
    type: rated
    focus: policy
    scale: implementation
    text: {en: Our board adopted a written equity policy., es: Nuestra junta adoptó una política de equidad por escrito.}
    guidance:
      why: {en: A written policy outlasts people., es: Una política escrita perdura más que las personas.}
      actions:
        - {en: Draft the policy with staff., es: Redacte la política con el personal.}
        - {en: Put it to a board vote., es: Sométala a votación de la junta.}
  - id: leadership-02
    domain: leadership
    step: 4
    type: long_text
    text: {en: Describe how leaders are held accountable., es: Describa cómo la dirección rinde cuentas.}
respondent:
  role_group:
    id: role_group
    type: single_choice
    text: {en: "Your role?", es: "¿Su función?"}
    options:
      - {id: staff, label: {en: Staff, es: Personal}}
"""

# The number of user-visible strings (Text values) in MINIMAL.
MINIMAL_STRINGS = 21


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def write(root: Path, text: str, instrument_id: str = "mini", version: str = "1.0") -> Path:
    """Write ``text`` as ``root/<id>/<version>.yaml`` and return its path."""
    path = root / instrument_id / f"{version}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
