"""`flask moderation score | evaluate | train | fetch-model | export-labels`: the toxicity
model's commands. Bad input (a missing or malformed file, a missing column, an unreadable
model) ends with a one-line message and exit code 1 (2 for a wrong option); an output file
is written whole or not at all."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import current_app

from .classifier import csvsafe, datasets, detox, training
from .classifier.scoring import NEVER, Scorer, ScorerUnavailable, registry, score_many
from .cli import moderation_cli
from .settings import DEFAULT_THRESHOLDS, LABELS
from .workflow import jobs

SHARED_DATA = Path("..") / "shared" / "datasets" / "toxicity"


def _fail(message: str) -> click.ClickException:
    return click.ClickException(message)


def _scorer(spec: str | None) -> Scorer:
    name = spec or current_app.config["MODERATION_MODEL"]
    try:
        return registry.get(name, jobs.models_dir())
    except ScorerUnavailable as error:
        raise _fail(f"model {name!r} cannot be loaded: {error}") from None


@contextmanager
def _atomic(path: Path, suffix: str = "") -> Iterator[Path]:
    """A temporary file beside `path`, moved onto it only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}-", suffix=suffix, dir=path.parent)
    os.close(handle)
    staging = Path(name)
    try:
        yield staging
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _bar(length: int, label: str) -> Any:
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


@moderation_cli.command("score")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV with a `text` column.",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(path_type=Path),
    help="The same rows with one column per label added.",
)
@click.option("--model", "spec", help="Model to use (default: MODERATION_MODEL).")
def score_command(input_path: Path, output_path: Path, spec: str | None) -> None:
    """Score a CSV: reads column `text`, writes it back with the six label scores."""
    from .classifier import evaluation  # numpy: loaded for these commands only

    try:
        rows = datasets.read_texts(input_path)
    except datasets.DataError as error:
        raise _fail(str(error)) from None
    scorer = _scorer(spec)
    started = time.monotonic()
    scores: list[dict[str, float]] = []
    with _bar(len(rows), "Scoring") as bar:
        for start in range(0, len(rows), evaluation.BATCH_POSTS):
            chunk = [text for _, text in rows[start : start + evaluation.BATCH_POSTS]]
            scores += [overall for overall, _ in score_many(scorer, chunk, NEVER)]
            bar.update(len(chunk))
    columns = list(rows[0][0]) if rows else ["text"]
    fields = columns + [label for label in LABELS if label not in columns]
    with (
        _atomic(output_path, ".csv") as staging,
        staging.open("w", encoding="utf-8", newline="") as handle,
    ):
        writer = csvsafe.DictWriter(handle, fieldnames=fields)  # formula-safe text cells
        writer.writeheader()
        for (row, _), values in zip(rows, scores, strict=True):
            writer.writerow({**row, **{label: f"{values[label]:.6f}" for label in LABELS}})
    elapsed = time.monotonic() - started
    click.echo(f"{len(rows)} row(s) scored in {elapsed:.1f} s with {scorer.name}: {output_path}")


@moderation_cli.command("evaluate")
@click.option(
    "--data",
    "data_paths",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path),
    help="Labelled CSV (repeatable).",
)
@click.option("--model", "spec", help="Model to evaluate (default: MODERATION_MODEL).")
@click.option("--board", help="Use this board's thresholds instead of the defaults.")
@click.option("--plot", type=click.Path(path_type=Path), help="Write the ROC curves (SVG).")
@click.option(
    "--json", "json_path", type=click.Path(path_type=Path), help="Write every figure as JSON."
)
def evaluate_command(
    data_paths: tuple[Path, ...],
    spec: str | None,
    board: str | None,
    plot: Path | None,
    json_path: Path | None,
) -> None:
    """Per-label ROC-AUC, precision/recall/F1 at the thresholds and at the best F1, and
    false positives on rows marked benign."""
    from .classifier import evaluation, modelcard  # numpy: loaded for these commands only

    try:
        examples = [ex for path in data_paths for ex in datasets.read_labelled(path)]
    except datasets.DataError as error:
        raise _fail(str(error)) from None
    thresholds = _thresholds(board)
    scorer = _scorer(spec)
    with _bar(len(examples), "Scoring") as bar:
        scored = evaluation.score_examples(scorer, examples, bar.update)
    result = evaluation.report(scored, thresholds)
    if not result["labels"] and "benign" not in result:
        raise _fail("no labelled values and no rows marked benign: nothing to measure")
    name = ", ".join(path.name for path in data_paths)
    click.echo(evaluation.summary_line(name, result))
    click.echo(evaluation.table(result))
    if board:
        click.echo(modelcard.suggestions(result, board))
    if plot:
        with _atomic(plot, ".svg") as staging:
            staging.write_text(evaluation.plot_svg(result, f"{scorer.name} on {name}"), "utf-8")
        click.echo(f"ROC curves: {plot}")
    if json_path:
        with _atomic(json_path, ".json") as staging:
            staging.write_text(json.dumps(result, indent=1), "utf-8")


def _thresholds(board_slug: str | None) -> dict[str, dict[str, float]]:
    if not board_slug:
        return DEFAULT_THRESHOLDS
    from sqlalchemy import select

    from models import Board, db

    from .workflow import board_settings

    board = db.session.scalar(select(Board).where(Board.slug == board_slug))
    if board is None:
        raise _fail(f"No board with the slug {board_slug!r}.")
    return board_settings.effective(board)


@moderation_cli.command("train")
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    help="The shared labelled sources (default: ../shared/datasets/toxicity).",
)
@click.option("--no-sources", is_flag=True, help="Only the --data files.")
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="More labelled CSV, e.g. from export-labels (repeatable).",
)
@click.option(
    "--init",
    "init_spec",
    help="Fine-tune this model (bundled or a folder) instead of starting afresh.",
)
@click.option(
    "--tokenizer",
    "tokenizer_spec",
    help="Reuse this model's tokenizer (bundled or a folder) instead of training one: with "
    "the same data, options and number of threads, the run repeats that model's training "
    "exactly.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=detox.BUNDLED,
    show_default=True,
    help="Model folder to write.",
)
@click.option(
    "--heldout-dir",
    type=click.Path(path_type=Path),
    help="Where the held-out rows go (default: instance/heldout).",
)
@click.option(
    "--epochs", type=click.IntRange(1, 200), default=training.Plan.epochs, show_default=True
)
@click.option("--seed", type=int, default=training.Plan.seed, show_default=True)
@click.option(
    "--learning-rate",
    type=click.FloatRange(1e-6, 1.0, min_open=False),
    help="Default: 1e-3 afresh, 2e-4 when fine-tuning.",
)
@click.option(
    "--vocab-size",
    type=click.IntRange(100, 200_000),
    default=training.Architecture.vocab_size,
    show_default=True,
)
@click.option(
    "--hidden",
    type=click.IntRange(16, 1024),
    default=training.Architecture.hidden,
    show_default=True,
)
@click.option(
    "--layers", type=click.IntRange(1, 12), default=training.Architecture.layers, show_default=True
)
@click.option(
    "--heads", type=click.IntRange(1, 16), default=training.Architecture.heads, show_default=True
)
@click.option(
    "--validation-share",
    type=click.FloatRange(0.0, 0.5),
    default=0.1,
    show_default=True,
    help="Share of the training rows that checks each epoch; the best epoch is kept.",
)
@click.option(
    "--teacher",
    "teacher_share",
    type=click.FloatRange(0.0, 0.9),
    default=training.Plan.teacher,
    show_default=True,
    help="Share of each target taken from the n-gram teacher (0: the sources' labels only).",
)
@click.option(
    "--average",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=training.Plan.average,
    show_default=True,
    help="Decay of the moving average of the weights that is validated and kept (0: the "
    "weights of the last step).",
)
@click.option(
    "--pretrain-epochs",
    type=click.IntRange(0, 100),
    default=training.Plan.pretrain_epochs,
    show_default=True,
    help="Epochs of masked-word prediction on the training texts before the labels (not "
    "with --init).",
)
@click.option(
    "--benign-budget",
    type=click.FloatRange(0.0, 1.0),
    default=0.05,
    show_default=True,
    help="Largest share of the validation split's benign-but-sensitive rows that may reach a "
    "queue threshold; outputs are shifted down until it holds (1: never shift).",
)
@click.option(
    "--limit", type=click.IntRange(1, None), help="At most this many rows per source (quick runs)."
)
def train_command(
    sources: Path | None,
    no_sources: bool,
    data_paths: tuple[Path, ...],
    init_spec: str | None,
    tokenizer_spec: str | None,
    output: Path,
    heldout_dir: Path | None,
    epochs: int,
    seed: int,
    learning_rate: float | None,
    vocab_size: int,
    hidden: int,
    layers: int,
    heads: int,
    validation_share: float,
    teacher_share: float,
    average: float,
    pretrain_epochs: int,
    benign_budget: float,
    limit: int | None,
) -> None:
    """Train the compact model (or fine-tune one) and write its model folder and card."""
    from .classifier import calibration, evaluation, modelcard  # numpy: for these commands only

    if hidden % heads:
        raise click.BadParameter("--hidden must be a multiple of --heads", param_hint="--hidden")
    if no_sources and not data_paths:
        raise click.UsageError("--no-sources needs at least one --data file")
    if init_spec and tokenizer_spec:
        raise click.UsageError("--init already brings its model's tokenizer; drop --tokenizer")
    reused = None
    if tokenizer_spec:
        try:
            folder = detox.resolve(tokenizer_spec, jobs.models_dir())
            reused = training.load_tokenizer(folder, training.Architecture.window)
        except (OSError, ValueError, ScorerUnavailable) as error:
            raise _fail(f"cannot reuse the tokenizer of {tokenizer_spec!r}: {error}") from error
    groups = _training_groups(sources, no_sources, data_paths, limit)
    usable = [(ex, src.repeat) for src, rows in groups if src.train for ex in rows]
    # With --validation-share, part of the training split checks each epoch (early
    # stopping); the held-out rows never do.
    validation = [ex for ex, _ in usable if _validates(ex, validation_share)]
    kept = [
        (ex, repeat)
        for ex, repeat in usable
        if ex.split == "train" and not _validates(ex, validation_share)
    ]
    if not kept:
        raise _fail("no training rows")
    # Weighed on the sources' own labels, then softened: a row's class never depends on
    # the teacher.
    train_rows = training.balanced(kept)
    if teacher_share:
        from .classifier import teacher

        rows = [ex for ex, _ in train_rows]
        with _bar(teacher.FOLDS, "Teacher") as bar:
            taught = teacher.out_of_fold(rows, on_fold=bar.update)
        softened = teacher.soften(rows, taught, 1 - teacher_share)
        train_rows = [(ex, repeat) for ex, (_, repeat) in zip(softened, train_rows, strict=True)]
    heldout = _heldout_sets(groups)
    heldout_dir = heldout_dir or Path(current_app.instance_path) / "heldout"
    for name, rows in heldout.items():
        datasets.write_labelled(heldout_dir / f"{name}.csv", rows)
    architecture = training.Architecture(vocab_size, hidden, layers, heads, 4 * hidden)
    plan = training.Plan(
        epochs=epochs,
        seed=seed,
        teacher=teacher_share,
        average=average,
        # A model to fine-tune has already learnt to read.
        pretrain_epochs=0 if init_spec else pretrain_epochs,
        learning_rate=learning_rate or (2e-4 if init_spec else training.Plan.learning_rate),
    )
    click.echo(
        f"{len(train_rows)} training rows ({training.rows_per_epoch(train_rows)} per epoch), "
        f"held out: " + ", ".join(f"{name} {len(rows)}" for name, rows in heldout.items())
    )
    if init_spec:
        base = _scorer(init_spec)
        if not isinstance(base, detox.DetoxifyScorer):
            raise _fail(f"{init_spec!r} is not a Detoxify model folder")
        model, tokenizer = base.model, base.tokenizer
        architecture = _architecture_of(model)
    else:
        if reused is not None:
            architecture = dataclasses.replace(architecture, vocab_size=len(reused))
        model, tokenizer = training.new_model(train_rows, architecture, reused)
    read: list[float] = []
    if plan.pretrain_epochs:
        reading = time.monotonic()
        texts = training.pretraining_texts([ex for ex, _ in train_rows])
        with _bar(training.pretraining_steps(texts, plan), "Pre-training") as bar:
            read = training.pretrain(model, tokenizer, texts, plan, bar.update)
        reading = round(time.monotonic() - reading, 1)
        click.echo(f"Pre-training loss per epoch {read}")
    with _bar(training.steps_for(train_rows, plan), "Training") as bar:
        stats = training.fit(
            model,
            tokenizer,
            train_rows,
            plan,
            bar.update,
            lambda epoch, loss: click.echo(
                f" epoch {epoch}/{plan.epochs}: loss {loss:.4f}", err=True
            ),
            validation=validation,
        )
    stats["pretrain_loss_per_epoch"] = read
    if read:
        stats["pretrain_seconds"] = reading
    if stats["validation_auc_per_epoch"]:
        click.echo(
            f"Validation ROC-AUC per epoch {stats['validation_auc_per_epoch']}: "
            f"kept epoch {stats['kept_epoch']}"
        )
    output = output.resolve()
    staging = output.parent / f".{output.name}-new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        training.save(model, tokenizer, staging)
        load_started = time.monotonic()
        scorer = detox.DetoxifyScorer(output.name, staging)
        stats["load_seconds"] = round(time.monotonic() - load_started, 2)
        scorer, calibrated = calibration.calibrate(
            model,
            tokenizer,
            scorer,
            [ex for ex in validation if _sensitive(ex)],
            DEFAULT_THRESHOLDS["queue"],
            benign_budget,
        )
        if "shifts" in calibrated:
            click.echo(
                "Calibration: benign-but-sensitive validation rows reaching a queue threshold "
                f"{calibrated['before']:.1%} → {calibrated['after']:.1%} of {calibrated['rows']}"
            )
        metrics: dict[str, Any] = {}
        for name, rows in heldout.items():
            with _bar(len(rows), f"Evaluating {name}") as bar:
                result = evaluation.report(
                    evaluation.score_examples(scorer, rows, bar.update), DEFAULT_THRESHOLDS
                )
            if result["curves"]:
                (staging / f"roc_{name}.svg").write_text(
                    evaluation.plot_svg(result, f"Held-out {name}"), "utf-8"
                )
            result.pop("curves")
            metrics[name] = result
            click.echo(evaluation.summary_line(name, result))
        summary = {
            **training.describe(architecture, plan),
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
            "init": init_spec,
            "tokenizer": tokenizer_spec,
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
    click.echo(f"Model written to {output} in {stats['seconds']:.0f} s of training.")


def _sensitive(example: datasets.Example) -> bool:
    """Benign but sensitive: a counsel_chat question or one of our benign support posts."""
    return bool(example.benign) and (
        example.source == "counsel_chat_en"
        or example.source in {source.name for source in datasets.SUPPORT_SOURCES}
    )


def _validates(example: datasets.Example, share: float) -> bool:
    """A row of the training split set aside to check each epoch, by a hash of its text."""
    return (
        bool(share)
        and example.split == "train"
        and datasets.split_of(f"validation:{example.text}", share) == "heldout"
    )


def _architecture_of(model: Any) -> training.Architecture:
    config = model.config
    return training.Architecture(
        config.vocab_size,
        config.hidden_size,
        config.num_hidden_layers,
        config.num_attention_heads,
        config.intermediate_size,
        config.max_position_embeddings,
    )


def _training_groups(
    sources: Path | None, no_sources: bool, data_paths: tuple[Path, ...], limit: int | None
) -> list[tuple[datasets.Source, list[datasets.Example]]]:
    groups: list[tuple[datasets.Source, list[datasets.Example]]] = []
    try:
        if not no_sources:
            root = sources or Path(current_app.root_path) / SHARED_DATA
            if not root.is_dir():
                raise _fail(
                    f"{root}: no labelled sources there (give --sources DIR, or --no-sources "
                    "with --data FILE)"
                )
            groups += datasets.read_sources(root)
        for path in data_paths:
            rows = datasets.read_labelled(path)
            # Rows without a split column: a fixed share is held out, by a hash of the text.
            if not any(ex.split == "heldout" for ex in rows):
                rows = [
                    datasets.Example(
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
        raise _fail(str(error)) from None
    if limit:
        groups = [(source, rows[:limit]) for source, rows in groups]
    return groups


def _heldout_sets(
    groups: list[tuple[datasets.Source, list[datasets.Example]]],
) -> dict[str, list[datasets.Example]]:
    """Held-out French, English, benign-but-sensitive posts, and each --data file."""
    sets: dict[str, list[datasets.Example]] = {"fr": [], "en": [], "sensitive": []}
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
        from forum.demo_content import BOARDS

        sets["demo"] = datasets.demo_posts(BOARDS)
    return {name: rows for name, rows in sets.items() if rows}


@moderation_cli.command("fetch-model")
@click.argument("name", type=click.Choice(detox.OFFICIAL))
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Model folder (default: MODERATION_MODELS_DIR/NAME, instance/models/NAME).",
)
def fetch_model(name: str, output: Path | None) -> None:  # pragma: no cover -- needs internet
    """Download Detoxify's official weights into a folder that loads offline (needs
    internet: GitHub releases and the Hugging Face hub)."""
    destination = output or jobs.models_dir() / name
    click.echo(f"Downloading Detoxify {name!r} (several hundred MB) into {destination} ...")
    try:
        detox.fetch(name, destination)
    except OSError as error:
        raise _fail(f"download failed (is there internet access here?): {error}") from None
    click.echo(f"Done. Set MODERATION_MODEL={name} (or {destination}) to use it.")


@moderation_cli.command("export-labels")
@click.option("--output", required=True, type=click.Path(path_type=Path))
@click.option("--board", help="Only this board's decisions.")
def export_labels(output: Path, board: str | None) -> None:
    """Moderators' decisions on scored posts, as labelled rows for train and evaluate."""
    from . import feedback

    try:
        rows = feedback.labelled_decisions(board)
    except LookupError as error:
        raise _fail(str(error)) from None
    with _atomic(output, ".csv") as staging:
        count = feedback.write(staging, rows)
    click.echo(f"{count} decision(s) written to {output}.")
