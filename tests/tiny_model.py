"""A tiny Detoxify model folder, built in seconds by the project's own training code.

Its toy language is small and clear: the insults below are toxic, the kind words are not.
Ten seconds of training on two cores separate them well enough for the loading, batching,
windowing and pipeline tests; its quality is not the point (the bundled model's is measured
by `flask moderation evaluate` and `bench/`).
"""

from __future__ import annotations

import random
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from moderation.classifier import training
from moderation.classifier.datasets import Example, labels
from moderation.settings import LABELS

INSULTS = ["imbécile", "crétin", "ordure", "idiot", "moron", "loser", "déchet"]
KIND = ["merci", "courage", "bravo", "je te lis", "thank you", "take care", "bonne soirée"]
FILLER = ["aujourd'hui", "ce matin", "mon frère", "la réunion", "le groupe", "today", "my sister"]

ARCHITECTURE = training.Architecture(
    vocab_size=300, hidden=32, layers=1, heads=2, intermediate=64, window=32
)
PLAN = training.Plan(epochs=12, batch_size=16, learning_rate=3e-3, seed=7)


def examples(count: int = 400) -> list[Example]:
    rng = random.Random(3)
    rows = []
    for i in range(count):
        toxic = i % 2 == 0
        words = [rng.choice(FILLER) for _ in range(rng.randint(0, 8))]
        words.insert(rng.randint(0, len(words)), rng.choice(INSULTS if toxic else KIND))
        values = labels(**dict.fromkeys(LABELS, 0.0))
        if toxic:
            values = labels(**(dict.fromkeys(LABELS, 0.0) | {"toxicity": 1.0, "insult": 1.0}))
        rows.append(Example(" ".join(words), values, not toxic, "fr", "tiny"))
    return rows


def build(folder: Path) -> tuple[Path, object]:
    """Train and save the tiny model; returns its folder and the trained network."""
    rows = [(example, 1) for example in examples()]
    model, tokenizer = training.new_model(rows, ARCHITECTURE)
    training.fit(model, tokenizer, rows, PLAN)
    return training.save(model, tokenizer, folder), model


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection that leaves the machine fails, as it would with no network at all."""
    connect = socket.socket.connect

    def local_only(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(101, f"network unreachable (test): {address!r}")
        return connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", local_only)

    def no_lookup(*args: object, **kwargs: object) -> Iterator[object]:
        host = args[0] if args else kwargs.get("host")
        if host not in ("127.0.0.1", "::1", "localhost", None):
            raise socket.gaierror(-3, f"no name resolution (test): {host!r}")
        return real_getaddrinfo(*args, **kwargs)  # type: ignore[arg-type, no-any-return]

    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
