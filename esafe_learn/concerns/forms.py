from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from ..formutil import DayField, choices
from .models import ACTION_KINDS, TOLD_ADULT
from .services import NOTE_MAX, PUPIL_CHOICES, WORDS_MAX

TOLD_ADULT_CHOICES = [("yes", "Yes"), ("not_yet", "Not yet")]
ABOUT_CHOICES = [("me", "Me"), ("someone_else", "Someone else"), ("rather_not_say", "I'd rather not say")]
CATEGORY_HINTS = {
    "content": "Content: something harmful they saw or were shown",
    "contact": "Contact: someone who contacted them and may mean harm",
    "conduct": "Conduct: how someone behaved online, such as bullying or sharing images",
    "commerce": "Commerce: scams, gambling, pressure to pay or buy",
    "other": "Something else",
}


class WorryForm(FlaskForm):
    """The pupils' "Tell us about a worry" page: words a 7-year-old can read."""

    choice = RadioField("What is your worry about?", choices=choices((k, v[0]) for k, v in PUPIL_CHOICES.items()),
                        validate_choice=False, validators=[AnyOf(PUPIL_CHOICES, "Pick what your worry is about.")])
    words = TextAreaField(
        "Tell us what happened (you can leave this empty)",
        validators=[Optional(), Length(max=WORDS_MAX, message=f"Please use {WORDS_MAX} letters or fewer.")],
    )
    about = RadioField("Who is it about?", choices=choices(ABOUT_CHOICES), validate_choice=False,
                       validators=[AnyOf(dict(ABOUT_CHOICES), "Pick who it is about.")])
    told_adult = RadioField("Have you told an adult in person?", choices=choices(TOLD_ADULT_CHOICES),
                            validate_choice=False, validators=[AnyOf(TOLD_ADULT, "Pick yes or not yet.")])
    submit = SubmitField("Send my worry")


class StaffConcernForm(FlaskForm):
    category = RadioField("Area of risk", choices=choices(CATEGORY_HINTS.items()), validate_choice=False,
                          validators=[AnyOf(CATEGORY_HINTS, "Pick the area of risk.")])
    about = SelectField("Pupil it is about", coerce=int, default=0, validate_choice=False)
    description = TextAreaField(
        "What happened",
        validators=[DataRequired("Write what happened, in the words you heard where you can."),
                    Length(max=WORDS_MAX, message=f"Use {WORDS_MAX} characters or fewer.")],
    )
    told_adult = RadioField("Have you told a safeguarding lead in person?", choices=choices(TOLD_ADULT_CHOICES),
                            validate_choice=False, validators=[AnyOf(TOLD_ADULT, "Pick yes or not yet.")])
    submit = SubmitField("Send to the safeguarding leads")

    def validate_about(self, field):
        allowed = {choice.value for choice in self.about.choices}
        if field.data not in allowed:
            raise ValidationError("Pick a pupil of your school from the list.")


class AcknowledgeForm(FlaskForm):
    submit = SubmitField("Acknowledge")


class CloseForm(FlaskForm):
    submit = SubmitField("Close the concern")


class ActionForm(FlaskForm):
    kind = SelectField("Action", choices=choices([("", "Choose an action"), *ACTION_KINDS.items()]),
                       validators=[DataRequired("Pick an action.")])
    note = TextAreaField("Details (optional)",
                         validators=[Optional(), Length(max=NOTE_MAX, message=f"Use {NOTE_MAX} characters or fewer.")])
    submit = SubmitField("Record action")


class NoteForm(FlaskForm):
    body = TextAreaField("Note", validators=[DataRequired("Write a note."),
                                             Length(max=NOTE_MAX, message=f"Use {NOTE_MAX} characters or fewer.")])
    submit = SubmitField("Add note")


class LinkForm(FlaskForm):
    other = SelectField("Related concern", coerce=int, default=0, validate_choice=False)
    submit = SubmitField("Link")

    def validate_other(self, field):
        if field.data not in {choice.value for choice in self.other.choices if choice.value}:
            raise ValidationError("Pick a concern from the list.")


class ExportForm(FlaskForm):
    start = DayField("From (optional)", validators=[Optional()])
    end = DayField("To (optional)", validators=[Optional()])
    password = PasswordField("Your password", validators=[DataRequired("Type your password to export.")])
    submit = SubmitField("Download CSV")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date is before the start date.")


class AlertEmailForm(FlaskForm):
    email = StringField(
        "Email address for new-concern alerts",
        validators=[Optional(), Length(max=254, message="Use 254 characters or fewer."),
                    Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                           message="Type an email address, such as name@school.org.uk.")],
    )
    submit = SubmitField("Save")



class RetentionForm(FlaskForm):
    date_of_birth = DayField("The pupil's date of birth (optional)", validators=[Optional()])
    legal_hold = BooleanField("Legal hold: keep this record and never flag it for review")
    submit = SubmitField("Save")
