"""esafe_learn.content.packformat: loading, validating and rendering content packs."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esafe_learn.content import question_types
from esafe_learn.content.packformat import (
    OptionData,
    Problem,
    QuestionData,
    find_pack_dirs,
    load_pack,
    read_pack,
)
from esafe_learn.content.readability import word_count
from esafe_learn.content.taxonomy import AGE_BANDS, STRANDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"
EXAMPLE = FIXTURES / "example-pack"
INVALID = FIXTURES / "invalid"
HOSTILE = FIXTURES / "hostile"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "content-packs.md"
PRIVATE_LESSON = "lessons/keeping-things-private.md"


def copy_example(tmp_path: Path) -> Path:
    """A writable copy of the example pack, in a folder named like its id."""
    target = tmp_path / "example-pack"
    shutil.copytree(EXAMPLE, target)
    return target


def errors(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.is_error]


def messages(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


# -- the example pack ----------------------------------------------------------------------------------


def test_example_pack_loads_without_any_problem() -> None:
    pack, problems = load_pack(EXAMPLE)
    assert problems == []
    assert pack is not None
    assert (pack.schema_version, pack.id, pack.version) == (1, "example-pack", "1.0.0")
    assert pack.language == "en-GB"
    assert pack.audience == "pupils"
    assert pack.authors == ["Example Local Authority Online Safety Team"]
    assert set(pack.misconceptions) == {"games-need-personal-details", "only-a-joke"}
    assert pack.root == EXAMPLE
    assert [lesson.id for lesson in pack.lessons] == ["keeping-things-private-4-7", "kind-messages-7-11"]


def test_example_lesson_fields_and_sections() -> None:
    pack, _ = load_pack(EXAMPLE)
    lesson = pack.lesson("keeping-things-private-4-7")
    assert lesson.source_path == PRIVATE_LESSON
    assert (lesson.strand, lesson.ages) == ("privacy-and-security", ["4-7"])
    assert (lesson.minutes, lesson.pass_mark) == (20, 80)
    assert lesson.objectives[0] == "I can say what private information is."
    assert lesson.keywords == ["private", "password"] and not lesson.teacher_led
    assert lesson.audience == "pupils"
    assert [section.title for section in lesson.sections] == ["What is private?", "Who can help?"]
    assert '<img src="/content/media/example-pack/padlock.png" alt="A blue padlock">' in lesson.intro_html
    assert "<table>" in lesson.sections[0].html
    assert 'rel="noopener noreferrer"' in lesson.sections[1].html
    assert "Quiz" not in "".join(section.html for section in lesson.sections)
    assert "<strong>Timing:</strong>" in lesson.teacher_notes_html
    raw = (EXAMPLE / PRIVATE_LESSON).read_bytes()
    assert lesson.content_hash == hashlib.sha256(raw).hexdigest()
    body = raw.decode().split("\n---\n", 1)[1].split("## Quiz")[0]
    assert lesson.word_count == word_count(body) > 0


def test_example_quiz_questions_options_and_misconceptions() -> None:
    pack, _ = load_pack(EXAMPLE)
    first, second = pack.lesson("keeping-things-private-4-7").questions
    assert (first.key, first.kind, second.key, second.kind) == ("q1", "single", "q2", "multiple")
    assert first.prompt == "Mia's game asks for her home address. What should she do?"
    assert [option.key for option in first.options] == ["a", "b", "c"]
    tagged = first.options[0]
    assert tagged.text == "Type it in so she can keep playing"
    assert tagged.misconception == "games-need-personal-details" and "misconception" not in tagged.html
    assert [option.correct for option in first.options] == [False, True, False]
    assert first.explanation_html.startswith("<p>Your address is private.")
    assert first.line == 45
    assert second.correct_keys == ["a", "b"]


def test_example_lesson_overrides_and_easy_read() -> None:
    pack, _ = load_pack(EXAMPLE)
    kind = pack.lesson("kind-messages-7-11")
    assert kind.title == "Kind messages: being a good friend online"
    assert (kind.pass_mark, kind.teacher_led, kind.easy_read, kind.teacher_notes_html) == (75, True, None, "")
    easy = pack.lesson("keeping-things-private-4-7").easy_read
    assert easy.title == "Keeping my things private (easy read)"
    assert easy.source_path == "lessons/keeping-things-private.easy.md"
    assert "<li>My password is private.</li>" in easy.html


def test_example_badges_and_media() -> None:
    pack, _ = load_pack(EXAMPLE)
    badges = {badge.id: badge for badge in pack.badges}
    assert badges["private-things-expert"].image == "padlock.png"
    assert not badges["private-things-expert"].is_icon and badges["first-steps"].is_icon
    assert badges["quiz-whizz"].criteria == {"kind": "quiz-full-marks", "count": 2}
    assert [(media.path, media.content_type) for media in pack.media] == [("padlock.png", "image/png")]
    assert pack.media[0].data.startswith(b"\x89PNG")


def test_media_url_prefix_is_used_for_images() -> None:
    pack, _ = load_pack(EXAMPLE, media_url_prefix="https://cdn.example/p/")
    assert 'src="https://cdn.example/p/padlock.png"' in pack.lessons[0].intro_html


def test_docs_show_the_example_pack_verbatim() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for path in sorted(EXAMPLE.rglob("*")):
        if path.suffix in (".md", ".yaml"):
            assert path.read_text(encoding="utf-8") in docs, path


# -- question types ------------------------------------------------------------------------------------


def _question(kind: str, correct: list[bool]) -> QuestionData:
    options = [OptionData("abc"[i], "x", "x", flag, None) for i, flag in enumerate(correct)]
    return QuestionData("q1", kind, "p", "p", options, "<p>e</p>", 1)


def test_single_choice_scoring() -> None:
    question = _question("single", [False, True, False])
    assert question_types.score(question, ["b"])
    assert not question_types.score(question, ["a"])
    assert not question_types.score(question, ["a", "b"])
    assert not question_types.score(question, [])


def test_choose_all_that_apply_scoring() -> None:
    question = _question("multiple", [True, True, False])
    assert question_types.score(question, ["b", "a"])
    assert not question_types.score(question, ["a"])
    assert not question_types.score(question, ["a", "b", "c"])


def test_a_new_question_type_can_join_the_registry() -> None:
    class AnyCorrect:
        name = "any-correct"

        def score(self, question, chosen_option_keys) -> bool:
            return bool(set(chosen_option_keys) & set(question.correct_keys))

    question_types.register(AnyCorrect())
    try:
        assert question_types.score(_question("any-correct", [True, True, False]), ["a", "c"])
    finally:
        del question_types.QUESTION_TYPES["any-correct"]
    assert question_types.kind_for_correct_count(1) == "single"
    assert question_types.kind_for_correct_count(3) == "multiple"


def test_taxonomy() -> None:
    assert STRANDS["health-wellbeing-and-lifestyle"] == "Health, well-being and lifestyle"
    assert len(STRANDS) == 8 and AGE_BANDS == ("4-7", "7-11", "11-14", "14-18")


# -- invalid packs: one folder per error -----------------------------------------------------------------

LESSON = "lessons/kind-words.md"
INVALID_CASES = {
    "missing-pack-yaml": ("pack.yaml", 0, "missing pack.yaml"),
    "malformed-pack-yaml": ("pack.yaml", 4, "YAML error"),
    "bad-schema-version": ("pack.yaml", 1, "unknown schema_version 2"),
    "missing-front-matter": (LESSON, 1, "missing front matter"),
    "malformed-front-matter": (LESSON, 3, "YAML error"),
    "unclosed-front-matter": (LESSON, 1, "front matter is not closed"),
    "missing-required-field": (LESSON, 2, "missing required field 'title'"),
    "wrong-type": (LESSON, 6, "'minutes' must be a whole number, not text"),
    "unknown-strand": (LESSON, 4, "unknown strand 'being-nice'"),
    "unknown-age-band": (LESSON, 5, "unknown age band '5-9'"),
    "unknown-audience": (LESSON, 10, "unknown audience 'parents'"),
    "duplicate-lesson-id": (LESSON, 2, "duplicate lesson id 'kind-words-7-11'"),
    "no-objectives": (LESSON, 2, "a lesson needs 'objectives'"),
    "unknown-misconception": (LESSON, 21, "misconception 'jokes-are-fine' is not described"),
    "question-one-option": (LESSON, 19, "at least two options"),
    "question-no-correct": (LESSON, 19, "at least one correct option"),
    "question-no-explanation": (LESSON, 19, "needs an explanation"),
    "link-bad-scheme": (LESSON, 15, "uses 'javascript:'"),
    "link-missing-file": (LESSON, 15, "lessons/other-lesson.md, which is not a file in the pack"),
    "image-outside-media": (LESSON, 15, "must be in the media/ folder"),
    "image-wrong-type": (LESSON, 15, "must be a PNG, JPEG or WebP file"),
    "image-svg": ("media/logo.svg", 0, "SVG images are not allowed"),
    "image-bad-magic": ("media/fake.png", 0, "not a PNG image"),
    "not-utf8": (LESSON, 11, "not UTF-8"),
    "easy-read-missing": (LESSON, 10, "easy-read file 'kind-words.easy.md' is missing"),
    "easy-read-with-quiz": ("lessons/kind-words.easy.md", 6, "must not have a quiz"),
    "easy-read-extra-keys": ("lessons/kind-words.easy.md", 3, "may only hold 'title', not 'minutes'"),
    "badge-unknown-kind": ("badges.yaml", 1, "unknown criteria kind 'lessons-liked'"),
    "badge-bad-count": ("badges.yaml", 1, "needs 'count', a whole number of 1 or more"),
    "badge-unknown-lesson": ("badges.yaml", 1, "unknown lesson id 'no-such-lesson'"),
    "badge-missing-image": ("badges.yaml", 1, "badge image 'media/badge.png' is neither a built-in icon"),
}
#: Fixtures whose one mistake is necessarily reported twice (the bad file and the reference to it).
EXTRA_ERRORS = {"image-wrong-type": 1}


def test_every_invalid_fixture_has_an_expectation() -> None:
    assert sorted(path.name for path in INVALID.iterdir()) == sorted(INVALID_CASES)


@pytest.mark.parametrize("name", sorted(INVALID_CASES))
def test_invalid_pack_reports_its_error(name: str) -> None:
    file, line, fragment = INVALID_CASES[name]
    pack, problems = load_pack(INVALID / name)
    assert pack is None
    found = [p for p in errors(problems) if p.file == file and p.line == line and fragment in p.message]
    assert found, messages(problems)
    assert len(errors(problems)) == 1 + EXTRA_ERRORS.get(name, 0), messages(problems)
    assert str(found[0]).startswith(f"{file}:{line}: ")


def test_hostile_pack_is_refused_with_every_bad_link_reported() -> None:
    pack, problems = load_pack(HOSTILE)
    assert pack is None
    text = messages(problems)
    for fragment in ("'inline'", "'upper'", "'entity'", "'decimal'", "'colon'", "'tab'", "'percent'",
                     "vbscript:msgbox", "data:text/html", "'reference'", "'autolink'", "'unused'",
                     "data:image/png", "data:image/svg", "'image'", "'cell'", "'option'", "'why'", "'notes'",
                     "'easy'"):
        assert fragment in text, fragment
    assert "lessons/hostile.md:36: link \"javascript:alert('reference')\"" in text
    assert "lessons/hostile.md:41: link \"vbscript:alert('unused')\"" in text
    assert "raw HTML is not allowed" in text
    assert "unexpected error" not in text


# -- limits, warnings and robustness --------------------------------------------------------------------


def test_problem_string_format() -> None:
    assert str(Problem("a.md", 3, "bad")) == "a.md:3: bad"
    assert str(Problem("a.md", 0, "big", "warning")) == "a.md:0: warning: big"


def test_file_over_five_megabytes_is_an_error(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    (pack_dir / "lessons" / "huge.md").write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    pack, problems = load_pack(pack_dir)
    assert pack is None
    assert [str(p) for p in errors(problems)] == ["lessons/huge.md:0: file is 5.0 MB; the limit is 5 MB"]


def test_line_over_100000_characters_is_an_error(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    lesson = pack_dir / PRIVATE_LESSON
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n" + "word " * 25_000 + "\n", encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is None
    assert len(errors(problems)) == 1 and "limit is 100000" in errors(problems)[0].message


def test_large_file_and_long_lesson_are_only_warnings(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    lesson = pack_dir / PRIVATE_LESSON
    padding = ("Private things stay private. " * 10 + "\n\n") * 3700  # about 1.07 MB, 37,000 words
    text = lesson.read_text(encoding="utf-8").replace("## What is private?", padding + "## What is private?")
    lesson.write_text(text, encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is not None, messages(problems)
    assert {p.severity for p in problems} == {"warning"}
    assert "keep files under 1 MB" in messages(problems)
    assert "keep lessons under 2000" in messages(problems)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    lesson = pack_dir / PRIVATE_LESSON
    unsafe = "minutes: !!python/object/apply:os.system [id]"
    text = lesson.read_text(encoding="utf-8").replace("minutes: 20", unsafe)
    lesson.write_text(text, encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is None
    assert f"{PRIVATE_LESSON}:6: YAML error" in messages(problems)


def test_deeply_nested_yaml_does_not_crash(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    (pack_dir / "badges.yaml").write_text("[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is None and errors(problems)
    assert "unexpected error" not in messages(problems)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: x\n---\nsecret\n", encoding="utf-8")
    (pack_dir / "lessons" / "link.md").symlink_to(secret)
    pack, problems = load_pack(pack_dir)
    assert pack is None
    assert "lessons/link.md:0: symbolic links are not allowed in a pack" in messages(problems)


def test_missing_folder_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    pack, problems = load_pack(tmp_path / "nowhere")
    assert pack is None and errors(problems)


def test_find_pack_dirs(tmp_path: Path) -> None:
    assert find_pack_dirs(EXAMPLE) == [EXAMPLE]
    assert find_pack_dirs(FIXTURES) == [EXAMPLE, HOSTILE]
    assert find_pack_dirs(tmp_path / "nowhere") == []


def test_read_pack_returns_the_pack_despite_errors() -> None:
    pack, problems = read_pack(HOSTILE)
    assert pack is not None and errors(problems)
    assert pack.lessons[0].title == "<script>alert('title')</script>"  # plain text: Jinja escapes it


lesson_bodies = st.lists(
    st.one_of(
        st.sampled_from(["## Quiz\n", "### Q?\n", "- [x] yes\n", "- [ ] no {misconception=only-a-joke}\n",
                         "> why\n", "## Section\n", "- [X] \n", "[a](b.md)", "![i](../media/padlock.png)",
                         "{misconception=", "---\n", "\n", "- [ ]", "1. [x] one\n", "> - [x] q\n",
                         "    code\n"]),
        st.text(max_size=12),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lesson_bodies)
def test_arbitrary_lesson_bodies_never_crash_the_loader(body: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pack_dir = copy_example(Path(tmp))
        lesson = pack_dir / "lessons" / "kind-messages.md"
        front = lesson.read_text(encoding="utf-8").split("\n---\n", 1)[0]
        lesson.write_text(front + "\n---\n" + body, encoding="utf-8")
        pack, problems = read_pack(pack_dir)
    assert pack is not None
    assert "unexpected error" not in messages(problems)
    assert "could not read this lesson" not in messages(problems)


# -- quiz and body rules, on a modified copy of the example pack --------------------------------------------

KIND_LESSON = "lessons/kind-messages.md"
GOOD_QUESTION = "### Is it kind?\n\n- [ ] No\n- [x] Yes\n\n> Because.\n"


def with_kind_lesson(tmp_path: Path, body: str, front_extra: str = "") -> Path:
    """The example pack with the body of kind-messages.md replaced (and front matter lines added)."""
    pack_dir = copy_example(tmp_path)
    lesson = pack_dir / KIND_LESSON
    front = lesson.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    lesson.write_text(front + "\n" + front_extra + "---\n" + body, encoding="utf-8")
    return pack_dir


@pytest.mark.parametrize(("body", "fragment"), [
    ("## Quiz\n\n### Q?\n\n- [x] Yes {misconception=only-a-joke}\n- [ ] No\n\n> Why.\n",
     "is on a correct option"),
    ("## Quiz\n\n### Q?\n\n- [x] Yes\n- [ ] No {misconception = only-a-joke}\n\n> Why.\n",
     "write a misconception tag as"),
    ("## Quiz\n\n### Q?\n\n- [x] Yes\n- [ ] No {misconception=Only A Joke}\n\n> Why.\n", "is not a slug"),
    ("## Quiz\n\nAnswer these.\n\n" + GOOD_QUESTION, "only questions (### headings) may follow"),
    ("## Quiz\n\n" + GOOD_QUESTION + "\n## Afterwards\n\nMore.\n", "move this section above '## Quiz'"),
    ("## Quiz\n\n### Q?\n\n> Why.\n\n- [x] Yes\n- [ ] No\n", "put the explanation (> ...) after the options"),
    ("## Quiz\n\n### Q?\n\n- [x] Yes\n- No\n\n> Why.\n", "must start with '[ ]' (wrong) or '[x]' (right)"),
    ("## Quiz\n\n### Q?\n\n- [x] Yes\n- [ ] No\n\nA paragraph.\n\n> Why.\n", "may only have a task list"),
    ("## Quiz\n\n### Q?\n\n- [x] Yes\n- [ ] No\n\n>\n", "needs an explanation"),
    ("## Quiz\n", "the quiz has no questions"),
    ("Intro.\n\n[bad](vbscript:x)\n", "uses 'vbscript:'"),
])
def test_quiz_and_body_errors(tmp_path: Path, body: str, fragment: str) -> None:
    pack, problems = load_pack(with_kind_lesson(tmp_path, body))
    assert pack is None
    assert any(p.file == KIND_LESSON and fragment in p.message for p in errors(problems)), messages(problems)


def test_lesson_without_quiz_and_with_raw_html_loads_with_a_warning(tmp_path: Path) -> None:
    pack, problems = load_pack(with_kind_lesson(tmp_path, "Intro <b>bold</b>.\n\n## Only section\n\nText.\n"))
    assert pack is not None, messages(problems)
    lesson = pack.lesson("kind-messages-7-11")
    assert lesson.questions == [] and "&lt;b&gt;" in lesson.intro_html
    assert [str(p) for p in problems] == [
        f"{KIND_LESSON}:14: warning: raw HTML is not allowed; it will be shown as text, not rendered"
    ]


def test_links_to_media_are_rewritten_and_links_to_lessons_kept(tmp_path: Path) -> None:
    body = "See [the picture](../media/padlock.png) and [the other lesson](keeping-things-private.md).\n"
    pack, problems = load_pack(with_kind_lesson(tmp_path, body))
    assert pack is not None, messages(problems)
    html = pack.lesson("kind-messages-7-11").intro_html
    assert 'href="/content/media/example-pack/padlock.png"' in html
    assert 'href="keeping-things-private.md"' in html


def test_unknown_fields_and_stray_files_are_warnings(tmp_path: Path) -> None:
    pack_dir = with_kind_lesson(tmp_path, "Intro.\n", front_extra="colour: blue\n")
    (pack_dir / "README.md").write_text("Notes for authors.\n", encoding="utf-8")
    (pack_dir / "notes.txt").write_text("scratch\n", encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is not None, messages(problems)
    assert [str(p) for p in problems] == [
        f"{KIND_LESSON}:13: warning: unknown field 'colour' is ignored",
        "notes.txt:0: warning: not part of the pack format (lessons are .md files); ignored",
    ]


def test_pack_yaml_type_errors(tmp_path: Path) -> None:
    pack_dir = copy_example(tmp_path)
    pack_yaml = pack_dir / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8").replace('version: "1.0.0"', "version: 1.10")
    pack_yaml.write_text(text.replace("audience: pupils", "audience: parents"), encoding="utf-8")
    pack, problems = load_pack(pack_dir)
    assert pack is None
    assert "pack.yaml:4: 'version' must be text; put it in quotes" in messages(problems)
    assert "pack.yaml:10: unknown audience 'parents'" in messages(problems)


def test_pack_id_differing_from_folder_is_a_warning(tmp_path: Path) -> None:
    renamed = tmp_path / "renamed"
    shutil.copytree(EXAMPLE, renamed)
    pack, problems = load_pack(renamed)
    assert pack is not None
    assert [str(p) for p in problems] == [
        "pack.yaml:2: warning: pack id 'example-pack' differs from its folder name 'renamed'"
    ]
