"""What the group's rhythm costs: the pages and feeds of issue 18, measured in one process.

    .venv/bin/python bench/meetings_bench.py [--boards 60] [--repeat 5] [--requests 40]

Builds a SQLite database in a temporary folder: the French demo, plus `--boards` boards
that each meet weekly with a one-off change and open "Entre deux rencontres" threads. Then
it prints, for each page, the best of `--repeat` rounds of `--requests` requests through
Flask's test client (ms per request, wall time, steadier than wrk on a shared machine), the
number of SQL statements per request, and the cost of the per-minute task (`open_due`) when
nothing is due and when every board is due. Compare with the same pages at an earlier
commit by running the script there (pages that did not exist are skipped).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402


def build(folder: Path, boards: int):  # type: ignore[no-untyped-def]
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "RATE_LIMITS": "off",
            "WTF_CSRF_ENABLED": False,
            "MODERATION_MODEL": "tests.scorers:Calm",
            "MODERATION_FIRST_SWEEP_SECONDS": 3600,
        }
    )
    with app.app_context():
        upgrade()
    print(app.test_cli_runner().invoke(args=["forum", "seed-demo"]).output.strip())
    with app.app_context():
        from forum.boards import services
        from models import Frequency, MeetingChange, MeetingMode, MeetingSchedule, db

        for n in range(boards):
            board = services.create_board(f"groupe-{n}", f"Groupe {n}", "emotions")
            board.between_threads = True
            schedule = MeetingSchedule(
                board_id=board.id,
                frequency=Frequency.WEEKLY,
                weekday=n % 7,
                minute_of_day=18 * 60 + (n % 4) * 15,
                duration_minutes=90,
                timezone="Europe/Paris" if n % 3 else "America/Montreal",
                mode=MeetingMode.IN_PERSON,
                place=f"Salle {n}",
                starts_on=date.today() - timedelta(days=60),
            )
            db.session.add(schedule)
            db.session.flush()
            day = schedule.starts_on + timedelta(days=(n % 7 - schedule.starts_on.weekday()) % 7)
            db.session.add(
                MeetingChange(
                    schedule_id=schedule.id,
                    occurrence_on=day + timedelta(weeks=9),
                    cancelled=True,
                    note="Salle fermée",
                )
            )
        db.session.commit()
    return app


def timed(app, url: str, repeat: int, requests: int) -> tuple[float, float, int] | None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    if client.get(url).status_code != 200:
        return None
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for _ in range(requests):
            client.get(url)
        rounds.append((time.perf_counter() - started) / requests * 1000)
    with app.app_context():
        from models import db

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        client.get(url)
        event.remove(engine, "before_cursor_execute", count)
    return min(rounds), statistics.median(rounds), statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = build(Path(tmp), args.boards)
        with app.app_context():
            from forum.meetings import between
            from models import db, write_intent

            with write_intent():
                started = time.perf_counter()
                opened = between.open_due()
                first = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                again = between.open_due()
                idle = (time.perf_counter() - started) * 1000
            db.session.remove()
        print(
            f"\nopen_due, {args.boards + 1} boards with threads on: "
            f"{opened} opened in {first:.0f} ms; then nothing due ({again}) in {idle:.1f} ms"
        )
        pages = [
            ("home /", "/"),
            ("board with meetings /boards/deuil", "/boards/deuil"),
            ("board without /boards/anxiete", "/boards/anxiete"),
            ("meetings page /boards/deuil/meetings", "/boards/deuil/meetings"),
            ("public feed /boards/deuil/meetings.ics", "/boards/deuil/meetings.ics"),
            ("small victories /boards/depression/victories", "/boards/depression/victories"),
            ("join page /join/<unknown>", "/join/ABCDEFGH"),
        ]
        print("\n| page | best ms/req | median ms/req | SQL statements |\n|---|---:|---:|---:|")
        for label, url in pages:
            result = timed(app, url, args.repeat, args.requests)
            if result is None:
                print(f"| {label} | (not 200) | | |")
                continue
            best, median, statements = result
            print(f"| {label} | {best:.2f} | {median:.2f} | {statements} |")


if __name__ == "__main__":
    main()
