"""Data the pack loader produces (re-exported by :mod:`esafe_learn.content.packformat`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esafe_learn.content.taxonomy import BADGE_ICONS


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a pack: ``file`` is relative to the pack folder, ``line`` 1-based (0: none)."""

    file: str
    line: int
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


@dataclass
class OptionData:
    key: str
    text: str
    html: str
    correct: bool
    misconception: str | None = None


@dataclass
class QuestionData:
    key: str
    kind: str
    prompt: str
    prompt_html: str
    options: list[OptionData]
    explanation_html: str
    line: int

    @property
    def correct_keys(self) -> list[str]:
        return [option.key for option in self.options if option.correct]


@dataclass
class SectionData:
    title: str
    html: str


@dataclass
class EasyReadData:
    title: str
    html: str
    source_path: str


@dataclass
class LessonData:
    id: str
    title: str
    strand: str
    ages: list[str]
    minutes: int
    objectives: list[str]
    keywords: list[str]
    summary: str
    pass_mark: int
    teacher_led: bool
    audience: str
    source_path: str
    intro_html: str
    sections: list[SectionData]
    questions: list[QuestionData]
    teacher_notes_html: str
    easy_read: EasyReadData | None
    word_count: int
    content_hash: str


@dataclass
class BadgeData:
    id: str
    name: str
    description: str
    image: str
    criteria: dict

    @property
    def is_icon(self) -> bool:
        """True when ``image`` names a built-in icon; otherwise it is a path inside ``media/``."""
        return self.image in BADGE_ICONS


@dataclass
class MediaFile:
    path: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass
class PackData:
    schema_version: int
    id: str
    title: str
    version: str
    description: str
    language: str
    licence: str
    authors: list[str]
    audience: str
    misconceptions: dict[str, str]
    lessons: list[LessonData]
    badges: list[BadgeData]
    media: list[MediaFile]
    root: Path

    def lesson(self, lesson_id: str) -> LessonData | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)
