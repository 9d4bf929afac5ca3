"""Shifting a trained model's outputs so that the default thresholds keep their meaning.

A small network's scores are not calibrated: two runs of the same recipe can put the same
benign post at 0.4 or at 0.6. The pipeline's thresholds (`moderation/settings.py`) are the
same for every model, so after training each label's output is shifted down, by a constant
taken off its logit (the classifier's bias), until at most `budget` of the validation
split's benign-but-sensitive rows (counsel_chat questions, our own support-voice posts)
reach any `queue` threshold. A shift is monotone: rankings, hence ROC-AUC, do not change;
it is the same as raising that label's thresholds for this model alone, while board
settings stay the same for every model. Outputs are never shifted up.

The search is exact on the rows given: with `n` rows and `k = floor(budget * n)`, it looks
for the largest `j <= k` such that putting every label's (j+1)-th highest score just under
its threshold leaves at most `k` rows flagged by any label.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..settings import LABELS
from .datasets import Example
from .scoring import Scores

# Rows below this and the estimate of a share is too coarse to act on.
MIN_ROWS = 20
# How far under the threshold a shifted score lands, in logit units.
MARGIN = 1e-3


def _logit(p: float) -> float:
    p = min(1 - 1e-7, max(1e-7, p))
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def shifted(score: float, shift: float) -> float:
    """A score once `shift` is taken off its logit."""
    return _sigmoid(_logit(score) - shift) if shift else score


def flagged_share(
    scores: Sequence[Scores], thresholds: Mapping[str, float], shifts: Mapping[str, float]
) -> float:
    """Share of rows where any label, shifted, reaches its threshold."""
    if not scores:
        return 0.0
    flagged = sum(
        any(
            shifted(row[label], shifts.get(label, 0.0)) >= thresholds[label]
            for label in LABELS
            if label in row
        )
        for row in scores
    )
    return flagged / len(scores)


def fit(
    scores: Sequence[Scores], thresholds: Mapping[str, float], budget: float
) -> dict[str, float]:
    """Per-label shifts (>= 0, logit units) leaving at most `budget` of `scores` flagged by
    any label at `thresholds`; all zero when that already holds. Raises ValueError on fewer
    than MIN_ROWS rows or a budget outside [0, 1]."""
    if not 0.0 <= budget <= 1.0:
        raise ValueError(f"budget {budget!r} is not a share between 0 and 1")
    if len(scores) < MIN_ROWS:
        raise ValueError(f"{len(scores)} rows: at least {MIN_ROWS} are needed to calibrate")
    none = dict.fromkeys(LABELS, 0.0)
    allowed = math.floor(budget * len(scores) + 1e-9)
    if flagged_share(scores, thresholds, none) * len(scores) <= allowed:
        return none
    ranked = {
        label: sorted((row.get(label, 0.0) for row in scores), reverse=True) for label in LABELS
    }
    for kept in range(allowed, -1, -1):
        shifts = {
            label: max(0.0, _logit(ranked[label][kept]) - _logit(thresholds[label]) + MARGIN)
            for label in LABELS
        }
        if flagged_share(scores, thresholds, shifts) * len(scores) <= allowed:
            return shifts
    raise AssertionError("unreachable: with kept = 0 no row reaches a threshold")


def apply(model: Any, shifts: Mapping[str, float], labels: Sequence[str] = LABELS) -> None:
    """Take each shift off the matching output's bias, in place (BERT's `classifier` or
    RoBERTa's `classifier.out_proj`)."""
    import torch

    head = model.classifier
    layer = getattr(head, "out_proj", head)
    with torch.no_grad():
        for index, label in enumerate(labels):
            layer.bias[index] -= float(shifts.get(label, 0.0))


def calibrate(
    model: Any,
    tokenizer: Any,
    scorer: Any,
    rows: Sequence[Example],
    thresholds: Mapping[str, float],
    budget: float,
) -> tuple[Any, dict[str, Any]]:
    """Fit the shifts on `rows` (benign, scored as posts are by `scorer`, a DetoxifyScorer
    over `model`'s saved folder), take them off `model`, save it again and reload the
    scorer when anything moved. Returns the scorer to use and what was done, measured."""
    from . import detox, evaluation, training

    done: dict[str, Any] = {"budget": budget, "rows": len(rows)}
    if budget >= 1 or len(rows) < MIN_ROWS:
        done["skipped"] = "--benign-budget 1" if budget >= 1 else f"fewer than {MIN_ROWS} rows"
        return scorer, done
    scores = evaluation.score_examples(scorer, rows).scores
    shifts = fit(scores, thresholds, budget)
    done.update(shifts=shifts, before=flagged_share(scores, thresholds, {}))
    if any(shifts.values()):
        apply(model, shifts)
        training.save(model, tokenizer, scorer.folder)
        scorer = detox.DetoxifyScorer(scorer.name, scorer.folder)
        scores = evaluation.score_examples(scorer, rows).scores
    done["after"] = flagged_share(scores, thresholds, {})
    return scorer, done
