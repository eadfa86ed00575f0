"""Roster import from the CSV a school's MIS exports.

Parsing checks every row and reports each problem with its row number; nothing is written
unless the whole file is clean. Importing the same file again finds the same pupils (by UPN,
then username, then a keyed hash of the name) and creates no duplicates.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select

from ..auth.models import PUPIL, User
from ..extensions import db
from .models import School, SchoolClass
from .services import USERNAME_PATTERN, add_pupil_to_class, create_class
from .yeargroups import parse_year_group

MAX_ROWS = 5000
COLUMN_ALIASES = {
    "first_name": {"first name", "firstname", "first_name", "forename", "legal forename", "preferred forename"},
    "last_name": {"last name", "lastname", "last_name", "surname", "legal surname"},
    "year_group": {"year group", "year", "year_group", "nc year", "yeargroup"},
    "class_name": {"class", "class name", "reg group", "registration group", "form", "group"},
    "username": {"username", "user name", "login"},
    "upn": {"upn", "mis reference", "mis ref"},
}
REQUIRED = ("first_name", "last_name", "year_group", "class_name")
UPN_PATTERN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
NAME_PATTERN = re.compile(r"^[^\x00-\x1f<>]{1,60}$")


@dataclass
class RosterRow:
    number: int
    first_name: str
    last_name: str
    year_group: int
    class_name: str
    username: str | None
    upn: str | None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name[0].upper()}."


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    classes_created: int = 0


def _header_map(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        key = name.strip().lower().lstrip("\ufeff")
        for column, aliases in COLUMN_ALIASES.items():
            if key in aliases and column not in found:
                found[column] = index
    return found


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _check_row(number: int, row: list[str], columns: dict[str, int]) -> tuple[RosterRow | None, list[str]]:
    problems = []
    first, last = _cell(row, columns, "first_name"), _cell(row, columns, "last_name")
    year_text, class_name = _cell(row, columns, "year_group"), _cell(row, columns, "class_name")
    username = _cell(row, columns, "username").lower() or None
    upn = _cell(row, columns, "upn").upper() or None
    for label, value in (("first name", first), ("last name", last)):
        if not value:
            problems.append(f"the {label} is missing")
        elif not NAME_PATTERN.match(value):
            problems.append(f"the {label} is too long or has characters we can't use")
    year_group = parse_year_group(year_text)
    if year_group is None:
        problems.append(f"the year group {year_text!r} is not one we know (use Reception or Year 1 to Year 13)"
                        if year_text else "the year group is missing")
    if not class_name:
        problems.append("the class is missing")
    elif len(class_name) > 60:
        problems.append("the class name is longer than 60 characters")
    if username and not USERNAME_PATTERN.match(username):
        problems.append("the username may only use letters, digits, dots, dashes and underscores")
    if upn and not UPN_PATTERN.match(upn):
        problems.append(f"the UPN {upn!r} is not 13 characters starting with a letter")
    if problems:
        return None, [f"Row {number}: " + "; ".join(problems) + "."]
    return RosterRow(number, first, last, year_group, class_name, username, upn), []


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def check_roster(data: bytes, school: School) -> RosterCheck:
    """Read the whole file and report every bad row; touches no data."""
    check = RosterCheck()
    text = _decode(data)
    if text is None:
        check.errors.append("The file is not a text CSV file. Export it from your MIS as CSV.")
        return check
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        check.errors.append(f"The file could not be read as CSV: {error}.")
        return check
    if not lines:
        check.errors.append("The file is empty.")
        return check
    columns = _header_map(lines[0])
    missing = [name.replace("_", " ") for name in REQUIRED if name not in columns]
    if missing:
        check.errors.append("Row 1: the header is missing the column(s): " + ", ".join(missing) + ".")
        return check
    if len(lines) - 1 > MAX_ROWS:
        check.errors.append(f"The file has more than {MAX_ROWS} pupils. Split it into smaller files.")
        return check
    _check_rows(lines, columns, school, check)
    if not check.rows and not check.errors:
        check.errors.append("The file has a header but no pupils.")
    return check


def _check_rows(lines: list[list[str]], columns: dict[str, int], school: School, check: RosterCheck) -> None:
    seen_usernames: dict[str, int] = {}
    seen_upns: dict[str, int] = {}
    for number, row in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        parsed, problems = _check_row(number, row, columns)
        check.errors.extend(problems)
        if parsed is None:
            continue
        for value, seen, label in ((parsed.username, seen_usernames, "username"), (parsed.upn, seen_upns, "UPN")):
            if value and value in seen:
                check.errors.append(f"Row {number}: the {label} {value!r} is also on row {seen[value]}.")
            elif value:
                seen[value] = number
        if parsed.username and _username_taken_elsewhere(parsed, school):
            check.errors.append(f"Row {number}: the username {parsed.username!r} belongs to someone else.")
            continue
        check.rows.append(parsed)


def roster_key(school: School, first_name: str, last_name: str) -> str:
    """A keyed hash of the pupil's full name: finds them again without storing the surname."""
    text = f"{school.id}:{first_name.strip().lower()}:{last_name.strip().lower()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _username_taken_elsewhere(row: RosterRow, school: School) -> bool:
    owner = db.session.scalar(select(User).where(User.username == row.username))
    if owner is None:
        return False
    return owner.school_id != school.id or owner.role != PUPIL or (
        owner.upn is not None and row.upn is not None and owner.upn != row.upn
    )


def _find_pupil(row: RosterRow, school: School) -> User | None:
    base = select(User).where(User.school_id == school.id, User.role == PUPIL)
    if row.upn:
        found = db.session.scalar(base.where(User.upn == row.upn))
        if found:
            return found
    if row.username:
        found = db.session.scalar(base.where(User.username == row.username))
        if found:
            return found
    return db.session.scalar(base.where(User.roster_key == roster_key(school, row.first_name, row.last_name)))


def _new_username(row: RosterRow, school: School) -> str:
    stem = re.sub(r"[^a-z0-9]", "", (row.first_name + row.last_name[:1]).lower()) or "pupil"
    base = f"{school.slug}-{stem}"[:70]
    candidate, number = base, 1
    while db.session.scalar(select(User.id).where(User.username == candidate)) is not None:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _create_pupil(row: RosterRow, school: School) -> User:
    pupil = User(school_id=school.id, role=PUPIL, username=row.username or _new_username(row, school),
                 display_name=row.display_name, year_group=row.year_group, upn=row.upn,
                 roster_key=roster_key(school, row.first_name, row.last_name))
    db.session.add(pupil)
    db.session.flush()
    return pupil


def _update_pupil(pupil: User, row: RosterRow) -> bool:
    """Bring a known pupil up to date; True when anything changed."""
    wanted = (row.display_name, row.year_group, row.upn or pupil.upn)
    if (pupil.display_name, pupil.year_group, pupil.upn) == wanted:
        return False
    pupil.display_name, pupil.year_group, pupil.upn = wanted
    return True


def apply_roster(
    check: RosterCheck, school: School, progress: Callable[[int], None] | None = None
) -> RosterResult:
    """Write a clean roster. The caller commits once, so a failure leaves nothing half-done."""
    if not check.ok:
        raise ValueError("apply_roster needs a roster without errors")
    result = RosterResult()
    classes = {c.name: c for c in db.session.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id))}
    for row in check.rows:
        school_class = classes.get(row.class_name)
        if school_class is None:
            school_class = classes[row.class_name] = create_class(school, row.class_name, row.year_group)
            result.classes_created += 1
        pupil = _find_pupil(row, school)
        if pupil is None:
            pupil = _create_pupil(row, school)
            add_pupil_to_class(pupil, school_class)
            result.created += 1
        elif _update_pupil(pupil, row) | add_pupil_to_class(pupil, school_class):
            result.updated += 1
        else:
            result.unchanged += 1
        if progress:
            progress(1)
    return result
