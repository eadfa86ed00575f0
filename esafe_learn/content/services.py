"""Installing content packs: validate first, then import in one transaction.

A pack with any error changes nothing. Installing a newer version updates lessons in place;
a lesson that left the pack is marked retired (hidden from pupils, kept for history and coverage).
Learner records are never touched here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..timeutil import utcnow
from .models import Lesson, LessonBand, Pack, PackBadge, PackMedia
from .packformat import LessonData, PackData, Problem, find_pack_dirs, load_pack

MEDIA_URL_PREFIX = "/content/media/{pack}/"


class PackError(Exception):
    """The pack has errors; nothing was installed."""

    def __init__(self, path: Path, problems: list[Problem]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)")


@dataclass
class InstallResult:
    slug: str
    version: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    warnings: list[Problem] = field(default_factory=list)


def validate_pack(path: Path) -> tuple[PackData | None, list[Problem]]:
    return load_pack(path, media_url_prefix=MEDIA_URL_PREFIX.format(pack=_pack_folder_id(path)))


def _pack_folder_id(path: Path) -> str:
    """The media URL uses the pack's id; read it cheaply so rendering can point images at it."""
    import yaml

    try:
        data = yaml.safe_load((path / "pack.yaml").read_text("utf-8"))
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            return data["id"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass
    return path.name


def install_pack(path: Path, progress: Callable[[int], None] | None = None) -> InstallResult:
    """Validate and import one pack. The caller commits; on PackError nothing has been changed."""
    data, problems = validate_pack(path)
    errors = [p for p in problems if p.is_error]
    if data is None or errors:
        raise PackError(path, errors or problems)
    pack = db.session.scalar(select(Pack).where(Pack.slug == data.id))
    if pack is None:
        pack = Pack(slug=data.id)
        db.session.add(pack)
    _copy_pack_fields(pack, data)
    db.session.flush()
    result = InstallResult(slug=data.id, version=data.version, warnings=problems)
    _install_lessons(pack, data, result, progress)
    _install_badges(pack, data)
    _install_media(pack, data)
    db.session.flush()
    return result


def _copy_pack_fields(pack: Pack, data: PackData) -> None:
    pack.title, pack.version, pack.description = data.title, data.version, data.description
    pack.language, pack.licence, pack.authors = data.language, data.licence, list(data.authors)
    pack.audience, pack.misconceptions = data.audience, dict(data.misconceptions)
    pack.updated_at = utcnow()
    pack.revision = (pack.revision or 0) + 1


def _install_lessons(pack: Pack, data: PackData, result: InstallResult, progress) -> None:
    existing = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson).where(Lesson.pack_id == pack.id))}
    for position, lesson_data in enumerate(data.lessons):
        lesson = existing.pop(lesson_data.id, None)
        if lesson is None:
            lesson = Lesson(pack_id=pack.id, slug=lesson_data.id)
            db.session.add(lesson)
            result.added += 1
        elif lesson.content_hash == lesson_data.content_hash and lesson.pack_version == data.version \
                and not lesson.retired and lesson.position == position:
            result.unchanged += 1
            if progress:
                progress(1)
            continue
        else:
            result.updated += 1
        _copy_lesson_fields(lesson, lesson_data, data.version, position)
        if progress:
            progress(1)
    for lesson in existing.values():
        if not lesson.retired:
            lesson.retired = True
            result.retired += 1


def _copy_lesson_fields(lesson: Lesson, data: LessonData, version: str, position: int) -> None:
    lesson.title, lesson.strand, lesson.ages = data.title, data.strand, list(data.ages)
    lesson.minutes, lesson.objectives, lesson.keywords = data.minutes, list(data.objectives), list(data.keywords)
    lesson.summary, lesson.pass_mark, lesson.teacher_led = data.summary, data.pass_mark, data.teacher_led
    lesson.audience, lesson.position = data.audience, position
    lesson.intro_html = data.intro_html
    lesson.sections = [{"title": s.title, "html": s.html} for s in data.sections]
    lesson.quiz = [
        {
            "key": q.key, "kind": q.kind, "prompt": q.prompt, "prompt_html": q.prompt_html,
            "explanation_html": q.explanation_html,
            "options": [{"key": o.key, "text": o.text, "html": o.html, "correct": o.correct,
                         "misconception": o.misconception} for o in q.options],
        }
        for q in data.questions
    ]
    lesson.teacher_notes_html = data.teacher_notes_html
    lesson.easy_read_title = data.easy_read.title if data.easy_read else None
    lesson.easy_read_html = data.easy_read.html if data.easy_read else None
    lesson.has_easy_read, lesson.question_count = data.easy_read is not None, len(data.questions)
    lesson.word_count, lesson.content_hash = data.word_count, data.content_hash
    lesson.pack_version, lesson.retired, lesson.updated_at = version, False, utcnow()
    wanted = set(data.ages)
    lesson.bands = [band for band in lesson.bands if band.band in wanted]
    have = {band.band for band in lesson.bands}
    lesson.bands.extend(LessonBand(band=band) for band in data.ages if band not in have)


def _install_badges(pack: Pack, data: PackData) -> None:
    existing = {b.slug: b for b in db.session.scalars(select(PackBadge).where(PackBadge.pack_id == pack.id))}
    for badge_data in data.badges:
        badge = existing.pop(badge_data.id, None) or PackBadge(pack_id=pack.id, slug=badge_data.id)
        badge.name, badge.description, badge.image = badge_data.name, badge_data.description, badge_data.image
        badge.criteria, badge.retired = dict(badge_data.criteria), False
        db.session.add(badge)
    for badge in existing.values():
        badge.retired = True


def _install_media(pack: Pack, data: PackData) -> None:
    existing = {m.path: m for m in db.session.scalars(select(PackMedia).where(PackMedia.pack_id == pack.id))}
    for media in data.media:
        row = existing.pop(media.path, None) or PackMedia(pack_id=pack.id, path=media.path)
        row.content_type, row.data = media.content_type, media.data
        db.session.add(row)
    for row in existing.values():
        db.session.delete(row)


def pack_paths(path: Path) -> list[Path]:
    return find_pack_dirs(path)


def installed_packs() -> list[Pack]:
    return list(db.session.scalars(select(Pack).order_by(Pack.title)))
