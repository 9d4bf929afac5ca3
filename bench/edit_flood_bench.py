#!/usr/bin/env python
"""One member floods the forum with long edits; how long do the others wait?

    .venv/bin/python bench/edit_flood_bench.py [--model bundled] [--seconds 40]

Serves the app with `gunicorn -w 2` on a fresh SQLite database (bench/out/flood.db) with the
rate limits on, as production runs. One member runs 4 parallel loops, each rewriting its own
post with 20,000 characters as fast as the server answers; meanwhile another member, alone
on the machine's other requests, replies to a thread and reads it, one request after the
other. The same other member is measured first without the flood. Prints the p50/p95/max of
the others' replies and reads, with and without the flood, and how many edits were accepted
or refused (429). gunicorn is always stopped at the end.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_bench import (  # noqa: E402
    CSRF,
    MODELS,
    OUT,
    PASSWORD,
    Member,
    prepare,
    say,
    sqlite_database,
    start_gunicorn,
    stop_gunicorn,
    wait_healthy,
)
from load_bench import free_port as pick_port  # noqa: E402

LONG = ("Je reprends mon message pour le compléter, phrase après phrase. " * 320)[:20_000]


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def others(member: Member, thread_id: int, seconds: float) -> dict[str, list[float]]:
    """Reply then read, one after the other, for `seconds`; the latencies."""
    times: dict[str, list[float]] = {"reply": [], "read": []}
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        token = member.token(f"/threads/{thread_id}")
        started = time.monotonic()
        status, _, _ = member.request(
            "POST",
            f"/threads/{thread_id}/reply",
            {"csrf_token": token, "body": f"Je suis là, je te lis. ({n})"},
        )
        if status in (302, 303, 200):
            times["reply"].append(time.monotonic() - started)
        started = time.monotonic()
        status, _, _ = member.request("GET", f"/threads/{thread_id}")
        if status == 200:
            times["read"].append(time.monotonic() - started)
        n += 1
        time.sleep(4.0)  # a person, not a script: a reply every few seconds
    return times


def flood(member: Member, post_id: int, stop: threading.Event, counts: dict[int, int]) -> None:
    lock = threading.Lock()
    while not stop.is_set():
        status, _, page = member.request("GET", f"/posts/{post_id}/edit")
        found = CSRF.search(page)
        if not found:
            continue
        status, _, _ = member.request(
            "POST", f"/posts/{post_id}/edit", {"csrf_token": found.group(1), "body": LONG}
        )
        with lock:
            counts[status] = counts.get(status, 0) + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="bundled")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    url = sqlite_database(OUT / "flood.db")
    thread_id, names = prepare(url, 3, MODELS[args.model])
    # Seasoned members: the new-member posting limit (3 in 10 minutes) is not what is measured.
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE users SET created_at = datetime('now', '-30 days')")
    port = pick_port()
    log_path = OUT / "flood-gunicorn.log"
    proc = start_gunicorn(url, MODELS[args.model], port, args.workers, log_path, "on")
    try:
        wait_healthy(proc, port, log_path)
        # One other member per phase: each stays within the posting limits (8 in 10 minutes).
        flooder, other, later = (Member(port, name) for name in names)
        for member in (flooder, other, later):
            member.sign_in(PASSWORD)
        # The flooder's own four posts, to rewrite (four threads on the same board).
        posts = []
        for n in range(4):
            token = flooder.token("/boards/charge/new")
            status, headers, _ = flooder.request(
                "POST",
                "/boards/charge/new",
                {"csrf_token": token, "title": f"Mon fil {n}", "body": "Un premier jet."},
            )
            thread = int(headers["location"].rstrip("/").rsplit("/", 1)[1].split("#")[0])
            _, _, page = flooder.request("GET", f"/threads/{thread}")
            posts.append(int(page.split('id="post-', 1)[1].split('"', 1)[0]))
        say(f"baseline: the other member alone for {args.seconds:.0f} s")
        calm = others(other, thread_id, args.seconds)
        counts: dict[int, int] = {}
        stop = threading.Event()
        loops = [
            threading.Thread(target=flood, args=(flooder, post_id, stop, counts), daemon=True)
            for post_id in posts
        ]
        for loop in loops:
            loop.start()
        say(f"flood: 4 loops of 20,000-character edits for {args.seconds:.0f} s")
        flooded = others(later, thread_id, args.seconds)
        stop.set()
        for loop in loops:
            loop.join(timeout=120)
    finally:
        stop_gunicorn(proc)
    say("| others' requests | n | p50 ms | p95 ms | max ms |")
    say("|---|---:|---:|---:|---:|")
    for label, times in (("calm", calm), ("during the flood", flooded)):
        for kind in ("reply", "read"):
            values = times[kind]
            top = max(values) * 1000 if values else 0.0
            say(
                f"| {kind}, {label} | {len(values)} | {pct(values, 0.5):.0f} | "
                f"{pct(values, 0.95):.0f} | {top:.0f} |"
            )
    accepted = sum(v for k, v in counts.items() if k in (200, 302, 303))
    say(f"edits: {accepted} accepted, {counts.get(429, 0)} refused (429), all answers {counts}")
    if calm["reply"] and flooded["reply"]:
        say(f"median reply: {statistics.median(calm['reply']) * 1000:.0f} ms calm")
    return 0


if __name__ == "__main__":
    sys.exit(main())
