"""Imports every feature's models so that metadata, migrations and the registry see them all."""

from .auth.models import SignInCard, SignInThrottle, User, UserSession  # noqa: F401
from .schools.models import ClassMembership, ClassTeacher, School, SchoolClass  # noqa: F401
from .schools.terms import SchoolTerm  # noqa: F401
from .content.models import Lesson, LessonBand, Pack, PackBadge, PackMedia  # noqa: F401
from .lessons.models import LessonAssignment, LessonProgress, Reflection  # noqa: F401
from .quizzes.models import MisconceptionChoice, QuizAttempt  # noqa: F401
