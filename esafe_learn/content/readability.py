"""Word counts and Flesch reading ease for lesson text.

Used by the content tests to hold lessons to their age band, and by authors
checking a draft. Markdown syntax is stripped before counting so links, list
markers and emphasis do not skew the figures.
"""

from __future__ import annotations

import re

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.:]*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.)\s)")


def plain_text(markdown: str) -> str:
    """Strip the Markdown syntax that would count as words or sentences."""
    text = re.sub(r"`{3}.*?`{3}", " ", markdown, flags=re.S)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<(https?://|mailto:)[^>]*>", " ", text)
    text = re.sub(r"\{misconception=[^}]*\}", " ", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s*(.*)$", r"\1.", text, flags=re.M)
    text = re.sub(r"^\s*[-*+]\s+\[[ xX]\]\s*", "- ", text, flags=re.M)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    text = re.sub(r"[*_`|]", " ", text)
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(plain_text(text))


def word_count(markdown: str) -> int:
    return len(words(markdown))


def count_syllables(word: str) -> int:
    """Estimate syllables in an English word (good to about one in ten words)."""
    word = word.lower().strip("'’-")
    if not word or word[0].isdigit():
        return 1
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", lambda m: m.group(0)[0], word)
    word = re.sub(r"^y", "", word)
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def sentence_count(markdown: str) -> int:
    text = plain_text(markdown).strip()
    if not text:
        return 0
    parts = [p for p in _SENTENCE_END.split(text) if _WORD.search(p)]
    return max(1, len(parts))


def flesch_reading_ease(markdown: str) -> float:
    """Flesch reading ease: 100 is very easy, 60 plain English, below 30 hard."""
    found = words(markdown)
    if not found:
        return 100.0
    sentences = sentence_count(markdown)
    syllables = sum(count_syllables(w) for w in found)
    return 206.835 - 1.015 * (len(found) / sentences) - 84.6 * (syllables / len(found))
