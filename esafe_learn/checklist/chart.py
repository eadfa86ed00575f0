"""Charts of the evidence report drawn on the server as inline SVG: coverage by strand across reviews (a line
per strand) and the number of strands pupils covered (bars).

Presentation attributes only (the CSP forbids style attributes); every label is escaped; each chart has a
<title> and <desc> named by aria-labelledby, and the page shows the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..coverage.svg import INK, LINE, MUTED, svg_open

# Eight colours with at least 3:1 contrast on white, told apart by marker and dash as well as colour.
SERIES = (
    ("#1d4f91", "circle", ""), ("#a1232b", "square", "6 3"), ("#1e6b3a", "triangle", ""),
    ("#8a4b00", "diamond", "6 3"), ("#6a3d9a", "circle", "2 3"), ("#000000", "square", ""),
    ("#b3006b", "triangle", "2 3"), ("#00727a", "diamond", "8 3 2 3"),
)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per x label; None where there is nothing to count


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    title = f"<title>{escape(tip)}</title>" if tip else ""
    if shape == "square":
        body = f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{title}</rect>'
    elif shape == "triangle":
        body = (f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" '
                f'fill="{colour}">{title}</polygon>')
    elif shape == "diamond":
        body = (f'<polygon points="{x:.1f},{y - 5.5:.1f} {x + 5.5:.1f},{y:.1f} {x:.1f},{y + 5.5:.1f} '
                f'{x - 5.5:.1f},{y:.1f}" fill="{colour}">{title}</polygon>')
    else:
        body = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'
    return body


def lines(chart_id: str, title: str, description: str, x_labels: Sequence[str],
          series: Sequence[Series]) -> Markup:
    """Percentages (0 to 100) against reviews: one line per series, a marker and a tooltip per point."""
    width, left, right, top, plot_h = 760, 52, 24, 20, 220
    plot_w = width - left - right
    legend_top = top + plot_h + 48
    per_row = 2
    height = legend_top + -(-len(series) // per_row) * 24 + 8
    step = plot_w / max(len(x_labels) - 1, 1)

    def x_at(i: int) -> float:
        return left + (i * step if len(x_labels) > 1 else plot_w / 2)

    def y_at(value: float) -> float:
        return top + plot_h - max(0.0, min(100.0, value)) / 100 * plot_h

    out = [svg_open(chart_id, title, description, width, height)]
    for value in (0, 25, 50, 75, 100):
        y = y_at(value)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{LINE}"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
                   f'{value}%</text>')
    last = len(x_labels) - 1
    for i, label in enumerate(x_labels):
        anchor = "middle" if last == 0 or 0 < i < last else ("start" if i == 0 else "end")
        out.append(f'<text x="{x_at(i):.1f}" y="{top + plot_h + 18}" text-anchor="{anchor}" font-size="12" '
                   f'fill="{MUTED}">{escape(label)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h + 36}" text-anchor="middle" font-size="12" '
               f'fill="{INK}">Review</text>')
    for n, item in enumerate(series):
        colour, shape, dash = SERIES[n % len(SERIES)]
        points = [(i, value) for i, value in enumerate(item.values) if value is not None]
        if len(points) > 1:
            path = " ".join(f"{x_at(i):.1f},{y_at(value):.1f}" for i, value in points)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>')
        for i, value in points:
            tip = f"{item.name}, {x_labels[i]}: {value:.0f}%"
            out.append(_marker(shape, x_at(i), y_at(value), colour, tip))
    for n, item in enumerate(series):
        colour, shape, dash = SERIES[n % len(SERIES)]
        lx, ly = left + (n % per_row) * (plot_w / per_row), legend_top + (n // per_row) * 24
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{lx:.1f}" y1="{ly:.1f}" x2="{lx + 28:.1f}" y2="{ly:.1f}" stroke="{colour}" '
                   f'stroke-width="2"{dashes}/>' + _marker(shape, lx + 14, ly, colour, "") +
                   f'<text x="{lx + 36:.1f}" y="{ly + 4:.1f}" font-size="12" fill="{INK}">{escape(item.name)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def bars(chart_id: str, title: str, description: str, labels: Sequence[str], counts: Sequence[int],
         highlight_from: int | None = None) -> Markup:
    """Counts as vertical bars with the number above each; bars from `highlight_from` on are drawn darker."""
    width, left, right, top, plot_h = 560, 44, 12, 24, 170
    plot_w = width - left - right
    height = top + plot_h + 44
    peak = max([*counts, 1])
    slot = plot_w / max(len(counts), 1)
    out = [svg_open(chart_id, title, description, width, height)]
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        bar_h = count / peak * plot_h
        x = left + i * slot + slot * 0.15
        fill = "#08306b" if highlight_from is not None and i >= highlight_from else "#9ecae1"
        out.append(f'<rect x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" height="{bar_h:.1f}" '
                   f'fill="{fill}" stroke="{INK}" stroke-width="0.5"><title>{escape(label)}: {count}</title></rect>'
                   f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h - bar_h - 5:.1f}" text-anchor="middle" '
                   f'font-size="12" fill="{INK}">{count}</text>'
                   f'<text x="{x + slot * 0.35:.1f}" y="{top + plot_h + 16}" text-anchor="middle" font-size="12" '
                   f'fill="{MUTED}">{escape(label)}</text>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" font-size="12" '
               f'fill="{INK}">Strands covered</text>')
    out.append("</svg>")
    return Markup("".join(out))
