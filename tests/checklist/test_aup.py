"""The acceptable use policy: publishing versions, everyone's acknowledgements, and the pupil's link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from esafe_learn.checklist.models import AupAcknowledgement, AupVersion
from esafe_learn.extensions import db

from ..conftest import login, post
from .helpers import publish

PUPIL_LINK = '<a href="/acceptable-use">Our computer rules</a>'
PUPIL_ASKED = "Your school has new rules for using computers"


@pytest.fixture
def people(app, make_school, make_user):
    school = make_school("Hazel Primary")
    return {"school": school, "dsl": make_user(school, "dsl"), "admin": make_user(school, "school_admin"),
            "teacher": make_user(school, "teacher"), "pupil": make_user(school, "pupil", year_group=2)}


def _acks(app) -> list[tuple[int, int]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(AupAcknowledgement.aup_version_id, AupAcknowledgement.user_id).order_by(AupAcknowledgement.id))]


def _version_id(page: str) -> str:
    import re

    return re.search(r'name="version_id" type="hidden" value="(\d+)"', page).group(1)


def test_publishing_a_version_is_checked(app, client, people):
    login(client, people["admin"])
    empty = post(client, "/checklist/acceptable-use", {"version": "", "text": ""}).get_data(as_text=True)
    assert "Type a version, such as 2025-26 or 3." in empty and "Paste or type the policy." in empty
    assert post(client, "/checklist/acceptable-use", {"version": "2025-26", "text": "Be kind online.",
                                                      "pupil_text": "Be kind."}).status_code == 302
    again = post(client, "/checklist/acceptable-use", {"version": "2025-26", "text": "Changed"})
    assert "There is already a version called 2025-26." in again.get_data(as_text=True)
    too_long = post(client, "/checklist/acceptable-use", {"version": "x" * 41, "text": "A"})
    assert too_long.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(AupVersion.id))) == 1


def test_a_pupil_sees_the_rules_in_their_words_and_is_asked_only_until_they_agree(app, client, people):
    login(client, people["pupil"])
    page = client.get("/acceptable-use").get_data(as_text=True)
    assert "Your school has not put its computer rules here yet." in page
    home = client.get("/home").get_data(as_text=True)
    assert PUPIL_LINK not in home and PUPIL_ASKED not in home
    version = publish(app, people["school"], people["dsl"], "1", "Staff: the full policy <b>text</b>.",
                      "Be kind online. Tell a grown-up if something worries you.")
    home = client.get("/home").get_data(as_text=True)
    assert PUPIL_LINK in home and PUPIL_ASKED in home
    page = client.get("/acceptable-use").get_data(as_text=True)
    assert "Our computer rules" in page and "Tell a grown-up if something worries you." in page
    assert "Staff: the full policy" not in page and "I will follow these rules" in page
    assert post(client, "/acceptable-use", {"version_id": _version_id(page)}).status_code == 302
    assert _acks(app) == [(version, people["pupil"].id)]
    home = client.get("/home").get_data(as_text=True)
    assert PUPIL_ASKED not in home and PUPIL_LINK in home  # no longer asked; the rules are still there to read
    assert "You said you will follow these rules" in client.get("/acceptable-use").get_data(as_text=True)
    post(client, "/acceptable-use", {"version_id": str(version)})  # again: still one acknowledgement
    assert len(_acks(app)) == 1

    second = publish(app, people["school"], people["dsl"], "2", "The new policy.")
    assert PUPIL_ASKED in client.get("/home").get_data(as_text=True)
    page = client.get("/acceptable-use").get_data(as_text=True)
    assert "The new policy." in page  # no pupils' words in this version: the policy itself
    stale = post(client, "/acceptable-use", {"version_id": str(version)})
    assert stale.status_code == 302 and len(_acks(app)) == 1
    post(client, "/acceptable-use", {"version_id": str(second)})
    assert _acks(app) == [(version, people["pupil"].id), (second, people["pupil"].id)]  # every version kept


def test_staff_are_asked_on_their_home_page_and_the_policy_is_shown_escaped(app, client, people):
    publish(app, people["school"], people["dsl"], "3", "Never <script>share</script> passwords.")
    login(client, people["teacher"])
    home = client.get("/home").get_data(as_text=True)
    assert "new version of the school's acceptable use policy" in home
    page = client.get("/acceptable-use").get_data(as_text=True)
    assert "Never &lt;script&gt;share&lt;/script&gt; passwords." in page and "<script>share" not in page
    assert "I have read and agree to this policy" in page
    post(client, "/acceptable-use", {"version_id": _version_id(page)})
    home = client.get("/home").get_data(as_text=True)
    assert "acceptable use policy for you to read" not in home
    assert "Read the school's acceptable use policy again" in home
    assert "You acknowledged version 3" in client.get("/acceptable-use").get_data(as_text=True)


def test_the_lead_sees_who_acknowledged_each_version(app, client, people, make_school, make_user):
    first = publish(app, people["school"], people["dsl"], "1")
    for key in ("teacher", "pupil"):
        other = app.test_client()
        login(other, people[key])
        post(other, "/acceptable-use", {"version_id": str(first)})
    elsewhere = make_school("Yew School")
    publish(app, elsewhere, make_user(elsewhere, "dsl"), "1", "Another school's policy.")
    login(client, people["dsl"])
    page = client.get("/checklist/acceptable-use").get_data(as_text=True)
    assert "1 of 3 staff (33%)" in page and "1 of 1 pupils (100%)" in page
    assert "Another school" not in client.get("/acceptable-use").get_data(as_text=True)


def test_another_schools_new_version_asks_nothing_of_this_schools_pupils(app, client, people, make_school,
                                                                          make_user):
    version = publish(app, people["school"], people["dsl"], "1", "Our policy.", "Be kind online.")
    login(client, people["pupil"])
    assert post(client, "/acceptable-use", {"version_id": str(version)}).status_code == 302
    assert PUPIL_ASKED not in client.get("/home").get_data(as_text=True)

    elsewhere = make_school("Rowan Primary")
    publish(app, elsewhere, make_user(elsewhere, "dsl"), "7", "Their policy, published later.")
    assert PUPIL_ASKED not in client.get("/home").get_data(as_text=True)
