"""Checking ``badges.yaml``: a list of badges, each with an image and one criteria kind."""

from __future__ import annotations

import re
from collections.abc import Collection

from esafe_learn.content._fields import Fields, type_name
from esafe_learn.content._files import Reporter
from esafe_learn.content._model import BadgeData
from esafe_learn.content.taxonomy import BADGE_CRITERIA, BADGE_ICONS, STRANDS

BADGES_FILE = "badges.yaml"
BADGE_FIELDS = ("id", "name", "description", "image", "criteria")


def _item_line(yaml_text: str, index: int, badge_id: object) -> int:
    """Line of a badge in badges.yaml: its ``id:`` line if found, else its ``- `` item line."""
    lines = yaml_text.split("\n")
    if isinstance(badge_id, str) and badge_id:
        pattern = re.compile(r"^\s*(?:-\s+)?id\s*:\s*['\"]?" + re.escape(badge_id) + r"['\"]?\s*(?:#.*)?$")
        for number, line in enumerate(lines, start=1):
            if pattern.match(line):
                return number
    items = [number for number, line in enumerate(lines, start=1) if re.match(r"^-(\s|$)", line)]
    return items[index] if index < len(items) else 1


class BadgeReader:
    def __init__(self, yaml_text: str, report: Reporter, lesson_ids: Collection[str],
                 strands_in_pack: Collection[str], media: Collection[str], *, lessons_complete: bool = True):
        """``lessons_complete`` is False when some lesson could not be read: its id may be the one a
        badge names, so lesson ids and strands are then not checked (the pack fails anyway)."""
        self.lessons_complete = lessons_complete
        self.yaml_text = yaml_text
        self.report = report
        self.lesson_ids = lesson_ids
        self.strands_in_pack = strands_in_pack
        self.media = media

    def read(self, data: object) -> list[BadgeData]:
        if data is None:
            return []
        if not isinstance(data, list):
            self.report.error(BADGES_FILE, 1, f"badges.yaml must be a list of badges, not {type_name(data)}")
            return []
        badges: list[BadgeData] = []
        seen: set[str] = set()
        for index, item in enumerate(data):
            badge_id = item.get("id") if isinstance(item, dict) else None
            line = _item_line(self.yaml_text, index, badge_id)
            if not isinstance(item, dict):
                self.report.error(BADGES_FILE, line, f"a badge must be a mapping, not {type_name(item)}")
                continue
            badge = self.badge(item, line)
            if badge.id and badge.id in seen:
                self.report.error(BADGES_FILE, line, f"duplicate badge id {badge.id!r}")
            seen.add(badge.id)
            badges.append(badge)
        return badges

    def badge(self, item: dict, line: int) -> BadgeData:
        fields = Fields(item, BADGES_FILE, {}, line, self.report)
        fields.unknown_keys(BADGE_FIELDS)
        return BadgeData(
            id=fields.slug("id"),
            name=fields.text("name"),
            description=fields.text("description"),
            image=self.image(fields.text("image"), line),
            criteria=self.criteria(item.get("criteria"), line),
        )

    def image(self, image: str, line: int) -> str:
        """A built-in icon name, or the path inside media/ (``media/x.png`` or ``x.png`` in the file)."""
        if not image or image in BADGE_ICONS:
            return image
        inside = image.removeprefix("media/")
        if f"media/{inside}" not in self.media:
            self.report.error(BADGES_FILE, line, f"badge image {image!r} is neither a built-in icon "
                              f"({', '.join(BADGE_ICONS)}) nor a PNG, JPEG or WebP file in media/")
        return inside

    def criteria(self, criteria: object, line: int) -> dict:
        if not isinstance(criteria, dict):
            self.report.error(BADGES_FILE, line, "a badge needs 'criteria', a mapping with a 'kind'")
            return {}
        kind = criteria.get("kind")
        if not isinstance(kind, str) or kind not in BADGE_CRITERIA:
            self.report.error(BADGES_FILE, line,
                              f"unknown criteria kind {kind!r}; use one of: {', '.join(BADGE_CRITERIA)}")
            return dict(criteria)
        needed = BADGE_CRITERIA[kind]
        for key in criteria:
            if key != "kind" and key not in needed:
                self.report.error(BADGES_FILE, line, f"criteria '{kind}' does not take '{key}'")
        checks = {"count": self._check_count, "strand": self._check_strand, "ids": self._check_ids}
        for key in needed:
            checks[key](criteria.get(key), kind, line)
        return dict(criteria)

    def _check_count(self, count: object, kind: str, line: int) -> None:
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            self.report.error(BADGES_FILE, line,
                              f"criteria '{kind}' needs 'count', a whole number of 1 or more")
        elif kind == "lessons-completed" and self.lessons_complete and count > len(self.lesson_ids):
            self.report.warning(BADGES_FILE, line,
                                f"count {count} is more than the pack's {len(self.lesson_ids)} lessons")

    def _check_strand(self, strand: object, kind: str, line: int) -> None:
        if not isinstance(strand, str) or strand not in STRANDS:
            self.report.error(BADGES_FILE, line, f"criteria '{kind}' needs a known 'strand', not {strand!r}")
        elif self.lessons_complete and strand not in self.strands_in_pack:
            self.report.warning(BADGES_FILE, line, f"no lesson in this pack has strand {strand!r}")

    def _check_ids(self, ids: object, kind: str, line: int) -> None:
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            self.report.error(BADGES_FILE, line, f"criteria '{kind}' needs 'ids', a list of lesson ids")
            return
        for lesson_id in ids:
            if self.lessons_complete and lesson_id not in self.lesson_ids:
                self.report.error(BADGES_FILE, line, f"unknown lesson id {lesson_id!r} in badge criteria")
