from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp

from ..auth.forms import new_password_ok


class SchoolForm(FlaskForm):
    name = StringField("School name", validators=[DataRequired("Type the school's name."), Length(max=200)])
    slug = StringField(
        "Short name (used in usernames)",
        validators=[
            DataRequired("Type a short name, such as oakfield."),
            Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", message="Use 2 to 40 lowercase letters, digits or dashes."),
        ],
    )
    admin_name = StringField("School admin's name",
                             validators=[DataRequired("Type the admin's name."), Length(max=120)])
    admin_username = StringField(
        "School admin's username",
        validators=[
            DataRequired("Type a username for the admin."),
            Regexp(r"^[a-z0-9][a-z0-9._-]{1,79}$",
                   message="Use lowercase letters, digits, dots, dashes or underscores."),
        ],
    )
    admin_password = StringField("School admin's first password", validators=[DataRequired("Type a password."),
                                                                              new_password_ok])
    submit = SubmitField("Create school")
