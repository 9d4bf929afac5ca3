"""`flask moderation score | evaluate | train | export-labels`, on real files and models."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from models import Post, db
from models.moderation import ReviewItem
from moderation.classifier import datasets, detox, evaluation
from moderation.settings import LABELS
from moderation.workflow import decisions
from tests import factories, tiny_model
from tests.conftest import make_app, shared_path
from tests.scorers import with_lexicon


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_model.refuse_network(monkeypatch)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model.build(tmp_path_factory.mktemp("tiny") / "model")[0]


@pytest.fixture
def cli(tmp_path: Path, tiny: Path):  # type: ignore[no-untyped-def]
    """A CLI runner on an application whose model is the tiny one (no database needed)."""
    application = make_app(f"sqlite:///{tmp_path / 'cli.db'}", MODERATION_MODEL=str(tiny))
    from moderation.classifier.scoring import registry

    registry.forget()
    yield application.test_cli_runner()
    registry.forget()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- score -------------------------------------------------------------------------------------


def test_score_writes_the_rows_back_with_six_scores(cli, tmp_path) -> None:
    texts = [
        "le groupe crétin today",
        "le groupe merci today",
        'Une ligne, avec "guillemets",\net un retour à la ligne',
        "",
        "😭🙏",
        "mot " * 200_000,
    ]
    source = write_csv(tmp_path / "in.csv", ["id", "text"], [[i, t] for i, t in enumerate(texts)])
    out = tmp_path / "out.csv"
    result = cli.invoke(args=["moderation", "score", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 row(s) scored" in result.output
    rows = read_csv(out)
    assert [row["text"] for row in rows] == texts
    assert [row["id"] for row in rows] == [str(i) for i in range(6)]
    assert list(rows[0]) == ["id", "text", *LABELS]
    assert float(rows[0]["toxicity"]) > 0.8 > 0.2 > float(rows[1]["toxicity"])
    assert all(0 <= float(row[label]) <= 1 for row in rows for label in LABELS)


def test_score_with_only_a_header_writes_only_a_header(cli, tmp_path) -> None:
    source = write_csv(tmp_path / "in.csv", ["text"], [])
    out = tmp_path / "out.csv"
    result = cli.invoke(args=["moderation", "score", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == [",".join(["text", *LABELS])]


BAD_INPUTS = {
    "missing": (None, "No such file"),
    "empty": (b"", "empty"),
    "no-text-column": (b"body,id\nbonjour,1\n", "no `text` column"),
    "not-utf8": ("text\ncafé\n".encode("latin-1"), "not UTF-8"),
    "bad-quoting": (b'text\n"bonjour"x\n', "malformed CSV"),
    "too-many-fields": (b"text\nbonjour,extra\n", "line 2: more fields than columns"),
    "binary": (bytes(range(256)) * 4, "not UTF-8"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_score_refuses_bad_input_and_writes_nothing(cli, tmp_path, case) -> None:
    content, message = BAD_INPUTS[case]
    source = tmp_path / "in.csv"
    if content is not None:
        source.write_bytes(content)
    out = tmp_path / "out.csv"
    out.write_text("précieux")
    result = cli.invoke(args=["moderation", "score", "--input", str(source), "--output", str(out)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert out.read_text() == "précieux"
    left = {p.name for p in tmp_path.iterdir()} - {"cli.db"}
    assert left == {"out.csv"} | ({"in.csv"} if content is not None else set())  # no temp file


def test_score_says_when_the_model_cannot_load(cli, tmp_path) -> None:
    source = write_csv(tmp_path / "in.csv", ["text"], [["bonjour"]])
    out = tmp_path / "out.csv"
    result = cli.invoke(
        args=[
            "moderation",
            "score",
            "--input",
            str(source),
            "--output",
            str(out),
            "--model",
            str(tmp_path / "nowhere"),
        ]
    )
    assert result.exit_code == 1
    assert "cannot be loaded" in result.output and "does not exist" in result.output
    assert not out.exists()


def test_score_needs_both_options(cli) -> None:
    result = cli.invoke(args=["moderation", "score", "--input", "x.csv"])
    assert result.exit_code == 2 and "--output" in result.output


# --- evaluate -------------------------------------------------------------------------------


def labelled(tmp_path: Path) -> Path:
    rows = []
    for i, example in enumerate(tiny_model.examples(60)):
        rows.append(
            [
                example.text,
                int(example.label("toxicity")),
                "" if i % 2 else 0,
                int(bool(example.benign)),
            ]
        )
    return write_csv(tmp_path / "labelled.csv", ["text", "toxic", "threat", "benign"], rows)


def test_evaluate_prints_the_metrics_and_writes_the_plot(cli, tmp_path) -> None:
    plot, figures = tmp_path / "roc.svg", tmp_path / "metrics.json"
    result = cli.invoke(
        args=[
            "moderation",
            "evaluate",
            "--data",
            str(labelled(tmp_path)),
            "--plot",
            str(plot),
            "--json",
            str(figures),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "toxicity ROC-AUC 1.000" in result.output
    assert "| toxicity | 60 | 30 | 1.000 |" in result.output
    assert "Benign rows: 30; flagged at queue 0.0%" in result.output
    svg = ET.fromstring(plot.read_text())  # noqa: S314 -- our own file
    assert svg.tag.endswith("svg")
    assert len(svg.findall("{http://www.w3.org/2000/svg}polyline")) == 1  # toxicity only
    assert len(svg.findall("{http://www.w3.org/2000/svg}circle")) == 3  # queue, nudge, hold
    data = json.loads(figures.read_text())
    assert data["labels"]["toxicity"]["roc_auc"] == 1.0
    assert data["labels"]["threat"]["rows"] == 30  # the empty cells are unset, not 0
    assert data["labels"]["threat"]["roc_auc"] is None  # no positive: no AUC
    assert set(data["labels"]["toxicity"]["at"]) == {"queue", "nudge", "hold"}
    assert data["benign"]["false_positive_rate"]["hold"] == 0.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "text,toxicity\nbonjour,0\nsalut,2\n",
            "line 3, column toxicity: '2' is not between 0 and 1",
        ),
        ("text,toxicity\nbonjour,oui\n", "line 2, column toxicity: 'oui' is not a number"),
        ("text,comment\nbonjour,rien\n", "no label column"),
        ("text,toxicity,kind\nbonjour,0,peut-être\n", "benign/kind 'peut-être' is not understood"),
    ],
    ids=["out-of-range", "not-a-number", "no-label", "bad-kind"],
)
def test_evaluate_refuses_bad_labels(cli, tmp_path, content, message) -> None:
    data = tmp_path / "bad.csv"
    data.write_text(content, encoding="utf-8")
    plot = tmp_path / "roc.svg"
    result = cli.invoke(args=["moderation", "evaluate", "--data", str(data), "--plot", str(plot)])
    assert result.exit_code == 1
    assert message in result.output
    assert not plot.exists()


# --- train --------------------------------------------------------------------------------------


# A network small enough to train in seconds.
SMALL = ["--vocab-size", "300", "--hidden", "32", "--layers", "1", "--heads", "2"]


def train_args(
    data: Path, output: Path, heldout: Path, *extra: str, small: bool = True
) -> list[str]:
    """`train` on one toy file only, by default with the SMALL network."""
    return [
        *("moderation", "train", "--no-sources", "--data", str(data)),
        *("--output", str(output), "--heldout-dir", str(heldout)),
        *(SMALL if small else []),
        *extra,
    ]


def test_train_writes_a_model_folder_with_its_card_and_fine_tunes_it(cli, tmp_path) -> None:
    data = tmp_path / "toy.csv"
    datasets.write_labelled(data, tiny_model.examples(300))
    output, heldout = tmp_path / "model", tmp_path / "heldout"
    result = cli.invoke(
        args=train_args(
            data,
            output,
            heldout,
            "--epochs",
            "8",
            "--validation-share",
            "0.2",
            "--pretrain-epochs",
            "2",
            "--average",
            "0.99",
        )
    )
    assert result.exit_code == 0, result.output
    assert "epoch 8/8" in result.output
    assert "kept epoch" in result.output  # early stopping on the validation rows
    assert {"model.ckpt", "config.json", "MODEL_CARD.md", "metrics.json", "tokenizer.json"} <= {
        p.name for p in output.iterdir()
    }
    card = (output / "MODEL_CARD.md").read_text()
    assert "## Held-out results" in card and "| toy |" in card
    metrics = json.loads((output / "metrics.json").read_text())
    assert metrics["training"]["epochs"] == 8
    assert len(metrics["training"]["validation_auc_per_epoch"]) == 8
    assert "Early stopping: validation ROC-AUC per epoch" in card
    assert "Distillation: each set label's target is 30% the source's label" in card
    assert metrics["plan"]["teacher"] == 0.7
    assert metrics["plan"]["average"] == 0.99 and metrics["plan"]["pretrain_epochs"] == 2
    assert len(metrics["training"]["pretrain_loss_per_epoch"]) == 2
    assert "- Pre-training: 2 epochs of masked-word prediction" in card
    assert f"; {metrics['training']['pretrain_seconds']:.0f} s." in card
    raw = metrics["training"]["raw_validation_auc_per_epoch"]
    assert len(raw) == 8 and f"the raw weights scored {raw} on validation" in card
    # No benign-but-sensitive rows among the toy validation rows: nothing to calibrate on.
    assert metrics["calibration"] == {"budget": 0.05, "rows": 0, "skipped": "fewer than 20 rows"}
    assert "- Calibration: none (fewer than 20 rows)." in card
    held = read_csv(heldout / "toy.csv")
    assert 20 < len(held) < 80  # about 15% by a hash of the text
    scorer = detox.load(str(output))
    assert scorer.score(["le groupe crétin today"])[0]["toxicity"] > 0.5

    # Fine-tuning keeps the tokenizer and the network's shape, and replaces the folder whole.
    again = cli.invoke(
        args=[
            *train_args(data, output, heldout, "--epochs", "1", "--teacher", "0", small=False),
            "--init",
            str(output),
        ]
    )
    assert again.exit_code == 0, again.output
    card = (output / "MODEL_CARD.md").read_text()
    assert "Distillation: none" in card and "Pre-training: none" in card
    assert json.loads((output / "metrics.json").read_text())["init"] == str(output)
    assert not list(tmp_path.glob(".model-*"))


def test_train_with_a_reused_tokenizer_repeats_a_run_exactly(cli, tmp_path) -> None:
    """A fresh tokenizer differs from process to process (tokenizers#1794); reusing the
    first run's makes the second give the very same weights."""
    import torch

    data = tmp_path / "toy.csv"
    datasets.write_labelled(data, tiny_model.examples(200))

    def train(output: Path, *extra: str) -> dict[str, Any]:
        result = cli.invoke(
            args=train_args(data, output, tmp_path / "heldout", "--epochs", "2", *extra)
        )
        assert result.exit_code == 0, result.output
        state: dict[str, Any] = torch.load(output / "model.ckpt", weights_only=True)["state_dict"]
        return state

    first = train(tmp_path / "first")
    second = train(tmp_path / "second", "--tokenizer", str(tmp_path / "first"))
    assert first.keys() == second.keys()
    assert all(torch.equal(first[key], second[key]) for key in first)
    assert (tmp_path / "first" / "tokenizer.json").read_text() == (
        tmp_path / "second" / "tokenizer.json"
    ).read_text()
    card = (tmp_path / "second" / "MODEL_CARD.md").read_text()
    assert f"WordPiece tokenizer of `{tmp_path / 'first'}`, reused" in card
    metrics = json.loads((tmp_path / "second" / "metrics.json").read_text())
    assert metrics["tokenizer"] == str(tmp_path / "first")
    # Sums split across threads round differently: the card says how many there were.
    threads = torch.get_num_threads()
    assert metrics["training"]["threads"] == threads
    assert f"CPU ({threads} thread" in card
    assert metrics["architecture"]["vocab_size"] == len(
        detox.load(str(tmp_path / "first")).tokenizer
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--no-sources"], 2, "--no-sources needs at least one --data file"),
        (["--init", "bundled", "--tokenizer", "bundled"], 2, "drop --tokenizer"),
        (["--tokenizer", "/nowhere"], 1, "cannot reuse the tokenizer of '/nowhere'"),
        (["--tokenizer", "multilingual"], 1, "cannot reuse the tokenizer of 'multilingual'"),
        (["--hidden", "30", "--heads", "4"], 2, "--hidden must be a multiple of --heads"),
        (["--epochs", "0"], 2, "--epochs"),
        (["--teacher", "0.95"], 2, "--teacher"),
        (["--benign-budget", "1.5"], 2, "--benign-budget"),
        (["--average", "1"], 2, "--average"),
        (["--pretrain-epochs", "-1"], 2, "--pretrain-epochs"),
        (["--sources", "/nowhere"], 1, "/nowhere: no labelled sources there"),
        (["--no-sources", "--data", "/nowhere.csv"], 1, "/nowhere.csv: No such file"),
    ],
)
def test_train_refuses_bad_options_and_leaves_the_model_alone(
    cli, tmp_path, tiny, args, code, message
) -> None:
    before = (tiny / "model.ckpt").read_bytes()
    result = cli.invoke(args=["moderation", "train", "--output", str(tiny), *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert (tiny / "model.ckpt").read_bytes() == before


def test_train_reads_every_shared_source(cli, tmp_path) -> None:
    root = shared_path("datasets", "toxicity")
    output = tmp_path / "model"
    result = cli.invoke(
        args=[
            "moderation",
            "train",
            "--sources",
            str(root),
            "--limit",
            "60",
            "--epochs",
            "1",
            "--output",
            str(output),
            "--heldout-dir",
            str(tmp_path / "heldout"),
            *SMALL,
        ]
    )
    assert result.exit_code == 0, result.output
    card = (output / "MODEL_CARD.md").read_text()
    for source in (*datasets.SOURCES, *datasets.SUPPORT_SOURCES):
        assert f"| {source.name} |" in card
        assert source.licence in card
    assert {"fr.csv", "en.csv", "sensitive.csv"} <= {
        p.name for p in (tmp_path / "heldout").iterdir()
    }


# --- export-labels ------------------------------------------------------------------------------


@with_lexicon
def test_export_labels_turns_decisions_into_training_rows(app, runner, tmp_path) -> None:
    with app.app_context():
        board = factories.board("entraide", quorum=1)
        lou, mod = factories.user("Lou"), factories.user("Mod")
        factories.moderator(board, mod)

        def held(body: str) -> Post:
            post = factories.root_post(factories.thread(board, lou, "Un sujet", body))
            return post

        def item(post: Post) -> ReviewItem:
            return db.session.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()

        kept = held("Tu es vraiment un idiot, mais je rigole.")
        removed = held("Tu es un crétin.")
        withdrawn = held("Pauvre idiote.")
        spam = held("Idiot, achetez mes pilules miracles.")
        decisions.decide(item(kept), mod, "approve")
        decisions.decide(item(removed), mod, "remove", reason="attack")
        decisions.decide(item(withdrawn), mod, "remove", reason="judgment")
        from forum.boards import services

        services.delete_post(withdrawn)
        db.session.commit()
        decisions.decide(item(spam), mod, "remove", reason="spam")
    out = tmp_path / "labels.csv"
    result = runner.invoke(args=["moderation", "export-labels", "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = {row["text"]: row for row in read_csv(out)}
    assert set(rows) == {"Tu es vraiment un idiot, mais je rigole.", "Tu es un crétin."}
    assert rows["Tu es un crétin."]["toxicity"] == "1"
    assert rows["Tu es un crétin."]["decision"] == "removed"
    approved = rows["Tu es vraiment un idiot, mais je rigole."]
    assert (approved["toxicity"], approved["benign"]) == ("0", "1")
    assert float(approved["score_toxicity"]) == pytest.approx(0.95)
    assert "Lou" not in out.read_text() and "Mod" not in out.read_text()
    # The export is labelled data for evaluate (and train).
    examples = datasets.read_labelled(out)
    assert [ex.label("toxicity") for ex in examples] == [0.0, 1.0]
    unknown = runner.invoke(
        args=["moderation", "export-labels", "--output", str(out), "--board", "x"]
    )
    assert unknown.exit_code == 1 and "No board with the slug 'x'" in unknown.output


# --- evaluation maths ---------------------------------------------------------------------------


def test_roc_auc_matches_counting_every_pair() -> None:
    import random

    rng = random.Random(5)
    truth = [rng.random() < 0.3 for _ in range(300)]
    scores = [round(rng.random(), 1) for _ in range(300)]  # many ties
    pairs = [
        (p, n)
        for p, tp in zip(scores, truth, strict=True)
        if tp
        for n, tn in zip(scores, truth, strict=True)
        if not tn
    ]
    expected = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs) / len(pairs)
    assert evaluation.roc_auc(truth, scores) == pytest.approx(expected)
    assert evaluation.roc_auc([True, True], [0.1, 0.2]) is None


def test_precision_recall_and_best_f1() -> None:
    truth = [True, True, False, False, True]
    scores = [0.9, 0.6, 0.7, 0.1, 0.2]
    at = evaluation.precision_recall(truth, scores, 0.5)
    assert (at["precision"], at["recall"]) == pytest.approx((2 / 3, 2 / 3))
    best = evaluation.best_f1(truth, scores)
    assert best["f1"] == pytest.approx(6 / 7) and best["threshold"] == pytest.approx(0.2)


def test_the_report_gives_each_source_its_own_figures() -> None:
    zero = datasets.labels(**dict.fromkeys(LABELS, 0.0))
    toxic = datasets.labels(**(dict.fromkeys(LABELS, 0.0) | {"toxicity": 1.0}))

    def row(source: str, labels: datasets.Labels) -> datasets.Example:
        return datasets.Example("x", labels, labels == zero, "fr", source)

    # "tweets" is ranked perfectly, "ours" backwards; together they make 0.5.
    examples = [row("tweets", toxic), row("tweets", zero), row("ours", toxic), row("ours", zero)]
    scores = [0.9, 0.1, 0.1, 0.9]
    result = evaluation.report(
        evaluation.Scored(examples, [{"toxicity": s} for s in scores]),
        {level: dict.fromkeys(LABELS, 0.5) for level in ("queue", "nudge", "hold")},
    )
    assert result["labels"]["toxicity"]["roc_auc"] == 0.5
    assert result["sources"]["tweets"]["roc_auc"] == 1.0
    assert result["sources"]["ours"]["roc_auc"] == 0.0
    assert result["sources"]["ours"]["benign"]["false_positive_rate"]["queue"] == 1.0
    assert result["sources"]["tweets"]["benign"]["false_positive_rate"]["hold"] == 0.0
    text = evaluation.table(result)
    assert "| ours | 2 | 0.000 | 100.0% / 100.0% / 100.0% of 1 |" in text
    assert "| tweets | 2 | 1.000 | 0.0% / 0.0% / 0.0% of 1 |" in text
