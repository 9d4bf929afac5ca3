"""Labelled text for training and evaluating the toxicity model.

One row is an `Example`: a text, a value in [0, 1] or None (unset) for each of the six
Detoxify labels, and whether the text is known to be benign. Each public source's own labels
are mapped onto the six honestly: a label the source says nothing about stays unset, and
unset labels count neither in the training loss nor in the metrics.

The labelled CSV format read by `flask moderation train --data` and `evaluate --data`:
column `text`; any of the six label columns (Jigsaw's `toxic`, `severe_toxic` and
`identity_hate` are understood too), empty for unset; optional `benign` (1/0) or `kind`
(`benign`/`hostile`), `lang`, `source`, `split` (`train`/`heldout`), `weight`.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..settings import LABELS
from . import csvsafe

# A field may hold a whole long post; beyond this the file is refused, not silently cut.
MAX_FIELD = 2_000_000
HELDOUT_SHARE = 0.15
DATA = Path(__file__).resolve().parent / "data"

ALIASES = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
}
TRUE = {"1", "true", "yes", "benign"}
FALSE = {"0", "false", "no", "hostile"}

Labels = tuple[float | None, ...]


class DataError(ValueError):
    """A labelled file cannot be read: the message says where and why."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: Labels
    benign: bool | None = None
    lang: str = ""
    source: str = ""
    split: str = "train"
    weight: float = 1.0

    def label(self, name: str) -> float | None:
        return self.labels[LABELS.index(name)]


def labels(**values: float | None) -> Labels:
    return tuple(values.get(name) for name in LABELS)


def split_of(key: str, share: float = HELDOUT_SHARE) -> str:
    """`heldout` for a fixed share of keys, decided by a hash: the same on every machine."""
    digest = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    return "heldout" if digest / 2**64 < share else "train"


_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")
_RETWEET = re.compile(r"^\s*(?:rt\s+)+", re.IGNORECASE)


def tweet(text: str) -> str:
    """Tweets without their platform noise (handles, links, "RT"), which forum posts lack."""
    text = html.unescape(text)
    text = re.sub(r"\s+", " ", _URL.sub("", _MENTION.sub("", text))).strip(" :")
    return _RETWEET.sub("", text).strip(" :")


# --- Reading and writing the labelled CSV format ------------------------------------------


def _open_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(MAX_FIELD)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, strict=True)
            if not reader.fieldnames:
                raise DataError(f"{path}: the file is empty")
            if "text" not in reader.fieldnames:
                raise DataError(
                    f"{path}: no `text` column (columns: {', '.join(reader.fieldnames)[:200]})"
                )
            for row in reader:
                if None in row:
                    raise DataError(f"{path}, line {reader.line_num}: more fields than columns")
                yield reader.line_num, row
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except csv.Error as error:
        raise DataError(f"{path}: malformed CSV: {error}") from None
    except OSError as error:
        raise DataError(f"{path}: {error.strerror or error}") from None


def read_texts(path: Path) -> list[tuple[dict[str, str], str]]:
    """Rows of a CSV with a `text` column (for scoring): each row and its text."""
    return [(row, csvsafe.unescape(row.get("text") or "")) for _, row in _open_rows(path)]


def _value(raw: str, where: str) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise DataError(f"{where}: {raw[:40]!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise DataError(f"{where}: {raw[:40]!r} is not between 0 and 1")
    return value


def read_labelled(path: Path, *, require_labels: bool = True) -> list[Example]:
    """Examples from a labelled CSV; a bad cell is an error naming its line and column."""
    examples: list[Example] = []
    columns: dict[str, str] | None = None
    for line, row in _open_rows(path):
        if columns is None:
            columns = {ALIASES.get(name, name): name for name in row if name}
            if require_labels and not any(name in columns for name in LABELS):
                raise DataError(f"{path}: no label column (expected some of {', '.join(LABELS)})")
        values = tuple(
            _value(row.get(columns[name]) or "", f"{path}, line {line}, column {columns[name]}")
            if name in columns
            else None
            for name in LABELS
        )
        benign: bool | None = None
        marker = (row.get("benign") or row.get("kind") or "").strip().lower()
        if marker in TRUE:
            benign = True
        elif marker in FALSE:
            benign = False
        elif marker:
            raise DataError(f"{path}, line {line}: benign/kind {marker[:20]!r} is not understood")
        weight = _value(row.get("weight") or "", f"{path}, line {line}, column weight")
        examples.append(
            Example(
                text=csvsafe.unescape(row.get("text") or ""),
                labels=values,
                benign=benign,
                lang=(row.get("lang") or "").strip(),
                source=(row.get("source") or path.stem).strip(),
                split=(row.get("split") or "train").strip() or "train",
                weight=1.0 if weight is None else weight,
            )
        )
    if not examples:
        raise DataError(f"{path}: no rows")
    return examples


def write_labelled(path: Path, examples: Iterable[Example]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csvsafe.Writer(handle)  # a spreadsheet opens the texts as text
        writer.writerow(["text", *LABELS, "benign", "lang", "source"])
        for example in examples:
            benign = "" if example.benign is None else int(example.benign)
            cells = ["" if value is None else f"{value:g}" for value in example.labels]
            writer.writerow([example.text, *cells, benign, example.lang, example.source])
            count += 1
    return count


# --- The public sources in ../shared/datasets/toxicity -------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    folder: str
    lang: str
    licence: str
    attribution: str
    mapping: str
    read: Callable[[Path], Iterator[Example]] = field(repr=False)
    # How many times a training epoch sees each row: French and our own voice are scarce.
    repeat: int = 1
    # False: only its held-out rows are used, to evaluate.
    train: bool = True


def _csv(path: Path, **options: str) -> Iterator[dict[str, str]]:
    csv.field_size_limit(MAX_FIELD)
    with path.open(encoding="utf-8", newline="", **options) as handle:  # type: ignore[call-overload]
        yield from csv.DictReader(handle)


_GROUPS = {"origin", "gender", "sexual_orientation", "religion", "disability"}


def _mlma(lang: str) -> Callable[[Path], Iterator[Example]]:
    def read(root: Path) -> Iterator[Example]:
        for row in _csv(root / f"{lang}_dataset.csv"):
            kinds = set(row["sentiment"].split("_"))
            hostile = kinds & {"offensive", "abusive", "hateful", "disrespectful"}
            if kinds == {"normal"}:
                values = labels(**dict.fromkeys(LABELS, 0.0))
            elif hostile:
                values = labels(
                    toxicity=1.0,
                    insult=1.0 if "abusive" in kinds else None,
                    identity_attack=1.0
                    if "hateful" in kinds and row["target"] in _GROUPS
                    else None,
                )
            else:
                continue  # "fearful" alone says nothing about toxicity
            text = tweet(row["tweet"])
            key = f"mlma-{lang}-{row['HITId']}"
            benign = kinds == {"normal"}
            yield Example(text, values, benign, lang, f"mlma_{lang}", split_of(key))

    return read


def _ftr(root: Path) -> Iterator[Example]:
    path = root / "FTR_new_labels.csv"
    for row in _csv(path, errors="replace"):
        racist = row["label"].strip() == "1"
        values = (
            labels(toxicity=1.0, identity_attack=1.0) if racist else labels(identity_attack=0.0)
        )
        yield Example(
            tweet(row["tweet"]), values, None, "fr", "ftr_fr", split_of(f"ftr-{row['id']}")
        )


def _davidson(root: Path) -> Iterator[Example]:
    for row in _csv(root / "labeled_data.csv"):
        kind = row["class"]
        if kind == "0":
            values = labels(toxicity=1.0, identity_attack=1.0)
        elif kind == "1":
            values = labels(toxicity=1.0)
        else:
            values = labels(**dict.fromkeys(LABELS, 0.0))
        key = f"davidson-{row['']}"
        yield Example(tweet(row["tweet"]), values, kind == "2", "en", "davidson_en", split_of(key))


_SPAN_LABELS = {
    "Insult": "insult",
    "Profane/Obscene": "obscene",
    "Identity based Attack": "identity_attack",
    "Threat": "threat",
}


def _toxic_spans(root: Path) -> Iterator[Example]:
    types: dict[str, set[str]] = collections.defaultdict(set)
    for row in _csv(root / "spans.csv"):
        types[row["annotation"]].add(row["type"].strip())
    votes: dict[str, list[set[str] | None]] = collections.defaultdict(list)
    for row in _csv(root / "annotations.csv"):
        spans = types.get(row["annotation"], set())
        if spans or (row["all toxic"] == "True" and row["not toxic"] == "False"):
            votes[row["comment_id"]].append(spans | {"toxic"})
        elif row["not toxic"] == "True":
            votes[row["comment_id"]].append(set())
    for row in _csv(root / "comments.csv"):
        judged = votes.get(row["comment_id"])
        if not judged:
            continue

        def share(kind: str, judged: list[set[str] | None] = judged) -> float:
            return sum(kind in (vote or set()) for vote in judged) / len(judged)

        values = labels(
            toxicity=share("toxic"),
            **{ours: share(theirs) for theirs, ours in _SPAN_LABELS.items()},
        )
        key = f"spans-{row['comment_id']}"
        yield Example(
            row["comment_text"].strip(),
            values,
            share("toxic") == 0,
            "en",
            "toxic_spans_en",
            split_of(key),
        )


def _counsel_chat(root: Path) -> Iterator[Example]:
    seen: set[str] = set()
    benign = labels(**dict.fromkeys(LABELS, 0.0))
    for row in _csv(root / "20200325_counsel_chat.csv"):
        split = split_of(f"counsel-{row['questionID']}", 0.3)
        if row["questionID"] not in seen:
            seen.add(row["questionID"])
            question = f"{row['questionTitle'].strip()}\n{row['questionText'].strip()}".strip()
            yield Example(question, benign, True, "en", "counsel_chat_en", split)
        if split == "train" and row["answerText"].strip():
            yield Example(
                row["answerText"].strip(), benign, True, "en", "counsel_chat_answers", split
            )


def _jigsaw_sample(root: Path) -> Iterator[Example]:
    for row in _csv(root / "test_examples.csv"):
        values = labels(
            **{ALIASES.get(name, name): float(row[name]) for name in row if name != "comment_text"}
        )
        yield Example(
            row["comment_text"], values, values[0] == 0.0, "en", "jigsaw_sample", "heldout"
        )


def support_voice(lang: str = "fr") -> list[Example]:
    """Our own support-group voice: benign accounts and hostile replies, written for
    Entrenous; its `split` column holds a quarter out for evaluation only."""
    path = DATA / f"support_voice_{lang}.csv"
    return [
        Example(ex.text, ex.labels, ex.benign, lang, f"support_voice_{lang}", ex.split)
        for ex in read_labelled(path)
    ]


SOURCES = (
    Source(
        "mlma_fr",
        "mlma",
        "fr",
        "MIT",
        "Ousidhoum et al., Multilingual and Multi-Aspect Hate Speech Analysis (EMNLP 2019), "
        "HKUST-KnowComp/MLMA_hate_speech @ 4798369",
        "`normal` → all six 0; offensive, abusive, hateful or disrespectful → toxicity 1; "
        "abusive → insult 1; hateful towards origin, gender, sexual orientation, religion or "
        "disability → identity_attack 1; `fearful` alone → row left out; the rest unset",
        _mlma("fr"),
    ),
    Source(
        "mlma_en",
        "mlma",
        "en",
        "MIT",
        "Ousidhoum et al. (EMNLP 2019), same repository",
        "as mlma_fr",
        _mlma("en"),
    ),
    Source(
        "ftr_fr",
        "ftr_fr",
        "fr",
        "MIT",
        "French tweets on racism, NataliaVanetik/FTR-dataset @ 324f4e8",
        "racist → toxicity 1 and identity_attack 1; not racist → identity_attack 0, the "
        "other labels unset (not racist does not mean not toxic)",
        _ftr,
        repeat=2,
    ),
    Source(
        "davidson_en",
        "davidson_en",
        "en",
        "MIT",
        "Davidson et al., Automated Hate Speech Detection and the Problem of Offensive "
        "Language (ICWSM 2017), t-davidson/hate-speech-and-offensive-language @ cb50f7e",
        "hate → toxicity 1 and identity_attack 1; offensive → toxicity 1; neither → all six 0",
        _davidson,
    ),
    Source(
        "toxic_spans_en",
        "toxic_spans_en",
        "en",
        "CC0",
        "Pavlopoulos et al., Toxic Spans Detection (SemEval 2021, ACL 2022), "
        "ipavlopoulos/toxic_spans @ beaf170, a subset of Civil Comments",
        "toxicity = share of annotators who found it toxic; insult, obscene, identity_attack "
        "and threat = share who marked a span of that type; severe_toxicity unset",
        _toxic_spans,
    ),
    Source(
        "counsel_chat_en",
        "counsel_chat_en",
        "en",
        "MIT",
        "Bertagnolli, Counsel Chat: Bootstrapping High-Quality Therapy Data (2020), "
        "nbertagnolli/counsel-chat @ e202e19",
        "questions and therapists' answers → all six 0 (benign but sensitive); 30% of the "
        "questions held out, their answers not used",
        _counsel_chat,
    ),
    Source(
        "jigsaw_sample",
        "jigsaw_sample",
        "en",
        "CC0",
        "Jigsaw Toxic Comment Classification sample, IBM/MAX-Toxic-Comment-Classifier @ 8170c0b",
        "Jigsaw's six labels, renamed as Detoxify does; evaluation only",
        _jigsaw_sample,
    ),
)


def demo_posts(boards: object) -> list[Example]:
    """The demo's 102 posts (`flask forum seed-demo`, given as `forum.demo_content.BOARDS`),
    written for the forum before the model existed and never trained on: benign French in the
    forum's own voice, for evaluation."""
    bodies: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("body"), str):
                bodies.append(node["body"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(boards)
    zero = labels(**dict.fromkeys(LABELS, 0.0))
    return [Example(body, zero, True, "fr", "demo_posts", "heldout") for body in bodies]


SUPPORT_SOURCES = tuple(
    Source(
        f"support_voice_{lang}",
        "moderation/classifier/data",
        lang,
        "AGPL-3.0-or-later (this project)",
        f"written for Entrenous: {language} support-group voice, benign accounts (long and "
        "short, self-critical lines included) and judgmental or hostile replies",
        "benign → all six 0 (swearing about one's own life included); hostile → toxicity 1 "
        "and the kinds of hostility it shows",
        lambda _root, lang=lang: iter(support_voice(lang)),  # type: ignore[misc]
        repeat=repeat,
    )
    for lang, language, repeat in (("fr", "French", 4), ("en", "English", 2))
)


def read_sources(root: Path) -> list[tuple[Source, list[Example]]]:
    """Every source found under `root` (../shared/datasets/toxicity), and our own set."""
    found: list[tuple[Source, list[Example]]] = []
    for source in SOURCES:
        folder = root / source.folder
        if not folder.is_dir():
            raise DataError(f"{folder}: missing (expected the {source.name} source there)")
        try:
            examples = [ex for ex in source.read(folder) if ex.text.strip()]
        except (OSError, KeyError, csv.Error, UnicodeDecodeError) as error:
            raise DataError(f"{folder}: cannot read {source.name}: {error!r}") from error
        found.append((source, examples))
    found += [(source, list(source.read(DATA))) for source in SUPPORT_SOURCES]
    return found
