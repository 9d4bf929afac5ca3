"""An n-gram teacher for the compact network (knowledge distillation).

Trained from scratch on some fifty thousand short texts, the small BERT learns its training
rows by heart (ROC-AUC 0.998 on them) and generalises poorly: "Crétin." scored 0.00 and a
post about a village band 1.00. A linear model over word and character n-grams, the classic
baseline for this task, generalises much better on the same rows (0.94 against 0.83 on our
held-out support-voice posts) but cannot read windows, context or word order.

So the network learns from both: each set label becomes a mix of the source's own label and
the teacher's probability for that row (where the teacher could be fitted: at least
MIN_CLASS rows of each class in the other folds, and some words to read). The teacher's
probability for a row always comes from models fitted on the other folds, never on the row
itself, so it says how the row looks to a model that has not seen it: a hostile reply that
only the label marks as hostile, or a benign story full of words that hostile rows use, get
a softer target, and the network stops memorising. Unset labels stay unset; the held-out
rows are never seen.

scikit-learn's TF-IDF and logistic regression are used as is: the teacher lives only while
`flask moderation train` runs and is not part of the model folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from ..settings import LABELS
from .datasets import Example

FOLDS = 4
# A label with fewer positive (or negative) rows than this in a fold's training part keeps
# its own labels there: a teacher would only echo noise.
MIN_CLASS = 10


def _fold(text: str, folds: int) -> int:
    """A row's fold, by a hash of its text as the features see it (lowercased, spaces
    collapsed): "Crétin." and "crétin." are one text to the teacher, so one fold."""
    key = " ".join(text.lower().split())
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % folds


def _features(train: Sequence[str]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=200_000,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                    max_features=100_000,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106 -- a regex, not a secret
                ),
            ),
        ]
    )
    union.fit(train)
    return union


def out_of_fold(
    examples: Sequence[Example],
    folds: int = FOLDS,
    on_fold: Callable[[int], None] = lambda _n: None,
) -> list[tuple[float | None, ...]]:
    """For each row, the teacher's probability of each label, from models fitted on the
    other folds (None where the label could not be taught)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    texts = [example.text for example in examples]
    fold_of = np.array([_fold(text, folds) for text in texts])
    values = np.array(
        [[np.nan if v is None else v for v in example.labels] for example in examples],
        dtype=float,
    ).reshape(len(examples), len(LABELS))
    out = np.full((len(examples), len(LABELS)), np.nan)
    for fold in range(folds):
        inside = np.flatnonzero(fold_of != fold)
        outside = np.flatnonzero(fold_of == fold)
        try:
            features = _features([texts[i] for i in inside]) if len(outside) else None
        except ValueError:  # no word in two rows (emoji or punctuation only): not taught
            features = None
        if features is not None:
            seen = features.transform([texts[i] for i in inside])
            unseen = features.transform([texts[i] for i in outside])
            for column in range(len(LABELS)):
                known = ~np.isnan(values[inside, column])
                truth = values[inside, column][known] >= 0.5
                if min(truth.sum(), (~truth).sum()) < MIN_CLASS:
                    continue
                model = LogisticRegression(C=4.0, max_iter=2000)
                model.fit(seen[np.flatnonzero(known)], truth)
                out[outside, column] = model.predict_proba(unseen)[:, 1]
        on_fold(1)
    return [tuple(None if np.isnan(v) else round(float(v), 4) for v in row) for row in out.tolist()]


def soften(
    examples: Sequence[Example], taught: Sequence[tuple[float | None, ...]], own: float
) -> list[Example]:
    """Each set label becomes `own` × the source's label + (1 − `own`) × the teacher's."""
    softened = []
    for example, teacher in zip(examples, taught, strict=True):
        mixed = tuple(
            value if value is None or guess is None else own * value + (1 - own) * guess
            for value, guess in zip(example.labels, teacher, strict=True)
        )
        softened.append(dataclasses.replace(example, labels=mixed))
    return softened
