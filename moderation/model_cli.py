"""`flask moderation score | evaluate | train | fetch-model | export-labels`: the toxicity
model's commands. Bad input (a missing or malformed file, a missing column, an unreadable
model) ends with a one-line message and exit code 1 (2 for a wrong option); an output file
is written whole or not at all."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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
    from forum.demo_content import BOARDS

    if hidden % heads:
        raise click.BadParameter("--hidden must be a multiple of --heads", param_hint="--hidden")
    if no_sources and not data_paths:
        raise click.UsageError("--no-sources needs at least one --data file")
    if init_spec and tokenizer_spec:
        raise click.UsageError("--init already brings its model's tokenizer; drop --tokenizer")
    options = training.Options(
        output=output,
        heldout_dir=heldout_dir or Path(current_app.instance_path) / "heldout",
        sources=None if no_sources else sources or Path(current_app.root_path) / SHARED_DATA,
        data=data_paths,
        init=init_spec,
        tokenizer=tokenizer_spec,
        models_dir=jobs.models_dir(),
        demo=tuple(datasets.demo_posts(BOARDS)),
        epochs=epochs,
        seed=seed,
        learning_rate=learning_rate,
        vocab_size=vocab_size,
        hidden=hidden,
        layers=layers,
        heads=heads,
        validation_share=validation_share,
        teacher=teacher_share,
        average=average,
        pretrain_epochs=pretrain_epochs,
        benign_budget=benign_budget,
        limit=limit,
    )
    try:
        trained = training.train(options, _Progress())
    except training.TrainingError as error:
        raise _fail(str(error)) from None
    seconds = trained.summary["training"]["seconds"]
    click.echo(f"Model written to {trained.output} in {seconds:.0f} s of training.")


class _Progress(training.Progress):
    """Training's summary on stdout, each epoch's loss and the progress bars on stderr."""

    def say(self, line: str) -> None:
        click.echo(line)

    def note(self, line: str) -> None:
        click.echo(line, err=True)

    @contextmanager
    def bar(self, length: int, label: str) -> Iterator[Callable[[int], None]]:
        with _bar(length, label) as progress:
            yield progress.update


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
