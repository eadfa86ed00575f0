"""Charts drawn on the server as inline SVG: a heat map and a weekly trend line.

Every number is printed as text as well as shown by colour, colours come from a small scale whose
text colour passes WCAG AA against each fill, and each chart has a <title> and <desc> named by
aria-labelledby. Only presentation attributes are used (the CSP forbids style attributes), and every
label is escaped, since class names are typed by people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

INK, MUTED, LINE, BRAND = "#1b1f24", "#4a5260", "#c9d1db", "#1d4f91"

#: (lowest share in the step, fill, text colour, legend label). Checked for AA contrast in the tests.
SCALE: tuple[tuple[float, str, str, str], ...] = (
    (0.0, "#fbe3e3", INK, "0 to 19%"),
    (0.2, "#eff3ff", INK, "20 to 39%"),
    (0.4, "#9ecae1", INK, "40 to 59%"),
    (0.6, "#2171b5", "#ffffff", "60 to 79%"),
    (0.8, "#08306b", "#ffffff", "80 to 100%"),
)
EMPTY = ("#ffffff", MUTED, "No pupils")


def heat_colours(share: float | None) -> tuple[str, str]:
    """(fill, text colour) for a share between 0 and 1; None means there is nobody to count."""
    if share is None:
        return EMPTY[0], EMPTY[1]
    fill, text = SCALE[0][1], SCALE[0][2]
    for lowest, step_fill, step_text, _label in SCALE:
        if share >= lowest - 1e-9:
            fill, text = step_fill, step_text
    return fill, text


def heat_step(share: float | None) -> int | None:
    """The index of the scale step (for CSS classes on table cells); None when there is nobody."""
    if share is None:
        return None
    return max(i for i, step in enumerate(SCALE) if share >= step[0] - 1e-9)


@dataclass(frozen=True)
class HeatCell:
    share: float | None
    label: str  # printed in the cell, e.g. "40%"
    detail: str = ""  # a tooltip, e.g. "12 of 30 pupils"


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.56


def heatmap(chart_id: str, title: str, description: str, row_labels: Sequence[str],
            column_labels: Sequence[str], cells: Sequence[Sequence[HeatCell]], cell_width: int = 92) -> Markup:
    size, cell_w, cell_h, gap = 13, cell_width, 34, 2
    label_w = max([_text_width(label, size) for label in row_labels] + [40]) + 12
    wrapped = [_wrap(label, cell_w - 6) for label in column_labels]
    header_h = 12 + 14 * max([len(lines) for lines in wrapped] + [1])
    width = max(label_w + len(column_labels) * (cell_w + gap), label_w + 3 * 96) + 4
    per_row = max(1, int((width - label_w) // 96))
    legend_y = header_h + len(row_labels) * (cell_h + gap) + 16
    legend_rows = -(-(len(SCALE) + 1) // per_row)
    height = legend_y + legend_rows * 24 + 6
    out = [svg_open(chart_id, title, description, width, height)]
    for c, lines in enumerate(wrapped):
        x = label_w + c * (cell_w + gap) + cell_w / 2
        for i, text in enumerate(lines):
            y = header_h - 8 - (len(lines) - 1 - i) * 14
            out.append(f'<text x="{x:.1f}" y="{y}" text-anchor="middle" font-size="12" font-weight="600" '
                       f'fill="{INK}">{escape(text)}</text>')
    for r, label in enumerate(row_labels):
        y = header_h + r * (cell_h + gap)
        out.append(f'<text x="{label_w - 8:.1f}" y="{y + cell_h / 2 + 4.5:.1f}" text-anchor="end" font-size="{size}" '
                   f'fill="{INK}">{escape(label)}</text>')
        for c, cell in enumerate(cells[r]):
            x = label_w + c * (cell_w + gap)
            fill, ink = heat_colours(cell.share)
            tip = f"{label}, {column_labels[c]}: {cell.label}" + (f" ({cell.detail})" if cell.detail else "")
            out.append(f'<g><title>{escape(tip)}</title>'
                       f'<rect x="{x:.1f}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" stroke="{LINE}"/>'
                       f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 5:.1f}" text-anchor="middle" '
                       f'font-size="{size + 1}" font-weight="600" fill="{ink}">{escape(cell.label)}</text></g>')
    out.append(_legend(label_w, legend_y, per_row))
    out.append("</svg>")
    return Markup("".join(out))


def _wrap(label: str, room: float, size: float = 12) -> list[str]:
    lines, line = [], ""
    for word in label.split():
        if line and _text_width(f"{line} {word}", size) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def _legend(x: float, y: float, per_row: int) -> str:
    out = [f'<text x="{x - 8:.1f}" y="{y + 14}" text-anchor="end" font-size="12" fill="{MUTED}">Key</text>']
    steps = [(fill, ink, label) for _low, fill, ink, label in SCALE] + [EMPTY]
    for i, (fill, ink, label) in enumerate(steps):
        left, top = x + (i % per_row) * 96, y + (i // per_row) * 24
        out.append(f'<rect x="{left:.1f}" y="{top}" width="92" height="20" fill="{fill}" stroke="{LINE}"/>'
                   f'<text x="{left + 46:.1f}" y="{top + 14}" text-anchor="middle" font-size="11" '
                   f'fill="{ink}">{escape(label)}</text>')
    return "".join(out)


def svg_open(chart_id: str, title: str, description: str, width: float, height: float) -> str:
    """The opening <svg> tag with its <title> and <desc>, named by aria-labelledby (every chart of the app)."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'width="{width:.0f}" height="{height:.0f}" font-family="system-ui, sans-serif">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')


def _nice_ceiling(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def trend_line(chart_id: str, title: str, description: str, weeks: Sequence[tuple[date, int | None]],
               last_day: date | None = None, latest_partial: bool = False) -> Markup:
    """A line of completions per week; weeks still to come carry None and are left undrawn. Months are marked
    up to `last_day`; `latest_partial` labels the last known week "so far" (it is the week in progress)."""
    width, height, left, right, top, bottom = 760, 260, 56, 16, 28, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [(i, count) for i, (_start, count) in enumerate(weeks) if count is not None]
    peak = _nice_ceiling(max([count for _i, count in known] + [0]))
    step = plot_w / max(len(weeks) - 1, 1)

    def xy(i: int, count: int) -> tuple[float, float]:
        return left + i * step, top + plot_h - count / peak * plot_h

    out = [svg_open(chart_id, title, description, width, height)]
    for fraction in (0, 0.5, 1):
        value = round(peak * fraction)
        y = top + plot_h - fraction * plot_h
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{LINE}"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
                   f'{value:,}</text>')
    for i, (start, _count) in enumerate(weeks):
        first = next((start + timedelta(days=d) for d in range(7) if (start + timedelta(days=d)).day == 1), None)
        if first is not None and (last_day is None or first <= last_day):  # the week holding a month's first day
            x = left + i * step
            out.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="{MUTED}"/>'
                       f'<text x="{x:.1f}" y="{top + plot_h + 19}" text-anchor="middle" font-size="12" '
                       f'fill="{MUTED}">{first:%b}</text>')
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" text-anchor="middle" font-size="12" '
               f'fill="{INK}">Week starting</text>')
    if known:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, count) for i, count in known))
        out.append(f'<polyline points="{points}" fill="none" stroke="{BRAND}" stroke-width="2.5"/>')
        for i, count in known:
            x, y = xy(i, count)
            label = f"Week starting {weeks[i][0].day} {weeks[i][0]:%B %Y}: {count:,} completions"
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BRAND}"><title>{escape(label)}</title>'
                       f'</circle>')
        latest = known[-1][0]
        marked = {max(known, key=lambda item: (item[1], -item[0]))[0], latest}
        for i in sorted(marked):
            x, y = xy(i, weeks[i][1])
            note = " so far" if latest_partial and i == latest else ""
            out.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="12" font-weight="600" '
                       f'fill="{INK}">{weeks[i][1]:,}{note}</text>')
    out.append("</svg>")
    return Markup("".join(out))
