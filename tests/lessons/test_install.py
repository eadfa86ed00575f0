"""Installing packs: validate first, one transaction, versions update in place, history kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from esafe_learn.content.models import Lesson, Pack, PackBadge, PackMedia
from esafe_learn.content.services import PackError, install_pack
from esafe_learn.extensions import db
from esafe_learn.quizzes.models import QuizAttempt

from ..conftest import EXAMPLE_PACK, login, quiz_form

INVALID = Path(__file__).parent.parent / "fixtures" / "packs" / "invalid"


def test_install_renders_once_and_stores_everything(app, install):
    ids = install()
    with app.app_context():
        pack = db.session.scalar(select(Pack))
        assert (pack.slug, pack.version) == ("example-pack", "1.0.0")
        lesson = db.session.get(Lesson, ids["kind-messages-7-11"])
        assert lesson.teacher_led and lesson.ages == ["7-11"] and lesson.pass_mark == 75
        assert "<p>" in lesson.sections[0]["html"]
        assert lesson.quiz[0]["options"][0]["misconception"] == "only-a-joke"
        assert lesson.quiz[1]["kind"] == "multiple"
        assert db.session.scalar(select(func.count(PackMedia.id))) >= 1
        assert db.session.scalar(select(func.count(PackBadge.id))) >= 1
        private = db.session.get(Lesson, ids["keeping-things-private-4-7"]) if "keeping-things-private-4-7" in ids \
            else db.session.scalar(select(Lesson).where(Lesson.easy_read_html.is_not(None)))
        assert private.easy_read_html


@pytest.mark.parametrize("fixture", sorted(p.name for p in INVALID.iterdir()))
def test_a_pack_with_any_error_changes_nothing(app, fixture):
    with app.app_context():
        with pytest.raises(PackError) as raised:
            install_pack(INVALID / fixture)
        assert raised.value.problems
        db.session.rollback()
        assert db.session.scalar(select(func.count(Lesson.id))) == 0
        assert db.session.scalar(select(func.count(Pack.id))) == 0


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "example-pack"
    shutil.copytree(EXAMPLE_PACK, target)
    return target


def test_reinstall_with_edited_quiz_keeps_earlier_scores(app, client, install, make_school, make_user,
                                                         make_class, tmp_path):
    pack_dir = _copy_pack(tmp_path)
    ids = install(pack_dir)
    lesson_id = ids["kind-messages-7-11"]
    school = make_school()
    pupil = make_user(school, "pupil", year_group=4)
    teacher = make_user(school, "teacher")
    school_class = make_class(school, "4A", 4, teachers=[teacher], pupils=[pupil])
    with app.app_context():
        from esafe_learn.lessons.models import LessonAssignment

        db.session.add(LessonAssignment(school_id=school.id, class_id=school_class.id, lesson_id=lesson_id))
        db.session.commit()
    login(client, pupil)
    with app.app_context():
        data = quiz_form(client, lesson_id, "right")
    assert client.post(f"/lessons/{lesson_id}/quiz", data=data).status_code == 302

    # Version 2 swaps which option is right in the first question.
    lesson_file = pack_dir / "lessons" / "kind-messages.md"
    text = lesson_file.read_text()
    text = text.replace("- [ ] No, jokes never count", "- [x] No, jokes never count").replace(
        "- [x] It can be, because Ali is hurt", "- [ ] It can be, because Ali is hurt")
    text = text.replace(" {misconception=only-a-joke}", "")
    lesson_file.write_text(text)
    (pack_dir / "pack.yaml").write_text((pack_dir / "pack.yaml").read_text().replace('"1.0.0"', '"2.0.0"'))
    install(pack_dir)

    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.score == 100 and attempt.pack_version == "1.0.0"
        assert attempt.snapshot[0]["options"][1]["correct"] is True
        lesson = db.session.get(Lesson, lesson_id)
        assert lesson.pack_version == "2.0.0" and lesson.quiz[0]["options"][0]["correct"] is True


def test_a_lesson_removed_from_the_pack_is_retired_not_deleted(app, install, tmp_path):
    pack_dir = _copy_pack(tmp_path)
    ids = install(pack_dir)
    (pack_dir / "lessons" / "kind-messages.md").unlink()
    install(pack_dir)
    with app.app_context():
        lesson = db.session.get(Lesson, ids["kind-messages-7-11"])
        assert lesson is not None and lesson.retired


def test_cli_validate_and_install(app, runner, tmp_path):
    bad = runner.invoke(args=["packs", "validate", str(INVALID / "unknown-strand")])
    assert bad.exit_code == 1
    assert "unknown-strand/" in bad.output and ":" in bad.output
    good = runner.invoke(args=["packs", "validate", str(EXAMPLE_PACK)])
    assert good.exit_code == 0 and "valid" in good.output
    installed = runner.invoke(args=["packs", "install", str(EXAMPLE_PACK)])
    assert installed.exit_code == 0, installed.output
    assert "example-pack 1.0.0:" in installed.output
    refused = runner.invoke(args=["packs", "install", str(INVALID / "no-objectives")])
    assert refused.exit_code != 0 and "nothing from it was installed" in refused.output
    empty = runner.invoke(args=["packs", "install", str(tmp_path)])
    assert empty.exit_code != 0 and "holds no pack" in empty.output
