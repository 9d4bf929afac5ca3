"""Who may give a voice on a review item, now: the rules `decisions` enforces, asked before
acting so that the item page offers only what will be accepted, and so that opening an item
claims it only for a moderator who can settle it.

- nobody decides on their own post or on a post they reported;
- an appeal is settled by moderators who took no part in the decision it contests;
- nobody counts twice on one question (the post, the appeal, a sanction);
- a decided item takes no more decisions, though a sanction may still follow a removal or
  a request to rephrase;
- another moderator's live claim keeps the others waiting (checked last: a moderator who
  may not act anyway is told the real reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import (
    Decision,
    ItemKind,
    ItemState,
    Post,
    PostStatus,
    Report,
    ReviewItem,
    User,
    Vote,
    db,
)

from . import queue
from .vocabulary import Choice, Outcome

POST_CHOICES = frozenset(Choice)
# On an appeal: approve upholds it (the decision is undone), remove rejects it.
APPEAL_CHOICES = frozenset({Choice.APPROVE, Choice.REMOVE, Choice.ESCALATE})
# A sanction can still gather voices once the post itself is settled this way.
SANCTION_AFTER = (Outcome.REMOVED, Outcome.EDIT_REQUESTED)


@dataclass(frozen=True)
class Eligibility:
    """What one moderator may do on one item now.

    `reason` says why `choices` is empty, `sanction_reason` why `may_sanction` is False:
    keys of the refusals `decisions.NotAllowed` carries (own_post, own_report,
    took_decision, already_voted, already_decided, forbidden, claimed...)."""

    choices: frozenset[str]
    may_sanction: bool
    reason: str | None = None
    sanction_reason: str | None = None

    @property
    def can_decide(self) -> bool:
        """A decision on the item itself: what a claim is for."""
        return bool(self.choices)


def deciders(appeal: ReviewItem) -> set[int]:
    """Moderators who gave a voice on the decision an appeal contests."""
    original = db.session.get(Decision, appeal.decision_id) if appeal.decision_id else None
    if original is None or original.item_id is None:
        return set()
    return set(
        db.session.scalars(select(Vote.moderator_id).where(Vote.item_id == original.item_id))
    )


def topic_of(item: ReviewItem, *, for_sanction: bool = False) -> str:
    """The question a voice answers; one voice per moderator on each."""
    if for_sanction:
        return "sanction"
    return "appeal" if item.kind == ItemKind.APPEAL else "post"


def refusal(
    item: ReviewItem, moderator: User, post: Post, *, for_sanction: bool = False
) -> str | None:
    """Why this moderator may not give a voice on the item now, or None when they may.
    The single source of these rules: `decisions._check` raises what this returns."""
    if not queue.may_review(moderator, item):
        return "forbidden"
    settled_post = for_sanction and item.outcome in SANCTION_AFTER
    if item.state != ItemState.OPEN and not settled_post:
        return "already_decided"
    if item.kind == ItemKind.POST and post.status == PostStatus.DRAFT and not for_sanction:
        # Back with its author, who has not sent it again: nothing to decide (drafts are
        # private; their items are withdrawn, this guards what is left open by accident).
        return "draft"
    if post.author_id == moderator.id:
        return "own_post"
    reported = db.session.scalar(
        select(Report.id).where(Report.post_id == post.id, Report.reporter_id == moderator.id)
    )
    if reported is not None:
        return "own_report"
    if item.kind == ItemKind.APPEAL and moderator.id in deciders(item):
        return "took_decision"
    voted = db.session.scalar(
        select(Vote.id).where(
            Vote.item_id == item.id,
            Vote.moderator_id == moderator.id,
            Vote.topic == topic_of(item, for_sanction=for_sanction),
        )
    )
    if voted is not None:
        return "already_voted"
    if item.state == ItemState.OPEN and queue.claimed_by_other(item, moderator):
        return "claimed"
    return None


def actions_for(item: ReviewItem, moderator: User) -> Eligibility:
    """The decisions this moderator may take now on this item, and whether they may vote a
    sanction on its author; when they may not, the reason."""
    post = db.session.get_one(Post, item.post_id)
    reason = refusal(item, moderator, post)
    choices: frozenset[str] = frozenset()
    if reason is None:
        choices = APPEAL_CHOICES if item.kind == ItemKind.APPEAL else POST_CHOICES
    if item.kind == ItemKind.APPEAL:
        sanction_reason: str | None = "invalid_choice"  # an appeal sanctions nobody
    elif post.author_id is None:
        sanction_reason = "no_author"
    else:
        sanction_reason = refusal(item, moderator, post, for_sanction=True)
    return Eligibility(choices, sanction_reason is None, reason, sanction_reason)


def open_for(item: ReviewItem, moderator: User) -> Eligibility:
    """A moderator opens the item: it is claimed for a few minutes only when they can decide
    on it, so that someone who may not (who wrote it, reported it, already voted, took the
    decision under appeal) never keeps the others waiting."""
    eligibility = actions_for(item, moderator)
    if eligibility.can_decide and not queue.claim(item, moderator):
        eligibility = actions_for(item, moderator)  # claimed by another a moment before
    return eligibility
