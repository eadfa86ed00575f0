"""Roster import: every bad row reported with its number, nothing written until clean, no duplicates."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from esafe_learn.auth.models import User
from esafe_learn.extensions import db
from esafe_learn.schools.models import ClassMembership, School, SchoolClass
from esafe_learn.schools.roster import apply_roster, check_roster

from .conftest import login, post

GOOD = (
    "First name,Last name,Year group,Class,Username,UPN\n"
    "Amy,Brown,Year 5,5B,,A123456789012\n"
    "Ben,Clark,5,5B,,\n"
    "Cara,Dunn,Reception,RW,cara.d,\n"
)
BAD = GOOD + "Dan,,Year 14,5B,,BAD\nEve,Fox,Y3,,,\n"


def _pupil_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)).where(User.role == "pupil"))


def test_every_bad_row_is_reported_with_its_number(app, make_school):
    school = make_school()
    with app.app_context():
        check = check_roster(BAD.encode(), db.session.get(School, school.id))
    assert not check.ok
    assert len(check.errors) == 2
    assert check.errors[0].startswith("Row 5:") and "last name is missing" in check.errors[0]
    assert "Year 14" in check.errors[0] and "UPN" in check.errors[0]
    assert check.errors[1].startswith("Row 6:") and "class is missing" in check.errors[1]


def test_header_problems_and_empty_files(app, make_school):
    school = make_school()
    with app.app_context():
        school = db.session.get(School, school.id)
        assert "missing the column(s): year group, class" in check_roster(b"first name,last name\n", school).errors[0]
        assert check_roster(b"", school).errors == ["The file is empty."]
        assert "no pupils" in check_roster(b"first name,last name,year group,class\n", school).errors[0]
        assert "not a text CSV" in check_roster(b"\xff\xfe\x00\x00\x81", school).errors[0]


def test_duplicates_within_the_file(app, make_school):
    school = make_school()
    data = GOOD + "Dave,Eggs,Year 5,5B,cara.d,A123456789012\n"
    with app.app_context():
        errors = check_roster(data.encode(), db.session.get(School, school.id)).errors
    assert any("username 'cara.d' is also on row 4" in e for e in errors)
    assert any("UPN 'A123456789012' is also on row 2" in e for e in errors)


def test_import_twice_creates_no_duplicates(app, make_school):
    school = make_school()
    with app.app_context():
        s = db.session.get(School, school.id)
        first = apply_roster(check_roster(GOOD.encode(), s), s)
        db.session.commit()
        second = apply_roster(check_roster(GOOD.encode(), s), s)
        db.session.commit()
        assert (first.created, first.classes_created) == (3, 2)
        assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
        assert db.session.scalar(select(func.count(ClassMembership.id))) == 3
        amy = db.session.scalar(select(User).where(User.upn == "A123456789012"))
        assert amy.display_name == "Amy B." and amy.year_group == 5
        assert db.session.scalar(select(SchoolClass).where(SchoolClass.name == "RW")).year_group == 0


def test_web_import_shows_errors_then_previews_then_imports(app, client, make_school, make_user):
    school = make_school()
    admin = make_user(school, "school_admin")
    login(client, admin)
    response = post(client, "/school/roster", {"file": (io.BytesIO(BAD.encode()), "roster.csv")},
                    content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing has been imported: 2 problems to fix" in page
    assert "Row 5:" in page and "Row 6:" in page
    assert _pupil_count(app) == 0

    response = post(client, "/school/roster", {"file": (io.BytesIO(GOOD.encode()), "roster.csv")},
                    content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "3 pupils ready to import" in page and "Amy B." in page
    assert _pupil_count(app) == 0
    data = re.search(r'name="roster" type="hidden" value="([^"]*)"', page).group(1)
    response = post(client, "/school/roster/confirm", {"roster": data})
    assert response.status_code == 302
    assert _pupil_count(app) == 3
    assert "3 new pupils" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_confirm_with_a_tampered_file_imports_nothing(app, client, make_school, make_user):
    admin = make_user(make_school(), "school_admin")
    login(client, admin)
    response = post(client, "/school/roster/confirm", {"roster": "%%% not base64"})
    assert response.status_code == 302
    assert _pupil_count(app) == 0


def test_cli_import_reports_rows_and_writes_nothing_on_error(app, runner, make_school, tmp_path):
    school = make_school(slug="oak")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    result = runner.invoke(args=["import-roster", str(bad), "--school", school.slug])
    assert result.exit_code != 0
    assert "Row 5:" in result.output and "Nothing was imported" in result.output
    assert _pupil_count(app) == 0
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    result = runner.invoke(args=["import-roster", str(good), "--school", "oak"])
    assert result.exit_code == 0, result.output
    assert "3 new pupils" in result.output
    assert _pupil_count(app) == 3


def test_classes_page_counts_pupils_without_a_query_per_class(app, client, make_school, make_user):
    from sqlalchemy import event

    school = make_school()
    admin = make_user(school, "school_admin")
    with app.app_context():
        s = db.session.get(School, school.id)
        apply_roster(check_roster(GOOD.encode(), s), s)
        db.session.commit()
        engine = db.engine
    login(client, admin)
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/school/classes").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert re.search(r"<td>5B</td>|>5B</a>", page)
    assert "<td>2</td>" in page and "<td>1</td>" in page
    counts = [s for s in statements if "class_membership" in s and "user_session" not in s]  # not the sign-in's
    assert len(counts) == 1, counts
