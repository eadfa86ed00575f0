"""The personal-data registry names every table that points at a person, and only columns that exist."""

from __future__ import annotations

from esafe_learn.extensions import db
from esafe_learn.privacy import registry


def _user_fk_columns(table) -> set[str]:
    return {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "user"}


def test_every_table_with_a_user_foreign_key_is_registered(ctx):
    missing = sorted(t.name for t in db.metadata.sorted_tables
                     if _user_fk_columns(t) and t.name not in registry.BY_TABLE)
    assert missing == [], f"tables with a foreign key to user missing from esafe_learn/privacy/registry.py: {missing}"


def test_every_user_column_is_named(ctx):
    unnamed = []
    for table in db.metadata.sorted_tables:
        if table.name not in registry.BY_TABLE:
            continue
        named = registry.user_columns(registry.BY_TABLE[table.name])
        unnamed += [f"{table.name}.{column}" for column in _user_fk_columns(table) - named]
    assert unnamed == []


def test_registered_tables_and_columns_exist(ctx):
    tables = db.metadata.tables
    problems = []
    for entry in registry.REGISTRY:
        if entry.table not in tables:
            problems.append(f"no table {entry.table}")
            continue
        columns = set(tables[entry.table].columns.keys())
        listed = (set(entry.subject_columns) | set(entry.actor_columns) | set(entry.personal_columns)
                  | set(entry.secret_columns) | set(entry.dsl_only_columns))
        problems += [f"{entry.table}.{name} does not exist" for name in sorted(listed - columns)]
        if entry.retention not in registry.RETENTION_RULES:
            problems.append(f"{entry.table}: unknown retention rule {entry.retention}")
        if entry.export not in registry.EXPORT_MODES:
            problems.append(f"{entry.table}: unknown export mode {entry.export}")
        if not entry.purpose:
            problems.append(f"{entry.table}: no purpose")
    assert problems == []


def test_registry_lists_each_table_once():
    names = [entry.table for entry in registry.REGISTRY]
    assert len(names) == len(set(names))


def test_concerns_need_the_dsl_and_secrets_are_named():
    assert registry.entry("concern").export == registry.EXPORT_DSL
    assert registry.entry("concern").retention == registry.SAFEGUARDING
    assert "password_hash" in registry.entry("user").secret_columns
    included = {e.table for e in registry.exported_tables(include_dsl=False)}
    assert "concern" not in included and {"lesson_progress", "quiz_attempt", "badge_award"} <= included
    assert "concern" in {e.table for e in registry.exported_tables(include_dsl=True)}
