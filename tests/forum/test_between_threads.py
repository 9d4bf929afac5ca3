"""The "Entre deux rencontres" threads: opened once after each meeting (by the per-minute
task, the command or the first visit, however many threads and processes try at once),
closed onto the next one without losing a reply, signed by the moderators, set by them."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from forum.meetings import between
from models import (
    BetweenThread,
    Board,
    MeetingChange,
    MeetingSchedule,
    Post,
    PostStatus,
    Thread,
    db,
    utcnow,
)
from moderation.workflow import jobs
from tests import factories

NBSP = "\u00a0"
EN = {"Accept-Language": "en"}
WORKERS = 6
# Weekly on Thursdays at 19 h in Paris: 18:00 UTC in winter, over at 19:30 UTC.
AFTER_DEC_11 = datetime(2025, 12, 11, 20, 0)
AFTER_DEC_18 = datetime(2025, 12, 18, 20, 0)
AFTER_DEC_25 = datetime(2025, 12, 25, 20, 0)


def weekly(board: Board, **fields) -> MeetingSchedule:  # type: ignore[no-untyped-def]
    values = {
        "frequency": "weekly",
        "weekday": 3,  # Thursday
        "minute_of_day": 19 * 60,
        "duration_minutes": 90,
        "timezone": "Europe/Paris",
        "mode": "in_person",
        "place": "",
        "starts_on": date(2025, 11, 6),
    }
    values.update(fields)
    schedule = MeetingSchedule(board_id=board.id, **values)
    db.session.add(schedule)
    db.session.commit()
    return schedule


def recent(board: Board) -> MeetingSchedule:
    """Weekly, the last meeting two days ago (10:00-11:30 UTC), the next in five days:
    for what runs at the real time (pages, the command)."""
    last = utcnow().date() - timedelta(days=2)
    return weekly(
        board,
        weekday=last.weekday(),
        minute_of_day=10 * 60,
        timezone="UTC",
        starts_on=last - timedelta(days=21),
    )


def group(slug: str = "groupe", **fields) -> Board:  # type: ignore[no-untyped-def]
    fields.setdefault("between_threads", True)
    board = factories.board(slug, **fields)
    weekly(board)
    return board


def threads_of(board_id: int) -> list[Thread]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Thread).where(Thread.board_id == board_id).order_by(Thread.id))
    )


def content(app) -> dict:  # type: ignore[no-untyped-def]
    """What the settings page could write (signing in and out writes to the account)."""
    tables = ("boards", "threads", "posts", "between_threads")
    return {name: rows for name, rows in factories.database(app).items() if name in tables}


def rows_of(board_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(BetweenThread).where(BetweenThread.board_id == board_id)
    )


# Opening, once per meeting


def test_after_a_meeting_one_thread_opens_with_the_dates_and_the_moderators_text(app):
    with app.app_context():
        board = group(between_text="Comment s'est passée **votre** semaine ?")
        assert between.open_due(now=AFTER_DEC_11) == 1
        assert between.open_due(now=AFTER_DEC_11) == 0
        assert between.open_due(now=AFTER_DEC_11 + timedelta(days=3)) == 0
        [thread] = threads_of(board.id)
        assert thread.title == f"Entre deux rencontres{NBSP}: 11 déc. → 18 déc."
        assert thread.status == PostStatus.PUBLISHED
        assert thread.is_pinned and thread.closed_at is None
        assert thread.author_id is None and thread.signed_as == "moderators"
        first = factories.root_post(thread)
        assert first.body == "Comment s'est passée **votre** semaine ?"
        assert "<strong>votre</strong>" in first.html
        assert first.status == PostStatus.PUBLISHED
        assert first.author_id is None and first.signed_as == "moderators"
        row = db.session.get(BetweenThread, (board.id, datetime(2025, 12, 11, 18, 0)))
        assert row is not None and row.thread_id == thread.id
        assert row.next_meeting_at == datetime(2025, 12, 18, 18, 0)


def test_without_a_text_of_their_own_a_gentle_default_opens_the_thread(app):
    with app.app_context():
        board = group()
        between.open_due(now=AFTER_DEC_11)
        first = factories.root_post(threads_of(board.id)[0])
        assert first.body == between.default_text()
        assert "rencontres" in first.body  # the site's language, French


def test_the_next_meeting_opens_the_next_thread_and_closes_the_first(app):
    with app.app_context():
        board = group()
        between.open_due(now=AFTER_DEC_11)
        factories.reply(threads_of(board.id)[0], factories.user("Sam"), "Dure semaine.")
        assert between.open_due(now=AFTER_DEC_18) == 1
        first, second = threads_of(board.id)
        assert second.title == f"Entre deux rencontres{NBSP}: 18 déc. → 25 déc."
        assert second.is_pinned and second.closed_at is None
        assert first.closed_at == AFTER_DEC_18
        assert first.continued_in_id == second.id
        assert not first.is_pinned
        assert first.reply_count == 1  # what was said there stays
        assert rows_of(board.id) == 2


def test_a_cancelled_meeting_opens_nothing_and_the_dates_skip_it(app):
    with app.app_context():
        board = group()
        schedule = db.session.scalars(select(MeetingSchedule)).one()
        between.open_due(now=AFTER_DEC_11)
        db.session.add(
            MeetingChange(schedule_id=schedule.id, occurrence_on=date(2025, 12, 18), cancelled=True)
        )
        db.session.commit()
        assert between.open_due(now=AFTER_DEC_18) == 0
        assert between.open_due(now=AFTER_DEC_25) == 1
        assert threads_of(board.id)[-1].title == (f"Entre deux rencontres{NBSP}: 25 déc. → 1 janv.")
        # Known before the thread opens, the cancelled meeting is not the next one.
        other = factories.board("autre", between_threads=True)
        other_schedule = weekly(other)
        db.session.add(
            MeetingChange(
                schedule_id=other_schedule.id, occurrence_on=date(2025, 12, 18), cancelled=True
            )
        )
        db.session.commit()
        between.open_due(now=AFTER_DEC_11)
        assert threads_of(other.id)[0].title == (f"Entre deux rencontres{NBSP}: 11 déc. → 25 déc.")


def test_when_no_next_meeting_is_known_the_title_says_since(app):
    with app.app_context():
        board = factories.board("dernier", between_threads=True)
        weekly(board, ends_on=date(2025, 12, 11))
        assert between.open_due(now=AFTER_DEC_11) == 1
        [thread] = threads_of(board.id)
        assert thread.title == f"Entre deux rencontres{NBSP}: depuis le 11 déc."
        assert db.session.scalars(select(BetweenThread)).one().next_meeting_at is None


def test_the_dates_are_the_group_s_own(app):
    """Thursdays at 21 h in Montréal are Fridays in UTC: the title says Thursday's date."""
    with app.app_context():
        board = factories.board("montreal", between_threads=True)
        weekly(board, minute_of_day=21 * 60, timezone="America/Montreal")
        assert between.open_due(now=datetime(2025, 12, 12, 4, 0)) == 1
        assert threads_of(board.id)[0].title == f"Entre deux rencontres{NBSP}: 11 déc. → 18 déc."


def test_a_board_without_between_threads_or_with_an_old_schedule_opens_nothing(app):
    with app.app_context():
        off = group("sans", between_threads=False)
        old = factories.board("ancien", between_threads=True)
        weekly(old, starts_on=date(2025, 6, 5), ends_on=date(2025, 10, 16))
        assert between.open_due(now=AFTER_DEC_11) == 0
        assert threads_of(off.id) == [] and threads_of(old.id) == []
        assert db.session.scalar(select(func.count()).select_from(BetweenThread)) == 0


def test_the_primary_key_stops_a_second_opening_that_slipped_past_the_checks(app, monkeypatch):
    """Another process inserted its row between our check and our insert: the key
    refuses ours, everything of ours is rolled back, and the first thread stays open."""
    with app.app_context():
        board = group()
        between.open_due(now=AFTER_DEC_11)
        monkeypatch.setattr(between, "latest", lambda board_id: None)
        assert between.open_due(now=AFTER_DEC_11) == 0
        [thread] = threads_of(board.id)
        assert thread.closed_at is None and thread.is_pinned
        assert db.session.scalar(select(func.count()).select_from(Post)) == 1
        assert rows_of(board.id) == 1


def test_concurrent_openers_open_exactly_one_thread(app):
    with app.app_context():
        board_id = group().id
    barrier = threading.Barrier(WORKERS)
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                results.append(between.open_due(now=AFTER_DEC_11))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert sorted(results) == [0] * (WORKERS - 1) + [1]
    with app.app_context():
        assert len(threads_of(board_id)) == 1
        assert rows_of(board_id) == 1


def _open_in_a_process(url, now, barrier, saw_due, results) -> None:  # type: ignore[no-untyped-def]
    """A process of its own (spawned): its own application, engine and connections."""
    from app import create_app
    from forum.meetings import between as own
    from moderation.workflow import jobs as own_jobs

    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "processes",
            "DATABASE_URL": url,
            "MODERATION_MODEL": "tests.scorers:Calm",
            "MODERATION_FIRST_SWEEP_SECONDS": 3600,
        }
    )
    due = own.due

    def reporting_due(*args):  # type: ignore[no-untyped-def]
        found = due(*args)
        saw_due.put(found is not None)
        return found

    own.due = reporting_due
    try:
        with application.app_context():
            barrier.wait(timeout=120)
            results.put(own.open_due(now=now))
    finally:
        own_jobs.stop(application)


def test_processes_that_all_see_the_thread_due_open_it_once(app, backend):
    """Every process reads the thread as due before any may write (the test holds the
    write lock: SQLite's, or the board's row on PostgreSQL), then all write at once."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        board_id = group().id
    context = multiprocessing.get_context("spawn")
    barrier, saw_due, results = context.Barrier(3), context.Queue(), context.Queue()
    processes = [
        context.Process(
            target=_open_in_a_process, args=(url, AFTER_DEC_11, barrier, saw_due, results)
        )
        for _ in range(3)
    ]
    with _write_lock(url, backend, board_id):
        for process in processes:
            process.start()
        assert [saw_due.get(timeout=120) for _ in processes] == [True] * 3
    opened = sorted(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    assert opened == [0, 0, 1]
    with app.app_context():
        assert len(threads_of(board_id)) == 1
        assert rows_of(board_id) == 1


class _write_lock:  # noqa: N801 - used as a context manager
    def __init__(self, url: str, backend: str, board_id: int) -> None:
        self.url, self.backend, self.board_id = url, backend, board_id

    def __enter__(self) -> None:
        if self.backend == "sqlite":
            self.connection = sqlite3.connect(make_url(self.url).database, isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")
        else:
            self.engine = create_engine(self.url)
            self.connection = self.engine.connect()
            self.connection.execute(
                text("SELECT id FROM boards WHERE id = :id FOR UPDATE"), {"id": self.board_id}
            )

    def __exit__(self, *exc: object) -> None:
        if self.backend == "sqlite":
            self.connection.execute("ROLLBACK")
            self.connection.close()
        else:
            self.connection.rollback()
            self.connection.close()
            self.engine.dispose()


def test_the_per_minute_task_and_the_command_open_due_threads(app, runner):
    with app.app_context():
        board = factories.board("groupe", between_threads=True)
        recent(board)
        board_id = board.id
        assert between._periodic in app.extensions[jobs.PERIODIC]
        jobs._run_periodic(app)
        assert len(threads_of(board_id)) == 1
        other = factories.board("autre", between_threads=True)
        recent(other)
    result = runner.invoke(args=["forum", "open-between-threads"])
    assert result.exit_code == 0, result.output
    assert "1 between-meetings thread(s) opened." in result.output
    again = runner.invoke(args=["forum", "open-between-threads"])
    assert "0 between-meetings thread(s) opened." in again.output


# The first visit


def test_the_first_visit_of_the_board_opens_the_due_thread_once(app, client):
    with app.app_context():
        board = factories.board("groupe", between_threads=True)
        recent(board)
        board_id = board.id
    page = client.get("/boards/groupe", headers=EN)
    assert page.status_code == 200
    with app.app_context():
        [thread] = threads_of(board_id)
        title = thread.title
    shown = factories.text(page)
    assert title in shown and "the moderators" in shown and "former member" not in shown
    assert client.get("/boards/groupe").status_code == 200
    with app.app_context():
        assert len(threads_of(board_id)) == 1


def test_concurrent_first_visits_open_one_thread(app):
    with app.app_context():
        board = factories.board("groupe", between_threads=True)
        recent(board)
        board_id = board.id
    barrier = threading.Barrier(WORKERS)
    statuses: list[int] = []

    def visit() -> None:
        client = app.test_client()
        barrier.wait(timeout=30)
        statuses.append(client.get("/boards/groupe").status_code)

    workers = [threading.Thread(target=visit) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert statuses == [200] * WORKERS
    with app.app_context():
        assert len(threads_of(board_id)) == 1
        assert rows_of(board_id) == 1


def test_the_board_page_checks_in_one_query_while_the_next_meeting_is_ahead(
    app, client, count_queries
):
    with app.app_context():
        board = factories.board("groupe", between_threads=True)
        recent(board)
    client.get("/boards/groupe")  # opens it

    def queries() -> int:
        before = count_queries.count
        assert client.get("/boards/groupe").status_code == 200
        return count_queries.count - before

    with_threads = queries()
    with app.app_context():
        db.session.execute(db.update(Board).values(between_threads=False))
        db.session.commit()
    assert with_threads == queries() + 1


# Closed threads


@pytest.fixture
def closed(app):  # type: ignore[no-untyped-def]
    """Sam answered in the thread of 11 December; the one of 18 December is open."""
    with app.app_context():
        board = group()
        factories.user("Lou")
        between.open_due(now=AFTER_DEC_11)
        old = threads_of(board.id)[0]
        answer = factories.reply(old, factories.user("Sam"), "Ma semaine a été dure.")
        between.open_due(now=AFTER_DEC_18)
        new = threads_of(board.id)[1]
        return {"board": board.id, "old": old.id, "new": new.id, "answer": answer.id}


def test_a_reply_to_a_closed_thread_comes_back_ready_for_the_new_one(app, client, closed):
    factories.login(client, "Lou")
    words = "Je pense à vous tous, à jeudi."
    refused = client.post(
        f"/threads/{closed['old']}/reply",
        data={"body": words, "parent_id": str(closed["answer"])},
        headers=EN,
    )
    assert refused.status_code == 409
    page = factories.text(refused)
    assert words in page
    assert "This thread is closed to new replies." in page
    assert f'action="/threads/{closed["new"]}/reply"' in page
    assert f'href="/threads/{closed["new"]}"' in page
    assert 'name="parent_id"' not in page  # the message answered stays behind
    with app.app_context():
        assert db.session.get(Thread, closed["old"]).reply_count == 1
    posted = client.post(f"/threads/{closed['new']}/reply", data={"body": words})
    assert posted.status_code == 302
    with app.app_context():
        reply = db.session.scalars(select(Post).where(Post.body == words)).one()
        assert reply.thread_id == closed["new"] and reply.status == PostStatus.PUBLISHED
    # Asked for the form, the member is shown the way on as well.
    form = client.get(f"/threads/{closed['old']}/reply?parent_id={closed['answer']}", headers=EN)
    assert form.status_code == 200
    assert f'action="/threads/{closed["new"]}/reply"' in factories.text(form)


def test_the_closed_thread_shows_the_way_on_and_still_lets_authors_edit(app, client, closed):
    factories.login(client, "Sam")
    page = factories.text(client.get(f"/threads/{closed['old']}", headers=EN))
    assert "This thread is closed to new replies." in page
    assert f'href="/threads/{closed["new"]}"' in page
    assert 'id="reply"' not in page and "reply?parent_id" not in page
    assert f'href="/posts/{closed["answer"]}/edit"' in page
    edited = client.post(f"/posts/{closed['answer']}/edit", data={"body": "Dure, mais ça va."})
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Post, closed["answer"]).body == "Dure, mais ça va."
    new_page = factories.text(client.get(f"/threads/{closed['new']}", headers=EN))
    assert 'id="reply"' in new_page and "closed to new replies" not in new_page


def test_an_older_closed_thread_points_to_the_open_one(app, client, closed):
    with app.app_context():
        between.open_due(now=AFTER_DEC_25)
        newest = threads_of(closed["board"])[-1].id
    page = factories.text(client.get(f"/threads/{closed['old']}", headers=EN))
    assert f'href="/threads/{newest}"' in page


def test_the_moderators_sign_without_a_pseudonym_everywhere(app, client, closed):
    with app.app_context():
        slug = db.session.get(Board, closed["board"]).slug
    for url in (
        f"/boards/{slug}",
        f"/threads/{closed['new']}",
        "/search?q=rencontres",
    ):
        page = factories.text(client.get(url, headers=EN))
        assert "the moderators" in page, url
        assert "former member" not in page, url


def test_between_threads_wait_for_nobody_in_unanswered(app, client, closed):
    with app.app_context():
        slug = db.session.get(Board, closed["board"]).slug
        lonely = factories.thread(
            db.session.get(Board, closed["board"]), factories.user("Seul"), "Seul ce soir"
        )
    for url in (f"/boards/{slug}/unanswered", "/unanswered"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert f'href="/threads/{lonely.id}"' in page, url
        assert f'href="/threads/{closed["new"]}"' not in page, url


# Settings


def test_only_the_board_s_moderators_reach_the_settings(app, client):
    with app.app_context():
        board = factories.board("groupe")
        elsewhere = factories.board("ailleurs")
        factories.moderator(board, factories.user("Modo"))
        factories.moderator(elsewhere, factories.user("Autre"))
        factories.user("Lou")
        before = content(app)
    url = "/moderation/boards/groupe/between"
    assert client.get(url).status_code == 302  # to sign in
    for name in ("Lou", "Autre"):
        factories.login(client, name)
        assert client.get(url).status_code == 403
        refused = client.post(url, data={"between_threads": "y", "between_text": "Coucou"})
        assert refused.status_code == 403
        client.post("/logout")
    assert content(app) == before
    factories.login(client, "Modo")
    assert client.get(url).status_code == 200
    assert client.get("/moderation/boards/nulle-part/between").status_code == 404


@pytest.mark.parametrize(
    "words",
    ["x" * (between.TEXT_MAX + 1), "\u200b\u200b\u2060", "Bonjour\x00"],
    ids=["too-long", "invisible", "nul"],
)
def test_bad_settings_are_refused_and_change_nothing(app, client, words):
    with app.app_context():
        board = factories.board("groupe", between_text="Le texte d'avant.")
        factories.moderator(board, factories.user("Modo"))
        before = content(app)
    factories.login(client, "Modo")
    answer = client.post(
        "/moderation/boards/groupe/between",
        data={"between_threads": "y", "between_text": words},
        headers=EN,
    )
    assert answer.status_code == 400
    assert 'class="errors"' in answer.get_data(as_text=True)
    assert content(app) == before


def test_turning_on_opens_the_thread_and_a_new_text_updates_its_first_post(app, client):
    with app.app_context():
        board = factories.board("groupe")
        recent(board)
        factories.moderator(board, factories.user("Modo"))
        board_id = board.id
    factories.login(client, "Modo")
    url = "/moderation/boards/groupe/between"
    assert client.post(url, data={"between_threads": "y", "between_text": ""}).status_code == 302
    with app.app_context():
        [thread] = threads_of(board_id)
        first = factories.root_post(thread)
        assert first.body == between.default_text() and first.revision == 1
    saved = client.post(url, data={"between_threads": "y", "between_text": "Et **vous** ?"})
    assert saved.status_code == 302
    with app.app_context():
        assert len(threads_of(board_id)) == 1
        first = db.session.get(Post, first.id)
        assert first.body == "Et **vous** ?" and "<strong>vous</strong>" in first.html
        assert first.revision == 2 and first.signed_as == "moderators"
        board = db.session.get(Board, board_id)
        assert board.between_threads and board.between_text == "Et **vous** ?"
    assert client.post(url, data={"between_text": "Et **vous** ?"}).status_code == 302
    with app.app_context():
        assert not db.session.get(Board, board_id).between_threads
