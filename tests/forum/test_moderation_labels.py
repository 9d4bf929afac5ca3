"""One table of labels for the moderation vocabulary: every word has one, in French too."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from forum import moderation_labels as labels
from moderation.workflow import vocabulary

TABLES = [
    (labels.REPORT_REASONS, vocabulary.ReportReason),
    (labels.DECISION_REASONS, vocabulary.Reason),
    (labels.DECISION_ACTIONS, vocabulary.DecisionAction),
    (labels.ITEM_REASONS, vocabulary.ItemReason),
]


@pytest.mark.parametrize(("table", "words"), TABLES, ids=lambda x: getattr(x, "__name__", ""))
def test_every_word_has_a_label_and_only_words_do(table, words):
    assert set(table) == set(words)


@pytest.mark.parametrize(("table", "words"), TABLES, ids=lambda x: getattr(x, "__name__", ""))
def test_labels_are_translated_and_found_by_the_stored_string(app, table, words):
    with app.test_request_context(), force_locale("fr"):
        for word in words:
            french = str(table[word.value])  # the database gives back plain strings
            with force_locale("en"):
                english = str(table[word])
            assert french and english
            assert french != english or word in {"crisis"}, word
