"""Personal data that could identify the author or someone else, in French and English
formats: phone numbers, e-mail addresses, street addresses and links to social profiles.

The check warns, it never blocks: the author edits or confirms (see the pipeline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Help lines and emergency numbers are meant to be shared: never flagged.
_HELPLINES = {
    "3114",
    "0972394050",
    "080032123",
    "143",
    "18662773553",
    "8662773553",
    "988",
    "112",
    "911",
    "15",
    "17",
    "18",
    "114",
    "115",
    "119",
    "196",
    "3919",
    "0800235236",
    "0145394000",
}

# Matches start only where a run of address characters starts, and parts are bounded, so
# that no input (20,000 characters of "a.a.a…") makes the search quadratic.
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}(?![\w-])", re.I
)
_PHONE = re.compile(
    r"""(?<![\w+])(?:
        (?:\+|00)\d{1,3}[\s.\-]?(?:\(0\)[\s.\-]?)?\d{1,4}(?:[\s.\-]?\d{2,4}){2,5}   # international
      | 0\d(?:[\s.\-]?\d{2}){4}                                                # FR 06 12 34 56 78
      | 0\d{2,3}(?:[\s./\-]?\d{2,3}){2,3}                                      # BE, CH: 0470 12 34 56
      | (?:1[\s.\-]?)?\(?[2-9]\d{2}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}                 # North America
    )(?![\w])""",
    re.X,
)
_STREET_FR = re.compile(
    r"\b\d{1,4}\s?(?i:bis|ter)?,?\s+(?:"
    r"(?i:rue|avenue|av\.|boulevard|bd|impasse|allée|quai)\s+[\w'’ -]{2,40}"
    r"|(?i:chemin|place|route|cours|square|passage|rang|montée)\s+"
    r"(?:(?i:de la|de l'|de l’|des|du|de|d'|d’)\s*)?[A-ZÀ-Ý][\w'’ -]{1,40})"
)
_STREET_EN = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|"
    r"Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace)\b\.?"
)
_SOCIAL = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:facebook\.com|fb\.com|fb\.me|instagram\.com|"
    r"twitter\.com|x\.com|tiktok\.com|linkedin\.com/in|snapchat\.com/add|t\.me|wa\.me|"
    r"youtube\.com/@|threads\.net|bsky\.app/profile|reddit\.com/u(?:ser)?|discord\.gg|"
    r"onlyfans\.com)/?[\w.@%/-]*",
    re.I,
)
_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,30}@[\w-]+\.[\w.]{2,}")  # fediverse handles


@dataclass(frozen=True)
class Finding:
    kind: str  # phone | email | address | social
    text: str


def _is_helpline(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return digits in _HELPLINES or len(digits) < 8


def find(text: str) -> list[Finding]:
    """Everything in the text that looks like personal data, in order of appearance."""
    found: list[tuple[int, Finding]] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, match: re.Match[str]) -> None:
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, Finding(kind, match.group(0).strip())))

    for match in _HANDLE.finditer(text):
        add("social", match)
    for match in _EMAIL.finditer(text):
        add("email", match)
    for match in _SOCIAL.finditer(text):
        add("social", match)
    for pattern in (_STREET_FR, _STREET_EN):
        for match in pattern.finditer(text):
            add("address", match)
    for match in _PHONE.finditer(text):
        if not _is_helpline(match.group(0)):
            add("phone", match)
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]
