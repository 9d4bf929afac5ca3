"""Concurrent writers wait for each other instead of failing (SQLite BEGIN IMMEDIATE)."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from models import Post, Thread, db
from tests import factories

WRITERS = 8
REPLIES_EACH = 5


def test_concurrent_replies_are_all_stored_and_counted(app):
    with app.app_context():
        board = factories.board("deuil")
        members = [factories.user(f"Ecrivain{i}") for i in range(WRITERS)]
        thread = factories.thread(board, members[0], "Sujet très actif")
        tid = thread.id
        names = [m.pseudonym for m in members]
    clients = []
    for name in names:
        client = app.test_client()
        factories.login(client, name)
        clients.append(client)

    def write(client):
        return [
            client.post(f"/threads/{tid}/reply", data={"body": f"message {n}"}).status_code
            for n in range(REPLIES_EACH)
        ]

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = [s for batch in pool.map(write, clients) for s in batch]
    assert statuses == [302] * (WRITERS * REPLIES_EACH)
    with app.app_context():
        stored = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.thread_id == tid, Post.parent_id.is_not(None))
        )
        assert stored == WRITERS * REPLIES_EACH
        assert db.session.get(Thread, tid).reply_count == stored
