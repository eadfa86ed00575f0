"""Who may do what: every access rule of the app is declared here and tested as a table.

Views ask `require(...)` for a permission and load objects through the scoped helpers,
so a user of school A gets 404 for any object of school B, whatever id is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, request
from flask_login import current_user
from sqlalchemy import select

from .auth.models import DEPLOYMENT_ADMIN, DSL, PUPIL, SCHOOL_ADMIN, TEACHER, User
from .extensions import db, login_manager
from .schools.models import ClassMembership, ClassTeacher, SchoolClass
from .security_log import log_event

STAFF = frozenset({TEACHER, DSL, SCHOOL_ADMIN})
SEES_WHOLE_SCHOOL = frozenset({DSL, SCHOOL_ADMIN})

# permission -> predicate on the signed-in user
PERMISSIONS: dict[str, Callable[[User], bool]] = {
    "pupil_area": lambda u: u.role == PUPIL,
    "learner": lambda u: u.role == PUPIL or u.role in STAFF,
    "see_packs": lambda u: u.role in STAFF or u.role == DEPLOYMENT_ADMIN,
    "leader_area": lambda u: u.role == PUPIL and u.is_online_leader,
    "staff_area": lambda u: u.role in STAFF,
    "whole_school": lambda u: u.role in SEES_WHOLE_SCHOOL,
    "manage_school": lambda u: u.role == SCHOOL_ADMIN,
    "supervise_leaders": lambda u: u.role in SEES_WHOLE_SCHOOL or (u.role == TEACHER and u.supervises_leaders),
    "safeguarding": lambda u: u.role == DSL,
    "manage_deployment": lambda u: u.role == DEPLOYMENT_ADMIN,
    # The e-safeguarding checklist: the DSL keeps it (view, edit, review, export); school admins read the report.
    "read_checklist_report": lambda u: u.role in SEES_WHOLE_SCHOOL,
    # The acceptable use policy: the DSL and school admins publish it; everyone of a school acknowledges it.
    "manage_aup": lambda u: u.role in SEES_WHOLE_SCHOOL,
    "acknowledge_aup": lambda u: u.school_id is not None and (u.role == PUPIL or u.role in STAFF),
}


def can(user: User, permission: str) -> bool:
    return bool(user.is_authenticated) and PERMISSIONS[permission](user)


def require(permission: str):
    """Decorator: anonymous users go to sign-in; signed-in users without the permission are refused.

    A page about one object (its URL names an id) answers 404 rather than 403, so nobody learns
    from the answer whether an object exists; other pages answer 403.
    """
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                log_event("authz_fail", user_id=current_user.id, permission=permission, path=request.path)
                abort(404 if any(name.endswith("_id") for name in kwargs) else 403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def school_object_or_404(model, object_id: int):
    """Load an object of the signed-in user's school, or answer 404."""
    obj = db.session.scalar(
        select(model).where(model.id == object_id, model.school_id == current_user.school_id)
    )
    if obj is None:
        abort(404)
    return obj


def teaches(user: User, school_class: SchoolClass) -> bool:
    return db.session.scalar(
        select(ClassTeacher.id).where(ClassTeacher.class_id == school_class.id, ClassTeacher.user_id == user.id)
    ) is not None


def class_or_404(class_id: int) -> SchoolClass:
    """A class the signed-in staff member may see: their own, or any of the school for DSL and admin."""
    school_class = school_object_or_404(SchoolClass, class_id)
    if current_user.role not in SEES_WHOLE_SCHOOL and not teaches(current_user, school_class):
        abort(404)
    return school_class


def pupil_or_404(user_id: int) -> User:
    """A pupil of the school whom the signed-in staff member may see (a pupil of one of their classes)."""
    pupil = school_object_or_404(User, user_id)
    if pupil.role != PUPIL:
        abort(404)
    if current_user.role in SEES_WHOLE_SCHOOL:
        return pupil
    shared = db.session.scalar(
        select(ClassMembership.id)
        .join(ClassTeacher, ClassTeacher.class_id == ClassMembership.class_id)
        .where(ClassMembership.user_id == pupil.id, ClassTeacher.user_id == current_user.id)
        .limit(1)
    )
    if shared is None:
        abort(404)
    return pupil
