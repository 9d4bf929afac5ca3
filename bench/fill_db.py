#!/usr/bin/env python
"""Fill a database with a realistic forum volume, fast (bulk inserts, well under a minute).

    .venv/bin/python bench/fill_db.py --database-url sqlite:///bench/out/bench.db --replace

Default volume: 8 boards, 20,000 threads, 500,000 posts of about 80 words, 5,000 members and
200,000 reactions. The schema comes from the real migrations; rows are written with SQLAlchemy
Core `insert()` executemany in large batches, in one transaction. Everything derives from
`--seed`, so two fills with the same arguments hold the same rows.

Shape of the data:
- Post and thread ids are chronological over three years of activity: the posts of a thread
  are interleaved with everybody else's, as on a real forum (no artificial locality).
- Board activity is uneven (weights 1/k^0.8): the busiest board holds ~31% of the threads,
  enough for a page 200 at 25 threads per page.
- Replies per thread follow a lognormal law (mean ~24); one thread of the busiest board, opened
  a year ago, has exactly `--big-thread-replies` replies.
- Replies answer the first post, a recent post or any earlier post of the same thread; `depth`
  and `path` come from `models.tree.place`, as when posting.
- Every post is published and not deleted; `threads.reply_count`, `threads.status` and
  `threads.last_activity_at` are what the posting services would have left.
- Bodies: a pool of 400 distinct ~80-word French texts rendered once by
  `forum.markup.render_markdown`, reused. One password hash shared by every member.

It writes a fixture (JSON) describing what the benchmark needs: the big thread, the busiest
board, their page counts, the volume and the fill time.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

OUT = ROOT / "bench" / "out"
DEFAULT_URL = f"sqlite:///{OUT / 'bench.db'}"
DEFAULT_FIXTURE = OUT / "fixture.json"
# Any member can sign in with this password (the bench database only).
MEMBER_PASSWORD = "bench-password"  # noqa: S105
END = datetime(2026, 11, 15, 12, 0, 0)  # fixed, so the data does not depend on the day
SPAN = timedelta(days=3 * 365)
BATCH = 20_000

# The search benchmark's words: one in nearly every post, one in about a post in a thousand,
# and a phrase of two common words that about one post in seventy holds.
COMMON_WORD = "jamais"
COMMON_PHRASE = "angoisse moment"
RARE_WORD = "kinésithérapeute"
RARE_SENTENCE = "Mon kinésithérapeute m'a écouté longtemps."
RARE_SHARE = 0.001
# The member whose "Mes fils" and notifications are measured (member 1 is the admin).
READER = 2
FOLLOWED = 200
NOTIFIED_PER_THREAD = 5

WORDS = (
    "je",
    "tu",
    "il",
    "elle",
    "on",
    "nous",
    "vous",
    "ils",
    "elles",
    "moi",
    "toi",
    "lui",
    "mon",
    "ma",
    "mes",
    "ton",
    "ta",
    "tes",
    "son",
    "sa",
    "ses",
    "notre",
    "votre",
    "leur",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "à",
    "au",
    "aux",
    "et",
    "ou",
    "mais",
    "donc",
    "car",
    "ni",
    "que",
    "qui",
    "quoi",
    "dont",
    "quand",
    "comme",
    "si",
    "pas",
    "plus",
    "jamais",
    "toujours",
    "encore",
    "déjà",
    "aussi",
    "très",
    "trop",
    "peu",
    "beaucoup",
    "vraiment",
    "juste",
    "seulement",
    "parfois",
    "souvent",
    "hier",
    "demain",
    "aujourd'hui",
    "soir",
    "matin",
    "nuit",
    "semaine",
    "mois",
    "année",
    "temps",
    "jour",
    "moment",
    "fois",
    "vie",
    "famille",
    "ami",
    "amie",
    "mère",
    "père",
    "sœur",
    "frère",
    "enfant",
    "travail",
    "médecin",
    "psychologue",
    "traitement",
    "rendez-vous",
    "sommeil",
    "fatigue",
    "angoisse",
    "peur",
    "colère",
    "tristesse",
    "joie",
    "espoir",
    "courage",
    "force",
    "douleur",
    "souvenir",
    "manque",
    "silence",
    "parole",
    "écoute",
    "aide",
    "soutien",
    "groupe",
    "forum",
    "message",
    "réponse",
    "question",
    "conseil",
    "chemin",
    "pas",
    "étape",
    "progrès",
    "rechute",
    "envie",
    "besoin",
    "être",
    "avoir",
    "faire",
    "dire",
    "aller",
    "voir",
    "savoir",
    "pouvoir",
    "vouloir",
    "venir",
    "devoir",
    "prendre",
    "trouver",
    "donner",
    "parler",
    "penser",
    "sentir",
    "vivre",
    "dormir",
    "manger",
    "pleurer",
    "respirer",
    "marcher",
    "attendre",
    "essayer",
    "comprendre",
    "accepter",
    "oublier",
    "garder",
    "partager",
    "remercier",
    "lire",
    "écrire",
    "tenir",
    "bien",
    "mal",
    "mieux",
    "petit",
    "grand",
    "long",
    "difficile",
    "simple",
    "lourd",
    "léger",
    "vrai",
    "seul",
    "ensemble",
    "fier",
    "doux",
    "calme",
    "fragile",
    "nouveau",
    "dernier",
    "premier",
    "bon",
)
EMPHASIS = ("**", "*")
TITLE_STARTS = (
    "Comment vous faites pour",
    "Besoin de conseils pour",
    "Première fois que j'ose",
    "Je n'arrive plus à",
    "Un petit pas :",
    "Est-ce normal de",
    "Quelqu'un a déjà essayé de",
    "Merci à vous, j'ai réussi à",
    "Difficile de",
    "Vos astuces pour",
    "Témoignage :",
    "Question sur comment",
    "Je voudrais apprendre à",
    "Ça fait un an que j'essaie de",
)
TITLE_ENDS = (
    "tenir le coup le soir",
    "en parler à ma famille",
    "dormir la nuit",
    "reprendre le travail",
    "demander de l'aide",
    "sortir de chez moi",
    "accepter le diagnostic",
    "dire non",
    "garder espoir",
    "traverser les fêtes",
    "trouver un psychologue",
    "gérer la fatigue",
    "respirer pendant une crise",
    "retrouver confiance",
    "écrire ce que je ressens",
    "voir mes amis",
    "manger normalement",
    "passer une journée sans",
    "en parler au médecin",
)
FIRST_NAMES = (
    "camille",
    "lea",
    "manon",
    "chloe",
    "ines",
    "sarah",
    "julie",
    "emma",
    "louise",
    "alice",
    "hugo",
    "lucas",
    "theo",
    "nathan",
    "louis",
    "jules",
    "arthur",
    "paul",
    "sacha",
    "noah",
    "dominique",
    "claude",
    "morgane",
    "yanis",
    "amina",
    "fatou",
    "mehdi",
    "sofia",
    "eli",
    "nour",
)
WARNINGS = ("idées noires", "deuil", "automutilation", "violences", "hospitalisation")
KINDS = ("thanks", "me_too", "courage", "bravo")


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f}s] {message}", flush=True)


def sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):  # as the app does: we use psycopg 3
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def absolute_url(url: str) -> str:
    """Relative SQLite paths made absolute (Flask-SQLAlchemy would read them from instance/)."""
    db_file = sqlite_file(url)
    if db_file is None or db_file.is_absolute():
        return url
    return make_url(url).set(database=str(db_file.resolve())).render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


# --------------------------------------------------------------------------- schema


def migrate(url: str, replace: bool) -> None:
    """Create the schema with the project's own migrations (dropping it first on --replace)."""
    import flask_migrate

    from app import create_app
    from models import db

    db_file = sqlite_file(url)
    if replace and db_file is not None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
    if db_file is not None:
        db_file.parent.mkdir(parents=True, exist_ok=True)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-fill"})
    with app.app_context():
        if replace and db_file is None:
            flask_migrate.downgrade(revision="base")
        flask_migrate.upgrade()
        db.engine.dispose()


def bulk_engine(url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(sqlalchemy_url(url))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            # A throw-away database: no durability needed while filling.
            cursor.execute("PRAGMA journal_mode = MEMORY")
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -524288")  # 512 MiB
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA foreign_keys = OFF")  # ids are consistent by construction
            cursor.close()

    return engine


# --------------------------------------------------------------------------- content


def make_bodies(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(markdown, html) pairs of about 80 words, rendered by the app's own renderer."""
    from forum.markup import render_markdown

    bodies = []
    for _ in range(count):
        target = rng.randint(70, 90)
        sentences: list[str] = []
        words = 0
        while words < target:
            n = min(rng.randint(6, 16), target - words) or 1
            chosen = [rng.choice(WORDS) for _ in range(n)]
            if rng.random() < 0.08:
                i = rng.randrange(n)
                mark = rng.choice(EMPHASIS)
                chosen[i] = f"{mark}{chosen[i]}{mark}"
            sentence = " ".join(chosen)
            end = rng.choice((".", ".", ".", " ?", " !"))
            sentences.append(sentence[0].upper() + sentence[1:] + end)
            words += n
        paragraphs: list[str] = []
        breaks = min(len(sentences) - 1, rng.randint(0, 2))
        cut = sorted(rng.sample(range(1, len(sentences)), k=breaks))
        start = 0
        for c in [*cut, len(sentences)]:
            paragraphs.append(" ".join(sentences[start:c]))
            start = c
        markdown = "\n\n".join(p for p in paragraphs if p)
        bodies.append((markdown, render_markdown(markdown)))
    return bodies


def pick_parent(rng: random.Random, j: int) -> int:
    """Local index of the post that reply number j (>= 1) answers."""
    r = rng.random()
    if j == 1 or r < 0.35:
        return 0  # the first post
    if r < 0.80:
        return j - 1 - min(j - 1, int(rng.expovariate(0.7)))  # the conversation going on
    return rng.randrange(j)  # any earlier post


# --------------------------------------------------------------------------- main


def fill(args: argparse.Namespace) -> dict:
    from forum.accounts import pseudonyms
    from forum.accounts.services import CHARTER_VERSION
    from forum.boards.queries import POSTS_PER_PAGE, THREADS_PER_PAGE
    from forum.demo_content import BOARDS
    from models import Base, tree

    started = time.perf_counter()
    rng = random.Random(args.seed)
    n_threads, n_posts, n_members, n_boards = args.threads, args.posts, args.members, args.boards
    big_replies = args.big_thread_replies
    other_replies = n_posts - n_threads - big_replies
    if other_replies < 0 or n_threads < 1 or n_members < 1 or n_boards < 1:
        raise SystemExit("--posts must be at least --threads + --big-thread-replies")

    migrate(args.database_url, args.replace)
    log("schema created by the migrations", started)
    engine = bulk_engine(args.database_url)
    with engine.connect() as conn:
        existing = sum(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608
            for t in ("users", "boards", "threads", "posts")
        )
    if existing:
        raise SystemExit("The database already holds rows: pass --replace to start afresh.")

    tables = Base.metadata.tables
    span = SPAN.total_seconds()
    start_at = END - SPAN

    def at(seconds: float) -> datetime:
        return start_at + timedelta(seconds=seconds)

    # ---- members
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(MEMBER_PASSWORD, method="scrypt")
    members = []
    keys: set[str] = set()
    skeletons: set[str] = set()
    for uid in range(1, n_members + 1):
        name = f"{rng.choice(FIRST_NAMES).capitalize()}{uid}"
        key, skel = pseudonyms.identity_key(name), pseudonyms.skeleton(name)
        if key in keys or skel in skeletons:
            raise SystemExit(f"pseudonym collision on {name!r}")
        keys.add(key)
        skeletons.add(skel)
        joined = at(rng.random() * span * 0.6)
        members.append(
            {
                "id": uid,
                "pseudonym": name,
                "pseudonym_key": key,
                "pseudonym_skeleton": skel,
                "password_hash": password_hash,
                "is_admin": uid == 1,
                "locale": rng.choice((None, None, None, "fr", "en")),
                "charter_version": CHARTER_VERSION,
                "charter_accepted_at": joined,
                "session_version": 1,
                "created_at": joined,
            }
        )
    # Who writes: a few members write a lot (Zipf-like weights, shuffled over the ids).
    activity = [1 / (rank + 5) ** 0.9 for rank in range(n_members)]
    rng.shuffle(activity)
    member_ids = list(range(1, n_members + 1))
    member_cum = []
    total = 0.0
    for w in activity:
        total += w
        member_cum.append(total)

    # ---- boards (the public boards of the French demo, then generic ones)
    from forum.markup import render_markdown

    specs = [b for b in BOARDS if not b["members_only"]]
    boards = []
    for k in range(n_boards):
        if k < len(specs):
            s = specs[k]
            slug, name, theme = s["slug"], s["name"], s["theme"]
            description, charter = s["description"], s["charter"]
        else:
            slug, name, theme = f"espace-{k + 1}", f"Espace {k + 1}", "emotions"
            description, charter = "Un espace d'entraide.", "Bienveillance et respect."
        boards.append(
            {
                "id": k + 1,
                "slug": slug,
                "name": name,
                "description": description,
                "theme": theme,
                "members_only": False,
                "charter": charter,
                "charter_html": render_markdown(charter),
                "position": k + 1,
                "created_at": start_at - timedelta(days=30),
            }
        )
    moderators = [
        {"board_id": b["id"], "user_id": uid}
        for b in boards
        for uid in rng.sample(range(2, min(n_members, 60) + 1), k=min(2, max(0, n_members - 1)))
    ]

    # ---- threads: creation times, boards, reply counts
    created = sorted(rng.random() * span * 0.999 for _ in range(n_threads))
    board_weights = [1 / (k + 1) ** 0.8 for k in range(n_boards)]
    board_of = rng.choices(range(n_boards), weights=board_weights, k=n_threads)
    busiest = max(range(n_boards), key=board_of.count)
    year_ago = max(0.0, span - 365 * 86400)
    big = min(
        (i for i in range(n_threads) if board_of[i] == busiest),
        key=lambda i: abs(created[i] - year_ago),
    )
    weights = [rng.lognormvariate(0, 1.1) for _ in range(n_threads)]
    weights[big] = 0.0
    cap = 40 * sorted(weights)[n_threads // 2]  # no other thread outgrows the big one
    weights = [min(w, cap) for w in weights]
    counts = [0] * n_threads
    if other_replies:
        if sum(weights) == 0:
            weights = [1.0 if i != big else 0.0 for i in range(n_threads)]
        for i in rng.choices(range(n_threads), weights=weights, k=other_replies):
            counts[i] += 1
    counts[big] = big_replies
    largest = max((c for i, c in enumerate(counts) if i != big), default=0)
    log(
        f"plan: {n_threads} threads, busiest board {boards[busiest]['slug']} "
        f"({board_of.count(busiest)} threads), largest other thread {largest} replies",
        started,
    )

    # ---- posts: times, parents, then chronological ids
    timeline: list[tuple[float, int, int]] = []
    parents: list[list[int]] = []
    last_activity: list[float] = []  # what the posting services leave: the latest reply
    for i in range(n_threads):
        c, n = created[i], counts[i]
        remaining = max(60.0, span - c - 60)
        life = remaining if i == big else min(remaining, rng.expovariate(1 / (21 * 86400)) + 3600)
        shape = 1 if i == big else 2  # replies come soon after the first post, except the big one
        times = sorted(c + 60 + life * rng.random() ** shape for _ in range(n))
        last_activity.append(times[-1] if times else c)
        timeline.append((c, i, 0))
        timeline.extend((t, i, j) for j, t in enumerate(times, start=1))
        parents.append([-1] + [pick_parent(rng, j) for j in range(1, n + 1)])
    timeline.sort()
    local_ids = [[0] * (counts[i] + 1) for i in range(n_threads)]
    for pid, (_t, i, j) in enumerate(timeline, start=1):
        local_ids[i][j] = pid
    # Thread ids follow creation time too (created[] is sorted).
    log(f"timeline of {len(timeline)} posts ordered", started)

    bodies = make_bodies(rng, 400)
    log("400 bodies rendered with forum.markup.render_markdown", started)
    # A word that only about one post in a thousand holds: the search benchmark's rare word.
    rare_bodies = [
        (markdown + f"\n\n{RARE_SENTENCE}", html + f"\n<p>{RARE_SENTENCE}</p>")
        for markdown, html in make_bodies(rng, 20)
    ]

    thread_authors = [rng.choices(member_ids, cum_weights=member_cum)[0] for _ in range(n_threads)]
    warned = {i for i in range(n_threads) if rng.random() < 0.03}
    pinned = {min(i for i in range(n_threads) if board_of[i] == b) for b in set(board_of)}

    def post_rows():  # type: ignore[no-untyped-def]
        depth_of: list[list[int]] = [[0] * (counts[i] + 1) for i in range(n_threads)]
        path_of: list[list[str]] = [[""] * (counts[i] + 1) for i in range(n_threads)]
        batch = []
        for pid, (t, i, j) in enumerate(timeline, start=1):
            if j == 0:
                depth, path = tree.place(pid, None, None)
                parent_id = None
                author = thread_authors[i]
                warning = rng.choice(WARNINGS) if i in warned else None
            else:
                p = parents[i][j]
                depth, path = tree.place(pid, depth_of[i][p], path_of[i][p])
                parent_id = local_ids[i][p]
                author = rng.choices(member_ids, cum_weights=member_cum)[0]
                warning = rng.choice(WARNINGS) if rng.random() < 0.02 else None
            depth_of[i][j], path_of[i][j] = depth, path
            pool = rare_bodies if rng.random() < RARE_SHARE else bodies
            body, html = pool[rng.randrange(len(pool))]
            batch.append(
                {
                    "id": pid,
                    "thread_id": i + 1,
                    "author_id": author,
                    "parent_id": parent_id,
                    "depth": depth,
                    "path": path,
                    "body": body,
                    "html": html,
                    "content_warning": warning,
                    "status": "published",
                    "created_at": at(t),
                    "edited_at": None,
                    "deleted_at": None,
                }
            )
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    # ---- write
    timings: dict[str, float] = {}
    with engine.begin() as conn:
        t0 = time.perf_counter()
        conn.execute(insert(tables["users"]), members)
        conn.execute(insert(tables["boards"]), boards)
        conn.execute(insert(tables["board_moderators"]), moderators)
        timings["users_boards"] = time.perf_counter() - t0
        log(f"{n_members} members, {n_boards} boards inserted", started)

        # Threads first (posts reference them), with the counters the services would keep.
        t0 = time.perf_counter()
        thread_rows = [
            {
                "id": i + 1,
                "board_id": board_of[i] + 1,
                "author_id": thread_authors[i],
                "title": f"{rng.choice(TITLE_STARTS)} {rng.choice(TITLE_ENDS)}",
                "content_warning": rng.choice(WARNINGS) if i in warned else None,
                "status": "published",
                "is_pinned": i in pinned,
                "reply_count": counts[i],
                "created_at": at(created[i]),
                "last_activity_at": at(last_activity[i]),
            }
            for i in range(n_threads)
        ]
        for k in range(0, n_threads, BATCH):
            conn.execute(insert(tables["threads"]), thread_rows[k : k + BATCH])
        timings["threads"] = time.perf_counter() - t0
        log(f"{n_threads} threads inserted", started)

        t0 = time.perf_counter()
        written = 0
        for batch in post_rows():
            conn.execute(insert(tables["posts"]), batch)
            written += len(batch)
            if written % 100_000 < BATCH:
                log(f"  posts: {written}", started)
        timings["posts"] = time.perf_counter() - t0
        log(f"{written} posts inserted", started)

        t0 = time.perf_counter()
        n_reactions = min(args.reactions, n_posts * n_members * len(KINDS) // 2)
        first_ids = [local_ids[i][0] for i in range(n_threads)]
        seen: set[tuple[int, int, str]] = set()
        while len(seen) < n_reactions:
            if rng.random() < 0.3:  # first posts get more than their share
                pid = first_ids[rng.randrange(n_threads)]
            else:
                pid = rng.randint(1, n_posts)
            seen.add((pid, rng.randint(1, n_members), rng.choice(KINDS)))
        reaction_rows = []
        for pid, uid, kind in sorted(seen):
            t = timeline[pid - 1][0]
            reaction_rows.append(
                {
                    "post_id": pid,
                    "user_id": uid,
                    "kind": kind,
                    "created_at": at(t + rng.random() * min(7 * 86400, max(0.0, span - t))),
                }
            )
        for k in range(0, len(reaction_rows), BATCH):
            conn.execute(insert(tables["reactions"]), reaction_rows[k : k + BATCH])
        timings["reactions"] = time.perf_counter() - t0
        log(f"{len(reaction_rows)} reactions inserted", started)

        # One member who follows 200 threads: "Mes fils" and notifications are measured as
        # them. The newest posts of each followed thread notified them; the last few are
        # unread, and a few threads have messages since their last visit.
        t0 = time.perf_counter()
        followed = sorted(rng.sample(range(n_threads), k=min(FOLLOWED, n_threads)))
        follow_rows, notification_rows = [], []
        for k, i in enumerate(followed):
            ids = local_ids[i]
            unread = 2 if k % 10 == 0 else 0
            follow_rows.append(
                {
                    "user_id": READER,
                    "thread_id": i + 1,
                    "mode": "follow",
                    "last_read_post_id": ids[max(0, len(ids) - 1 - unread)],
                    "created_at": at(created[i]),
                }
            )
            for pid in ids[-NOTIFIED_PER_THREAD:]:
                t = at(timeline[pid - 1][0])
                notification_rows.append(
                    {
                        "user_id": READER,
                        "post_id": pid,
                        "kind": "thread",
                        "created_at": t,
                        "read_at": None if pid in ids[len(ids) - unread :] else t,
                    }
                )
        conn.execute(insert(tables["follows"]), follow_rows)
        for k in range(0, len(notification_rows), BATCH):
            conn.execute(insert(tables["notifications"]), notification_rows[k : k + BATCH])
        timings["follows"] = time.perf_counter() - t0
        log(f"{len(follow_rows)} follows, {len(notification_rows)} notifications inserted", started)

    t0 = time.perf_counter()
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA optimize")
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")  # what the app uses
            conn.commit()
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    timings["analyze"] = time.perf_counter() - t0
    log("ANALYZE done", started)
    engine.dispose()

    total_seconds = time.perf_counter() - started
    db_file = sqlite_file(args.database_url)
    big_posts = counts[big] + 1
    busiest_threads = board_of.count(busiest)
    fixture = {
        "database_url": args.database_url,
        "seed": args.seed,
        "volume": {
            "boards": n_boards,
            "threads": n_threads,
            "posts": n_posts,
            "members": n_members,
            "reactions": len(reaction_rows),
        },
        "big_thread": {
            "id": big + 1,
            "replies": counts[big],
            "board_slug": boards[board_of[big]]["slug"],
            "posts_per_page": POSTS_PER_PAGE,
            "last_page": math.ceil(big_posts / POSTS_PER_PAGE),
        },
        "busiest_board": {
            "slug": boards[busiest]["slug"],
            "threads": busiest_threads,
            "threads_per_page": THREADS_PER_PAGE,
            "pages": math.ceil(busiest_threads / THREADS_PER_PAGE),
        },
        "member_password": MEMBER_PASSWORD,
        "reader": {
            "pseudonym": members[READER - 1]["pseudonym"],
            "follows": len(follow_rows),
            "notifications": len(notification_rows),
        },
        "search": {
            "common": COMMON_WORD,
            "rare": RARE_WORD,
            "phrase": COMMON_PHRASE,
            "board_slug": boards[busiest]["slug"],
        },
        "fill_seconds": round(total_seconds, 1),
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "db_bytes": db_file.stat().st_size if db_file else None,
    }
    log(f"done in {total_seconds:.1f}s", started)
    return fixture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--threads", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=500_000, help="first posts included")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--boards", type=int, default=8)
    parser.add_argument("--reactions", type=int, default=200_000)
    parser.add_argument("--big-thread-replies", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument(
        "--replace",
        action="store_true",
        help="delete the SQLite file (or downgrade the schema) first",
    )
    args = parser.parse_args(argv)
    args.database_url = absolute_url(args.database_url)
    fixture = fill(args)
    args.fixture.parent.mkdir(parents=True, exist_ok=True)
    args.fixture.write_text(json.dumps(fixture, indent=2) + "\n")
    print(f"fixture written to {args.fixture}")
    keys = ("big_thread", "busiest_board", "fill_seconds", "db_bytes")
    print(json.dumps({k: fixture[k] for k in keys}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
