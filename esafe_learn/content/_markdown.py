"""Rendering and checking the Markdown of one pack file: links, images and raw HTML.

Rendering goes through :mod:`esafe_learn.sanitise` (the only HTML gate). Each text is parsed once, by
the rendering parser, and its tokens serve the checks too. Checking needs to see links the renderer
refuses (``javascript:``, entity-encoded schemes, reference definitions) to report them with their
line, so when the rendering parser refused any link the text is parsed again, for the checks only, by
a scanner that accepts every link. When nothing was refused both parsers produce the same tokens.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from esafe_learn.content._files import IMAGE_TYPES, Reporter, extension, resolve
from esafe_learn.sanitise import (
    ALLOWED_PROTOCOLS,
    HtmlBatch,
    is_safe_url,
    markdown_parser,
    render_tokens,
    url_scheme,
)


class _Refusals(threading.local):
    """How many links the rendering parser has refused in this thread (only ever grows)."""

    count = 0


_REFUSALS = _Refusals()


def _validate_and_count(url: str) -> bool:
    """The renderer's link validator (:func:`is_safe_url`), counting refusals."""
    if is_safe_url(url):
        return True
    _REFUSALS.count += 1
    return False


_PARSER = markdown_parser()
_PARSER.validateLink = _validate_and_count  # type: ignore[method-assign]
_SCANNER = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_SCANNER.validateLink = lambda url: True  # type: ignore[method-assign]
_HTML_FINDER = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


def media_urls(media_paths: list[str], prefix: str) -> dict[str, str]:
    """Map pack paths of media files (``media/x.png``) to the URLs the app serves them at."""
    return {path: prefix + quote(path.removeprefix("media/")) for path in media_paths}


def _path_part(url: str) -> str:
    return unquote(url.split("#", 1)[0].split("?", 1)[0])


def _shown(url: str) -> str:
    return repr(url if len(url) <= 80 else url[:77] + "...")


@dataclass
class Parsed:
    """A text parsed for rendering, its links and raw HTML already checked.

    ``references`` is False when the text defines no ``[label]: url`` references: only then do inline
    tokens of the text equal a separate ``parseInline`` of their source, so they may be rendered as is.
    """

    tokens: list[Token]
    references: bool


@dataclass
class MarkdownFile:
    """One Markdown file of a pack: renders it and checks its links against the pack's files."""

    file: str
    files: frozenset[str]
    media: Mapping[str, str]
    report: Reporter

    def image_url(self, src: str) -> str | None:
        if url_scheme(src) is not None:
            return None
        path = resolve(self.file, _path_part(src))
        return self.media.get(path) if path else None

    def link_url(self, href: str) -> str:
        """Links to media files go to their served URL; other links are left as written."""
        if url_scheme(href) is not None:
            return href
        path = resolve(self.file, _path_part(href))
        return self.media.get(path, href) if path else href

    def render(self, tokens: list[Token]) -> str:
        return render_tokens(tokens, image_url=self.image_url, link_url=self.link_url)

    def batch(self) -> HtmlBatch:
        """A batch rendering pieces of this file (sanitised together when it is cleaned)."""
        return HtmlBatch(image_url=self.image_url, link_url=self.link_url)

    def parse(self, text: str, first_line: int) -> Parsed:
        """Parse ``text`` (starting at file line ``first_line``) for rendering, reporting its problems.

        The tokens are checked before anything renders them: rendering maps their URLs in place.
        """
        env: dict = {}
        refused_before = _REFUSALS.count
        tokens = _PARSER.parse(text, env)
        if _REFUSALS.count == refused_before:
            self._check_links(text, first_line, tokens, env)
        else:
            scan_env: dict = {}
            self._check_links(text, first_line, _SCANNER.parse(text, scan_env), scan_env)
        self._check_raw_html(text, first_line)
        return Parsed(tokens, bool(env.get("references")))

    # -- checks --------------------------------------------------------------------------------------

    def _check_links(self, text: str, first_line: int, tokens: list[Token], env: dict) -> None:
        """Report bad links and images; ``tokens`` and ``env`` must hold every link as written."""
        reported: set[str] = set()
        for kind, url, line in _targets(tokens):
            self._check_target(kind, url, first_line + line)
            reported.add(url)
        for label, reference in env.get("references", {}).items():
            href = reference.get("href", "")
            if href not in reported and url_scheme(href) not in (None, *ALLOWED_PROTOCOLS):
                self._check_target("link", href, first_line + _definition_line(text, label))

    def _check_raw_html(self, text: str, first_line: int) -> None:
        """Warn once about raw HTML (shown as text, not rendered)."""
        html_line = _first_raw_html(text)
        if html_line is not None:
            self.report.warning(self.file, first_line + html_line,
                                "raw HTML is not allowed; it will be shown as text, not rendered")

    def _check_target(self, kind: str, url: str, line: int) -> None:
        message = self._image_problem(url) if kind == "image" else self._link_problem(url)
        if message:
            self.report.error(self.file, line, message)

    def _link_problem(self, url: str) -> str | None:
        scheme = url_scheme(url)
        if scheme is not None:
            if scheme in ALLOWED_PROTOCOLS:
                return None
            return f"link {_shown(url)} uses '{scheme}:'; only http, https and mailto links are allowed"
        if url.startswith("#") or not _path_part(url):
            return None
        if url.startswith("//"):
            return f"link {_shown(url)} has no scheme; write the full address starting with https://"
        path = resolve(self.file, _path_part(url))
        if path is None:
            return f"link {_shown(url)} points outside the pack"
        if path not in self.files:
            return f"link {_shown(url)} points to {path}, which is not a file in the pack"
        return None

    def _image_problem(self, url: str) -> str | None:
        scheme = url_scheme(url)
        if scheme is not None or url.startswith("//"):
            where = f"a '{scheme}:' address" if scheme else "a web address"
            return f"image {_shown(url)} must be a file in the pack's media/ folder, not {where}"
        path = resolve(self.file, _path_part(url))
        if path is None:
            return f"image {_shown(url)} points outside the pack"
        if path not in self.files:
            return f"image {_shown(url)} points to {path}, which is not a file in the pack"
        if not path.startswith("media/"):
            return f"image {path} must be in the media/ folder"
        if extension(path) not in IMAGE_TYPES:
            return f"image {path} must be a PNG, JPEG or WebP file (.png, .jpg, .jpeg, .webp)"
        if path not in self.media:
            return f"image {path} is not a valid PNG, JPEG or WebP file"
        return None


def _targets(tokens: list[Token]) -> Iterator[tuple[str, str, int]]:
    """(kind, url, 0-based line) of every link and image in parsed Markdown."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        yield from _inline_targets(token.children, line)


def _inline_targets(children: list[Token], line: int) -> Iterator[tuple[str, str, int]]:
    for child in children:
        if child.type == "link_open":
            yield "link", str(child.attrGet("href") or ""), line
        elif child.type == "image":
            yield "image", str(child.attrGet("src") or ""), line
            yield from _inline_targets(child.children or [], line)
        if child.type in ("softbreak", "hardbreak"):
            line += 1


def _first_raw_html(text: str) -> int | None:
    """0-based line of the first raw HTML block or inline tag, or None.

    Every HTML block and inline tag starts with ``<``, so a text without one needs no parse.
    """
    if "<" not in text:
        return None
    for token in _HTML_FINDER.parse(text):
        if token.type == "html_block":
            return token.map[0] if token.map else 0
        if token.type == "inline" and any(child.type == "html_inline" for child in token.children or []):
            return token.map[0] if token.map else 0
    return None


def _definition_line(text: str, label: str) -> int:
    """0-based line of the reference definition ``[label]: ...`` (labels match case-insensitively)."""
    pattern = re.compile(r"^ {0,3}\[" + r"\s+".join(map(re.escape, label.split())) + r"\]:", re.IGNORECASE)
    for number, line in enumerate(text.split("\n")):
        if pattern.match(line):
            return number
    return 0
