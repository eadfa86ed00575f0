from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, ValidationError

from ..concerns.forms import TOLD_ADULT_CHOICES
from ..concerns.services import PUPIL_CHOICES, WORDS_MAX
from ..content.taxonomy import STRANDS
from ..formutil import CheckboxesField, DayField, WholeNumberField, choices
from ..schools.yeargroups import YEAR_CHOICES
from .models import GROUP, KINDS, NAMED, UNNAMED
from .services import TEXT_MAX, school_today

MENTEE_MODE_CHOICES = [
    (NAMED, "Pupils I can name"),
    (UNNAMED, "A pupil I won't name"),
    (GROUP, "A group (I'll say how many)"),
]
NO_YEAR = -1


class LogForm(FlaskForm):
    """The log's own rules are the service's (`services.check_entry`); the form checks only the worry questions."""

    session_date = DayField("Date", default=school_today)
    kind = RadioField("What kind of session was it?", choices=choices(KINDS.items()), validate_choice=False)
    mentee_mode = RadioField("Who did you help?", choices=choices(MENTEE_MODE_CHOICES), validate_choice=False)
    mentees = SelectMultipleField("Pupils you helped", coerce=int, validate_choice=False,
                                  render_kw={"size": 8, "data-filter": "Find a name"})  # static/pupil-picker.js
    unnamed_year_group = SelectField("Their year group", coerce=int, default=NO_YEAR, validate_choice=False)
    group_size = WholeNumberField("How many in the group?", validators=[Optional()])
    strands = CheckboxesField("What did you talk about?", choices=choices(STRANDS.items()), validate_choice=False)
    what_we_did = TextAreaField("What did you do?")
    what_helped = TextAreaField("What helped? (optional)")
    duration_minutes = WholeNumberField("How many minutes did it take?", validators=[Optional()])
    follow_up_needed = BooleanField("Someone needs a follow-up")
    worried = BooleanField("I am worried about someone's safety")
    worry_choice = RadioField("What is the worry about?", choices=choices((k, v[0]) for k, v in PUPIL_CHOICES.items()),
                              validate_choice=False)
    worry_words = TextAreaField("Tell us about the worry", validators=[
        Optional(), Length(max=WORDS_MAX, message=f"Please use {WORDS_MAX} letters or fewer.")])
    worry_told_adult = RadioField("Have you told an adult in person?", choices=choices(TOLD_ADULT_CHOICES),
                                  validate_choice=False)
    submit = SubmitField("Save my log")

    def __init__(self, *args, pupil_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mentees.choices = choices(pupil_choices)
        self.unnamed_year_group.choices = choices([(NO_YEAR, "Choose a year group"), *YEAR_CHOICES])

    def validate_worry_choice(self, field):
        if self.worried.data and field.data not in PUPIL_CHOICES:
            raise ValidationError("Pick what the worry is about.")

    def validate_worry_told_adult(self, field):
        if self.worried.data and field.data not in {"yes", "not_yet"}:
            raise ValidationError("Pick yes or not yet.")


class ReviewForm(FlaskForm):
    comment = TextAreaField("Comment (optional; the leader sees it)", validators=[
        Optional(), Length(max=TEXT_MAX, message=f"Use {TEXT_MAX} characters or fewer.")])
    submit = SubmitField("Mark as reviewed")
