from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from .passwords import MAX_LENGTH, password_problem


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired("Type your username."), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired("Type your password."), Length(max=MAX_LENGTH)])
    submit = SubmitField("Sign in")


class CardSignInForm(FlaskForm):
    submit = SubmitField("Start")


def new_password_ok(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Your current password", validators=[DataRequired("Type your current password.")])
    new_password = PasswordField("New password", validators=[DataRequired("Type a new password."), new_password_ok])
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired("Type the new password again."),
                    EqualTo("new_password", "The two new passwords are different.")],
    )
    submit = SubmitField("Change password")


class SetPasswordForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired("Type a new password."), new_password_ok])
    submit = SubmitField("Set password")
