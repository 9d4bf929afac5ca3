"""Support themes that group boards on the home page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

THEMES = {
    "emotions": _l("Emotions and life's hardships"),
    "addictions": _l("Addictions"),
    "sante": _l("Health and illness"),
    "proches": _l("Families and loved ones"),
    "travail": _l("Work"),
    "lgbtq": _l("LGBTQ+ people"),
}


def theme_label(key: str) -> str:
    label = THEMES.get(key)
    return str(label) if label is not None else key.replace("-", " ").capitalize()
