"""Awarding, revoking and showing badges. No request objects; services flush, callers commit."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..auth.models import PUPIL, User
from ..content.models import PackBadge
from ..content.taxonomy import BADGE_ICONS, STRANDS
from ..database import insert_once
from ..extensions import db
from ..schools.models import SchoolClass
from ..schools.terms import Period, current_term
from ..timeutil import utcnow
from . import criteria as rules
from .models import BadgeAward, BadgeIssuer, SchoolBadge

REASON_MAX = 200
KEY_PATTERN = re.compile(r"^(pack|school)-(\d{1,12})$")
REVOCATION_REASONS = (
    "Awarded by mistake",
    "Awarded to the wrong pupil",
    "The badge's criteria were not met",
    "Withdrawn by the school",
)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BadgeError(ValueError):
    """A badge request that cannot be carried out, with a message for the person who asked."""


@dataclass(frozen=True)
class BadgeView:
    """What pages and Open Badges documents need of a pack badge or a school badge."""

    key: str
    name: str
    description: str
    icon: str | None
    media_path: str | None
    pack_id: int | None
    school_id: int | None
    criteria: dict
    strand: str | None  # a school badge's kind of behaviour (pack badges: see criteria.badge_strands)
    retired: bool

    @property
    def kind(self) -> str:
        return self.criteria.get("kind", rules.STAFF_AWARDED)

    @property
    def automatic(self) -> bool:
        return self.kind in rules.AUTOMATIC_KINDS


def pack_badge_view(badge: PackBadge) -> BadgeView:
    icon = badge.image if badge.image in BADGE_ICONS else None
    return BadgeView(key=f"pack-{badge.id}", name=badge.name, description=badge.description, icon=icon,
                     media_path=None if icon else badge.image, pack_id=badge.pack_id, school_id=None,
                     criteria=dict(badge.criteria or {}), strand=None, retired=badge.retired)


def school_badge_view(badge: SchoolBadge) -> BadgeView:
    return BadgeView(key=f"school-{badge.id}", name=badge.name, description=badge.description, icon=badge.icon,
                     media_path=None, pack_id=None, school_id=badge.school_id,
                     criteria={"kind": rules.STAFF_AWARDED}, strand=badge.strand, retired=badge.retired)


def award_view(award: BadgeAward) -> BadgeView:
    return badge_view(award.pack_badge if award.pack_badge_id else award.school_badge)


def badge_for_key(key: str, school_id: int) -> PackBadge | SchoolBadge | None:
    """A pack badge (any school may use it) or one of this school's badges, from its key."""
    return _badge_for_key(key, SchoolBadge.school_id == school_id)


def published_badge_for_key(key: str) -> PackBadge | SchoolBadge | None:
    """Any school's badge, for the public badge images that Open Badges assertions point to."""
    return _badge_for_key(key)


def _badge_for_key(key: str, *school_scope) -> PackBadge | SchoolBadge | None:
    match = KEY_PATTERN.match(key or "")
    if not match:
        return None
    if match.group(1) == "pack":
        return db.session.get(PackBadge, int(match.group(2)))
    return db.session.scalar(select(SchoolBadge).where(SchoolBadge.id == int(match.group(2)), *school_scope))


def badge_view(badge: PackBadge | SchoolBadge) -> BadgeView:
    return pack_badge_view(badge) if isinstance(badge, PackBadge) else school_badge_view(badge)


# --- awarding ----------------------------------------------------------------------------------------


def award_badge(pupil: User, badge: PackBadge | SchoolBadge, *, evidence: dict | None = None,
                awarded_by: User | None = None, reason: str | None = None) -> BadgeAward | None:
    """Award a badge once: INSERT ... ON CONFLICT DO NOTHING, so racing awards leave one row.

    Returns the new award, or None when the pupil already held the badge (even a revoked one).
    """
    if pupil.role != PUPIL:
        raise BadgeError("Only pupils can be given badges.")
    values = {
        "public_id": str(uuid.uuid4()),
        "school_id": pupil.school_id,
        "user_id": pupil.id,
        "awarded_at": utcnow(),
        "evidence": dict(evidence or {}),
        "awarded_by_id": awarded_by.id if awarded_by else None,
        "reason": reason,
        "salt": secrets.token_hex(16),
    }
    if isinstance(badge, PackBadge):
        values["pack_badge_id"] = badge.id
    else:
        if badge.school_id != pupil.school_id:
            raise BadgeError("That badge belongs to another school.")
        values["school_badge_id"] = badge.id
    table = BadgeAward.__table__
    statement = insert_once(table).values(**values).returning(table.c.id)
    new_id = db.session.execute(statement).scalar_one_or_none()
    return None if new_id is None else db.session.get(BadgeAward, new_id)


def check_automatic(pupil: User, *, pack_ids: Iterable[int] | None = None,
                    kinds=rules.LESSON_KINDS) -> list[BadgeAward]:
    """Award every automatic pack badge (of these packs and kinds) the pupil has now earned."""
    if pupil.role != PUPIL:
        return []
    query = select(PackBadge).where(PackBadge.retired.is_(False))
    if pack_ids is not None:
        pack_ids = list(pack_ids)
        query = query.where(PackBadge.pack_id.in_(pack_ids))
    held = set(db.session.scalars(select(BadgeAward.pack_badge_id).where(BadgeAward.user_id == pupil.id,
                                                                          BadgeAward.pack_badge_id.is_not(None))))
    candidates = [b for b in db.session.scalars(query.order_by(PackBadge.id))
                  if rules.kind_of(b) in kinds and b.id not in held]
    if not candidates:
        return []
    _judge_one_at_a_time(pupil)
    wanted = {rules.kind_of(b) for b in candidates}
    facts = rules.load_facts(pupil, pack_ids, lessons=bool(wanted & rules.LESSON_KINDS),
                             mentoring=bool(wanted & rules.MENTORING_KINDS))
    new = []
    for badge in candidates:
        outcome = rules.evaluate(badge, facts)
        if outcome.earned:
            award = award_badge(pupil, badge, evidence=outcome.evidence)
            if award is not None:
                new.append(award)
    return new


def _judge_one_at_a_time(pupil: User) -> None:
    """Judge one pupil's badges one request at a time, whichever app process serves them.

    Two lessons finished at the same moment (two tabs) each insert their own progress; without this, each
    request would count only its own and neither would see the fifth lesson that earns a badge. The lock on
    the pupil's row makes the second wait for the first to commit, then read both. FOR NO KEY UPDATE, so rows
    that merely point at the pupil are never held up; SQLite already runs one writer at a time and leaves the
    clause out. Taken only when a badge could be earned.
    """
    db.session.execute(select(User.id).where(User.id == pupil.id).with_for_update(key_share=True))


def award_to_pupils(staff: User, pupils: list[User], badge: PackBadge | SchoolBadge,
                    reason: str) -> tuple[list[BadgeAward], list[User]]:
    """A member of staff recognises one or several pupils; returns the new awards and who already had it."""
    reason = (reason or "").strip()
    if not reason:
        raise BadgeError("Write a short reason the pupil will see.")
    if len(reason) > REASON_MAX:
        raise BadgeError(f"Keep the reason to {REASON_MAX} characters or fewer.")
    if isinstance(badge, PackBadge) and rules.kind_of(badge) != rules.STAFF_AWARDED:
        raise BadgeError("That badge is earned by finishing lessons, not given by staff.")
    if badge.retired:
        raise BadgeError("That badge is no longer given.")
    awarded, already = [], []
    for pupil in pupils:
        award = award_badge(pupil, badge, awarded_by=staff, reason=reason, evidence={"staff": True})
        if award is None:
            already.append(pupil)
        else:
            awarded.append(award)
    return awarded, already


def revoke_award(award: BadgeAward, staff: User, reason: str) -> None:
    if reason not in REVOCATION_REASONS:
        raise BadgeError("Choose a reason from the list.")
    if award.revoked:
        raise BadgeError("This badge was already taken back.")
    award.revoked_at = utcnow()
    award.revoked_by_id = staff.id
    award.revocation_reason = reason
    db.session.flush()


# --- what a pupil sees ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    badge: BadgeView
    hint: str
    left: int


@dataclass
class Wall:
    earned: list[tuple[BadgeAward, BadgeView]] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)


def pupil_awards(pupil_id: int, *, include_revoked: bool = False, limit: int | None = None) -> list[BadgeAward]:
    query = (select(BadgeAward)
             .options(joinedload(BadgeAward.pack_badge), joinedload(BadgeAward.school_badge),
                      joinedload(BadgeAward.awarded_by), joinedload(BadgeAward.revoked_by))
             .where(BadgeAward.user_id == pupil_id)
             .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc()))
    if not include_revoked:
        query = query.where(BadgeAward.revoked_at.is_(None))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query).unique())


def pupil_wall(pupil: User) -> Wall:
    """Earned badges, newest first, and for automatic ones not yet earned what is left (fixed query count)."""
    awards = pupil_awards(pupil.id, include_revoked=True)
    held = {award.pack_badge_id for award in awards if award.pack_badge_id}
    pack_badges = [b for b in db.session.scalars(select(PackBadge).where(PackBadge.retired.is_(False))
                                                 .order_by(PackBadge.pack_id, PackBadge.id))
                   if rules.kind_of(b) in rules.AUTOMATIC_KINDS and b.id not in held]
    wants_mentoring = pupil.is_online_leader and any(rules.kind_of(b) in rules.MENTORING_KINDS for b in pack_badges)
    facts = rules.load_facts(pupil, mentoring=wants_mentoring)
    wall = Wall(earned=[(award, award_view(award)) for award in awards if not award.revoked])
    for badge in pack_badges:
        outcome = rules.evaluate(badge, facts)
        if not outcome.earned and outcome.shown:
            wall.goals.append(Goal(pack_badge_view(badge), outcome.hint, outcome.left))
    wall.goals.sort(key=lambda goal: goal.left)
    return wall


# --- what staff see ------------------------------------------------------------------------------


@dataclass
class ClassBadges:
    term: Period
    awards: list[tuple[BadgeAward, BadgeView]]
    without: list[User]  # pupils with no badge this term
    never: set[int]  # ids of pupils with no badge at all


def active_pupils(school_class: SchoolClass) -> list[User]:
    """The class's pupils who can still be given a badge (not archived or disabled)."""
    return [p for p in school_class.pupils if p.role == PUPIL and p.is_active]


def class_badges(school_class: SchoolClass, today: date) -> ClassBadges:
    term = current_term(school_class.school_id, today)
    start, end = term.utc_bounds()
    pupils = active_pupils(school_class)
    ids = [p.id for p in pupils]
    awards = list(db.session.scalars(
        select(BadgeAward)
        .options(joinedload(BadgeAward.pack_badge), joinedload(BadgeAward.school_badge),
                 joinedload(BadgeAward.pupil), joinedload(BadgeAward.awarded_by))
        .where(BadgeAward.user_id.in_(ids), BadgeAward.revoked_at.is_(None),
               BadgeAward.awarded_at >= start, BadgeAward.awarded_at < end)
        .order_by(BadgeAward.awarded_at.desc(), BadgeAward.id.desc())
    ).unique())
    ever = set(db.session.scalars(select(BadgeAward.user_id).where(BadgeAward.user_id.in_(ids),
                                                                    BadgeAward.revoked_at.is_(None)).distinct()))
    this_term = {award.user_id for award in awards}
    return ClassBadges(term=term, awards=[(award, award_view(award)) for award in awards],
                       without=[p for p in pupils if p.id not in this_term], never=set(ids) - ever)


def class_board(school_class: SchoolClass) -> list[tuple[User, list[BadgeView]]]:
    """Each pupil of the class with their badges, for the teacher to show on the board."""
    pupils = active_pupils(school_class)
    awards = db.session.scalars(
        select(BadgeAward).options(joinedload(BadgeAward.pack_badge), joinedload(BadgeAward.school_badge))
        .where(BadgeAward.user_id.in_([p.id for p in pupils]), BadgeAward.revoked_at.is_(None))
        .order_by(BadgeAward.awarded_at, BadgeAward.id)
    ).unique()
    by_pupil: dict[int, list[BadgeView]] = {p.id: [] for p in pupils}
    for award in awards:
        by_pupil[award.user_id].append(award_view(award))
    return [(p, by_pupil[p.id]) for p in pupils]


def awardable_badges(school_id: int) -> list[BadgeView]:
    """Badges staff may give: the packs' staff-awarded badges and the school's own badges."""
    packs = [pack_badge_view(b) for b in db.session.scalars(
        select(PackBadge).where(PackBadge.retired.is_(False)).order_by(PackBadge.name))
        if rules.kind_of(b) == rules.STAFF_AWARDED]
    school = [school_badge_view(b) for b in school_badges(school_id) if not b.retired]
    return sorted(packs + school, key=lambda view: view.name.lower())


# --- school badges and the issuer ----------------------------------------------------------------


def school_badges(school_id: int) -> list[SchoolBadge]:
    return list(db.session.scalars(select(SchoolBadge).where(SchoolBadge.school_id == school_id)
                                   .order_by(SchoolBadge.retired, SchoolBadge.name)))


def save_school_badge(badge: SchoolBadge | None, school_id: int, staff: User, *, name: str, description: str,
                      icon: str, strand: str | None, retired: bool = False) -> SchoolBadge:
    name, description = (name or "").strip(), (description or "").strip()
    if icon not in BADGE_ICONS:
        raise BadgeError("Choose one of the pictures.")
    if strand and strand not in STRANDS:
        raise BadgeError("Choose a kind of behaviour from the list.")
    clash = db.session.scalar(select(SchoolBadge.id).where(SchoolBadge.school_id == school_id,
                                                           func.lower(SchoolBadge.name) == name.lower()))
    if clash is not None and (badge is None or clash != badge.id):
        raise BadgeError("Your school already has a badge with that name.")
    if badge is None:
        badge = SchoolBadge(school_id=school_id, created_by_id=staff.id)
        db.session.add(badge)
    badge.name, badge.description, badge.icon = name, description, icon
    badge.strand, badge.retired = strand or None, retired
    db.session.flush()
    return badge


def issuer_for(school_id: int) -> BadgeIssuer | None:
    return db.session.scalar(select(BadgeIssuer).where(BadgeIssuer.school_id == school_id))


def save_issuer(school_id: int, email: str, website: str | None) -> BadgeIssuer:
    email, website = (email or "").strip(), (website or "").strip() or None
    if not EMAIL_PATTERN.match(email):
        raise BadgeError("Type an email address, such as office@school.example.")
    issuer = issuer_for(school_id) or BadgeIssuer(school_id=school_id)
    issuer.email, issuer.website, issuer.updated_at = email, website, utcnow()
    db.session.add(issuer)
    db.session.flush()
    return issuer
