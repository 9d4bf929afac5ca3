"""Crisis detection: messages that express suicidal ideation or intent to self-harm.

A first, transparent pattern detector in French and English: first-person, present or
future. It never blocks publication; a detected crisis puts the post first in the queue and
shows its author crisis resources at once. The safety work refines it (past tense, stories
about someone else).
"""

from __future__ import annotations

import re
import unicodedata

_FR = [
    r"\bje (?:veux|voudrais|vais|préférerais|prefererais) (?:en finir(?! avec)|mourir(?! de (?:rire|honte|faim|froid|chaud))|me tuer|me suicider|disparaître|disparaitre|me foutre en l'air)",
    r"\b(?:j'ai|j’ai) (?:envie|besoin) (?:de |d')(?:mourir(?! de (?:rire|honte|faim|froid|chaud))|me tuer|en finir(?! avec)|disparaître|disparaitre|me suicider)",
    r"\b(?:plus|pas) envie de vivre\b",
    r"\bje (?:ne )?veux plus vivre\b",
    r"\bmettre fin à (?:mes jours|ma vie)",
    r"\b(?:tout le monde|ils|elles|ma famille|mes enfants) (?:serai(?:en)?t|seront) mieux sans moi",
    r"\bje (?:pense|songe) (?:au suicide|à me tuer|a me tuer|à en finir|a en finir)",
    r"\bje (?:me scarifie|me coupe|me mutile|me fais du mal)\b",
    r"\b(?:j'ai|j’ai) (?:mis de côté|gardé|stocké|accumulé|préparé) (?:des|mes|assez de) (?:cachets|médicaments|comprimés|pilules)",
    r"\bma (?:lettre d'adieu|dernière nuit)\b",
]
_EN = [
    r"\bi(?:(?: want| am going|'m going| plan) to| wanna(?: to)?) (?:die(?! of (?:laughter|shame|embarrassment))|kill myself|end it(?! with| between| there)|end my life|disappear)",
    r"\bi (?:don't|do not) want to (?:live|be alive|wake up) any ?more",
    r"\b(?:everyone|everybody|they|my family|my kids) (?:would|will) be better off without me",
    r"\bi(?:'ve| have) been (?:saving|stockpiling|collecting) (?:up )?(?:my |some )?(?:pills|meds|medication)",
    r"\bi(?:'m| am) (?:suicidal|thinking (?:about|of) (?:suicide|killing myself|ending it))",
    r"\bi (?:cut|hurt|harm) myself\b(?! (?:shaving|cooking|while|on|by accident|at the gym|playing))",
    r"\bend it all\b",
    r"\bmy (?:suicide|goodbye) (?:note|letter)\b",
]
_PATTERNS = [re.compile(p, re.I) for p in _FR + _EN]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("’", "'")
    return re.sub(r"\s+", " ", text)


def detect(text: str) -> bool:
    """Whether the text reads as a crisis in the writer's own voice."""
    clean = _normalise(text)
    return any(pattern.search(clean) for pattern in _PATTERNS)
