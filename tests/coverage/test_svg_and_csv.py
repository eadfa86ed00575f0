"""Charts drawn on the server, and CSV exports that a spreadsheet never runs as formulas."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from esafe_learn.coverage import svg
from esafe_learn.csvfiles import filename, safe_cell, to_csv

from ..conftest import login
from .helpers import add_class, add_pupils, at, make_pack, progress


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("step", [*svg.SCALE, (None, *svg.EMPTY)])
def test_every_colour_step_has_aa_contrast_text(step):
    _lowest, fill, text, _label = step
    assert contrast(fill, text) >= 4.5


def test_css_heat_classes_match_the_svg_scale():
    css = (Path(__file__).parents[2] / "static" / "style.css").read_text("utf-8")
    for i, (_low, fill, text, _label) in enumerate(svg.SCALE):
        assert f".heat-{i} {{ background: {fill}; color: {text}; }}" in css


@pytest.mark.parametrize(("share", "step"), [(0, 0), (0.19, 0), (0.2, 1), (0.5, 2), (0.79, 3), (0.8, 4), (1, 4),
                                             (None, None)])
def test_heat_steps(share, step):
    assert svg.heat_step(share) == step
    expected = svg.EMPTY[:2] if step is None else svg.SCALE[step][1:3]
    assert svg.heat_colours(share) == tuple(expected)


def test_heatmap_is_labelled_escaped_and_free_of_style_attributes():
    chart = str(svg.heatmap("t", "A <title>", "A description", ["Row & one", "Two"], ["<script>x</script>"],
                            [[svg.HeatCell(0.5, "50%", "1 of 2")], [svg.HeatCell(None, "–")]]))
    assert chart.startswith("<svg") and chart.endswith("</svg>")
    assert 'role="img"' in chart and 'aria-labelledby="t-title t-desc"' in chart
    assert '<title id="t-title">A &lt;title&gt;</title>' in chart and '<desc id="t-desc">A description</desc>' in chart
    assert ">50%</text>" in chart and ">–</text>" in chart
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert "Row &amp; one" in chart
    assert "style=" not in chart
    for label in ("0 to 19%", "80 to 100%", "No pupils"):
        assert label in chart


def test_trend_line_draws_known_weeks_and_prints_numbers():
    monday = date(2024, 9, 2)
    weeks = [(monday + timedelta(weeks=i), count) for i, count in enumerate([3, 12, 7, None, None])]
    chart = str(svg.trend_line("w", "Weekly", "Lessons per week", weeks))
    points = re.search(r'<polyline points="([^"]+)"', chart).group(1).split()
    assert len(points) == 3
    assert chart.count("<circle") == 3
    assert ">12</text>" in chart and ">7</text>" in chart  # the peak and the latest week
    assert "Week starting 9 September 2024: 12 completions" in chart
    assert "style=" not in chart
    empty = str(svg.trend_line("e", "Weekly", "Nothing yet", [(monday, 0), (monday + timedelta(weeks=1), None)]))
    assert "<polyline" in empty


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-3", "'-3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Ava", "Ava"), ("a=b", "a=b"), (42, 42), (None, ""), ("", ""),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_has_a_bom_and_escaped_header_and_cells():
    text = to_csv(["=head"], [["=HYPERLINK(\"http://x\")", 3]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["'=head"], ["'=HYPERLINK(\"http://x\")", "3"]]


def test_filename_is_plain():
    assert filename("coverage", "5B / \"x\"", "2024-09-01") == "coverage-5B-x-2024-09-01.csv"


def _read(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="coverage-')
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_exports_escape_names_that_look_like_formulas(app, client, make_school, make_user, caplog):
    school = make_school()
    dsl = make_user(school, "dsl")
    lessons = make_pack(app)
    school_class = add_class(app, school, "=5B", 5)
    pupil = add_pupils(app, school, 1, school_class, prefix="x")[0]
    with app.app_context():
        from esafe_learn.auth.models import User
        from esafe_learn.extensions import db

        db.session.get(User, pupil).display_name = "=HYPERLINK(\"http://evil\",\"Ava\")"
        db.session.commit()
    progress(app, school.id, pupil, lessons["online-bullying@7-11"], completed=at(date(2024, 10, 1)), score=80)
    login(client, dsl)
    period = "?period=custom&start=2024-09-01&end=2024-12-31"

    grid = _read(client.get(f"/coverage/classes/{school_class.id}/grid.csv{period}"))
    assert grid[0][0] == "Pupil" and "Online bullying (7-11) (Online bullying)" in grid[0]
    column = grid[0].index("Online bullying (7-11) (Online bullying)")
    assert grid[1][0] == "'=HYPERLINK(\"http://evil\",\"Ava\")"
    assert grid[1][column] == "Completed 80%" and grid[1][-1] == "1"

    strands = _read(client.get(f"/coverage/classes/{school_class.id}/strands.csv{period}"))
    assert strands[0][:3] == ["Class", "Period", "Strand"]
    bullying = next(row for row in strands if row[2] == "Online bullying")
    assert bullying[0] == "'=5B" and bullying[3:6] == ["1", "1", "100"]
    assert len(strands) == 9

    school_rows = _read(client.get(f"/coverage/school.csv{period}"))
    kinds = [row[0] for row in school_rows[1:]]
    assert kinds[0] == "School" and kinds.count("Age band") == 4 and "Year group" in kinds
    class_row = next(row for row in school_rows if row[0] == "Class")
    assert class_row[1] == "'=5B"
    header = school_rows[0]
    assert class_row[header.index("Online bullying: pupils who completed a lesson (%)")] == "100"
    assert class_row[header.index("Different lessons delivered")] == "1"
    exports = [r.getMessage() for r in caplog.records if '"coverage_export"' in r.getMessage()]
    assert len(exports) == 3 and f'"class_id": {school_class.id}' in exports[0] and "HYPERLINK" not in exports[0]
