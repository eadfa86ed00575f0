"""The class coverage page: heat map, grid, gaps, misconceptions, lessons set, and who may see it."""

from __future__ import annotations

import re
from datetime import date

import pytest

from esafe_learn.timeutil import utcnow

from ..conftest import login
from .helpers import add_class, add_pupils, assign, at, attempt, make_pack, progress

AUTUMN_2024 = "?period=custom&start=2024-09-01&end=2024-12-31"


@pytest.fixture
def world(app, make_school, make_user):
    school = make_school("Oak Primary")
    teacher = make_user(school, "teacher", name="Ms Teacher")
    other_teacher = make_user(school, "teacher")
    dsl = make_user(school, "dsl")
    lessons = make_pack(app)
    school_class = add_class(app, school, "5B", 5, teacher=teacher)
    other_class = add_class(app, school, "6C", 6, teacher=other_teacher)
    pupils = add_pupils(app, school, 4, school_class, prefix="b")
    outsider = add_pupils(app, school, 1, other_class, year_group=6, prefix="c")[0]
    return {"school": school, "teacher": teacher, "other_teacher": other_teacher, "dsl": dsl, "lessons": lessons,
            "class": school_class, "other_class": other_class, "pupils": pupils, "outsider": outsider}


def _records(app, w):
    sid, (a, b, c, _d) = w["school"].id, w["pupils"]
    lessons = w["lessons"]
    autumn = at(date(2024, 10, 1))
    # a and b completed an online-bullying lesson at their band; c only at another band (does not count)
    progress(app, sid, a, lessons["online-bullying@7-11"], completed=autumn, score=100)
    progress(app, sid, b, lessons["online-bullying@7-11"], completed=autumn, score=50)
    progress(app, sid, c, lessons["online-bullying@11-14"], band="11-14", completed=autumn, score=100)
    # a tried a privacy lesson without finishing; b completed one a year earlier (outside the period)
    progress(app, sid, a, lessons["privacy-and-security@7-11"], score=40, reached_end=False)
    progress(app, sid, b, lessons["privacy-and-security@7-11"], completed=at(date(2023, 10, 1)), score=90)
    # a retired lesson that a completed stays visible; the unused retired one does not
    progress(app, sid, a, lessons["retired@7-11"], completed=autumn, score=80)
    attempt(app, sid, a, lessons["online-bullying@7-11"], autumn, 100)
    attempt(app, sid, b, lessons["online-bullying@7-11"], autumn, 50, misconceptions=("only-a-joke",))
    attempt(app, sid, c, lessons["online-bullying@7-11"], autumn, 0, misconceptions=("only-a-joke",))
    attempt(app, sid, a, lessons["privacy-and-security@7-11"], autumn, 40, misconceptions=("deleted-means-gone",))
    attempt(app, sid, w["outsider"], lessons["privacy-and-security@11-14"], autumn, 0,
            misconceptions=("deleted-means-gone",) * 1)
    assign(app, w["class"], lessons["online-reputation@11-14"], due=date(2024, 11, 1))


def test_class_page_shows_every_section(app, client, world):
    _records(app, world)
    login(client, world["teacher"])
    page = client.get(f"/coverage/classes/{world['class'].id}{AUTUMN_2024}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1
    # heat map: inline SVG with a title and numbers, plus the same figures in a table
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="strand-heat-title strand-heat-desc"', html)
    assert '<title id="strand-heat-title">' in html
    assert ">50%</text>" in html  # 2 of 4 pupils covered online bullying
    assert "2 of 4" in html
    assert " style=" not in html
    # gaps in plain words, in the past tense for a period that is over
    assert "Only 1 of 4 pupils in 5B have completed a Privacy and security lesson in this period." in html
    assert "No one in 5B has completed an Online relationships lesson in this period." in html
    assert "Online bullying lesson" not in html.split('id="gaps-heading"')[1].split("</section>")[0]
    assert "No one has completed “Online reputation (11-14)”, which was set for 5B, in this period." in html
    # the grid: lessons of the band, the set lesson of another band, the completed retired lesson only
    assert "Online reputation (11-14)" in html
    assert "Old privacy lesson" in html and "no longer in the pack" in html
    assert "Old bullying lesson" not in html
    assert "Listening well" not in html and "Staff training" not in html
    assert "best score </span>40%" in html and "Tried" in html
    # quiz averages per strand: online bullying (100 + 50 + 0) / 3 = 50
    bullying_row = html.split("<th scope=\"row\">Online bullying</th>")[1].split("</tr>")[0]
    assert "50%" in bullying_row and ">3<" in bullying_row
    # misconceptions: most common first, with the lessons that address them
    misconceptions = html.split('id="misconceptions-heading"')[1].split("</section>")[0]
    assert misconceptions.index("it was a joke") < misconceptions.index("deleting a post")
    assert "chosen 2 times by 2 pupils" in misconceptions
    assert "Online bullying (7-11)" in misconceptions
    # the pupil of another class is not counted anywhere
    assert "Pupil c" not in html


def test_gaps_say_yet_in_the_current_period(app, client, world):
    now = utcnow()
    progress(app, world["school"].id, world["pupils"][0], world["lessons"]["online-bullying@7-11"], completed=now)
    login(client, world["teacher"])
    html = client.get(f"/coverage/classes/{world['class'].id}?period=year").get_data(as_text=True)
    assert "No one in 5B has completed a Privacy and security lesson yet." in html
    assert "Only 1 of 4 pupils in 5B have completed an Online bullying lesson yet." in html
    assert ">25%</text>" in html


def test_grid_sorts_by_pupil_or_lesson(app, client, world):
    _records(app, world)
    a, b, c, d = world["pupils"]
    login(client, world["teacher"])
    lesson = world["lessons"]["privacy-and-security@7-11"]
    base = f"/coverage/classes/{world['class'].id}{AUTUMN_2024}"

    def order(html):
        body = html.split('class="grid"')[1].split("</table>")[0]
        return re.findall(r"Pupil b (\d{3})", body)

    assert order(client.get(base).get_data(as_text=True)) == ["000", "001", "002", "003"]
    # by the privacy lesson: completed (b, 90%) first, then tried (a), then not started
    assert order(client.get(f"{base}&sort=lesson-{lesson}").get_data(as_text=True)) == ["001", "000", "002", "003"]
    # by lessons completed: a has 2 (bullying, retired), b has 2 (bullying, privacy earlier), then c... by name
    assert order(client.get(f"{base}&sort=done").get_data(as_text=True))[:2] == ["000", "001"]
    # nonsense sorts fall back to pupil name
    assert client.get(f"{base}&sort=lesson-abc").status_code == 200


def test_empty_class_has_a_plain_empty_state(app, client, world, make_school):
    empty = add_class(app, world["school"], "R1", 0, teacher=world["teacher"])
    login(client, world["teacher"])
    html = client.get(f"/coverage/classes/{empty.id}").get_data(as_text=True)
    assert "There are no pupils in R1 yet" in html


def test_teachers_see_only_their_classes_and_pupils(app, client, world):
    login(client, world["teacher"])
    assert client.get(f"/coverage/classes/{world['other_class'].id}").status_code == 404
    assert client.get(f"/coverage/classes/{world['other_class'].id}/grid.csv").status_code == 404
    assert client.get(f"/coverage/pupils/{world['outsider']}").status_code == 404
    assert client.get(f"/coverage/pupils/{world['pupils'][0]}").status_code == 200
    assert client.get("/coverage/school").status_code == 403


def test_other_schools_class_and_pupil_answer_404(app, client, world, make_school, make_user):
    other_school = make_school("Elm Academy")
    their_dsl = make_user(other_school, "dsl")
    login(client, their_dsl)
    assert client.get(f"/coverage/classes/{world['class'].id}").status_code == 404
    assert client.get(f"/coverage/classes/{world['class'].id}/strands.csv").status_code == 404
    assert client.get(f"/coverage/pupils/{world['pupils'][0]}").status_code == 404
    html = client.get("/coverage/school").get_data(as_text=True)
    assert "5B" not in html


def test_dsl_sees_any_class(app, client, world):
    login(client, world["dsl"])
    assert client.get(f"/coverage/classes/{world['other_class'].id}").status_code == 200


def test_class_page_is_linked_from_the_class_and_shows_class_panels(app, client, world):
    from jinja2 import ChoiceLoader, DictLoader

    from esafe_learn.templating import add_panel

    panel = "<p>Badges panel for {{ school_class.name }}{% if period is defined %} in {{ period.name }}{% endif %}</p>"
    app.jinja_env.loader = ChoiceLoader([DictLoader({"test_badges.html": panel}), app.jinja_env.loader])
    add_panel(app, "class", "test_badges.html")
    login(client, world["teacher"])
    detail = client.get(f"/school/classes/{world['class'].id}").get_data(as_text=True)
    assert f'href="/coverage/classes/{world["class"].id}"' in detail
    html = client.get(f"/coverage/classes/{world['class'].id}{AUTUMN_2024}").get_data(as_text=True)
    assert "Badges panel for 5B in 1 September 2024 to 31 December 2024" in html


def test_names_are_escaped_everywhere(app, client, world, make_school):
    school_class = add_class(app, world["school"], "<b>9Z</b>", 9, teacher=world["teacher"])
    add_pupils(app, world["school"], 1, school_class, year_group=9, prefix="<i>x</i>")
    login(client, world["teacher"])
    html = client.get(f"/coverage/classes/{school_class.id}").get_data(as_text=True)
    assert "<b>9Z</b>" not in html and "&lt;b&gt;9Z&lt;/b&gt;" in html
    assert "<i>x</i>" not in html
