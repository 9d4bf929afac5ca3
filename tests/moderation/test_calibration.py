"""Calibration: shifting a model's outputs so that benign-but-sensitive posts stay under the
queue thresholds, on plain numbers and on a real (tiny) Detoxify model folder."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from moderation.classifier import calibration, detox, evaluation
from moderation.classifier.datasets import Example, labels
from moderation.settings import DEFAULT_THRESHOLDS, LABELS
from tests import tiny_model

QUEUE = DEFAULT_THRESHOLDS["queue"]


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_model.refuse_network(monkeypatch)


def rows(toxicity: list[float], insult: list[float] | None = None) -> list[dict[str, float]]:
    insult = insult or [0.0] * len(toxicity)
    return [
        dict.fromkeys(LABELS, 0.01) | {"toxicity": t, "insult": i}
        for t, i in zip(toxicity, insult, strict=True)
    ]


def test_nothing_moves_when_the_budget_already_holds() -> None:
    scores = rows([0.1] * 96 + [0.9] * 4)
    assert calibration.fit(scores, QUEUE, 0.05) == dict.fromkeys(LABELS, 0.0)


def test_the_shift_leaves_exactly_the_budget_flagged_and_keeps_the_order() -> None:
    toxicity = [i / 100 for i in range(100)]  # 55 rows reach the 0.45 queue threshold
    scores = rows(toxicity)
    shifts = calibration.fit(scores, QUEUE, 0.05)
    assert shifts["toxicity"] > 0
    assert {label for label, value in shifts.items() if value} == {"toxicity"}
    assert calibration.flagged_share(scores, QUEUE, {}) == 0.55
    assert calibration.flagged_share(scores, QUEUE, shifts) == 0.05
    moved = [calibration.shifted(t, shifts["toxicity"]) for t in toxicity]
    assert moved == sorted(moved) and all(
        m < t for m, t in zip(moved[1:], toxicity[1:], strict=True)
    )
    # The smallest shift that does it: a little less lets the sixth-highest row through.
    less = {"toxicity": shifts["toxicity"] - 2 * calibration.MARGIN}
    assert calibration.flagged_share(scores, QUEUE, less) == 0.06


def test_two_labels_flagging_different_rows_share_the_budget() -> None:
    # 10 rows flagged by toxicity only, 10 others by insult only: 20% flagged in all.
    toxicity = [0.9] * 10 + [0.1] * 90
    insult = [0.1] * 10 + [0.8] * 10 + [0.1] * 80
    scores = rows(toxicity, insult)
    shifts = calibration.fit(scores, QUEUE, 0.1)
    assert shifts["toxicity"] > 0 and shifts["insult"] > 0
    assert calibration.flagged_share(scores, QUEUE, shifts) <= 0.1


def test_ties_and_a_zero_budget() -> None:
    scores = rows([0.7] * 30)
    shifts = calibration.fit(scores, QUEUE, 0.0)
    assert calibration.flagged_share(scores, QUEUE, shifts) == 0.0
    assert calibration.shifted(0.7, shifts["toxicity"]) < QUEUE["toxicity"]


@pytest.mark.parametrize(
    ("count", "budget", "message"),
    [(19, 0.05, "at least 20"), (50, -0.1, "budget"), (50, 1.5, "budget")],
)
def test_too_few_rows_or_a_bad_budget_are_refused(count: int, budget: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        calibration.fit(rows([0.9] * count), QUEUE, budget)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_model.build(tmp_path_factory.mktemp("tiny") / "model")[0]


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "model"))


def test_a_real_model_folder_is_shifted_saved_and_reloaded(folder: Path, tmp_path: Path) -> None:
    """The tiny model, with benign rows that carry its insults: calibration moves the
    network's own bias, the folder on disk scores lower, and the order stays."""
    zero = labels(**dict.fromkeys(LABELS, 0.0))
    texts = [f"{word} {filler}" for word in tiny_model.KIND for filler in tiny_model.FILLER]
    texts += [f"{filler} {word}" for word in tiny_model.INSULTS[:3] for filler in ("", "today")]
    benign = [Example(text, zero, True, "fr", "support_voice_fr") for text in texts]
    scorer = detox.DetoxifyScorer("tiny", folder)
    model, tokenizer = scorer.model, scorer.tokenizer
    before = evaluation.score_examples(scorer, benign).scores
    assert calibration.flagged_share(before, QUEUE, {}) > 0.05
    untouched = tmp_path / "copy"
    shutil.copytree(folder, untouched)

    scorer, done = calibration.calibrate(model, tokenizer, scorer, benign, QUEUE, 0.05)
    assert done["before"] == calibration.flagged_share(before, QUEUE, {})
    assert done["after"] <= 0.05
    reloaded = detox.DetoxifyScorer("again", folder)  # from disk, not from memory
    after = evaluation.score_examples(reloaded, benign).scores
    assert calibration.flagged_share(after, QUEUE, {}) == done["after"]
    for old, new in zip(before, after, strict=True):
        for label in LABELS:
            expected = calibration.shifted(old[label], done["shifts"][label])
            assert math.isclose(new[label], expected, abs_tol=1e-4)
    # A post still ranks where it did.
    order = sorted(range(len(benign)), key=lambda i: before[i]["toxicity"])
    ranked = [after[i]["toxicity"] for i in order]
    assert all(later >= earlier - 1e-5 for earlier, later in zip(ranked, ranked[1:], strict=False))
    assert (untouched / "model.ckpt").read_bytes() != (folder / "model.ckpt").read_bytes()


def test_too_few_rows_or_budget_one_leave_the_model_alone(folder: Path) -> None:
    scorer = detox.DetoxifyScorer("tiny", folder)
    model = scorer.model
    saved = (folder / "model.ckpt").read_bytes()
    zero = labels(**dict.fromkeys(LABELS, 0.0))
    few = [Example("crétin", zero, True, "fr", "support_voice_fr")] * 5
    same, done = calibration.calibrate(model, scorer.tokenizer, scorer, few, QUEUE, 0.05)
    assert same is scorer and done == {"budget": 0.05, "rows": 5, "skipped": "fewer than 20 rows"}
    many = few * 10
    _, done = calibration.calibrate(model, scorer.tokenizer, scorer, many, QUEUE, 1.0)
    assert done["skipped"] == "--benign-budget 1"
    assert (folder / "model.ckpt").read_bytes() == saved


def test_the_model_card_says_what_was_shifted_and_what_it_did() -> None:
    from moderation.classifier.modelcard import _calibration

    done = {
        "budget": 0.05,
        "rows": 195,
        "shifts": dict.fromkeys(LABELS, 0.0) | {"toxicity": 0.61, "insult": 0.36},
        "before": 0.108,
        "after": 0.046,
    }
    line = _calibration(done)
    assert "(toxicity 0.61, insult 0.36; the other labels 0)" in line
    assert "at most 5% of the 195 benign-but-sensitive validation rows" in line
    assert "10.8% before, 4.6% after" in line
    nothing = _calibration(done | {"shifts": dict.fromkeys(LABELS, 0.0), "after": 0.108})
    assert "none needed; 10.8% of the 195" in nothing
    assert _calibration({}) == "- Calibration: none."
