"""Worst cases for Markdown rendering: the work one post can cause when it is saved.

    .venv/bin/python bench/markup_bench.py [--repeat 3] [--only NAME]

Each case is a body of at most BODY_MAX (20,000) characters, the most the posting form
accepts, built to make markdown-it or bleach do the most work: deep nesting (quotes,
lists, emphasis, brackets), long runs of delimiters, link reference definitions, wide
tables, HTML-looking text and text that the linkifier scans for addresses. It prints the
best CPU time of a few runs of `forum.markup.render_markdown` (steadier than wall time on
a shared machine), the size of the HTML, and whether the post was rendered as Markdown or,
past the limits in forum/markup.py, shown as typed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum.boards.forms import BODY_MAX  # noqa: E402
from forum.markup import as_typed, render_markdown  # noqa: E402

TARGET_MS = 100  # a post must never hold a worker longer than this


def _fill(unit: str, tail: str = "") -> str:
    """`unit` repeated up to the body cap, with `tail` kept at the end."""
    room = BODY_MAX - len(tail)
    return (unit * (room // len(unit) + 1))[:room] + tail


def _nested(open_: str, close: str, depth: int, middle: str = "x") -> str:
    return (open_ * depth + middle + close * depth)[:BODY_MAX]


def _table(columns: int, rows: int) -> str:
    header = "|" + "|".join("a" for _ in range(columns)) + "|\n"
    rule = "|" + "|".join("-" for _ in range(columns)) + "|\n"
    row = "|" + "|".join("b" for _ in range(columns)) + "|\n"
    text = header + rule
    while len(text) + len(row) <= BODY_MAX:
        text += row
        rows -= 1
        if rows == 0:
            break
    return text[:BODY_MAX]


CASES: dict[str, str] = {
    # Nesting: quotes, lists, ordered lists, and both mixed, one marker per level.
    "10,000 nested quotes": ">" * 10_000 + " deep",
    "nested quotes, one per line": "".join(">" * n + " q\n" for n in range(1, 200))[:BODY_MAX],
    "6,600 nested lists (- )": "- " * 6_600 + "deep",
    "nested lists, indented": "".join("  " * n + "- item\n" for n in range(140))[:BODY_MAX],
    "6,600 nested ordered (1. )": "1. " * 6_600 + "deep",
    "mixed > - > - ": "> - " * 4_999 + "deep",
    "mixed > 1. ": "> 1. " * 3_999 + "deep",
    "list in quote, one per line": "".join("> " * n + "- x\n" for n in range(1, 140))[:BODY_MAX],
    # Inline delimiters: emphasis, strikethrough, brackets, backticks.
    "deep emphasis *a **b": _nested("*a **b ", "** c*", 1_300),
    "10,000 * then 10,000 _": "*" * 10_000 + "_" * 10_000,
    "alternating *_": "*_" * 10_000,
    "strikethrough ~~": "~~a " * 5_000,
    "10,000 [": "[" * 10_000 + "x" + "]" * 9_999,
    "20,000 [": "[" * BODY_MAX,
    "[a]( unclosed": "[a](" * 5_000,
    "link in link": "[" * 5_000 + "a](b)" + "](c)" * 3_000,
    "backtick runs": "".join("`" * n + "a" for n in range(1, 200))[:BODY_MAX],
    "20,000 backticks": "`" * BODY_MAX,
    "backticks ` `` ```": "` `` ``` " * 2_222,
    # Block structure.
    "link reference definitions": _fill("[a]: http://x.org\n"),
    "1,000 references then uses": ("[r1]: /u\n" * 1_000 + "[r1] " * 2_000)[:BODY_MAX],
    "table, 6,600 columns": _table(6_600, 1),
    "table, 1,000 columns x 6 rows": _table(1_000, 6),
    "table, 2 columns, many rows": _table(2, 10_000),
    "table, 300 columns, short rows": "|" + "a|" * 300 + "\n|" + "-|" * 300 + "\n" + "x\n" * 300,
    "table, 3,000 columns, short rows": (
        "|" + "a|" * 3_000 + "\n|" + "-|" * 3_000 + "\n" + "x\n" * 3_000
    )[:BODY_MAX],
    "many small tables": _fill("|a|b|\n|-|-|\n|c|d|\n\n"),
    "20,000 newlines": "\n" * BODY_MAX,
    "headings": _fill("# a\n"),
    "setext underlines": _fill("a\n===\n"),
    "code fence open": "```\n" + _fill("a\n")[4:],
    "indented code": _fill("    code\n"),
    "hard breaks": _fill("a  \n"),
    # Text that looks like HTML or entities: escaped by markdown-it, parsed again by bleach.
    "html-ish tags": _fill("<div><span>a</span>"),
    "unclosed <": "<" * BODY_MAX,
    "20,000 &": "&" * BODY_MAX,
    '20,000 "': '"' * BODY_MAX,
    "> in text": _fill("a > b "),
    "entities": _fill("&amp;&#123;&#x41;&nbsp;"),
    "html comments": _fill("<!-- a -->"),
    "autolinks <http://>": _fill("<http://a.b/> "),
    # What bleach's linkifier scans for addresses in the final text.
    "a.b. repeated": _fill("a.b."),
    "a.b.c.d… one word": "a." * 10_000,
    "http:// repeated": _fill("http://"),
    "http://a.co/ repeated": _fill("http://a.co/ "),
    "www.a.com repeated": _fill("www.a.com "),
    "one 20,000-char URL": "http://a.co/" + "a" * (BODY_MAX - 12),
    "domains with paths": _fill("example.com/a/b?c=d#e "),
    "email-like": _fill("a@b.co "),
    # An ordinary long post, for scale.
    "ordinary prose": _fill("Je me sens seule ce soir, et je voulais vous le dire. "),
}


# Under the limits, the costliest posts are the largest that are still rendered: each unit
# is repeated as often as it can be before the post would be shown as typed.
NEAR_LIMITS: dict[str, tuple[str, str]] = {
    "emphasis *a*": ("", "*a* "),
    "strong **a**": ("", "**a** "),
    "strikethrough ~~a~~": ("", "~~a~~ "),
    "links [a](b)": ("", "[a](b) "),
    "reference links [a]": ("[a]: http://a.co/\n\n", "[a] "),
    "autolinks <http://a.co/>": ("", "<http://a.co/> "),
    "code spans `a`": ("", "`a` "),
    "escaped < and &": ("", "<&"),
    "headings # a": ("", "# a\n"),
    "hard breaks": ("", "a  \n"),
    "list items - a": ("", "- a\n"),
    "quotes > a, one per paragraph": ("", "> a\n\n"),
    "nested quotes, one per line": ("", "> > > > > > > > > > > > > > > > > > > > > > a\n"),
    "table rows": ("|a|b|c|d|\n|-|-|-|-|\n", "|a|b|c|d|\n"),
    "tables of 30 columns": ("", "|" + "a|" * 30 + "\n|" + "-|" * 30 + "\n" + "x\n" * 30 + "\n"),
    "bare addresses (linkify)": ("", "http://a.co/ "),
}


def _largest_markdown(prefix: str, unit: str) -> str:
    """The longest `prefix + unit * n` within BODY_MAX that is rendered as Markdown."""
    low, high = 0, (BODY_MAX - len(prefix)) // len(unit)
    while low < high:
        middle = (low + high + 1) // 2
        text = prefix + unit * middle
        if render_markdown(text) != as_typed(text):
            low = middle
        else:
            high = middle - 1
    return prefix + unit * low


def _best(step: Callable[[str], str], text: str, repeat: int) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        start = time.process_time()
        out = step(text)
        best = min(best, (time.process_time() - start) * 1000)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="run the cases whose name contains this")
    args = parser.parse_args()
    print(f"## render_markdown on bodies of at most {BODY_MAX:,} characters")
    print(f"CPU ms, best of {args.repeat}.\n")
    print("| case | chars | CPU ms | HTML chars | shown |")
    print("|---|---:|---:|---:|---|")
    worst_name, worst = "", 0.0
    for name, text in CASES.items():
        if args.only and args.only not in name:
            continue
        assert len(text) <= BODY_MAX, (name, len(text))
        ms, html = _best(render_markdown, text, args.repeat)
        if ms > worst:
            worst_name, worst = name, ms
        flag = " **slow**" if ms > TARGET_MS else ""
        shown = "as typed" if html == as_typed(text) else "Markdown"
        print(f"| {name} | {len(text):,} | {ms:.1f}{flag} | {len(html):,} | {shown} |")
    print("\n## The largest post of each kind still rendered as Markdown")
    print("| kind | chars | CPU ms | HTML chars |")
    print("|---|---:|---:|---:|")
    for name, (prefix, unit) in NEAR_LIMITS.items():
        if args.only and args.only not in name:
            continue
        text = _largest_markdown(prefix, unit)
        ms, html = _best(render_markdown, text, args.repeat)
        if ms > worst:
            worst_name, worst = name, ms
        flag = " **slow**" if ms > TARGET_MS else ""
        print(f"| {name} | {len(text):,} | {ms:.1f}{flag} | {len(html):,} |")
    print(f"\nWorst case: {worst_name}, {worst:.1f} ms (target: under {TARGET_MS} ms).")


if __name__ == "__main__":
    main()
