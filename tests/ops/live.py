"""Real app servers for the data-safety and scale-out tests: gunicorn processes on free ports of
127.0.0.1, a browser-like HTTP client (stdlib only), a fresh PostgreSQL database per stack, and a setup
app that builds the schema, installs the example pack and creates the pupils.

Every request has a timeout; every server is stopped by the fixture that started it.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from flask_migrate import stamp

from esafe_learn import create_app
from esafe_learn.extensions import db

from ..conftest import DEFAULT_PASSWORD, EXAMPLE_PACK, base_config

REPO = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 30
START_TIMEOUT = 90
QUIZ_LESSON = "keeping-things-private-4-7"  # self-study for year 1 (ages 4-7) in the example pack

_INPUT = re.compile(r"<input\b[^>]*>")
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


# --- HTTP -----------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the caller sees the 302 itself


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class WebClient:
    """One browser: its own cookie jar (shared by every server on 127.0.0.1, like behind a load balancer)."""

    def __init__(self, jar: http.cookiejar.CookieJar | None = None, address: str | None = None):
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.address = address  # the client's address as the load balancer reports it (X-Forwarded-For)
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())

    def copy(self) -> WebClient:
        """Another browser holding a copy of this one's cookies (a copied session cookie)."""
        jar = http.cookiejar.CookieJar()
        for cookie in self.jar:
            jar.set_cookie(cookie)
        return WebClient(jar, self.address)

    def request(self, url: str, fields: list[tuple[str, str]] | None = None) -> Response:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if fields is not None else "GET")
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return Response(response.status, dict(response.headers), response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:  # 3xx (no redirects followed), 4xx and 5xx
            body = error.read().decode("utf-8", "replace")
            return Response(error.code, dict(error.headers), body)

    def get(self, url: str) -> Response:
        return self.request(url)

    def post(self, url: str, fields: list[tuple[str, str]]) -> Response:
        return self.request(url, fields)

    def sign_in(self, base: str, username: str, password: str = DEFAULT_PASSWORD) -> Response:
        page = self.get(f"{base}/login")
        assert page.status == 200, page.status
        response = self.post(f"{base}/login", [("csrf_token", hidden_value(page.text, "csrf_token")),
                                               ("username", username), ("password", password)])
        assert response.status == 302, (response.status, response.text[:500])
        return response

    def sign_out(self, base: str) -> Response:
        home = self.get(f"{base}/home")
        return self.post(f"{base}/logout", [("csrf_token", hidden_value(home.text, "csrf_token"))])


def inputs(page: str) -> list[dict[str, str]]:
    return [dict(_ATTR.findall(tag)) | ({"checked": "1"} if re.search(r"\schecked\b", tag) else {})
            for tag in _INPUT.findall(page)]


def hidden_value(page: str, name: str) -> str:
    for attrs in inputs(page):
        if attrs.get("name") == name and attrs.get("type") == "hidden":
            return attrs.get("value", "")
    raise AssertionError(f"no hidden {name} input on the page:\n{page[:1500]}")


def ticked(page: str) -> list[tuple[str, str]]:
    """The answers a quiz page has ticked (or carries in hidden fields), as form fields."""
    return [(a["name"], a.get("value", "")) for a in inputs(page)
            if a.get("name", "").startswith("q-") and (a.get("checked") or a.get("type") == "hidden")]


def quiz_fields(page: str, answers: dict[str, list[str]]) -> list[tuple[str, str]]:
    fields = [("csrf_token", hidden_value(page, "csrf_token")), ("attempt_token", hidden_value(page, "attempt_token"))]
    fields += [(f"q-{key}", value) for key, values in answers.items() for value in values]
    return fields


# --- servers --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_supports(setting: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(known.name == setting for known in KNOWN_SETTINGS)


class AppServer:
    """`gunicorn -w N -b 127.0.0.1:PORT 'esafe_learn:create_app()'` with its own environment."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2):
        self.env, self.log_path, self.workers = env, log_path, workers
        self.port = 0
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def launch(self) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
                   "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"]
        if _gunicorn_supports("control_socket_disable"):
            command.append("--no-control-socket")  # gunicorn 24+: one control socket per user otherwise
        command.append("esafe_learn:create_app()")
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{self.log()[-3000:]}")

    def signal_stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (TERM waits for idle workers)

    def stop(self) -> None:
        self.signal_stop()
        if self.process is not None:
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""


def start_servers(servers: list[AppServer]) -> None:
    """Start every server at once, then wait for each; on failure the caller's finalizer stops them."""
    for server in servers:
        server.launch()
    for server in servers:
        server.wait_ready()


def stop_servers(servers: list[AppServer]) -> None:
    for server in servers:
        server.signal_stop()
    for server in servers:
        server.stop()


def server_env(database_url: str, secret_key: str, instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ESAFE_", "DATABASE_URL"))}
    env.update({
        "DATABASE_URL": database_url,
        "ESAFE_SECRET_KEY": secret_key,
        "ESAFE_RATELIMIT_ENABLED": "0",
        "ESAFE_BACKUP_DIR": str(instance / "backups"),
        "PYTHONPATH": str(REPO),
    })
    return env


def redis_url() -> str | None:
    """A Redis on this machine for shared rate limits, if one answers."""
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            return None
    return "redis://127.0.0.1:6379/0"


def random_address() -> str:
    return "10.{}.{}.{}".format(*secrets.token_bytes(3))


def new_secret() -> str:
    return secrets.token_hex(32)


# --- the data the servers serve -------------------------------------------------------------------


@dataclass
class School:
    """A school with year-1 pupils, the example pack installed, and the right and wrong quiz answers."""

    app: object
    database_url: str
    lesson_id: int
    pupils: list[tuple[int, str]]  # (id, username)
    right: dict[str, list[str]]
    wrong: dict[str, list[str]]
    tags_per_wrong_try: int  # misconception rows a "wrong" try stores
    extra: dict = field(default_factory=dict)


def build_school(database_url: str, folder: Path, pupils: int) -> School:
    """Schema (create_all + stamp, as `db upgrade` leaves it), the example pack, one class of pupils."""
    from esafe_learn.content.models import Lesson
    from esafe_learn.content.services import install_pack
    from esafe_learn.schools.services import add_pupil_to_class, create_class, create_school, create_user

    app = create_app(base_config(database_url, folder))
    with app.app_context():
        db.create_all()
        stamp()
        install_pack(EXAMPLE_PACK)
        school = create_school("Ash Primary", f"ash{secrets.token_hex(3)}")
        school_class = create_class(school, "1A", 1, None)
        people = []
        for number in range(pupils):
            pupil = create_user(school, f"ash-pupil-{number}", f"Pupil {number}", "pupil", password=DEFAULT_PASSWORD,
                                year_group=1)
            add_pupil_to_class(pupil, school_class)
            people.append(pupil)
        db.session.commit()
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == QUIZ_LESSON))
        right = {q["key"]: [o["key"] for o in q["options"] if o["correct"]] for q in lesson.quiz}
        wrong_options = {q["key"]: next(o for o in q["options"] if not o["correct"]) for q in lesson.quiz}
        wrong = {key: [option["key"]] for key, option in wrong_options.items()}
        tags = sum(1 for option in wrong_options.values() if option.get("misconception"))
        result = School(app, database_url, lesson.id, [(p.id, p.username) for p in people], right, wrong, tags)
        db.session.remove()
        db.engine.dispose()
    return result
