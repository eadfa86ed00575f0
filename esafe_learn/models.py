"""Imports every feature's models so that metadata, migrations and the registry see them all."""

from .auth.models import SignInCard, SignInThrottle, User, UserSession  # noqa: F401
from .schools.models import ClassMembership, ClassTeacher, School, SchoolClass  # noqa: F401
