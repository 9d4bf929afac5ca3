"""The Detoxify scorer: the bundled compact model, Detoxify's official weights, or a folder.

A model folder holds `model.ckpt` (Detoxify's checkpoint format: `{"config": {"arch":
{"args": ...}, "dataset": {"args": {"classes": ...}}}, "state_dict": ...}`), the network's
`config.json` and its tokenizer files. It loads through `detoxify.Detoxify` with nothing
fetched from a hub:

- the checkpoint is read first with `weights_only=True`, so a folder from elsewhere cannot
  run code; a corrupt file is a clear error, not a crash;
- detoxify 0.5.4 calls `from_pretrained(model_type)`, which goes to the model hub unless
  `model_type` is a local folder: it is set to the folder's path before Detoxify sees it
  (upstream PR #126 is still open).

Scoring is batched and windowed: a text longer than the model's window (the bundled model
reads 128 tokens, the official ones 512, where Detoxify alone would silently truncate) is
cut into overlapping windows, and each label keeps its maximum over them, so an insult at
the end of a long post counts.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .scoring import ScorerUnavailable, Scores

log = logging.getLogger(__name__)

BUNDLED = Path(__file__).resolve().parent / "bundled"
OFFICIAL = ("original", "unbiased", "multilingual")
CHECKPOINT = "model.ckpt"
# Windows overlap by this many tokens, so a phrase cut by a window's edge is whole in the next.
STRIDE = 32
# Windows per forward pass: large enough to keep both cores busy, small enough for memory.
BATCH = 64

# Detoxify's own names for the Jigsaw labels, and ours.
_RENAMED = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
}


class ModelFolderError(ScorerUnavailable):
    """A model folder is missing, incomplete or corrupt."""


def default_models_dir() -> Path:
    """Where the official weights are when the caller names no folder (no application):
    MODERATION_MODELS_DIR from the environment, or `instance/models`. Within the application,
    the caller passes its own (`moderation.workflow.jobs.models_dir`)."""
    return Path(os.environ.get("MODERATION_MODELS_DIR") or Path.cwd() / "instance" / "models")


def resolve(spec: str, models_dir: Path | None = None) -> Path:
    """The model folder a `MODERATION_MODEL` value names; the official weights are looked
    for in `models_dir` (default: `default_models_dir()`)."""
    if spec == "bundled":
        return BUNDLED
    if spec in OFFICIAL:
        folder = (models_dir or default_models_dir()) / spec
        if not (folder / CHECKPOINT).is_file():
            raise ModelFolderError(
                f"the official Detoxify {spec!r} weights are not in {folder}: run "
                f"`flask moderation fetch-model {spec}` on a machine with internet access"
            )
        return folder
    return Path(spec).expanduser()


def read_checkpoint(folder: Path) -> dict[str, Any]:
    """The folder's checkpoint, checked; only tensors and plain data are unpickled."""
    import torch

    if not folder.is_dir():
        raise ModelFolderError(f"model folder {folder} does not exist")
    path = folder / CHECKPOINT
    if not path.is_file():
        raise ModelFolderError(f"model folder {folder} has no {CHECKPOINT}")
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many kinds on a damaged or hostile file
        raise ModelFolderError(f"{path} is not a readable checkpoint: {error}") from error
    try:
        args = loaded["config"]["arch"]["args"]
        classes = loaded["config"]["dataset"]["args"]["classes"]
        for key in ("model_name", "tokenizer_name", "num_classes"):
            args[key]  # noqa: B018 -- presence check
        if not isinstance(loaded["state_dict"], dict) or len(classes) != args["num_classes"]:
            raise ValueError
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFolderError(
            f"{path} is not in Detoxify's checkpoint format (config.arch.args, "
            "config.dataset.args.classes, state_dict)"
        ) from error
    return loaded  # type: ignore[no-any-return]


class DetoxifyScorer:
    """Six Detoxify scores per text; thread-safe (one forward pass at a time)."""

    def __init__(self, name: str, folder: Path) -> None:
        import torch
        import transformers
        from detoxify import Detoxify

        self.name = name
        self.folder = folder
        loaded = read_checkpoint(folder)
        # Detoxify asks the hub for `model_type` unless it is a local folder: point it here.
        loaded["config"]["arch"]["args"]["model_type"] = str(folder)
        buffer = io.BytesIO()
        torch.save(loaded, buffer)
        buffer.seek(0)
        transformers.utils.logging.disable_progress_bar()
        try:
            self.detoxify = Detoxify(checkpoint=buffer, huggingface_config_path=str(folder))
        except Exception as error:  # missing tokenizer or config files, shapes that differ
            raise ModelFolderError(f"cannot load the model in {folder}: {error}") from error
        self.model = self.detoxify.model.eval()
        self.tokenizer = self.detoxify.tokenizer
        vocabulary = len(self.tokenizer)
        if vocabulary <= len(self.tokenizer.all_special_tokens) or vocabulary > getattr(
            self.model.config, "vocab_size", vocabulary
        ):
            # transformers builds an empty tokenizer when its files are missing.
            raise ModelFolderError(
                f"cannot load the model in {folder}: its tokenizer files are missing or do not "
                f"match the network ({vocabulary} tokens)"
            )
        self.labels = [_RENAMED.get(name, name) for name in self.detoxify.class_names]
        positions = getattr(self.model.config, "max_position_embeddings", 512)
        offset = getattr(self.model.config, "pad_token_id", 0) or 0  # RoBERTa counts from pad+1
        limit = positions - offset - 1 if offset else positions
        self.window = max(16, min(int(self.tokenizer.model_max_length), limit, 512))
        self._lock = threading.Lock()

    def _windows(self, texts: Sequence[str]) -> tuple[list[list[int]], list[int]]:
        encoded = self.tokenizer(
            list(texts),
            truncation=True,
            max_length=self.window,
            stride=min(STRIDE, self.window // 4),
            return_overflowing_tokens=True,
            return_attention_mask=False,
            return_token_type_ids=False,
        )
        return encoded["input_ids"], encoded["overflow_to_sample_mapping"]

    def score(self, texts: Sequence[str]) -> list[Scores]:
        import torch

        if not texts:
            return []
        # A text with no words says nothing hostile: no need to ask the network.
        wordy = [i for i, text in enumerate(texts) if text and not text.isspace()]
        best = torch.zeros(len(texts), len(self.labels))
        if not wordy:
            return self._rows(best)
        with self._lock, torch.inference_mode():
            ids, window_owners = self._windows([texts[i] for i in wordy])
            owners = [wordy[owner] for owner in window_owners]
            pad = self.tokenizer.pad_token_id or 0
            # Windows of similar length share a batch: little padding, fewer wasted steps.
            order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
            for start in range(0, len(order), BATCH):
                chunk = order[start : start + BATCH]
                width = max(len(ids[i]) for i in chunk)
                input_ids = torch.full((len(chunk), width), pad, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for row, i in enumerate(chunk):
                    input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                    mask[row, : len(ids[i])] = 1
                probs = torch.sigmoid(self.model(input_ids=input_ids, attention_mask=mask).logits)
                for row, i in enumerate(chunk):
                    best[owners[i]] = torch.maximum(best[owners[i]], probs[row])
        return self._rows(best)

    def _rows(self, best: Any) -> list[Scores]:
        return [
            {label: float(value) for label, value in zip(self.labels, row, strict=True)}
            for row in best.tolist()
        ]


def load(spec: str, models_dir: Path | None = None) -> DetoxifyScorer:
    """The Detoxify scorer for `bundled`, `original`, `unbiased`, `multilingual` (looked for
    in `models_dir`) or a folder."""
    folder = resolve(spec, models_dir)
    return DetoxifyScorer(spec, folder)


def prepare_folder(
    checkpoint: dict[str, Any], config: Any, tokenizer: Any, destination: Path
) -> Path:
    """Write a model folder that loads offline: the checkpoint (plain data and tensors only),
    the network's config and the tokenizer. Built beside the destination, loaded once to
    check it, then moved into place: a failure leaves the destination as it was."""
    import torch

    args = checkpoint["config"]["arch"]["args"]
    classes = list(checkpoint["config"]["dataset"]["args"]["classes"])
    clean = {
        "config": {
            "arch": {
                "args": {
                    "model_type": str(args.get("model_type", "")),
                    "model_name": str(args["model_name"]),
                    "tokenizer_name": str(args["tokenizer_name"]),
                    "num_classes": int(args["num_classes"]),
                }
            },
            "dataset": {"args": {"classes": [str(name) for name in classes]}},
        },
        "state_dict": {
            key: value.detach().cpu() for key, value in checkpoint["state_dict"].items()
        },
    }
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}-", dir=destination.parent))
    try:
        config.num_labels = len(classes)
        config.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        torch.save(clean, staging / CHECKPOINT)
        DetoxifyScorer(destination.name, staging).score(["check"])
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def fetch(name: str, destination: Path) -> Path:  # pragma: no cover -- needs internet
    """Download Detoxify's official checkpoint and its base network's config and tokenizer
    (from GitHub releases and the Hugging Face hub), into a folder that then loads offline."""
    import torch
    import transformers
    from detoxify.detoxify import MODEL_URLS

    loaded = torch.hub.load_state_dict_from_url(
        MODEL_URLS[name], map_location="cpu", weights_only=False, progress=True
    )
    args = loaded["config"]["arch"]["args"]
    base = args["model_type"]
    config = getattr(transformers, args["model_name"]).config_class.from_pretrained(
        base, num_labels=args["num_classes"]
    )
    tokenizer = getattr(transformers, args["tokenizer_name"]).from_pretrained(base)
    return prepare_folder(loaded, config, tokenizer, destination)
