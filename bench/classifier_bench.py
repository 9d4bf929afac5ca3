"""The toxicity model's costs: load time, posts scored per second, memory.

    .venv/bin/python bench/classifier_bench.py [--model bundled] [--posts 300] [--rounds 3]

Each figure comes from a fresh process, so nothing is warm that a real worker would not
have warm:
1. Load: importing torch, transformers and detoxify, then `detox.load()`, timed apart.
2. Throughput: posts as the pipeline scores them (the whole text, in windows when long, and
   the sentences of those reaching the lowest default nudge threshold, 0.2, to point at
   them), in batches of 64 posts (`score_many`), and one post at a time (as the in-process
   runner does). The posts are the demo's 102 members' stories and replies, cycled to the
   count asked; their median length is printed.
3. Memory: the scoring process's peak resident size (ru_maxrss) after all of it.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH_POSTS = 64


def demo_posts() -> list[str]:
    from forum.demo_content import BOARDS
    from moderation.classifier.datasets import demo_posts as examples

    return [example.text for example in examples(BOARDS)]


class Counting:
    """The scorer, counting the texts it is asked to score."""

    def __init__(self, scorer: object) -> None:
        self.scorer = scorer
        self.name = scorer.name  # type: ignore[attr-defined]
        self.texts = 0

    def score(self, texts: list[str]) -> list[dict[str, float]]:
        self.texts += len(texts)
        return self.scorer.score(texts)  # type: ignore[attr-defined,no-any-return]


def child(model: str, count: int, rounds: int) -> dict[str, object]:
    started = time.perf_counter()
    import detoxify  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401

    imported = time.perf_counter()
    from moderation.classifier import detox, scoring

    scorer = Counting(detox.load(model))
    loaded = time.perf_counter()
    base = demo_posts()
    posts = [base[i % len(base)] for i in range(count)]
    scoring.score_many(scorer, posts[:8])  # first call: allocations, thread pool

    batched = []
    for _ in range(rounds):
        began = time.perf_counter()
        for start in range(0, len(posts), BATCH_POSTS):
            scoring.score_many(scorer, posts[start : start + BATCH_POSTS])
        batched.append(len(posts) / (time.perf_counter() - began))
    singles = posts[: max(20, count // 3)]
    began = time.perf_counter()
    for post in singles:
        scoring.score_text(scorer, post)
    one_by_one = len(singles) / (time.perf_counter() - began)
    texts = scorer.texts
    return {
        "model": model,
        "import_seconds": round(imported - started, 2),
        "load_seconds": round(loaded - imported, 2),
        "posts": len(posts),
        "median_post_chars": int(statistics.median(len(post) for post in posts)),
        "texts_per_post": round(texts / (len(posts) * rounds + len(singles) + 8), 1),
        "batched_posts_per_second": round(statistics.median(batched)),
        "one_at_a_time_posts_per_second": round(one_by_one),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="bundled")
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.model, args.posts, args.rounds)))
        return
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--model",
            args.model,
            "--posts",
            str(args.posts),
            "--rounds",
            str(args.rounds),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "classifier.json").write_text(json.dumps(result, indent=1))
    from moderation.classifier.scoring import RANK_FROM

    print(f"model {result['model']}")
    print(f"  import torch/transformers/detoxify  {result['import_seconds']:>6} s")
    print(f"  load the model                      {result['load_seconds']:>6} s   (target < 3 s)")
    print(
        f"  {result['posts']} posts, median {result['median_post_chars']} characters, "
        f"{result['texts_per_post']} texts scored per post (the whole, and the sentences of "
        f"posts scoring {RANK_FROM} or more)"
    )
    print(
        f"  batched ({BATCH_POSTS} posts a call)   {result['batched_posts_per_second']:>6} posts/s"
        "   (target >= 300)"
    )
    single = result["one_at_a_time_posts_per_second"]
    print(f"  one post at a time                  {single:>6} posts/s")
    print(
        f"  peak resident memory                {result['peak_rss_mb']:>6} MB   (target < 600 MB)"
    )


if __name__ == "__main__":
    main()
