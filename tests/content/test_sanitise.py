"""esafe_learn.sanitise: Markdown from packs must never become executable HTML."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from esafe_learn.content.packformat import read_pack
from esafe_learn.sanitise import (
    ALLOWED_TAGS,
    is_safe_url,
    render_inline,
    render_markdown,
    render_tokens,
    url_scheme,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "packs"
HOSTILE = FIXTURES / "hostile"
MEDIA_PREFIX = "/content/media/test/"
FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "form", "frame", "base",
                  "link", "meta", "template", "noscript", "input", "button", "textarea"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\xa0\s\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def media_image_url(src: str) -> str | None:
    """The image hook the tests use: only files in media/ become (prefixed) URLs."""
    if src.startswith("media/") and ":" not in src:
        return MEDIA_PREFIX + src.removeprefix("media/")
    return None


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_decl(self, decl: str) -> None:
        self.comments.append(decl)

    def handle_pi(self, data: str) -> None:
        self.comments.append(data)


def scheme_of(value: str) -> str | None:
    """The scheme a browser could see: entities decoded, whitespace and control characters removed."""
    compact = _INVISIBLE.sub("", html.unescape(value)).lower()
    match = _SCHEME.match(compact)
    return match.group(1) if match else None


def assert_safe(rendered: str, allowed_srcs: tuple[str, ...] = (MEDIA_PREFIX,)) -> None:
    """Fail if the HTML holds anything that could run: elements, handlers, styles or URL schemes."""
    parser = _Elements()
    parser.feed(rendered)
    parser.close()
    assert not parser.comments, rendered
    for tag, attrs in parser.elements:
        assert tag not in FORBIDDEN_TAGS, rendered
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> in {rendered!r}"
        for name, value in attrs:
            assert not name.startswith("on"), rendered
            assert name not in ("style", "class", "id", "srcset", "formaction"), rendered
            if name == "href":
                assert scheme_of(value or "") in (None, "http", "https", "mailto"), rendered
            if name == "src":
                assert tag == "img" and (value or "").startswith(allowed_srcs), rendered
        if tag == "a":
            assert ("rel", "noopener noreferrer") in attrs, rendered


HOSTILE_SNIPPETS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<!-- <script>alert(1)</script> -->",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)" onclick="alert(2)">x</a>',
    "<div style=\"background:url('javascript:alert(1)')\">x</div>",
    "<iframe src=javascript:alert(1)></iframe><object data=x></object><embed src=x>",
    "<svg onload=alert(1)><style>*{}</style>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;&#97;vascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java%0ascript:alert(1))",
    "[x](\u200bjavascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x][r]\n\n[r]: <jav&#x61;script:alert(1)>",
    "<javascript:alert(1)>",
    "<vbscript:alert(1)>",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml,<svg onload=alert(1)>)",
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](media/a.png)',
    '[x](https://example.org "t\\" onmouseover=\\"alert(1)")',
    "```html onload=alert(1)\n<script>x</script>\n```",
    "| <script>x</script> | b |\n|:--|--:|\n| [c](javascript:x) | d |",
    "- [x] <img src=x onerror=alert(1)> {misconception=a}",
    "> <script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<scr<script>ipt>alert(1)</script>",
    "[<img src=x onerror=alert(1)>](https://example.org)",
]


@pytest.mark.parametrize("snippet", HOSTILE_SNIPPETS)
def test_hostile_snippets_render_inert(snippet: str) -> None:
    assert_safe(render_markdown(snippet, image_url=media_image_url))
    assert_safe(render_inline(snippet, image_url=media_image_url))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:x", "java%09script:x", "java%0Ascript:x",
                                 " javascript:x", "vbscript:x", "data:text/html,x", "file:///etc/passwd"])
def test_unsafe_urls_are_refused(url: str) -> None:
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", ["https://example.org", "http://a.b/c?d#e", "mailto:help@example.org",
                                 "../media/a.png", "lesson.md#quiz", "#top", "page"])
def test_safe_urls_are_accepted(url: str) -> None:
    assert is_safe_url(url)


def test_url_scheme_sees_through_obfuscation() -> None:
    assert url_scheme("Java%09Script:alert(1)") == "javascript"
    assert url_scheme("relative/path.md") is None


def test_allowed_markup_survives() -> None:
    rendered = render_markdown(
        "# Title\n\n## Section\n\n### Sub\n\nSome **bold** and *em*, `code`.\n\n---\n\n"
        "> quoted\n\n1. one\n2. two\n\n- a\n- b\n\n```\npre\n```\n\nline  \nbreak"
    )
    for tag in ("<h2>Title</h2>", "<h2>Section</h2>", "<h3>Sub</h3>", "<strong>bold</strong>", "<em>em</em>",
                "<code>code</code>", "<hr>", "<blockquote>", "<ol>", "<ul>", "<li>", "<pre>", "<br>"):
        assert tag in rendered
    assert "<h1" not in rendered


def test_links_get_rel_and_keep_allowed_protocols() -> None:
    rendered = render_markdown("[a](https://example.org 'Title') [b](mailto:x@example.org) <https://c.example>")
    assert '<a href="https://example.org" title="Title" rel="noopener noreferrer">a</a>' in rendered
    assert '<a href="mailto:x@example.org" rel="noopener noreferrer">b</a>' in rendered
    assert 'href="https://c.example"' in rendered


def test_javascript_link_keeps_its_text_but_is_not_a_link() -> None:
    rendered = render_markdown("[click me](javascript:alert(1))")
    assert "<a" not in rendered
    assert "click me" in rendered


def test_table_alignment_style_is_dropped() -> None:
    rendered = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert "<table>" in rendered and "<td>2</td>" in rendered
    assert "style" not in rendered


def test_images_need_the_hook() -> None:
    assert "<img" not in render_markdown("![alt text](media/a.png)")
    assert "alt text" in render_markdown("![alt text](media/a.png)")
    rendered = render_markdown("![alt text](media/a.png)", image_url=media_image_url)
    assert '<img src="/content/media/test/a.png" alt="alt text">' in rendered


def test_image_hook_refusal_and_unsafe_hook_results_are_dropped() -> None:
    assert "<img" not in render_markdown("![x](https://tracker.example/p.png)", image_url=media_image_url)
    unsafe_hook_result = render_markdown("![x](media/a.png)", image_url=lambda src: "javascript:alert(1)")
    assert "javascript" not in unsafe_hook_result


def test_link_hook_maps_and_drops_links() -> None:
    rendered = render_markdown("[a](other.md) [b](https://x.example) [c](#top)",
                               link_url=lambda href: None if href.endswith(".md") else href.upper())
    assert "<a" in rendered and ">a<" not in rendered.replace("a</a>", "")
    assert 'href="HTTPS://X.EXAMPLE"' in rendered
    assert 'href="#top"' in rendered


def test_bleach_is_the_last_gate_even_for_raw_html_tokens() -> None:
    """If raw HTML tokens ever reached the renderer, bleach would still strip them."""
    unsafe_parser = MarkdownIt("commonmark", {"html": True})
    tokens = unsafe_parser.parse('<script>alert(1)</script>\n\n<p onclick="x()">hi <b>there</b></p>\n\n'
                                 '<a href="javascript:alert(1)">x</a> <img src="http://x/y.png">')
    rendered = render_tokens(tokens)
    assert_safe(rendered)
    assert "<img" not in rendered


def test_inline_has_no_paragraph() -> None:
    assert render_inline("**Stop** and ask") == "<strong>Stop</strong> and ask"


def test_hostile_fixture_files_render_inert() -> None:
    for path in sorted(HOSTILE.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert_safe(render_markdown(text, image_url=media_image_url))


def test_hostile_pack_html_from_the_loader_is_inert() -> None:
    pack, problems = read_pack(HOSTILE)
    assert pack is not None and pack.lessons
    prefix = "/content/media/hostile/"
    for lesson in pack.lessons:
        fragments = [lesson.intro_html, lesson.teacher_notes_html, *(s.html for s in lesson.sections)]
        for question in lesson.questions:
            fragments += [question.prompt_html, question.explanation_html]
            fragments += [option.html for option in question.options]
        if lesson.easy_read:
            fragments.append(lesson.easy_read.html)
        for fragment in fragments:
            assert_safe(fragment, allowed_srcs=(prefix,))
    assert any(p.is_error for p in problems)


_FRAGMENTS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href='javascript:x'>", "onclick=", "style=",
    "javascript:", "JaVaScRiPt:", "jav&#x61;script:", "&#106;", "&colon;", "vbscript:", "data:text/html,",
    "data:image/svg+xml,", "%0a", "\t", "\n", "\n\n", "[", "]", "(", ")", "![", "<", ">", "`", "```", "\\",
    "\"", "'", "#", "## ", "- [ ] ", "- [x] ", "> ", "|", "|:--|", "[r]: ", "*", "_", "<!--", "-->", "&",
    "https://example.org", "mailto:a@b.c", "media/a.png", "//evil.example", "\u200b", "\x00", "<svg",
    "<iframe", "{misconception=x}",
]
markdownish = st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=8)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_arbitrary_markdown_never_yields_executable_html(text: str) -> None:
    assert_safe(render_markdown(text, image_url=media_image_url))
    assert_safe(render_inline(text, image_url=media_image_url))
