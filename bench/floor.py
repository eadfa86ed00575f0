"""The floor: the least a signed-in page and a form post cost on this project's fixed stack.

Nothing of esafe-learn runs here. A page is a cookie session, Flask-Login loading the person with one ORM query
by primary key, Flask-WTF's CSRF protection and a small cached Jinja template with a form token, a link and the
person's name; a post also checks the form token, inserts one row, commits and redirects. Database work runs in
autocommit, the cheapest way the stack offers. The lean variant (FLOOR_LEAN=1) goes further than esafe-learn
could without redesign: Flask-Login gets a plain object from one Core query instead of an ORM instance, and the
page carries no form token (so no sign-out button). bench/run.py serves this app with the app's own gunicorn settings
and measures it in the same rounds as the baseline, the lesson page and the quiz, so the ratios say how much of
each throughput target the stack alone leaves for the application's own work.
"""

from __future__ import annotations

import os

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from jinja2 import DictLoader
from sqlalchemy import String, bindparam, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="csrf-token" content="{{ csrf_token() }}">
<title>{{ title }}</title></head>
<body><header><a href="{{ url_for('page') }}">Home</a> {{ current_user.name }}</header>
<main><h1>{{ title }}</h1>{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>{% endfor %}</main></body></html>
"""
LEAN_PAGE = PAGE.replace('<meta name="csrf-token" content="{{ csrf_token() }}">', "")


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Person(UserMixin, db.Model):
    __tablename__ = "floor_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class Answer(db.Model):
    __tablename__ = "floor_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int]
    choice: Mapped[str] = mapped_column(String(80))


class LeanPerson(UserMixin):
    def __init__(self, person_id: int, name: str):
        self.id, self.name = person_id, name


LEAN_PERSON = select(Person.id, Person.name).where(Person.id == bindparam("person_id"))


def _lean_person(person_id: str) -> LeanPerson | None:
    with db.engine.connect() as connection:
        row = connection.execute(LEAN_PERSON, {"person_id": int(person_id)}).first()
    return LeanPerson(*row) if row else None


def create_floor_app(database_url: str, lean: bool = False) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ.get("ESAFE_SECRET_KEY", "floor-only-" * 4),
                      SQLALCHEMY_DATABASE_URI=database_url,
                      SQLALCHEMY_ENGINE_OPTIONS={"isolation_level": "AUTOCOMMIT"})
    app.jinja_loader = DictLoader({"page.html": LEAN_PAGE if lean else PAGE})
    db.init_app(app)
    CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.user_loader(_lean_person if lean else lambda person_id: db.session.get(Person, int(person_id)))

    @app.route("/login")
    def login():
        login_user(db.session.get(Person, 1))
        return redirect(url_for("page"))

    @app.route("/page")
    @login_required
    def page():
        return render_template("page.html", title="A lesson", paragraphs=["Some words of the lesson."] * 20)

    @app.route("/submit", methods=["POST"])
    @login_required
    def submit():
        db.session.add(Answer(person_id=current_user.id, choice=request.form.get("choice", "")[:80]))
        db.session.commit()
        return redirect(url_for("page"))

    return app


def prepare(database_url: str) -> None:
    """Create the floor's two tables and its one person (before gunicorn starts, so workers do not race)."""
    app = create_floor_app(database_url)
    with app.app_context():
        db.create_all()
        if db.session.get(Person, 1) is None:
            db.session.add(Person(id=1, name="Sam"))
            db.session.commit()
        db.engine.dispose()


def app_from_environment() -> Flask:
    """The gunicorn entry point: `bench.floor:app_from_environment()` with DATABASE_URL (and FLOOR_LEAN) set."""
    return create_floor_app(os.environ["DATABASE_URL"], lean=os.environ.get("FLOOR_LEAN") == "1")
