"""Sign-in, throttling, server-side sessions and QR cards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from esafe_learn import create_app
from esafe_learn.auth import services
from esafe_learn.auth.models import SignInThrottle, UserSession
from esafe_learn.auth.passwords import DEFAULT_ARGON2, hash_password, password_problem
from esafe_learn.extensions import db

from .conftest import DEFAULT_PASSWORD, csrf_token, login, post


def _login_attempt(client, username, password):
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)})


def test_password_sign_in_reaches_the_role_home(client, make_school, make_user):
    teacher = make_user(make_school(), "teacher", name="Ms Rivera")
    response = login(client, teacher)
    assert response.headers["Location"].endswith("/home")
    assert "Hello, Ms Rivera" in client.get("/home").get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    wrong = _login_attempt(client, teacher.username, "not the password").get_data(as_text=True)
    unknown = _login_attempt(client, "nobody-here", "not the password").get_data(as_text=True)
    message = "That username and password don&#39;t match"
    assert message in wrong and message in unknown
    assert client.get("/home").status_code == 302


def test_throttle_is_kept_in_the_database_and_holds_across_processes(app, client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    limit = app.config["SIGNIN_FAILURES_ALLOWED"]
    for _ in range(limit):
        assert _login_attempt(client, teacher.username, "wrong password!").status_code == 200
    blocked = _login_attempt(client, teacher.username, DEFAULT_PASSWORD)
    assert blocked.status_code == 429
    assert "Too many tries" in blocked.get_data(as_text=True)
    # A second app process on the same database sees the same lock.
    other = create_app(dict(app.config))
    other_client = other.test_client()
    assert _login_attempt(other_client, teacher.username, DEFAULT_PASSWORD).status_code == 429
    with other.app_context():
        db.engine.dispose()
    with app.app_context():
        row = db.session.scalar(select(SignInThrottle).where(SignInThrottle.username == teacher.username))
        assert row.failures == limit and row.locked_until is not None


def test_throttle_delay_grows(app):
    policy = services.ThrottlePolicy(10, timedelta(minutes=15))
    delays = [policy.delay_after(n) for n in range(9, 14)]
    assert delays[0] == timedelta(0)
    assert delays[1] < delays[2] < delays[3] < delays[4]


def test_unknown_usernames_are_throttled_alike(app, client):
    for _ in range(app.config["SIGNIN_FAILURES_ALLOWED"]):
        _login_attempt(client, "ghost", "wrong password!")
    assert _login_attempt(client, "ghost", "wrong password!").status_code == 429


def test_logout_ends_the_session_on_the_server(app, client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    login(client, teacher)
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="esafe.test").value
    assert post(client, "/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen, domain="esafe.test")
    assert thief.get("/home").status_code == 302


def test_password_change_ends_other_sessions(app, client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    login(client, teacher)
    other_device = app.test_client()
    login(other_device, teacher)
    response = post(client, "/account/password", {"current_password": DEFAULT_PASSWORD,
                                                   "new_password": "a brand new passphrase",
                                                   "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    assert other_device.get("/home").status_code == 302


def test_session_cookie_changes_at_sign_in(app, client, make_school, make_user):
    teacher = make_user(make_school(), "teacher")
    client.get("/login")
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="esafe.test")
    login(client, teacher)
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="esafe.test")
    assert before is None or before.value != after.value


def test_staff_sessions_expire_after_30_idle_minutes_pupils_later(app, client, make_school, make_user):
    school = make_school()
    teacher, pupil = make_user(school, "teacher"), make_user(school, "pupil")
    pupil_client = app.test_client()
    login(client, teacher)
    login(pupil_client, pupil)
    with app.app_context():
        for record in db.session.scalars(select(UserSession)):
            record.last_seen_at -= timedelta(minutes=31)
        db.session.commit()
    assert client.get("/home").status_code == 302
    assert pupil_client.get("/home").status_code == 200


def test_sessions_end_after_twelve_hours_in_any_case(app, client, make_school, make_user):
    pupil = make_user(make_school(), "pupil")
    login(client, pupil)
    with app.app_context():
        record = db.session.scalar(select(UserSession))
        record.created_at -= timedelta(hours=12, minutes=1)
        db.session.commit()
    assert client.get("/home").status_code == 302


def test_archived_user_is_signed_out_at_once(app, client, make_school, make_user):
    from esafe_learn.schools.services import archive_user

    pupil = make_user(make_school(), "pupil")
    login(client, pupil)
    with app.app_context():
        archive_user(db.session.get(type(pupil), pupil.id))
        db.session.commit()
    assert client.get("/home").status_code == 302


def test_password_policy():
    assert password_problem("short") is not None
    assert "common" in password_problem("password123")
    assert password_problem("iloveyou2") is not None or password_problem("baseball1") is not None
    assert password_problem("x" * 70) is None
    assert password_problem("purple otter wander") is None


def test_argon2id_uses_the_asvs_setting(app):
    with app.app_context():
        app.config["ARGON2_PARAMS"] = {}
        digest = hash_password("purple otter wander")
    assert digest.startswith("$argon2id$")
    assert f"m={DEFAULT_ARGON2['memory_cost']},t=1,p=1" in digest


# --- QR cards ---------------------------------------------------------------------------------------


def _card(app, pupil):
    with app.app_context():
        token = services.issue_card(db.session.get(type(pupil), pupil.id))
        db.session.commit()
    return token


def test_card_signs_in_its_pupil(app, client, make_school, make_user):
    pupil = make_user(make_school(), "pupil", name="Ava B.", password=None, year_group=1)
    token = _card(app, pupil)
    page = client.get(f"/card/{token}")
    assert "Hello, Ava B.!" in page.get_data(as_text=True)
    response = client.post(f"/card/{token}", data={"csrf_token": csrf_token(client, f"/card/{token}")})
    assert response.status_code == 302
    assert "Hello, Ava B." in client.get("/home").get_data(as_text=True)


def test_revoked_and_unknown_cards_do_not_work(app, client, make_school, make_user):
    pupil = make_user(make_school(), "pupil", password=None)
    old = _card(app, pupil)
    _card(app, pupil)
    assert client.get(f"/card/{old}").status_code == 404
    assert client.get("/card/not-a-real-token").status_code == 404
    assert client.get("/card/" + "x" * 500).status_code == 404


def test_school_can_switch_qr_sign_in_off(app, client, make_school, make_user):
    school = make_school()
    pupil = make_user(school, "pupil", password=None)
    token = _card(app, pupil)
    with app.app_context():
        db.session.get(type(school), school.id).qr_signin_enabled = False
        db.session.commit()
    assert client.get(f"/card/{token}").status_code == 404


def test_card_tokens_are_stored_hashed(app, client, make_school, make_user):
    from esafe_learn.auth.models import SignInCard

    pupil = make_user(make_school(), "pupil", password=None)
    token = _card(app, pupil)
    with app.app_context():
        stored = db.session.scalar(select(SignInCard.token_hash))
    assert token not in stored and stored == services.token_digest(token)


def test_pupil_without_password_cannot_sign_in_with_an_empty_one(client, make_school, make_user):
    pupil = make_user(make_school(), "pupil", password=None)
    assert _login_attempt(client, pupil.username, "anything at all").status_code == 200
    assert client.get("/home").status_code == 302


def test_teacher_resets_the_password_of_a_pupil_in_their_class_only(app, client, make_school, make_user,
                                                                     make_class):
    school = make_school()
    teacher, other_teacher = make_user(school, "teacher"), make_user(school, "teacher")
    pupil, stranger = make_user(school, "pupil"), make_user(school, "pupil")
    mine = make_class(school, "5A", 5, teachers=[teacher], pupils=[pupil])
    theirs = make_class(school, "5B", 5, teachers=[other_teacher], pupils=[stranger])
    pupil_client = app.test_client()
    login(pupil_client, pupil)
    login(client, teacher)
    weak = post(client, f"/school/classes/{mine.id}/pupils/{pupil.id}/password", {"new_password": "password1"})
    assert weak.status_code == 200 and "common" in weak.get_data(as_text=True)
    done = post(client, f"/school/classes/{mine.id}/pupils/{pupil.id}/password", {"new_password": "blue kite river"})
    assert done.status_code == 302
    assert pupil_client.get("/home").status_code == 302  # the pupil's old session has ended
    login(app.test_client(), pupil, "blue kite river")
    assert client.get(f"/school/classes/{theirs.id}/pupils/{stranger.id}/password").status_code == 404
    assert client.get(f"/school/classes/{mine.id}/pupils/{stranger.id}/password").status_code == 404
