"""`flask forum ...` commands for operators."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from models import Board, User, db, write_intent

from .accounts import pseudonyms
from .boards import services

forum_cli = AppGroup("forum", help="Boards, members and demo data.")

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _member(pseudonym: str) -> User:
    user = db.session.scalar(
        select(User).where(User.pseudonym_key == pseudonyms.identity_key(pseudonym))
    )
    if user is None:
        raise click.ClickException(f"No member with the pseudonym {pseudonym!r}.")
    return user


@forum_cli.command("create-board")
@click.option("--slug", required=True, help="Lowercase letters, digits and dashes.")
@click.option("--name", required=True)
@click.option("--theme", required=True, help="Theme key, e.g. emotions, addictions, sante.")
@click.option("--description", default="")
@click.option("--members-only", is_flag=True, help="Hidden from visitors who are not signed in.")
def create_board(slug: str, name: str, theme: str, description: str, members_only: bool) -> None:
    """Create a board."""
    if not SLUG.match(slug):
        raise click.BadParameter(
            "use 1-64 lowercase letters, digits and dashes", param_hint="--slug"
        )
    if not name.strip() or len(name) > 120:
        raise click.BadParameter("1-120 characters", param_hint="--name")
    if not SLUG.match(theme):
        raise click.BadParameter("use lowercase letters, digits and dashes", param_hint="--theme")
    with write_intent():
        if db.session.scalar(select(Board).where(Board.slug == slug)):
            raise click.ClickException(f"A board with the slug {slug!r} already exists.")
        services.create_board(
            slug, name.strip(), theme, description=description, members_only=members_only
        )
    click.echo(f"Board {slug!r} created.")


@forum_cli.command("grant-moderator")
@click.argument("pseudonym")
@click.option("--board", "slug", required=True, help="Slug of the board.")
def grant_moderator(pseudonym: str, slug: str) -> None:
    """Make a member moderator of a board."""
    with write_intent():
        user = _member(pseudonym)
        board = db.session.scalar(select(Board).where(Board.slug == slug))
        if board is None:
            raise click.ClickException(f"No board with the slug {slug!r}.")
        if board not in user.moderated_boards:
            user.moderated_boards.append(board)
            db.session.commit()
    click.echo(f"{user.pseudonym} moderates {slug}.")


@forum_cli.command("grant-admin")
@click.argument("pseudonym")
def grant_admin(pseudonym: str) -> None:
    """Make a member a site admin."""
    with write_intent():
        user = _member(pseudonym)
        user.is_admin = True
        db.session.commit()
    click.echo(f"{user.pseudonym} is an admin.")


@forum_cli.command("seed-demo")
def seed_demo() -> None:
    """Create the French demo boards and threads (idempotent)."""
    from .demo import seed

    try:
        with write_intent():
            created = seed()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(f"Database error: {exc.__class__.__name__}") from exc
    click.echo(
        f"Demo ready: {created['boards']} new boards, {created['threads']} new threads, "
        f"{created['posts']} new posts."
    )


@forum_cli.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file (default: instance/backups/entrenous-YYYYMMDD-HHMMSS.db).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def backup(output: Path | None, force: bool) -> None:
    """Copy the SQLite database, consistently, while the server runs."""
    from . import backup as backups

    try:
        made = backups.backup_sqlite(
            backups.sqlite_file(db.engine.url),
            output or backups.default_output(current_app.instance_path),
            force=force,
        )
    except backups.BackupRefused as refusal:
        raise click.ClickException(str(refusal)) from refusal
    counts = ", ".join(f"{made.tables.get(t, 0)} {t}" for t in ("users", "threads", "posts"))
    click.echo(f"Backup written to {made.path} ({made.size:,} bytes; {counts}); integrity ok.")


@forum_cli.command("open-between-threads")
def open_between_threads() -> None:
    """Open the "between meetings" threads that are due (for cron; each app process also
    does it every minute). Safe to run anywhere at once: a thread opens once."""
    from .meetings import between

    try:
        opened = between.open_due()
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(f"Database error: {exc.__class__.__name__}") from exc
    click.echo(f"{opened} between-meetings thread(s) opened.")


def init_app(app: Flask) -> None:
    from moderation import model_cli  # noqa: F401 -- registers the model's commands
    from moderation.cli import moderation_cli

    app.cli.add_command(forum_cli)
    app.cli.add_command(moderation_cli)
