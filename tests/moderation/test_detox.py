"""The Detoxify scorer on a real (tiny) checkpoint, loaded by Detoxify with no network."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
import torch

from models import db
from models.moderation import Assessment
from moderation.classifier import detox, scoring, training
from moderation.settings import LABELS
from tests import factories, tiny_model

pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_model.refuse_network(monkeypatch)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    return tiny_model.build(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def scorer(tiny: tuple[Path, object]) -> detox.DetoxifyScorer:
    return detox.load(str(tiny[0]))


def copy_of(folder: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(folder, tmp_path / "copy"))


def test_the_network_is_really_refused_in_these_tests() -> None:
    import urllib.request

    with pytest.raises(OSError):
        urllib.request.urlopen("https://huggingface.co", timeout=2)  # noqa: S310


def test_detoxify_loads_the_folder_with_the_trained_weights(tiny, scorer) -> None:
    folder, trained = tiny
    assert scorer.labels == list(LABELS)
    assert scorer.window == tiny_model.ARCHITECTURE.window
    text = "ce matin imbécile today"
    encoded = scorer.tokenizer([text], return_tensors="pt")
    with torch.no_grad():
        expected = torch.sigmoid(trained(**encoded).logits)[0].tolist()  # type: ignore[operator]
    got = scorer.score([text])[0]
    assert [got[label] for label in LABELS] == pytest.approx(expected, abs=1e-5)
    # The folder holds Detoxify's checkpoint format, readable without unpickling code.
    loaded = torch.load(folder / "model.ckpt", weights_only=True)
    assert loaded["config"]["dataset"]["args"]["classes"] == list(LABELS)
    assert loaded["config"]["arch"]["args"]["model_name"] == "BertForSequenceClassification"


def test_scores_separate_the_toy_insults_from_kind_words(scorer) -> None:
    hostile, kind = scorer.score(["le groupe crétin today", "le groupe merci today"])
    assert hostile["toxicity"] > 0.8 > 0.2 > kind["toxicity"]


def test_a_batch_gives_the_same_scores_as_one_text_at_a_time(scorer) -> None:
    texts = [
        " ".join(tiny_model.FILLER[: 1 + i % 6]) + (" ordure" if i % 3 == 0 else " merci")
        for i in range(150)
    ]
    batched = scorer.score(texts)
    for text, scores in zip(texts[::15], batched[::15], strict=True):
        alone = scorer.score([text])[0]
        assert [alone[label] for label in LABELS] == pytest.approx(
            [scores[label] for label in LABELS], abs=1e-5
        )
    assert scorer.score([]) == []


def test_an_insult_at_the_end_of_a_long_text_is_not_missed(scorer) -> None:
    long_text = "merci " + "ce matin le groupe " * 300 + "ce matin imbécile today"
    # Detoxify on its own reads only the first window and misses it...
    truncated = scorer.detoxify.predict([long_text])["toxicity"]
    assert truncated < 0.2
    # ...the windows read it all, and keep the maximum.
    assert len(scorer._windows([long_text])[0]) > 50
    assert scorer.score([long_text])[0]["toxicity"] > 0.8


def test_french_accents_are_kept_by_the_tokenizer(scorer) -> None:
    # A stock uncased BERT tokenizer would give "dep ##rim ##ee".
    pieces = scorer.tokenizer.tokenize("Déprimée")
    assert "".join(piece.removeprefix("##") for piece in pieces) == "déprimée"
    assert scorer.tokenizer.tokenize("déprimée") != scorer.tokenizer.tokenize("deprimee")


def test_accents_survive_a_save_and_a_reload(tmp_path) -> None:
    tokenizer = training.train_tokenizer(["déprimée et épuisée"] * 20, 120, 32)
    tokenizer.save_pretrained(tmp_path)
    from transformers import AutoTokenizer

    again = AutoTokenizer.from_pretrained(tmp_path, local_files_only=True)
    assert "".join(again.tokenize("déprimée")).replace("##", "") == "déprimée"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😭😭😭🙏",
        "Ça va pas. Это плохо. 这很糟糕. هذا سيء. Ce n'est pas bien.",
        "x" * 1_000_000,
        "mot " * 250_000,
        "\x00\u202e\ufeffbizarre\u200b",
    ],
    ids=["empty", "blank", "emoji", "mixed-scripts", "1MB-one-word", "1MB-of-words", "control"],
)
def test_odd_texts_get_six_scores_in_range(scorer, text: str) -> None:
    result = scorer.score([text])
    assert len(result) == 1
    assert set(result[0]) == set(LABELS)
    assert all(0.0 <= value <= 1.0 for value in result[0].values())
    if not text.strip():
        assert set(result[0].values()) == {0.0}


def test_scoring_is_thread_safe(scorer) -> None:
    texts = ["le groupe crétin today", "le groupe merci today"] * 20
    expected = scorer.score(texts)
    results: list[list[dict[str, float]]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(scorer.score(texts))
        except BaseException as error:  # noqa: BLE001 -- reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for result in results:
        assert [r["toxicity"] for r in result] == pytest.approx(
            [e["toxicity"] for e in expected], abs=1e-6
        )


def test_the_registry_loads_a_model_once_per_process(tiny) -> None:
    registry = scoring.Registry()
    first = registry.get(str(tiny[0]))
    assert registry.get(str(tiny[0])) is first
    assert registry.status(str(tiny[0])) == "ok"


# --- Missing and broken folders -------------------------------------------------------------


def test_a_missing_folder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(scoring.ScorerUnavailable, match="does not exist"):
        detox.load(str(tmp_path / "nowhere"))


def test_official_weights_not_fetched_say_how_to_get_them(app, tmp_path) -> None:
    from moderation.workflow import jobs

    app.config["MODERATION_MODELS_DIR"] = str(tmp_path)
    with app.app_context(), pytest.raises(scoring.ScorerUnavailable) as caught:
        detox.load("multilingual", jobs.models_dir())
    assert "flask moderation fetch-model multilingual" in str(caught.value)
    assert "internet" in str(caught.value)
    assert str(tmp_path / "multilingual") in str(caught.value)


def test_official_weights_are_looked_for_in_the_folder_given_or_the_environment(
    tmp_path, monkeypatch
) -> None:
    assert detox.resolve("bundled", tmp_path) == detox.BUNDLED
    with pytest.raises(scoring.ScorerUnavailable, match="given"):
        detox.load("original", tmp_path / "given")
    monkeypatch.setenv("MODERATION_MODELS_DIR", str(tmp_path / "from-env"))
    with pytest.raises(scoring.ScorerUnavailable, match="from-env"):
        detox.load("unbiased")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda f: (f / "model.ckpt").write_bytes(b"not a checkpoint at all"),
            "not a readable checkpoint",
        ),
        (
            lambda f: (f / "model.ckpt").write_bytes((f / "model.ckpt").read_bytes()[:5000]),
            "not a readable checkpoint",
        ),
        (lambda f: (f / "model.ckpt").unlink(), "has no model.ckpt"),
        (lambda f: torch.save({"state_dict": {}}, f / "model.ckpt"), "checkpoint format"),
        (
            lambda f: (f / "tokenizer.json").unlink() or (f / "tokenizer_config.json").unlink(),
            "cannot load the model",
        ),
        (lambda f: (f / "config.json").unlink(), "cannot load the model"),
    ],
    ids=["garbage", "truncated", "no-checkpoint", "wrong-format", "no-tokenizer", "no-config"],
)
def test_a_damaged_folder_is_a_clear_error(tiny, tmp_path, damage, message) -> None:
    folder = copy_of(tiny[0], tmp_path)
    damage(folder)
    with pytest.raises(detox.ModelFolderError, match=message):
        detox.load(str(folder))


class Payload:
    """Unpickling this would create a file: what a hostile checkpoint could do."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.target,))


def test_a_checkpoint_that_would_run_code_is_refused(tiny, tmp_path) -> None:
    folder = copy_of(tiny[0], tmp_path)
    loaded = torch.load(folder / "model.ckpt", weights_only=True)
    target = tmp_path / "pwned"
    loaded["config"]["extra"] = Payload(target)
    torch.save(loaded, folder / "model.ckpt")
    with pytest.raises(detox.ModelFolderError, match="not a readable checkpoint"):
        detox.load(str(folder))
    assert not target.exists()
    torch.load(folder / "model.ckpt", weights_only=False)  # the payload is real
    assert target.exists()


def test_posts_go_to_human_review_when_the_model_folder_is_broken(app, tmp_path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "model.ckpt").write_bytes(b"\x00" * 100)
    app.config["MODERATION_MODEL"] = str(folder)
    scoring.registry.forget()
    with app.app_context():
        answer = factories.conversation(factories.board("deuil"))["answer"]
        from moderation.workflow import jobs

        jobs.runner().stop(timeout=10)
        assessment = (
            db.session.query(Assessment)
            .filter_by(post_id=answer)
            .order_by(Assessment.id.desc())
            .first()
        )
        assert assessment is not None and assessment.source == "fallback"
        assert "unscored" in assessment.reasons
        assert "not a readable checkpoint" in (assessment.error or "")
    scoring.registry.forget()


def test_the_pipeline_scores_posts_with_a_model_folder(app, tiny) -> None:
    app.config["MODERATION_MODEL"] = str(tiny[0])
    scoring.registry.forget()
    with app.app_context():
        board = factories.board("deuil")
        author = factories.user()
        thread = factories.thread(board, author, "Un sujet", "le groupe merci today")
        hostile = factories.reply(thread, factories.user(), "ce matin crétin today")
        from moderation.workflow import jobs

        jobs.runner().stop(timeout=10)
        scored = {
            a.post_id: a for a in db.session.query(Assessment).filter(Assessment.source == "model")
        }
        root = factories.root_post(thread)
        assert set(scored[root.id].scores) == set(LABELS)
        assert (
            scored[hostile.id].scores["toxicity"] > 0.8 > 0.2 > scored[root.id].scores["toxicity"]
        )
        assert scored[hostile.id].action != "publish"
    scoring.registry.forget()


@pytest.mark.parametrize(
    "body",
    ["😭🙏💔" * 50, "Ça va pas. Это плохо. 这很糟糕. هذا سيء. " * 400, "mot " * 4_999],
    ids=["emoji", "mixed-scripts-16k", "20k-chars"],
)
def test_the_worker_scores_odd_posts_without_failing(app, tiny, body) -> None:
    app.config["MODERATION_MODEL"] = str(tiny[0])
    scoring.registry.forget()
    with app.app_context():
        board = factories.board("deuil")
        post = factories.root_post(factories.thread(board, factories.user(), "Un sujet", body))
        from moderation.workflow import jobs

        jobs.runner().stop(timeout=30)
        assessment = (
            db.session.query(Assessment)
            .filter_by(post_id=post.id, source="model")
            .order_by(Assessment.id.desc())
            .first()
        )
        assert assessment is not None and assessment.error is None
        assert set(assessment.scores) == set(LABELS)
    scoring.registry.forget()


# --- fetch-model's offline step -------------------------------------------------------------


def official_like(folder: Path) -> dict:
    """A checkpoint as Detoxify publishes them: Lightning extras beside config and weights."""
    loaded = torch.load(folder / "model.ckpt", weights_only=True)
    loaded["config"]["arch"]["args"]["model_type"] = "bert-base-uncased"
    loaded["config"]["dataset"]["args"]["classes"] = [
        "toxic",
        "severe_toxic",
        "obscene",
        "threat",
        "insult",
        "identity_hate",
    ]
    loaded["epoch"] = 3
    loaded["optimizer_states"] = [{}]
    return loaded


def test_fetch_models_offline_step_writes_a_folder_that_loads(tiny, tmp_path) -> None:
    from transformers import AutoTokenizer, BertConfig

    source = tiny[0]
    config = BertConfig.from_pretrained(source, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=True)
    destination = tmp_path / "models" / "original"
    detox.prepare_folder(official_like(source), config, tokenizer, destination)
    scorer = detox.DetoxifyScorer("original", destination)
    # Jigsaw's label names come out as Detoxify's.
    assert scorer.labels == list(LABELS)
    assert scorer.score(["ce matin imbécile today"])[0]["toxicity"] > 0.8
    assert sorted(p.name for p in destination.iterdir()) == [
        "config.json",
        "model.ckpt",
        "tokenizer.json",
        "tokenizer_config.json",
    ]


def test_a_failed_preparation_leaves_the_old_folder_alone(tiny, tmp_path) -> None:
    from transformers import BertConfig

    destination = copy_of(tiny[0], tmp_path)
    before = {p.name: p.read_bytes() for p in destination.iterdir()}

    class NoTokenizer:
        def save_pretrained(self, _path: Path) -> None:
            raise OSError("disk full")

    config = BertConfig.from_pretrained(tiny[0], local_files_only=True)
    with pytest.raises(OSError, match="disk full"):
        detox.prepare_folder(official_like(tiny[0]), config, NoTokenizer(), destination)
    assert {p.name: p.read_bytes() for p in destination.iterdir()} == before
    assert [p.name for p in destination.parent.iterdir()] == ["copy"]


# --- The bundled model -------------------------------------------------------------------------


def test_the_bundled_model_scores_an_insult_far_above_a_kind_message() -> None:
    """The one quality check in the tests; the figures are `evaluate`'s and bench's."""
    scorer = detox.load("bundled")
    fr_insult, fr_kind, en_insult, en_kind = scorer.score(
        [
            "T'es vraiment qu'une pauvre conne, personne ne veut de toi ici.",
            "Merci pour ton message, je te lis et je pense fort à toi.",
            "You are a pathetic idiot and nobody wants you here.",
            "Thank you for sharing, I am thinking of you and sending love.",
        ]
    )
    assert fr_insult["toxicity"] - fr_kind["toxicity"] > 0.5
    assert en_insult["toxicity"] - en_kind["toxicity"] > 0.5
