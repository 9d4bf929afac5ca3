"""`flask moderation ...` commands: scoring workers and boards' moderation settings."""

from __future__ import annotations

import contextlib

import click
from flask.cli import AppGroup
from sqlalchemy import select

from models import Board, db, write_intent

from .settings import FALLBACKS, LABELS, LEVELS
from .workflow import board_settings, jobs

# How long `sweep` waits for in-process jobs before giving up (they are swept again later).
SWEEP_WAIT_SECONDS = 3600.0
# How often a running RQ worker looks for posts whose scoring was lost.
SWEEP_EVERY_SECONDS = 60

moderation_cli = AppGroup("moderation", help="Scoring workers and moderation settings.")


def _worker_class():  # type: ignore[no-untyped-def]
    from rq import SimpleWorker

    class Worker(SimpleWorker):
        """Runs each job in this process, inside the command's application context, and
        hands the database session back afterwards: the next job starts afresh."""

        def perform_job(self, job, queue) -> bool:  # type: ignore[no-untyped-def]
            try:
                return super().perform_job(job, queue)
            finally:
                db.session.remove()

        def run_maintenance_tasks(self) -> None:
            """RQ's own upkeep (abandoned jobs back to be retried), then our sweep: posts
            whose job was lost (Redis down when they were posted, retries spent) are
            submitted again while the workers run, not only when one starts."""
            super().run_maintenance_tasks()
            try:
                swept = jobs.sweep()
            except Exception:  # noqa: BLE001 - the next round tries again
                self.log.exception("sweep failed")
                swept = 0
            finally:
                db.session.remove()
            if swept:
                self.log.info("%d post(s) whose scoring was lost submitted again", swept)

    return Worker


@moderation_cli.command("worker")
@click.option("--burst", is_flag=True, help="Process the jobs waiting, then stop.")
def worker(burst: bool) -> None:
    """Run a scoring worker (RQ) when REDIS_URL is set."""
    runner = jobs.runner()
    if not isinstance(runner, jobs.RQRunner):
        raise click.ClickException("scoring runs in-process; set REDIS_URL to use workers")
    try:
        swept = jobs.sweep()
    finally:
        db.session.remove()
    click.echo(f"{swept} post(s) whose scoring was lost submitted again.")
    # The scheduler runs in a forked process: it inherits no pooled database connection.
    db.engine.dispose()
    # The scheduler puts retried jobs (Retry with intervals) back on the queue when due.
    # Upkeep and sweep every SWEEP_EVERY_SECONDS between jobs (RQ's default is 10 minutes);
    # an idle worker wakes for it at least every few minutes.
    _worker_class()(
        [runner.queue], connection=runner.redis, maintenance_interval=SWEEP_EVERY_SECONDS
    ).work(burst=burst, with_scheduler=True)


@moderation_cli.command("sweep")
def sweep() -> None:
    """Submit again the posts still awaiting their scores."""
    count = jobs.sweep()
    click.echo(f"{count} post(s) submitted again for scoring.")
    runner = jobs.runner()
    if count and isinstance(runner, jobs.InProcessRunner):
        # No REDIS_URL: the jobs run in this process, which must not end before them.
        click.echo("Scoring them in this process...")
        runner.stop(timeout=SWEEP_WAIT_SECONDS)


def _parse_threshold(raw: str) -> tuple[str, str, float | None]:
    """LEVEL.LABEL=VALUE; VALUE `default` removes the board's own value."""
    key, sep, value = raw.partition("=")
    level, dot, label = key.strip().partition(".")
    if not sep or not dot:
        raise click.BadParameter(f"{raw!r}: expected LEVEL.LABEL=VALUE", param_hint="--threshold")
    if level not in LEVELS:
        raise click.BadParameter(
            f"{raw!r}: level is one of {', '.join(LEVELS)}", param_hint="--threshold"
        )
    if label not in LABELS:
        raise click.BadParameter(
            f"{raw!r}: label is one of {', '.join(LABELS)}", param_hint="--threshold"
        )
    value = value.strip()
    if value == "default":
        return level, label, None
    try:
        number = float(value)
    except ValueError:
        raise click.BadParameter(
            f"{raw!r}: {value!r} is not a number", param_hint="--threshold"
        ) from None
    return level, label, number


def _echo_settings(board: Board) -> None:
    own = board_settings.overrides(board)
    merged = board_settings.effective(board)
    click.echo(f"Board {board.slug} ({board.name})")
    click.echo(f"  quorum:            {board.quorum}")
    click.echo(f"  new member holds:  {board.new_member_holds}")
    click.echo(f"  fallback:          {board.fallback}")
    click.echo(f"  report threshold:  {board.report_threshold:g}")
    indexed = "no" if board.members_only or board.noindex else "yes"
    click.echo(f"  search engines:    {indexed}")
    click.echo("Thresholds (* = this board's own value, otherwise the default):")
    click.echo(f"  {'label':<17}" + "".join(f"{level:>9}" for level in LEVELS))
    for label in LABELS:
        cells = "".join(
            f"{merged[level][label]:>8g}{'*' if label in own.get(level, {}) else ' '}"
            for level in LEVELS
        )
        click.echo(f"  {label:<17}{cells}")


@moderation_cli.command("settings")
@click.argument("slug")
@click.option("--quorum", type=int, help="Moderators who must agree to remove or sanction.")
@click.option("--new-member-holds", type=int, help="First posts of a newcomer held for review.")
@click.option("--fallback", type=click.Choice(FALLBACKS), help="When the scorer fails.")
@click.option("--report-threshold", type=float, help="Report weight that hides a post.")
@click.option(
    "--threshold",
    "threshold_values",
    multiple=True,
    metavar="LEVEL.LABEL=VALUE",
    help="e.g. hold.toxicity=0.7; VALUE `default` drops the board's own value. Repeatable.",
)
@click.option("--reset-thresholds", is_flag=True, help="Back to the default thresholds.")
@click.option(
    "--noindex/--index",
    default=None,
    help="Ask search engines not to index this board, or let them (members-only: never).",
)
def settings_command(
    slug: str,
    quorum: int | None,
    new_member_holds: int | None,
    fallback: str | None,
    report_threshold: float | None,
    threshold_values: tuple[str, ...],
    reset_thresholds: bool,
    noindex: bool | None,
) -> None:
    """Show a board's moderation settings, and change the ones given."""
    parsed = [_parse_threshold(raw) for raw in threshold_values]
    changing = (
        reset_thresholds
        or bool(parsed)
        or any(
            value is not None
            for value in (quorum, new_member_holds, fallback, report_threshold, noindex)
        )
    )
    with write_intent() if changing else contextlib.nullcontext():
        board = db.session.scalar(select(Board).where(Board.slug == slug))
        if board is None:
            raise click.ClickException(f"No board with the slug {slug!r}.")
        if changing:
            wanted = {} if reset_thresholds else board_settings.overrides(board)
            for level, label, value in parsed:
                if value is None:
                    wanted.get(level, {}).pop(label, None)
                else:
                    wanted.setdefault(level, {})[label] = value
            changes = board_settings.Changes(
                quorum=quorum,
                new_member_holds=new_member_holds,
                fallback=fallback,
                report_threshold=report_threshold,
                noindex=noindex,
                thresholds={level: values for level, values in wanted.items() if values},
                replace_thresholds=reset_thresholds or bool(parsed),
            )
            try:
                board_settings.change(board, changes)
            except board_settings.InvalidSettings as error:
                db.session.rollback()
                raise click.ClickException(f"Nothing changed: {error}") from error
            click.echo(f"Settings of {slug} changed.")
        _echo_settings(board)
