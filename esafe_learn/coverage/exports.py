"""CSV exports of the coverage figures (written through esafe_learn.csvfiles, safe to open in a spreadsheet)."""

from __future__ import annotations

from collections.abc import Sequence

from ..content.taxonomy import STRANDS, strand_name
from ..csvfiles import to_csv
from ..schools.yeargroups import AGE_BAND_LABELS, year_label
from .rollup import GroupFigures, SchoolReport
from .services import ClassReport


def grid_csv(report: ClassReport) -> str:
    """The pupil × lesson grid: one row per pupil, one column per lesson."""
    header = ["Pupil", *[f"{lesson.title} ({lesson.strand_name})" for lesson in report.lessons],
              "Lessons completed"]
    rows = ([row.name, *[cell.text for cell in row.cells], row.completed] for row in report.rows)
    return to_csv(header, rows)


def strands_csv(report: ClassReport) -> str:
    header = ["Class", "Period", "Strand", "Pupils", "Pupils who completed a lesson at the class's band",
              "Share (%)", "Average quiz score (%)", "Quiz attempts"]
    rows = ([report.name, report.period.name, s.name, s.pupils, s.pupils_completed, s.percent, s.quiz_average,
             s.quiz_attempts] for s in report.strands)
    return to_csv(header, rows)


def _group_row(kind: str, group: GroupFigures, extra: Sequence[object]) -> list[object]:
    return [kind, group.label, *extra, group.pupils, *[group.percent(slug) for slug in STRANDS],
            *[group.quiz_average(slug) for slug in STRANDS], group.overall_quiz_average,
            None if group.mean_strands is None else round(group.mean_strands, 1), group.completions,
            group.lessons_delivered]


def school_csv(report: SchoolReport) -> str:
    header = ["Group", "Name", "Year group", "Age band", "Pupils",
              *[f"{strand_name(slug)}: pupils who completed a lesson (%)" for slug in STRANDS],
              *[f"{strand_name(slug)}: average quiz score (%)" for slug in STRANDS],
              "Average quiz score (%)", "Strands covered per pupil (mean)", "Lessons completed",
              "Different lessons delivered"]
    rows = [_group_row("School", report.school, ["", ""])]
    rows += [_group_row("Age band", g, ["", AGE_BAND_LABELS[g.band]]) for g in report.bands]
    rows += [_group_row("Year group", g, [year_label(g.year_group), ""]) for g in report.year_groups]
    rows += [_group_row("Class", g, [year_label(g.year_group), AGE_BAND_LABELS.get(g.band, g.band)])
             for g in report.classes]
    return to_csv(header, rows)
