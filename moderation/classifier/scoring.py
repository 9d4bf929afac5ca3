"""The scorer interface: a batch of texts in, one {label: score} per text out.

`MODERATION_MODEL` names the scorer. Scorers load lazily, once per process, behind a lock;
a failed load is remembered for a minute so that a missing model does not slow every post.
The verdict rests on the whole text (the Detoxify scorer reads long texts in overlapping
windows and keeps each label's maximum, so an insult at the end of a long post counts);
sentences are scored too when there is something to point at, so the nudge can show which.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..rules import normalise
from ..settings import DEFAULT_THRESHOLDS, LABELS

log = logging.getLogger(__name__)

Scores = dict[str, float]

MAX_SENTENCES = 48
# Sentences are ranked only to show the author of a nudged post which weigh most, so only
# in posts that reach a nudge threshold: by default from the lowest default one (0.2); the
# scoring job passes the board's own. Ranking below it would only cost time (a third of
# the demo's benign posts score between 0.1 and 0.2).
RANK_FROM = min(DEFAULT_THRESHOLDS["nudge"].values())
# For callers that only want the scores (evaluate, score): no sentence is ranked.
NEVER = float("inf")
RETRY_FAILED_LOAD_AFTER = 60.0


class Scorer(Protocol):
    name: str

    def score(self, texts: Sequence[str]) -> list[Scores]: ...


class ScorerUnavailable(RuntimeError):
    """The configured scorer cannot be loaded: posts go to the board's fallback."""


def _import_scorer(spec: str) -> Scorer:
    module_name, _, attr = spec.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as error:
        raise ScorerUnavailable(f"cannot import scorer {spec!r}: {error}") from error
    scorer = target() if isinstance(target, type) or not hasattr(target, "score") else target
    if not hasattr(scorer, "score"):
        raise ScorerUnavailable(f"{spec!r} does not give an object with a score() method")
    return scorer


def load(spec: str, models_dir: Path | None = None) -> Scorer:
    """Build the scorer a `MODERATION_MODEL` value names.

    `package.module:attribute` names a Python scorer (a class, a factory or an object).
    Detoxify models (`bundled`, `original`, `unbiased`, `multilingual`, a model folder) load
    through `moderation.classifier.detox`; the official weights are looked for in
    `models_dir` (default: `detox.default_models_dir()`).
    """
    if ":" in spec and not Path(spec).exists():
        return _import_scorer(spec)
    try:
        detox = importlib.import_module("moderation.classifier.detox")
    except ImportError as error:
        raise ScorerUnavailable(
            f"no Detoxify scorer is installed yet for MODERATION_MODEL={spec!r}"
        ) from error
    return detox.load(spec, models_dir)  # type: ignore[no-any-return]


class Registry:
    """One scorer per process and spec, loaded on first use, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scorers: dict[str, Scorer] = {}
        self._failures: dict[str, tuple[float, str]] = {}

    def get(self, spec: str, models_dir: Path | None = None) -> Scorer:
        """The scorer `spec` names, loaded on first use (`models_dir`: see `load`)."""
        with self._lock:
            if spec in self._scorers:
                return self._scorers[spec]
            failed = self._failures.get(spec)
            if failed and time.monotonic() - failed[0] < RETRY_FAILED_LOAD_AFTER:
                raise ScorerUnavailable(failed[1])
            try:
                scorer = load(spec, models_dir)
            except Exception as error:
                message = str(error) or error.__class__.__name__
                self._failures[spec] = (time.monotonic(), message)
                log.warning("moderation scorer %r unavailable: %s", spec, message)
                raise (
                    error if isinstance(error, ScorerUnavailable) else ScorerUnavailable(message)
                ) from error
            self._failures.pop(spec, None)
            self._scorers[spec] = scorer
            return scorer

    def status(self, spec: str) -> str:
        """What this process knows of the scorer: ok, not_loaded or unavailable."""
        with self._lock:
            if spec in self._scorers:
                return "ok"
            return "unavailable" if spec in self._failures else "not_loaded"

    def forget(self) -> None:
        with self._lock:
            self._scorers.clear()
            self._failures.clear()


registry = Registry()

_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The text's sentences; beyond MAX_SENTENCES, neighbours are joined into as many chunks."""
    parts = [part.strip() for part in _SPLIT.split(text) if part and part.strip()]
    if len(parts) <= MAX_SENTENCES:
        return parts
    size = -(-len(parts) // MAX_SENTENCES)
    return [" ".join(parts[i : i + size]) for i in range(0, len(parts), size)]


def _clean(raw: Scores) -> Scores:
    scores: Scores = {}
    for label in LABELS:
        value = raw.get(label)
        if isinstance(value, int | float) and value == value:  # not NaN
            scores[label] = min(1.0, max(0.0, float(value)))
    return scores


def _checked(results: list[Scores], expected: int) -> list[Scores]:
    if len(results) != expected:
        raise ValueError(f"scorer returned {len(results)} results for {expected} texts")
    return [_clean(result) for result in results]


def score_many(
    scorer: Scorer, texts: Sequence[str], rank_from: float = RANK_FROM
) -> list[tuple[Scores, list[tuple[str, float]]]]:
    """For each text: its six scores, and its sentences ranked by their highest score.

    The verdict rests on the whole text; the Detoxify scorer reads a long one in overlapping
    windows and keeps each label's maximum. Sentences are scored only to point at the ones
    that weigh most, and only in texts that score something worth pointing at: alone, a
    short sentence from a member's own story ("je suis nulle") reads like an insult to a
    small model, which is why it does not decide."""
    overall = _checked(scorer.score(list(texts)), len(texts))
    wanted: list[tuple[int, list[str]]] = []
    for index, text in enumerate(texts):
        if max(overall[index].values(), default=0.0) >= rank_from:
            parts = sentences(text)
            if len(parts) > 1:
                wanted.append((index, parts))
    flat = [part for _, parts in wanted for part in parts]
    scored = iter(_checked(scorer.score(flat), len(flat)) if flat else [])
    ranked: dict[int, list[tuple[str, float]]] = {}
    for index, parts in wanted:
        pairs = [(part, max(next(scored).values(), default=0.0)) for part in parts]
        ranked[index] = sorted(pairs, key=lambda pair: -pair[1])
    return [
        ({label: overall[i].get(label, 0.0) for label in LABELS}, ranked.get(i, []))
        for i in range(len(texts))
    ]


def score_text(
    scorer: Scorer, text: str, rank_from: float = RANK_FROM
) -> tuple[Scores, list[tuple[str, float]]]:
    """Per-label scores of the whole text, and (when one reaches `rank_from`) its sentences
    with their highest score, highest first.

    The scorer reads the text as a reader sees it (`normalise.for_detection`): an insult
    with invisible characters, look-alike letters or spaced-out letters inside scores as
    the plain insult, and the sentences pointed at are shown as read."""
    return score_many(scorer, [normalise.for_detection(text)], rank_from)[0]
