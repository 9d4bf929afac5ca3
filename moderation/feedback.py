"""Moderators' decisions as labels: what `flask moderation export-labels` writes.

Each scored post that moderators settled becomes one row: its text, the model's scores at
the time and the decision. Approved (or restored on appeal) → `toxicity` 0, the post marked
benign; removed or sent back for an edit for judgment or attack → `toxicity` 1; decisions
for other reasons (privacy, spam, off topic) say nothing about toxicity and are left out.
The other five labels stay unset: a decision does not say which kind of hostility it was.

Left out as well: posts their authors deleted (they took their words back), and posts
edited after the decision (the text is no longer the one judged). No pseudonym, no
identifier of a member is written. A text that a spreadsheet would take for a formula
(`=`, `+`, `-`, `@`...) begins with `'` (csvsafe.py); labels and scores, numbers from 0 to 1,
never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from models import Board, Post, db
from models.moderation import Assessment, Decision

from .classifier import csvsafe
from .classifier.datasets import split_of
from .settings import LABELS

TOXIC_REASONS = ("judgment", "attack")
CHUNK = 500  # post ids per query
SETTLING = ("approved", "removed", "edit_requested", "appeal_upheld", "appeal_rejected")


@dataclass(frozen=True)
class Row:
    text: str
    toxicity: int
    decision: str
    reason: str
    board: str
    decided_at: datetime
    scores: dict[str, float]


def _label(action: str, reason: str, previous: int | None) -> int | None:
    if action == "approved":
        return 0
    if action in ("removed", "edit_requested"):
        return 1 if reason in TOXIC_REASONS else None
    if action == "appeal_upheld":  # the removal was undone: the post was fine
        return 0 if previous == 1 else previous
    return previous  # appeal_rejected: the decision stands


def _latest_model_assessments(posts: list[Post]) -> dict[int, Assessment]:
    """Each post's latest model assessment of its current text, a few queries in all."""
    revision = {post.id: post.revision for post in posts}
    ids = list(revision)
    latest: dict[int, Assessment] = {}
    for start in range(0, len(ids), CHUNK):
        for assessment in db.session.scalars(
            select(Assessment)
            .where(Assessment.post_id.in_(ids[start : start + CHUNK]), Assessment.source == "model")
            .order_by(Assessment.id)
        ):
            if assessment.revision == revision[assessment.post_id]:
                latest[assessment.post_id] = assessment
    return latest


def labelled_decisions(board_slug: str | None = None) -> list[Row]:
    query = (
        select(Decision, Post, Board.slug)
        .join(Post, Post.id == Decision.post_id)
        .join(Board, Board.id == Decision.board_id)
        .where(Decision.action.in_(SETTLING))
        .order_by(Decision.id)
    )
    if board_slug is not None:
        board_id = db.session.scalar(select(Board.id).where(Board.slug == board_slug))
        if board_id is None:
            raise LookupError(f"No board with the slug {board_slug!r}.")
        query = query.where(Decision.board_id == board_id)
    settled: dict[int, tuple[int | None, Decision, Post, str]] = {}
    for decision, post, slug in db.session.execute(query):
        previous = settled.get(post.id, (None,))[0]
        settled[post.id] = (
            _label(decision.action, decision.reason, previous),
            decision,
            post,
            slug,
        )
    kept = [entry for entry in settled.values() if entry[0] is not None and not entry[2].is_deleted]
    latest = _latest_model_assessments([post for _, _, post, _ in kept])
    rows = []
    for label, decision, post, slug in kept:
        assessment = latest.get(post.id)
        if assessment is None or assessment.created_at > decision.created_at:
            continue  # never scored, or edited since the decision
        rows.append(
            Row(
                text=post.body,
                toxicity=label,  # type: ignore[arg-type]
                decision=decision.action,
                reason=decision.reason,
                board=slug,
                decided_at=decision.created_at,
                scores={k: float(v) for k, v in (assessment.scores or {}).items() if k in LABELS},
            )
        )
    return rows


def write(path: Path, rows: list[Row]) -> int:
    """The rows in the labelled CSV format (`train --data`, `evaluate --data`), with the
    scores the model gave at the time as `score_<label>` columns."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvsafe.Writer(handle)
        writer.writerow(
            [
                "text",
                "toxicity",
                "benign",
                "split",
                "source",
                "decision",
                "reason",
                "board",
                "decided_at",
                *(f"score_{label}" for label in LABELS),
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row.text,
                    row.toxicity,
                    int(row.toxicity == 0),
                    split_of(row.text),
                    f"decisions_{row.board}",
                    row.decision,
                    row.reason,
                    row.board,
                    row.decided_at.isoformat(timespec="seconds"),
                    *(
                        f"{row.scores[label]:.4f}" if label in row.scores else ""
                        for label in LABELS
                    ),
                ]
            )
    return len(rows)
