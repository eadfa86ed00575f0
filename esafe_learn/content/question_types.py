"""Question types: how a pupil's chosen options are marked.

A small registry in the style of CTFd's answer-checking strategies: each type is a class with a
``name`` and a ``score(question, chosen_option_keys) -> bool`` method, registered by name in
:data:`QUESTION_TYPES`. The quiz parser picks ``single`` for one correct option and ``multiple`` for
more; a later type (say, ordering) joins by calling :func:`register` with a new class.

``question`` is anything with ``kind`` and ``options``, each option having ``key`` and ``correct``
(the loader's ``QuestionData`` or the app's database rows), so marking works the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class _Option(Protocol):
    key: str
    correct: bool


class _Question(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def options(self) -> Iterable[_Option]: ...


class QuestionType(Protocol):
    name: str

    def score(self, question: _Question, chosen_option_keys: Iterable[str]) -> bool: ...


def _correct_keys(question: _Question) -> set[str]:
    return {option.key for option in question.options if option.correct}


class SingleChoice:
    """One correct option: right when exactly that option is chosen."""

    name = "single"

    def score(self, question: _Question, chosen_option_keys: Iterable[str]) -> bool:
        chosen = list(chosen_option_keys)
        return len(chosen) == 1 and set(chosen) == _correct_keys(question)


class ChooseAllThatApply:
    """Several correct options: right when the chosen set is exactly the correct set."""

    name = "multiple"

    def score(self, question: _Question, chosen_option_keys: Iterable[str]) -> bool:
        return set(chosen_option_keys) == _correct_keys(question)


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(question_type: QuestionType) -> QuestionType:
    """Add a question type under its name (replacing one of the same name)."""
    QUESTION_TYPES[question_type.name] = question_type
    return question_type


register(SingleChoice())
register(ChooseAllThatApply())


def get_question_type(name: str) -> QuestionType:
    """The registered type called ``name``; KeyError if there is none."""
    return QUESTION_TYPES[name]


def kind_for_correct_count(correct_count: int) -> str:
    """The kind the quiz format implies: more than one ``[x]`` makes a choose-all-that-apply question."""
    return ChooseAllThatApply.name if correct_count > 1 else SingleChoice.name


def score(question: _Question, chosen_option_keys: Iterable[str]) -> bool:
    """Mark an answer with the type named by ``question.kind``."""
    return get_question_type(question.kind).score(question, chosen_option_keys)
