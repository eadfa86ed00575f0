from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..content.taxonomy import AGE_BANDS, STRANDS
from ..formutil import choices
from .services import REFLECTION_MAX


class SetLessonForm(FlaskForm):
    class_id = SelectField("Class", coerce=int, validators=[DataRequired("Choose a class.")])
    due_date = DateField("Due date (optional)", validators=[Optional()])
    submit = SubmitField("Set this lesson")


class LibraryFilterForm(FlaskForm):
    class Meta:
        csrf = False

    band = SelectField("Age band", choices=choices([("", "All ages"), *((b, f"Ages {b}") for b in AGE_BANDS)]),
                       validators=[Optional()])
    strand = SelectField("Strand", choices=choices([("", "All strands"), *STRANDS.items()]), validators=[Optional()])
    q = StringField("Search", validators=[Optional(), Length(max=100)])
    submit = SubmitField("Show lessons")


class ReflectionForm(FlaskForm):
    text = TextAreaField(
        "One thing I will do differently online",
        validators=[DataRequired("Write one thing, or skip this."),
                    Length(max=REFLECTION_MAX, message=f"Please use {REFLECTION_MAX} letters or fewer.")],
    )
    submit = SubmitField("Save")
