"""The scorer interface: a batch of texts in, one {label: score} per text out.

`MODERATION_MODEL` names the scorer. Scorers load lazily, once per process, behind a lock;
a failed load is remembered for a minute so that a missing model does not slow every post.
Long posts are scored sentence by sentence as well as whole, keeping each label's maximum,
so one hurtful sentence in a long kind message is not averaged away, and the nudge can
point at it.
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

from .settings import LABELS

log = logging.getLogger(__name__)

Scores = dict[str, float]

MAX_SENTENCES = 48
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


def load(spec: str) -> Scorer:
    """Build the scorer a `MODERATION_MODEL` value names.

    `package.module:attribute` names a Python scorer (a class, a factory or an object).
    Detoxify models (`bundled`, `original`, `unbiased`, `multilingual`, a model folder) load
    through `moderation.detox`.
    """
    if ":" in spec and not Path(spec).exists():
        return _import_scorer(spec)
    try:
        detox = importlib.import_module("moderation.detox")
    except ImportError as error:
        raise ScorerUnavailable(
            f"no Detoxify scorer is installed yet for MODERATION_MODEL={spec!r}"
        ) from error
    return detox.load(spec)  # type: ignore[no-any-return]


class Registry:
    """One scorer per process and spec, loaded on first use, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scorers: dict[str, Scorer] = {}
        self._failures: dict[str, tuple[float, str]] = {}

    def get(self, spec: str) -> Scorer:
        with self._lock:
            if spec in self._scorers:
                return self._scorers[spec]
            failed = self._failures.get(spec)
            if failed and time.monotonic() - failed[0] < RETRY_FAILED_LOAD_AFTER:
                raise ScorerUnavailable(failed[1])
            try:
                scorer = load(spec)
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


def score_text(scorer: Scorer, text: str) -> tuple[Scores, list[tuple[str, float]]]:
    """Per-label scores of the whole text (each label's maximum over the text and its
    sentences), and its sentences with their highest score, highest first."""
    parts = sentences(text)
    batch = [text, *parts] if len(parts) > 1 else [text]
    results = scorer.score(batch)
    if len(results) != len(batch):
        raise ValueError(f"scorer returned {len(results)} results for {len(batch)} texts")
    cleaned = [_clean(result) for result in results]
    overall = {label: max(r.get(label, 0.0) for r in cleaned) for label in LABELS}
    ranked: list[tuple[str, float]] = []
    if len(parts) > 1:
        ranked = sorted(
            (
                (part, max(r.values(), default=0.0))
                for part, r in zip(parts, cleaned[1:], strict=True)
            ),
            key=lambda pair: -pair[1],
        )
    return overall, ranked
