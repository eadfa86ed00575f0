"""Parsing a lesson's ``## Quiz``: questions, options, misconception tags and explanations."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping

from markdown_it.token import Token

from esafe_learn.content._markdown import MarkdownFile
from esafe_learn.content._model import OptionData, QuestionData
from esafe_learn.content.question_types import kind_for_correct_count
from esafe_learn.content.taxonomy import is_slug
from esafe_learn.sanitise import HtmlBatch, markdown_parser, plain_text

_OPTION = re.compile(r"^\[([ xX])\][ \t]+(.*)$", re.S)
_TAG = re.compile(r"[ \t]*\{misconception=([^{}]*)\}[ \t]*$")
_ANY_TAG = re.compile(r"\{\s*misconception\s*=")
_INLINE = markdown_parser()
OPTION_KEYS = string.ascii_lowercase
NO_EXPLANATION = "a question needs an explanation: a '> ...' blockquote after the options"


def blocks(tokens: list[Token]) -> Iterator[list[Token]]:
    """Split a flat token stream into its top-level blocks (a heading, a list, a paragraph...)."""
    index = 0
    while index < len(tokens):
        start, depth = index, 0
        while True:
            depth += tokens[index].nesting
            index += 1
            if depth <= 0 or index >= len(tokens):
                break
        yield tokens[start:index]


def block_line(block: list[Token], first_line: int) -> int:
    token = block[0]
    return first_line + (token.map[0] if token.map else 0)


def is_heading(block: list[Token], tag: str) -> bool:
    return block[0].type == "heading_open" and block[0].tag == tag


def heading_text(block: list[Token]) -> str:
    return plain_text(block[1].children or []) if len(block) > 1 else ""


def strip_misconception_tag(text: str) -> tuple[str, str | None]:
    """Split ``"Option text {misconception=slug}"`` into the text and the slug (None if untagged)."""
    match = _TAG.search(text)
    if not match:
        return text.strip(), None
    return text[: match.start()].strip(), match.group(1).strip()


class QuizParser:
    """Turns the blocks after ``## Quiz`` into :class:`QuestionData`, reporting every problem.

    The HTML of prompts, options and explanations is queued in ``batch``: it is set when the batch is
    cleaned, after which :meth:`check_explanations` must run.
    """

    def __init__(self, md: MarkdownFile, first_line: int, misconceptions: Mapping[str, str],
                 batch: HtmlBatch, *, references: bool = True):
        """``references``: whether the lesson defines link references (see :class:`Parsed`)."""
        self.md = md
        self.first_line = first_line
        self.misconceptions = misconceptions
        self.batch = batch
        self.references = references
        self.explained: list[tuple[QuestionData, bool]] = []

    def error(self, line: int, message: str) -> None:
        self.md.report.error(self.md.file, line, message)

    def parse(self, quiz_blocks: list[list[Token]], quiz_line: int) -> list[QuestionData]:
        questions: list[QuestionData] = []
        current: list[list[Token]] | None = None
        for block in quiz_blocks:
            if is_heading(block, "h3"):
                if current is not None:
                    questions.append(self.question(current, len(questions) + 1))
                current = [block]
            elif current is None:
                self.error(block_line(block, self.first_line),
                           "only questions (### headings) may follow '## Quiz'")
            else:
                current.append(block)
        if current is not None:
            questions.append(self.question(current, len(questions) + 1))
        if not questions:
            self.error(quiz_line, "the quiz has no questions (each question is a ### heading)")
        return questions

    def question(self, blocks_: list[list[Token]], number: int) -> QuestionData:
        heading, rest = blocks_[0], blocks_[1:]
        line = block_line(heading, self.first_line)
        options: list[OptionData] = []
        explanation: list[Token] | None = None
        has_list = False
        for block in rest:
            where = block_line(block, self.first_line)
            if block[0].type == "bullet_list_open" and not has_list and explanation is None:
                has_list, options = True, self.options(block)
            elif block[0].type == "blockquote_open" and has_list and explanation is None:
                explanation = block[1:-1]
            elif block[0].type == "blockquote_open" and not has_list:
                self.error(where, "put the explanation (> ...) after the options")
            else:
                self.error(where, "a question may only have a task list of options and then an explanation")
        self.check_question(line, options, explanation is not None)
        correct = sum(option.correct for option in options)
        question = QuestionData(key=f"q{number}", kind=kind_for_correct_count(correct),
                                prompt=heading_text(heading), prompt_html="", options=options,
                                explanation_html="", line=line)
        self.batch.add_inline(self.prompt_tokens(heading), question, "prompt_html")
        if explanation is not None:
            self.explained.append((question, bool(plain_text(explanation))))
            self.batch.add_tokens(explanation, question, "explanation_html")
        return question

    def prompt_tokens(self, heading: list[Token]) -> list[Token]:
        """The question heading's inline tokens, as if its source were parsed on its own.

        The heading's inline tokens from the lesson's parse are those tokens unless the lesson defines
        link references, which a prompt parsed on its own never resolves.
        """
        source = heading[1].content if len(heading) > 1 else ""
        if self.references or len(heading) < 2:
            return _INLINE.parseInline(source)[0].children or []
        return heading[1].children or []

    def check_explanations(self) -> None:
        """Once the batch is cleaned: a blockquote with neither text nor an image is no explanation."""
        for question, has_text in self.explained:
            if not has_text and "<img" not in question.explanation_html:
                question.explanation_html = ""
                self.error(question.line, NO_EXPLANATION)

    def check_question(self, line: int, options: list[OptionData], has_explanation: bool) -> None:
        if len(options) < 2:
            self.error(line, "a question needs at least two options ('- [ ] ...' and '- [x] ...')")
        if options and not any(option.correct for option in options):
            self.error(line, "a question needs at least one correct option ('- [x] ...')")
        if len(options) >= 2 and all(option.correct for option in options):
            self.md.report.warning(self.md.file, line, "every option is marked correct")
        if not has_explanation:
            self.error(line, NO_EXPLANATION)

    def options(self, block: list[Token]) -> list[OptionData]:
        options: list[OptionData] = []
        for item in blocks(block[1:-1]):
            line = block_line(item, self.first_line)
            option = self.option(item, line, len(options))
            if option is not None:
                options.append(option)
        if len(options) > len(OPTION_KEYS):
            self.error(block_line(block, self.first_line),
                       f"a question may have at most {len(OPTION_KEYS)} options")
            return options[: len(OPTION_KEYS)]
        return options

    def option(self, item: list[Token], line: int, index: int) -> OptionData | None:
        inner = item[1:-1]
        if [token.type for token in inner] != ["paragraph_open", "inline", "paragraph_close"]:
            self.error(line, "an option must be one task-list item with a single paragraph")
            return None
        match = _OPTION.match(inner[1].content)
        if not match:
            self.error(line, "an option must start with '[ ]' (wrong) or '[x]' (right)")
            return None
        correct = match.group(1) in "xX"
        text, slug = strip_misconception_tag(match.group(2))
        slug = self.check_tag(line, text, slug, correct)
        if not text:
            self.error(line, "an option has no text")
        if index >= len(OPTION_KEYS):
            return OptionData("", text, "", correct, slug)
        tokens = _INLINE.parseInline(text)
        children = (tokens[0].children or []) if tokens else []
        option = OptionData(key=OPTION_KEYS[index], text=plain_text(children) if tokens else text, html="",
                            correct=correct, misconception=slug)
        self.batch.add_inline(children, option, "html")  # after plain_text: rendering maps URLs in place
        return option

    def check_tag(self, line: int, text: str, slug: str | None, correct: bool) -> str | None:
        if _ANY_TAG.search(text):
            self.error(line, "write a misconception tag as '{misconception=slug}' at the end of the option")
        if slug is None:
            return None
        if not is_slug(slug):
            self.error(line, f"misconception {slug!r} is not a slug (lowercase words joined by hyphens)")
            return None
        if correct:
            self.error(line, f"misconception {slug!r} is on a correct option; tag wrong options only")
        if slug not in self.misconceptions:
            self.error(line, f"misconception {slug!r} is not described under 'misconceptions:' in pack.yaml")
        return slug
