"""Privacy notices are pages of the app, and pupils are told who sees what at the point they give it."""

from __future__ import annotations

from pathlib import Path

import pytest

from esafe_learn.privacy.views import NOTICES

TEMPLATES = Path(__file__).parents[2] / "templates"


@pytest.mark.parametrize("slug", sorted(NOTICES))
def test_every_notice_is_a_public_page(client, slug):
    page = client.get(f"/privacy/{slug}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and body.count("<h1>") == 1 and NOTICES[slug][0] in body.replace("&#39;", "'")


def test_index_links_every_notice_and_the_footer_links_the_index(client):
    body = client.get("/privacy/").get_data(as_text=True)
    for slug in NOTICES:
        assert f'href="/privacy/{slug}"' in body
    assert 'href="/privacy/"' in client.get("/login").get_data(as_text=True)
    assert client.get("/privacy/nope").status_code == 404


def test_parents_notice_lists_registered_purposes(client):
    body = client.get("/privacy/parents").get_data(as_text=True)
    assert "lesson progress" in body and "Safeguarding concerns, seen only by the DSL." in body


@pytest.mark.parametrize("template, words", [
    ("quizzes/quiz.html", "Your teacher can see your answers"),
    ("mentoring/log_form.html", "The teachers who help Online Leaders read your log"),
    ("concerns/worry.html", "goes to the adults in school who keep children safe"),
])
def test_just_in_time_notes(template, words):
    assert words in (TEMPLATES / template).read_text()
