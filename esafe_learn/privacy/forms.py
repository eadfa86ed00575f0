from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class SubjectAccessForm(FlaskForm):
    # Both start unticked: the private choice is the default.
    include_concerns = BooleanField("Include safeguarding concerns about or from this pupil")
    include_leader_notes = BooleanField("Include what Online Leaders wrote in mentoring logs this pupil appears in")
    submit = SubmitField("Download the ZIP file")

