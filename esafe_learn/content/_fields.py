"""Typed access to a YAML mapping (pack.yaml or front matter), reporting every missing or wrong field."""

from __future__ import annotations

from collections.abc import Iterable

from esafe_learn.content._files import Reporter
from esafe_learn.content.taxonomy import is_slug


def type_name(value: object) -> str:
    if value is None:
        return "empty"
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


class Fields:
    """Reads fields of one mapping; each getter returns a usable default after reporting a problem."""

    def __init__(self, data: dict, file: str, lines: dict[str, int], first_line: int, report: Reporter):
        self.data = data
        self.file = file
        self.lines = lines
        self.first_line = first_line
        self.report = report

    def line(self, key: str) -> int:
        return self.lines.get(key, self.first_line)

    def error(self, key: str, message: str) -> None:
        self.report.error(self.file, self.line(key), message)

    def _get(self, key: str, required: bool) -> object:
        value = self.data.get(key)
        if value is None and required:
            self.report.error(self.file, self.first_line, f"missing required field '{key}'")
        return value

    def _wrong(self, key: str, expected: str, value: object) -> None:
        self.error(key, f"'{key}' must be {expected}, not {type_name(value)}")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self._wrong(key, "text", value)
            return default
        if required and not value.strip():
            self.error(key, f"'{key}' must not be empty")
        return value.strip()

    def slug(self, key: str) -> str:
        value = self.text(key)
        if value and not is_slug(value):
            self.error(key, f"'{key}' must be a slug (lowercase words joined by hyphens), not {value!r}")
        return value

    def integer(self, key: str, *, required: bool = True, default: int = 0, low: int = 0,
                high: int | None = None) -> int:
        value = self._get(key, required)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self._wrong(key, "a whole number", value)
            return default
        if value < low or (high is not None and value > high):
            limits = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.error(key, f"'{key}' must be {limits}, not {value}")
            return default
        return value

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(key, "true or false", value)
            return default
        return value

    def text_list(self, key: str, *, required: bool = True, allow_single: bool = False) -> list[str]:
        """A list of non-empty strings (or one string, if ``allow_single``)."""
        value = self._get(key, required)
        if value is None:
            return []
        if allow_single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self._wrong(key, "a list", value)
            return []
        items = [item for item in value if isinstance(item, str) and item.strip()]
        if len(items) != len(value):
            self.error(key, f"every item of '{key}' must be non-empty text")
        if required and not items:
            self.error(key, f"'{key}' must not be empty")
        return [item.strip() for item in items]

    def choice(self, key: str, choices: Iterable[str], what: str, *, required: bool = True,
               default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        options = tuple(choices)
        if not isinstance(value, str) or value not in options:
            self.error(key, f"unknown {what} {value!r}; use one of: {', '.join(options)}")
            return default
        return value

    def unknown_keys(self, known: Iterable[str]) -> None:
        """Warn about keys the format does not define (usually a typo)."""
        allowed = set(known)
        for key in self.data:
            if key not in allowed:
                self.report.warning(self.file, self.line(str(key)), f"unknown field '{key}' is ignored")
