"""Loading and validating a content pack (schema_version 1). Knows nothing of Flask or the database.

``load_pack(folder)`` reads ``pack.yaml``, every lesson (``*.md``, subfolders allowed), their easy-read
versions, ``badges.yaml`` and ``media/``, and returns ``(PackData, warnings)`` or, if anything is wrong,
``(None, problems)``. Every problem is a :class:`Problem` (``file:line: message``); nothing in a pack,
however malformed or hostile, raises out of ``load_pack``. All Markdown is rendered to safe HTML by
:mod:`esafe_learn.sanitise`. The format is documented for authors in ``docs/content-packs.md``.
"""

from __future__ import annotations

import re
from pathlib import Path

from esafe_learn.content._badges import BADGES_FILE, BadgeReader
from esafe_learn.content._fields import Fields, type_name
from esafe_learn.content._files import (
    IMAGE_TYPES,
    Reporter,
    extension,
    key_lines,
    load_yaml,
    read_bytes,
    read_text,
    resolve,
    scan_tree,
    sniff_image,
    split_front_matter,
)
from esafe_learn.content._lesson import SourceFile, read_easy_read, read_lesson
from esafe_learn.content._markdown import MarkdownFile, media_urls
from esafe_learn.content._model import (
    BadgeData,
    EasyReadData,
    LessonData,
    MediaFile,
    OptionData,
    PackData,
    Problem,
    QuestionData,
    SectionData,
)
from esafe_learn.content.taxonomy import PACK_AUDIENCES, SCHEMA_VERSIONS, is_slug

__all__ = [
    "BadgeData", "EasyReadData", "LessonData", "MediaFile", "OptionData", "PackData", "Problem",
    "QuestionData", "SectionData", "find_pack_dirs", "load_pack", "read_pack",
]  # fmt: skip

PACK_FILE = "pack.yaml"
MEDIA_DIR = "media/"
PACK_FIELDS = (
    "schema_version", "id", "title", "version", "description", "language", "licence", "authors",
    "audience", "misconceptions",
)  # fmt: skip
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def find_pack_dirs(path: Path) -> list[Path]:
    """``[path]`` if it is a pack (holds pack.yaml), else the sorted packs directly inside it."""
    path = Path(path)
    if (path / PACK_FILE).is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(
        child for child in path.iterdir()
        if child.is_dir() and not child.name.startswith(".") and (child / PACK_FILE).is_file()
    )


def load_pack(path: Path, *, media_url_prefix: str | None = None) -> tuple[PackData | None, list[Problem]]:
    """Load and validate the pack in ``path``: ``(pack, warnings)``, or ``(None, problems)`` on any error.

    Markdown images of ``media/x.png`` render with ``src=f"{media_url_prefix}x.png"``; the default
    prefix is ``/content/media/<pack id>/``.
    """
    pack, problems = read_pack(path, media_url_prefix=media_url_prefix)
    if any(problem.is_error for problem in problems):
        return None, problems
    return pack, problems


def read_pack(path: Path, *, media_url_prefix: str | None = None) -> tuple[PackData | None, list[Problem]]:
    """Like :func:`load_pack`, but returns what could be read even when there are errors.

    For author previews and tests only: a pack with errors must never be imported. The pack is None
    only when pack.yaml itself is missing or unusable.
    """
    report = Reporter()
    try:
        pack = _PackLoader(Path(path), report, media_url_prefix).load()
    except Exception as exc:  # the contract: nothing a pack contains may raise out of load_pack
        report.error(".", 0, f"unexpected error while loading the pack ({type(exc).__name__}: {exc})")
        pack = None
    return pack, report.sorted()


class _PackLoader:
    def __init__(self, root: Path, report: Reporter, media_url_prefix: str | None):
        self.root = root
        self.report = report
        self.media_url_prefix = media_url_prefix
        self.files: list[str] = []
        self.media_urls: dict[str, str] = {}
        self.unreadable: set[str] = set()

    def load(self) -> PackData | None:
        if not self.root.is_dir():
            self.report.error(".", 0, f"{self.root} is not a folder")
            return None
        self.files = scan_tree(self.root, self.report)
        if PACK_FILE not in self.files:
            self.report.error(PACK_FILE, 0, "missing pack.yaml (every pack folder needs one)")
            return None
        meta = self.read_pack_yaml()
        if meta is None:
            return None
        media = self.read_media()
        prefix = self.media_url_prefix or f"/content/media/{meta.id or self.root.name}/"
        self.media_urls = media_urls([MEDIA_DIR + item.path for item in media], prefix)
        lessons = self.read_lessons(meta)
        badges = self.read_badges(lessons)
        self.warn_ignored_files()
        meta.lessons, meta.badges, meta.media = lessons, badges, media
        return meta

    # -- pack.yaml -----------------------------------------------------------------------------------

    def read_pack_yaml(self) -> PackData | None:
        loaded = read_text(self.root, PACK_FILE, self.report)
        if loaded is None:
            return None
        text = loaded[0]
        ok, data = load_yaml(text, PACK_FILE, 1, self.report)
        if not ok:
            return None
        if not isinstance(data, dict):
            self.report.error(PACK_FILE, 1, f"pack.yaml must be a mapping of fields, not {type_name(data)}")
            return None
        fields = Fields(data, PACK_FILE, key_lines(text, 1), 1, self.report)
        fields.unknown_keys(PACK_FIELDS)
        pack = PackData(
            schema_version=self.schema_version(fields),
            id=fields.slug("id"),
            title=fields.text("title"),
            version=self.version(fields),
            description=fields.text("description"),
            language=self.language(fields),
            licence=fields.text("licence"),
            authors=fields.text_list("authors", allow_single=True),
            audience=fields.choice("audience", PACK_AUDIENCES, "audience", default="pupils"),
            misconceptions=self.misconceptions(fields),
            lessons=[], badges=[], media=[], root=self.root,
        )
        if pack.id and pack.id != self.root.name:
            self.report.warning(PACK_FILE, fields.line("id"),
                                f"pack id {pack.id!r} differs from its folder name {self.root.name!r}")
        return pack

    @staticmethod
    def schema_version(fields: Fields) -> int:
        value = fields.data.get("schema_version")
        if value not in SCHEMA_VERSIONS or isinstance(value, bool):
            if value is None:
                fields.error("schema_version", "missing required field 'schema_version' (use 1)")
            else:
                fields.error("schema_version", f"unknown schema_version {value!r}; this version reads 1")
            return 0
        return int(value)

    @staticmethod
    def version(fields: Fields) -> str:
        value = fields.data.get("version")
        if isinstance(value, int | float) and not isinstance(value, bool):
            fields.error("version", f"'version' must be text; put it in quotes: version: \"{value}\"")
            return str(value)
        return fields.text("version")

    @staticmethod
    def language(fields: Fields) -> str:
        value = fields.text("language")
        if value and not _LANGUAGE.match(value):
            fields.error("language", f"'language' must be a language tag such as en-GB, not {value!r}")
        return value

    @staticmethod
    def misconceptions(fields: Fields) -> dict[str, str]:
        value = fields.data.get("misconceptions")
        if value is None:
            return {}
        if not isinstance(value, dict):
            fields.error("misconceptions", f"'misconceptions' must be a mapping of slug: sentence, "
                                           f"not {type_name(value)}")
            return {}
        result: dict[str, str] = {}
        for slug, sentence in value.items():
            if not is_slug(slug):
                fields.error("misconceptions", f"misconception {slug!r} is not a slug (words-with-hyphens)")
            elif not isinstance(sentence, str) or not sentence.strip():
                fields.error("misconceptions", f"misconception {slug!r} needs a one-sentence description")
            else:
                result[slug] = sentence.strip()
        return result

    # -- media ---------------------------------------------------------------------------------------

    def read_media(self) -> list[MediaFile]:
        media: list[MediaFile] = []
        for rel in self.files:
            if rel.startswith(MEDIA_DIR):
                item = self.read_media_file(rel)
                if item is not None:
                    media.append(item)
        return media

    def read_media_file(self, rel: str) -> MediaFile | None:
        expected = IMAGE_TYPES.get(extension(rel))
        if expected is None:
            kind = "SVG images are not allowed" if extension(rel) == ".svg" else "not an allowed image type"
            self.report.error(rel, 0, f"{kind}; media/ may only hold PNG, JPEG or WebP images")
            return None
        data = read_bytes(self.root, rel, self.report)
        if data is None:
            return None
        if sniff_image(data) != expected:
            self.report.error(rel, 0, f"file content is not a {expected.split('/')[1].upper()} image "
                                      "(its first bytes do not match its extension)")
            return None
        return MediaFile(path=rel.removeprefix(MEDIA_DIR), content_type=expected, data=data)

    # -- lessons -------------------------------------------------------------------------------------

    def markdown_paths(self) -> list[str]:
        return [
            rel for rel in self.files
            if extension(rel) == ".md" and not rel.startswith(MEDIA_DIR) and rel.lower() != "readme.md"
        ]

    def read_source(self, rel: str) -> SourceFile | None:
        """Read and split a Markdown file; None if it cannot be used at all (already reported)."""
        loaded = read_text(self.root, rel, self.report)
        if loaded is None:
            return None
        text, raw = loaded
        front = split_front_matter(text)
        if front is None:
            self.report.error(rel, 1, "front matter is not closed: add a line '---' after it")
            return None
        if front.yaml_text is None:
            return SourceFile(rel, raw, front, None)
        ok, meta = load_yaml(front.yaml_text, rel, front.yaml_line, self.report)
        if not ok:
            return None
        if meta is None:
            meta = {}
        if not isinstance(meta, dict):
            self.report.error(rel, front.yaml_line, f"front matter must be a mapping, not {type_name(meta)}")
            return None
        return SourceFile(rel, raw, front, meta)

    def read_lessons(self, pack: PackData) -> list[LessonData]:
        sources = {rel: self.read_source(rel) for rel in self.markdown_paths()}
        easy_targets = {rel: self.easy_read_target(source) for rel, source in sources.items() if source}
        easy_paths = {target for target in easy_targets.values() if target}
        self.unreadable = {rel for rel, source in sources.items() if source is None}
        lessons: list[LessonData] = []
        for rel, source in sources.items():
            if rel in easy_paths or source is None or self.may_be_orphaned_easy_read(source):
                continue
            if source.meta is None:
                self.report.error(rel, 1, "missing front matter: start with '---', the fields, then '---'")
                continue
            lesson = self.read_lesson_guarded(source, pack, sources.get(easy_targets.get(rel) or ""))
            if lesson is not None:
                lessons.append(lesson)
        self.check_unique_ids(lessons, sources)
        return lessons

    def read_lesson_guarded(self, source: SourceFile, pack: PackData,
                            easy_source: SourceFile | None) -> LessonData | None:
        """Read one lesson; an unexpected failure becomes a problem of that file, not of the whole pack."""
        try:
            return self.read_lesson(source, pack, easy_source)
        except Exception as exc:  # nothing a pack contains may raise out of load_pack
            self.report.error(source.path, 0, f"could not read this lesson ({type(exc).__name__}: {exc})")
            return None

    def may_be_orphaned_easy_read(self, source: SourceFile) -> bool:
        """True for a file that looks like an easy-read version while some lesson could not be read.

        Its lesson may be the unreadable one, so reporting it as a lesson with missing fields would
        only bury the real error.
        """
        return bool(self.unreadable) and set(source.meta or {}) <= {"title"}

    def markdown_file(self, rel: str) -> MarkdownFile:
        return MarkdownFile(rel, frozenset(self.files), self.media_urls, self.report)

    def read_lesson(self, source: SourceFile, pack: PackData, easy_source: SourceFile | None) -> LessonData:
        title = source.meta.get("title") if source.meta else None
        easy_read: EasyReadData | None = None
        if easy_source is not None:
            default_title = title.strip() if isinstance(title, str) else ""
            easy_read = read_easy_read(easy_source, self.markdown_file(easy_source.path), default_title)
        md = self.markdown_file(source.path)
        return read_lesson(source, md, pack.audience, pack.misconceptions, easy_read)

    def easy_read_target(self, source: SourceFile) -> str | None:
        """The pack path of a lesson's easy-read file, or None (problems reported)."""
        value = (source.meta or {}).get("easy_read")
        if value is None:
            return None
        line = key_lines(source.front.yaml_text or "", source.front.yaml_line).get("easy_read", 1)
        if not isinstance(value, str) or not value.strip():
            self.report.error(source.path, line, f"'easy_read' must be a file path, not {type_name(value)}")
            return None
        target = resolve(source.path, value.strip())
        if target is None:
            self.report.error(source.path, line, f"easy-read file {value!r} is outside the pack")
        elif extension(target) != ".md":
            self.report.error(source.path, line, f"easy-read file {value!r} must be a Markdown (.md) file")
        elif target == source.path:
            self.report.error(source.path, line, "a lesson cannot be its own easy-read version")
        elif target not in self.files:
            self.report.error(source.path, line, f"easy-read file {value!r} is missing ({target} not found)")
        else:
            return target
        return None

    def check_unique_ids(self, lessons: list[LessonData], sources: dict[str, SourceFile | None]) -> None:
        first_seen: dict[str, str] = {}
        for lesson in lessons:
            if not lesson.id:
                continue
            if lesson.id in first_seen:
                front = sources[lesson.source_path].front  # type: ignore[union-attr]
                line = key_lines(front.yaml_text or "", front.yaml_line).get("id", 1)
                self.report.error(lesson.source_path, line,
                                  f"duplicate lesson id {lesson.id!r} (also used by {first_seen[lesson.id]})")
            else:
                first_seen[lesson.id] = lesson.source_path

    # -- badges and the rest ---------------------------------------------------------------------------

    def read_badges(self, lessons: list[LessonData]) -> list[BadgeData]:
        if BADGES_FILE not in self.files:
            return []
        loaded = read_text(self.root, BADGES_FILE, self.report)
        if loaded is None:
            return []
        ok, data = load_yaml(loaded[0], BADGES_FILE, 1, self.report)
        if not ok:
            return []
        reader = BadgeReader(loaded[0], self.report, {lesson.id for lesson in lessons},
                             {lesson.strand for lesson in lessons}, self.media_urls,
                             lessons_complete=not self.unreadable)
        return reader.read(data)

    def warn_ignored_files(self) -> None:
        known = {PACK_FILE, BADGES_FILE, *self.markdown_paths()}
        for rel in self.files:
            if rel not in known and not rel.startswith(MEDIA_DIR) and rel.lower() != "readme.md":
                self.report.warning(rel, 0, "not part of the pack format (lessons are .md files); ignored")
