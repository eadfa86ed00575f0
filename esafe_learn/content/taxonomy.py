"""Fixed vocabularies of the content pack format (schema_version 1).

Strands follow UKCIS "Education for a Connected World"; age bands are the four the platform teaches to.
"""

from __future__ import annotations

import re

SCHEMA_VERSIONS = (1,)

STRANDS: dict[str, str] = {
    "self-image-and-identity": "Self-image and identity",
    "online-relationships": "Online relationships",
    "online-reputation": "Online reputation",
    "online-bullying": "Online bullying",
    "managing-online-information": "Managing online information",
    "health-wellbeing-and-lifestyle": "Health, well-being and lifestyle",
    "privacy-and-security": "Privacy and security",
    "copyright-and-ownership": "Copyright and ownership",
}

AGE_BANDS: tuple[str, ...] = ("4-7", "7-11", "11-14", "14-18")

#: Who a pack is for (pack.yaml ``audience``).
PACK_AUDIENCES: tuple[str, ...] = ("pupils", "staff")

#: Who a lesson is for (lesson ``audience``, overriding the pack's).
LESSON_AUDIENCES: tuple[str, ...] = ("pupils", "online-leaders", "staff")

#: Icons a badge may use instead of an image from the pack's media folder.
BADGE_ICONS: tuple[str, ...] = (
    "star", "heart", "shield", "lock", "speech", "lightbulb", "handshake", "book", "trophy", "compass",
    "camera", "globe",
)  # fmt: skip

#: Badge criteria kinds, each with the keys it needs besides ``kind``.
BADGE_CRITERIA: dict[str, tuple[str, ...]] = {
    "first-lesson": (),
    "lessons-completed": ("count",),
    "strand-complete": ("strand",),
    "quiz-full-marks": ("count",),
    "lessons": ("ids",),
    "mentoring-sessions": ("count",),
    "staff-awarded": (),
}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_slug(value: object) -> bool:
    """Lowercase letters and digits in words joined by single hyphens, e.g. ``online-bullying-7-11``."""
    return isinstance(value, str) and bool(SLUG.match(value))


def strand_name(slug: str) -> str:
    """Display name of a strand, or the slug itself if unknown."""
    return STRANDS.get(slug, slug)
