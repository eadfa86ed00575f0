"""Who gets what: every route x method x role of the app, with the expected status code.

Columns: anonymous, pupil, Online Leader, teacher (of the class in the URL), DSL, school admin,
deployment admin. The same roles from another school get the same answers, except on routes that
name an object of this school (OBJECT_ROUTES): there every signed-in user of another school gets 404.
POST requests carry a valid CSRF token and the form data in POST_DATA (empty unless given), so the
table shows the access decision, not a CSRF refusal (tests/test_csrf.py covers that).
"""

ROLES = ("anonymous", "pupil", "leader", "teacher", "dsl", "school_admin", "deployment_admin")

#                                      anon pupil leader teach  dsl admin deploy
ACCESS = {
    ("home.landing", "GET"):            (200, 302, 302, 302, 302, 302, 302),
    ("home.index", "GET"):              (302, 200, 200, 200, 200, 200, 302),
    ("auth.login", "GET"):              (200, 302, 302, 302, 302, 302, 302),
    ("auth.login", "POST"):             (200, 302, 302, 302, 302, 302, 302),
    ("auth.card", "GET"):               (404, 404, 404, 404, 404, 404, 404),
    ("auth.card", "POST"):              (404, 404, 404, 404, 404, 404, 404),
    ("auth.change_password", "GET"):    (302, 200, 200, 200, 200, 200, 200),
    ("auth.change_password", "POST"):   (302, 200, 200, 200, 200, 200, 200),
    ("auth.logout", "POST"):            (302, 302, 302, 302, 302, 302, 302),
    ("admin.schools", "GET"):           (302, 403, 403, 403, 403, 403, 200),
    ("admin.schools", "POST"):          (302, 403, 403, 403, 403, 403, 200),
    ("schools.classes", "GET"):         (302, 403, 403, 200, 200, 200, 403),
    ("schools.classes", "POST"):        (302, 403, 403, 403, 403, 200, 403),
    ("schools.class_detail", "GET"):    (302, 404, 404, 200, 200, 200, 404),
    ("schools.class_detail", "POST"):   (302, 404, 404, 403, 403, 302, 404),
    ("schools.class_cards", "GET"):     (302, 404, 404, 200, 200, 200, 404),
    ("schools.class_cards", "POST"):    (302, 404, 404, 200, 200, 200, 404),
    ("schools.pupils", "GET"):          (302, 403, 403, 403, 403, 200, 403),
    ("schools.pupil_detail", "GET"):    (302, 404, 404, 404, 404, 200, 404),
    ("schools.pupil_detail", "POST"):   (302, 404, 404, 404, 404, 200, 404),
    ("schools.toggle_leader", "POST"):  (302, 404, 404, 404, 404, 302, 404),
    ("schools.reissue_card", "POST"):   (302, 404, 404, 404, 404, 200, 404),
    ("schools.roster_upload", "GET"):   (302, 403, 403, 403, 403, 200, 403),
    ("schools.roster_upload", "POST"):  (302, 403, 403, 403, 403, 200, 403),
    ("schools.roster_confirm", "POST"): (302, 403, 403, 403, 403, 200, 403),
    ("schools.settings", "GET"):        (302, 403, 403, 403, 403, 200, 403),
    ("schools.settings", "POST"):       (302, 403, 403, 403, 403, 302, 403),
    ("schools.staff", "GET"):           (302, 403, 403, 403, 403, 200, 403),
    ("schools.staff", "POST"):          (302, 403, 403, 403, 403, 200, 403),
    ("schools.staff_detail", "GET"):    (302, 404, 404, 404, 404, 200, 404),
    ("schools.staff_detail", "POST"):   (302, 404, 404, 404, 404, 302, 404),
    ("static", "GET"):                  (200, 200, 200, 200, 200, 200, 200),
    ("content.packs", "GET"):           (302, 403, 403, 200, 200, 200, 200),
    ("content.media", "GET"):           (302, 200, 200, 200, 200, 200, 200),
    ("lessons.index", "GET"):           (302, 200, 200, 200, 200, 200, 403),
    ("lessons.lesson", "GET"):          (302, 200, 200, 302, 302, 302, 404),
    ("lessons.finish", "POST"):         (302, 302, 302, 404, 404, 404, 404),
    ("lessons.library", "GET"):         (302, 403, 403, 200, 200, 200, 403),
    ("lessons.preview", "GET"):         (302, 404, 404, 200, 200, 200, 404),
    ("lessons.preview", "POST"):        (302, 404, 404, 200, 200, 200, 404),
    ("lessons.class_lessons", "GET"):   (302, 404, 404, 200, 200, 200, 404),
    ("lessons.remove_assignment", "POST"): (302, 404, 404, 302, 302, 302, 404),
    ("lessons.reflections", "GET"):     (302, 404, 404, 200, 200, 200, 404),
    ("lessons.toggle_pupil_voice", "POST"): (302, 404, 404, 302, 302, 302, 404),
    ("quizzes.quiz", "GET"):            (302, 200, 200, 404, 404, 404, 404),
    ("quizzes.submit", "POST"):         (302, 400, 400, 404, 404, 404, 404),
    ("quizzes.result", "GET"):          (302, 200, 404, 404, 404, 404, 404),
    ("quizzes.result", "POST"):         (302, 200, 404, 404, 404, 404, 404),
}

# Routes whose URL names an object of the school: users of another school always get 404.
OBJECT_ROUTES = {"schools.class_detail", "schools.class_cards", "schools.pupil_detail", "schools.toggle_leader",
                 "schools.reissue_card", "schools.staff_detail", "lessons.class_lessons", "lessons.remove_assignment",
                 "lessons.reflections", "lessons.toggle_pupil_voice", "quizzes.result"}

# URL values: each names an object of school A in the test world (see test_access.py).
URL_VALUES = {
    "class_id": "class",
    "user_id": {"schools.staff_detail": "teacher", None: "pupil"},
    "token": "not-a-card",
    "filename": "style.css",
    "lesson_id": "lesson",
    "attempt_id": "attempt",
    "assignment_id": "assignment",
    "reflection_id": "reflection",
    "pack_slug": "example-pack",
    "path": "padlock.png",
}

# Form data that keeps the test world as it was, so the order of requests never matters.
POST_DATA = {
    "schools.class_detail": lambda world: {"teachers": [world["teacher"].id]},
    "lessons.toggle_pupil_voice": lambda world: {"class_id": world["class"].id},
}

# Requests that undo part of the world go last, in this order; ending the session is the very last.
LAST = [("lessons.remove_assignment", "POST"), ("auth.logout", "POST")]
