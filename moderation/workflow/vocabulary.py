"""The words of moderation, typed. Stored as their plain string values (StrEnum), shown
through one table of labels (`forum/moderation_labels.py`), which has a label for each."""

from __future__ import annotations

import enum


class Choice(enum.StrEnum):
    """What a moderator decides on an item."""

    APPROVE = "approve"
    REMOVE = "remove"
    REQUEST_EDIT = "request_edit"
    ESCALATE = "escalate"


class Reason(enum.StrEnum):
    """Why, in the words of the charter: what a removal or a sanction tells the author."""

    JUDGMENT = "judgment"
    ATTACK = "attack"
    PRIVACY = "privacy"
    SPAM = "spam"
    OFF_TOPIC = "off_topic"
    OTHER = "other"
    REPORTS = "reports"  # hidden by members' reports (never chosen by a moderator)


# The reasons a moderator may choose.
CHARTER_REASONS = tuple(r for r in Reason if r != Reason.REPORTS)


class SanctionKind(enum.StrEnum):
    WARN = "warn"
    MUTE = "mute"
    BAN = "ban"


class DecisionAction(enum.StrEnum):
    """What the public log records (without names)."""

    APPROVED = "approved"
    REMOVED = "removed"
    HIDDEN = "hidden"
    EDIT_REQUESTED = "edit_requested"
    ESCALATED = "escalated"
    WARNED = "warned"
    MUTED = "muted"
    BANNED = "banned"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"


class Outcome(enum.StrEnum):
    """How a review item closed."""

    APPROVED = "approved"
    REMOVED = "removed"
    EDIT_REQUESTED = "edit_requested"
    WITHDRAWN = "withdrawn"  # the author deleted the post, or it went back to them as a draft
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"


class ItemReason(enum.StrEnum):
    """Why a post waits for moderators (and why the pipeline decided what it did)."""

    CRISIS = "crisis"
    PRIVACY = "privacy"
    TOXICITY = "toxicity"
    NEW_MEMBER = "new_member"
    REPORT = "report"
    CONFIRMED = "confirmed"
    UNSCORED = "unscored"
    EDIT_REQUESTED = "edit_requested"
    APPEAL = "appeal"
    UNDER_REVIEW = "under_review"
    RATE_LIMITED = "rate_limited"
    MUTED = "muted"
    BANNED = "banned"
    AFTER_DECISION = "after_decision"


class ReportReason(enum.StrEnum):
    JUDGMENT = "judgment"
    ATTACK = "attack"
    SPAM = "spam"
    PRIVACY = "privacy"
    CRISIS = "crisis"
    OTHER = "other"
