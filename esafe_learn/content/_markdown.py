"""Rendering and checking the Markdown of one pack file: links, images and raw HTML.

Rendering goes through :mod:`esafe_learn.sanitise` (the only HTML gate). Checking uses a second
parser that accepts every link, so that links the renderer would silently refuse (``javascript:``,
entity-encoded schemes, reference definitions) are reported to the author with their line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from esafe_learn.content._files import IMAGE_TYPES, Reporter, extension, resolve
from esafe_learn.sanitise import ALLOWED_PROTOCOLS, markdown_parser, render_inline, render_tokens, url_scheme

_PARSER = markdown_parser()
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

    def render_inline(self, text: str) -> str:
        return render_inline(text, image_url=self.image_url, link_url=self.link_url)

    def parse(self, text: str) -> list[Token]:
        return _PARSER.parse(text)

    # -- checks --------------------------------------------------------------------------------------

    def check(self, text: str, first_line: int) -> None:
        """Report bad links and images, and warn once about raw HTML (shown as text, not rendered)."""
        env: dict = {}
        reported: set[str] = set()
        for kind, url, line in _targets(_SCANNER.parse(text, env)):
            self._check_target(kind, url, first_line + line)
            reported.add(url)
        for label, reference in env.get("references", {}).items():
            href = reference.get("href", "")
            if href not in reported and url_scheme(href) not in (None, *ALLOWED_PROTOCOLS):
                self._check_target("link", href, first_line + _definition_line(text, label))
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
