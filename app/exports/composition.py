"""The composition export of a cycle: one row per partner, level, dimension and category, masked exactly as the pages
(app.composition.service.compare_rows / parity.level_view: one masking code path), read against the partnership's
benchmark; then the benchmark's own rows (level "benchmark", no partner), so that every index can be checked.

A hidden count is empty, with ``suppressed`` true ("fewer than N"); a level with fewer people than the minimum has its
total only (``totals_only`` true). Partners without counts are named in the notes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import i18n
from app.assessments.cycles import instrument_of
from app.assessments.models import Assessment, Cycle
from app.composition import parity
from app.composition import service as composition
from app.exports.sheets import Coded, Options, Sheet, sector, size
from app.i18n import gettext as _
from app.instruments.loader import Catalogue
from app.organizations.models import Organization


def columns() -> list[tuple[str, str]]:
    return [("partner_id", _("Partner id")), ("partner", _("Partner")), ("sector", _("Sector")), ("size_band", _("Size")),
            ("cycle", _("Cycle")), ("as_of", _("Counts as of")), ("source", _("Source")), ("level", _("Level of seats")),
            ("dimension", _("Dimension")), ("category", _("Category")), ("count", _("Count")), ("suppressed", _("Hidden (small count)")),
            ("share", _("Share (%)")), ("share_below", _("Share under (%)")), ("share_of", _("Share of")),
            ("benchmark_share", _("Benchmark share (%)")), ("representation_index", _("Representation index")),
            ("totals_only", _("Totals only (small level)"))]


def _dimensions() -> dict[str, str]:
    return {"total": _("Total"), "race": _("Race or ethnicity"), "gender": _("Gender")}


def dictionary_rows(catalogue: Catalogue, cycle: Cycle, keys: list[str], minimum: int) -> list[list[Any]]:
    """The composition export's coded fields for the data dictionary (variables ``composition.level`` and so on, in the
    dictionary's columns): their codes and labels in each of the instrument's languages."""
    race = composition.race_of(catalogue, cycle)
    fields: dict[str, dict[str, list[tuple[Any, str]]]] = {}
    for lang in instrument_of(catalogue, cycle).languages:
        with i18n.locale(lang):
            labels = composition.labels(catalogue, cycle, lang)
            categories = ["all", *race, parity.POC, parity.UNREPORTED, *(g for g in parity.GENDERS if g != parity.UNKNOWN)]
            words = {
                "composition.level": [(lv, labels[lv]) for lv in parity.LEVELS] + [("benchmark", _("Benchmark"))],
                "composition.dimension": list(_dimensions().items()),
                "composition.category": [(c, _("Everyone at the level") if c == "all" else labels.get(c, c)) for c in categories],
                "composition.suppressed": [(True, _("fewer than %(n)s", n=minimum)), (False, "")],
                "composition.share_of": [("known", _("people whose race or gender is known")), ("all", _("all people at the level"))],
            }
        for variable, pairs in words.items():
            fields.setdefault(variable, {})[lang] = pairs
    rows = []
    for variable, per_lang in fields.items():
        row = dict.fromkeys(keys)
        row.update({"variable": variable, "section": "field"})
        for lang, pairs in per_lang.items():
            row[f"values_{lang}"] = " | ".join(f"{code}, {label}" for code, label in pairs)
        rows.append([row[k] for k in keys])
    return rows


def composition_sheet(db: Session, catalogue: Catalogue, cycle: Cycle, lang: str, minimum: int, opts: Options | None = None) -> Sheet:
    opts = opts or Options()
    q = select(Organization).join(Assessment, Assessment.organization_id == Organization.id).where(Assessment.cycle_id == cycle.id)
    if opts.sector:
        q = q.where(Organization.sector == opts.sector)
    if opts.size:
        q = q.where(Organization.size_band == opts.size)
    partners = list(db.scalars(q.order_by(func.lower(Organization.name), Organization.id)))
    labels = composition.labels(catalogue, cycle, lang)
    views = composition.compare_rows(db, catalogue, cycle, partners, minimum)
    fewer = _("fewer than %(n)s", n=minimum)
    dims = {code: Coded(code, label) for code, label in _dimensions().items()}
    share_of = {"known": Coded("known", _("people whose race or gender is known")), "all": Coded("all", _("all people at the level"))}
    yes_small = Coded(True, _("fewer than %(n)s people: totals only", n=minimum))
    hidden, shown = Coded(True, fewer), Coded(False, "")
    rows: list[list[Any]] = []
    missing: list[str] = []

    def cat(code: str) -> Coded:
        return Coded(code, _("Everyone at the level") if code == "all" else labels.get(code, code))

    def add(prefix: list[Any], dim: str, code: str, c: parity.Cell, denominator: str | None) -> None:
        if c.missing or (code == parity.UNREPORTED and not c.masked and not c.count):
            return
        rows.append([*prefix, dims[dim], cat(code), c.count, hidden if c.masked else shown, c.share, c.share_below,
                     share_of.get(denominator or "") if c.share is not None or c.share_below is not None else None,
                     c.benchmark, c.index, Coded(False, "")])

    for v in views:
        org = v.org
        if not v.reported:
            missing.append(org.name)
            continue
        head = [org.id, org.name, sector(org.sector), size(org.size_band), cycle.name_in(lang),
                v.composition.as_of if v.composition else None, v.composition.source or None if v.composition else None]
        for level in parity.LEVELS:
            lv = v.levels[level]
            if not lv.reported:
                continue
            lvc = Coded(level, labels[level])
            rows.append([*head, lvc, dims["total"], cat("all"), lv.total, shown, None, None, None, None, None,
                         yes_small if lv.small else Coded(False, "")])
            if lv.small:
                continue

            for code in v.race:
                add([*head, lvc], "race", code, lv.race[code], lv.denominator)
            if not lv.poc.missing:
                add([*head, lvc], "race", parity.POC, lv.poc, lv.denominator)
                add([*head, lvc], "race", parity.UNREPORTED, lv.unreported, lv.denominator)
            for code in parity.GENDERS:
                if code in lv.gender:
                    add([*head, lvc], "gender", code, lv.gender[code], "known")
            add([*head, lvc], "gender", parity.UNREPORTED, lv.gender_unreported, "known")
    bench = composition.benchmark_of(db, cycle.backbone_id)
    if bench is not None:
        race = composition.race_of(catalogue, cycle)
        poc = round(sum(float(bench.shares.get(c, 0)) for c in parity.color_categories(race)), 1)
        level = Coded("benchmark", _("Benchmark"))
        head = [None, None, None, None, cycle.name_in(lang), None, " — ".join(x for x in (bench.name, bench.source) if x)]
        for code in [*parity.benchmark_categories(race), parity.POC]:
            value = poc if code == parity.POC else float(bench.shares.get(code, 0))
            rows.append([*head, level, dims["race"], cat(code), None, shown, None, None, None, value, None, Coded(False, "")])
    notes = [_("Partners without counts in this cycle: %(names)s.", names=", ".join(missing))] if missing else []
    cols = columns()
    return Sheet(_("Composition"), [k for k, _h in cols], [h for _k, h in cols], rows, notes, notes_title=_("Notes"))
