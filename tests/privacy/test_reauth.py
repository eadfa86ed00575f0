"""The password again before role changes (and, through the same helper, before exports)."""

from __future__ import annotations

from esafe_learn.auth.models import User
from esafe_learn.extensions import db

from ..conftest import DEFAULT_PASSWORD, csrf_token, login, post


def test_role_change_asks_for_the_password_again(app, client, make_school, make_user):
    school = make_school()
    admin = make_user(school, "school_admin")
    teacher = make_user(school, "teacher")
    login(client, admin)
    assert client.get(f"/school/staff/{teacher.id}").status_code == 200  # just signed in: no need
    app.config["REAUTH_MINUTES"] = -1  # the password was given too long ago
    response = post(client, f"/school/staff/{teacher.id}", {"role": "dsl"})
    assert response.status_code == 302 and "/account/confirm?next=" in response.headers["Location"]
    with app.app_context():
        assert db.session.get(User, teacher.id).role == "teacher"
    wrong = client.post(response.headers["Location"], data={"csrf_token": csrf_token(client, "/account/confirm"),
                                                            "password": "not my password"})
    assert wrong.status_code == 200 and "That is not your password." in wrong.get_data(as_text=True)
    app.config["REAUTH_MINUTES"] = 5
    ok = client.post(response.headers["Location"], data={"csrf_token": csrf_token(client, "/account/confirm"),
                                                         "password": DEFAULT_PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/school/staff/{teacher.id}")
    assert post(client, f"/school/staff/{teacher.id}", {"role": "dsl"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, teacher.id).role == "dsl"


def test_confirm_never_redirects_to_another_site(app, client, make_school, make_user):
    school = make_school()
    teacher = make_user(school, "teacher")
    login(client, teacher)
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = client.post(f"/account/confirm?next={target}",
                               data={"csrf_token": csrf_token(client, "/account/confirm"),
                                     "password": DEFAULT_PASSWORD})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/home"), target


def test_a_button_pressed_after_the_password_expired_comes_back_to_its_page(app, client, make_school, make_user):
    school = make_school()
    admin, teacher = make_user(school, "school_admin"), make_user(school, "teacher")
    login(client, admin)
    staff_page = f"http://esafe.test/school/staff/{teacher.id}"
    token = csrf_token(client, f"/school/staff/{teacher.id}")
    app.config["REAUTH_MINUTES"] = -1
    pressed = client.post(f"/account/staff/{teacher.id}/two-step/reset", data={"csrf_token": token},
                          headers={"Referer": staff_page})
    assert pressed.status_code == 302 and "/account/confirm?next=" in pressed.headers["Location"]
    app.config["REAUTH_MINUTES"] = 5
    back = client.post(pressed.headers["Location"], data={"csrf_token": csrf_token(client, "/account/confirm"),
                                                          "password": DEFAULT_PASSWORD})
    # Back to the staff page to press the button again, never a GET of the POST-only address (a 405).
    assert back.status_code == 302 and back.headers["Location"].endswith(f"/school/staff/{teacher.id}")
    assert client.get(back.headers["Location"]).status_code == 200

    app.config["REAUTH_MINUTES"] = -1
    unknown = client.post(f"/account/staff/{teacher.id}/two-step/reset", data={"csrf_token": token},
                          headers={"Referer": "https://elsewhere.example/page"})
    assert "next=/home" in unknown.headers["Location"]  # never another site; home when there is no page
