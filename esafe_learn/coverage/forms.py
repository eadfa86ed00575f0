from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import DateInput

from ..formutil import DayField, choices
from .periods import PERIOD_LABELS


class PeriodForm(FlaskForm):
    """The GET form above every coverage page. Its dates are read by periods.choose_period, which
    turns bad input into a message rather than a field error, so the page still shows figures."""

    class Meta:
        csrf = False

    period = SelectField("Show", choices=choices(PERIOD_LABELS.items()), validators=[Optional()])
    start = StringField("From", widget=DateInput(), validators=[Optional(), Length(max=20)])
    end = StringField("To", widget=DateInput(), validators=[Optional(), Length(max=20)])
    sort = HiddenField()
    submit = SubmitField("Show figures")


class TermForm(FlaskForm):
    name = StringField("Term name", validators=[DataRequired("Type a name for the term, such as Autumn term 2025."),
                                                Length(max=60, message="Use 60 letters or fewer.")])
    starts_on = DayField("First day", validators=[InputRequired("Type the first day of the term.")])
    ends_on = DayField("Last day", validators=[InputRequired("Type the last day of the term.")])
    submit = SubmitField("Add term")


class DeleteTermForm(FlaskForm):
    term_id = IntegerField(validators=[DataRequired()])
    submit = SubmitField("Delete")
