#!/usr/bin/env python
"""Many members replying at once into one thread, through gunicorn, on SQLite or PostgreSQL.

    .venv/bin/python bench/load_bench.py --db sqlite
    .venv/bin/python bench/load_bench.py --db postgresql [--database-url postgresql://...]
    .venv/bin/python bench/load_bench.py --db sqlite --model bundled --clients 50 --replies 20

It builds a fresh database with the project's migrations (SQLite: bench/out/load.db;
PostgreSQL: a throw-away schema in the database given, dropped at the end), creates the
members, a board and one thread, and serves the app with `gunicorn -w 4` (RATE_LIMITS=off,
every other check on). Each client is a member with their own cookies: it reads the login
form's CSRF token, signs in, reads the thread page's token, then, all clients together,
posts its replies one after another (the redirects are not followed).

Then it checks what the issue asks: every successful answer (a redirect to the new post, or
a 200 composer for a nudge, which keeps a draft) is exactly one stored post, and no post was
stored without one; no 5xx; the thread's reply count equals its published replies. It prints
the throughput and the p50/p95/p99 latency of the replies and writes bench/out/load-<db>.json.
Exit status 1 when a check fails. gunicorn is always stopped, even on error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
VENV_BIN = Path(sys.executable).parent
DEFAULT_PG = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PASSWORD = "un mot de passe de charge"  # noqa: S105 - throw-away members
MODELS = {"calm": "tests.scorers:Calm", "bundled": "bundled"}
# What members of a support group write; varied, so a real model has something to read.
SENTENCES = [
    "Merci pour ton message, je me reconnais beaucoup dans ce que tu décris.",
    "Hier soir c'était difficile, mais j'ai appelé ma sœur et ça m'a fait du bien.",
    "Je t'envoie plein de courage pour le rendez-vous de jeudi.",
    "Au groupe de mardi on a parlé de ça, tu pourrais venir si tu veux.",
    "Ça fait trois semaines que je tiens, un jour après l'autre.",
    "Je ne sais pas quoi dire, mais je suis là et je te lis.",
    "Prends soin de toi, et n'hésite pas à écrire ici quand ça ne va pas.",
    "Moi aussi j'ai eu du mal avec le sommeil, la marche le matin m'a aidée.",
]
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def say(message: str) -> None:
    print(message, flush=True)


# Server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    database_url: str,
    model: str,
    port: int,
    workers: int,
    log_path: Path,
    rate_limits: str = "off",
) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RATE_LIMITS": rate_limits,
        "MODERATION_MODEL": model,
        "SECRET_KEY": "load-bench-secret-not-for-production",
        "PYTHONPATH": str(ROOT),  # tests.scorers, for the calm scorer
    }
    for name in ("FLASK_DEBUG", "REDIS_URL"):
        env.pop(name, None)
    command = [
        str(gunicorn),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        # Room for every client's connection while the workers are busy.
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
        "app:create_app()",
    ]
    # A session of its own: if the master dies abruptly its workers are ended by group id.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_healthy(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text()[-3000:] if log_path.exists() else ""
            raise RuntimeError(f"gunicorn exited with {proc.returncode}:\n{tail}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            if response.status == 200 and json.loads(response.read()).get("status") == "ok":
                return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"/healthz did not answer within {timeout:.0f} s")


# Clients


class Member:
    """One browser: its own cookies, one connection per request (gunicorn's sync workers
    close them anyway)."""

    def __init__(self, port: int, pseudonym: str) -> None:
        self.port = port
        self.pseudonym = pseudonym
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    if morsel.value and morsel["expires"] != "Thu, 01 Jan 1970 00:00:00 GMT":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()

    def token(self, path: str) -> str:
        status, _, page = self.request("GET", path)
        found = CSRF.search(page)
        if status != 200 or not found:
            raise RuntimeError(f"{self.pseudonym}: GET {path} gave {status} without a CSRF token")
        return found.group(1)

    def sign_in(self, password: str) -> None:
        token = self.token("/login")
        status, headers, _ = self.request(
            "POST",
            "/login",
            {"csrf_token": token, "pseudonym": self.pseudonym, "password": password},
        )
        if status not in (302, 303):
            raise RuntimeError(f"{self.pseudonym}: login answered {status}")


@dataclass
class Reply:
    client: int
    body: str
    status: int
    seconds: float
    location: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    @property
    def post_id(self) -> int | None:
        found = re.search(r"/posts/(\d+)", self.location)
        return int(found.group(1)) if found else None


@dataclass
class Load:
    replies: list[Reply] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def body_for(client: int, number: int, run: str) -> str:
    sentence = SENTENCES[(client + number) % len(SENTENCES)]
    return f"{sentence}\n\n(membre {client}, message {number}, {run})"


def run_clients(
    port: int, thread_id: int, pseudonyms: list[str], replies: int, password: str
) -> Load:
    """Every member signs in, then all post their replies at once, each in its thread."""
    run = uuid.uuid4().hex[:8]
    load = Load()
    lock = threading.Lock()
    ready = threading.Barrier(len(pseudonyms) + 1)

    def client(index: int, pseudonym: str) -> None:
        member = Member(port, pseudonym)
        mine: list[Reply] = []
        try:
            member.sign_in(password)
            token = member.token(f"/threads/{thread_id}")
        except Exception as error:  # noqa: BLE001 - reported, and the barrier released
            with lock:
                load.errors.append(f"{pseudonym}: {error}")
            ready.abort()
            return
        try:
            ready.wait()
        except threading.BrokenBarrierError:
            return
        for number in range(replies):
            body = body_for(index, number, run)
            started = time.perf_counter()
            try:
                status, headers, _ = member.request(
                    "POST", f"/threads/{thread_id}/reply", {"csrf_token": token, "body": body}
                )
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    load.errors.append(f"{pseudonym}: {error.__class__.__name__}: {error}")
                status, headers = 0, {}
            took = time.perf_counter() - started
            mine.append(Reply(index, body, status, took, headers.get("location", "")))
        with lock:
            load.replies.extend(mine)

    threads = [
        threading.Thread(target=client, args=(i, name), daemon=True)
        for i, name in enumerate(pseudonyms)
    ]
    for t in threads:
        t.start()
    try:
        ready.wait(timeout=300)
    except threading.BrokenBarrierError:
        for t in threads:
            t.join(30)
        raise RuntimeError("signing in failed: " + "; ".join(load.errors[:5])) from None
    started = time.perf_counter()
    for t in threads:
        t.join()
    load.seconds = time.perf_counter() - started
    return load


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summary(load: Load) -> dict:
    latencies = [r.seconds * 1000 for r in load.replies if r.status]
    statuses = Counter(r.status for r in load.replies)
    return {
        "requests": len(load.replies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "successes": sum(r.ok for r in load.replies),
        "server_errors": sum(r.status >= 500 for r in load.replies),
        "transport_errors": sum(r.status == 0 for r in load.replies),
        "seconds": round(load.seconds, 3),
        "replies_per_s": round(len(load.replies) / load.seconds, 1) if load.seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
    }


# Database


def _engine(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def stored_replies(database_url: str, thread_id: int) -> dict:
    """What the database holds for the thread: bodies and statuses of its replies."""
    from sqlalchemy import text

    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, body, status, deleted_at FROM posts "
                    "WHERE thread_id = :t AND parent_id IS NOT NULL"
                ),
                {"t": thread_id},
            ).all()
            reply_count = conn.execute(
                text("SELECT reply_count FROM threads WHERE id = :t"), {"t": thread_id}
            ).scalar_one()
    finally:
        engine.dispose()
    return {
        "bodies": Counter(row.body for row in rows),
        "ids": {row.id: row.body for row in rows},
        "statuses": Counter(str(row.status) for row in rows),
        "published": sum(1 for row in rows if row.status == "published" and not row.deleted_at),
        "reply_count": reply_count,
    }


def check(load: Load, stored: dict) -> list[str]:
    """The issue's checks; the list of what failed (empty: all good)."""
    problems = []
    successes = [r for r in load.replies if r.ok]
    failures = [r for r in load.replies if not r.ok]
    server_errors = [r for r in load.replies if r.status >= 500]
    if server_errors:
        problems.append(f"{len(server_errors)} answers were 5xx")
    if failures:
        kinds = Counter(r.status for r in failures)
        problems.append(f"{len(failures)} replies were not accepted: {dict(kinds)}")
    if load.errors:
        problems.append(f"{len(load.errors)} client errors, first: {load.errors[0]}")
    duplicated = {b: n for b, n in stored["bodies"].items() if n > 1}
    if duplicated:
        problems.append(f"{len(duplicated)} replies stored more than once")
    sent_ok = Counter(r.body for r in successes)
    if set(sent_ok) != set(stored["bodies"]) or len(successes) != sum(stored["bodies"].values()):
        missing = len(set(sent_ok) - set(stored["bodies"]))
        extra = len(set(stored["bodies"]) - set(sent_ok))
        problems.append(
            f"{len(successes)} successful answers but {sum(stored['bodies'].values())} stored "
            f"posts ({missing} accepted and not stored, {extra} stored without success)"
        )
    wrong = [
        r for r in successes if r.post_id is not None and stored["ids"].get(r.post_id) != r.body
    ]
    if wrong:
        problems.append(f"{len(wrong)} redirects point to another post than the one written")
    if stored["reply_count"] != stored["published"]:
        problems.append(
            f"reply_count {stored['reply_count']} but {stored['published']} published replies"
        )
    return problems


def prepare(database_url: str, members: int, model: str) -> tuple[int, list[str]]:
    """Schema by the migrations, the members, a board and its thread; (thread id, names)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from app import create_app
    from forum.accounts import services as accounts
    from forum.boards import services as posting
    from models import Thread, db, write_intent
    from moderation.workflow import jobs

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "load-bench-setup",
            "MODERATION_MODEL": model,
            "RATE_LIMITS": "off",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",  # set-up speed; login is not measured
            "REDIS_URL": None,
        }
    )
    try:
        with app.app_context(), write_intent():
            upgrade()
            names = [f"Charge{n:03d}" for n in range(members)]
            users = [accounts.register(name, PASSWORD) for name in names]
            # Newcomers' first posts would otherwise wait for a moderator before the thread
            # opens; the load is about writing, not the review queue.
            board = posting.create_board("charge", "Charge", "emotions", new_member_holds=0)
            outcome = posting.create_thread(
                users[0],
                board,
                "Un fil très actif",
                SENTENCES[0] + "\n\nBienvenue à toutes et tous.",
            )
            thread = db.session.get_one(Thread, outcome.post.thread_id)
            return thread.id, names
    finally:
        jobs.stop(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def sqlite_database(path: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def postgres_schema(base_url: str) -> tuple[str, str]:
    """A fresh schema in the database; (URL using it, schema name)."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    schema = f"entrenous_load_{uuid.uuid4().hex[:10]}"
    engine = _engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    url = make_url(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base_url: str, schema: str) -> None:
    from sqlalchemy import text

    engine = _engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


TABLE_HEADER = (
    "| db | model | workers | load | replies/s | p50 ms | p95 ms | p99 ms | max ms | answers "
    "| checks |\n|---|---|---:|---|---:|---:|---:|---:|---:|---|:---:|"
)


def markdown(report: dict) -> str:
    s, a = report["summary"], report["settings"]
    return "\n".join(
        [
            f"| {a['db']} | {a['model']} | {a['workers']} | {a['clients']} x {a['replies']} "
            f"| {s['replies_per_s']:.1f} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} "
            f"| {s['p99_ms']:.0f} | {s['max_ms']:.0f} | {s['statuses']} "
            f"| {'yes' if not report['problems'] else 'NO'} |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL: the database to make a throw-away schema in (default: "
        "TEST_POSTGRES_URL or postgresql://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--replies", type=int, default=20, help="replies per client")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--model", choices=sorted(MODELS), default="calm")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    args = parser.parse_args(argv)
    model = MODELS[args.model]

    def interrupted(_signum, _frame):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    OUT.mkdir(parents=True, exist_ok=True)
    schema = None
    base_url = args.database_url or DEFAULT_PG
    if args.db == "sqlite":
        database_url = sqlite_database(OUT / "load.db")
    else:
        database_url, schema = postgres_schema(base_url)
    log_path = OUT / f"load-gunicorn-{args.db}.log"
    log_path.unlink(missing_ok=True)
    proc = None
    try:
        say(f"Preparing {args.db} ({args.clients} members, one thread) ...")
        thread_id, names = prepare(database_url, args.clients, model)
        port = free_port()
        proc = start_gunicorn(database_url, model, port, args.workers, log_path)
        wait_healthy(proc, port, log_path)
        say(
            f"gunicorn -w {args.workers} on 127.0.0.1:{port}, model {args.model}: "
            f"{args.clients} clients x {args.replies} replies into thread {thread_id}"
        )
        load_before = os.getloadavg()[0]
        load = run_clients(port, thread_id, names, args.replies, PASSWORD)
        load_after = os.getloadavg()[0]
        if proc.poll() is not None:
            raise RuntimeError("gunicorn stopped during the load")
        stored = stored_replies(database_url, thread_id)
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        if schema and not args.keep:
            drop_schema(base_url, schema)
    problems = check(load, stored)
    report = {
        "settings": {
            "db": args.db,
            "clients": args.clients,
            "replies": args.replies,
            "workers": args.workers,
            "model": args.model,
            "cores": os.cpu_count(),
            # The machine's 1-minute load average around the run: others' work skews figures.
            "loadavg": [round(load_before, 2), round(load_after, 2)],
        },
        "summary": summary(load),
        "stored": {
            "posts": sum(stored["bodies"].values()),
            "statuses": dict(stored["statuses"]),
            "published": stored["published"],
            "reply_count": stored["reply_count"],
        },
        "problems": problems,
    }
    (OUT / f"load-{args.db}.json").write_text(json.dumps(report, indent=2) + "\n")
    s = report["summary"]
    say(
        f"{s['requests']} replies in {s['seconds']:.1f} s: {s['replies_per_s']:.1f} replies/s, "
        f"p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, p99 {s['p99_ms']:.0f} ms, "
        f"max {s['max_ms']:.0f} ms; answers {s['statuses']}; load average "
        f"{load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} cores"
    )
    say(
        f"Stored: {report['stored']['posts']} replies {report['stored']['statuses']}, "
        f"reply_count {stored['reply_count']}"
    )
    say(TABLE_HEADER)
    say(markdown(report))
    for problem in problems:
        say(f"FAILED: {problem}")
    if not problems:
        say("All checks passed: one stored post per success, no 5xx, reply count right.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
