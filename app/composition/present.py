"""Composition in words and charts, for the pages and the reports alike: what a reader is shown of a partner's counts
(already masked by app.composition.parity), in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from babel.lists import format_list as _format_list
from markupsafe import Markup

from app import charts, i18n
from app.composition import parity
from app.composition.service import PartnerView
from app.i18n import gettext as _
from app.i18n import ngettext


def _list(items: list[str]) -> str:
    return _format_list(items, locale=i18n.babel_locale(i18n.get_locale()))


def level_phrases() -> dict[str, str]:
    """The levels as they read inside a sentence ("45 % of all staff and 20 % of the board")."""
    return {"staff": _("all staff"), "managers": _("the managers"), "leadership": _("the executive leadership"),
            "board": _("the board"), "served": _("the people served")}


def shown_share(cell: parity.Cell, minimum: int) -> str:
    if cell.missing:
        return _("not reported")
    if cell.masked:
        if cell.share_below is not None:
            return _("fewer than %(n)s (under %(share)s)", n=minimum, share=i18n.format_percent(cell.share_below / 100))
        return _("fewer than %(n)s", n=minimum)
    return i18n.format_percent(cell.share / 100) if cell.share is not None else "—"


def pipeline_svg(view: PartnerView, labels: Mapping[str, str], minimum: int, chart_id: str = "pipeline") -> Markup:
    """The way up (staff, managers, leadership, board): the share of people of color at each level against the benchmark."""
    rows = []
    for level in parity.PIPELINE:
        lv = view.levels[level]
        if not lv.reported:
            rows.append(charts.ShareRow(labels[level], None, _("not reported")))
        elif lv.small:
            rows.append(charts.ShareRow(labels[level], None, _("%(count)s people: fewer than %(n)s, totals only",
                                                               count=i18n.format_number(lv.total), n=minimum)))
        elif lv.poc.share is None:
            rows.append(charts.ShareRow(labels[level], None, shown_share(lv.poc, minimum)))
        else:
            rows.append(charts.ShareRow(labels[level], lv.poc.share, i18n.format_percent(lv.poc.share / 100)))
    bench = view.levels["staff"].poc.benchmark if view.benchmark else None
    if bench is None and view.benchmark is not None:
        bench = round(sum(float(view.benchmark.shares.get(c, 0)) for c in parity.color_categories(view.race)), 1)
    bench_label = _("%(name)s: %(share)s", name=view.benchmark.name, share=i18n.format_percent(bench / 100)) if view.benchmark and bench is not None else ""
    description = "; ".join(f"{r.label}: {r.shown}" for r in rows) + (f"; {bench_label}" if bench_label else "")
    return charts.pipeline(rows, bench, bench_label, title=_("People of color at each level"), description=description, chart_id=chart_id)


def benchmark_poc(view: PartnerView) -> float | None:
    if view.benchmark is None:
        return None
    return round(sum(float(view.benchmark.shares.get(c, 0)) for c in parity.color_categories(view.race)), 1)


def summary_sentences(view: PartnerView, previous: PartnerView | None, labels: Mapping[str, str], minimum: int) -> list[str]:
    """What the counts show, in plain words: each level's share of people of color against the benchmark, where it drops
    most on the way up, and what moved since the earlier cycle. Only shown figures are named."""
    out: list[str] = []
    phrases = level_phrases()
    shares = [(phrases[lv], view.levels[lv].poc.share) for lv in parity.PIPELINE if view.levels[lv].poc.share is not None]
    if shares:
        listed = _list([_("%(share)s of %(level)s", share=i18n.format_percent(s / 100), level=name)
                                   for name, s in shares])
        bench = benchmark_poc(view)
        if bench is not None and view.benchmark is not None:
            out.append(_("People of color are %(list)s, against %(bench)s of %(population)s.", list=listed,
                         bench=i18n.format_percent(bench / 100), population=view.benchmark.name))
        else:
            out.append(_("People of color are %(list)s.", list=listed))
    drop = view.drop
    if drop is not None and drop.lower_share - drop.upper_share >= 5:
        out.append(_("Representation drops most between %(lower)s and %(upper)s: from %(a)s to %(b)s.", lower=phrases[drop.lower],
                     upper=phrases[drop.upper], a=i18n.format_percent(drop.lower_share / 100), b=i18n.format_percent(drop.upper_share / 100)))
    small = [labels[lv] for lv in parity.PIPELINE if view.levels[lv].small]
    if small:
        out.append(_("Fewer than %(n)s people at a level are shown as a total only: %(levels)s.", n=minimum, levels=_list(small)))
    if previous is not None:
        moves = []
        for lv in parity.PIPELINE:
            a, b = previous.levels[lv].poc.share, view.levels[lv].poc.share
            if a is not None and b is not None and round(b - a) != 0:
                moves.append(ngettext("%(level)s %(change)s point", "%(level)s %(change)s points", abs(round(b - a)), level=phrases[lv],
                                      change=i18n.format_signed(round(b - a))))
        if moves:
            out.append(_("Since %(cycle)s: %(moves)s.", cycle=previous.cycle.name_in(i18n.get_locale()), moves=_list(moves)))
        else:
            out.append(_("Since %(cycle)s, no level's share of people of color moved by a point or more.",
                         cycle=previous.cycle.name_in(i18n.get_locale())))
    return out
