"""The core pack: every strand at every band, complete, within length and readable for its age."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from esafe_learn.content.packformat import load_pack
from esafe_learn.content.readability import flesch_reading_ease, word_count
from esafe_learn.content.taxonomy import AGE_BANDS, STRANDS

CORE = Path(__file__).parent.parent.parent / "lessons" / "core-online-safety"
STAFF = Path(__file__).parent.parent.parent / "lessons" / "staff-online-safeguarding"
TEACHER_NOTE_HEADINGS = ("Timing", "Discussion prompts", "Adaptations for pupils with SEND",
                         "If a pupil discloses something")
READABILITY_FLOOR = {"4-7": 80, "7-11": 70}


@pytest.fixture(scope="module")
def core():
    pack, problems = load_pack(CORE)
    assert pack is not None, [str(p) for p in problems]
    assert [p for p in problems if p.is_error] == []
    return pack


def pupil_lessons(pack):
    return [lesson for lesson in pack.lessons if lesson.audience == "pupils"]


def test_the_pack_validates_without_errors_or_warnings(core):
    _pack, problems = load_pack(CORE)
    assert [str(p) for p in problems] == []


def test_every_strand_at_every_band_once(core):
    grid = Counter((lesson.strand, band) for lesson in pupil_lessons(core) for band in lesson.ages)
    assert set(grid) == {(strand, band) for strand in STRANDS for band in AGE_BANDS}
    assert all(count == 1 for count in grid.values())
    assert len(pupil_lessons(core)) == 32


def test_each_lesson_has_objectives_quiz_explanations_and_teacher_notes(core):
    for lesson in core.lessons:
        assert 3 <= len(lesson.objectives) <= 6, lesson.id
        assert all(o.startswith("I can") for o in lesson.objectives), lesson.id
        assert 4 <= len(lesson.questions) <= 8, lesson.id
        assert all(q.explanation_html.strip() for q in lesson.questions), lesson.id
        for heading in TEACHER_NOTE_HEADINGS:
            assert heading in lesson.teacher_notes_html, (lesson.id, heading)


def test_word_counts_are_in_range(core):
    for lesson in core.lessons:
        assert 400 <= lesson.word_count <= 900, (lesson.id, lesson.word_count)


def _body(path: Path) -> str:
    text = path.read_text("utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)


def test_young_lessons_have_readable_easy_read_versions(core):
    for lesson in core.lessons:
        band = lesson.ages[0]
        if band not in READABILITY_FLOOR:
            continue
        assert lesson.easy_read is not None, lesson.id
        body = _body(CORE / lesson.easy_read.source_path)
        assert "## Quiz" not in body
        score = flesch_reading_ease(body)
        assert score >= READABILITY_FLOOR[band], (lesson.id, round(score, 1))
        assert word_count(body) > 50, lesson.id


def test_misconceptions_are_many_and_described(core):
    used = {o.misconception for lesson in core.lessons for q in lesson.questions for o in q.options
            if o.misconception}
    assert len(used) >= 20
    assert used <= set(core.misconceptions)


def test_sensitive_lessons_are_teacher_led(core):
    for band in ("11-14", "14-18"):
        lesson = core.lesson(f"online-relationships-{band}")
        source = (CORE / lesson.source_path).read_text("utf-8").lower()
        assert lesson.teacher_led
        assert "nude" in source and "report remove" in source


def test_who_to_tell_appears_in_every_lesson(core):
    for lesson in core.lessons:
        text = (CORE / lesson.source_path).read_text("utf-8")
        assert "0800 1111" in text and "Childline" in text, lesson.id
        assert "CEOP" in text, lesson.id
        if lesson.ages[0] in ("11-14", "14-18") and lesson.audience == "pupils":
            assert "Report Harmful Content" in text, lesson.id


def test_leader_training_and_badges(core):
    leader = [lesson for lesson in core.lessons if lesson.audience == "online-leaders"]
    assert {tuple(lesson.ages) for lesson in leader} == {("7-11",), ("11-14",)}
    assert len(leader) == 6
    kinds = Counter(badge.criteria["kind"] for badge in core.badges)
    strands = {badge.criteria.get("strand") for badge in core.badges if badge.criteria["kind"] == "strand-complete"}
    assert strands == set(STRANDS)
    assert kinds["first-lesson"] and kinds["quiz-full-marks"] and kinds["mentoring-sessions"]
    assert kinds["staff-awarded"] >= 3
    leader_ids = {lesson.id for lesson in leader}
    assert any(set(b.criteria.get("ids", [])) and set(b.criteria["ids"]) <= leader_ids for b in core.badges)


def test_uk_english_spellings(core):
    american = re.compile(r"\b(color|favorite|organize|behavior|center|apologize|mom)\b", re.I)
    for path in CORE.rglob("*.md"):
        assert not american.search(path.read_text("utf-8")), path.name


def test_staff_pack_has_an_annual_update():
    pack, problems = load_pack(STAFF)
    assert pack is not None and [p for p in problems if p.is_error] == []
    assert pack.audience == "staff"
    assert pack.lesson("annual-update") is not None
    assert yaml.safe_load((STAFF / "pack.yaml").read_text())["audience"] == "staff"
