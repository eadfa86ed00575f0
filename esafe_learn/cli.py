"""The `esafe-learn` command: Flask's CLI group with the app's own commands added."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .database import write_intent
from .extensions import db


def _create_app(*_args, **_kwargs):
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, load_dotenv=False)
def main():
    """esafe-learn: online safety lessons and safeguarding evidence for UK schools."""
    write_intent.set(True)  # commands write; see esafe_learn.database


def _school_or_exit(slug: str):
    from .schools.models import School

    school = db.session.scalar(db.select(School).where(School.slug == slug.strip().lower()))
    if school is None:
        raise click.ClickException(f"No school with the short name {slug!r}. See `esafe-learn create-school`.")
    return school


@click.command("create-school")
@click.option("--name", required=True, help="The school's full name.")
@click.option("--slug", required=True, help="A short name (lowercase letters, digits, dashes), used in usernames.")
@with_appcontext
def create_school_command(name: str, slug: str):
    """Create a school (a tenant of this deployment)."""
    from .schools.services import SetupError, create_school

    try:
        school = create_school(name, slug)
    except SetupError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created school {school.name} ({school.slug}).")


@click.command("create-user")
@click.option("--school", "slug", help="The school's short name (not for a deployment admin).")
@click.option("--username", required=True)
@click.option("--name", "display_name", required=True, help="Display name, e.g. 'Mrs Patel' or 'Amy B.'.")
@click.option("--role", required=True,
              type=click.Choice(["pupil", "teacher", "dsl", "school_admin", "deployment_admin"]))
@click.option("--year-group", type=int, help="For pupils: 0 for Reception, 1 to 13.")
@click.option("--online-leader", is_flag=True, help="For pupils: appoint as an Online Leader.")
@click.password_option(help="The first password (asked for when not given).")
@with_appcontext
def create_user_command(slug, username, display_name, role, year_group, online_leader, password):
    """Create a user of any role."""
    from .auth.passwords import password_problem
    from .schools.services import SetupError, create_user

    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    school = _school_or_exit(slug) if slug else None
    try:
        user = create_user(school, username, display_name, role, password=password, year_group=year_group)
    except SetupError as error:
        raise click.ClickException(str(error)) from None
    user.is_online_leader = online_leader and role == "pupil"
    db.session.commit()
    click.echo(f"Created {role} {user.username}.")


@click.command("import-roster")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "slug", required=True, help="The school's short name.")
@with_appcontext
def import_roster_command(csv_file: Path, slug: str):
    """Import pupils and classes from a CSV exported from the school's MIS."""
    from .schools.roster import apply_roster, check_roster

    school = _school_or_exit(slug)
    check = check_roster(csv_file.read_bytes(), school)
    if not check.ok:
        for error in check.errors:
            click.echo(error, err=True)
        raise click.ClickException("Nothing was imported. Fix the rows above and run the command again.")
    with click.progressbar(length=len(check.rows), label="Importing pupils", file=sys.stderr) as bar:
        result = apply_roster(check, school, progress=bar.update)
    db.session.commit()
    click.echo(f"{result.created} new pupils, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.classes_created} new classes.")


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Build the demo school and stop.")
@with_appcontext
def demo_command(host: str, port: int, no_serve: bool):
    """Build (or rebuild) the demo school, then serve the app."""
    from flask_migrate import upgrade

    from .demo import build_demo_school

    upgrade()
    for step in _demo_extra_steps():
        step()
    signins = build_demo_school()
    db.session.commit()
    address = f"http://{host}:{port}"
    click.echo(f"\nesafe-learn demo school is ready at {address}/\n")
    click.echo("Demo sign-ins (passwords are new each time the demo is built):")
    for label, username, password in signins.accounts:
        click.echo(f"  {label:<45} {username:<26} {password}")
    click.echo(f"  {'Young pupil (QR card link)':<45} {address}{signins.card_url_path}\n")
    if current_app.config.get("MFA_REQUIRED_ROLES"):
        roles = ", ".join(current_app.config["MFA_REQUIRED_ROLES"])
        click.echo(f"Two-step sign-in is required for: {roles}. Those accounts set it up with an authenticator app\n"
                   "the first time they sign in (set ESAFE_MFA_REQUIRED_ROLES to an empty value to try without).\n")
    if not no_serve:
        from werkzeug.serving import run_simple

        run_simple(host, port, current_app._get_current_object(), threaded=True)


def _demo_extra_steps():
    """Steps other features add to the demo (installing packs); kept in one list on the app."""
    return current_app.extensions.get("esafe_demo_steps", [])


def register_commands(app) -> None:
    for command in (create_school_command, create_user_command, import_roster_command, demo_command):
        app.cli.add_command(command)
