"""The access table, route by route and role by role, for this school and for another school."""

from __future__ import annotations

import pytest

from .access_table import ACCESS, LAST, OBJECT_ROUTES, POST_DATA, ROLES, URL_VALUES
from .conftest import any_csrf_token, login

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def build_world(make_school, make_user, make_class, prefix: str, app=None) -> dict:
    school = make_school(f"School {prefix}")
    world = {"school": school}
    world["pupil"] = make_user(school, "pupil", year_group=5)
    world["leader"] = make_user(school, "pupil", year_group=6, leader=True)
    world["teacher"] = make_user(school, "teacher")
    world["dsl"] = make_user(school, "dsl")
    world["school_admin"] = make_user(school, "school_admin")
    world["class"] = make_class(school, "5A", 5, teachers=[world["teacher"]], pupils=[world["pupil"], world["leader"]])
    if app is not None:
        add_learning(app, world)
        add_mentoring_and_concerns(app, world)
        add_badges(app, world)
        add_checklist(app, world)
    return world


def add_checklist(app, world: dict) -> None:
    """The school's seeded e-safeguarding checklist: its curriculum item names the item in URLs."""
    from types import SimpleNamespace

    from .checklist.helpers import seed_checklist

    world["checklist_item"] = SimpleNamespace(id=seed_checklist(app, world["school"])["curriculum"])


def add_badges(app, world: dict) -> None:
    """A school badge the teacher gave the pupil."""
    from .badges.helpers import add_badges as add

    add(app, world)


def add_mentoring_and_concerns(app, world: dict) -> None:
    """A mentoring log of the leader and a concern the pupil raised."""
    from .concerns.helpers import add_concern
    from .mentoring.helpers import add_log

    world["log"] = add_log(app, world["leader"])
    world["concern"] = add_concern(app, world["pupil"], source="pupil")


def add_learning(app, world: dict) -> None:
    """The example pack, one of its lessons set for the class, a quiz attempt and a reflection."""
    from types import SimpleNamespace

    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import install_pack
    from esafe_learn.extensions import db
    from esafe_learn.lessons.models import LessonAssignment, Reflection
    from esafe_learn.quizzes.models import QuizAttempt

    from .conftest import EXAMPLE_PACK

    with app.app_context():
        install_pack(EXAMPLE_PACK)
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "kind-messages-7-11"))
        school_id, pupil_id = world["school"].id, world["pupil"].id
        assignment = LessonAssignment(school_id=school_id, class_id=world["class"].id, lesson_id=lesson.id)
        attempt = QuizAttempt(school_id=school_id, user_id=pupil_id, lesson_id=lesson.id,
                              attempt_token=f"token-{school_id}", pack_slug="example-pack", pack_version="1",
                              band="7-11", strand=lesson.strand, snapshot=lesson.quiz, answers={}, results={},
                              correct_count=0, question_count=len(lesson.quiz), score=0, full_marks=False,
                              passed=False)
        reflection = Reflection(school_id=school_id, user_id=pupil_id, lesson_id=lesson.id, text="I will ask",
                                band="7-11")
        db.session.add_all([assignment, attempt, reflection])
        db.session.commit()
        for name, row in (("lesson", lesson), ("assignment", assignment), ("attempt", attempt),
                          ("reflection", reflection)):
            world[name] = SimpleNamespace(id=row.id)


def _url(app, endpoint: str, world: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for name in rule.arguments:
        spec = URL_VALUES[name]
        if isinstance(spec, dict):
            spec = spec.get(endpoint, spec[None])
        values[name] = world[spec].id if spec in world else spec
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def _request(client, app, endpoint, method, world):
    url = _url(app, endpoint, world)
    if method == "GET":
        response = client.get(url)
    else:
        data = POST_DATA.get(endpoint, lambda _w: {})(world)
        data["csrf_token"] = any_csrf_token(client)
        response = client.open(url, method=method, data=data)
    response.close()
    return response.status_code


def test_every_route_has_a_row(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods & METHODS}
    assert routes - ACCESS.keys() == set(), "routes without a row in tests/access_table.py"
    assert ACCESS.keys() - routes == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_access_table(app, make_school, make_user, make_class, role):
    world = build_world(make_school, make_user, make_class, "A", app)
    other = build_world(make_school, make_user, make_class, "B", app)
    other["deployment_admin"] = world["deployment_admin"] = make_user(None, "deployment_admin")
    column = ROLES.index(role)
    own_client, other_client = app.test_client(), app.test_client()
    if role != "anonymous":
        login(own_client, world[role])
        login(other_client, other[role])
    ordered = sorted(ACCESS, key=lambda key: LAST.index(key) if key in LAST else -1)
    failures = []
    for endpoint, method in ordered:
        expected = ACCESS[(endpoint, method)][column]
        got = _request(own_client, app, endpoint, method, world)
        if got != expected:
            failures.append(f"{role} {method} {endpoint}: expected {expected}, got {got}")
        if role in ("anonymous", "deployment_admin"):
            continue
        expected_other = 404 if endpoint in OBJECT_ROUTES else expected
        got = _request(other_client, app, endpoint, method, world)
        if got != expected_other:
            failures.append(f"{role} of another school {method} {endpoint}: expected {expected_other}, got {got}")
    assert failures == []
