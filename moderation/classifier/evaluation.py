"""How good a scorer is on labelled data, measured the way the pipeline uses it.

Texts are scored as posts are (whole text and each sentence, each label's maximum). For each
label with labelled rows: ROC-AUC; precision, recall and F1 at each of the pipeline's
thresholds (queue, nudge, hold) and at the threshold with the best F1. For rows marked
benign: the share that would be queued, nudged or held (false positives). A label's value of
0.5 or more counts as positive (sources with soft labels give the share of annotators).

ROC-AUC is the Mann-Whitney statistic with ties counted half: a dozen lines of numpy rather
than scikit-learn and SciPy for one formula.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..settings import LABELS, LEVELS
from .datasets import Example
from .scoring import NEVER, Scorer, score_many

BATCH_POSTS = 256


def roc_auc(truth: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties: half)."""
    y = np.asarray(truth, dtype=bool)
    s = np.asarray(scores, dtype=float)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=float)
    sorted_scores = s[order]
    # Average ranks over ties.
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    average = first + (counts + 1) / 2.0
    ranks[order] = np.repeat(average, counts)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def precision_recall(
    truth: Sequence[bool], scores: Sequence[float], threshold: float
) -> dict[str, float]:
    y = np.asarray(truth, dtype=bool)
    flagged = np.asarray(scores, dtype=float) >= threshold
    true_pos = int((flagged & y).sum())
    precision = true_pos / int(flagged.sum()) if flagged.any() else 0.0
    recall = true_pos / int(y.sum()) if y.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"threshold": threshold, "precision": precision, "recall": recall, "f1": f1}


def best_f1(truth: Sequence[bool], scores: Sequence[float]) -> dict[str, float]:
    candidates = np.unique(np.round(np.asarray(scores, dtype=float), 4))
    if len(candidates) > 400:
        candidates = np.quantile(candidates, np.linspace(0, 1, 400))
    best = {"threshold": 0.5, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    for threshold in candidates:
        result = precision_recall(truth, scores, float(threshold))
        if result["f1"] > best["f1"]:
            best = result
    return best


def roc_points(
    truth: Sequence[bool],
    scores: Sequence[float],
    steps: int = 101,
    thresholds: Sequence[float] | None = None,
) -> list[tuple[float, float, float]]:
    """(threshold, false-positive rate, true-positive rate) from threshold 1 down to 0."""
    y = np.asarray(truth, dtype=bool)
    s = np.asarray(scores, dtype=float)
    positives, negatives = max(1, int(y.sum())), max(1, int((~y).sum()))
    points = []
    for threshold in np.linspace(1.0, 0.0, steps) if thresholds is None else thresholds:
        flagged = s >= threshold
        points.append(
            (
                float(threshold),
                float((flagged & ~y).sum() / negatives),
                float((flagged & y).sum() / positives),
            )
        )
    return points


@dataclass
class Scored:
    examples: list[Example]
    scores: list[dict[str, float]]


def score_examples(scorer: Scorer, examples: Sequence[Example], on_batch: Any = None) -> Scored:
    scores: list[dict[str, float]] = []
    for start in range(0, len(examples), BATCH_POSTS):
        chunk = examples[start : start + BATCH_POSTS]
        scores += [overall for overall, _ in score_many(scorer, [ex.text for ex in chunk], NEVER)]
        if on_batch:
            on_batch(len(chunk))
    return Scored(list(examples), scores)


def report(scored: Scored, thresholds: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Metrics per label, false positives on benign rows, and ROC points for the plot."""
    result: dict[str, Any] = {"rows": len(scored.examples), "labels": {}, "curves": {}}
    for label in LABELS:
        pairs = [
            (value >= 0.5, score[label])
            for ex, score in zip(scored.examples, scored.scores, strict=True)
            if (value := ex.label(label)) is not None and label in score
        ]
        if not pairs:
            continue
        truth = [t for t, _ in pairs]
        values = [s for _, s in pairs]
        entry: dict[str, Any] = {
            "rows": len(pairs),
            "positives": sum(truth),
            "roc_auc": roc_auc(truth, values),
            "at": {
                level: precision_recall(truth, values, thresholds[level][label]) for level in LEVELS
            },
            "best_f1": best_f1(truth, values) if any(truth) else None,
        }
        result["labels"][label] = entry
        if entry["roc_auc"] is not None:
            result["curves"][label] = roc_points(truth, values)
            # Where the pipeline's thresholds sit on the curve.
            result.setdefault("marks", {})[label] = [
                (level, fpr, tpr)
                for level in LEVELS
                for _, fpr, tpr in roc_points(truth, values, thresholds=[thresholds[level][label]])
            ]
    benign = [score for ex, score in zip(scored.examples, scored.scores, strict=True) if ex.benign]
    if benign:
        result["benign"] = _flagged(benign, thresholds)
    sources = sorted({ex.source for ex in scored.examples if ex.source})
    if len(sources) > 1:
        result["sources"] = {source: _source(scored, source, thresholds) for source in sources}
    return result


def _flagged(
    benign: Sequence[Mapping[str, float]], thresholds: Mapping[str, Mapping[str, float]]
) -> dict[str, Any]:
    rates = {}
    for level in LEVELS:
        flagged = sum(
            any(score.get(label, 0.0) >= thresholds[level][label] for label in LABELS)
            for score in benign
        )
        rates[level] = flagged / len(benign)
    return {"rows": len(benign), "false_positive_rate": rates}


def _source(
    scored: Scored, source: str, thresholds: Mapping[str, Mapping[str, float]]
) -> dict[str, Any]:
    """One source's rows: toxicity ROC-AUC and the share of its benign rows flagged."""
    mine = [
        (ex, score)
        for ex, score in zip(scored.examples, scored.scores, strict=True)
        if ex.source == source
    ]
    pairs = [
        (value >= 0.5, score.get("toxicity", 0.0))
        for ex, score in mine
        if (value := ex.label("toxicity")) is not None
    ]
    benign = [score for ex, score in mine if ex.benign]
    return {
        "rows": len(mine),
        "roc_auc": roc_auc([t for t, _ in pairs], [s for _, s in pairs]) if pairs else None,
        "benign": _flagged(benign, thresholds) if benign else None,
    }


def summary_line(name: str, result: Mapping[str, Any]) -> str:
    toxicity = result["labels"].get("toxicity", {})
    auc = toxicity.get("roc_auc")
    parts = [f"{name}: {result['rows']} rows"]
    if auc is not None:
        parts.append(f"toxicity ROC-AUC {auc:.3f}")
    if "benign" in result:
        rates = result["benign"]["false_positive_rate"]
        parts.append(
            "benign flagged " + ", ".join(f"{level} {rates[level]:.1%}" for level in LEVELS)
        )
    return "; ".join(parts)


def table(result: Mapping[str, Any]) -> str:
    """The metrics as a plain-text table (for the terminal and the model card)."""
    lines = [
        "| label | rows | positives | ROC-AUC | P/R/F1 at queue | at nudge | at hold "
        "| best F1 (threshold) |",
        "|---|---:|---:|---:|---|---|---|---|",
    ]
    for label, entry in result["labels"].items():
        auc = "–" if entry["roc_auc"] is None else f"{entry['roc_auc']:.3f}"
        cells = [
            f"{m['precision']:.2f}/{m['recall']:.2f}/{m['f1']:.2f}"
            for m in (entry["at"][level] for level in LEVELS)
        ]
        best = entry["best_f1"]
        best_cell = "–" if not best else f"{best['f1']:.2f} ({best['threshold']:.2f})"
        lines.append(
            f"| {label} | {entry['rows']} | {entry['positives']} | {auc} | "
            f"{' | '.join(cells)} | {best_cell} |"
        )
    if "benign" in result:
        rates = result["benign"]["false_positive_rate"]
        lines.append("")
        lines.append(
            f"Benign rows: {result['benign']['rows']}; flagged at queue {rates['queue']:.1%}, "
            f"nudge {rates['nudge']:.1%}, hold {rates['hold']:.1%}."
        )
    if result.get("sources"):
        lines += [
            "",
            "| source | rows | toxicity ROC-AUC | benign flagged (queue / nudge / hold) |",
            "|---|---:|---:|---|",
        ]
        for source, entry in result["sources"].items():
            auc = "–" if entry["roc_auc"] is None else f"{entry['roc_auc']:.3f}"
            benign = entry["benign"]
            flagged = (
                "–"
                if not benign
                else " / ".join(f"{benign['false_positive_rate'][level]:.1%}" for level in LEVELS)
                + f" of {benign['rows']}"
            )
            lines.append(f"| {source} | {entry['rows']} | {auc} | {flagged} |")
    return "\n".join(lines)


_COLOURS = ("#1f5f8b", "#b3541e", "#2f7d32", "#7b3fa0", "#8a6d00", "#a12a4b")


def plot_svg(result: Mapping[str, Any], title: str) -> str:
    """ROC curves per label, with the points where the pipeline's thresholds sit: a
    self-contained SVG image (no plotting library, no script)."""
    size, pad = 360, 48
    width, height = size + pad * 2 + 170, size + pad * 2

    def x(value: float) -> float:
        return pad + value * size

    def y(value: float) -> float:
        return pad + (1 - value) * size

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
        f'<text x="{pad}" y="{pad - 20}" font-size="14">{_escape(title)}</text>',
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#444"/>',
        f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#bbb" '
        'stroke-dasharray="4 4"/>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<text x="{x(tick)}" y="{y(0) + 16}" text-anchor="middle">{tick:g}</text>')
        parts.append(f'<text x="{pad - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:g}</text>')
    parts.append(
        f'<text x="{x(0.5)}" y="{height - 8}" text-anchor="middle">false-positive rate</text>'
    )
    parts.append(
        f'<text x="14" y="{y(0.5)}" transform="rotate(-90 14 {y(0.5)})" '
        'text-anchor="middle">true-positive rate</text>'
    )
    for index, (label, points) in enumerate(result["curves"].items()):
        colour = _COLOURS[index % len(_COLOURS)]
        path = " ".join(f"{x(fpr):.1f},{y(tpr):.1f}" for _, fpr, tpr in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for level, fpr, tpr in result.get("marks", {}).get(label, []):
            parts.append(
                f'<circle cx="{x(fpr):.1f}" cy="{y(tpr):.1f}" r="4" fill="#fff" '
                f'stroke="{colour}" stroke-width="2"><title>{label} at {level}</title></circle>'
            )
        auc = result["labels"][label]["roc_auc"]
        legend_y = pad + 18 * index
        parts.append(
            f'<line x1="{size + pad + 14}" y1="{legend_y}" x2="{size + pad + 34}" '
            f'y2="{legend_y}" stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{size + pad + 40}" y="{legend_y + 4}">{label} {auc:.3f}</text>')
    legend_y = pad + 18 * len(result["curves"]) + 14
    parts.append(
        f'<text x="{size + pad + 14}" y="{legend_y}" fill="#444">Curves from threshold 1</text>'
    )
    parts.append(
        f'<text x="{size + pad + 14}" y="{legend_y + 16}" fill="#444">(bottom left) to 0;</text>'
    )
    parts.append(
        f'<text x="{size + pad + 14}" y="{legend_y + 32}" fill="#444">circles: the queue,</text>'
    )
    parts.append(
        f'<text x="{size + pad + 14}" y="{legend_y + 48}" fill="#444">nudge and hold levels.</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
