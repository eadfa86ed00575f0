"""`esafe-learn retention`: what the retention rules remove now (--dry-run, the default) or remove it (--apply)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..security_log import log_event
from ..timeutil import school_today
from . import retention


@click.command("retention")
@click.option("--apply", "apply_", is_flag=True, help="Delete and anonymise what is due (default: only show it).")
@click.option("--dry-run", is_flag=True, help="Show what would be removed and change nothing (the default).")
@click.option("--school", "slug", default=None, help="Only this school (its short name).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, hidden=True)
@with_appcontext
def retention_command(apply_: bool, dry_run: bool, slug: str | None, today):
    """Apply the retention rules: learning records after the school's period; concerns flagged, never deleted."""
    if apply_ and dry_run:
        raise click.UsageError("Choose --apply or --dry-run, not both.")
    school = None
    if slug:
        from ..cli import _school_or_exit

        school = _school_or_exit(slug)
    day = today.date() if today else school_today()
    result = retention.plan(day, school)
    verb = "Deleted" if apply_ else "Would delete"
    for item in result.pupils:
        rows = ", ".join(f"{count} {table}" for table, count in sorted(item.rows.items())) or "no records"
        name = "name kept (a safeguarding concern names them)" if item.keep_name else "account anonymised"
        click.echo(f"Pupil {item.user_id} (school {item.school_id}, kept until {item.due_after}): "
                   f"{verb.lower()} {rows}; {name}.")
    click.echo(f"{verb} the learning records of {len(result.pupils)} pupil(s) who left.")
    click.echo(f"Safeguarding concerns due for the DSL's review (never deleted automatically): "
               f"{', '.join(map(str, result.concerns_due)) or 'none'}; on legal hold: {result.concerns_on_hold}.")
    if apply_:
        retention.apply(result)
        db.session.commit()
        log_event("retention_applied", pupils=len(result.pupils), concerns_flagged=len(result.concerns_due))
    else:
        db.session.rollback()
        click.echo("Dry run: nothing was changed. Run with --apply to do it.")


@click.command("reset-two-step")
@click.argument("username")
@with_appcontext
def reset_two_step_command(username: str):
    """Turn off an account's two-step sign-in (lost phone and recovery codes); it is set up again at sign-in."""
    from sqlalchemy import select

    from ..auth import mfa
    from ..auth.models import User
    from ..auth.services import end_all_sessions, normalise_username

    user = db.session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise click.ClickException(f"No account with the username {username!r}.")
    mfa.disable(user)
    end_all_sessions(user)
    db.session.commit()
    log_event("mfa_reset", target_user_id=user.id, by="cli")
    click.echo(f"Two-step sign-in is off for {user.username}; every session has ended.")
