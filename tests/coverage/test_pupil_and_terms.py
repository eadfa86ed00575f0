"""The pupil page for parents' evening, and the school's term dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from esafe_learn.extensions import db
from esafe_learn.schools.terms import SchoolTerm

from ..conftest import login, post
from .helpers import add_class, add_pupils, at, attempt, make_pack, progress

AUTUMN_2024 = "?period=custom&start=2024-09-01&end=2024-12-31"


def test_pupil_page_shows_lessons_attempts_strands_and_panels(app, client, make_school, make_user):
    from jinja2 import ChoiceLoader, DictLoader

    from esafe_learn.templating import add_panel

    school = make_school()
    teacher = make_user(school, "teacher")
    lessons = make_pack(app)
    school_class = add_class(app, school, "5B", 5, teacher=teacher)
    pupil = add_pupils(app, school, 1, school_class, prefix="ava")[0]
    sid, when = school.id, at(date(2024, 10, 2))
    progress(app, sid, pupil, lessons["online-bullying@7-11"], completed=when, score=100, attempts=2)
    progress(app, sid, pupil, lessons["privacy-and-security@7-11"], score=40, reached_end=False)
    progress(app, sid, pupil, lessons["online-reputation@7-11"], completed=at(date(2023, 10, 2)), score=90)
    progress(app, sid, pupil, lessons["retired@7-11"], completed=when, score=80)
    attempt(app, sid, pupil, lessons["online-bullying@7-11"], at(date(2024, 10, 1)), 50)
    attempt(app, sid, pupil, lessons["online-bullying@7-11"], when, 100)
    attempt(app, sid, pupil, lessons["online-reputation@7-11"], at(date(2023, 10, 2)), 90)
    app.jinja_env.loader = ChoiceLoader([DictLoader({"test_record.html": "<p>Badges of pupil {{ pupil.id }}</p>"}),
                                         app.jinja_env.loader])
    add_panel(app, "pupil_record", "test_record.html")
    login(client, teacher)
    page = client.get(f"/coverage/pupils/{pupil}{AUTUMN_2024}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1 and "Pupil ava 000: lessons and quizzes" in html
    done = html.split('id="done-heading"')[1].split("</section>")[0]
    assert "Online bullying (7-11)" in done and "Old privacy lesson" in done and "no longer in the pack" in done
    assert "Online reputation (7-11)" not in done  # completed last year
    assert "Started but not finished" in done and "Privacy and security (7-11)" in done
    attempts = html.split('id="attempts-heading"')[1].split("</section>")[0]
    assert attempts.count("<tr>") == 3  # header and the two attempts of the period
    assert attempts.index("2 October 2024") < attempts.index("1 October 2024")
    assert "completed a lesson in 2 of 8 strands" in html and "3 lessons in all" in html
    assert f"Badges of pupil {pupil}" in html
    grid = client.get(f"/coverage/classes/{school_class.id}{AUTUMN_2024}").get_data(as_text=True)
    assert f'href="/coverage/pupils/{pupil}?period=custom&amp;start=2024-09-01&amp;end=2024-12-31"' in grid


def test_pupil_page_for_staff_only(app, client, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil")
    login(client, pupil)
    assert client.get(f"/coverage/pupils/{pupil.id}").status_code == 404
    teacher = make_user(school, "teacher")
    other = app.test_client()
    login(other, teacher)
    assert other.get(f"/coverage/pupils/{pupil.id}").status_code == 404  # not one of their pupils
    assert other.get(f"/coverage/pupils/{teacher.id}").status_code == 404  # not a pupil


def test_school_admin_sets_term_dates(app, client, make_school, make_user):
    school = make_school()
    admin = make_user(school, "school_admin")
    login(client, admin)
    assert 'href="/coverage/terms"' in client.get("/home").get_data(as_text=True)
    page = client.get("/coverage/terms").get_data(as_text=True)
    assert "These are the default dates" in page and "No term dates have been set yet." in page
    response = post(client, "/coverage/terms", {"name": "Autumn term 2024", "starts_on": "2024-09-04",
                                                "ends_on": "2024-12-20"})
    assert response.status_code == 302
    page = client.get("/coverage/terms").get_data(as_text=True)
    assert "Autumn term 2024" in page and "4 September 2024" in page

    def refused(data, message):
        response = post(client, "/coverage/terms", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)

    refused({"name": "Overlap", "starts_on": "2024-12-01", "ends_on": "2025-01-10"}, "Those dates overlap Autumn term")
    refused({"name": "Backwards", "starts_on": "2025-04-10", "ends_on": "2025-01-10"}, "before the first day")
    refused({"name": "Long", "starts_on": "2025-07-01", "ends_on": "2025-09-10"}, "same school year")
    refused({"name": "", "starts_on": "2025-01-06", "ends_on": "2025-03-28"}, "Type a name for the term")
    refused({"name": "Bad", "starts_on": "6th Jan", "ends_on": "2025-03-28"}, "Type a date like 2025-09-01.")
    refused({"name": "Missing"}, "Type the first day of the term.")
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SchoolTerm.id))) == 1
        term_id = db.session.scalar(select(SchoolTerm.id))
    # the term is now what "this term" means for a day inside it
    with app.app_context():
        from esafe_learn.coverage.periods import choose_period

        assert choose_period(school.id, "term", None, None, date(2024, 10, 1)).period.name == "Autumn term 2024"
    # another school's admin cannot delete it
    other_admin = make_user(make_school(), "school_admin")
    other = app.test_client()
    login(other, other_admin)
    assert post(other, "/coverage/terms", {"term_id": term_id}).status_code == 404
    assert post(other, "/coverage/terms", {"term_id": "x"}).status_code == 400
    assert post(client, "/coverage/terms", {"term_id": term_id}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count(SchoolTerm.id))) == 0


def test_term_dates_are_for_school_admins(app, client, make_school, make_user):
    school = make_school()
    login(client, make_user(school, "dsl"))
    assert client.get("/coverage/terms").status_code == 403
    assert post(client, "/coverage/terms", {"name": "x", "starts_on": "2024-09-01", "ends_on": "2024-12-01"}) \
        .status_code == 403
