"""Lessons kept by each app process: pages read them without a query, and a pack installed by any process
shows at once in every other (the session reads the packs' revision)."""

from __future__ import annotations

import shutil

from esafe_learn import create_app
from esafe_learn.content.services import install_pack
from esafe_learn.extensions import db

from ..conftest import EXAMPLE_PACK, count_queries, login, quiz_form

LESSON = "keeping-things-private-4-7"


def _pupil_in_year_one(make_school, make_user, make_class):
    school = make_school()
    pupil = make_user(school, "pupil", year_group=1)
    make_class(school, "1A", 1, pupils=[pupil])
    return pupil


def _edited_pack(tmp_path, version: str, title: str | None = None, drop: str | None = None):
    """A copy of the example pack at a new version, with one lesson retitled or one lesson file removed."""
    folder = tmp_path / f"example-{version}"
    shutil.copytree(EXAMPLE_PACK, folder)
    pack_file = folder / "pack.yaml"
    pack_file.write_text(pack_file.read_text().replace('version: "1.0.0"', f'version: "{version}"'))
    lesson_file = folder / "lessons" / "keeping-things-private.md"
    if title:
        lesson_file.write_text(lesson_file.read_text().replace("title: Keeping my things private\n",
                                                                f"title: {title}\n", 1))
    if drop:
        (folder / "lessons" / f"{drop}.md").unlink()
        (folder / "lessons" / f"{drop}.easy.md").unlink(missing_ok=True)
        badges = folder / "badges.yaml"  # a badge that names the lesson goes with it
        blocks = badges.read_text().split("\n\n")
        badges.write_text("\n\n".join(block for block in blocks if LESSON not in block))
    return folder


def _install_elsewhere(app, folder) -> None:
    """Install with a second app (another process's view) on the same database."""
    other = create_app({**app.config})
    with other.app_context():
        install_pack(folder)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_warm_lesson_page_runs_one_query_the_session(app, client, install, make_school, make_user,
                                                       make_class):
    lesson_id = install()[LESSON]
    login(client, _pupil_in_year_one(make_school, make_user, make_class))
    client.get(f"/lessons/{lesson_id}")
    with count_queries(app) as statements:
        page = client.get(f"/lessons/{lesson_id}?part=2").get_data(as_text=True)
    assert "Part 2 of" in page
    assert len(statements) == 1 and "user_session" in statements[0], statements


def test_a_pack_installed_by_another_process_shows_on_the_next_page(app, client, install, make_school, make_user,
                                                                    make_class, tmp_path):
    lesson_id = install()[LESSON]
    login(client, _pupil_in_year_one(make_school, make_user, make_class))
    assert "Keeping my things private" in client.get(f"/lessons/{lesson_id}").get_data(as_text=True)

    _install_elsewhere(app, _edited_pack(tmp_path, "1.1.0", title="Keeping my private things safe"))

    page = client.get(f"/lessons/{lesson_id}").get_data(as_text=True)
    assert "Keeping my private things safe" in page


def test_a_lesson_retired_by_another_process_closes_at_once(app, client, install, make_school, make_user,
                                                           make_class, tmp_path):
    lesson_id = install()[LESSON]
    login(client, _pupil_in_year_one(make_school, make_user, make_class))
    assert client.get(f"/lessons/{lesson_id}").status_code == 200
    assert client.get(f"/lessons/{lesson_id}/quiz").status_code == 200

    _install_elsewhere(app, _edited_pack(tmp_path, "2.0.0", drop="keeping-things-private"))

    assert client.get(f"/lessons/{lesson_id}").status_code == 404
    assert client.get(f"/lessons/{lesson_id}/quiz").status_code == 404


def test_a_quiz_is_scored_against_the_version_installed_now(app, client, install, make_school, make_user,
                                                           make_class, tmp_path):
    from esafe_learn.quizzes.models import QuizAttempt

    lesson_id = install()[LESSON]
    login(client, _pupil_in_year_one(make_school, make_user, make_class))
    with app.app_context():
        form = quiz_form(client, lesson_id)
    _install_elsewhere(app, _edited_pack(tmp_path, "1.2.0", title="Keeping my things private (new)"))
    response = client.post(f"/lessons/{lesson_id}/quiz", data=form)
    assert response.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(db.select(QuizAttempt))
        assert attempt.pack_version == "1.2.0" and attempt.pack_slug == "example-pack"


def test_a_quiz_submission_runs_few_statements(app, client, install, make_school, make_user, make_class):
    lesson_id = install()[LESSON]
    login(client, _pupil_in_year_one(make_school, make_user, make_class))
    with app.app_context():
        form = quiz_form(client, lesson_id, pick="wrong")
    client.get(f"/lessons/{lesson_id}/quiz")
    with count_queries(app) as statements:
        assert client.post(f"/lessons/{lesson_id}/quiz", data=form).status_code == 302
    # session, attempt (INSERT ... ON CONFLICT DO NOTHING RETURNING), misconceptions, progress (one upsert); wrong
    # answers earn no badge, so no badge is judged: a resend of the same form must not add to this.
    assert len(statements) <= 4, statements
    with count_queries(app) as resend:
        assert client.post(f"/lessons/{lesson_id}/quiz", data=form).status_code == 302
    assert len(resend) <= 3, resend


def test_the_cache_keeps_at_most_its_capacity_and_forgets_everything_when_the_revision_changes():
    from esafe_learn.content.snapshots import ContentCache

    loads: list[int] = []

    def loader(key):
        def load():
            loads.append(key)
            return f"lesson {key}"
        return load

    cache = ContentCache(capacity=2)
    assert [cache.get(key, 1, loader(key)) for key in (1, 2, 1)] == ["lesson 1", "lesson 2", "lesson 1"]
    assert loads == [1, 2]  # the second read of 1 came from the cache
    cache.get(3, 1, loader(3))  # 2 was used least recently: it goes
    cache.get(1, 1, loader(1))
    cache.get(2, 1, loader(2))
    assert loads == [1, 2, 3, 2]
    cache.get(1, 2, loader(1))  # a pack was installed somewhere: nothing kept is trusted
    assert loads == [1, 2, 3, 2, 1]
