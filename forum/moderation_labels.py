"""Words for the moderation codes stored in the database, in the reader's language: the one
table of labels for the vocabulary of `moderation.workflow.vocabulary` (a test checks that
every word has its label)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from moderation.workflow.vocabulary import DecisionAction, ItemReason, Reason, ReportReason

PRIVACY_KINDS = {
    "phone": _l("phone number"),
    "email": _l("e-mail address"),
    "address": _l("street address"),
    "social": _l("link to a social profile"),
    "name": _l("person's name"),
    "workplace": _l("workplace"),
}

# Why a member reports a post (CONTRACT: the `reason` field of /posts/<id>/report).
REPORT_REASONS: dict[ReportReason, LazyString] = {
    ReportReason.JUDGMENT: _l("It judges or lectures someone"),
    ReportReason.ATTACK: _l("It attacks or insults someone"),
    ReportReason.SPAM: _l("Advertising or spam"),
    ReportReason.PRIVACY: _l("It reveals someone's identity or private details"),
    ReportReason.CRISIS: _l("The author seems to be in danger"),
    ReportReason.OTHER: _l("Something else"),
}

# Charter reasons given with a removal, a request to rephrase or a sanction.
DECISION_REASONS: dict[Reason, LazyString] = {
    Reason.JUDGMENT: _l("judging others rather than speaking of oneself"),
    Reason.ATTACK: _l("a personal attack or an insult"),
    Reason.PRIVACY: _l("details that could identify someone"),
    Reason.SPAM: _l("advertising or spam"),
    Reason.OFF_TOPIC: _l("outside what this board is for"),
    Reason.OTHER: _l("another reason given by the moderators"),
    Reason.REPORTS: _l("several members reported it"),
}

# What happened, as the public log and the author's notices say it.
DECISION_ACTIONS: dict[DecisionAction, LazyString] = {
    DecisionAction.APPROVED: _l("published after review"),
    DecisionAction.REMOVED: _l("removed"),
    DecisionAction.HIDDEN: _l("hidden while moderators decide"),
    DecisionAction.EDIT_REQUESTED: _l("returned to its author to rephrase"),
    DecisionAction.ESCALATED: _l("passed to the site's administrators"),
    DecisionAction.WARNED: _l("member warned"),
    DecisionAction.MUTED: _l("member muted for a while"),
    DecisionAction.BANNED: _l("member banned from the board"),
    DecisionAction.APPEAL_UPHELD: _l("appeal accepted: decision undone"),
    DecisionAction.APPEAL_REJECTED: _l("appeal examined: decision kept"),
}

# Why an item is in the queue.
ITEM_REASONS: dict[ItemReason, LazyString] = {
    ItemReason.CRISIS: _l("crisis"),
    ItemReason.PRIVACY: _l("personal data"),
    ItemReason.TOXICITY: _l("may hurt"),
    ItemReason.NEW_MEMBER: _l("new member"),
    ItemReason.REPORT: _l("reported"),
    ItemReason.CONFIRMED: _l("posted despite the warning"),
    ItemReason.UNSCORED: _l("not checked automatically"),
    ItemReason.EDIT_REQUESTED: _l("rephrased on request"),
    ItemReason.APPEAL: _l("appeal"),
    ItemReason.UNDER_REVIEW: _l("edited while under review"),
    # A crisis message is never refused: these say what it went past.
    ItemReason.RATE_LIMITED: _l("sent past the posting limit"),
    ItemReason.MUTED: _l("author muted on this board"),
    ItemReason.BANNED: _l("author banned from this board"),
    # In the audit trail: the machine's verdict came after people had decided.
    ItemReason.AFTER_DECISION: _l("scored after a person decided (informative only)"),
}

LABEL_NAMES = {
    "toxicity": _l("toxicity"),
    "severe_toxicity": _l("severe toxicity"),
    "obscene": _l("obscenity"),
    "threat": _l("threat"),
    "insult": _l("insult"),
    "identity_attack": _l("attack on an identity"),
}


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    app.jinja_env.globals.update(
        privacy_kinds=PRIVACY_KINDS,
        report_reasons=REPORT_REASONS,
        decision_reasons=DECISION_REASONS,
        decision_actions=DECISION_ACTIONS,
        item_reasons=ITEM_REASONS,
        label_names=LABEL_NAMES,
    )
