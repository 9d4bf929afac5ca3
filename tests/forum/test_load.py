"""Members replying at once into one thread through a real gunicorn: every accepted reply is
stored once, none without its answer, no 5xx, and the thread's count is right. A smaller
version of bench/load_bench.py (50 clients x 20 replies), on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter

from sqlalchemy import select

from models import Post, PostStatus, Thread, db
from tests import factories
from tests.conftest import ROOT

CLIENTS = 10
REPLIES = 5
WORKERS = 2


def load_bench():  # type: ignore[no-untyped-def]
    """bench/load_bench.py as a module: its server and clients, not its checks."""
    name = "entrenous_load_bench"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "load_bench.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_members_replying_at_once_through_gunicorn_lose_nothing(app, tmp_path):
    bench = load_bench()
    with app.app_context():
        board = factories.board("charge")
        members = [factories.user(f"Charge{n:02d}") for n in range(CLIENTS)]
        thread = factories.thread(board, members[0], "Un fil très actif", "Bienvenue.")
        thread_id = thread.id
        names = [member.pseudonym for member in members]
        author_of_client = {n: member.id for n, member in enumerate(members)}
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    log = tmp_path / "gunicorn.log"
    port = bench.free_port()
    server = bench.start_gunicorn(url, "tests.scorers:Calm", port, WORKERS, log)
    try:
        bench.wait_healthy(server, port, log)
        load = bench.run_clients(port, thread_id, names, REPLIES, factories.PASSWORD)
        assert server.poll() is None, log.read_text()[-2000:]
    finally:
        bench.stop_gunicorn(server)

    assert load.errors == []
    assert Counter(reply.status for reply in load.replies) == {302: CLIENTS * REPLIES}
    assert "Traceback" not in log.read_text()
    with app.app_context():
        stored = {
            post.id: post
            for post in db.session.scalars(
                select(Post).where(Post.thread_id == thread_id, Post.parent_id.is_not(None))
            )
        }
        # Each redirect names the post it created, by the member who wrote it; nothing else
        # was stored.
        assert sorted(reply.post_id for reply in load.replies) == sorted(stored)
        for reply in load.replies:
            post = stored[reply.post_id]
            assert post.body == reply.body
            assert post.author_id == author_of_client[reply.client]
            assert post.status == PostStatus.PUBLISHED
        assert db.session.get_one(Thread, thread_id).reply_count == CLIENTS * REPLIES
    # The bench's own checks agree.
    assert bench.check(load, bench.stored_replies(url, thread_id)) == []
    assert bench.summary(load)["server_errors"] == 0
