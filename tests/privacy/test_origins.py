"""No page and no static file makes the browser ask another origin for anything (no CDN, fonts, analytics)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..access_table import ACCESS, ROLES
from ..conftest import login
from ..test_access import _url, build_world
from .htmlcheck import css_urls, other_origin, scan

STATIC = Path(__file__).parents[2] / "static"
TEMPLATES = Path(__file__).parents[2] / "templates"
ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}""", re.I)


def _check_page(url: str, html: str) -> list[str]:
    result = scan(html)
    problems = [f"{url}: loads {r!r}" for r in result.resources if other_origin(r)]
    problems += [f"{url}: {finding}" for finding in result.executable if not finding.startswith("<svg")]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_stays_on_its_own_origin(app, make_school, make_user, make_class, role):
    world = build_world(make_school, make_user, make_class, "A", app)
    world["deployment_admin"] = make_user(None, "deployment_admin")
    client = app.test_client()
    if role != "anonymous":
        login(client, world[role])
    column = ROLES.index(role)
    problems, pages = [], 0
    for (endpoint, method), expected in sorted(ACCESS.items()):
        if method != "GET" or expected[column] != 200 or endpoint == "auth.logout":
            continue
        url = _url(app, endpoint, world)
        response = client.get(url)
        if response.mimetype == "text/html":
            pages += 1
            problems += _check_page(url, response.get_data(as_text=True))
        elif response.mimetype == "text/css":
            problems += [f"{url}: {u}" for u in css_urls(response.get_data(as_text=True)) if other_origin(u)]
        response.close()
    assert pages > 0
    assert problems == []


def test_static_files_ask_no_other_origin():
    problems = []
    for path in STATIC.rglob("*"):
        if path.suffix == ".css":
            problems += [f"{path.name}: {u}" for u in css_urls(path.read_text()) if other_origin(u)]
        elif path.suffix in {".svg", ".html"}:
            result = scan(path.read_text())
            problems += [f"{path.name}: {u}" for u in result.resources if other_origin(u)]
        elif path.suffix == ".js":
            text = path.read_text()
            problems += [f"{path.name}: {m.group(0)}" for m in ABSOLUTE_URL.finditer(text)
                         if "www.w3.org" not in m.group(0)]
            problems += [f"{path.name}: {word}" for word in ("fetch(", "XMLHttpRequest", "import(", "WebSocket")
                         if word in text]
    assert problems == []


def test_templates_link_no_stylesheet_script_or_font_elsewhere():
    """Belt and braces for pages the walk above cannot reach (error pages, emails)."""
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        result = scan(path.read_text())
        problems += [f"{path.relative_to(TEMPLATES)}: {u}" for u in result.resources if other_origin(u)]
    assert problems == []


def test_the_checker_sees_other_origins():
    html = ('<link rel="stylesheet" href="https://cdn.example/x.css"><img src="//evil.example/p.gif">'
            '<div style="background:url(https://t.example/a)"></div><script src="https://x.example/a.js"></script>')
    result = scan(html)
    assert sum(other_origin(u) for u in result.resources) == 4
    assert not other_origin("/static/style.css") and not other_origin("data:image/svg+xml;base64,AA")
    assert other_origin("https://fonts.googleapis.com/css") and not other_origin("http://esafe.test/x")
    assert css_urls("@import 'https://f.example/a.css'; a{background:url(/static/x.png)}") == [
        "https://f.example/a.css", "/static/x.png"]
