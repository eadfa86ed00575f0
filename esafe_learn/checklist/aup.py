"""The school's acceptable use policy: versions the school publishes and everyone's acknowledgements.

No request objects here; functions flush, the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, exists, func, select

from ..access import can
from ..auth.models import PUPIL, STAFF_ROLES, User
from ..auth.services import session_facts
from ..database import insert_once
from ..extensions import db
from ..timeutil import utcnow
from .models import AupAcknowledgement, AupVersion

VERSION_MAX, TEXT_MAX, PUPIL_TEXT_MAX = 40, 20_000, 5_000


class AupError(ValueError):
    """A version that can't be published: `problems` maps a field name to plain words."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def current_version(school_id: int) -> AupVersion | None:
    """The version in force: the one published last."""
    return db.session.scalar(
        select(AupVersion).where(AupVersion.school_id == school_id)
        .order_by(AupVersion.published_at.desc(), AupVersion.id.desc()).limit(1)
    )


def publish(school_id: int, actor: User, version: str, text: str, pupil_text: str = "") -> AupVersion:
    version, text, pupil_text = (version or "").strip(), (text or "").strip(), (pupil_text or "").strip()
    problems = {}
    if not version:
        problems["version"] = "Type a version, such as 2025-26 or 3."
    elif len(version) > VERSION_MAX:
        problems["version"] = f"Keep the version to {VERSION_MAX} characters or fewer."
    elif db.session.scalar(select(AupVersion.id).where(AupVersion.school_id == school_id,
                                                       AupVersion.version == version)) is not None:
        problems["version"] = f"There is already a version called {version}. Give this one a new version."
    if not text:
        problems["text"] = "Paste or type the policy."
    elif len(text) > TEXT_MAX:
        problems["text"] = f"The policy is too long: keep it to {TEXT_MAX:,} characters or fewer."
    if len(pupil_text) > PUPIL_TEXT_MAX:
        problems["pupil_text"] = f"Keep the pupils' version to {PUPIL_TEXT_MAX:,} characters or fewer."
    if problems:
        raise AupError(problems)
    row = AupVersion(school_id=school_id, version=version, text=text, pupil_text=pupil_text,
                     published_at=utcnow(), published_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


def acknowledgement(user: User, version: AupVersion) -> AupAcknowledgement | None:
    return db.session.scalar(select(AupAcknowledgement).where(AupAcknowledgement.aup_version_id == version.id,
                                                              AupAcknowledgement.user_id == user.id))


def acknowledge(user: User, version: AupVersion) -> bool:
    """Record that `user` read and accepts `version`; False when they already had (one row, even if racing)."""
    if version.school_id != user.school_id:
        raise AupError({"": "This policy belongs to another school."})
    table = AupAcknowledgement.__table__
    statement = insert_once(table).values(school_id=user.school_id, aup_version_id=version.id, user_id=user.id,
                                          acknowledged_at=utcnow()).returning(table.c.id)
    return db.session.execute(statement).scalar_one_or_none() is not None


@dataclass(frozen=True)
class VersionFigures:
    version: AupVersion
    staff_acknowledged: int
    pupils_acknowledged: int


def versions_with_counts(school_id: int) -> list[VersionFigures]:
    """Every version, newest first, with how many staff and pupils acknowledged each (two queries)."""
    versions = list(db.session.scalars(
        select(AupVersion).where(AupVersion.school_id == school_id)
        .order_by(AupVersion.published_at.desc(), AupVersion.id.desc())
    ))
    counts = {(version_id, role): count for version_id, role, count in db.session.execute(
        select(AupAcknowledgement.aup_version_id, User.role, func.count())
        .join(User, User.id == AupAcknowledgement.user_id)
        .where(AupAcknowledgement.school_id == school_id)
        .group_by(AupAcknowledgement.aup_version_id, User.role)
    )}
    return [VersionFigures(v, sum(counts.get((v.id, role), 0) for role in STAFF_ROLES), counts.get((v.id, PUPIL), 0))
            for v in versions]


# --- where does this person stand with the policy? (every page asks, for the nav link and the home panel) --

NOT_PUBLISHED, ACKNOWLEDGED, DUE = "not_published", "acknowledged", "due"


def state_expression():
    """Whether the user's school has a policy, and whether the user acknowledged its latest version.

    An SQL expression correlated to User, read with every signed-in request's session (a session fact),
    so every page knows at once, in every app process, when a new version is published.
    """
    # correlate(User) explicitly: nested inside EXISTS, the subquery would otherwise not find the outer user
    # and would read the latest version of every school.
    latest = (select(AupVersion.id).where(AupVersion.school_id == User.school_id).correlate(User)
              .order_by(AupVersion.published_at.desc(), AupVersion.id.desc()).limit(1).scalar_subquery())
    acknowledged = (exists().where(AupAcknowledgement.aup_version_id == latest, AupAcknowledgement.user_id == User.id)
                    .correlate(User))
    return case((latest.is_(None), NOT_PUBLISHED), (acknowledged, ACKNOWLEDGED), else_=DUE)


def policy_state(user: User) -> str:
    """NOT_PUBLISHED, ACKNOWLEDGED or DUE (a new version this person has yet to acknowledge)."""
    if not can(user, "acknowledge_aup"):
        return NOT_PUBLISHED
    facts = session_facts(user)
    if "aup_state" in facts:
        return facts["aup_state"]
    return db.session.scalar(select(state_expression()).where(User.id == user.id))


def policy_published(user: User) -> bool:
    return policy_state(user) != NOT_PUBLISHED
