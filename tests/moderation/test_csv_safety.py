"""Every CSV the project writes opens in a spreadsheet as text: a member's words that begin
like a formula get a leading `'` (OWASP, "CSV Injection"); numbers stay numbers."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Post, db
from models.moderation import ReviewItem
from moderation import feedback
from moderation.classifier import csvsafe
from moderation.settings import LABELS
from moderation.workflow import decisions
from tests import factories
from tests.scorers import with_lexicon

HOSTILE = ['=HYPERLINK("http://x")', "@SUM(1)", "+1", "-1", "\t=1+1", "\r=1+1"]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        *((text, "'" + text) for text in HOSTILE),
        ("'=1+1", "''=1+1"),  # already quoted by its writer: read back, it is the same
        ("Bonjour = salut", "Bonjour = salut"),
        ("'tis fine", "'tis fine"),
        ("", ""),
        (-0.1, -0.1),  # a number the code computed is a number
        (1, 1),
        (None, None),
    ],
)
def test_a_cell_is_escaped_only_when_it_is_text_starting_like_a_formula(value, written):
    assert csvsafe.cell(value) == written
    if isinstance(value, str):
        assert csvsafe.unescape(written) == value


def test_export_labels_file_quotes_hostile_texts(tmp_path: Path) -> None:
    when = datetime(2026, 1, 2, 3, 4, 5)
    rows = [
        feedback.Row(text, 1, "removed", "attack", "entraide", when, {"toxicity": 0.95})
        for text in HOSTILE
    ]
    out = tmp_path / "labels.csv"
    assert feedback.write(out, rows) == len(HOSTILE)
    written = read_rows(out)
    assert [row["text"] for row in written] == ["'" + text for text in HOSTILE]
    assert [csvsafe.unescape(row["text"]) for row in written] == HOSTILE
    assert {(row["toxicity"], row["benign"], row["score_toxicity"]) for row in written} == {
        ("1", "0", "0.9500")
    }


@with_lexicon
def test_export_labels_command_writes_a_formula_as_text(app, runner, tmp_path) -> None:
    hostile = '=HYPERLINK("http://x", "idiot")'
    with app.app_context():
        board = factories.board("entraide", quorum=1)
        lou, mod = factories.user("Lou"), factories.user("Mod")
        factories.moderator(board, mod)
        post = factories.root_post(factories.thread(board, lou, "Un sujet", hostile))
        item = db.session.scalars(select(ReviewItem).where(ReviewItem.post_id == post.id)).one()
        decisions.decide(item, mod, "remove", reason="attack")
        assert db.session.get(Post, post.id) is not None
    out = tmp_path / "labels.csv"
    result = runner.invoke(args=["moderation", "export-labels", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert [row["text"] for row in read_rows(out)] == ["'" + hostile]


def test_score_command_writes_formulas_as_text(app, runner, tmp_path) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "@note"])
        writer.writerows([text, "-2"] for text in HOSTILE)
    out = tmp_path / "out.csv"
    result = runner.invoke(
        args=["moderation", "score", "--input", str(source), "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = read_rows(out)
    assert list(rows[0]) == ["text", "'@note", *LABELS]
    assert [row["text"] for row in rows] == ["'" + text for text in HOSTILE]
    assert {row["'@note"] for row in rows} == {"'-2"}  # a cell of the input: text
    assert all(0 <= float(row[label]) <= 1 for row in rows for label in LABELS)


def test_labelled_files_round_trip_formula_looking_texts(tmp_path):
    from moderation.classifier import datasets
    from moderation.classifier.datasets import Example

    texts = ['=HYPERLINK("http://x")', "-1 jour sans boire", "@Lou merci", "'=déjà cité", "Merci"]
    path = tmp_path / "held_out.csv"
    datasets.write_labelled(
        path,
        [Example(text=t, labels=(0.0,) * 6, benign=True, lang="fr", source="t") for t in texts],
    )
    raw = path.read_text(encoding="utf-8")
    assert "\n\"'=HYPERLINK" in raw and "\n'-1 jour" in raw and "\n''=déjà" in raw
    assert [e.text for e in datasets.read_labelled(path)] == texts
    assert [text for _, text in datasets.read_texts(path)] == texts
