from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from .passwords import MAX_LENGTH


class SecondStepForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired("Type the code."),
                                           Length(max=40, message="That code is too long.")])
    submit = SubmitField("Continue")


class EnrolForm(FlaskForm):
    secret = HiddenField()
    code = StringField("Code from your app", validators=[DataRequired("Type the six-digit code from your app."),
                                                        Length(max=12, message="The code has six digits.")])
    submit = SubmitField("Turn on two-step sign-in")


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Type your password."), Length(max=MAX_LENGTH)])
    submit = SubmitField("Confirm")

