"""Presentation: the markup that result pages, the comparison dashboard and the reports share (a level in words, a
change with its arrow, the comparison's cells, the charts' wiring). It reads the view models and decides nothing: no
query, no permission, no score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from app.charts import INKS, SHADES, Band, Bar, _label, level_distribution, svg_open
from app.i18n import format_number, format_signed
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


def change_mark(change: int | None, minus: str = "-") -> Markup:
    """A change in points with its arrow (the `change_text` macro calls this); the reports pass the minus sign "−"."""
    if change is None:
        return Markup("—")
    if change > 0:
        return Markup(f'<span class="up">▲ +{int(change)}</span>')
    if change < 0:
        return Markup(f'<span class="down">▼ {minus}{abs(int(change))}</span>')
    return Markup('<span class="same">= 0</span>')


def target_value(kind: str, value: float) -> str:
    """A partnership target's figure for one cycle, as the targets page, the backbone's home page and the summary PDF
    print it: the share of partners at the level ("72 %"), the median's change since the reference cycle ("+4", "−3"),
    or how far the share of people of color at a level is from the benchmark, in points ("−30.0"). Signs are minus
    signs, not hyphens."""
    if kind == "share_at_level":
        return f"{format_number(value, 0)} %"
    if kind == "composition_gap":
        return format_signed(value, 1)
    return format_signed(round(value))


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
    """The partnership's levels per domain as a stacked-bar SVG, as the dashboard and the summary PDF draw it; its
    alternative text gives every domain's counts in words."""
    parts = []
    for dist in table.distribution:
        counts = ", ".join(_("%(level)s %(num)s", level=lv.name, num=n) for lv, n in zip(table.levels, dist.counts, strict=False))
        parts.append(_("%(domain)s: %(counts)s", domain=dist.domain.title, counts=counts))
    description = _("Partners per readiness level and domain: %(counts)s.", counts="; ".join(parts)) if parts else \
        _("One bar per domain, divided by readiness level; the table below gives the same counts.")
    return level_distribution([(d.domain.title, d.counts) for d in table.distribution], [lv.name for lv in table.levels],
                              title=_("How many partners are at each readiness level, per domain"), description=description,
                              chart_id=chart_id)


def domain_chart(view: ResultView, chart_id: str = "domain-scores") -> Markup:
    """The domain-score chart of one result, as the result page and the report draw it; its alternative text gives every
    domain's score and level in words."""
    not_enough = _("not enough answers")
    bars = [Bar(d.title, d.score, str(d.shown) if d.shown is not None else "—", d.level.name if d.level else not_enough)
            for d in view.domains]
    bands = [Band(lv.name, lv.lower) for lv in view.levels]
    words = []
    for d in view.domains:
        if d.shown is None or d.level is None:
            words.append(_("%(domain)s: not enough answers", domain=d.title))
        else:
            words.append(_("%(domain)s: %(score)s, %(level)s", domain=d.title, score=d.shown, level=d.level.name))
    description = _("Scores from 0 to 100 per domain: %(scores)s.", scores="; ".join(words))
    return score_chart(bars, bands, title=_("Score and readiness level per domain"), description=description, chart_id=chart_id)


def _text_width(text: str, size: float = 12) -> float:
    """A generous estimate of a label's width in the chart's units (Noto Sans: about 0.58 em per character)."""
    return 0.56 * size * len(text)


def _scale(left: float, plot: float) -> Callable[[float], float]:
    """Where a 0-100 score falls on a horizontal bar chart whose plot starts at ``left`` and is ``plot`` wide."""
    return lambda score: left + plot * max(0.0, min(100.0, score)) / 100


def score_chart(bars: list[Bar], bands: list[Band], *, title: str, description: str, chart_id: str = "scores",
                width: int = 720, label_width: int = 240) -> Markup:
    """Horizontal bars of 0-100 scores over labelled level bands, the score and level printed beside each bar on a white
    label (the dashed band lines never cross it); a domain without a score says so where its bar would start."""
    row, top = 34, 40
    plot = width - label_width - 12
    height = top + row * len(bars) + 8

    x = _scale(label_width, plot)
    out = [svg_open("chart", width, height, chart_id, title, description)]
    uppers = [b.lower for b in bands[1:]] + [100.0]
    for i, (band, upper) in enumerate(zip(bands, uppers, strict=True)):
        x0, x1 = x(band.lower), x(upper)
        out.append(f'<rect x="{x0:.1f}" y="{top - 4}" width="{x1 - x0:.1f}" height="{height - top}" fill="{SHADES[i % 6]}" opacity="0.35"/>')
        out.append(f'<line x1="{x0:.1f}" y1="{top - 36}" x2="{x0:.1f}" y2="{height}" stroke="#666" stroke-dasharray="3,3"/>')
        label_y = top - 26 if i % 2 == 0 else top - 10  # alternate rows so that neighbouring band names never overlap
        out.append(f'<text x="{x0 + 3:.1f}" y="{label_y}" font-size="11" fill="#222">{escape(band.name)} ({band.lower:g})</text>')
    out.append(f'<line x1="{x(100):.1f}" y1="{top - 4}" x2="{x(100):.1f}" y2="{height}" stroke="#666" stroke-dasharray="3,3"/>')
    for j, bar in enumerate(bars):
        y = top + j * row
        out.append(_label(label_width - 8, y + row / 2, bar.label))
        text = bar.shown + (f" · {bar.note}" if bar.note else "")
        w = _text_width(text) + 8
        if bar.score is None:
            tx = label_width + 4  # where its bar would start: next to its own row's label
        else:
            level = sum(1 for band in bands if band.lower <= float(bar.shown or 0)) - 1 if bar.shown.isdigit() else 0
            end = x(bar.score)
            out.append(f'<rect x="{label_width}" y="{y + 6}" width="{end - label_width:.1f}" height="{row - 12}" '
                       f'fill="{INKS[max(level, 0) % 6]}"/>')
            tx = end + 4 if end + 4 + w <= width else max(label_width + 4, width - w)
        out.append(f'<rect x="{tx - 3:.1f}" y="{y + row / 2 - 9:.1f}" width="{w:.1f}" height="18" rx="3" fill="#fff" stroke="#999" '
                   f'stroke-width="0.5"/><text x="{tx + 1:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" fill="#111">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def trend_line(values: list[int | None], labels: list[str], title: str) -> Markup:
    """A small line chart of one domain's score (0-100) over the cycles: one ink, a marker and the value at every point,
    so that it reads in grey and without colour; its alternative text gives every value in words."""
    width, height, pad = 168, 52, 12
    n = len(values)
    step = (width - 2 * pad) / max(n - 1, 1)
    known = [v for v in values if v is not None] or [0]
    # The scale fits the values (at least 20 points high), so that a change of a few points shows; the labels say them.
    lo = max(0, min(known) - 8)
    hi = min(100, max(max(known) + 8, lo + 20))
    lo = min(lo, hi - 20)

    def y(v: int) -> float:
        return height - 6 - (height - 20) * (v - lo) / (hi - lo)

    points = [(pad + k * step, y(v), v) for k, v in enumerate(values) if v is not None]
    words = "; ".join(f"{label}: {v if v is not None else '—'}" for label, v in zip(labels, values, strict=True))
    parts = [f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}: {escape(words)}"><title>{escape(title)}: {escape(words)}</title>',  # <title>: the PDF's /Alt
             f'<line x1="{pad}" y1="{height - 3}" x2="{width - pad}" y2="{height - 3}" stroke="#c9ced6" stroke-width="1"/>']
    if len(points) > 1:
        parts.append('<polyline fill="none" stroke="#1d2330" stroke-width="1.6" points="'
                     + " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _v in points) + '"/>')
    for x, yy, v in points:
        parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="2.6" fill="#fff" stroke="#1d2330" stroke-width="1.4"/>'
                     f'<text x="{x:.1f}" y="{yy - 5:.1f}" font-size="9" text-anchor="middle" fill="#1d2330">{v}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def group_chart(domain: str, kind: str, scores: list[tuple[str, int]], overall: int | None, chart_id: str) -> Markup:
    """How the groups the result shows (role groups, or race and ethnicity categories) score one domain: a small bar
    chart in one dark ink, every value printed beside its bar on a white label and the whole organization's score as a
    labelled dashed line, so that it reads in grey and without colour; its alternative text gives every value in words."""
    title = (_("Scores in %(domain)s by role group", domain=domain) if kind == "role_group"
             else _("Scores in %(domain)s by race and ethnicity", domain=domain))
    words = "; ".join(_("%(group)s: %(score)s", group=label, score=score) for label, score in scores)
    if overall is not None:
        description = _("Scores from 0 to 100: %(scores)s; all responses: %(overall)s.", scores=words, overall=overall)
    else:
        description = _("Scores from 0 to 100: %(scores)s.", scores=words)
    width, label_width, row, top = 560, 190, 28, 28
    plot = width - label_width - 44
    height = top + row * len(scores) + 24

    x = _scale(label_width, plot)
    out = [svg_open("chart group-chart", width, height, chart_id, title, description)]
    bottom = top + row * len(scores)
    for tick in (0, 25, 50, 75, 100):  # a light scale, its numbers under the bars
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 4}" x2="{x(tick):.1f}" y2="{bottom}" stroke="#d5d9df" stroke-width="0.8"/>'
                   f'<text x="{x(tick):.1f}" y="{bottom + 14}" font-size="10" text-anchor="middle" fill="#444">{tick}</text>')
    if overall is not None:
        label = _("All responses: %(score)s", score=overall)
        lx = x(overall)
        anchor = "end" if lx > label_width + plot * 0.6 else "start"
        out.append(f'<line x1="{lx:.1f}" y1="{top - 14}" x2="{lx:.1f}" y2="{bottom}" stroke="#111" stroke-width="1.2" '
                   f'stroke-dasharray="4,3"/><text x="{lx + (-4 if anchor == "end" else 4):.1f}" y="{top - 8}" font-size="11" '
                   f'text-anchor="{anchor}" fill="#111">{escape(label)}</text>')
    for j, (label, score) in enumerate(scores):
        y = top + j * row
        end = x(score)
        out.append(_label(label_width - 8, y + row / 2, label, 27))
        out.append(f'<rect x="{label_width}" y="{y + 6}" width="{end - label_width:.1f}" height="{row - 12}" fill="#3a4250"/>')
        text = str(score)
        w = _text_width(text) + 8
        out.append(f'<rect x="{end + 3:.1f}" y="{y + row / 2 - 9:.1f}" width="{w:.1f}" height="18" rx="3" fill="#fff" stroke="#999" '
                   f'stroke-width="0.5"/><text x="{end + 7:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" font-weight="bold" '
                   f'fill="#111">{escape(text)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
