"""Browser journeys: a live server on 127.0.0.1 and Debian's Chromium driven by Playwright.

Skipped, with the reason, when Chromium, Playwright or axe-core is missing; .ci/run installs all three.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent.parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent.parent / "artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM}"
    if not AXE.exists():
        return "axe-core is not installed (run tests/browser/setup-axe.sh)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    return None


@pytest.fixture(scope="session")
def chromium():
    reason = _missing()
    if reason:
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class LiveSchool:
    url: str
    accounts: dict[str, tuple[str, str]]  # label -> (username, password)
    card_path: str
    app: object
    young_pupil: str = ""


@pytest.fixture(scope="module")
def live(tmp_path_factory, chromium):
    """A fresh database with every bundled pack and the demo school, served on 127.0.0.1."""
    from flask_migrate import stamp

    from esafe_learn import create_app
    from esafe_learn.extensions import db

    from ..conftest import base_config

    folder = tmp_path_factory.mktemp("live")
    config = base_config(f"sqlite:///{folder / 'live.sqlite'}", folder)
    config.pop("SERVER_NAME")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        stamp()
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    accounts, card_path = {}, ""
    for line in result.output.splitlines():
        parts = line.split()
        if "/card/" in line:
            card_path = "/card/" + line.split("/card/")[1].strip()
        elif len(parts) >= 3 and parts[-2].startswith("demo-"):
            accounts[" ".join(parts[:-2])] = (parts[-2], parts[-1])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveSchool(f"http://127.0.0.1:{server.server_port}", accounts, card_path, app)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(chromium, live):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def audit(page, name: str | None = None) -> None:
    """axe-core (WCAG 2.2 A and AA) finds nothing, and nothing scrolls sideways at 320 px."""
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1)[:4000]
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 720})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.set_viewport_size(size)
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 320px wide"
    if name:
        screenshot(page, name)


def _axe(page) -> list[dict]:
    """Run axe-core in the page. Our CSP forbids inline script, so it is evaluated, not injected as a tag."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text("utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_TAGS,
    )
    return result


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    size = page.viewport_size
    for width, height in ((1280, 800), (768, 1024)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size(size)


def sign_in(page, live: LiveSchool, label: str) -> None:
    username, password = live.accounts[label]
    page.goto(f"{live.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
