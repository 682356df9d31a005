"""Server-side SVG charts, shared by the dashboard pages and the PDF reports.

Every chart is readable without colour: values are printed as text, level bands are labelled,
and the stacked bars use a different fill pattern per level as well as a different shade.
Charts take already computed, already translated values; they never score anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# One shade and one pattern per level, lowest first (enough for up to six levels).
SHADES = ("#f3d9c4", "#f6e8a6", "#b9dfc5", "#7fb8d6", "#c9b7e0", "#e0e0e0")
INKS = ("#7a3b00", "#5c4a00", "#1e5631", "#0b3d5c", "#3d2a5c", "#333333")
PATTERNS = ("dots", "diagonal", "none", "cross", "grid", "none")


@dataclass(frozen=True)
class Bar:
    label: str
    score: float | None  # 0..100, None when there is no score
    shown: str  # the score as the user reads it ("72" or "—")
    note: str = ""  # e.g. the level name


@dataclass(frozen=True)
class Band:
    name: str
    lower: float  # 0..100


def svg_open(classes: str, width: int, height: int, chart_id: str, title: str, description: str) -> str:
    """A chart's opening tag and its alternative text: the title and then the values in words, both in the SVG's
    ``<title>``. A PDF's figure takes its alternative text (``/Alt``) from that element alone (WeasyPrint ignores
    ``<desc>``), and a screen reader on the page reads it once through ``aria-labelledby``."""
    alt = f"{title}. {description}" if description else title
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{classes}" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="{chart_id}-t"><title id="{chart_id}-t">{escape(alt)}</title>')


def _label(x: float, y: float, label: str, width_chars: int = 34) -> str:
    """A right-aligned label of up to two lines, centred on y (long titles wrap instead of being cut). A label too long
    for two lines of ``width_chars`` (a longer language, a long title) is set smaller until it fits, never past the
    chart's left edge."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width_chars and len(lines) < 1:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    longest = max(len(t) for t in lines)
    size = 12 if longest <= width_chars else max(6.5, round(12 * width_chars / longest, 1))
    font = f'font-size="{size:g}"'
    if len(lines) == 1:
        return f'<text x="{x}" y="{y + 4:.1f}" {font} text-anchor="end" fill="#111">{escape(label)}</text>'
    spans = "".join(f'<tspan x="{x}" dy="{dy}">{escape(t)}</tspan>' for t, dy in zip(lines, ("0", "1.15em"), strict=False))
    return f'<text x="{x}" y="{y - 3 * size / 12:.1f}" {font} text-anchor="end" fill="#111">{spans}</text>'


def _defs(prefix: str) -> str:
    parts = []
    for i, (shade, ink, pattern) in enumerate(zip(SHADES, INKS, PATTERNS, strict=True)):
        if pattern == "dots":
            body = f'<rect width="6" height="6" fill="{shade}"/><circle cx="3" cy="3" r="1" fill="{ink}"/>'
        elif pattern == "diagonal":
            body = f'<rect width="6" height="6" fill="{shade}"/><path d="M0,6 L6,0" stroke="{ink}" stroke-width="0.8"/>'
        elif pattern == "cross":
            body = f'<rect width="6" height="6" fill="{shade}"/><path d="M0,3 H6 M3,0 V6" stroke="{ink}" stroke-width="0.6"/>'
        elif pattern == "grid":
            body = f'<rect width="6" height="6" fill="{shade}"/><path d="M0,0 L6,6 M6,0 L0,6" stroke="{ink}" stroke-width="0.5"/>'
        else:
            body = f'<rect width="6" height="6" fill="{shade}"/>'
        parts.append(f'<pattern id="{prefix}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse">{body}</pattern>')
    return "<defs>" + "".join(parts) + "</defs>"


def level_distribution(rows: Sequence[tuple[str, Sequence[int]]], level_names: Sequence[str], *, title: str, description: str,
                       chart_id: str = "dist", width: int = 720, label_width: int = 240) -> Markup:
    """One stacked bar per row (e.g. a domain): how many partners are at each level, counts printed in the segments."""
    row, top = 34, 34
    plot = width - label_width - 10
    height = top + row * len(rows) + 6
    out = [svg_open("chart", width, height, chart_id, title, description), _defs(chart_id)]
    lx = label_width
    for i, name in enumerate(level_names):
        out.append(f'<rect x="{lx}" y="4" width="14" height="14" fill="url(#{chart_id}-p{i % 6})" stroke="#333" stroke-width="0.5"/>'
                   f'<text x="{lx + 18}" y="16" font-size="11" fill="#111">{escape(name)}</text>')
        lx += 24 + 7 * len(name)
    for j, (label, counts) in enumerate(rows):
        y = top + j * row
        total = sum(counts) or 1
        out.append(_label(label_width - 8, y + row / 2, label))
        x0 = float(label_width)
        for i, n in enumerate(counts):
            if not n:
                continue
            w = plot * n / total
            out.append(f'<rect x="{x0:.1f}" y="{y + 5}" width="{w:.1f}" height="{row - 10}" fill="url(#{chart_id}-p{i % 6})" '
                       f'stroke="#333" stroke-width="0.5"/>')
            # A white label box, not a text halo: PDF renderers ignore paint-order and would paint the halo over the digits.
            cx, box = x0 + w / 2, 8 * len(str(n)) + 6
            out.append(f'<rect x="{cx - box / 2:.1f}" y="{y + row / 2 - 8:.1f}" width="{box}" height="16" rx="3" fill="#fff"/>'
                       f'<text x="{cx:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" font-weight="bold" text-anchor="middle" fill="#000">{n}</text>')
            x0 += w
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class ShareRow:
    label: str  # e.g. "Board"
    share: float | None  # 0..100; None when not shown
    shown: str  # what is printed: "18 %", or why there is no bar ("fewer than 5 people: totals only")


def pipeline(rows: Sequence[ShareRow], benchmark: float | None, benchmark_label: str, *, title: str, description: str,
             chart_id: str = "pipeline", width: int = 720, label_width: int = 200) -> Markup:
    """One bar per level (the way up, from all staff to the board): the share of people of color, printed beside its bar,
    against the benchmark's share (a dashed line, labelled). Legible in grey: a patterned fill and every value in text."""
    row, top = 32, 22
    plot = width - label_width - 110
    bottom = top + row * len(rows)
    height = bottom + 18
    out = [svg_open("chart", width, height, chart_id, title, description), _defs(chart_id)]
    for t in (0, 25, 50, 75, 100):
        x = label_width + plot * t / 100
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#ccc" stroke-width="0.5"/>'
                   f'<text x="{x:.1f}" y="{bottom + 13}" font-size="10" text-anchor="middle" fill="#444">{t} %</text>')
    for j, r in enumerate(rows):
        y = top + j * row
        out.append(_label(label_width - 8, y + row / 2, r.label, 26))
        if r.share is None:
            out.append(f'<text x="{label_width + 4}" y="{y + row / 2 + 4:.1f}" font-size="11" font-style="italic" fill="#333">{escape(r.shown)}</text>')
            continue
        w = max(plot * r.share / 100, 1.5)
        out.append(f'<rect x="{label_width}" y="{y + 6}" width="{w:.1f}" height="{row - 12}" fill="url(#{chart_id}-p3)" stroke="#0b3d5c" stroke-width="0.6"/>')
        # The value right of the bar's end, never under the benchmark line's label.
        out.append(f'<text x="{label_width + w + 6:.1f}" y="{y + row / 2 + 4:.1f}" font-size="12" font-weight="bold" fill="#000">{escape(r.shown)}</text>')
    if benchmark is not None:
        x = label_width + plot * benchmark / 100
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#7a3b00" stroke-width="1.4" stroke-dasharray="5 3"/>')
        anchor = "end" if benchmark > 70 else "start"
        dx = -4 if anchor == "end" else 4
        out.append(f'<text x="{x + dx:.1f}" y="{top - 9}" font-size="11" text-anchor="{anchor}" fill="#7a3b00" font-style="italic">'
                   f'{escape(benchmark_label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
