"""The crisis lines shown in the crisis panel, the visitor's likely region first.

The region is guessed, on each request, from the browser's preferred language (the
Accept-Language header: fr-BE, de-CH, fr-CA, en-US...). Nothing is stored and nothing is
sent anywhere. Every line is always listed: only the order changes, so a visitor whose
browser says nothing, or says it wrongly, still finds their own line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flask import Flask, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Number:
    number: str  # as written for people ("09 72 39 40 50", "1 866 APPELLE")
    name: str = ""  # the service's own name, before the number ("SOS Amitié")
    note: str | LazyString = ""  # in brackets after the number
    dial: str = ""  # what a phone dials, when the number's letters or prefix differ

    @property
    def tel(self) -> str:
        """The `tel:` link a phone opens (digits and "+" only), or "" for a number a phone
        cannot dial as written (a website, an SMS keyword)."""
        digits = self.dial or self.number.replace(" ", "")
        if not re.fullmatch(r"\+?[0-9]+", digits):
            return ""
        return f"tel:{digits}"


@dataclass(frozen=True)
class Line:
    region: str
    label: LazyString
    numbers: tuple[Number, ...]


# In the order shown when the region is unknown.
LINES = (
    Line(
        "FR",
        _l("France:"),
        (
            Number("3114", note=_l("suicide prevention")),
            Number("09 72 39 40 50", "SOS Amitié", dial="+33972394050"),
        ),
    ),
    Line("BE", _l("Belgium:"), (Number("0800 32 123"),)),
    Line("CH", _l("Switzerland:"), (Number("143", note="La Main Tendue"),)),
    Line("QC", _l("Québec:"), (Number("1 866 APPELLE", note="277-3553", dial="+18662773553"),)),
    Line("NA", _l("Canada and the United States:"), (Number("988"),)),
)
# Always last: it is not a region's line but the one for immediate danger.
EMERGENCIES = Line(
    "",
    _l("Emergencies:"),
    (Number("112", note=_l("Europe")), Number("911", note=_l("North America"))),
)

# The lines to put first, by the region of the preferred language ("fr-CA": Québec's line,
# then Canada's; any other language of Canada: Canada's, then Québec's).
FIRST_BY_REGION = {
    "BE": ("BE",),
    "CH": ("CH",),
    "US": ("NA",),
    "CA": ("NA", "QC"),
}
FIRST_BY_LANGUAGE_AND_REGION = {("fr", "CA"): ("QC", "NA")}


def _language_and_region(tag: str) -> tuple[str, str]:
    """("fr", "BE") for "fr-BE", "fr_be" or "fr-Latn-BE"; the region is "" if absent."""
    language, *subtags = tag.replace("_", "-").split("-")
    region = next((s for s in subtags if len(s) == 2 and s.isalpha()), "")
    return language.lower(), region.upper()


def first_regions(languages: Iterable[str]) -> tuple[str, ...]:
    """The regions whose lines come first, from the visitor's languages, best first.

    The preferred language decides, with the first region given for it: "fr, fr-BE;q=0.9"
    is Belgian French, but "fr, en-US;q=0.5" is French from anywhere.
    """
    preferred = ""
    for tag in languages:
        language, region = _language_and_region(tag)
        if language == "*":
            continue
        preferred = preferred or language
        if language != preferred:
            continue
        if region:
            return FIRST_BY_LANGUAGE_AND_REGION.get(
                (language, region), FIRST_BY_REGION.get(region, ())
            )
    return ()


def ordered_lines(first: tuple[str, ...] = ()) -> list[Line]:
    """Every line, those of the `first` regions first, then the emergency numbers."""
    rank = {region: i for i, region in enumerate(first)}
    lines = sorted(LINES, key=lambda line: rank.get(line.region, len(rank)))  # stable
    return [*lines, EMERGENCIES]


def lines_for_visitor() -> list[Line]:
    """The lines for the current request's visitor (the default order outside a request)."""
    if not has_request_context():
        return ordered_lines()
    return ordered_lines(first_regions(value for value, _ in request.accept_languages))


def init_app(app: Flask) -> None:
    app.add_template_global(lines_for_visitor, "crisis_lines")
