"""Small helpers shared by the forms of every feature."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields import DateField, SelectChoice, SubmitField


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class DayField(DateField):
    """A date box whose error says what to type."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Type a date like 2025-09-01.") from error


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""

    submit = SubmitField("Confirm")
