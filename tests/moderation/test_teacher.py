"""The n-gram teacher: out-of-fold probabilities, and how they soften the training targets."""

from __future__ import annotations

import random
import string

import pytest

from moderation.classifier import teacher
from moderation.classifier.datasets import Example, labels
from moderation.classifier.evaluation import roc_auc
from moderation.settings import LABELS
from tests import tiny_model

TOXIC = labels(**(dict.fromkeys(LABELS, 0.0) | {"toxicity": 1.0, "insult": 1.0}))
KIND = labels(**dict.fromkeys(LABELS, 0.0))


def test_the_teacher_generalises_to_rows_it_never_saw() -> None:
    rows = tiny_model.examples(400)
    taught = teacher.out_of_fold(rows)
    truth = [row.label("toxicity") == 1.0 for row in rows]
    column = LABELS.index("toxicity")
    auc = roc_auc(truth, [guess[column] or 0.0 for guess in taught])
    assert auc is not None and auc > 0.97


def test_a_row_is_never_taught_by_a_model_that_saw_it() -> None:
    # Each row's label rests on a word no other row has: a model that saw the row would
    # know it, models fitted on the other folds can only guess the base rate.
    rng = random.Random(5)
    rows = []
    for i in range(240):
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(12))
        rows.append(Example(f"{word} {word}", TOXIC if i % 2 else KIND, None, "en", "unique"))
    column = LABELS.index("toxicity")
    taught = [guess[column] for guess in teacher.out_of_fold(rows)]
    assert all(guess is not None for guess in taught)
    toxic = [g for g, row in zip(taught, rows, strict=True) if row.label("toxicity") == 1.0]
    kind = [g for g, row in zip(taught, rows, strict=True) if row.label("toxicity") == 0.0]
    # A model that saw the rows would give about 0.8 and 0.2; one leaking fold about 0.6.
    assert 0.4 < sum(toxic) / len(toxic) < 0.56  # type: ignore[arg-type]
    assert 0.44 < sum(kind) / len(kind) < 0.6  # type: ignore[arg-type]


def test_unset_and_untaught_labels_stay_as_the_source_says() -> None:
    rows = tiny_model.examples(200)
    toxicity, threat = LABELS.index("toxicity"), LABELS.index("threat")
    # The source leaves toxicity unset on the first 50 rows (the teacher, fitted on the
    # others, still has an opinion on them); no row is a threat, so nothing can teach it.
    rows = [
        Example(row.text, row.labels[:toxicity] + (None,) + row.labels[toxicity + 1 :], row.benign)
        if i < 50
        else row
        for i, row in enumerate(rows)
    ]
    taught = teacher.out_of_fold(rows)
    assert all(guess[toxicity] is not None for guess in taught[:50])
    assert all(guess[threat] is None for guess in taught)  # too few positives to teach
    softened = teacher.soften(rows, taught, 0.5)
    assert all(row.labels[toxicity] is None for row in softened[:50])
    assert [row.labels[threat] for row in softened] == [row.labels[threat] for row in rows]
    for row, guess, mixed in list(zip(rows, taught, softened, strict=True))[50:]:
        expected = 0.5 * row.labels[toxicity] + 0.5 * guess[toxicity]  # type: ignore[operator]
        assert mixed.labels[toxicity] == pytest.approx(expected)
        # The source's label always weighs at least as much: toxic stays above 0.5.
        assert (mixed.labels[toxicity] >= 0.5) == (row.labels[toxicity] == 1.0)
        assert (mixed.text, mixed.benign) == (row.text, row.benign)


def test_case_and_spacing_variants_share_a_fold() -> None:
    # The features lowercase and ignore spacing: such variants must never teach each other.
    assert len({teacher._fold(text, 4) for text in ("Crétin.", "crétin.", " CRÉTIN.  ")}) == 1


def test_too_few_rows_teach_nothing() -> None:
    rows = tiny_model.examples(12)
    assert teacher.out_of_fold(rows) == [(None,) * len(LABELS)] * len(rows)
