"""Moderation costs: the rule steps on hostile input, and posting through the pipeline.

    .venv/bin/python bench/moderation_bench.py [--posts 300] [--items 5000]

1. Rule steps (personal data, crisis, sentence split) on 20,000-character inputs built to
   make regular expressions backtrack: the worst case bounds the work per post.
2. Posting replies through the real services with the in-process scoring runner on SQLite:
   time per post, with the scorer missing (board fallback) and with a fast scorer.
3. The moderators' queue page with many open items.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.classifier import scoring
from moderation.rules import crisis, privacy  # noqa: E402

HOSTILE = {
    "zeros": "0" * 20_000,
    "digit pairs": "1 2 " * 5_000,
    "phone-like": "06 12 34 56 " * 1_700,
    "a.a.a": "a." * 10_000,
    "a@a@": "a@" * 10_000,
    "numbered streets": "12 rue " * 2_900,
    "capitalised words": "12 Abc Def " * 1_900,
    "plus signs": "+33 " * 5_000,
    "crisis words": "je veux " * 2_500,
    "crisis phrases, all cancelled": "il y a deux ans je voulais mourir " * 600,
    "every crisis rule's words": "mourir suicide vivre fardeau burden die kill live pills " * 370,
    "one sentence per char": ". " * 10_000,
    "ordinary prose": "Je me sens seule ce soir, et je voulais vous le dire. " * 380,
}


def bench_rules() -> None:
    print("## Rule steps on 20,000-character inputs (ms, best of 3)")
    print("| input | personal data | crisis | sentences |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for name, text in HOSTILE.items():
        text = text[:20_000]
        row = []
        for step in (privacy.find, crisis.detect, scoring.sentences):
            best = min(_time(step, text) for _ in range(3))
            row.append(best)
        worst = max(worst, sum(row))
        print(f"| {name} | {row[0]:.1f} | {row[1]:.1f} | {row[2]:.1f} |")
    print(f"\nWorst case, all three steps: {worst:.1f} ms per post.\n")


def _time(step, text: str) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    step(text)
    return (time.perf_counter() - start) * 1000


def bench_posting(posts: int, model: str) -> list[float]:
    from app import create_app
    from forum.boards import services
    from models import Thread, db
    from moderation.workflow import jobs
    from tests import factories

    folder = tempfile.mkdtemp(prefix="entrenous-bench-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/bench.db",
            "SECRET_KEY": "bench",
            "RATE_LIMITS": "off",
            "MODERATION_MODEL": model,
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    times = []
    with app.app_context():
        db.create_all()
        board = factories.board("bench")
        author = factories.user("Banc")
        thread = db.session.get_one(Thread, factories.thread(board, author).id)
        for n in range(posts):
            start = time.perf_counter()
            services.create_reply(author, thread, f"Message {n}. Je tiens le coup aujourd'hui.")
            times.append((time.perf_counter() - start) * 1000)
    jobs.stop(app)
    return times


def bench_queue(items: int) -> None:
    from sqlalchemy import insert

    from app import create_app
    from models import Post, PostStatus, ReviewItem, Thread, db, utcnow
    from tests import factories

    folder = tempfile.mkdtemp(prefix="entrenous-bench-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/queue.db",
            "SECRET_KEY": "bench",
            "RATE_LIMITS": "off",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        board = factories.board("file")
        author, moderator = factories.user("Auteur"), factories.user("Veille")
        factories.moderator(board, moderator)
        thread = factories.thread(board, author)
        now = utcnow()
        root = db.session.scalars(db.select(Post).where(Post.thread_id == thread.id)).one()
        rows = [
            {
                "thread_id": thread.id,
                "author_id": author.id,
                "parent_id": root.id,
                "depth": 1,
                "path": f"{root.id:010d}{i:010d}",
                "body": "Un message à relire.",
                "html": "<p>Un message à relire.</p>",
                "status": PostStatus.PUBLISHED.value,
                "created_at": now,
                "revision": 1,
            }
            for i in range(items)
        ]
        db.session.execute(insert(Post), rows)
        ids = db.session.scalars(db.select(Post.id).where(Post.parent_id == root.id)).all()
        db.session.execute(
            insert(ReviewItem),
            [
                {
                    "board_id": board.id,
                    "post_id": pid,
                    "open_post_id": pid,
                    "kind": "post",
                    "reasons": ["toxicity"],
                    "is_crisis": i % 50 == 0,
                    "score": (i % 100) / 100,
                    "escalated": False,
                    "state": "open",
                    "version": 1,
                    "opened_at": now,
                }
                for i, pid in enumerate(ids)
            ],
        )
        db.session.commit()
        assert db.session.get(Thread, thread.id) is not None
    client = app.test_client()
    factories.login(client, "Veille")
    times = []
    for _ in range(20):
        start = time.perf_counter()
        response = client.get("/moderation")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    print(f"## Queue page with {items} open items")
    print(f"/moderation: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms\n")


def _summary(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"| {label} | {len(times)} | {statistics.median(times):.1f} | {p95:.1f} | "
        f"{1000 / statistics.mean(times):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--items", type=int, default=5000)
    args = parser.parse_args()
    bench_rules()
    print("## Posting a reply through the pipeline (SQLite, in-process runner)")
    print("| scorer | posts | p50 ms | p95 ms | posts/s |")
    print("|---|---:|---:|---:|---:|")
    _summary("missing (board fallback)", bench_posting(args.posts, "bundled-missing"))
    _summary(
        "fast deterministic (tests.scorers:Lexicon)",
        bench_posting(args.posts, "tests.scorers:Lexicon"),
    )
    print()
    bench_queue(args.items)


if __name__ == "__main__":
    main()
