"""The evidence report from a review's snapshot: charts across the year's reviews, the RAG history, the CSV
download and each item as commentary, evidence and action plan. Plain functions of stored figures: no
queries and no request objects. Nothing here names a pupil (the snapshots hold no pupil's name)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from markupsafe import Markup

from ..content.taxonomy import STRANDS
from ..coverage.rollup import percent
from ..csvfiles import CsvLines
from ..schools.yeargroups import AGE_BAND_LABELS
from . import chart
from .evidence import duration_text, share_text, summary
from .models import AUP, CONCERNS, COVERAGE, EVIDENCE_SOURCES, MENTORING, RATINGS, TRAINING, UNRATED


def rating_label(rating: str | None) -> str:
    return RATINGS.get(rating or UNRATED, rating or "")


def short_date(value: datetime | date) -> str:
    return f"{value.day} {value:%b %Y}"


@dataclass
class History:
    labels: list[str] = field(default_factory=list)  # one per review, oldest first
    coverage: list[tuple[str, list[int | None]]] = field(default_factory=list)  # strand name, % per review
    ratings: list[tuple[dict, list[str | None]]] = field(default_factory=list)  # item, rating per review
    chart: Markup | None = None


def history(snapshot: dict, reviews: list) -> History:
    """Coverage by strand and each item's rating across the year's reviews, up to the one shown."""
    labels = [short_date(review.reviewed_at) for review in reviews]
    if len(set(labels)) < len(labels):  # two reviews on one day: tell them apart by the time
        labels = [f"{review.reviewed_at.day} {review.reviewed_at:%b %H:%M}" for review in reviews]
    out = History(labels=labels)
    for slug, name in STRANDS.items():
        values = []
        for review in reviews:
            school = (review.snapshot.get("figures", {}).get(COVERAGE) or {}).get("school")
            values.append(percent(school["covered"].get(slug, 0), school["pupils"]) if school else None)
        out.coverage.append((name, values))
    for item in snapshot.get("items", []):
        ratings = []
        for review in reviews:
            match = next((row for row in review.snapshot.get("items", []) if row["id"] == item["id"]), None)
            ratings.append(match["rating"] if match else None)
        out.ratings.append((item, ratings))
    if any(value is not None for _name, values in out.coverage for value in values):
        out.chart = chart.lines(
            "coverage-trend", "Pupils who completed a lesson in each strand, review by review",
            "For each review this year, the share of the school's pupils who completed at least one lesson of each "
            "strand at their age band. The same figures are in the table below the chart.",
            out.labels, [chart.Series(name, values) for name, values in out.coverage])
    return out


def distribution_chart(group: dict, min_strands: int, chart_id: str) -> Markup:
    counts = group["strands_covered"]
    return chart.bars(chart_id, f"Strands covered per pupil, {group['label']}",
                      f"How many pupils covered each number of the 8 strands at their age band. Bars from "
                      f"{min_strands} strands on are darker. The same figures are in the table.",
                      [str(n) for n in range(len(counts))], counts, highlight_from=min_strands)


def areas_of(items: list, key=lambda item: item["area"]) -> list[tuple[str, list]]:
    """Items grouped by area, in the order they come (items arrive sorted by area)."""
    grouped: dict[str, list] = {}
    for item in items:
        grouped.setdefault(key(item), []).append(item)
    return list(grouped.items())


# --- one item as commentary, evidence and action plan -----------------------------------------------------


def item_sections(item: dict, figures: dict | None, period_name: str, min_strands: int) -> dict[str, str]:
    """The three blocks self-review tools ask for, as plain text to paste."""
    commentary = [f"Rating: {rating_label(item['rating'])}."]
    if item.get("suggested_rating"):
        commentary.append(f"The platform suggested {rating_label(item['suggested_rating']).lower()}: "
                          f"{item['suggestion_reason']}")
    if item.get("rating_reason"):
        commentary.append(f"Reason for the rating: {item['rating_reason']}")
    if item.get("notes"):
        commentary.append(item["notes"])
    source = item.get("evidence")
    if source and figures is not None:
        evidence = [f"{EVIDENCE_SOURCES[source]}, {period_name} (from esafe-learn):",
                    *summary(source, figures, min_strands)]
    else:
        evidence = ["The platform holds no figures for this item; the evidence is in the school's own records."]
    plan = [item["actions"] or "No actions recorded."]
    if item.get("owner"):
        plan.append(f"Owner: {item['owner']}.")
    if item.get("review_date"):
        plan.append(f"Review by: {date.fromisoformat(item['review_date']):%-d %B %Y}.")
    return {"Commentary": "\n".join(commentary), "Evidence": "\n".join(evidence), "Action plan": "\n".join(plan)}


def item_text(item: dict, sections: dict[str, str]) -> str:
    parts = [f"{item['area']}: {item['text']}", ""]
    for heading, body in sections.items():
        parts += [heading, body, ""]
    return "\n".join(parts)


# --- the report as CSV ---------------------------------------------------------------------------------


def _coverage_rows(figures: dict, min_strands: int) -> list[list]:
    rows = []
    for group in [figures["school"], *figures["bands"]]:
        label, pupils = group["label"], group["pupils"]
        rows.append(["Curriculum", "Pupils", label, pupils])
        for slug, name in STRANDS.items():
            rows.append(["Curriculum", f"Completed a lesson in {name} at their age band", label,
                         share_text(group["covered"][slug], pupils, "pupils")])
        for slug, name in STRANDS.items():
            average = group["quiz_average"][slug]
            rows.append(["Curriculum", f"Average quiz score, {name}", label, "" if average is None else f"{average}%"])
        for n, count in enumerate(group["strands_covered"]):
            rows.append(["Curriculum", f"Pupils who covered {n} of the 8 strands", label, count])
        rows.append(["Curriculum", f"Pupils who covered at least {min_strands} strands", label,
                     share_text(sum(group["strands_covered"][min_strands:]), pupils, "pupils")])
        rows.append(["Curriculum", "Different lessons delivered", label, group["lessons_delivered"]])
    for row in figures["classes"]:
        rows.append(["Curriculum", "Different lessons delivered", f"Class {row['name']} ({row['band']})",
                     row["lessons_delivered"]])
    return rows


def _other_rows(figures: dict) -> list[list]:
    rows = []
    if CONCERNS in figures:
        f = figures[CONCERNS]
        rows += [["Incident log", "Concerns recorded", "Whole school", f["total"]],
                 ["Incident log", "From Online Leaders' logs", "Whole school", f["from_leaders"]],
                 ["Incident log", "From pupils", "Whole school", f["from_pupils"]],
                 ["Incident log", "From staff", "Whole school", f["from_staff"]],
                 ["Incident log", "Acknowledged", "Whole school", f["acknowledged"]],
                 ["Incident log", "Waiting to be acknowledged", "Whole school", f["waiting"]],
                 ["Incident log", "Median time to acknowledge", "Whole school", duration_text(f["median_seconds"])],
                 ["Incident log", "Longest time to acknowledge", "Whole school",
                  duration_text(f["longest_seconds"])]]
        rows += [["Incident log", f"Category: {name}", "Whole school", count] for name, count in
                 f["by_category"].items()]
    if MENTORING in figures:
        f = figures[MENTORING]
        for key, label in (("sessions", "Mentoring sessions"), ("leaders_active", "Online Leaders who logged"),
                           ("pupils_helped", "Pupils helped"), ("minutes", "Minutes of mentoring"),
                           ("follow_ups", "Sessions needing a follow-up"), ("strands_covered", "Strands talked about")):
            rows.append(["Online Leaders", label, "Whole school", f[key]])
        rows += [["Online Leaders", f"Sessions: {name}", "Whole school", count] for name, count in f["by_kind"].items()]
    if TRAINING in figures:
        f = figures[TRAINING]
        rows += [["Staff training", "Staff who completed training", "All staff",
                  share_text(f["trained"], f["staff"], "staff")],
                 ["Staff training", "Staff who completed the annual update", "All staff", f["annual_update"]]]
        rows += [["Staff training", f"Completed: {lesson['title']}", "All staff", lesson["staff"]]
                 for lesson in f["lessons"]]
    if AUP in figures:
        f = figures[AUP]
        rows += [["Acceptable use", "Current version", "Whole school", f["version"] or "None yet"],
                 ["Acceptable use", "Staff who acknowledged it", "Staff",
                  share_text(f["staff_acknowledged"], f["staff"], "staff")],
                 ["Acceptable use", "Pupils who acknowledged it", "Pupils",
                  share_text(f["pupils_acknowledged"], f["pupils"], "pupils")]]
    return rows


def _write_items(write: CsvLines, items: list[dict]) -> None:
    write(["Area", "Item", "Rating", "Suggested rating", "Why the platform suggested it", "Reason for the rating",
           "Notes", "Actions", "Owner", "Review date", "Evidence source"])
    for item in items:
        write([item["area"], item["text"], rating_label(item["rating"]),
               rating_label(item["suggested_rating"]) if item.get("suggested_rating") else "",
               item.get("suggestion_reason", ""), item.get("rating_reason", ""), item["notes"], item["actions"],
               item["owner"], item["review_date"] or "", EVIDENCE_SOURCES.get(item.get("evidence") or "", "")])
    write([])


def _write_voice(write: CsvLines, voice: list[dict]) -> None:
    for row in voice:
        write(["Pupil voice", AGE_BAND_LABELS.get(row["band"], row["band"]), "", row["text"]])


def checklist_csv(school_name: str, items: list[dict], voice: list[dict]) -> str:
    """Before the first review: the checklist as it is, with no figures."""
    write = CsvLines()
    for row in (["E-safeguarding checklist (no review recorded yet)"], ["School", school_name], []):
        write(row)
    _write_items(write, items)
    if voice:
        write(["Evidence", "Measure", "Group", "Value"])
        _write_voice(write, voice)
    return write.text()


def report_csv(review, trend: History, voice: list[dict]) -> str:
    snapshot = review.snapshot
    min_strands = snapshot["thresholds"]["min_strands"]
    write = CsvLines()
    period = snapshot["period"]
    for row in (["E-safeguarding evidence report"], ["School", snapshot.get("school_name", "")],
                ["Period", period["name"], period["start"], period["end"]],
                ["Reviewed on", review.reviewed_at.strftime("%Y-%m-%d %H:%M UTC")],
                ["Reviewed by", review.reviewer_name], []):
        write(row)
    _write_items(write, snapshot["items"])
    write(["Evidence", "Measure", "Group", "Value"])
    figures = snapshot["figures"]
    if COVERAGE in figures:
        for row in _coverage_rows(figures[COVERAGE], min_strands):
            write(row)
    for row in _other_rows(figures):
        write(row)
    for name, values in trend.coverage:
        for label, value in zip(trend.labels, values, strict=True):
            write(["Curriculum across reviews", f"Completed a lesson in {name}", f"Review of {label}",
                   "" if value is None else f"{value}%"])
    for item, ratings in trend.ratings:
        for label, rating in zip(trend.labels, ratings, strict=True):
            write(["Rating history", item["text"], f"Review of {label}", rating_label(rating) if rating else ""])
    _write_voice(write, voice)
    return write.text()
