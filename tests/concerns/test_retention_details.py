"""The DSL records a date of birth and a legal hold on a concern, for the retention rule; both are audited."""

from __future__ import annotations

from datetime import date

from esafe_learn.concerns.models import Concern
from esafe_learn.extensions import db

from ..conftest import login, post
from .helpers import add_concern, audit_actions


def test_the_dsl_records_date_of_birth_and_legal_hold(app, client, world):
    concern = add_concern(app, world["pupil"])
    login(client, world["dsl"])
    assert "Keeping this record" in client.get(f"/concerns/{concern.id}").get_data(as_text=True)
    response = post(client, f"/concerns/{concern.id}/retention", {"date_of_birth": "2015-03-04", "legal_hold": "y"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Concern, concern.id)
        assert row.date_of_birth == date(2015, 3, 4) and row.legal_hold
    assert "retention_changed" in [action for _actor, action in audit_actions(app, concern.id)]


def test_an_impossible_date_of_birth_changes_nothing(app, client, world):
    concern = add_concern(app, world["pupil"])
    login(client, world["dsl"])
    post(client, f"/concerns/{concern.id}/retention", {"date_of_birth": "2999-01-01"})
    post(client, f"/concerns/{concern.id}/retention", {"date_of_birth": "not a date"})
    with app.app_context():
        row = db.session.get(Concern, concern.id)
        assert row.date_of_birth is None and not row.legal_hold


def test_only_the_dsl_may_set_them(app, client, world):
    concern = add_concern(app, world["pupil"])
    login(client, world["teacher"])
    assert post(client, f"/concerns/{concern.id}/retention", {"legal_hold": "y"}).status_code == 404
