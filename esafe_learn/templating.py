"""Template helpers shared by every page, and the places features add their links and panels.

A feature adds a navigation link or a home-page panel by registering it here, so the
foundation's templates never import a feature and a feature can be removed cleanly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, url_for
from flask_login import current_user

from .access import can
from .timeutil import school_time


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    permission: str | None = None
    shown_to: Callable[[object], bool] | None = None  # a feature's own test of the user, beside the permission


def _ui(app: Flask) -> dict:
    return app.extensions.setdefault("esafe_ui", {"nav": defaultdict(list), "panels": defaultdict(list),
                                                  "class_links": []})


def add_nav_link(app: Flask, section: str, label: str, endpoint: str, permission: str | None = None,
                 shown_to: Callable[[object], bool] | None = None) -> None:
    _ui(app)["nav"][section].append(NavLink(label, endpoint, permission, shown_to))


def add_panel(app: Flask, section: str, template: str) -> None:
    _ui(app)["panels"][section].append(template)


def add_class_link(app: Flask, label: str, endpoint: str) -> None:
    """A link on the class page to a feature's page for that class (the endpoint takes class_id)."""
    _ui(app)["class_links"].append(NavLink(label, endpoint))


def _links(links: list[NavLink], user, **values) -> list[dict]:
    return [
        {"label": link.label, "url": url_for(link.endpoint, **values)}
        for link in links
        if (link.permission is None or can(user, link.permission)) and (link.shown_to is None or link.shown_to(user))
    ]


def init_app(app: Flask) -> None:
    _ui(app)

    @app.context_processor
    def _helpers():
        ui = current_app.extensions["esafe_ui"]
        user = current_user._get_current_object()  # one lookup, not one per call in the template
        return {
            "can": lambda permission: can(user, permission),
            "nav_links": lambda section: _links(ui["nav"][section], user),
            "home_panels": lambda section: ui["panels"][section],
            "class_links": lambda school_class: _links(ui["class_links"], user, class_id=school_class.id),
        }

    @app.template_filter("date")
    def _date(value):
        if not value:
            return ""
        return (school_time(value) if isinstance(value, datetime) else value).strftime("%-d %B %Y")

    @app.template_filter("datetime")
    def _datetime(value):
        """UK time, with GMT or BST after it: the time a safeguarding record shows is the school's."""
        return school_time(value).strftime("%-d %B %Y, %H:%M %Z") if value else ""
