"""Subject access: everything held about one pupil, as a ZIP of JSON and CSV with a readable summary page.

What goes in is decided by esafe_learn/privacy/registry.py, so a new table with personal data is
exported as soon as it is registered. Secrets (hashes, salts) never go in. Safeguarding concerns go
in only when the DSL includes them; the free text of mentoring logs a pupil appears in (written by
the Online Leader about them) goes in only when the DSL allows it.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import render_template
from sqlalchemy import or_, select

from ..auth.models import User
from ..csvfiles import safe_cell
from ..extensions import db
from ..timeutil import utcnow
from . import registry

WITHHELD = "(withheld: written by an Online Leader; the DSL did not include it)"


@dataclass
class ExportOptions:
    include_concerns: bool = False  # the DSL only
    include_leader_notes: bool = False  # the DSL only


@dataclass
class SubjectExport:
    pupil: User
    options: ExportOptions
    tables: dict[str, list[dict]] = field(default_factory=dict)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # table, why


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    return value


def _rows(table, query) -> list[dict]:
    return [{key: _plain(value) for key, value in row._mapping.items()} for row in db.session.execute(query)]


def _select_for(entry: registry.TableEntry, pupil: User, found: dict[str, list[dict]]):
    table = db.metadata.tables[entry.table]
    columns = [c for c in table.columns if c.name not in entry.secret_columns]
    query = select(*columns)
    if entry.via is not None:
        column, parent = entry.via
        ids = [row["id"] for row in found.get(parent, [])]
        query = query.where(table.c[column].in_(ids))
    else:
        query = query.where(or_(*[table.c[name] == pupil.id for name in entry.subject_columns]))
    if "school_id" in table.c and entry.table != "user":
        query = query.where(table.c.school_id == pupil.school_id)
    return table, query.order_by(table.c.id)


def collect(pupil: User, options: ExportOptions) -> SubjectExport:
    result = SubjectExport(pupil=pupil, options=options)
    wanted = registry.exported_tables(include_dsl=options.include_concerns)
    for entry in wanted:
        table, query = _select_for(entry, pupil, result.tables)
        rows = _rows(table, query)
        if entry.table == "mentoring_session":
            rows += _sessions_as_mentee(entry, pupil, rows, options.include_leader_notes)
        result.tables[entry.table] = rows
    for entry in registry.REGISTRY:
        if entry.table in result.tables:
            continue
        why = ("Safeguarding record: the DSL chose not to include it." if entry.export == registry.EXPORT_DSL
               else "Not about the pupil (a school or security record).")
        result.left_out.append((entry.table, why))
    return result


def _sessions_as_mentee(entry, pupil: User, own: list[dict], allow_notes: bool) -> list[dict]:
    """Mentoring logs the pupil appears in as a mentee; the leader's words only when the DSL allows."""
    mentee = db.metadata.tables["mentoring_mentee"]
    table = db.metadata.tables[entry.table]
    own_ids = {row["id"] for row in own}
    query = (select(table).join(mentee, mentee.c.session_id == table.c.id)
             .where(mentee.c.pupil_id == pupil.id, table.c.school_id == pupil.school_id).order_by(table.c.id))
    rows = []
    for row in _rows(table, query):
        if row["id"] in own_ids:
            continue
        row["leader_id"] = None  # another pupil: not theirs to see
        if not allow_notes:
            for name in entry.dsl_only_columns:
                if row.get(name):
                    row[name] = WITHHELD
        rows.append(row)
    return rows


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    names = sorted({key for row in rows for key in row}) or ["(no rows)"]
    writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return safe_cell("" if value is None else str(value))  # no spreadsheet formulas


def build_zip(pupil: User, options: ExportOptions) -> tuple[bytes, SubjectExport]:
    export = collect(pupil, options)
    from ..content.models import Lesson
    from ..schools.services import pupil_classes

    lesson_ids = {row["lesson_id"] for row in export.tables.get("lesson_progress", [])}
    lessons = dict(db.session.execute(select(Lesson.id, Lesson.title).where(Lesson.id.in_(lesson_ids))).all())
    summary = render_template("privacy/export_summary.html", export=export, registry=registry.BY_TABLE,
                              rules=registry.RETENTION_RULES, made_at=utcnow(), lessons=lessons,
                              classes=[c.name for c in pupil_classes(pupil)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("summary.html", summary)
        for name, rows in export.tables.items():
            archive.writestr(f"json/{name}.json", json.dumps(rows, ensure_ascii=False, indent=2, sort_keys=True))
            archive.writestr(f"csv/{name}.csv", _csv(rows))
        archive.writestr("left-out.json", json.dumps(dict(export.left_out), indent=2, sort_keys=True))
    return buffer.getvalue(), export
