"""Parse rendered HTML (and CSS) for what a browser would fetch or run."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Attributes whose URL the browser fetches (or navigates a frame/form to) without a click.
RESOURCE_ATTRS = {
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "source": ("src", "srcset"),
    "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",), "video": ("src", "poster"),
    "audio": ("src",), "track": ("src",), "form": ("action",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"), "body": ("background",), "table": ("background",),
}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset", "ping",
             "cite", "longdesc", "manifest", "codebase", "lowsrc", "dynsrc"}
DANGEROUS_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "svg", "math", "portal"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)


def _scheme_problem(value: str) -> bool:
    cleaned = re.sub(r"[\x00-\x20]+", "", value or "")
    return bool(re.match(r"(?i)(javascript|vbscript|livescript):", cleaned)) or bool(
        re.match(r"(?i)data:(?!image/(png|jpeg|gif|webp|svg\+xml))", cleaned))


class PageScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.resources: list[str] = []
        self.executable: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        tag = tag.lower()
        values = {name.lower(): value or "" for name, value in attrs}
        if tag in DANGEROUS_TAGS:
            self.executable.append(f"<{tag}> element")
        if tag == "script":
            src = values.get("src", "")
            if not src.startswith("/static/"):
                self.executable.append(f"<script src={src!r}>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.executable.append("<meta http-equiv=refresh>")
        if tag == "style":
            self._in_style = True
        for name, value in values.items():
            if name.startswith("on"):
                self.executable.append(f"<{tag} {name}=...>")
            if name in URL_ATTRS and _scheme_problem(value):
                self.executable.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style":
                self.executable.append(f"<{tag} style=...> (CSP forbids inline style)")
                self.resources += [m.group(2) or m.group(4) for m in CSS_URL.finditer(value)]
            if name == "srcdoc":
                self.executable.append(f"<{tag} srcdoc>")
        for name in RESOURCE_ATTRS.get(tag, ()):
            if name in values:
                if name == "srcset":
                    self.resources += [part.strip().split(" ")[0] for part in values[name].split(",") if part.strip()]
                elif not (tag == "form" and name == "action" and not values[name]):
                    self.resources.append(values[name])

    def handle_endtag(self, tag):
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.executable.append("<style> element (CSP forbids inline style)")
            self.resources += [m.group(2) or m.group(4) for m in CSS_URL.finditer(data)]


def scan(html: str) -> PageScan:
    parser = PageScan()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError as error:  # html.parser gives up on some broken markup: never on escaped text
        parser.executable.append(f"unparseable markup: {error}")
    return parser


def other_origin(url: str, own_hosts: frozenset[str] = frozenset({"esafe.test", "localhost"})) -> bool:
    """True when fetching the URL would leave the app's origin (relative and data: image URLs stay)."""
    url = (url or "").strip()
    if not url or url.startswith("#"):
        return False
    parts = urlsplit(url)
    if parts.scheme in ("data",):
        return False
    if parts.scheme or url.startswith("//") or parts.netloc:
        return parts.netloc.split(":")[0] not in own_hosts
    return False


def css_urls(css: str) -> list[str]:
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(css)]
