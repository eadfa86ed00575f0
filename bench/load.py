"""Load generation on 127.0.0.1 only: wrk runs (bounded by duration) and a class burst (bounded by timeouts)."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

# Every response is checked against what a working page answers (`expect`, a Lua condition on status and
# headers): a redirect to the sign-in page is a 3xx, which wrk alone would count as a success.
LUA_REPORT = """
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end
unexpected = 0
response = function(status, headers, body)
  if not ({EXPECT}) then unexpected = unexpected + 1 end
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  io.write(string.format('{"requests": %d, "duration_us": %d, "non_2xx_3xx": %d, "unexpected": %d, '
    .. '"socket_errors": %d, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\\n', summary.requests,
    summary.duration, summary.errors.status, wrong, errors, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""
PAGE_ANSWERED = "status == 200"
QUIZ_STORED = 'status == 302 and string.find(headers["Location"] or "", "/attempts/", 1, true) ~= nil'

LUA_QUIZ = """
local cookies = {COOKIES}
local bodies = {BODIES}
local counter = 0
request = function()
  counter = counter + 1
  local i = (counter % #cookies) + 1
  local body = bodies[i] .. "&attempt_token={RUN}-" .. thread_number .. "-" .. counter
  return wrk.format("POST", "{PATH}", {["Cookie"] = cookies[i],
    ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


WARM_UP_SECONDS = 2
# Set by bench/run.py --close-connections: every request on a new connection, as behind a proxy that does
# not keep upstream connections open (nginx's default), so each request goes to whichever worker is free.
EXTRA_HEADERS: list[str] = []


def run_wrk(url: str, seconds: int = 10, connections: int = 16, cookie: str | None = None,
            lua_extra: str = "", warm_up: bool = True, expect: str = PAGE_ANSWERED) -> dict:
    """Throughput and latency of one URL in steady state; wrk stops by itself after `seconds`.

    A short unmeasured run first lets every server thread open its database connection and every cache
    fill, for the measured URL and the baseline alike; a class's first minute is what the bursts measure.
    """
    warm_up_requests = 0
    if warm_up:
        warm_up_requests = run_wrk(url, WARM_UP_SECONDS, connections, cookie, lua_extra, warm_up=False,
                                   expect=expect)["requests"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # Each run's attempt tokens are new: Lua's random numbers start from the same seed in every wrk
        # thread and run, so tokens made from them repeated, and most "submissions" were resends.
        script.write(lua_extra.replace("{RUN}", uuid.uuid4().hex[:12]) + LUA_REPORT.replace("{EXPECT}", expect))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script.name, url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    for header in EXTRA_HEADERS:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30).stdout
    Path(script.name).unlink()
    figures = json.loads(re.search(r"\{.*\}", output).group(0))
    figures["rps"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
    figures["answered_with_warm_up"] = figures["requests"] + warm_up_requests
    return figures


def quiz_lua(path: str, sessions: list[tuple[str, str]]) -> str:
    cookies = "{" + ",".join(json.dumps(cookie) for cookie, _ in sessions) + "}"
    bodies = "{" + ",".join(json.dumps(body) for _, body in sessions) + "}"
    return LUA_QUIZ.replace("{COOKIES}", cookies).replace("{BODIES}", bodies).replace("{PATH}", path)


# --- a minimal browser-like client ------------------------------------------------------------------


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text, dict(response.getheaders())

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
TOKEN = re.compile(r'name="attempt_token" value="([^"]+)"')
OPTION = re.compile(r'name="(q-[^"]+)" value="([^"]+)"')


def sign_in(client: Client, username: str, password: str) -> None:
    """Sign in and follow the redirect, as a browser does.

    The first page after sign-in stores the new session's form token and sends the cookie again; a
    benchmark that kept the sign-in answer's cookie would make every request store a token afresh.
    """
    status, page, _ = client.request("GET", "/login")
    token = CSRF.search(page).group(1)
    status, _, headers = client.request("POST", "/login", {"csrf_token": token, "username": username,
                                                           "password": password})
    if status != 302:
        raise RuntimeError(f"sign-in failed with {status}")
    target = urllib.parse.urlsplit(headers["Location"])
    status, _, _ = client.request("GET", target.path + (f"?{target.query}" if target.query else ""))
    if status != 200:
        raise RuntimeError(f"the first page after sign-in answered {status}")


def quiz_answers(page: str) -> dict:
    """The first option of every question, as a pupil might choose."""
    form = {"csrf_token": CSRF.search(page).group(1), "attempt_token": TOKEN.search(page).group(1)}
    for name, value in OPTION.findall(page):
        form.setdefault(name, value)
    return form


def pupil_journey(client: Client, username: str, password: str, lesson_id: int) -> None:
    sign_in(client, username, password)
    for path in (f"/lessons/{lesson_id}", f"/lessons/{lesson_id}?part=2"):
        status, _, _ = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    status, page, _ = client.request("GET", f"/lessons/{lesson_id}/quiz")
    if status != 200:
        raise RuntimeError(f"quiz page answered {status}")
    status, _, headers = client.request("POST", f"/lessons/{lesson_id}/quiz", quiz_answers(page))
    if status != 302 or "/attempts/" not in headers.get("Location", ""):
        raise RuntimeError(f"quiz submission answered {status}, to {headers.get('Location')}")


def class_burst(host: str, port: int, usernames: list[str], password: str, lesson_id: int) -> dict:
    """Every pupil signs in, opens the lesson and submits the quiz at the same moment."""
    barrier = threading.Barrier(len(usernames))
    errors: list[str] = []
    finished: list[float] = []

    def one(username: str) -> None:
        try:
            barrier.wait(timeout=30)
            pupil_journey(Client(host, port), username, password, lesson_id)
            finished.append(time.perf_counter())
        except Exception as error:  # counted and reported as the burst's errors
            errors.append(f"{username}: {error!r}")

    threads = [threading.Thread(target=one, args=(name,)) for name in usernames]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = (max(finished) - started) if finished else float("nan")
    # A pupil still on their way when the wait ends did not finish: that is an error too.
    return {"pupils": len(usernames), "finished": len(finished), "all_done_s": round(elapsed, 2),
            "errors": len(usernames) - len(finished), "first_errors": errors[:3]}
