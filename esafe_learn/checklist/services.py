"""The checklist: seeding it from checklist.yaml, rating items, thresholds, reviews and the chosen pupil voice.

No request objects here; functions flush, the view commits once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select

from ..auth.models import User
from ..database import insert_once
from ..extensions import db
from ..lessons.models import Reflection
from ..schools.terms import Period, academic_year
from ..schools.yeargroups import AGE_BANDS
from ..timeutil import utcnow
from .models import (
    EVIDENCE_SOURCES,
    RATINGS,
    UNRATED,
    ChecklistItem,
    ChecklistReview,
    ChecklistSettings,
    PupilVoiceChoice,
)
from .rating import Suggestion, Thresholds

CHECKLIST_FILE = Path(__file__).with_name("checklist.yaml")
OTHER_AREA = "Other"
TEXT_MAX, ITEM_TEXT_MAX, REASON_MAX, OWNER_MAX = 5000, 500, 1000, 120
CUSTOM_POSITION = 1000
VOICE_MAX = 10


class ChecklistError(ValueError):
    """A change that can't be saved: `problems` maps a field name ("" for the whole form) to plain words."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class SeedItem:
    key: str
    area: str
    text: str
    evidence: str | None
    position: int


@dataclass(frozen=True)
class Checklist:
    areas: tuple[str, ...]
    items: tuple[SeedItem, ...]


@functools.cache
def load_checklist(path: Path = CHECKLIST_FILE) -> Checklist:
    """The checklist of checklist.yaml, checked: unique keys, known areas and evidence sources."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    areas = tuple(data["areas"])
    items, seen = [], set()
    for position, raw in enumerate(data["items"], start=1):
        key, area, evidence = raw["key"], raw["area"], raw.get("evidence")
        if key in seen or area not in areas or (evidence is not None and evidence not in EVIDENCE_SOURCES):
            raise ValueError(f"checklist.yaml: item {key!r} repeats a key or names an unknown area or evidence")
        seen.add(key)
        items.append(SeedItem(key, area, " ".join(str(raw["text"]).split()), evidence, position))
    return Checklist(areas, tuple(items))


def areas() -> tuple[str, ...]:
    return (*load_checklist().areas, OTHER_AREA)


def _order(item: ChecklistItem) -> tuple:
    names = areas()
    return (names.index(item.area) if item.area in names else len(names), item.position, item.id or 0)


def school_items(school_id: int) -> list[ChecklistItem]:
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.school_id == school_id)).all()
    return sorted(items, key=_order)


def missing_seed_items(items: list[ChecklistItem]) -> list[SeedItem]:
    have = {item.key for item in items}
    return [seed for seed in load_checklist().items if seed.key not in have]


def seed(school_id: int) -> int:
    """Add the items of checklist.yaml the school does not have yet; never a duplicate, even when two first
    visits race (INSERT ... ON CONFLICT DO NOTHING on the school and key). Returns how many were added."""
    have = set(db.session.scalars(select(ChecklistItem.key).where(ChecklistItem.school_id == school_id)))
    wanted = [item for item in load_checklist().items if item.key not in have]
    if not wanted:
        return 0
    table = ChecklistItem.__table__
    now, added = utcnow(), 0
    for item in wanted:
        statement = insert_once(table).values(
            school_id=school_id, key=item.key, area=item.area, text=item.text, position=item.position,
            evidence=item.evidence, rating=UNRATED, rating_reason="", suggestion_reason="", notes="", actions="",
            owner="", updated_at=now,
        )
        added += db.session.execute(statement).rowcount or 0
    return added


# --- thresholds --------------------------------------------------------------------------------------


def thresholds_for(school_id: int) -> Thresholds:
    row = db.session.scalar(select(ChecklistSettings).where(ChecklistSettings.school_id == school_id))
    return Thresholds() if row is None else Thresholds(row.green_percent, row.amber_percent, row.min_strands)


def save_thresholds(school_id: int, actor: User, thresholds: Thresholds) -> None:
    problems = thresholds.problems()
    if problems:
        raise ChecklistError(problems)
    row = db.session.scalar(select(ChecklistSettings).where(ChecklistSettings.school_id == school_id))
    if row is None:
        row = ChecklistSettings(school_id=school_id)
        db.session.add(row)
    row.green_percent, row.amber_percent = thresholds.green_percent, thresholds.amber_percent
    row.min_strands, row.updated_by_id, row.updated_at = thresholds.min_strands, actor.id, utcnow()
    db.session.flush()


# --- rating and editing items ------------------------------------------------------------------------


@dataclass
class ItemChange:
    rating: str = UNRATED
    reason: str = ""
    notes: str = ""
    actions: str = ""
    owner: str = ""
    review_date: date | None = None
    area: str | None = None  # the school's own items only
    text: str | None = None


def _check_text(problems: dict, field: str, value: str, limit: int, what: str) -> None:
    if len(value) > limit:
        problems[field] = f"Keep {what} to {limit:,} characters or fewer."


def check_change(item: ChecklistItem, change: ItemChange, suggestion: Suggestion | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if change.rating not in RATINGS:
        problems["rating"] = "Choose red, amber, green or not yet rated."
    against = suggestion is not None and suggestion.rating != UNRATED and change.rating not in (
        suggestion.rating, UNRATED)
    if against and not change.reason.strip():
        problems["reason"] = (f"The platform suggests {RATINGS[suggestion.rating].lower()}. Say why you chose "
                              f"{RATINGS.get(change.rating, change.rating).lower()} instead.")
    _check_text(problems, "reason", change.reason, REASON_MAX, "the reason")
    _check_text(problems, "notes", change.notes, TEXT_MAX, "the notes")
    _check_text(problems, "actions", change.actions, TEXT_MAX, "the actions")
    _check_text(problems, "owner", change.owner, OWNER_MAX, "the owner")
    if change.review_date is not None and not date(2000, 1, 1) <= change.review_date <= date(2100, 12, 31):
        problems["review_date"] = "Choose a review date between the years 2000 and 2100."
    if item.is_custom:
        if change.area not in areas():
            problems["area"] = "Choose the area of the checklist this item belongs to."
        if not (change.text or "").strip():
            problems["text"] = "Type the item."
        else:
            _check_text(problems, "text", change.text.strip(), ITEM_TEXT_MAX, "the item")
    return problems


def update_item(item: ChecklistItem, actor: User, change: ItemChange, suggestion: Suggestion | None) -> None:
    """Save the lead's rating, notes and actions. Against a suggestion the reason is required; the suggestion
    and its reason are kept beside the rating, so both are shown."""
    problems = check_change(item, change, suggestion)
    if problems:
        raise ChecklistError(problems)
    now = utcnow()
    if change.rating != item.rating or change.reason.strip() != item.rating_reason:
        item.rated_at, item.rated_by_id = now, actor.id
    item.rating, item.rating_reason = change.rating, change.reason.strip()
    if suggestion is not None:
        item.suggested_rating, item.suggestion_reason = suggestion.rating, suggestion.reason
    item.notes, item.actions, item.owner = change.notes.strip(), change.actions.strip(), change.owner.strip()
    item.review_date = change.review_date
    if item.is_custom:
        item.area, item.text = change.area, " ".join(change.text.split())
    item.updated_at = now
    db.session.flush()


def accept_suggestion(item: ChecklistItem, actor: User, suggestion: Suggestion) -> None:
    if suggestion.rating == UNRATED:
        raise ChecklistError({"": "There is no suggestion to accept yet: " + suggestion.reason})
    now = utcnow()
    item.rating, item.rating_reason = suggestion.rating, ""
    item.suggested_rating, item.suggestion_reason = suggestion.rating, suggestion.reason
    item.rated_at, item.rated_by_id, item.updated_at = now, actor.id, now
    db.session.flush()


def add_item(school_id: int, area: str, text: str) -> ChecklistItem:
    text = " ".join((text or "").split())
    problems = {}
    if area not in areas():
        problems["area"] = "Choose the area of the checklist this item belongs to."
    if not text:
        problems["text"] = "Type the item."
    elif len(text) > ITEM_TEXT_MAX:
        problems["text"] = f"Keep the item to {ITEM_TEXT_MAX} characters or fewer."
    if problems:
        raise ChecklistError(problems)
    last = db.session.scalar(select(ChecklistItem.position).where(ChecklistItem.school_id == school_id)
                             .order_by(ChecklistItem.position.desc()).limit(1)) or 0
    item = ChecklistItem(school_id=school_id, key=None, area=area, text=text,
                         position=max(last, CUSTOM_POSITION) + 1, rating=UNRATED, rating_reason="",
                         suggestion_reason="", notes="", actions="", owner="", updated_at=utcnow())
    db.session.add(item)
    db.session.flush()
    return item


def delete_item(item: ChecklistItem) -> None:
    if not item.is_custom:
        raise ChecklistError({"": "Items of the Ofsted checklist can't be deleted. Rate them or add notes."})
    db.session.delete(item)
    db.session.flush()


def due_items(items: list[ChecklistItem], today: date) -> tuple[list, list]:
    """(items not yet rated, items whose review date is today or earlier)."""
    unrated = [item for item in items if item.rating == UNRATED]
    due = [item for item in items if item.review_date is not None and item.review_date <= today]
    return unrated, sorted(due, key=lambda item: item.review_date)


# --- reviews ------------------------------------------------------------------------------------------


def item_snapshot(item: ChecklistItem) -> dict:
    return {
        "id": item.id, "key": item.key, "area": item.area, "text": item.text, "evidence": item.evidence,
        "rating": item.rating, "rating_reason": item.rating_reason, "suggested_rating": item.suggested_rating,
        "suggestion_reason": item.suggestion_reason, "notes": item.notes, "actions": item.actions,
        "owner": item.owner, "review_date": item.review_date.isoformat() if item.review_date else None,
    }


def record_review(school_id: int, school_name: str, actor: User, period: Period, items: list[ChecklistItem],
                  figures: dict, thresholds: Thresholds, suggestion: Suggestion | None) -> ChecklistReview:
    """Store a snapshot of every figure and rating: what the report shows, now and later."""
    now = utcnow()
    snapshot = {
        "school_name": school_name,
        "period": {"name": period.name, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "thresholds": thresholds.as_dict(),
        "suggestion": None if suggestion is None else {"rating": suggestion.rating, "reason": suggestion.reason},
        "figures": figures,
        "items": [item_snapshot(item) for item in items],
    }
    review = ChecklistReview(school_id=school_id, reviewed_at=now, reviewed_by_id=actor.id,
                             reviewer_name=actor.display_name, period_name=period.name, period_start=period.start,
                             period_end=period.end, snapshot=snapshot)
    db.session.add(review)
    db.session.flush()
    return review


def reviews_of_year(school_id: int, review_id: int | None = None) -> tuple[ChecklistReview | None, list]:
    """A review (the latest when `review_id` is None) and every review of its academic year up to it, oldest
    first (two queries): the report, its charts and its RAG history."""
    query = select(ChecklistReview).where(ChecklistReview.school_id == school_id)
    if review_id is not None:
        shown = db.session.scalar(query.where(ChecklistReview.id == review_id))
    else:
        shown = db.session.scalar(query.order_by(ChecklistReview.reviewed_at.desc(), ChecklistReview.id.desc())
                                  .limit(1))
    if shown is None:
        return None, []
    year_start = academic_year(shown.reviewed_at.date()).utc_bounds()[0]
    history = list(db.session.scalars(
        query.where(ChecklistReview.reviewed_at >= year_start, ChecklistReview.reviewed_at <= shown.reviewed_at)
        .order_by(ChecklistReview.reviewed_at, ChecklistReview.id)
    ))
    return shown, [review for review in history if (review.reviewed_at, review.id) <= (shown.reviewed_at, shown.id)]


def review_list(school_id: int) -> list:
    """Every review of the school, newest first: id, when, who and the period (no snapshots loaded)."""
    return db.session.execute(
        select(ChecklistReview.id, ChecklistReview.reviewed_at, ChecklistReview.reviewer_name,
               ChecklistReview.period_name)
        .where(ChecklistReview.school_id == school_id)
        .order_by(ChecklistReview.reviewed_at.desc(), ChecklistReview.id.desc())
    ).all()


# --- pupil voice --------------------------------------------------------------------------------------


def voice_candidates(school_id: int) -> list[tuple[Reflection, bool]]:
    """Reflections teachers marked as pupil voice, newest first, and whether the lead chose each."""
    rows = db.session.execute(
        select(Reflection, PupilVoiceChoice.id)
        .outerjoin(PupilVoiceChoice, PupilVoiceChoice.reflection_id == Reflection.id)
        .where(Reflection.school_id == school_id, Reflection.pupil_voice.is_(True))
        .order_by(Reflection.created_at.desc(), Reflection.id.desc())
    ).all()
    return [(reflection, choice_id is not None) for reflection, choice_id in rows]


def choose_voice(school_id: int, actor: User, reflection_ids: list[int]) -> int:
    """Replace the chosen reflections with these (ten at most, each marked as pupil voice). Returns the count."""
    wanted = set(reflection_ids)
    if len(wanted) > VOICE_MAX:
        raise ChecklistError({"reflections": f"Choose {VOICE_MAX} reflections at most. You chose {len(wanted)}."})
    allowed = set(db.session.scalars(
        select(Reflection.id).where(Reflection.school_id == school_id, Reflection.pupil_voice.is_(True),
                                    Reflection.id.in_(wanted))
    )) if wanted else set()
    if allowed != wanted:
        raise ChecklistError({"reflections": "One of the reflections is no longer marked as pupil voice. "
                                             "Choose again."})
    current = {row.reflection_id: row for row in db.session.scalars(
        select(PupilVoiceChoice).where(PupilVoiceChoice.school_id == school_id))}
    for reflection_id, row in current.items():
        if reflection_id not in wanted:
            db.session.delete(row)
    for reflection_id in sorted(wanted - current.keys()):
        db.session.add(PupilVoiceChoice(school_id=school_id, reflection_id=reflection_id, chosen_by_id=actor.id,
                                        chosen_at=utcnow()))
    db.session.flush()
    return len(wanted)


def chosen_voice(school_id: int) -> list[dict]:
    """The chosen reflections still marked as pupil voice: their words and the pupil's age band, nothing else."""
    rows = db.session.execute(
        select(Reflection.text, Reflection.band)
        .join(PupilVoiceChoice, PupilVoiceChoice.reflection_id == Reflection.id)
        .where(PupilVoiceChoice.school_id == school_id, Reflection.school_id == school_id,
               Reflection.pupil_voice.is_(True))
        .order_by(Reflection.created_at, Reflection.id)
        .limit(VOICE_MAX)
    ).all()
    order = {band: i for i, band in enumerate(AGE_BANDS)}
    return sorted(({"text": text, "band": band} for text, band in rows), key=lambda row: order.get(row["band"], 9))
