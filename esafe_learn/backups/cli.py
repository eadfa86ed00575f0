"""`esafe-learn backup FILE`, `esafe-learn restore FILE`, and `esafe-learn db upgrade` backing up SQLite first.

Flask-Migrate's `db` group is copied with its `upgrade` command wrapped (same options and arguments);
the other `db` commands are Flask-Migrate's own.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..timeutil import utcnow
from .services import BackupError, backup_database, backup_sqlite, restore_database, sqlite_file, sqlite_has_tables


def _database_url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already exists.")
@with_appcontext
def backup_command(file: Path, force: bool):
    """Back up the database to FILE while the app keeps running.

    SQLite: the online backup API, then an integrity check. PostgreSQL: pg_dump --format=custom.
    """
    try:
        report = backup_database(_database_url(), file, overwrite=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = report.path.stat().st_size / 1_000_000
    if report.kind == "sqlite":
        click.echo(f"Backed up to {report.path} ({size:.1f} MB, {report.tables} tables, {report.total_rows} rows); "
                   "integrity check ok.")
    else:
        click.echo(f"Backed up to {report.path} with pg_dump ({size:.1f} MB, {report.tables} tables).")
    click.echo("The file holds personal data: keep it encrypted and readable only by the people who run the "
               "service (see docs/deployment.md, Backups).")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(file: Path):
    """Restore a backup made by `esafe-learn backup` into the EMPTY database that DATABASE_URL names."""
    db.engine.dispose()  # no pooled connection of ours stays open on the target
    try:
        report = restore_database(_database_url(), file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {file}: {report.tables} tables, {report.total_rows} rows.")
    for table, rows in sorted(report.rows.items()):
        click.echo(f"  {table:<32} {rows}")


# --- db upgrade -----------------------------------------------------------------------------------


def backup_dir() -> Path:
    folder = Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sqlite_revisions(path: Path) -> set[str]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        return {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.OperationalError:  # no alembic_version table: not made by `db upgrade`
        return set()
    finally:
        connection.close()


def backup_before_upgrade(revision: str) -> Path | None:
    """On SQLite, copy the database to BACKUP_DIR before the schema changes; None when there is nothing to do."""
    if db.engine.url.get_backend_name() != "sqlite":
        return None
    path = sqlite_file(db.engine.url)
    if not sqlite_has_tables(path):
        return None
    heads = set(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())
    if revision == "head" and _sqlite_revisions(path) == heads:
        return None
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    folder = backup_dir()
    target, number = folder / f"{stamp}.sqlite", 1
    while target.exists():
        number += 1
        target = folder / f"{stamp}-{number}.sqlite"
    backup_sqlite(path, target)
    return target


def _upgrade_command(original: click.Command) -> click.Command:
    def upgrade(**options):
        if not options.get("sql"):
            try:
                saved = backup_before_upgrade(options.get("revision") or "head")
            except BackupError as error:
                raise click.ClickException(f"Not upgraded: the backup before the upgrade failed. {error}") from None
            if saved is not None:
                click.echo(f"Backed up the database to {saved} before upgrading.")
        original.callback(**options)

    return click.Command(
        "upgrade", callback=with_appcontext(upgrade), params=list(original.params),
        help=(original.help or "Upgrade to a later version") + "\n\nOn SQLite the database is first backed up to "
        "ESAFE_BACKUP_DIR (default: the instance folder's backups/).",
        short_help="Upgrade to a later version (backs up SQLite first)",
    )


def db_group() -> click.Group:
    from flask_migrate.cli import db as migrate_db

    commands = dict(migrate_db.commands)
    commands["upgrade"] = _upgrade_command(migrate_db.commands["upgrade"])
    return click.Group("db", commands=commands, params=list(migrate_db.params), callback=migrate_db.callback,
                       help=migrate_db.help)


def init_app(app) -> None:
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(db_group(), "db")  # replaces Flask-Migrate's group, registered in create_app before
