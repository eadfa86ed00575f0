"""The one place where Markdown from lessons, notes and other content becomes HTML.

Every caller in the app that shows author-written Markdown uses :func:`render_markdown` (or
:func:`render_inline` for a single line such as a quiz option) and nothing else, so that there is a
single safety gate to review.

Two layers, so that a mistake in one is caught by the other:

1. markdown-it-py, "commonmark" preset with tables, ``html=False`` (raw HTML is escaped and shows as
   text), linkify off, and a link validator that accepts only http, https, mailto and relative URLs
   (after entity decoding, percent decoding and removing whitespace and control characters, so
   ``jav&#x61;script:`` or ``java%09script:`` are refused too). A refused link keeps its text; a refused
   image keeps its alt text.
2. bleach as the last gate: an allow-list of tags and attributes, protocols http/https/mailto only,
   comments stripped, ``img`` ``src`` only if it is a URL the caller's ``image_url`` hook returned in
   this call, and ``rel="noopener noreferrer"`` forced on every link.

Headings: the page template owns the only ``<h1>`` (the lesson or page title), so a Markdown level-1
heading is rendered as ``<h2>``. Other levels are kept: in a lesson the ``##`` headings are sections and
``###`` are sub-headings within a section, which is already the right outline.

Table cell alignment (``| :--- |``) is dropped: markdown-it expresses it with a ``style`` attribute and
no ``style`` attribute is ever allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "UrlHook",
    "is_safe_url",
    "markdown_parser",
    "plain_text",
    "render_inline",
    "render_markdown",
    "render_tokens",
    "url_scheme",
]

UrlHook = Callable[[str], str | None]

ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td", "blockquote", "code", "pre",
    }
)  # fmt: skip
_LINK_ATTRIBUTES = ("href", "title")
_IMAGE_ATTRIBUTES = ("alt", "title")
_LINK_REL = "noopener noreferrer"

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[`\x00-\x20\x7f-\xa0\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]+")


def url_scheme(url: str) -> str | None:
    """The scheme a browser could see in ``url``, or None for a relative URL.

    Percent escapes are decoded and whitespace, control and invisible characters removed first, so
    obfuscated forms (``java%0ascript:``, ``java\\tscript:``) show their real scheme. Entities must
    already be decoded (markdown-it does this before validating a link).
    """
    compact = _INVISIBLE.sub("", unquote(url)).lower()
    match = _SCHEME.match(compact)
    return match.group(1) if match else None


def is_safe_url(url: str) -> bool:
    """True for http, https and mailto URLs and for relative URLs (no scheme at all)."""
    scheme = url_scheme(url)
    return scheme is None or scheme in ALLOWED_PROTOCOLS


def markdown_parser() -> MarkdownIt:
    """A markdown-it parser with the settings every rendering in esafe-learn uses."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable("table")
    parser.validateLink = is_safe_url  # type: ignore[method-assign]
    return parser


_PARSER = markdown_parser()


class _FinishingFilter(Filter):
    """html5lib filter run after bleach's sanitiser: rel on every link, no image left without a src."""

    def __iter__(self) -> Iterator[dict]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"])
                attrs[(None, "rel")] = _LINK_REL
                token["data"] = attrs
            elif token["type"] in ("StartTag", "EmptyTag") and token["name"] == "img":
                if (None, "src") not in token["data"]:
                    continue
            yield token


def _cleaner(allowed_srcs: frozenset[str]) -> bleach.sanitizer.Cleaner:
    def allow_image_attribute(tag: str, name: str, value: str) -> bool:
        if name == "src":
            return value in allowed_srcs
        return name in _IMAGE_ATTRIBUTES

    return bleach.sanitizer.Cleaner(
        tags=ALLOWED_TAGS,
        attributes={"a": list(_LINK_ATTRIBUTES), "img": allow_image_attribute},
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_FinishingFilter],
    )


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def _prepare_inline(children: list[Token], image_url: UrlHook | None, link_url: UrlHook | None,
                    allowed_srcs: set[str]) -> list[Token]:
    """Map image and link URLs through the hooks; drop what the hooks refuse."""
    result: list[Token] = []
    dropped_links: list[bool] = []
    for token in children:
        if token.type == "image":
            src = token.attrGet("src")
            url = image_url(unquote(str(src))) if image_url and src else None
            if url is None:
                result.append(_text_token("".join(_plain_parts(token.children or []))))
                continue
            token.attrSet("src", url)
            allowed_srcs.add(url)
        elif token.type == "link_open":
            href = str(token.attrGet("href") or "")
            if link_url is not None and href and not href.startswith("#"):
                mapped = link_url(href)
                dropped_links.append(mapped is None)
                if mapped is None:
                    continue
                token.attrSet("href", mapped)
            else:
                dropped_links.append(False)
        elif token.type == "link_close" and dropped_links and dropped_links.pop():
            continue
        result.append(token)
    return result


def _plain_parts(tokens: Iterable[Token]) -> Iterator[str]:
    for token in tokens:
        if token.type in ("text", "code_inline"):
            yield token.content
        elif token.type in ("softbreak", "hardbreak"):
            yield " "
        elif token.children:
            yield from _plain_parts(token.children)


def plain_text(tokens: Iterable[Token]) -> str:
    """The text of inline tokens without markup (for titles, prompts and option labels)."""
    return "".join(_plain_parts(tokens)).strip()


def _prepare(tokens: list[Token], image_url: UrlHook | None, link_url: UrlHook | None,
             allowed_srcs: set[str]) -> list[Token]:
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        if token.type == "inline" and token.children:
            token.children = _prepare_inline(token.children, image_url, link_url, allowed_srcs)
    return tokens


def render_tokens(tokens: list[Token], *, image_url: UrlHook | None = None,
                  link_url: UrlHook | None = None) -> str:
    """Render block tokens from :func:`markdown_parser` (or a slice of them) and sanitise the HTML.

    The tokens are modified in place (URLs mapped), so pass a fresh parse or a slice you no longer need.
    """
    allowed_srcs: set[str] = set()
    prepared = _prepare(tokens, image_url, link_url, allowed_srcs)
    html = _PARSER.renderer.render(prepared, _PARSER.options, {})
    return _cleaner(frozenset(allowed_srcs)).clean(html)


def render_markdown(text: str, *, image_url: UrlHook | None = None, link_url: UrlHook | None = None) -> str:
    """Render author Markdown to safe HTML.

    ``image_url`` receives each image destination as written (percent escapes decoded) and returns the
    URL to show, or None to drop the image (its alt text is kept). Without it there are no images.
    ``link_url``, if given, maps every link destination except ``#fragment`` ones (as markdown-it
    normalised it, percent-encoded) to the URL to use, or None to drop the link and keep its text.
    Links are limited to http, https, mailto and relative URLs whatever the hooks return.
    """
    return render_tokens(_PARSER.parse(text), image_url=image_url, link_url=link_url)


def render_inline(text: str, *, image_url: UrlHook | None = None, link_url: UrlHook | None = None) -> str:
    """Render one line of Markdown (no paragraph wrapper), sanitised like :func:`render_markdown`."""
    allowed_srcs: set[str] = set()
    tokens = _PARSER.parseInline(text)
    for token in tokens:
        token.children = _prepare_inline(token.children or [], image_url, link_url, allowed_srcs)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    return _cleaner(frozenset(allowed_srcs)).clean(html)
