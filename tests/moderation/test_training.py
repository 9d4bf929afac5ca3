"""Training's data handling: balancing and the rows of an epoch."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from moderation.classifier import training
from moderation.classifier.datasets import Example, labels


def row(text: str, toxic: bool, source: str = "a", lang: str = "fr") -> Example:
    return Example(text, labels(toxicity=1.0 if toxic else 0.0), not toxic, lang, source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci pour ton message", True),
        ("t'es nul", True),
        ("T’as raison", True),
        ("You are kind", True),
        ("Je suis triste ce soir", False),
        ("tout va bien, tonton", False),
        ("il est têtu", False),
    ],
)
def test_addresses_reader(text, expected) -> None:
    assert training.addresses_reader(text) is expected


def test_balanced_weighs_toxic_and_kind_rows_the_same_in_each_group() -> None:
    rows = [(row("tu es nul", True), 1)] * 30 + [(row("merci à toi", False), 1)] * 5
    rows += [(row("je suis triste", False), 1)] * 40 + [
        (row("quelle honte ces gens", True), 1)
    ] * 10
    rows += [(row("you idiot", True, "b", "en"), 2)] * 7 + [(row("thank you", False, "b", "en"), 1)]
    totals: dict[tuple[str, bool, bool], float] = defaultdict(float)
    for example, repeat in training.balanced(rows):
        key = (example.lang, training.addresses_reader(example.text), example.benign is False)
        totals[key] += example.weight * repeat
    for lang, speaks in {(k[0], k[1]) for k in totals}:
        assert totals[(lang, speaks, True)] == pytest.approx(
            totals[(lang, speaks, False)], rel=0.35
        )
    unknown = Example("?", labels(), None, "fr", "a")
    assert training.balanced([(unknown, 1)]) == [(unknown, 1)]  # no toxicity label: as is


def test_an_epoch_shows_each_row_as_often_as_asked_and_one_sentence_of_benign_texts() -> None:
    kind = row("Je vais mieux. Merci à vous.", False)
    hostile = row("Tu es nul. Vraiment.", True)
    rows = training.epoch_rows(
        [(kind, 3), (hostile, 2)], training.Plan(unaccented=0.0), random.Random(1)
    )
    texts = [text for text, _ in rows]
    assert texts.count(kind.text) == 3 and texts.count(hostile.text) == 2
    assert sum(t in ("Je vais mieux.", "Merci à vous.") for t in texts) == 1  # benign only
    assert len(rows) == training.rows_per_epoch([(kind, 3), (hostile, 2)])


# --- train: a whole run as a plain function (no Flask) -------------------------------------


def test_train_is_a_plain_function(tmp_path) -> None:
    from moderation.classifier import datasets
    from tests import tiny_model

    data = tmp_path / "toy.csv"
    datasets.write_labelled(data, tiny_model.examples(200))
    said: list[str] = []

    class Said(training.Progress):
        def say(self, line: str) -> None:
            said.append(line)

    trained = training.train(
        training.Options(
            output=tmp_path / "model",
            heldout_dir=tmp_path / "heldout",
            data=(data,),
            epochs=1,
            pretrain_epochs=0,
            teacher=0.0,
            vocab_size=300,
            hidden=32,
            layers=1,
            heads=2,
        ),
        Said(),
    )
    assert trained.output == (tmp_path / "model").resolve()
    assert {"model.ckpt", "MODEL_CARD.md", "metrics.json"} <= {
        p.name for p in trained.output.iterdir()
    }
    assert trained.summary["training"]["epochs"] == 1
    assert "training rows" in said[0] and any(line.startswith("toy") for line in said)
    assert (tmp_path / "heldout" / "toy.csv").is_file()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sources": None}, "at least one data file"),
        ({"sources": "/nowhere"}, "/nowhere: no labelled sources there"),
        ({"hidden": 30, "heads": 4}, "multiple of heads"),
        ({"init": "bundled", "tokenizer": "bundled", "sources": "/x"}, "tokenizer"),
    ],
)
def test_train_refuses_what_cannot_run(tmp_path, options, message) -> None:
    if isinstance(options.get("sources"), str):
        options = {**options, "sources": tmp_path / options["sources"].lstrip("/")}
    with pytest.raises(training.TrainingError, match=message):
        training.train(
            training.Options(output=tmp_path / "model", heldout_dir=tmp_path / "h", **options)
        )
    assert not (tmp_path / "model").exists()
