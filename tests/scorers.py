"""Deterministic scorers for rule tests (the real Detoxify scorer has its own tests).

`MODERATION_MODEL="tests.scorers:Lexicon"` loads `Lexicon`: each listed word gives fixed
scores, the highest per label wins, everything else scores 0.01. A worker process started
by the tests loads it by the same name.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from moderation.settings import LABELS

# Word → scores. "nul" sits in the nudge band, "idiot" above the hold threshold,
# "bof" in the queue band, "menace" a threat.
WORDS: dict[str, dict[str, float]] = {
    "idiot": {"toxicity": 0.95, "insult": 0.9},
    "idiote": {"toxicity": 0.95, "insult": 0.9},
    "crétin": {"toxicity": 0.92, "insult": 0.88},
    "nul": {"toxicity": 0.7},
    "nulle": {"toxicity": 0.7},
    "pathetic": {"toxicity": 0.7},
    "bof": {"toxicity": 0.5},
    "menace": {"toxicity": 0.5, "threat": 0.75},
    "moron": {"toxicity": 0.95, "insult": 0.9},
    # Below every default threshold: only a board with low thresholds acts on it.
    "grmbl": {"toxicity": 0.12},
}
LEXICON = {"MODERATION_MODEL": "tests.scorers:Lexicon"}
# For a test module or test: the app scores with Lexicon.
with_lexicon = pytest.mark.parametrize("app", [LEXICON], indirect=True)

_WORD = re.compile(r"[\w'-]+")


class Lexicon:
    name = "lexicon"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        out = []
        for text in texts:
            scores = dict.fromkeys(LABELS, 0.01)
            for word in _WORD.findall(text.lower()):
                for label, value in WORDS.get(word, {}).items():
                    scores[label] = max(scores[label], value)
            out.append(scores)
        return out


class Slow(Lexicon):
    """Takes longer than the request is willing to wait."""

    name = "slow"
    DELAY = 1.5

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        time.sleep(self.DELAY)
        return super().score(texts)


class Broken:
    name = "broken"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        raise RuntimeError("the model crashed")


class Calm:
    """Every text scores 0.01: the forum's own tests, which are not about the classifier
    (tests/moderation/test_detox.py and the browser test use the real model)."""

    name = "calm"

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [dict.fromkeys(LABELS, 0.01) for _ in texts]


class Steady(Lexicon):
    """Lexicon's scores, a fixed time per text: a worker scoring a batch of posts with it
    can be stopped in the middle (tests/moderation/test_worker_kill.py)."""

    name = "steady"
    DELAY = 0.2

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        time.sleep(self.DELAY * len(texts))
        return super().score(texts)


class Gated(Lexicon):
    """Lexicon's scores, held back while the file named by $ENTRENOUS_SCORER_GATE exists:
    a process can then be killed in the middle of scoring, for sure, and the next one let
    through at once (tests/moderation/test_sweep_and_crash.py). Each process leaves a mark
    beside the gate: `<gate>.scoring.<pid>` when it starts, `<gate>.scored.<pid>` when done.
    """

    name = "gated"
    LONGEST = 120.0  # never hangs a process for good

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        gate = os.environ.get("ENTRENOUS_SCORER_GATE")
        if gate:
            Path(f"{gate}.scoring.{os.getpid()}").touch()
            deadline = time.monotonic() + self.LONGEST
            while os.path.exists(gate) and time.monotonic() < deadline:
                time.sleep(0.05)
        scores = super().score(texts)
        if gate:
            Path(f"{gate}.scored.{os.getpid()}").touch()
        return scores
