"""Building a :class:`LessonData` from a lesson file's front matter and body."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from markdown_it.token import Token

from esafe_learn.content._fields import Fields
from esafe_learn.content._files import FrontMatter, key_lines
from esafe_learn.content._markdown import MarkdownFile
from esafe_learn.content._model import EasyReadData, LessonData, QuestionData, SectionData
from esafe_learn.content._quiz import QuizParser, block_line, blocks, heading_text, is_heading
from esafe_learn.content.readability import word_count
from esafe_learn.content.taxonomy import AGE_BANDS, LESSON_AUDIENCES, STRANDS

LESSON_FIELDS = (
    "id", "title", "strand", "ages", "minutes", "objectives", "keywords", "summary", "pass_mark",
    "teacher_led", "easy_read", "teacher_notes", "audience",
)  # fmt: skip
DEFAULT_PASS_MARK = 80
MAX_WORDS = 2000


@dataclass
class SourceFile:
    """A Markdown file of the pack, read and split; ``meta`` is its front matter (None if broken)."""

    path: str
    raw: bytes
    front: FrontMatter
    meta: dict | None


@dataclass
class Body:
    intro_html: str
    sections: list[SectionData]
    questions: list[QuestionData]
    prose: str


def is_quiz_heading(block: list[Token]) -> bool:
    return is_heading(block, "h2") and heading_text(block).strip().lower() == "quiz"


@dataclass
class _Parts:
    """A lesson body's top-level blocks, sorted into intro, ``##`` sections and quiz."""

    intro: list[Token]
    sections: list[tuple[list[Token], list[Token]]]
    quiz: list[list[Token]] | None = None
    quiz_line: int = 0
    prose_lines: int | None = None


def _split_body(md: MarkdownFile, tokens: list[Token], first_line: int) -> _Parts:
    parts = _Parts(intro=[], sections=[])
    for block in blocks(tokens):
        if parts.quiz is not None:
            if is_heading(block, "h2"):
                md.report.error(md.file, block_line(block, first_line),
                                "the quiz runs to the end of the file; move this section above '## Quiz'")
            parts.quiz.append(block)
        elif is_quiz_heading(block):
            parts.quiz, parts.quiz_line = [], block_line(block, first_line)
            parts.prose_lines = block[0].map[0] if block[0].map else 0
        elif is_heading(block, "h2"):
            parts.sections.append((block, []))
        elif parts.sections:
            parts.sections[-1][1].extend(block)
        else:
            parts.intro.extend(block)
    return parts


def parse_body(md: MarkdownFile, text: str, first_line: int, misconceptions: Mapping[str, str]) -> Body:
    """Split a lesson body into intro, ``##`` sections and the quiz (from ``## Quiz`` to the end).

    The body is parsed once (its links and raw HTML are checked as part of that parse) and all its HTML
    is sanitised in one batch.
    """
    parsed = md.parse(text, first_line)
    parts = _split_body(md, parsed.tokens, first_line)
    batch = md.batch()
    quiz_parser = QuizParser(md, first_line, misconceptions, batch, references=parsed.references)
    questions = quiz_parser.parse(parts.quiz, parts.quiz_line) if parts.quiz is not None else []
    prose = text if parts.prose_lines is None else "\n".join(text.split("\n")[:parts.prose_lines])
    body = Body(intro_html="", sections=[SectionData(heading_text(head), "") for head, _ in parts.sections],
                questions=questions, prose=prose)
    batch.add_tokens(parts.intro, body, "intro_html")
    for section, (_, content) in zip(body.sections, parts.sections, strict=True):
        batch.add_tokens(content, section, "html")
    batch.clean()
    quiz_parser.check_explanations()
    return body


def read_lesson(source: SourceFile, md: MarkdownFile, pack_audience: str,
                misconceptions: Mapping[str, str], easy_read: EasyReadData | None) -> LessonData:
    """Check and convert one lesson; problems go to ``md.report`` and defaults fill the gaps."""
    meta = source.meta or {}
    front = source.front
    lines = key_lines(front.yaml_text or "", front.yaml_line)
    fields = Fields(meta, source.path, lines, max(front.yaml_line, 1), md.report)
    fields.unknown_keys(LESSON_FIELDS)
    objectives = fields.text_list("objectives", required=False)
    if not objectives and not meta.get("objectives"):
        md.report.error(source.path, fields.line("objectives"),
                        "a lesson needs 'objectives': a list of \"I can ...\"")
    for objective in objectives:
        if not objective.lower().startswith("i can"):
            md.report.warning(source.path, fields.line("objectives"),
                              f"objective should start 'I can': {objective!r}")
    body = parse_body(md, front.body, front.body_line, misconceptions)
    lesson = LessonData(
        id=fields.slug("id"),
        title=fields.text("title"),
        strand=fields.choice("strand", STRANDS, "strand"),
        ages=_ages(fields),
        minutes=fields.integer("minutes", low=1, high=600),
        objectives=objectives,
        keywords=fields.text_list("keywords", required=False, allow_single=True),
        summary=fields.text("summary", required=False),
        pass_mark=fields.integer("pass_mark", required=False, default=DEFAULT_PASS_MARK, high=100),
        teacher_led=fields.boolean("teacher_led"),
        audience=fields.choice("audience", LESSON_AUDIENCES, "audience", required=False,
                               default=pack_audience),
        source_path=source.path,
        intro_html=body.intro_html,
        sections=body.sections,
        questions=body.questions,
        teacher_notes_html=_teacher_notes(fields, md),
        easy_read=easy_read,
        word_count=word_count(body.prose),
        content_hash=hashlib.sha256(source.raw).hexdigest(),
    )
    if lesson.word_count > MAX_WORDS:
        md.report.warning(source.path, front.body_line,
                          f"lesson body is {lesson.word_count} words; keep lessons under {MAX_WORDS}")
    return lesson


def _ages(fields: Fields) -> list[str]:
    ages = fields.text_list("ages", allow_single=True)
    for age in ages:
        if age not in AGE_BANDS:
            fields.error("ages", f"unknown age band {age!r}; use one of: {', '.join(AGE_BANDS)}")
    if len(set(ages)) != len(ages):
        fields.error("ages", "an age band is listed twice")
    return [band for band in AGE_BANDS if band in ages]


def _teacher_notes(fields: Fields, md: MarkdownFile) -> str:
    notes = fields.text("teacher_notes", required=False)
    if not notes:
        return ""
    first_line = fields.line("teacher_notes") + 1
    return md.render(md.parse(notes, first_line).tokens)


def read_easy_read(source: SourceFile, md: MarkdownFile, default_title: str) -> EasyReadData:
    """An easy-read version: optional front matter with only ``title``, Markdown body, no quiz."""
    meta = source.meta or {}
    front = source.front
    lines = key_lines(front.yaml_text or "", front.yaml_line)
    for key in meta:
        if key != "title":
            md.report.error(source.path, lines.get(str(key), front.yaml_line),
                            f"easy-read front matter may only hold 'title', not '{key}'")
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        md.report.error(source.path, lines.get("title", front.yaml_line), "'title' must be text")
        title = None
    tokens = md.parse(front.body, front.body_line).tokens
    for block in blocks(tokens):
        if is_quiz_heading(block):
            md.report.error(source.path, block_line(block, front.body_line),
                            "an easy-read file must not have a quiz")
    title = (title or default_title).strip()
    return EasyReadData(title=title, html=md.render(tokens), source_path=source.path)
