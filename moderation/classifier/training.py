"""Training the compact model: a small BERT with a tokenizer trained on our own text.

The network is `transformers.BertForSequenceClassification`, small enough to score hundreds
of posts a second on two cores and to live in the repository. Its WordPiece tokenizer is
trained on the training text, lowercased with accents kept (a stock uncased BERT tokenizer
would turn "déprimée" into "dep ##rim ##ee"). The result is saved in Detoxify's checkpoint
format, so Detoxify loads it like its own models.

Labels left unset by a source are masked out of the loss: a source that only says "racist
or not" teaches nothing about threats. Everything random draws from one seed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
import shutil
import time
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..settings import DEFAULT_THRESHOLDS, LABELS
from . import datasets, detox
from .datasets import Example
from .scoring import ScorerUnavailable, registry, sentences

MODEL_NAME = "BertForSequenceClassification"
TOKENIZER_NAME = "BertTokenizer"  # backed by `tokenizers` in transformers 5
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@dataclass(frozen=True)
class Architecture:
    vocab_size: int = 12000
    hidden: int = 128
    layers: int = 2
    heads: int = 4
    intermediate: int = 512
    window: int = 128
    dropout: float = 0.1


@dataclass(frozen=True)
class Plan:
    epochs: int = 6
    batch_size: int = 32
    learning_rate: float = 1e-3
    warmup: float = 0.06
    seed: int = 1234
    bucket: int = 20
    weight_decay: float = 0.01
    # Share of French rows also shown without accents, as members often type them.
    unaccented: float = 0.25
    # Share of each target taken from the n-gram teacher (classifier/teacher.py); 0: none.
    teacher: float = 0.7
    # Decay of the moving average of the weights that is validated and kept (0: the raw
    # weights); see `average_into`.
    average: float = 0.999
    # Epochs of masked-word prediction on the training texts before learning the labels;
    # see `pretrain`.
    pretrain_epochs: int = 5


def without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def train_tokenizer(texts: Sequence[str], vocab_size: int, window: int) -> Any:
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizer

    wordpiece = BertWordPieceTokenizer(
        lowercase=True, strip_accents=False, clean_text=True, handle_chinese_chars=True
    )
    wordpiece.train_from_iterator(
        texts,
        vocab_size=vocab_size,
        min_frequency=2,
        special_tokens=SPECIAL_TOKENS,
        show_progress=False,
    )
    return BertTokenizer(
        tokenizer_object=wordpiece._tokenizer,
        do_lower_case=True,
        strip_accents=False,
        model_max_length=window,
    )


def build_model(architecture: Architecture, vocab_size: int) -> Any:
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(  # type: ignore[call-arg]
        vocab_size=vocab_size,
        hidden_size=architecture.hidden,
        num_hidden_layers=architecture.layers,
        num_attention_heads=architecture.heads,
        intermediate_size=architecture.intermediate,
        max_position_embeddings=architecture.window,
        num_labels=len(LABELS),
        problem_type="multi_label_classification",
        hidden_dropout_prob=architecture.dropout,
        attention_probs_dropout_prob=architecture.dropout,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    return BertForSequenceClassification(config)


def checkpoint(model: Any) -> dict[str, Any]:
    """The model in Detoxify's checkpoint format."""
    return {
        "config": {
            "arch": {
                "args": {
                    "model_type": "",  # set to the folder's path when loaded
                    "model_name": MODEL_NAME,
                    "tokenizer_name": TOKENIZER_NAME,
                    "num_classes": len(LABELS),
                }
            },
            "dataset": {"args": {"classes": list(LABELS)}},
        },
        "state_dict": model.state_dict(),
    }


def _rebalance(
    examples: Sequence[tuple[Example, int]], group: Callable[[Example], str]
) -> list[tuple[Example, int]]:
    """Within each group, toxic and non-toxic rows weigh the same in total."""
    totals: dict[tuple[str, bool], float] = {}
    for example, repeat in examples:
        value = example.label("toxicity")
        if value is not None:
            key = (group(example), value >= 0.5)
            totals[key] = totals.get(key, 0.0) + example.weight * repeat
    out = []
    for example, repeat in examples:
        value = example.label("toxicity")
        if value is not None:
            mine = totals[(group(example), value >= 0.5)]
            other = totals.get((group(example), value < 0.5), 0.0)
            if other:
                factor = min(4.0, max(0.25, (mine + other) / (2 * mine)))
                example = dataclasses.replace(example, weight=example.weight * factor)
        out.append((example, repeat))
    return out


_SECOND_PERSON = re.compile(
    r"\b(?:(?:tu|toi|ton|ta|tes|te|vous|votre|vos|you|your|yours|u|ur)(?=\W|$)|t['’])",
    re.IGNORECASE,
)


def addresses_reader(text: str) -> bool:
    """The text speaks to someone ("tu", "vous", "you")."""
    return _SECOND_PERSON.search(text) is not None


def balanced(examples: Sequence[tuple[Example, int]]) -> list[tuple[Example, int]]:
    """Toxic and non-toxic rows weigh the same within each source, then within each
    language, then among texts that speak to someone and among those that do not.

    Sources differ in style as much as in labels (short hostile tweets, long benign
    questions), most French public data is hostile, and hostile replies speak to the reader
    more often than kind ones do: balanced, the network must learn what separates the two,
    not which source or language a text comes from, nor that "tu" is an insult."""
    by_source = _rebalance(examples, lambda example: example.source)
    by_language = _rebalance(by_source, lambda example: example.lang)
    return _rebalance(
        by_language, lambda example: f"{example.lang}:{addresses_reader(example.text)}"
    )


def _pieces(example: Example) -> list[str]:
    """The sentences of a benign text with several: each is benign on its own too."""
    if not example.benign:
        return []
    parts = sentences(example.text)
    return parts if len(parts) > 1 else []


def epoch_rows(
    examples: Sequence[tuple[Example, int]], plan: Plan, rng: random.Random
) -> list[tuple[str, Example]]:
    """One epoch's rows: each example as often as its source repeats, some French rows
    without accents, one sentence of each benign text of several sentences (the pipeline
    scores sentences too: "je suis nulle" in a long post is not an insult), shuffled."""
    rows: list[tuple[str, Example]] = []
    for example, repeat in examples:
        for _ in range(repeat):
            text = example.text
            if example.lang == "fr" and rng.random() < plan.unaccented:
                text = without_accents(text)
            rows.append((text, example))
        pieces = _pieces(example)
        if pieces:
            rows.append((rng.choice(pieces), example))
    rng.shuffle(rows)
    return rows


def rows_per_epoch(examples: Sequence[tuple[Example, int]]) -> int:
    return sum(repeat + (1 if _pieces(example) else 0) for example, repeat in examples)


def _optimizer(model: Any, plan: Plan, steps: int) -> tuple[Any, Any]:
    """AdamW, with a learning rate that rises over the first `plan.warmup` of the steps,
    then falls linearly to 0."""
    import torch

    optimizer = torch.optim.AdamW(
        model.parameters(), lr=plan.learning_rate, weight_decay=plan.weight_decay
    )
    warmup = max(1, int(steps * plan.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))),
    )
    return optimizer, schedule


def average_into(decay: float) -> Callable[[Any, Any, Any], None]:
    """An exponential moving average of the weights, for torch's `AveragedModel`.

    At a high learning rate on noisy labels, the weights of the last step fit its last
    batches; their average over the last thousand steps or so is smoother. On the bundled
    model's data it helps little alone (within the seed noise on validation), and with
    pre-training its best epoch checked 0.003 above the raw weights' (0.8981 against
    0.8947). As in TensorFlow's `ExponentialMovingAverage`, the decay starts low and rises
    to `decay`, so that a short run averages its own steps and not its random start."""

    def update(averaged: Any, current: Any, updates: Any) -> None:
        rate = 1 - min(decay, (1 + int(updates)) / (10 + int(updates)))
        for mean, value in zip(averaged, current, strict=True):
            mean.lerp_(value, rate)

    return update


def fit(
    model: Any,
    tokenizer: Any,
    examples: Sequence[tuple[Example, int]],
    plan: Plan,
    on_step: Callable[[int], None] = lambda _n: None,
    on_epoch: Callable[[int, float], None] = lambda _epoch, _loss: None,
    validation: Sequence[Example] = (),
) -> dict[str, Any]:
    """Train in place; returns the loss per epoch and the time taken. With validation rows
    (taken from the training split, never from the held-out one), the weights kept are
    those of the epoch with the best validation ROC-AUC for toxicity: early stopping."""
    import torch
    from torch.optim.swa_utils import AveragedModel

    torch.manual_seed(plan.seed)
    rng = random.Random(plan.seed)
    averaged = (
        AveragedModel(model, multi_avg_fn=average_into(plan.average)) if plan.average else None
    )
    judged = averaged.module if averaged is not None else model
    raw_checked: list[float] = []
    per_epoch = rows_per_epoch(examples)
    steps = plan.epochs * math.ceil(per_epoch / plan.batch_size)
    optimizer, schedule = _optimizer(model, plan, steps)
    losses: list[float] = []
    checked: list[float] = []
    best: dict[str, Any] | None = None
    started = time.monotonic()
    model.train()
    window = int(tokenizer.model_max_length)
    for _ in range(plan.epochs):
        rows = epoch_rows(examples, plan, rng)
        # Batches of similar length waste little on padding: sort within blocks of
        # `plan.bucket` batches, then shuffle the batches.
        block = plan.batch_size * plan.bucket
        batches = []
        for start in range(0, len(rows), block):
            part = sorted(rows[start : start + block], key=lambda row: len(row[0]))
            batches += [part[i : i + plan.batch_size] for i in range(0, len(part), plan.batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            encoded = tokenizer(
                [text for text, _ in batch],
                truncation=True,
                max_length=window,
                padding=True,
                return_tensors="pt",
            )
            values = torch.tensor(
                [[math.nan if v is None else v for v in ex.labels] for _, ex in batch]
            )
            mask = ~torch.isnan(values)
            weights = torch.tensor([[ex.weight] for _, ex in batch]) * mask
            logits = model(
                input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]
            ).logits
            loss_each = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, torch.nan_to_num(values), reduction="none"
            )
            loss = (loss_each * weights).sum() / weights.sum().clamp(min=1.0)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            if averaged is not None:
                averaged.update_parameters(model)
            total += loss.item()
            on_step(1)
        losses.append(round(total / max(1, len(batches)), 4))
        if validation:
            if averaged is not None:
                raw_checked.append(round(validation_auc(model, tokenizer, validation), 4))
            checked.append(round(validation_auc(judged, tokenizer, validation), 4))
            if checked[-1] >= max(checked):
                best = {k: v.detach().clone() for k, v in judged.state_dict().items()}
            model.train()
        on_epoch(len(losses), losses[-1])
    if best is None and averaged is not None:
        best = judged.state_dict()
    if best is not None:
        model.load_state_dict(best)
    model.eval()
    return {
        "epochs": plan.epochs,
        "validation_auc_per_epoch": checked,
        # With averaging, the raw weights' figures too, to show what it brought.
        "raw_validation_auc_per_epoch": raw_checked,
        "kept_epoch": checked.index(max(checked)) + 1 if checked else plan.epochs,
        "steps": steps,
        "rows_per_epoch": per_epoch,
        "loss_per_epoch": losses,
        "seconds": round(time.monotonic() - started, 1),
        # Sums split across threads round differently: the same run on another number of
        # threads ends with other weights.
        "threads": torch.get_num_threads(),
    }


def pretraining_texts(examples: Sequence[Example]) -> list[str]:
    """The distinct training texts, and the French ones also without accents."""
    texts = sorted({example.text for example in examples})
    french = {without_accents(example.text) for example in examples if example.lang == "fr"}
    return texts + sorted(french - set(texts))


def pretraining_steps(texts: Sequence[str], plan: Plan) -> int:
    return plan.pretrain_epochs * math.ceil(len(texts) / plan.batch_size)


def pretrain(
    model: Any,
    tokenizer: Any,
    texts: Sequence[str],
    plan: Plan,
    on_step: Callable[[int], None] = lambda _n: None,
) -> list[float]:
    """Teach the encoder the language of the training texts first: predict masked word
    pieces (BERT's own pre-training task, on our texts only). A network started from
    random weights on some fifty thousand short labelled texts learns them by heart; one
    that first learnt to read them generalises better. Returns the loss per epoch."""
    import torch
    from transformers import BertForMaskedLM, DataCollatorForLanguageModeling

    torch.manual_seed(plan.seed)
    rng = random.Random(plan.seed)
    reader = BertForMaskedLM(model.config)
    _copy_encoder(model.bert, reader.bert)
    collate = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15, seed=plan.seed)
    window = int(tokenizer.model_max_length)
    encoded = tokenizer(list(texts), truncation=True, max_length=window)["input_ids"]
    steps = pretraining_steps(encoded, plan)
    optimizer, schedule = _optimizer(reader, plan, steps)
    reader.train()
    losses = []
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    for _ in range(plan.pretrain_epochs):
        batches = [order[i : i + plan.batch_size] for i in range(0, len(order), plan.batch_size)]
        rng.shuffle(batches)
        total, taught = 0.0, 0
        for batch in batches:
            on_step(1)
            masked = collate([{"input_ids": encoded[i]} for i in batch])
            chosen = masked["labels"] != -100
            if not chosen.any():  # a batch of one-piece texts can have nothing masked
                continue
            states = reader.bert(
                input_ids=masked["input_ids"], attention_mask=masked["attention_mask"]
            ).last_hidden_state
            # Only the masked places are predicted: the 12,000-word output layer costs
            # more than the encoder.
            loss = torch.nn.functional.cross_entropy(
                reader.cls(states[chosen]), masked["labels"][chosen]
            )
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(reader.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
            taught += 1
        losses.append(round(total / max(1, taught), 4))
    _copy_encoder(reader.bert, model.bert)
    return losses


def _copy_encoder(source: Any, target: Any) -> None:
    """Copy one BERT encoder's weights into another; only the pooler, which the
    masked-word model has not, may be missing on either side."""
    weights = source.state_dict()
    odd = sorted(
        key for key in weights.keys() ^ target.state_dict().keys() if not key.startswith("pooler.")
    )
    if odd:
        raise ValueError(f"the encoders differ: {', '.join(odd)}")
    target.load_state_dict(weights, strict=False)


def validation_auc(model: Any, tokenizer: Any, rows: Sequence[Example]) -> float:
    """Mean over languages of the toxicity ROC-AUC on rows' first window."""
    import torch

    from .evaluation import roc_auc

    model.eval()
    labelled = [ex for ex in rows if ex.label("toxicity") is not None]
    scores: list[float] = []
    with torch.inference_mode():
        for start in range(0, len(labelled), 128):
            chunk = labelled[start : start + 128]
            encoded = tokenizer(
                [ex.text for ex in chunk],
                truncation=True,
                padding=True,
                max_length=int(tokenizer.model_max_length),
                return_tensors="pt",
            )
            logits = model(
                input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]
            ).logits
            scores += torch.sigmoid(logits[:, LABELS.index("toxicity")]).tolist()
    aucs = []
    for lang in sorted({ex.lang for ex in labelled}):
        pairs = [
            ((ex.label("toxicity") or 0.0) >= 0.5, s)
            for ex, s in zip(labelled, scores, strict=True)
            if ex.lang == lang
        ]
        auc = roc_auc([t for t, _ in pairs], [s for _, s in pairs])
        if auc is not None:
            aucs.append(auc)
    return sum(aucs) / len(aucs) if aucs else 0.0


def steps_for(examples: Sequence[tuple[Example, int]], plan: Plan) -> int:
    return plan.epochs * math.ceil(rows_per_epoch(examples) / plan.batch_size)


def describe(architecture: Architecture, plan: Plan) -> dict[str, Any]:
    return {"architecture": asdict(architecture), "plan": asdict(plan)}


def load_tokenizer(folder: Path, window: int) -> Any:
    """The WordPiece tokenizer of an earlier model folder, to train a network on it again.

    The `tokenizers` trainer breaks ties between equally frequent pieces in a hash map's
    order, which changes from process to process (huggingface/tokenizers#1794): only a
    tokenizer reused this way makes a run repeat another one exactly."""
    from transformers import BertTokenizer

    if not (folder / "tokenizer.json").is_file() and not (folder / "vocab.txt").is_file():
        raise FileNotFoundError(f"{folder}: no tokenizer files (tokenizer.json or vocab.txt)")
    tokenizer = BertTokenizer.from_pretrained(
        str(folder), do_lower_case=True, strip_accents=False, model_max_length=window
    )
    if len(tokenizer) <= len(SPECIAL_TOKENS):
        raise ValueError(f"{folder}: the tokenizer there has no vocabulary")
    return tokenizer


def new_model(
    examples: Sequence[tuple[Example, int]],
    architecture: Architecture,
    tokenizer: Any = None,
) -> tuple[Any, Any]:
    """A fresh network, for `tokenizer` or for a fresh tokenizer trained on the training
    text."""
    import torch

    if tokenizer is None:
        texts = [example.text for example, _ in examples]
        texts += [without_accents(ex.text) for ex, _ in examples if ex.lang == "fr"]
        tokenizer = train_tokenizer(texts, architecture.vocab_size, architecture.window)
    torch.manual_seed(0)
    model = build_model(architecture, len(tokenizer))
    # Start each label's bias at its share of positives. Otherwise the rare labels (mostly
    # 0) are first learnt by saturating the pooler, and the network stops reading its input.
    values = torch.tensor([[math.nan if v is None else v for v in ex.labels] for ex, _ in examples])
    share = torch.nanmean(values, dim=0).nan_to_num(0.5).clamp(0.01, 0.99)
    with torch.no_grad():
        model.classifier.bias.copy_(torch.log(share / (1 - share)))
    return model, tokenizer


def save(model: Any, tokenizer: Any, destination: Path) -> Path:
    from .detox import prepare_folder

    return prepare_folder(checkpoint(model), model.config, tokenizer, destination)


# --- A whole training run: `train` (`flask moderation train` is a thin wrapper) -------------


class TrainingError(ValueError):
    """Training cannot start or go on (no rows, an unreadable file or model): the message
    says why."""


class Progress:
    """How `train` reports: lines for the reader, per-epoch notes, progress bars. This one
    says nothing; the command's prints them."""

    def say(self, line: str) -> None:
        """A line of the run's summary."""

    def note(self, line: str) -> None:
        """A detail as it happens (each epoch's loss)."""

    def bar(self, length: int, label: str) -> AbstractContextManager[Callable[[int], None]]:
        """A progress bar of `length` steps: the block advances it by n steps at a time."""
        return nullcontext(lambda _steps: None)


@dataclass(frozen=True)
class Options:
    """A training run. `sources`: the shared labelled sources' folder
    (../shared/datasets/toxicity), None for the `data` files only; `heldout_dir`: where the
    held-out rows are written; `models_dir`: where official weights named by `init` or
    `tokenizer` are looked for; `demo`: the demo's posts (`datasets.demo_posts`), held out
    when our support-voice set is read."""

    output: Path
    heldout_dir: Path
    sources: Path | None = None
    data: tuple[Path, ...] = ()
    init: str | None = None
    tokenizer: str | None = None
    models_dir: Path | None = None
    demo: tuple[Example, ...] = ()
    epochs: int = Plan.epochs
    seed: int = Plan.seed
    # Default: 1e-3 afresh, 2e-4 when fine-tuning.
    learning_rate: float | None = None
    vocab_size: int = Architecture.vocab_size
    hidden: int = Architecture.hidden
    layers: int = Architecture.layers
    heads: int = Architecture.heads
    # Share of the training rows that checks each epoch; the best epoch is kept.
    validation_share: float = 0.1
    # Share of each target taken from the n-gram teacher (0: the sources' labels only).
    teacher: float = Plan.teacher
    average: float = Plan.average
    # Not with `init`: a model to fine-tune has already learnt to read.
    pretrain_epochs: int = Plan.pretrain_epochs
    # Largest share of the validation split's benign-but-sensitive rows that may reach a
    # queue threshold; outputs are shifted down until it holds (1: never shift).
    benign_budget: float = 0.05
    # At most this many rows per source (quick runs).
    limit: int | None = None


@dataclass(frozen=True)
class Trained:
    """The model folder written, and what its metrics.json holds."""

    output: Path
    summary: dict[str, Any]


def train(options: Options, progress: Progress | None = None) -> Trained:
    """Train the compact model (or fine-tune `options.init`) and write its model folder,
    metrics and card to `options.output`, whole or not at all; the held-out rows go to
    `options.heldout_dir`. Raises `TrainingError`."""
    from . import calibration, evaluation, modelcard  # numpy: for training only

    progress = progress or Progress()
    if options.hidden % options.heads:
        raise TrainingError("hidden must be a multiple of heads")
    if options.sources is None and not options.data:
        raise TrainingError("without the shared sources, at least one data file is needed")
    if options.init and options.tokenizer:
        raise TrainingError("init already brings its model's tokenizer")
    reused = None
    if options.tokenizer:
        try:
            folder = detox.resolve(options.tokenizer, options.models_dir)
            reused = load_tokenizer(folder, Architecture.window)
        except (OSError, ValueError, ScorerUnavailable) as error:
            raise TrainingError(
                f"cannot reuse the tokenizer of {options.tokenizer!r}: {error}"
            ) from error
    groups = _training_groups(options.sources, options.data, options.limit)
    usable = [(ex, src.repeat) for src, rows in groups if src.train for ex in rows]
    # With a validation share, part of the training split checks each epoch (early
    # stopping); the held-out rows never do.
    share = options.validation_share
    validation = [ex for ex, _ in usable if _validates(ex, share)]
    kept = [
        (ex, repeat) for ex, repeat in usable if ex.split == "train" and not _validates(ex, share)
    ]
    if not kept:
        raise TrainingError("no training rows")
    # Weighed on the sources' own labels, then softened: a row's class never depends on
    # the teacher.
    train_rows = balanced(kept)
    if options.teacher:
        from . import teacher

        rows = [ex for ex, _ in train_rows]
        with progress.bar(teacher.FOLDS, "Teacher") as update:
            taught = teacher.out_of_fold(rows, on_fold=update)
        softened = teacher.soften(rows, taught, 1 - options.teacher)
        train_rows = [(ex, repeat) for ex, (_, repeat) in zip(softened, train_rows, strict=True)]
    heldout = _heldout_sets(groups, options.demo)
    for name, rows in heldout.items():
        datasets.write_labelled(options.heldout_dir / f"{name}.csv", rows)
    architecture = Architecture(
        options.vocab_size, options.hidden, options.layers, options.heads, 4 * options.hidden
    )
    plan = Plan(
        epochs=options.epochs,
        seed=options.seed,
        teacher=options.teacher,
        average=options.average,
        # A model to fine-tune has already learnt to read.
        pretrain_epochs=0 if options.init else options.pretrain_epochs,
        learning_rate=options.learning_rate or (2e-4 if options.init else Plan.learning_rate),
    )
    progress.say(
        f"{len(train_rows)} training rows ({rows_per_epoch(train_rows)} per epoch), "
        f"held out: " + ", ".join(f"{name} {len(rows)}" for name, rows in heldout.items())
    )
    if options.init:
        try:
            base = registry.get(options.init, options.models_dir)
        except ScorerUnavailable as error:
            raise TrainingError(f"model {options.init!r} cannot be loaded: {error}") from None
        if not isinstance(base, detox.DetoxifyScorer):
            raise TrainingError(f"{options.init!r} is not a Detoxify model folder")
        model, tokenizer = base.model, base.tokenizer
        architecture = _architecture_of(model)
    else:
        if reused is not None:
            architecture = dataclasses.replace(architecture, vocab_size=len(reused))
        model, tokenizer = new_model(train_rows, architecture, reused)
    read: list[float] = []
    if plan.pretrain_epochs:
        reading = time.monotonic()
        texts = pretraining_texts([ex for ex, _ in train_rows])
        with progress.bar(pretraining_steps(texts, plan), "Pre-training") as update:
            read = pretrain(model, tokenizer, texts, plan, update)
        reading = round(time.monotonic() - reading, 1)
        progress.say(f"Pre-training loss per epoch {read}")
    with progress.bar(steps_for(train_rows, plan), "Training") as update:
        stats = fit(
            model,
            tokenizer,
            train_rows,
            plan,
            update,
            lambda epoch, loss: progress.note(f" epoch {epoch}/{plan.epochs}: loss {loss:.4f}"),
            validation=validation,
        )
    stats["pretrain_loss_per_epoch"] = read
    if read:
        stats["pretrain_seconds"] = reading
    if stats["validation_auc_per_epoch"]:
        progress.say(
            f"Validation ROC-AUC per epoch {stats['validation_auc_per_epoch']}: "
            f"kept epoch {stats['kept_epoch']}"
        )
    output = options.output.resolve()
    staging = output.parent / f".{output.name}-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        save(model, tokenizer, staging)
        load_started = time.monotonic()
        scorer = detox.DetoxifyScorer(output.name, staging)
        stats["load_seconds"] = round(time.monotonic() - load_started, 2)
        scorer, calibrated = calibration.calibrate(
            model,
            tokenizer,
            scorer,
            [ex for ex in validation if _sensitive(ex)],
            DEFAULT_THRESHOLDS["queue"],
            options.benign_budget,
        )
        if "shifts" in calibrated:
            progress.say(
                "Calibration: benign-but-sensitive validation rows reaching a queue threshold "
                f"{calibrated['before']:.1%} → {calibrated['after']:.1%} of {calibrated['rows']}"
            )
        metrics: dict[str, Any] = {}
        for name, rows in heldout.items():
            with progress.bar(len(rows), f"Evaluating {name}") as update:
                result = evaluation.report(
                    evaluation.score_examples(scorer, rows, update), DEFAULT_THRESHOLDS
                )
            if result["curves"]:
                (staging / f"roc_{name}.svg").write_text(
                    evaluation.plot_svg(result, f"Held-out {name}"), "utf-8"
                )
            result.pop("curves")
            metrics[name] = result
            progress.say(evaluation.summary_line(name, result))
        summary = {
            **describe(architecture, plan),
            "training": stats,
            "sources": [
                {
                    "name": src.name,
                    "train": sum(ex.split == "train" for ex in rows),
                    "heldout": sum(ex.split != "train" for ex in rows),
                    "repeat": src.repeat,
                }
                for src, rows in groups
            ],
            "init": options.init,
            "tokenizer": options.tokenizer,
            "calibration": calibrated,
            "metrics": metrics,
        }
        (staging / "metrics.json").write_text(json.dumps(summary, indent=1), "utf-8")
        (staging / "MODEL_CARD.md").write_text(modelcard.render(summary, staging, groups), "utf-8")
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    registry.forget()
    return Trained(output, summary)


def _sensitive(example: Example) -> bool:
    """Benign but sensitive: a counsel_chat question or one of our benign support posts."""
    return bool(example.benign) and (
        example.source == "counsel_chat_en"
        or example.source in {source.name for source in datasets.SUPPORT_SOURCES}
    )


def _validates(example: Example, share: float) -> bool:
    """A row of the training split set aside to check each epoch, by a hash of its text."""
    return (
        bool(share)
        and example.split == "train"
        and datasets.split_of(f"validation:{example.text}", share) == "heldout"
    )


def _architecture_of(model: Any) -> Architecture:
    config = model.config
    return Architecture(
        config.vocab_size,
        config.hidden_size,
        config.num_hidden_layers,
        config.num_attention_heads,
        config.intermediate_size,
        config.max_position_embeddings,
    )


def _training_groups(
    sources: Path | None, data_paths: Sequence[Path], limit: int | None
) -> list[tuple[datasets.Source, list[Example]]]:
    groups: list[tuple[datasets.Source, list[Example]]] = []
    try:
        if sources is not None:
            if not sources.is_dir():
                raise TrainingError(
                    f"{sources}: no labelled sources there (give --sources DIR, or "
                    "--no-sources with --data FILE)"
                )
            groups += datasets.read_sources(sources)
        for path in data_paths:
            rows = datasets.read_labelled(path)
            # Rows without a split column: a fixed share is held out, by a hash of the text.
            if not any(ex.split == "heldout" for ex in rows):
                rows = [
                    Example(
                        ex.text,
                        ex.labels,
                        ex.benign,
                        ex.lang,
                        ex.source,
                        datasets.split_of(ex.text),
                        ex.weight,
                    )
                    for ex in rows
                ]
            source = datasets.Source(
                path.stem,
                str(path.parent),
                "",
                "the file's owner's",
                str(path),
                "the file's own labels",
                lambda _root: iter(()),
                repeat=3,
            )
            groups.append((source, rows))
    except datasets.DataError as error:
        raise TrainingError(str(error)) from None
    if limit:
        groups = [(source, rows[:limit]) for source, rows in groups]
    return groups


def _heldout_sets(
    groups: list[tuple[datasets.Source, list[Example]]], demo: Sequence[Example]
) -> dict[str, list[Example]]:
    """Held-out French, English, benign-but-sensitive posts, each data file, and the demo's
    posts."""
    sets: dict[str, list[Example]] = {"fr": [], "en": [], "sensitive": []}
    known = {source.name for source in (*datasets.SOURCES, *datasets.SUPPORT_SOURCES)}
    for source, rows in groups:
        out = [ex for ex in rows if ex.split != "train"]
        if source.name not in known:
            if out:
                sets[source.name] = out
            continue
        for ex in out:
            if ex.lang in ("fr", "en"):
                sets[ex.lang].append(ex)
            if _sensitive(ex):
                sets["sensitive"].append(ex)
    if any(source in datasets.SUPPORT_SOURCES for source, _ in groups):
        sets["demo"] = list(demo)
    return {name: rows for name, rows in sets.items() if rows}
