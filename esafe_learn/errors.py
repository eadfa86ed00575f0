"""Styled error pages; a form whose CSRF token expired says so in plain words."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You can't open this page", "Your account does not have access to it. Ask a member of staff if you need it."),
    404: ("Page not found", "We couldn't find that page. It may have moved, or the link may be wrong."),
    405: ("That didn't work", "That page can't be used like that. Please go back and try again."),
    413: ("That file is too big", "Please choose a smaller file."),
    429: ("Too many tries", "Please wait a minute, then try again."),
    500: ("Something went wrong on our side", "It's not your fault. Please try again in a moment."),
    503: ("We're busy right now", "Please try again in a moment. Nothing you typed has been saved yet."),
}


def render_error(code: int):
    title, detail = MESSAGES.get(code, MESSAGES[400])
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        recover = app.extensions.get("esafe_csrf_recovery", {}).get(request.endpoint)
        response = recover() if recover else None
        return response or (render_template("errors/csrf.html", code=400), 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(500)
    def server_error(error):
        return render_error(500)
