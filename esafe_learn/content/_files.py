"""Reading a pack's files defensively: sizes, UTF-8, long lines, front matter and YAML.

Nothing here raises for bad content: every failure is reported and the caller gets None.
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from esafe_learn.content._model import Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
WARN_FILE_BYTES = 1024 * 1024
MAX_LINE_CHARS = 100_000

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}

_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_TOP_LEVEL_KEY = re.compile(r"""^(['"]?)([A-Za-z_][\w-]*)\1[ \t]*:(?:[ \t]|$)""")


@dataclass
class Reporter:
    """Collects problems; ``file`` arguments are paths relative to the pack folder."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))

    def warning(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message, "warning"))

    @property
    def has_errors(self) -> bool:
        return any(problem.is_error for problem in self.problems)

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.file, p.line, p.severity, p.message))


def scan_tree(root: Path, report: Reporter) -> list[str]:
    """Every regular file under ``root`` as a sorted POSIX path relative to it.

    Hidden files and folders (``.git``, ``.DS_Store``) are skipped. Symbolic links are refused rather
    than followed, so a pack can never make the loader read a file outside it.
    """
    found: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs):
            if name.startswith(".") or (base / name).is_symlink():
                dirs.remove(name)
                if not name.startswith("."):
                    report.error(_rel(root, base / name), 0, "symbolic links are not allowed in a pack")
        for name in files:
            if name.startswith("."):
                continue
            path = base / name
            if path.is_symlink():
                report.error(_rel(root, path), 0, "symbolic links are not allowed in a pack")
            elif path.is_file():
                found.append(_rel(root, path))
    return sorted(found)


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_bytes(root: Path, rel: str, report: Reporter) -> bytes | None:
    """The file's bytes, or None (reported) if it is over 5 MB or unreadable; warns over 1 MB."""
    path = root / rel
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            report.error(rel, 0, f"file is {size / 1048576:.1f} MB; the limit is 5 MB")
            return None
        data = path.read_bytes()
    except OSError as exc:
        report.error(rel, 0, f"cannot read file: {exc.strerror or exc}")
        return None
    if len(data) > WARN_FILE_BYTES:
        report.warning(rel, 0, f"file is {len(data) / 1048576:.1f} MB; keep files under 1 MB")
    return data


def decode_text(data: bytes, rel: str, report: Reporter) -> str | None:
    """UTF-8 text with a BOM removed and newlines normalised, or None (reported)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.error(rel, line, "file is not UTF-8 text (save it as UTF-8)")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE_CHARS:
            report.error(rel, number, f"line is {len(line)} characters long; the limit is {MAX_LINE_CHARS}")
            return None
    return text


def read_text(root: Path, rel: str, report: Reporter) -> tuple[str, bytes] | None:
    """Text and raw bytes of a UTF-8 file, or None (reported)."""
    data = read_bytes(root, rel, report)
    if data is None:
        return None
    text = decode_text(data, rel, report)
    return None if text is None else (text, data)


@dataclass
class FrontMatter:
    """A Markdown file split into its YAML front matter and body (line numbers 1-based)."""

    yaml_text: str | None
    yaml_line: int
    body: str
    body_line: int


def split_front_matter(text: str) -> FrontMatter | None:
    """Split ``---`` front matter from the body. None when the front matter is never closed."""
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return FrontMatter(None, 0, text, 1)
    for index in range(1, len(lines)):
        if _FENCE_END.match(lines[index]):
            return FrontMatter("\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2)
    return None


def load_yaml(text: str, rel: str, first_line: int, report: Reporter) -> tuple[bool, object]:
    """``yaml.safe_load`` with errors reported at their file line. Returns (ok, value)."""
    try:
        return True, yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        detail = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.error(rel, line, f"YAML error: {detail}")
    except RecursionError:
        report.error(rel, first_line, "YAML error: nested too deeply")
    return False, None


def key_lines(yaml_text: str, first_line: int) -> dict[str, int]:
    """File line of each top-level key in a YAML mapping (for messages; safe_load keeps no lines)."""
    lines: dict[str, int] = {}
    for offset, line in enumerate(yaml_text.split("\n")):
        match = _TOP_LEVEL_KEY.match(line)
        if match:
            lines.setdefault(match.group(2), first_line + offset)
    return lines


def sniff_image(data: bytes) -> str | None:
    """The image content type the bytes really are (PNG, JPEG or WebP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def extension(rel: str) -> str:
    return posixpath.splitext(rel)[1].lower()


def resolve(from_file: str, target: str) -> str | None:
    """``target`` (relative to the file ``from_file``) as a pack path, or None if it leaves the pack."""
    if target.startswith("/") or "\\" in target or "\x00" in target:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(from_file), target))
    if joined == ".." or joined.startswith("../") or joined == ".":
        return None
    return joined
