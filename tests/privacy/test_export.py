"""Subject access export: a ZIP of JSON and CSV with a summary, covering every registered table."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from esafe_learn.concerns.models import Concern, ConcernNote
from esafe_learn.extensions import db
from esafe_learn.lessons.models import LessonProgress
from esafe_learn.mentoring.models import MentoringMentee, MentoringSession
from esafe_learn.privacy import registry
from esafe_learn.quizzes.models import QuizAttempt
from esafe_learn.timeutil import utcnow

from ..conftest import login, post

LEADER_WORDS = "We talked about <script>alert(1)</script> group chats"
CONCERN_WORDS = "Someone asked for photos"


def _world(app, make_school, make_user, make_class, install):
    school = make_school()
    pupil = make_user(school, "pupil", name="Ava <b>B</b>")
    leader = make_user(school, "pupil", leader=True)
    dsl = make_user(school, "dsl")
    admin = make_user(school, "school_admin")
    make_class(school, "5B", pupils=[pupil])
    lessons = install()
    lesson_id = next(iter(lessons.values()))
    with app.app_context():
        db.session.add(LessonProgress(school_id=school.id, user_id=pupil.id, lesson_id=lesson_id, band="7-11",
                                      strand="s", reached_end=True, attempts=1, best_score=80,
                                      pack_version="1"))
        db.session.add(QuizAttempt(school_id=school.id, user_id=pupil.id, lesson_id=lesson_id, attempt_token="tok-1",
                                   pack_slug="p", pack_version="1", band="7-11", strand="s", snapshot=[],
                                   answers={"q1": ["a"]}, results={"q1": True}, correct_count=1, question_count=1,
                                   score=100, full_marks=True, passed=True))
        log = MentoringSession(school_id=school.id, leader_id=leader.id, session_date=date.today(), kind="chat",
                               mentee_mode="named", what_we_did=LEADER_WORDS, duration_minutes=10)
        db.session.add(log)
        db.session.flush()
        db.session.add(MentoringMentee(school_id=school.id, session_id=log.id, pupil_id=pupil.id))
        concern = Concern(school_id=school.id, source="staff", category="contact", description=CONCERN_WORDS,
                          told_adult="yes", about_id=pupil.id, created_at=utcnow())
        db.session.add(concern)
        db.session.flush()
        db.session.add(ConcernNote(school_id=school.id, concern_id=concern.id, body="note", author_id=dsl.id))
        db.session.commit()
    return school, pupil, dsl, admin


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_admin_export_leaves_safeguarding_out(app, client, make_school, make_user, make_class, install):
    _, pupil, _, admin = _world(app, make_school, make_user, make_class, install)
    login(client, admin)
    assert "Ava" in client.get("/privacy/subject-access").get_data(as_text=True)
    archive = _zip(post(client, f"/privacy/subject-access/{pupil.id}", {"include_concerns": "y"}))
    names = set(archive.namelist())
    for entry in registry.exported_tables(include_dsl=False):
        assert f"json/{entry.table}.json" in names and f"csv/{entry.table}.csv" in names
    assert "json/concern.json" not in names
    everything = b"".join(archive.read(name) for name in names).decode()
    assert CONCERN_WORDS not in everything and "group chats" not in everything
    assert "password_hash" not in everything and "tok-1" not in everything
    summary = archive.read("summary.html").decode()
    assert "Ava &lt;b&gt;B&lt;/b&gt;" in summary and "5B" in summary and "<h1>" in summary
    [user] = json.loads(archive.read("json/user.json"))
    assert user["id"] == pupil.id and "password_hash" not in user
    [attempt] = json.loads(archive.read("json/quiz_attempt.json"))
    assert attempt["answers"] == {"q1": ["a"]}
    [session] = json.loads(archive.read("json/mentoring_session.json"))
    assert session["leader_id"] is None and session["what_we_did"].startswith("(withheld")


def test_dsl_can_include_everything_and_export_covers_every_registered_table(app, client, make_school, make_user,
                                                                            make_class, install):
    _, pupil, dsl, _ = _world(app, make_school, make_user, make_class, install)
    login(client, dsl)
    archive = _zip(post(client, f"/privacy/subject-access/{pupil.id}",
                        {"include_concerns": "y", "include_leader_notes": "y"}))
    names = set(archive.namelist())
    for entry in registry.REGISTRY:
        if entry.export != registry.EXPORT_NO:
            assert f"json/{entry.table}.json" in names, entry.table
    assert CONCERN_WORDS in archive.read("json/concern.json").decode()
    assert json.loads(archive.read("json/concern_note.json"))[0]["body"] == "note"
    assert LEADER_WORDS in archive.read("json/mentoring_session.json").decode()
    assert "<script>" not in archive.read("summary.html").decode()


def test_another_schools_pupil_is_404(app, client, make_school, make_user, make_class, install):
    _, pupil, _, _ = _world(app, make_school, make_user, make_class, install)
    other_admin = make_user(make_school("Elm"), "school_admin")
    login(client, other_admin)
    assert client.get(f"/privacy/subject-access/{pupil.id}").status_code == 404
    assert post(client, f"/privacy/subject-access/{pupil.id}").status_code == 404


def test_export_asks_for_the_password_when_it_is_old(app, client, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil")
    admin = make_user(school, "school_admin")
    login(client, admin)
    app.config["REAUTH_MINUTES"] = -1
    response = post(client, f"/privacy/subject-access/{pupil.id}")
    assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
