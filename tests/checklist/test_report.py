"""Reviews, the evidence report and its CSV: snapshots, charts, RAG history, pupil voice, no pupil's name,
safe CSV cells and a fixed, small number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from esafe_learn.checklist.models import ChecklistReview
from esafe_learn.extensions import db
from esafe_learn.lessons.models import Reflection
from esafe_learn.schools.terms import academic_year
from esafe_learn.timeutil import utcnow

from ..concerns.helpers import add_concern
from ..conftest import count_queries, login, post
from ..coverage.helpers import add_pupils, at, make_pack, progress
from ..mentoring.helpers import add_log
from .helpers import reflection, seed_checklist

NAMES = ("Zebedee Quillfeather", "Ottoline Marchbanks", "Peregrine Tuckwell")
MAX_QUERIES = 10


@pytest.fixture
def world(app, make_school, make_user, make_class):
    school = make_school("Rowan Primary")
    dsl = make_user(school, "dsl", name="Dee Lead")
    admin = make_user(school, "school_admin", name="Ada Admin")
    teacher = make_user(school, "teacher", name="Tim Teacher")
    pupils = [make_user(school, "pupil", name=name, year_group=5, leader=i == 2) for i, name in enumerate(NAMES)]
    school_class = make_class(school, "5R", 5, teachers=[teacher], pupils=pupils)
    lessons = make_pack(app)
    when = at(academic_year(utcnow().date()).start + timedelta(days=2))
    for slug in ("online-bullying", "privacy-and-security"):
        progress(app, school.id, pupils[0].id, lessons[f"{slug}@7-11"], completed=when, score=100)
    add_concern(app, pupils[0], source="pupil", about=pupils[1])
    add_log(app, pupils[2], mentee_mode="named", mentee_ids=[pupils[0].id, pupils[1].id])
    voice = [reflection(app, school, pupils[i].id, lessons["online-bullying@7-11"], f"I will block and report ({i})")
             for i in range(2)]
    hidden = reflection(app, school, pupils[1].id, lessons["online-bullying@7-11"], "Not for the report", voice=False)
    ids = seed_checklist(app, school)
    return {"school": school, "dsl": dsl, "admin": admin, "teacher": teacher, "pupils": pupils, "ids": ids,
            "voice": voice, "hidden": hidden, "class": school_class, "lessons": lessons}


def _review(client) -> None:
    assert post(client, "/checklist/review").status_code == 302


def test_a_review_stores_every_figure_and_rating(app, client, world):
    login(client, world["dsl"])
    post(client, f"/checklist/items/{world['ids']['curriculum']}/accept")
    _review(client)
    with app.app_context():
        review = db.session.scalar(select(ChecklistReview))
        snapshot = review.snapshot
        assert review.reviewer_name == "Dee Lead" and review.period_name.startswith("Academic year")
    assert set(snapshot["figures"]) == {"coverage", "concerns", "mentoring", "training", "aup"}
    assert snapshot["figures"]["coverage"]["school"]["pupils"] == 3
    assert snapshot["figures"]["concerns"]["from_pupils"] == 1
    assert snapshot["figures"]["mentoring"]["pupils_helped"] == 2
    assert len(snapshot["items"]) == 17 and snapshot["suggestion"]["rating"] == "red"
    curriculum = next(row for row in snapshot["items"] if row["key"] == "curriculum")
    assert curriculum["rating"] == "red" and curriculum["suggested_rating"] == "red"
    assert snapshot["thresholds"] == {"green_percent": 80, "amber_percent": 50, "min_strands": 6}


def test_the_report_names_no_pupil(app, client, world):
    login(client, world["dsl"])
    assert post(client, "/checklist/pupil-voice", {"reflections": world["voice"]}).status_code == 302
    _review(client)
    for url in ("/checklist/report", "/checklist/report.csv"):
        text = client.get(url).get_data(as_text=True)
        assert "Rowan Primary" in text and "Dee Lead" in text
        assert "I will block and report (0)" in text and "I will block and report (1)" in text
        assert "Not for the report" not in text
        for name in NAMES:
            assert name not in text and name.split()[0] not in text, (url, name)
        for pupil in world["pupils"]:
            assert pupil.username not in text


def test_the_report_page_is_printable_with_server_drawn_charts(app, client, world):
    login(client, world["dsl"])
    page = client.get("/checklist/report").get_data(as_text=True)
    assert "No review recorded yet" in page and "Download this report" not in page
    _review(client)
    _review(client)
    page = client.get("/checklist/report").get_data(as_text=True)
    assert page.count("<h1") == 1
    assert "style=" not in page and "<script" not in page
    assert 'class="report-section page-break"' in page
    assert "<polyline" in page and 'aria-labelledby="coverage-trend-title coverage-trend-desc"' in page
    assert 'id="band-heat-title"' in page and 'id="strand-bars-title"' in page
    assert "Share of pupils who completed a lesson in each strand, review by review" in page  # the chart's table
    assert "Rating of each item, review by review" in page
    css = (Path(__file__).parent.parent.parent / "static" / "style.css").read_text(encoding="utf-8")
    assert "@page { size: A4" in css and ".report-section.page-break" in css


def test_progress_and_rag_history_across_reviews(app, client, world):
    login(client, world["dsl"])
    _review(client)
    pupils, lessons = world["pupils"], world["lessons"]
    progress(app, world["school"].id, pupils[1].id, lessons["online-bullying@7-11"],
             completed=at(academic_year(utcnow().date()).start + timedelta(days=5)))
    post(client, f"/checklist/items/{world['ids']['designated-lead']}", {"rating": "green"})
    _review(client)
    page = client.get("/checklist/report").get_data(as_text=True)
    table = page[page.index("review by review</caption>"):]
    row = re.search(r"<th scope=\"row\">Online bullying</th>(.*?)</tr>", table, re.S).group(1)
    assert re.findall(r"(\d+)%", row) == ["33", "67"]  # 1 of 3 pupils, then 2 of 3
    history = page[page.index("Rating of each item, review by review"):]
    lead_row = re.search(r"There is a designated e-safeguarding lead</th>(.*?)</tr>", history, re.S).group(1)
    assert re.findall(r"rag-(\w+)", lead_row) == ["unrated", "green"]
    with app.app_context():
        first = db.session.scalars(select(ChecklistReview.id).order_by(ChecklistReview.id)).first()
    older = client.get(f"/checklist/report?review={first}").get_data(as_text=True)
    assert "(this report)" in older and "<polyline" not in older  # one review so far: points, no line


def test_pupil_voice_is_ten_at_most_and_only_what_teachers_marked(app, client, world):
    login(client, world["dsl"])
    lesson = world["lessons"]["online-bullying@7-11"]
    many = [reflection(app, world["school"], world["pupils"][0].id, lesson, f"Thought {n}") for n in range(10)]
    page = client.get("/checklist/pupil-voice").get_data(as_text=True)
    assert "Not for the report" not in page and "Thought 9" in page
    for name in NAMES:
        assert name not in page
    refused = post(client, "/checklist/pupil-voice", {"reflections": many + world["voice"][:1]})
    assert "Choose 10 reflections at most. You chose 11." in refused.get_data(as_text=True)
    assert post(client, "/checklist/pupil-voice", {"reflections": [world["hidden"]]}).status_code == 200
    assert post(client, "/checklist/pupil-voice", {"reflections": world["voice"]}).status_code == 302
    report = client.get("/checklist/report").get_data(as_text=True)
    assert "A pupil, ages 7 to 11" in report and "I will block and report (1)" in report
    with app.app_context():  # a teacher unmarks it: it leaves the report
        db.session.execute(update(Reflection).where(Reflection.id == world["voice"][1]).values(pupil_voice=False))
        db.session.commit()
    assert "I will block and report (1)" not in client.get("/checklist/report").get_data(as_text=True)


def test_the_csv_has_the_checklist_and_figures_and_no_formula_cells(app, client, world):
    login(client, world["dsl"])
    post(client, f"/checklist/items/{world['ids']['designated-lead']}", {
        "rating": "amber", "notes": "=HYPERLINK(\"http://x\")", "actions": "+1 more", "owner": "@office",
        "reason": "-2 deputies"})
    _review(client)
    response = client.get("/checklist/report.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["E-safeguarding evidence report"] and rows[1] == ["School", "Rowan Primary"]
    assert rows[4] == ["Reviewed by", "Dee Lead"]
    lead = next(row for row in rows if row[:2] == ["Strategy", "There is a designated e-safeguarding lead"])
    assert lead[2] == "Amber" and lead[5:9] == ["'-2 deputies", "'=HYPERLINK(\"http://x\")", "'+1 more", "'@office"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    measures = {(row[0], row[1], row[2]): row[3] for row in rows if len(row) == 4}
    assert measures[("Curriculum", "Completed a lesson in Online bullying at their age band", "Whole school")] == \
        "1 of 3 pupils (33%)"
    assert measures[("Incident log", "From pupils", "Whole school")] == "1"
    assert measures[("Online Leaders", "Pupils helped", "Whole school")] == "2"


def test_school_admins_read_the_report_and_others_cannot(app, client, world, make_school, make_user):
    login(client, world["dsl"])
    _review(client)
    with app.app_context():
        review_id = db.session.scalar(select(ChecklistReview.id))
    admin = app.test_client()
    login(admin, world["admin"])
    page = admin.get("/checklist/report")
    assert page.status_code == 200 and "Back to the checklist" not in page.get_data(as_text=True)
    assert admin.get("/checklist/report.csv").status_code == 200
    assert admin.get("/checklist/").status_code == 403
    teacher = app.test_client()
    login(teacher, world["teacher"])
    assert teacher.get("/checklist/report").status_code == 403
    other = app.test_client()
    login(other, make_user(make_school("Elm Academy"), "dsl"))
    assert other.get(f"/checklist/report?review={review_id}").status_code == 404
    assert other.get(f"/checklist/report.csv?review={review_id}").status_code == 404
    assert other.get("/checklist/report?review=abc").status_code == 404
    assert "No review recorded yet" in other.get("/checklist/report").get_data(as_text=True)


def _count(app, client, url: str) -> int:
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_the_report_runs_a_fixed_small_number_of_queries(app, client, world, make_school, make_user,
                                                         make_class):
    login(client, world["dsl"])
    client.get("/home")
    before = _count(app, client, "/checklist/report")
    assert before <= MAX_QUERIES
    _review(client)
    small = _count(app, client, "/checklist/report")
    # a bigger school and more reviews: the same number of queries
    extra = add_pupils(app, world["school"], 40, world["class"], prefix="more")
    for pupil in extra[:20]:
        progress(app, world["school"].id, pupil, world["lessons"]["online-bullying@7-11"],
                 completed=at(academic_year(utcnow().date()).start + timedelta(days=3)))
    for _ in range(3):
        _review(client)
    large = _count(app, client, "/checklist/report")
    assert small == large <= MAX_QUERIES
    assert _count(app, client, "/checklist/report.csv") <= MAX_QUERIES
