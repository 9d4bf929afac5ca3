"""Training's network side: the moving average of the weights, and pre-training."""

from __future__ import annotations

import copy
import dataclasses
import math
from typing import Any

import pytest
import torch

from moderation.classifier import training
from tests import tiny_model


def toy(count: int = 120) -> tuple[list[tuple[Any, int]], Any, Any]:
    rows = [(example, 1) for example in tiny_model.examples(count)]
    model, tokenizer = training.new_model(rows, tiny_model.ARCHITECTURE)
    return rows, model, tokenizer


def test_the_kept_weights_are_the_moving_average_of_the_steps_weights() -> None:
    rows, model, tokenizer = toy()
    twin = copy.deepcopy(model)
    plan = dataclasses.replace(tiny_model.PLAN, epochs=2, average=0.0)
    decay = 0.9
    expected: list[torch.Tensor] = []

    def follow(_steps: int) -> None:  # after each step of the run without averaging
        current = [p.detach().clone() for p in model.parameters()]
        if not expected:
            expected.extend(current)
            return
        done = follow.updates  # type: ignore[attr-defined]
        rate = 1 - min(decay, (1 + done) / (10 + done))  # low at first, then `decay`
        for mean, value in zip(expected, current, strict=True):
            mean.mul_(1 - rate).add_(value, alpha=rate)
        follow.updates += 1  # type: ignore[attr-defined]

    follow.updates = 1  # type: ignore[attr-defined]
    training.fit(model, tokenizer, rows, plan, follow)
    stats = training.fit(twin, tokenizer, rows, dataclasses.replace(plan, average=decay))
    # Same seed, same start: the raw steps are the same, only what is kept differs.
    assert len(expected) == len(list(twin.parameters()))
    for mean, kept in zip(expected, twin.parameters(), strict=True):
        assert torch.allclose(mean, kept, atol=1e-5)
    assert not all(
        torch.equal(raw, kept)
        for raw, kept in zip(model.parameters(), twin.parameters(), strict=True)
    )
    assert stats["raw_validation_auc_per_epoch"] == []  # no validation rows


def test_averaged_weights_are_validated_and_the_raw_ones_reported() -> None:
    rows, model, tokenizer = toy()
    validation = tiny_model.examples(60)
    plan = dataclasses.replace(tiny_model.PLAN, epochs=3, average=0.9)
    stats = training.fit(model, tokenizer, rows, plan, validation=validation)
    averaged, raw = stats["validation_auc_per_epoch"], stats["raw_validation_auc_per_epoch"]
    assert len(averaged) == len(raw) == 3 and averaged != raw
    # The kept weights are the average's best epoch.
    assert round(training.validation_auc(model, tokenizer, validation), 4) == max(averaged)
    _, fresh, fresh_tokenizer = toy()
    plain = training.fit(fresh, fresh_tokenizer, rows, dataclasses.replace(plan, average=0.0))
    assert plain["raw_validation_auc_per_epoch"] == []


def test_pretraining_teaches_the_encoder_to_read_and_leaves_the_head_alone() -> None:
    rows, model, tokenizer = toy(200)
    before = {key: value.clone() for key, value in model.state_dict().items()}
    texts = training.pretraining_texts([example for example, _ in rows])
    plan = dataclasses.replace(tiny_model.PLAN, pretrain_epochs=4)
    losses = training.pretrain(model, tokenizer, texts, plan)
    assert len(losses) == 4
    assert losses[-1] < 0.8 * losses[0]  # it learns to guess the hidden word pieces
    after = model.state_dict()
    assert after.keys() == before.keys()
    for key in before:
        untouched = key.startswith("classifier.") or ".pooler." in key
        assert torch.equal(before[key], after[key]) is untouched, key


def test_pretraining_texts_are_distinct_and_french_ones_also_without_accents() -> None:
    rows = tiny_model.examples(40)
    texts = training.pretraining_texts(rows + rows)
    assert len(texts) == len(set(texts))
    assert {example.text for example in rows} <= set(texts)
    accented = next(example.text for example in rows if "é" in example.text)
    assert training.without_accents(accented) in texts


def test_a_batch_with_nothing_masked_teaches_nothing_and_breaks_nothing() -> None:
    """One-piece texts, one a batch: most batches have no piece masked (15% are)."""
    _, model, tokenizer = toy()
    before = {key: value.clone() for key, value in model.state_dict().items()}
    texts = ["merci", "courage", "bravo", "crétin", "idiot", "ordure"] * 3
    plan = dataclasses.replace(tiny_model.PLAN, pretrain_epochs=2, batch_size=1)
    losses = training.pretrain(model, tokenizer, texts, plan)
    assert all(math.isfinite(loss) for loss in losses)
    assert all(torch.isfinite(value).all() for value in model.state_dict().values())
    assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_encoders_of_other_shapes_are_refused_not_half_copied() -> None:
    _, model, tokenizer = toy()
    deeper = training.build_model(
        dataclasses.replace(tiny_model.ARCHITECTURE, layers=2), len(tokenizer)
    )
    before = {key: value.clone() for key, value in model.state_dict().items()}
    with pytest.raises(ValueError, match="the encoders differ: encoder.layer.1"):
        training._copy_encoder(deeper.bert, model.bert)
    training._copy_encoder(model.bert, model.bert)  # the same shape: fine
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
