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
   this call (in an :class:`HtmlBatch`: for this piece), and ``rel="noopener noreferrer"`` forced on every
   link.

Headings: the page template owns the only ``<h1>`` (the lesson or page title), so a Markdown level-1
heading is rendered as ``<h2>``. Other levels are kept: in a lesson the ``##`` headings are sections and
``###`` are sub-headings within a section, which is already the right outline.

Table cell alignment (``| :--- |``) is dropped: markdown-it expresses it with a ``style`` attribute and
no ``style`` attribute is ever allowed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import unquote

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "ALLOWED_PROTOCOLS",
    "ALLOWED_TAGS",
    "HtmlBatch",
    "UrlHook",
    "is_safe_url",
    "markdown_parser",
    "plain_text",
    "render_inline",
    "render_inline_tokens",
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


class _Gate(threading.local):
    """bleach's Cleaner, built once per thread and reused for every call.

    Building a Cleaner (and its html5lib parser) costs more than cleaning a short fragment, and a
    Cleaner is not thread-safe, hence one per thread. The ``img`` ``src`` allow-list differs per call:
    :meth:`clean` sets it for the duration of one call and the attribute callback reads it.
    """

    def __init__(self) -> None:
        self.allowed_srcs: frozenset[str] = frozenset()
        self.cleaner = bleach.sanitizer.Cleaner(
            tags=ALLOWED_TAGS,
            attributes={"a": list(_LINK_ATTRIBUTES), "img": self.allow_image_attribute},
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_FinishingFilter],
        )

    def allow_image_attribute(self, tag: str, name: str, value: str) -> bool:
        if name == "src":
            return value in self.allowed_srcs
        return name in _IMAGE_ATTRIBUTES

    def clean(self, html: str, allowed_srcs: Iterable[str]) -> str:
        self.allowed_srcs = frozenset(allowed_srcs)
        try:
            return self.cleaner.clean(html)
        finally:
            self.allowed_srcs = frozenset()


_GATE = _Gate()


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


def _render_block(tokens: list[Token], image_url: UrlHook | None, link_url: UrlHook | None,
                  allowed_srcs: set[str]) -> str:
    """markdown-it's HTML for block tokens, URLs mapped; not yet sanitised."""
    return _PARSER.renderer.render(_prepare(tokens, image_url, link_url, allowed_srcs), _PARSER.options, {})


def _render_inline(children: list[Token], image_url: UrlHook | None, link_url: UrlHook | None,
                   allowed_srcs: set[str]) -> str:
    """markdown-it's HTML for the children of one inline token, URLs mapped; not yet sanitised."""
    prepared = _prepare_inline(children, image_url, link_url, allowed_srcs)
    return _PARSER.renderer.renderInline(prepared, _PARSER.options, {})


def render_tokens(tokens: list[Token], *, image_url: UrlHook | None = None,
                  link_url: UrlHook | None = None) -> str:
    """Render block tokens from :func:`markdown_parser` (or a slice of them) and sanitise the HTML.

    The tokens are modified in place (URLs mapped), so pass a fresh parse or a slice you no longer need.
    """
    allowed_srcs: set[str] = set()
    return _GATE.clean(_render_block(tokens, image_url, link_url, allowed_srcs), allowed_srcs)


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
    tokens = _PARSER.parseInline(text)
    children = (tokens[0].children or []) if tokens else []
    return render_inline_tokens(children, image_url=image_url, link_url=link_url)


def render_inline_tokens(children: list[Token], *, image_url: UrlHook | None = None,
                         link_url: UrlHook | None = None) -> str:
    """Render the children of one ``inline`` token from :func:`markdown_parser`, sanitised like
    :func:`render_inline`. The tokens are modified in place (URLs mapped), like :func:`render_tokens`."""
    allowed_srcs: set[str] = set()
    return _GATE.clean(_render_inline(children, image_url, link_url, allowed_srcs), allowed_srcs)


class HtmlBatch:
    """Renders many pieces of Markdown at once and sanitises them all in one bleach pass.

    Each bleach call has a fixed cost (parser set-up, some 30 µs, as much as cleaning a short paragraph)
    and a lesson has some thirty pieces, most of them one line (question prompts, options).

    :meth:`add_tokens` and :meth:`add_inline` render a piece (mapping its URLs through the hooks, as
    :func:`render_tokens` does) and name the attribute that receives its HTML; :meth:`clean` sanitises
    every piece and only then sets those attributes, so nothing unsanitised is ever stored. As with one
    call per piece, an ``img`` ``src`` is allowed only if the hook returned it for that piece.
    """

    def __init__(self, *, image_url: UrlHook | None = None, link_url: UrlHook | None = None):
        self.image_url, self.link_url = image_url, link_url
        self.pieces: list[tuple[str, set[str]]] = []
        self.targets: list[tuple[object, str]] = []

    def add_tokens(self, tokens: list[Token], target: object, attribute: str) -> None:
        """Queue block tokens (modified in place, as by :func:`render_tokens`) for ``target.attribute``."""
        allowed_srcs: set[str] = set()
        self.pieces.append((_render_block(tokens, self.image_url, self.link_url, allowed_srcs), allowed_srcs))
        self.targets.append((target, attribute))

    def add_inline(self, children: list[Token], target: object, attribute: str) -> None:
        """Queue the children of one inline token (as :func:`render_inline_tokens`) for ``target.attribute``."""
        allowed_srcs: set[str] = set()
        self.pieces.append((_render_inline(children, self.image_url, self.link_url, allowed_srcs), allowed_srcs))
        self.targets.append((target, attribute))

    def clean(self) -> None:
        """Sanitise every queued piece and set each target attribute to its safe HTML.

        Pieces without images (the great majority) are cleaned together, by :func:`_clean_joined`, with an
        empty ``src`` allow-list; a piece with images is cleaned on its own, with its own allow-list.
        """
        together = [index for index, (_, srcs) in enumerate(self.pieces) if not srcs]
        cleaned = _clean_joined([self.pieces[index][0] for index in together])
        html_by_index = dict(zip(together, cleaned, strict=True)) if cleaned is not None else {}
        for index, (html, allowed_srcs) in enumerate(self.pieces):
            if index not in html_by_index:
                html_by_index[index] = _GATE.clean(html, allowed_srcs)
        for index, (target, attribute) in enumerate(self.targets):
            setattr(target, attribute, html_by_index[index])
        self.pieces, self.targets = [], []


_SEPARATOR = "esafe0batch0separator0b1e7c4d9"
_SERIALISED_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)")
_VOID_TAGS = frozenset({"br", "hr", "img"})


def _clean_joined(pieces: list[str]) -> list[str] | None:
    """Clean HTML pieces as one fragment joined by a separator (no images allowed), cut at the separator.

    The separator is plain text (bleach keeps it as it is), so every cut falls in text and each piece
    holds only whole tags that bleach allowed and escaped text. The cut is used only if the output holds
    exactly one separator per join and each piece's tags balance, so that every piece stands alone like
    a piece cleaned on its own; otherwise None (the caller cleans the pieces one by one).
    """
    if len(pieces) < 2 or any(_SEPARATOR in html for html in pieces):
        return None
    parts = _GATE.clean(_SEPARATOR.join(pieces), ()).split(_SEPARATOR)
    if len(parts) != len(pieces) or not all(map(_tags_balance, parts)):
        return None
    return parts


def _tags_balance(html: str) -> bool:
    """True if every element in bleach's serialised ``html`` is closed within it, in order.

    In bleach's output every ``<`` starts a tag (text and attribute values have it escaped) and every
    element except the void ones has an end tag.
    """
    open_tags: list[str] = []
    for slash, name in _SERIALISED_TAG.findall(html):
        name = name.lower()
        if name in _VOID_TAGS:
            continue
        if not slash:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    return not open_tags
