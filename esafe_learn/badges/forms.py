from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..content.taxonomy import BADGE_ICONS, STRANDS
from ..formutil import CheckboxesField, choices
from .icons import ICONS
from .services import REASON_MAX, REVOCATION_REASONS

ICON_CHOICES = [(name, ICONS[name]["label"]) for name in BADGE_ICONS]
BEHAVIOUR_CHOICES = [("", "Any positive behaviour online"), *STRANDS.items()]
REVOKE_CHOICES = [("", "Choose a reason"), *((reason, reason) for reason in REVOCATION_REASONS)]


def choice_field(label: str, message: str, **kwargs) -> SelectField:
    """A select whose wrong answer is explained in plain words."""
    return SelectField(label, invalid_choice_message=message, invalid_value_message=message, **kwargs)


def _reason():
    return [
        DataRequired("Write a short reason the pupil will see."),
        Length(max=REASON_MAX, message=f"Keep the reason to {REASON_MAX} characters or fewer."),
    ]


class AwardForm(FlaskForm):
    pupils = CheckboxesField("Pupils", coerce=int, validators=[DataRequired("Choose at least one pupil.")],
                         invalid_choice_message="Choose pupils from this class.",
                         invalid_value_message="Choose pupils from this class.")
    badge = choice_field("Badge", "Choose a badge from the list.",
                         validators=[DataRequired("Choose a badge from the list.")])
    reason = StringField("Why? (the pupil will see this)", validators=_reason())
    submit = SubmitField("Give badge")


class PupilAwardForm(FlaskForm):
    badge = choice_field("Badge", "Choose a badge from the list.",
                         validators=[DataRequired("Choose a badge from the list.")])
    reason = StringField("Why? (the pupil will see this)", validators=_reason())
    submit = SubmitField("Give badge")


class RevokeForm(FlaskForm):
    reason = choice_field("Reason", "Choose a reason from the list.", choices=choices(REVOKE_CHOICES),
                          validators=[DataRequired("Choose a reason from the list.")])
    submit = SubmitField("Take back this badge")


class SchoolBadgeForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Type a name for the badge."),
                                           Length(max=80, message="Keep the name to 80 characters or fewer.")])
    description = TextAreaField("What it is for", validators=[
        DataRequired("Say in a sentence what the badge is for."),
        Length(max=300, message="Keep the description to 300 characters or fewer."),
    ])
    icon = choice_field("Picture", "Choose one of the pictures.", choices=choices(ICON_CHOICES))
    strand = choice_field("The kind of behaviour it recognises", "Choose a kind of behaviour from the list.",
                          choices=choices(BEHAVIOUR_CHOICES), validators=[Optional()])
    retired = BooleanField("No longer given (pupils keep the ones they have)")
    submit = SubmitField("Save badge")


class IssuerForm(FlaskForm):
    email = StringField("Contact email for badges", validators=[
        DataRequired("Type the email address a receiving school can write to."),
        Length(max=200, message="Keep the email address to 200 characters or fewer."),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Type an email address, such as office@school.example."),
    ])
    website = StringField("School website (optional)", validators=[
        Optional(),
        Length(max=300, message="Keep the address to 300 characters or fewer."),
        Regexp(r"^https?://[^\s]+$", message="Type a web address starting with https://"),
    ])
    submit = SubmitField("Save")
