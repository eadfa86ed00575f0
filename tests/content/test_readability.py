"""esafe_learn.content.readability: word counts and Flesch reading ease for lesson text."""

from __future__ import annotations

import pytest

from esafe_learn.content.readability import (
    count_syllables,
    flesch_reading_ease,
    plain_text,
    sentence_count,
    word_count,
)


def test_word_count_ignores_markdown_syntax() -> None:
    text = (
        "## Hello world\n\n"
        "- [x] Stop and ask {misconception=games-need-personal-details}\n\n"
        "[Childline](https://www.childline.org.uk) is **free**. <https://example.org>"
    )
    assert word_count(text) == 8


def test_word_count_skips_fenced_code_and_keeps_image_alt_text() -> None:
    assert word_count("```\nnot counted at all\n```\n![A blue padlock](media/padlock.png)") == 3


def test_plain_text_strips_emphasis_and_quotes() -> None:
    assert plain_text("> **Bold** and _em_").split() == ["Bold", "and", "em"]


@pytest.mark.parametrize(("word", "syllables"), [("cat", 1), ("table", 2), ("private", 2),
                                                 ("information", 4), ("make", 1), ("1,000", 1)])
def test_count_syllables(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


def test_sentence_count_treats_list_items_and_paragraphs_as_sentences() -> None:
    assert sentence_count("One. Two!\n\n- three\n- four") == 4
    assert sentence_count("") == 0


def test_flesch_reading_ease_orders_easy_and_hard_text() -> None:
    easy = flesch_reading_ease("I can stop. I can tell a grown-up. My name is Sam.")
    hard = flesch_reading_ease(
        "Notwithstanding considerable institutional responsibilities, administrators occasionally "
        "misunderstand confidentiality obligations."
    )
    assert easy > 90 > 30 > hard
    assert flesch_reading_ease("") == 100.0
