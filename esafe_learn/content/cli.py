"""`esafe-learn packs validate|install PATH`: check and install content packs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..paths import LESSONS_DIR
from .services import PackError, install_pack, pack_paths, validate_pack

packs_cli = AppGroup("packs", help="Check and install content packs (folders of Markdown lessons).")


def _pack_dirs_or_exit(path: Path) -> list[Path]:
    dirs = pack_paths(path)
    if not dirs:
        raise click.ClickException(f"{path} holds no pack: a pack is a folder with a pack.yaml file.")
    return dirs


@packs_cli.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate_command(path: Path):
    """Check a pack (or a folder of packs) and print every problem as file:line: message."""
    failed = False
    for pack_dir in _pack_dirs_or_exit(path):
        _data, problems = validate_pack(pack_dir)
        errors = [p for p in problems if p.is_error]
        for problem in problems:
            click.echo(f"{pack_dir.name}/{problem}", err=problem.is_error)
        status = f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)"
        click.echo(f"{pack_dir.name}: {'invalid' if errors else 'valid'} ({status})")
        failed = failed or bool(errors)
    if failed:
        sys.exit(1)


def install_all(path: Path, echo=click.echo) -> None:
    """Install each pack under `path`, one transaction each; stop at the first pack with errors."""
    for pack_dir in _pack_dirs_or_exit(path):
        try:
            with click.progressbar(length=_lesson_file_count(pack_dir), label=f"Installing {pack_dir.name}",
                                   file=sys.stderr) as bar:
                result = install_pack(pack_dir, progress=bar.update)
        except PackError as error:
            db.session.rollback()
            for problem in error.problems:
                echo(f"{pack_dir.name}/{problem}", err=True)
            raise click.ClickException(f"{pack_dir.name} has errors, so nothing from it was installed.") from None
        db.session.commit()
        echo(f"{result.slug} {result.version}: {result.added} added, {result.updated} updated, "
             f"{result.unchanged} unchanged, {result.retired} retired.")


def _lesson_file_count(pack_dir: Path) -> int:
    return sum(1 for p in pack_dir.rglob("*.md") if not p.name.endswith(".easy.md")) or 1


@packs_cli.command("install")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def install_command(path: Path):
    """Validate, then install a pack or every pack in a folder."""
    install_all(path)


def install_bundled_packs() -> None:
    """The demo's step: every pack shipped in lessons/."""
    install_all(LESSONS_DIR)


def init_app(app) -> None:
    app.cli.add_command(packs_cli)
    app.extensions.setdefault("esafe_demo_steps", []).append(install_bundled_packs)
