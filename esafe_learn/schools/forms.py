from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from ..auth.forms import new_password_ok
from ..formutil import choices
from .yeargroups import AGE_BAND_LABELS, YEAR_CHOICES

BAND_CHOICES = [("", "Same as the year group"), *AGE_BAND_LABELS.items()]
STAFF_ROLE_CHOICES = [
    ("teacher", "Teacher"),
    ("dsl", "Safeguarding lead (DSL or deputy)"),
    ("school_admin", "School admin"),
]


class ClassForm(FlaskForm):
    name = StringField("Class name",
                       validators=[DataRequired("Type a name for the class, such as 5B."), Length(max=60)])
    year_group = SelectField("Year group", coerce=int, choices=choices(YEAR_CHOICES))
    working_at_band = SelectField("Working at (optional)", choices=choices(BAND_CHOICES), validators=[Optional()])
    submit = SubmitField("Save class")


class ClassTeachersForm(FlaskForm):
    teachers = SelectMultipleField("Teachers of this class", coerce=int, validators=[Optional()])
    working_at_band = SelectField("Working at", choices=choices(BAND_CHOICES), validators=[Optional()])
    submit = SubmitField("Save")


class StaffForm(FlaskForm):
    display_name = StringField("Name", validators=[DataRequired("Type the person's name."), Length(max=120)])
    username = StringField(
        "Username",
        validators=[
            DataRequired("Type a username."),
            Length(min=2, max=80),
            Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", message="Use letters, digits, dots, dashes or underscores."),
        ],
    )
    role = SelectField("Role", choices=choices(STAFF_ROLE_CHOICES))
    supervises_leaders = BooleanField("Supervises Online Leaders")
    password = StringField("First password", validators=[DataRequired("Type a first password."), new_password_ok])
    submit = SubmitField("Add staff member")


class StaffRoleForm(FlaskForm):
    role = SelectField("Role", choices=choices(STAFF_ROLE_CHOICES))
    supervises_leaders = BooleanField("Supervises Online Leaders")
    submit = SubmitField("Save role")


class RosterUploadForm(FlaskForm):
    file = FileField("Roster file (CSV)", validators=[FileRequired("Choose a CSV file to upload.")])
    submit = SubmitField("Check the file")


class RosterConfirmForm(FlaskForm):
    roster = HiddenField()
    submit = SubmitField("Import these pupils")


class PupilPasswordForm(FlaskForm):
    new_password = StringField("New password", validators=[DataRequired("Type a new password."), new_password_ok])
    submit = SubmitField("Set password")


class SchoolSettingsForm(FlaskForm):
    qr_signin_enabled = BooleanField("Pupils may sign in with QR cards")
    submit = SubmitField("Save settings")
