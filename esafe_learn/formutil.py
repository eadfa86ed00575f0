"""Small helpers shared by the forms of every feature."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields import DateField, IntegerField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget


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


class WholeNumberField(IntegerField):
    """A number box whose error says what to type, with an example that fits the question."""

    def __init__(self, label=None, validators=None, example: int = 20, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.example = example

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"Type a whole number, such as {self.example}.") from error


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of tick boxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that changes something: it carries only the CSRF token."""

    submit = SubmitField("Confirm")
