"""Open Badges 2.0 documents (hosted verification): Issuer, BadgeClass and Assertion as JSON-LD.

The issuer is the school. The recipient is a salted SHA-256 hash of an opaque per-pupil id, never a
name or email. Assertions live at an unguessable URL (a random UUID per award). Free text staff
typed (the reason for an award) stays inside the app: it may name other people.
"""

from __future__ import annotations

import hashlib
import json

from flask import current_app
from sqlalchemy import select

from ..content.models import Lesson, Pack, PackBadge, PackMedia
from ..content.taxonomy import strand_name
from ..extensions import db
from ..links import public_url
from ..schools.models import School
from . import criteria as rules
from .icons import icon_png
from .models import BadgeAward
from .services import BadgeView, award_view, issuer_for

CONTEXT = "https://w3id.org/openbadges/v2"
FRAMEWORK = "Education for a Connected World"
FRAMEWORK_URL = "https://www.gov.uk/government/publications/education-for-a-connected-world"
MEDIA_TYPE = "application/ld+json"
FALLBACK_ICON = "star"


def recipient_identity(school: School, user_id: int) -> str:
    """A stable, opaque id for a pupil: the school's short name and a number, nothing personal."""
    return f"urn:esafe-learn:{school.slug}:{user_id}"


def hashed_identity(identity: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


# --- URLs ------------------------------------------------------------------------------------------


def issuer_url(school: School) -> str:
    return public_url("badges.ob_issuer", school_slug=school.slug)


def badge_class_url(school: School, view: BadgeView) -> str:
    return public_url("badges.ob_badge_class", school_slug=school.slug, badge_key=view.key)


def badge_image_url(view: BadgeView) -> str:
    return public_url("badges.badge_image", badge_key=view.key)


def assertion_url(award: BadgeAward) -> str:
    return public_url("badges.ob_assertion", public_id=award.public_id)


def baked_image_url(award: BadgeAward) -> str:
    return public_url("badges.ob_baked_image", public_id=award.public_id)


# --- images ----------------------------------------------------------------------------------------


def badge_png(view: BadgeView) -> bytes:
    """The badge's picture as PNG: a pack's own PNG, else the built-in icon (a fallback for JPEG or WebP)."""
    if view.media_path and view.pack_id:
        media = db.session.scalar(select(PackMedia).where(PackMedia.pack_id == view.pack_id,
                                                          PackMedia.path == view.media_path))
        if media is not None and media.content_type == "image/png":
            return media.data
    return icon_png(view.icon or FALLBACK_ICON)


# --- documents -------------------------------------------------------------------------------------


def issuer_document(school: School) -> dict:
    issuer = issuer_for(school.id)
    return {
        "@context": CONTEXT,
        "type": "Issuer",
        "id": issuer_url(school),
        "name": school.name,
        "url": (issuer.website if issuer and issuer.website else public_url("home.landing")),
        "email": issuer.email if issuer else current_app.config["MAIL_FROM"],
        "description": f"{school.name} recognises pupils' learning and positive behaviour online with esafe-learn.",
    }


def _lesson_titles(ids: list[int]) -> list[str]:
    if not ids:
        return []
    titles = dict(db.session.execute(select(Lesson.id, Lesson.title).where(Lesson.id.in_(ids))).all())
    return [titles[i] for i in ids if i in titles]


def criteria_narrative(view: BadgeView) -> str:
    criteria = view.criteria
    kind = view.kind
    pack = db.session.get(Pack, view.pack_id) if view.pack_id else None
    course = f"the {pack.title} course" if pack else "esafe-learn"
    count = criteria.get("count")
    if kind == "first-lesson":
        return f"Complete a first online-safety lesson of {course}."
    if kind == "lessons-completed":
        return f"Complete {count} online-safety lessons of {course}."
    if kind == "strand-complete":
        return (f"Complete every lesson of the strand \"{strand_name(criteria.get('strand', ''))}\" of {FRAMEWORK} "
                f"in {course}, for the learner's age band.")
    if kind == "quiz-full-marks":
        return f"Answer every question correctly in {count} end-of-lesson quizzes of {course}."
    if kind == "lessons":
        titles = db.session.scalars(select(Lesson.title).where(Lesson.pack_id == view.pack_id,
                                                                Lesson.slug.in_(criteria.get("ids") or []))
                                    .order_by(Lesson.position)).all()
        return f"Complete these lessons of {course}: " + "; ".join(titles) + "."
    if kind == "mentoring-sessions":
        return f"As an Online Leader, log {count} peer-mentoring sessions, each reviewed by a member of staff."
    behaviour = f" in {strand_name(view.strand)}" if view.strand else ""
    return f"Awarded by a member of staff to recognise positive behaviour{behaviour}: {view.description}"


def strands_of(view: BadgeView) -> list[str]:
    if view.pack_id:
        badge = db.session.get(PackBadge, int(view.key.split("-", 1)[1]))
        return rules.badge_strands(badge) if badge else []
    return [view.strand] if view.strand else []


def alignment(strands: list[str]) -> list[dict]:
    return [{"targetName": strand_name(slug), "targetUrl": FRAMEWORK_URL, "targetFramework": FRAMEWORK,
             "targetCode": slug, "targetDescription": f"The \"{strand_name(slug)}\" strand of {FRAMEWORK} (UKCIS)."}
            for slug in strands]


def badge_class_document(school: School, view: BadgeView) -> dict:
    document = {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(school, view),
        "name": view.name,
        "description": view.description,
        "image": badge_image_url(view),
        "criteria": {"narrative": criteria_narrative(view)},
        "issuer": issuer_url(school),
        "tags": ["online safety"],
    }
    strands = strands_of(view)
    if strands:
        document["alignment"] = alignment(strands)
        document["tags"] += [strand_name(slug) for slug in strands]
    return document


def evidence_narrative(award: BadgeAward) -> str:
    evidence = award.evidence or {}
    if award.awarded_by_id or evidence.get("staff"):
        return "Recognised by a member of staff for positive behaviour."
    if evidence.get("attempts"):
        return "Full marks in the quizzes of: " + "; ".join(_lesson_titles(evidence.get("lessons") or [])) + "."
    if evidence.get("lessons"):
        return "Completed the lessons: " + "; ".join(_lesson_titles(evidence["lessons"])) + "."
    if "reviewed_sessions" in evidence:
        return f"{evidence['reviewed_sessions']} peer-mentoring sessions logged and reviewed by staff."
    return "Earned on esafe-learn."


def assertion_document(award: BadgeAward) -> dict:
    school = db.session.get(School, award.school_id)
    view = award_view(award)
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award),
        "recipient": {
            "type": "id",
            "hashed": True,
            "salt": award.salt,
            "identity": hashed_identity(recipient_identity(school, award.user_id), award.salt),
        },
        "badge": badge_class_url(school, view),
        "verification": {"type": "hosted"},
        "issuedOn": award.awarded_at.isoformat(timespec="seconds"),
        "image": baked_image_url(award),
        "evidence": [{"narrative": evidence_narrative(award)}],
    }


def revoked_document(award: BadgeAward) -> dict:
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(award),
        "revoked": True,
        "revocationReason": award.revocation_reason or "Revoked by the issuer.",
    }


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)
