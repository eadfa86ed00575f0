from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..coverage.forms import PeriodForm as CoveragePeriodForm
from ..coverage.periods import PERIOD_LABELS
from ..formutil import CheckboxesField, DayField, WholeNumberField, choices
from .aup import PUPIL_TEXT_MAX, TEXT_MAX, VERSION_MAX
from .models import DEFAULT_AMBER_PERCENT, DEFAULT_GREEN_PERCENT, DEFAULT_MIN_STRANDS, RATINGS
from .services import ITEM_TEXT_MAX, OWNER_MAX, REASON_MAX
from .services import TEXT_MAX as NOTES_MAX

NOTES_TOO_LONG = f"Use {NOTES_MAX:,} characters or fewer."


class PeriodForm(CoveragePeriodForm):
    """The GET form above the checklist: which period the figures are for (this academic year unless asked)."""

    period = SelectField("Figures for", choices=choices(PERIOD_LABELS.items()), validators=[Optional()])
    sort = submit = None  # no sort order here, and the page has its own button


class ItemForm(FlaskForm):
    rating = SelectField("Rating", choices=choices(RATINGS.items()))
    reason = TextAreaField("Why this rating (needed when it differs from the suggestion)",
                           validators=[Length(max=REASON_MAX, message=f"Use {REASON_MAX} characters or fewer.")])
    notes = TextAreaField("Notes", validators=[Length(max=NOTES_MAX, message=NOTES_TOO_LONG)])
    actions = TextAreaField("Actions", validators=[Length(max=NOTES_MAX, message=NOTES_TOO_LONG)])
    owner = StringField("Owner", validators=[Length(max=OWNER_MAX, message=f"Use {OWNER_MAX} characters or fewer.")])
    review_date = DayField("Review date (optional)", validators=[Optional()])
    area = SelectField("Area", validators=[Optional()])
    text = TextAreaField("Item", validators=[Optional(), Length(max=ITEM_TEXT_MAX,
                                                                message=f"Use {ITEM_TEXT_MAX} characters or fewer.")])
    submit = SubmitField("Save")


class NewItemForm(FlaskForm):
    area = SelectField("Area")
    text = TextAreaField("Item", validators=[DataRequired("Type the item."), Length(
        max=ITEM_TEXT_MAX, message=f"Use {ITEM_TEXT_MAX} characters or fewer.")])
    submit = SubmitField("Add item")


class ThresholdsForm(FlaskForm):
    green_percent = WholeNumberField("Green from (% of pupils)", example=DEFAULT_GREEN_PERCENT,
                                     validators=[InputRequired("Type a percentage.")])
    amber_percent = WholeNumberField("Amber from (% of pupils)", example=DEFAULT_AMBER_PERCENT,
                                     validators=[InputRequired("Type a percentage.")])
    min_strands = WholeNumberField("Strands each pupil should have covered", example=DEFAULT_MIN_STRANDS,
                                   validators=[InputRequired("Type a number of strands.")])
    submit = SubmitField("Save thresholds")


class VoiceForm(FlaskForm):
    reflections = CheckboxesField("Reflections for the report", coerce=int, validators=[Optional()])
    submit = SubmitField("Save my choice")


class AupForm(FlaskForm):
    version = StringField("Version", validators=[DataRequired("Type a version, such as 2025-26 or 3."),
                                                 Length(max=VERSION_MAX, message=f"Use {VERSION_MAX} characters or "
                                                                                 "fewer.")])
    text = TextAreaField("The policy", validators=[DataRequired("Paste or type the policy."), Length(
        max=TEXT_MAX, message=f"Use {TEXT_MAX:,} characters or fewer.")])
    pupil_text = TextAreaField("The rules in pupils' words (optional)", validators=[Length(
        max=PUPIL_TEXT_MAX, message=f"Use {PUPIL_TEXT_MAX:,} characters or fewer.")])
    submit = SubmitField("Publish this version")


class AcknowledgeForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("I agree")
