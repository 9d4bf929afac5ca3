"""What the review pages say: refusals from `moderation.workflow.decisions`, votes toward a quorum
(counts only, never names), and what a decision or a sanction did."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from models import ItemKind, PostStatus
from moderation.workflow import decisions

# NotAllowed reason → (status, message, field the message belongs to).
REFUSALS: dict[str, tuple[int, Any, str | None]] = {
    "forbidden": (403, lambda: _("You cannot decide on this item."), None),
    "already_decided": (
        409,
        lambda: _("This item was already decided by another moderator. Nothing was changed."),
        None,
    ),
    "stale": (
        409,
        lambda: _(
            "This item changed since you opened it (another moderator gave their voice). "
            "Please read it again below, then decide."
        ),
        None,
    ),
    "claimed": (
        409,
        lambda: _("Another moderator has this item open. Nothing was changed; try again later."),
        None,
    ),
    "own_post": (403, lambda: _("You cannot decide on your own message."), None),
    "own_report": (403, lambda: _("You reported this message: other moderators decide."), None),
    "took_decision": (
        403,
        lambda: _("You took part in the decision contested here: other moderators review it."),
        None,
    ),
    "already_voted": (
        409,
        lambda: _("You already gave your voice on this item: it is counted once."),
        None,
    ),
    "invalid_choice": (400, lambda: _("This choice is not possible for this item."), None),
    "note_required": (
        400,
        lambda: _("Please write a note telling the author what to change."),
        "note",
    ),
    "reason_required": (400, lambda: _("Please choose a reason from the charter."), "reason"),
    "no_author": (400, lambda: _("This message has no author any more."), None),
    "draft": (
        409,
        lambda: _(
            "This message went back to its author, who has not sent it again: there is "
            "nothing to decide for now."
        ),
        None,
    ),
}

# Why the item page offers this moderator no decision, said kindly: eligibility reason →
# sentence. Other reasons fall back on the refusal above; "claimed" and "already_decided"
# have their own notice on the page (with the minutes left, or the item closed).
WHY_NOT: dict[str, Any] = {
    "own_post": lambda: _("You wrote this message, so other moderators decide on it."),
    "own_report": lambda: _(
        "You reported this message, so other moderators decide on it. Thank you for your vigilance."
    ),
    "took_decision": lambda: _(
        "You took part in the decision under appeal, so other moderators look at it again "
        "with fresh eyes."
    ),
    "already_voted": lambda: _(
        "You already gave your voice on this message; other moderators will complete the decision."
    ),
}
SAID_ELSEWHERE = ("claimed", "already_decided")


def why_not(reason: str | None) -> str | None:
    """Why this moderator may not decide on the item now, for the page; None when they may
    or when the page already says it."""
    if reason is None or reason in SAID_ELSEWHERE:
        return None
    if reason in WHY_NOT:
        return str(WHY_NOT[reason]())
    return str(REFUSALS.get(reason, REFUSALS["forbidden"])[1]())


# How far each question stands, without names: (topic, choice) → sentence.
TALLY = {
    ("post", "remove"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to remove",
        "%(votes)d of %(num)d moderators agree to remove",
        q,
        votes=n,
    ),
    ("sanction", "warn"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to warn the author",
        "%(votes)d of %(num)d moderators agree to warn the author",
        q,
        votes=n,
    ),
    ("sanction", "mute"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to mute the author",
        "%(votes)d of %(num)d moderators agree to mute the author",
        q,
        votes=n,
    ),
    ("sanction", "ban"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to ban the author from this board",
        "%(votes)d of %(num)d moderators agree to ban the author from this board",
        q,
        votes=n,
    ),
    ("appeal", "uphold"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to accept the appeal",
        "%(votes)d of %(num)d moderators agree to accept the appeal",
        q,
        votes=n,
    ),
    ("appeal", "reject"): lambda n, q: ngettext(
        "%(votes)d of %(num)d moderator agrees to keep the decision",
        "%(votes)d of %(num)d moderators agree to keep the decision",
        q,
        votes=n,
    ),
}


def decided(kind: str, choice: str, result: decisions.Result, post_status: str) -> str:
    """What happened, in one sentence for the moderator."""
    counted = _(
        "Your vote is counted: %(votes)d of %(num)d.", votes=result.votes, num=result.needed
    )
    if choice == "escalate":
        return _("Passed to the administrators.")
    if kind == ItemKind.APPEAL:
        if not result.applied:
            return counted
        if choice == "approve":
            return _("Appeal accepted: the decision is undone.")
        return _("Appeal examined: the decision is kept.")
    if choice == "approve":
        return _("Approved.")
    if choice == "request_edit":
        return _("Sent back to the author with your note.")
    if result.applied:
        return ngettext(
            "Removed: %(votes)d of %(num)d moderator agreed.",
            "Removed: %(votes)d of %(num)d moderators agreed.",
            result.needed,
            votes=result.votes,
        )
    if post_status == PostStatus.HIDDEN:
        return _(
            "Your vote is counted: %(votes)d of %(num)d; the message is hidden meanwhile.",
            votes=result.votes,
            num=result.needed,
        )
    return _(
        "Your vote is counted: %(votes)d of %(num)d; the message stays held meanwhile.",
        votes=result.votes,
        num=result.needed,
    )


def sanctioned(kind: str, days: int | None, result: decisions.Result) -> str:
    """What the voice did: counted, or the sanction applied."""
    if not result.applied:
        return _(
            "Your vote is counted: %(votes)d of %(num)d.", votes=result.votes, num=result.needed
        )
    if kind == "warn":
        done = _("The author is warned.")
    elif kind == "mute":
        done = ngettext(
            "The author is muted on this board for %(num)d day.",
            "The author is muted on this board for %(num)d days.",
            days or 0,
        )
    else:
        done = _("The author is banned from this board.")
    return f"{done} " + ngettext(
        "%(votes)d of %(num)d moderator agreed.",
        "%(votes)d of %(num)d moderators agreed.",
        result.needed,
        votes=result.votes,
    )
