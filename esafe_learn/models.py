"""Imports every feature's models so that metadata, migrations and the registry see them all."""

from .auth.models import MfaRecoveryCode, SignInCard, SignInThrottle, User, UserSession  # noqa: F401
from .badges.models import BadgeAward, BadgeIssuer, SchoolBadge  # noqa: F401
from .checklist.models import (  # noqa: F401
    AupAcknowledgement,
    AupVersion,
    ChecklistItem,
    ChecklistReview,
    ChecklistSettings,
    PupilVoiceChoice,
)
from .concerns.models import Concern, ConcernAction, ConcernAudit, ConcernLink, ConcernNote  # noqa: F401
from .content.models import Lesson, LessonBand, Pack, PackBadge, PackMedia  # noqa: F401
from .lessons.models import LessonAssignment, LessonProgress, Reflection  # noqa: F401
from .mentoring.models import MentoringMentee, MentoringSession, MentoringStrand  # noqa: F401
from .quizzes.models import MisconceptionChoice, QuizAttempt  # noqa: F401
from .schools.models import ClassMembership, ClassTeacher, School, SchoolClass  # noqa: F401
from .schools.terms import SchoolTerm  # noqa: F401
