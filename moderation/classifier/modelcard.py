"""The model card written beside a trained model, and threshold suggestions for a board."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..settings import DEFAULT_THRESHOLDS, LABELS, LEVELS
from .datasets import Example, Source
from .evaluation import table

HELD_OUT_NAMES = {
    "fr": "Held-out French (public sources and our own support-voice set)",
    "en": "Held-out English (public sources and the Jigsaw sample)",
    "sensitive": (
        "Benign but sensitive: held-out counsel_chat questions and our held-out benign "
        "support-voice posts (French and English)"
    ),
    "demo": "The demo's 102 French posts (seed-demo), written before the model, never trained on",
}


def _size(folder: Path) -> str:
    total = sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    return f"{total / 1_000_000:.1f} MB"


def _folds() -> int:
    from .teacher import FOLDS

    return FOLDS - 1


def _min_class() -> int:
    from .teacher import MIN_CLASS

    return MIN_CLASS


def render(
    summary: Mapping[str, Any], folder: Path, groups: Sequence[tuple[Source, list[Example]]]
) -> str:
    arch = summary["architecture"]
    plan = summary["plan"]
    stats = summary["training"]
    lines = [
        "# Entrenous compact toxicity model",
        "",
        f"Trained {datetime.date.today().isoformat()} by `flask moderation train`"
        + (f", fine-tuned from `{summary['init']}`" if summary.get("init") else "")
        + ". It scores Detoxify's six labels ("
        + ", ".join(f"`{label}`" for label in LABELS)
        + ") in French and English, offline, and loads with `detoxify.Detoxify`.",
        "",
        "**What it is for:** ranking and routing posts for human moderators on a mutual-aid "
        "forum. People decide; the model never removes anything on its own.",
        "",
        "## Network",
        f"- `BertForSequenceClassification`: {arch['layers']} layers, "
        f"hidden size {arch['hidden']}, "
        f"{arch['heads']} attention heads, a window of {arch['window']} tokens (longer posts are "
        "scored in overlapping windows, keeping each label's maximum).",
        (
            f"- WordPiece tokenizer of `{summary['tokenizer']}`, reused "
            f"(`--tokenizer`): {arch['vocab_size']} pieces, "
            if summary.get("tokenizer")
            else "- WordPiece tokenizer trained on the training text: "
            f"{arch['vocab_size']} pieces at most, "
        )
        + "lowercased, accents kept (`strip_accents=False`).",
        f"- Folder size: {_size(folder)}. Load time once torch and transformers are imported: "
        f"{stats.get('load_seconds', '?')} s (`bench/classifier_bench.py` measures a cold start).",
        "",
        "## Training",
        f"- {plan['epochs']} epochs of {stats['rows_per_epoch']} rows, batches of "
        f"{plan['batch_size']}, AdamW at {plan['learning_rate']:g} with warm-up and linear "
        f"decay, seed {plan['seed']}; {plan['unaccented']:.0%} of French rows also seen without "
        "accents.",
        f"- Time: {stats['seconds']:.0f} s on this machine's CPU"
        + (
            f" ({stats['threads']} thread{'s' if stats['threads'] > 1 else ''})"
            if stats.get("threads")
            else ""
        )
        + ". Loss per epoch: "
        + ", ".join(f"{loss:.3f}" for loss in stats["loss_per_epoch"])
        + ".",
        "- Labels a source says nothing about are left unset and masked out of the loss.",
        (
            f"- Distillation: each set label's target is {1 - plan['teacher']:.0%} the "
            f"source's label and {plan['teacher']:.0%} the probability a word and character "
            "n-gram logistic regression gives the row, fitted on the other "
            f"{_folds()} folds of the training rows, never on the row itself "
            "(`moderation/classifier/teacher.py`); where a label has fewer than "
            f"{_min_class()} rows of either class in those folds, the source's label stays "
            "as it is. Rows are weighed on the sources' own labels."
            if plan.get("teacher")
            else "- Distillation: none (the sources' labels only)."
        ),
        (
            f"- Pre-training: {plan['pretrain_epochs']} "
            f"epoch{'s' if plan['pretrain_epochs'] > 1 else ''} of masked-word prediction "
            "(BERT's own task, 15% of word pieces) on the distinct training texts, before the "
            "labels; loss per epoch "
            + ", ".join(f"{loss:.2f}" for loss in stats.get("pretrain_loss_per_epoch", []))
            + (f"; {stats['pretrain_seconds']:.0f} s." if "pretrain_seconds" in stats else ".")
            if plan.get("pretrain_epochs")
            else "- Pre-training: none (the labels from random weights)."
        ),
        "- Within each source, then within each language, toxic and non-toxic rows weigh the "
        "same; one sentence of each benign text of several sentences is also seen alone.",
        (
            f"- Weights: a moving average of the steps' weights (decay {plan['average']:g}, "
            "lower over the first steps) is what is validated and kept"
            + (
                f"; the raw weights scored {stats['raw_validation_auc_per_epoch']} on validation."
                if stats.get("raw_validation_auc_per_epoch")
                else "."
            )
            if plan.get("average")
            else "- Weights: those of the last step (no moving average)."
        ),
        "- Early stopping: "
        + (
            f"validation ROC-AUC per epoch {stats['validation_auc_per_epoch']}, the weights "
            f"of epoch {stats['kept_epoch']} kept."
            if stats.get("validation_auc_per_epoch")
            else "none (the last epoch is kept)."
        )
        + f" Dropout {arch.get('dropout', 0.1)}, weight decay {plan.get('weight_decay', 0.01)}.",
        _calibration(summary.get("calibration") or {}),
        "",
        "## Data",
        "| source | language | licence | train rows | held-out rows | seen per epoch "
        "| attribution | label mapping |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for source, rows in groups:
        train = sum(ex.split == "train" for ex in rows)
        lines.append(
            f"| {source.name} | {source.lang or 'mixed'} | {source.licence} | {train} | "
            f"{len(rows) - train} | {f'×{source.repeat}' if source.train else 'evaluation only'} "
            f"| {source.attribution} | {source.mapping} |"
        )
    lines += [
        "",
        "Held-out rows are chosen by a hash of each row's identifier (15%; counsel_chat: 30% "
        "of the questions, whose answers are not used for training; our own set: the rows "
        "marked `heldout`, a quarter of each theme of the first rows written; rows added "
        "later to teach what those lacked are training-only, and near copies of held-out rows "
        "were left out of them). They are never trained on.",
        "",
        "## Held-out results",
        "At the default thresholds (queue / nudge / hold) of `moderation/settings.py`. A row "
        "counts as a false positive at a level when any label reaches that level's threshold.",
        "",
    ]
    for name, result in summary["metrics"].items():
        lines += [f"### {HELD_OUT_NAMES.get(name, name)}", "", table(result), ""]
        if Path(folder / f"roc_{name}.svg").exists():
            lines += [f"ROC curves: [roc_{name}.svg](roc_{name}.svg)", ""]
    lines += [
        "## Limits",
        "- Small network, pre-trained and trained on about fifty thousand short texts only, "
        "mostly tweets and news comments: it knows words and short phrases better than irony, "
        "context or coded hate, and it still over-reads some patterns (some kind replies "
        "that address the reader as « tu » score higher than they should). The n-gram teacher "
        "it learns from during training makes it generalise better, not read better. The "
        "official Detoxify models "
        "(`flask moderation fetch-model`) are stronger where a server can download them.",
        "- MLMA (both languages) and Toxic Spans have noisy labels for this task (MLMA tweets "
        "were collected by slur keywords, and its `normal` class holds hostile tweets and the "
        "reverse; Toxic Spans comments were all rated toxic before its annotators disagreed): "
        "on their held-out rows ROC-AUC stays between 0.55 and 0.75 for every variant we "
        "trained, which pulls the per-language figures down. Each held-out set's table above "
        "is followed by its per-source figures.",
        "- French public data is mostly hostile tweets about origin and religion; our own "
        "support-voice set is the only French text about addiction, grief or sexuality.",
        "- `severe_toxicity` and `threat` have few labelled French examples: their figures "
        "are the least reliable.",
        "- Two runs of the same recipe differ by about 0.003 in ROC-AUC: the `tokenizers` "
        "WordPiece trainer breaks ties between equally frequent pieces in a hash map's order, "
        "which changes from process to process (huggingface/tokenizers#1794). With the same "
        "tokenizer and as many threads (`OMP_NUM_THREADS`), training is deterministic: "
        "`--tokenizer` reuses a model folder's.",
        "",
        "## Reproduce",
        "```",
        "flask moderation train  # reads ../shared/datasets/toxicity and "
        "moderation/classifier/data",
        "flask moderation train --tokenizer FOLDER  # this folder, as many threads: same weights",
        "flask moderation evaluate --data instance/heldout/fr.csv --plot roc_fr.svg",
        "```",
        "",
    ]
    return "\n".join(lines)


def _calibration(done: Mapping[str, Any]) -> str:
    if not done:
        return "- Calibration: none."
    if "skipped" in done:
        return f"- Calibration: none ({done['skipped']})."
    rows = (
        f"the {done['rows']} benign-but-sensitive validation rows (counsel_chat questions, our "
        "benign support-voice posts)"
    )
    shifts = {label: value for label, value in done["shifts"].items() if value}
    if not shifts:
        return (
            f"- Calibration: none needed; {done['before']:.1%} of {rows} reach a queue "
            f"threshold (budget {done['budget']:.0%})."
        )
    return (
        "- Calibration: outputs shifted down, the shift taken off the logit ("
        + ", ".join(f"{label} {value:.2f}" for label, value in shifts.items())
        + f"; the other labels 0), so that at most {done['budget']:.0%} of {rows} reach a "
        f"queue threshold: {done['before']:.1%} before, {done['after']:.1%} after. Rankings "
        "and ROC-AUC do not change; precision and recall at each threshold do "
        "(`moderation/classifier/calibration.py`)."
    )


def suggestions(result: Mapping[str, Any], board: str) -> str:
    """Thresholds a board could adopt from its own moderators' decisions: hold where the
    best F1 lies, nudge and queue below it; printed as a `settings` command, never applied."""
    options = []
    for label, entry in result["labels"].items():
        best = entry.get("best_f1")
        if not best or entry["positives"] < 10 or entry["rows"] - entry["positives"] < 10:
            continue
        hold = round(min(0.95, max(0.2, best["threshold"])), 2)
        nudge = round(max(0.1, hold - 0.15), 2)
        queue = round(max(0.05, nudge - 0.15), 2)
        options += [
            f"--threshold hold.{label}={hold}",
            f"--threshold nudge.{label}={nudge}",
            f"--threshold queue.{label}={queue}",
        ]
    if not options:
        return (
            "Too few decisions to suggest thresholds (at least 10 of each kind per label); "
            f"the defaults stay: {DEFAULT_THRESHOLDS['hold']['toxicity']} to hold toxicity."
        )
    return (
        "Suggested thresholds for this board, from the best F1 on its decisions "
        f"(levels {', '.join(LEVELS)}); review them, then:\n"
        f"  flask moderation settings {board} " + " ".join(options)
    )
