"""Redis (REDIS_URL) down must not stop anyone signing in: each process counts in memory until it is back.

Run in a process of its own: Flask-Limiter's extension object is shared by every app in a process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from .live import REPO, free_port, new_secret, server_env

SCRIPT = textwrap.dedent("""
    import re
    from esafe_learn import create_app
    from esafe_learn.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE, "SECRET_KEY": SECRET, "BACKUP_DIR": BACKUPS})
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://") and app.config["RATELIMIT_ENABLED"]
    with app.app_context():
        db.create_all()
    client = app.test_client()
    for attempt in range(3):
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        response = client.post("/login", data={"username": f"nobody-{attempt}", "password": "not it",
                                                "csrf_token": token})
        print(response.status_code)
""")


@pytest.mark.slow
def test_sign_in_keeps_working_when_redis_does_not_answer(tmp_path):
    env = server_env(f"sqlite:///{tmp_path / 'x.sqlite'}", new_secret(), tmp_path)
    env |= {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0", "ESAFE_RATELIMIT_ENABLED": "1"}  # nothing listens
    prelude = f"DATABASE = {env['DATABASE_URL']!r}\nSECRET = {env['ESAFE_SECRET_KEY']!r}\n" \
              f"BACKUPS = {str(tmp_path / 'backups')!r}\n"
    result = subprocess.run([sys.executable, "-c", prelude + SCRIPT], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["200", "200", "200"]  # the sign-in page again ("don't match"), never a 500
