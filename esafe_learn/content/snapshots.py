"""Lessons as learners' pages and staff reports read them, kept by each app process between requests.

At the start of a lesson a class opens the same lesson at once, and each pupil pages through it: reading
the lesson from the database for every page was a third of the page's work. A lesson changes only when
its pack is installed again, and each install adds one to the pack's `revision`. Every signed-in request
reads the sum of the revisions with its session (the session fact "content_revision"), so a process
drops every lesson it kept as soon as any pack changes, whichever process installed it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from ..extensions import db
from .models import Lesson, Pack

CAPACITY = 128  # lessons kept per process, about 24 KiB each: a few MB of a worker's 150 MB budget


@dataclass(frozen=True)
class LessonSnapshot:
    """What a learner's lesson, easy-read, quiz and end-of-lesson pages need; read-only, shared by threads."""

    id: int
    pack_id: int
    pack_slug: str
    slug: str
    title: str
    strand: str
    ages: tuple[str, ...]
    minutes: int
    objectives: tuple[str, ...]
    pass_mark: int
    teacher_led: bool
    audience: str
    intro_html: str
    sections: tuple[dict, ...]
    quiz: tuple[dict, ...]
    easy_read_title: str | None
    easy_read_html: str | None
    has_easy_read: bool
    question_count: int
    pack_version: str
    retired: bool

    @property
    def has_quiz(self) -> bool:
        return self.question_count > 0

    @classmethod
    def of(cls, lesson: Lesson, pack_slug: str) -> LessonSnapshot:
        return cls(
            id=lesson.id, pack_id=lesson.pack_id, pack_slug=pack_slug, slug=lesson.slug, title=lesson.title,
            strand=lesson.strand, ages=tuple(lesson.ages or ()), minutes=lesson.minutes,
            objectives=tuple(lesson.objectives or ()), pass_mark=lesson.pass_mark, teacher_led=lesson.teacher_led,
            audience=lesson.audience, intro_html=lesson.intro_html or "", sections=tuple(lesson.sections or ()),
            quiz=tuple(lesson.quiz or ()), easy_read_title=lesson.easy_read_title,
            easy_read_html=lesson.easy_read_html, has_easy_read=lesson.has_easy_read,
            question_count=lesson.question_count, pack_version=lesson.pack_version, retired=lesson.retired,
        )


def content_revision_expression():
    """The sum of every pack's revision: it grows whenever any pack is installed (a session fact)."""
    return select(func.coalesce(func.sum(Pack.revision), 0)).scalar_subquery()


def load_snapshot(lesson_id: int) -> LessonSnapshot | None:
    row = db.session.execute(
        select(Lesson, Pack.slug).join(Pack, Pack.id == Lesson.pack_id).where(Lesson.id == lesson_id)
        .options(defer(Lesson.teacher_notes_html), defer(Lesson.summary), defer(Lesson.keywords))
    ).first()
    return None if row is None else LessonSnapshot.of(row[0], row[1])


@dataclass(frozen=True)
class CatalogueEntry:
    """One installed lesson as staff reports list it (the coverage grid, misconceptions and the lessons
    that address them), without its text."""

    id: int
    pack_id: int
    title: str
    strand: str
    ages: tuple[str, ...]
    audience: str
    retired: bool
    misconceptions: frozenset[str]  # the slugs its quiz's wrong answers reveal
    pack_misconceptions: dict  # slug -> description, from the lesson's pack


def load_catalogue() -> tuple[CatalogueEntry, ...]:
    """Every installed lesson, in pack and lesson order (each pack's misconception descriptions held once)."""
    rows = db.session.execute(
        select(Lesson.id, Lesson.pack_id, Lesson.title, Lesson.strand, Lesson.ages, Lesson.audience, Lesson.retired,
               Lesson.quiz, Pack.misconceptions)
        .join(Pack, Pack.id == Lesson.pack_id)
        .order_by(Pack.title, Lesson.position, Lesson.id)
    )
    descriptions: dict[int, dict] = {}
    return tuple(
        CatalogueEntry(row.id, row.pack_id, row.title, row.strand, tuple(row.ages or ()), row.audience, row.retired,
                       frozenset(o["misconception"] for q in row.quiz or () for o in q.get("options", ())
                                 if o.get("misconception")),
                       descriptions.setdefault(row.pack_id, dict(row.misconceptions or {})))
        for row in rows
    )


class ContentCache:
    """Content kept for one content revision: lesson snapshots and the catalogue, least recently used
    dropped first."""

    def __init__(self, capacity: int = CAPACITY):
        self._capacity = capacity
        self._lock = threading.Lock()
        self._revision: object = None
        self._items: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, revision: object, load: Callable[[], object]):
        """The item for `revision`, loaded (in the caller's transaction, which read the revision) if need be.

        What is loaded is never older than `revision`, because the revision was read first in the same
        transaction; so it is safe to keep under that revision.
        """
        with self._lock:
            if revision != self._revision:
                self._items.clear()
                self._revision = revision
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item
        item = load()
        if item is not None:
            with self._lock:
                if revision == self._revision:
                    self._items[key] = item
                    while len(self._items) > self._capacity:
                        self._items.popitem(last=False)
        return item


def _cached(app: Flask, key: Hashable, revision: object | None, load: Callable[[], object]):
    if revision is None:  # not read with a session: read it now, keep nothing
        return load()
    return app.extensions["esafe_content_cache"].get(key, revision, load)


def lesson_snapshot(app: Flask, lesson_id: int, revision: object | None) -> LessonSnapshot | None:
    """The lesson as learners read it; from this process's cache when the revision is known."""
    return _cached(app, ("lesson", lesson_id), revision, lambda: load_snapshot(lesson_id))


def lesson_catalogue(app: Flask, revision: object | None) -> tuple[CatalogueEntry, ...]:
    return _cached(app, "catalogue", revision, load_catalogue)


def init_app(app: Flask) -> None:
    from ..security import add_session_fact

    app.extensions["esafe_content_cache"] = ContentCache()
    add_session_fact(app, "content_revision", content_revision_expression)
