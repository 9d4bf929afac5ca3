#!/usr/bin/env python
"""Serve the app with gunicorn on a filled database and measure the main pages with wrk.

    make bench                                   # fill bench/out/bench.db, then measure
    .venv/bin/python bench/serve_bench.py --reuse --duration 15 --connections 16

For each page: one checked GET (must be 200), a short warm-up, then
`wrk -t2 -c16 -d15s --latency URL`. It prints a Markdown table (requests/s, p50, p99, worker
CPU per request, target met), the deep/first page ratios, the workers' memory and the database
size, and writes them to bench/out/results.md and bench/out/results.json. gunicorn is always
stopped at the end, even on error or Ctrl-C.

Targets (from the issue), on a 2-core machine with SQLite, 2 sync workers, 16 connections:
every page >= 300 requests/s with p99 < 100 ms, deep pages within 1.5x of first pages.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
VENV_BIN = Path(sys.executable).parent
DEFAULT_URL = f"sqlite:///{OUT / 'bench.db'}"
DEFAULT_FIXTURE = OUT / "fixture.json"

TARGET_RPS = 300.0
TARGET_P99_MS = 100.0
TARGET_DEEP_RATIO = 1.5
CLK_TCK = os.sysconf("SC_CLK_TCK")


def say(message: str) -> None:
    print(message, flush=True)


def sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def absolute_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    db_file = sqlite_file(url)
    if db_file is None or db_file.is_absolute():
        return url
    return make_url(url).set(database=str(db_file.resolve())).render_as_string(hide_password=False)


# --------------------------------------------------------------------------- database


def ensure_database(args: argparse.Namespace) -> dict:
    """Fill the database unless --reuse finds it filled; return the fixture."""
    db_file = sqlite_file(args.database_url)
    reusable = args.reuse and args.fixture.exists() and (db_file is None or db_file.exists())
    if reusable:
        fixture = json.loads(args.fixture.read_text())
        if fixture.get("database_url") != args.database_url:
            raise SystemExit(
                f"{args.fixture} describes {fixture.get('database_url')}, not {args.database_url}:"
                " run without --reuse to fill it"
            )
        check_fixture(args.database_url, fixture)
        drift = schema_drift(args.database_url)
        if not drift:
            say(f"Reusing {args.database_url} (filled in {fixture['fill_seconds']} s)")
            return fixture
        say("The database schema differs from the models, so it is filled again:")
        for line in drift:
            say(f"  {line}")
    say(f"Filling {args.database_url} ...")
    command = [
        sys.executable,
        str(BENCH / "fill_db.py"),
        "--database-url",
        args.database_url,
        "--fixture",
        str(args.fixture),
        "--replace",
    ]
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(args.fixture.read_text())


def check_fixture(url: str, fixture: dict) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            replies = conn.execute(
                text("SELECT reply_count FROM threads WHERE id = :id"),
                {"id": fixture["big_thread"]["id"]},
            ).scalar()
    finally:
        engine.dispose()
    if replies != fixture["big_thread"]["replies"]:
        raise SystemExit("The database does not match its fixture: run without --reuse")


def schema_drift(url: str) -> list[str]:
    """Differences in tables, columns and indexes between the database and the models.

    The migrations may change under an existing bench database (even in place), and a
    benchmark on a stale schema would measure the wrong thing.
    """
    from sqlalchemy import create_engine, inspect

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from models import Base

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    problems = []
    try:
        inspector = inspect(engine)
        for table in Base.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                problems.append(f"table {table.name} is missing")
                continue
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            if columns != set(table.c.keys()):
                problems.append(f"columns of {table.name}: {sorted(columns ^ set(table.c.keys()))}")
            indexes = inspector.get_indexes(table.name)
            # The full-text indexes are made by models.search, outside the table definitions.
            have = {
                (i["name"], tuple(i["column_names"]))
                for i in indexes
                if i["name"] not in ("ix_posts_search", "ix_threads_search")
            }
            want = {(i.name, tuple(c.name for c in i.columns)) for i in table.indexes}
            if have != want:
                problems.append(
                    f"indexes of {table.name}: database only {sorted(have - want)}, "
                    f"models only {sorted(want - have)}"
                )
    finally:
        engine.dispose()
    return problems


def database_bytes(url: str) -> dict:
    db_file = sqlite_file(url)
    if db_file is not None:
        wal = Path(str(db_file) + "-wal")
        return {
            "main": db_file.stat().st_size,
            "wal": wal.stat().st_size if wal.exists() else 0,
        }
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
    finally:
        engine.dispose()
    return {"main": int(size or 0), "wal": 0}


# --------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(args: argparse.Namespace, port: int, log_path: Path) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        gunicorn = Path(shutil.which("gunicorn") or "gunicorn")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=args.database_url,
        RATE_LIMITS="off",
        SECRET_KEY="bench-secret-key-not-for-production",  # noqa: S106
    )
    env.pop("FLASK_DEBUG", None)
    command = [
        str(gunicorn),
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
        "app:create_app()",
    ]
    say("$ " + " ".join(command))
    # A session of its own: if the master dies abruptly we can still end its workers by group id.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()  # SIGTERM to the master: graceful shutdown of its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group we created, by its id
        proc.wait(timeout=10)


def get(
    port: int, path: str, timeout: float = 30.0, cookie: str | None = None
) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept-Language": "fr"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def member_cookie(port: int, pseudonym: str, password: str) -> str:
    """Signs in through the real form (CSRF token included) and returns the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login", headers={"Accept-Language": "fr"})
        response = conn.getresponse()
        page = response.read().decode()
        cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on /login")
        body = urlencode(
            {"csrf_token": token.group(1), "pseudonym": pseudonym, "password": password}
        )
        conn.request(
            "POST",
            "/login",
            body=body,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept-Language": "fr",
            },
        )
        response = conn.getresponse()
        response.read()
        signed_in = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        if response.status != 302 or not signed_in:
            raise SystemExit(f"signing in as {pseudonym} answered {response.status}")
        return signed_in
    finally:
        conn.close()


def wait_healthy(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text()[-3000:] if log_path.exists() else ""
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{tail}")
        try:
            status, body, _ = get(port, "/healthz", timeout=2)
            if status == 200 and json.loads(body).get("status") == "ok":
                return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise SystemExit(f"/healthz did not answer within {timeout:.0f} s")


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master:  # field 4: ppid
            pids.append(int(entry.name))
    return sorted(pids)


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def busy_seconds() -> float:
    """CPU seconds all processes of the machine spent busy (first line of /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def warm_page_cache(url: str) -> None:
    """Read the SQLite file once so the first page measured does not pay for the disk."""
    db_file = sqlite_file(url)
    if db_file is None:
        return
    started = time.perf_counter()
    for path in (db_file, Path(str(db_file) + "-wal")):
        if path.exists():
            with path.open("rb") as fh:
                while fh.read(1 << 20):
                    pass
    say(f"Database file read into the page cache in {time.perf_counter() - started:.1f} s")


def memory_kib(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0].lower()] = int(line.split()[1])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


# --------------------------------------------------------------------------- wrk

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def to_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {value!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> dict:
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return match

    result = {
        "requests_per_s": float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        "p50_ms": to_ms(find(r"^\s+50%\s+(\S+)").group(1)),
        "p75_ms": to_ms(find(r"^\s+75%\s+(\S+)").group(1)),
        "p90_ms": to_ms(find(r"^\s+90%\s+(\S+)").group(1)),
        "p99_ms": to_ms(find(r"^\s+99%\s+(\S+)").group(1)),
        "max_ms": to_ms(find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)").group(1)),
        "requests": int(find(r"^\s+(\d+) requests in").group(1)),
    }
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    result["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    result["socket_errors"] = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    )
    return result


def run_wrk(
    url: str, duration: float, connections: int, threads: int, cookie: str | None = None
) -> tuple[str, float]:
    """wrk's output and the CPU seconds wrk itself used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration:g}s",
        "--latency",
        "-H",
        "Accept-Language: fr",
        *(["-H", f"Cookie: {cookie}"] if cookie else []),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, used


# --------------------------------------------------------------------------- report


def environment() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        wrk_version = (
            subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
            .stdout.splitlines()[0]
            .split(" [")[0]
            .strip()
        )
    except (OSError, IndexError):
        wrk_version = "?"
    try:
        commit = subprocess.run(
            ["git", "--no-optional-locks", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=no"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "?", False
    import gunicorn
    import sqlalchemy

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk_version,
        "commit": commit + ("+changes" if dirty else ""),
    }


def verdict(row: dict) -> bool:
    return (
        row["requests_per_s"] >= TARGET_RPS
        and row["p99_ms"] < TARGET_P99_MS
        and row["non_2xx"] == 0
        and not any(row["socket_errors"].values())
    )


def ratios(rows: dict[str, dict]) -> list[dict]:
    pairs = [
        ("board_200", "board_1"),
        ("thread_last", "thread_1"),
        ("thread_last_full", "thread_1"),
    ]
    out = []
    for deep, first in pairs:
        if deep not in rows or first not in rows:
            continue
        d, f = rows[deep], rows[first]
        latency = d["p50_ms"] / f["p50_ms"] if f["p50_ms"] else float("inf")
        rps = d["requests_per_s"]
        throughput = f["requests_per_s"] / rps if rps else float("inf")
        out.append(
            {
                "deep": deep,
                "first": first,
                "p50_ratio": round(latency, 2),
                "p99_ratio": round(d["p99_ms"] / f["p99_ms"], 2),
                "rps_ratio": round(throughput, 2),
                "met": latency <= TARGET_DEEP_RATIO and throughput <= TARGET_DEEP_RATIO,
            }
        )
    return out


def markdown(report: dict) -> str:
    env, fx, args = report["environment"], report["fixture"], report["settings"]
    lines = [
        f"# Entrenous benchmark, {env['date']}",
        "",
        f"{env['cores']} cores ({env['cpu']}), Python {env['python']}, SQLite {env['sqlite']}, "
        f"SQLAlchemy {env['sqlalchemy']}, gunicorn {env['gunicorn']} "
        f"({args['workers']} sync workers), {env['wrk']}; commit {env['commit']}.",
        f"Load: `wrk -t{args['wrk_threads']} -c{args['connections']} -d{args['duration']:g}s "
        f"--latency` per page, after a {args['warmup']:g} s warm-up; wrk runs on the same cores.",
        f"Data: {fx['volume']['boards']} boards, {fx['volume']['threads']:,} threads, "
        f"{fx['volume']['posts']:,} posts, {fx['volume']['members']:,} members, "
        f"{fx['volume']['reactions']:,} reactions; filled in {fx['fill_seconds']} s; database "
        f"{report['database_bytes']['main'] / 2**20:,.0f} MiB.",
        "",
        "| page | req/s | p50 ms | p99 ms | worker CPU ms/req | wrk CPU | other CPU | target met |",
        "|---|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for row in report["results"]:
        errors = ""
        if row["non_2xx"] or any(row["socket_errors"].values()):
            errors = f" ({row['non_2xx']} non-2xx, socket errors {row['socket_errors']})"
        lines.append(
            f"| {row['label']} `{row['path']}` | {row['requests_per_s']:.0f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['worker_cpu_ms_per_request']:.2f} "
            f"| {row['wrk_cpu_percent']:.0f}% | {row['other_cpu_cores'] * 100:.0f}% "
            f"| {'yes' if row['met'] else 'NO'}{errors} |"
        )
    lines += [
        "",
        "worker CPU: CPU time of the gunicorn processes per request. wrk CPU and other CPU: "
        "share of one core used by wrk and by everything else on the machine during the run "
        "(100% = one of the cores busy with something other than the app).",
        "",
        f"Targets: >= {TARGET_RPS:.0f} req/s and p99 < {TARGET_P99_MS:.0f} ms per page; deep pages "
        f"within {TARGET_DEEP_RATIO}x of first pages (p50 latency and req/s).",
        "",
        "| deep / first | p50 ratio | p99 ratio | req/s ratio (first/deep) | within 1.5x |",
        "|---|---:|---:|---:|:---:|",
    ]
    for r in report["ratios"]:
        lines.append(
            f"| {r['deep']} / {r['first']} | {r['p50_ratio']:.2f} | {r['p99_ratio']:.2f} "
            f"| {r['rps_ratio']:.2f} | {'yes' if r['met'] else 'NO'} |"
        )
    mem = report["memory_kib"]
    workers = ", ".join(
        f"{m.get('vmrss', 0) / 1024:.0f} MiB RSS / {m.get('pss', 0) / 1024:.0f} MiB PSS"
        for m in mem["workers"]
    )
    lines += [
        "",
        f"Memory after the run: workers {workers}; master "
        f"{mem['master'].get('vmrss', 0) / 1024:.0f} MiB RSS. Database file "
        f"{report['database_bytes']['main']:,} bytes (WAL {report['database_bytes']['wal']:,}).",
        f"All targets met: {'yes' if report['all_met'] else 'no'}.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def page_counts(fixture: dict) -> tuple[int, int]:
    """(board pages, thread pages) with the page sizes of the code being measured now."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from forum.boards.queries import POSTS_PER_PAGE, THREADS_PER_PAGE

    board_pages = -(-fixture["busiest_board"]["threads"] // THREADS_PER_PAGE)
    thread_pages = -(-(fixture["big_thread"]["replies"] + 1) // POSTS_PER_PAGE)
    return board_pages, thread_pages


def measure(args: argparse.Namespace, fixture: dict) -> dict:
    board = fixture["busiest_board"]
    thread = fixture["big_thread"]
    board_pages, last = page_counts(fixture)
    if "search" not in fixture or "reader" not in fixture:
        raise SystemExit("The fixture predates search and notifications: run without --reuse")
    words = fixture["search"]
    pages = [
        ("home", "home", "/"),
        ("board_1", "board page 1", f"/boards/{board['slug']}"),
        ("board_200", "board page 200", f"/boards/{board['slug']}?page=200"),
        ("thread_1", "thread page 1", f"/threads/{thread['id']}"),
        ("thread_last", f"thread last page ({last})", f"/threads/{thread['id']}?page={last}"),
        ("search_common", "search, a common word", "/search?" + urlencode({"q": words["common"]})),
        ("search_rare", "search, a rare word", "/search?" + urlencode({"q": words["rare"]})),
        (
            "search_phrase",
            "search, a phrase",
            "/search?" + urlencode({"q": f'"{words["phrase"]}"'}),
        ),
        (
            "search_board",
            "search, one board",
            "/search?" + urlencode({"q": words["common"], "board": words["board_slug"]}),
        ),
        ("my_threads", "Mes fils (200 followed)", "/me/threads"),
        ("notifications", "notifications (member)", "/me/notifications"),
    ]
    as_member = {"my_threads", "notifications"}
    if board_pages < 200:
        raise SystemExit(f"board {board['slug']} has {board_pages} pages, fewer than 200")
    # 2,001 posts leave a single post on the last page (at 25 or 50 per page): page last-1,
    # the last *full* page, is the fair comparison with page 1. Reported as an extra row.
    if args.only:
        wanted = set(args.only.split(","))
        pages = [p for p in pages if p[0] in wanted]
    if last > 2 and not args.no_extra and not args.only:
        pages.append(
            (
                "thread_last_full",
                f"thread page {last - 1} (extra: last full page)",
                f"/threads/{thread['id']}?page={last - 1}",
            )
        )

    OUT.mkdir(parents=True, exist_ok=True)
    log_path = OUT / "gunicorn.log"
    log_path.unlink(missing_ok=True)
    port = args.port or free_port()
    warm_page_cache(args.database_url)
    proc = start_gunicorn(args, port, log_path)
    results: list[dict] = []
    try:
        wait_healthy(proc, port, log_path)
        workers = worker_pids(proc.pid)
        say(f"gunicorn master {proc.pid}, workers {workers}, on 127.0.0.1:{port}")
        cookies = {}
        session = (
            member_cookie(port, fixture["reader"]["pseudonym"], fixture["member_password"])
            if any(key in as_member for key, *_ in pages)
            else None
        )
        cookie_of = {key: session if key in as_member else None for key, *_ in pages}
        for key, _label, path in pages:
            status, body, headers = get(port, path, cookie=cookie_of[key])
            if status != 200:
                raise SystemExit(f"GET {path} answered {status}, not 200")
            cookies[key] = "set-cookie" in headers
            say(
                f"GET {path}: 200, {len(body):,} bytes"
                + (" (sets a cookie)" if cookies[key] else "")
            )
        base = f"http://127.0.0.1:{port}"
        for key, label, path in pages:
            if args.warmup > 0:
                run_wrk(
                    base + path, args.warmup, args.connections, args.wrk_threads, cookie_of[key]
                )
            workers = worker_pids(proc.pid)
            load = os.getloadavg()[0]
            cpu_before = sum(cpu_seconds(p) for p in workers) + cpu_seconds(proc.pid)
            busy_before = busy_seconds()
            output, wrk_cpu = run_wrk(
                base + path, args.duration, args.connections, args.wrk_threads, cookie_of[key]
            )
            busy = busy_seconds() - busy_before
            cpu_after = sum(cpu_seconds(p) for p in worker_pids(proc.pid) if p in workers)
            cpu_after += cpu_seconds(proc.pid)
            (OUT / f"wrk-{key}.txt").write_text(output)
            row = parse_wrk(output)
            row.update(
                key=key,
                label=label,
                path=path,
                sets_cookie=cookies[key],
                worker_cpu_ms_per_request=(cpu_after - cpu_before) * 1000 / max(1, row["requests"]),
                worker_cpu_cores=(cpu_after - cpu_before) / args.duration,
                wrk_cpu_percent=wrk_cpu / args.duration * 100,
                # Everything else the machine did meanwhile (other people's tests, say), in cores.
                other_cpu_cores=max(0.0, busy - (cpu_after - cpu_before) - wrk_cpu) / args.duration,
                loadavg_before=load,
            )
            row["met"] = verdict(row)
            results.append(row)
            say(
                f"{label:42} {row['requests_per_s']:8.1f} req/s  p50 {row['p50_ms']:7.1f} ms  "
                f"p99 {row['p99_ms']:7.1f} ms  "
                f"worker CPU {row['worker_cpu_ms_per_request']:.2f} ms/req  "
                f"other load {row['other_cpu_cores']:.2f} cores  "
                f"{'ok' if row['met'] else 'MISSED'}"
            )
        memory = {
            "master": memory_kib(proc.pid),
            "workers": [memory_kib(p) for p in worker_pids(proc.pid)],
        }
        if proc.poll() is not None:
            raise SystemExit("gunicorn stopped during the benchmark")
    finally:
        stop_gunicorn(proc)
        say("gunicorn stopped")

    by_key = {r["key"]: r for r in results}
    deep = ratios(by_key)
    required = [r for r in results if r["key"] != "thread_last_full"]
    report = {
        "environment": environment(),
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "wrk_threads": args.wrk_threads,
            "duration": args.duration,
            "warmup": args.warmup,
            "database_url": args.database_url,
        },
        "fixture": fixture,
        "targets": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS, "deep_ratio": TARGET_DEEP_RATIO},
        "results": results,
        "ratios": deep,
        "memory_kib": memory,
        "database_bytes": database_bytes(args.database_url),
    }
    report["all_met"] = all(r["met"] for r in required) and all(
        r["met"] for r in deep if r["deep"] != "thread_last_full"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    parser.add_argument("--duration", type=float, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--no-extra", action="store_true", help="skip the last-full-page row")
    parser.add_argument(
        "--only", default="", help="measure only these pages (keys, comma-separated)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.database_url = absolute_url(args.database_url)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    def interrupted(_signum, _frame):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    # SIGTERM ends the run like Ctrl-C does, so the finally clauses stop gunicorn.
    signal.signal(signal.SIGTERM, interrupted)
    try:
        fixture = ensure_database(args)
        report = measure(args, fixture)
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    text = markdown(report)
    (OUT / "results.md").write_text(text)
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    say("")
    say(text)
    say(f"Written to {OUT / 'results.md'} and {OUT / 'results.json'}")
    return 1 if args.strict and not report["all_met"] else 0


if __name__ == "__main__":
    sys.exit(main())
