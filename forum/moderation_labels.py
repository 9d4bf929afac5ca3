"""Words for the moderation codes stored in the database, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PRIVACY_KINDS = {
    "phone": _l("phone number"),
    "email": _l("e-mail address"),
    "address": _l("street address"),
    "social": _l("link to a social profile"),
    "name": _l("person's name"),
    "workplace": _l("workplace"),
}

# Why a member reports a post (CONTRACT: the `reason` field of /posts/<id>/report).
REPORT_REASONS = {
    "judgment": _l("It judges or lectures someone"),
    "attack": _l("It attacks or insults someone"),
    "spam": _l("Advertising or spam"),
    "privacy": _l("It reveals someone's identity or private details"),
    "crisis": _l("The author seems to be in danger"),
    "other": _l("Something else"),
}

# Charter reasons given with a removal, a request to rephrase or a sanction.
DECISION_REASONS = {
    "judgment": _l("judging others rather than speaking of oneself"),
    "attack": _l("a personal attack or an insult"),
    "privacy": _l("details that could identify someone"),
    "spam": _l("advertising or spam"),
    "off_topic": _l("outside what this board is for"),
    "other": _l("another reason given by the moderators"),
    "reports": _l("several members reported it"),
}

# What happened, as the public log and the author's notices say it.
DECISION_ACTIONS = {
    "approved": _l("published after review"),
    "removed": _l("removed"),
    "hidden": _l("hidden while moderators decide"),
    "edit_requested": _l("returned to its author to rephrase"),
    "escalated": _l("passed to the site's administrators"),
    "warned": _l("member warned"),
    "muted": _l("member muted for a while"),
    "banned": _l("member banned from the board"),
    "appeal_upheld": _l("appeal accepted: decision undone"),
    "appeal_rejected": _l("appeal examined: decision kept"),
}

# Why an item is in the queue.
ITEM_REASONS = {
    "crisis": _l("crisis"),
    "privacy": _l("personal data"),
    "toxicity": _l("may hurt"),
    "new_member": _l("new member"),
    "report": _l("reported"),
    "confirmed": _l("posted despite the warning"),
    "unscored": _l("not checked automatically"),
    "edit_requested": _l("rephrased on request"),
    "appeal": _l("appeal"),
    "under_review": _l("edited while under review"),
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
