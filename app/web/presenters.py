"""Presentation: the markup that result pages, the comparison dashboard and the reports share (a level in words, a
change with its arrow, the comparison's cells, the charts' wiring). It reads the view models and decides nothing: no
query, no permission, no score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from app.charts import Band, Bar, level_distribution, score_bars
from app.i18n import gettext as _

if TYPE_CHECKING:
    from app.assessments.views import LevelView, ResultView
    from app.dashboard.comparison import ComparisonTable, PartnerRow


def level_badge(level: LevelView | None, not_enough: str | None = None) -> Markup:
    """A level as words first, colour second, as result pages, the dashboard and the reports show it (the
    `level_badge` macro calls this); without a level, "Not enough answers" (`not_enough`: those words already
    translated, for a caller that writes thousands of cells)."""
    if level is not None:
        return Markup(f'<span class="level level-{int(level.index)}">{escape(level.name)}</span>')
    return Markup(f'<span class="level level-none">{escape(_("Not enough answers") if not_enough is None else not_enough)}</span>')


def change_mark(change: int | None) -> Markup:
    """A change in points with its arrow (the `change_text` macro calls this)."""
    if change is None:
        return Markup("—")
    if change > 0:
        return Markup(f'<span class="up">▲ +{int(change)}</span>')
    if change < 0:
        return Markup(f'<span class="down">▼ {int(change)}</span>')
    return Markup('<span class="same">= 0</span>')


@dataclass(frozen=True)
class CellWords:
    """The words of the comparison's cells in the request's language, translated and escaped once per page."""

    no_result: Markup
    not_enough: Markup
    not_comparable: Markup
    no_baseline: Markup
    level_up: Markup
    level_down: Markup

    @classmethod
    def current(cls) -> CellWords:
        return cls(escape(_("No result yet")), escape(_("Not enough answers")), escape(_("not comparable")), escape(_("no baseline")),
                   escape(_("level up")), escape(_("level down")))


def cells_html(row: PartnerRow, with_change: bool, words: CellWords) -> Markup:
    """A row's overall and domain cells (`<td>`s): the score, the level in words, and with a baseline the change.

    Written here rather than in the template: 500 partners make 5,000 cells, and the template spent about 60 ms of CPU
    (interpreter lock held) on them, the same markup written here a fraction of that. The level and the change are
    the shared `level_badge` and `change_mark`, as on result pages and in the reports."""
    if not row.has_result:
        return Markup(f'<td class="cell"><span class="muted">{words.no_result}</span></td>' * (1 + len(row.cells)))
    out = []
    for c in row.in_order:
        html = f'<td class="cell"><span class="score">{"—" if c.shown is None else int(c.shown)}</span> {level_badge(c.level, words.not_enough)}'
        if with_change:
            if not c.comparable:
                change = str(words.not_comparable)
            elif c.change is not None:
                change = str(change_mark(c.change))
                if c.level_move:
                    change += f' <span class="move">{words.level_up if c.level_move > 0 else words.level_down}</span>'
            else:
                change = f'<span class="muted">{words.no_baseline}</span>'
            html += f'<br><span class="change">{change}</span>'
        out.append(html + "</td>")
    return Markup("".join(out))


def distribution_chart(table: ComparisonTable, chart_id: str) -> Markup:
    """The partnership's levels per domain as a stacked-bar SVG, as the dashboard and the summary PDF draw it."""
    return level_distribution([(d.domain.title, d.counts) for d in table.distribution], [lv.name for lv in table.levels],
                              title=_("How many partners are at each readiness level, per domain"),
                              description=_("One bar per domain, divided by readiness level; the table below gives the same counts."),
                              chart_id=chart_id)


def domain_chart(view: ResultView, chart_id: str = "domain-scores") -> Markup:
    """The domain-score chart of one result, as the result page and the report draw it."""
    bars = [Bar(d.title, d.score, str(d.shown) if d.shown is not None else "—",
                d.level.name if d.level else _("not enough answers")) for d in view.domains]
    bands = [Band(lv.name, lv.lower) for lv in view.levels]
    return score_bars(bars, bands, title=_("Score and readiness level per domain"),
                      description=_("Scores from 0 to 100 per domain, with the readiness level bands marked; the table below gives the same figures."),
                      chart_id=chart_id)
