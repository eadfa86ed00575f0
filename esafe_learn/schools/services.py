"""Schools, classes and staff: the set-up a school admin does. No request objects here."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ..auth.models import PUPIL, ROLES, User
from ..auth.services import end_all_sessions, normalise_username, session_facts, set_password
from ..extensions import db
from ..timeutil import utcnow
from .models import ClassMembership, ClassTeacher, School, SchoolClass
from .yeargroups import band_for_year

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")


class SetupError(ValueError):
    """A set-up request that cannot be carried out, with a message for the person who asked."""


def username_problem(username: str) -> str | None:
    if not USERNAME_PATTERN.match(username):
        return "Usernames use 2 to 80 lowercase letters, digits, dots, dashes or underscores."
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        return "That username is already taken."
    return None


def create_school(name: str, slug: str) -> School:
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise SetupError("The short name uses 2 to 40 lowercase letters, digits or dashes.")
    if db.session.scalar(select(School.id).where(School.slug == slug)) is not None:
        raise SetupError("A school with that short name already exists.")
    school = School(name=name.strip(), slug=slug)
    db.session.add(school)
    db.session.flush()
    return school


def create_user(
    school: School | None,
    username: str,
    display_name: str,
    role: str,
    *,
    password: str | None = None,
    year_group: int | None = None,
) -> User:
    username = normalise_username(username)
    if role not in ROLES:
        raise SetupError(f"Unknown role {role!r}.")
    problem = username_problem(username)
    if problem:
        raise SetupError(problem)
    if (school is None) != (role == "deployment_admin"):
        raise SetupError("Every account except the deployment admin belongs to a school.")
    user = User(
        school_id=school.id if school else None,
        username=username,
        display_name=display_name.strip(),
        role=role,
        year_group=year_group if role == PUPIL else None,
    )
    db.session.add(user)
    db.session.flush()
    if password:
        set_password(user, password)
    return user


def create_class(school: School, name: str, year_group: int, working_at_band: str | None = None) -> SchoolClass:
    name = name.strip()
    exists = db.session.scalar(
        select(SchoolClass.id).where(SchoolClass.school_id == school.id, SchoolClass.name == name)
    )
    if exists is not None:
        raise SetupError(f"There is already a class called {name}.")
    school_class = SchoolClass(school_id=school.id, name=name, year_group=year_group,
                               working_at_band=working_at_band or None)
    db.session.add(school_class)
    db.session.flush()
    return school_class


def add_pupil_to_class(pupil: User, school_class: SchoolClass) -> bool:
    """Returns False when the pupil was already in the class."""
    exists = db.session.scalar(
        select(ClassMembership.id).where(
            ClassMembership.class_id == school_class.id, ClassMembership.user_id == pupil.id
        )
    )
    if exists is not None:
        return False
    db.session.add(ClassMembership(class_id=school_class.id, user_id=pupil.id))
    return True


def set_class_teachers(school_class: SchoolClass, teachers: list[User]) -> None:
    wanted = {t.id for t in teachers}
    current = {
        row.user_id: row
        for row in db.session.scalars(select(ClassTeacher).where(ClassTeacher.class_id == school_class.id))
    }
    for user_id, row in current.items():
        if user_id not in wanted:
            db.session.delete(row)
    for user_id in wanted - current.keys():
        db.session.add(ClassTeacher(class_id=school_class.id, user_id=user_id))


def pupil_classes(pupil: User) -> list[SchoolClass]:
    return list(
        db.session.scalars(
            select(SchoolClass)
            .join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
            .where(ClassMembership.user_id == pupil.id)
            .order_by(SchoolClass.name)
        )
    )


def working_at_band_expression():
    """The "working at" band of the pupil's first class (by name) that has one; a session fact."""
    return (
        select(SchoolClass.working_at_band)
        .join(ClassMembership, ClassMembership.class_id == SchoolClass.id)
        .where(ClassMembership.user_id == User.id, SchoolClass.working_at_band.is_not(None))
        .order_by(SchoolClass.name)
        .limit(1)
        .scalar_subquery()
    )


def pupil_band(pupil: User, classes: list[SchoolClass] | None = None) -> str:
    """The band a pupil learns at: a class's "working at" band if a teacher set one, else the year's band."""
    facts = session_facts(pupil)
    if classes is None and "working_at_band" in facts:
        return facts["working_at_band"] or band_for_year(pupil.year_group or 0)
    for school_class in classes if classes is not None else pupil_classes(pupil):
        if school_class.working_at_band:
            return school_class.working_at_band
    return band_for_year(pupil.year_group or 0)


def teacher_classes(teacher: User) -> list[SchoolClass]:
    return list(
        db.session.scalars(
            select(SchoolClass)
            .join(ClassTeacher, ClassTeacher.class_id == SchoolClass.id)
            .where(ClassTeacher.user_id == teacher.id)
            .order_by(SchoolClass.name)
        )
    )


def pupil_counts(classes: list[SchoolClass]) -> dict[int, int]:
    """Pupils per class in one query, so a list of classes never loads each class's pupils."""
    rows = db.session.execute(
        select(ClassMembership.class_id, func.count(ClassMembership.id))
        .where(ClassMembership.class_id.in_([c.id for c in classes]))
        .group_by(ClassMembership.class_id)
    )
    return dict(rows.all())


def visible_classes(user: User) -> list[SchoolClass]:
    """Teachers see their own classes; the DSL and admins see every class of the school."""
    if user.role in {"dsl", "school_admin"}:
        return list(
            db.session.scalars(
                select(SchoolClass).where(SchoolClass.school_id == user.school_id).order_by(SchoolClass.name)
            )
        )
    return teacher_classes(user)


def set_online_leader(pupil: User, appointed: bool) -> None:
    if pupil.role != PUPIL:
        raise SetupError("Only pupils can be Online Leaders.")
    pupil.is_online_leader = appointed


def set_role(user: User, role: str) -> None:
    if role not in ROLES or role in {PUPIL, "deployment_admin"} or user.role == PUPIL:
        raise SetupError("Staff roles are teacher, safeguarding lead or school admin.")
    user.role = role
    end_all_sessions(user)


def reset_pupil_password(pupil: User, password: str) -> None:
    set_password(pupil, password)


def archive_user(user: User) -> None:
    user.archived_at = utcnow()
    end_all_sessions(user)
