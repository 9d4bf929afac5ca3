"""The pipeline's rules as pure functions: personal data, crisis, thresholds, sentences.

No database and no app: these run in milliseconds and say exactly which text goes where.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import pytest

from moderation import settings
from moderation.classifier import scoring
from moderation.rules import crisis, privacy
from moderation.settings import DEFAULT_THRESHOLDS, LABELS, LEVELS, InvalidThresholds
from moderation.workflow.pipeline import Action, judge


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in privacy.find(text)]


# Personal data


@pytest.mark.parametrize(
    "number",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "0612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "+32 470 12 34 56",
        "+41 79 123 45 67",
        "079 123 45 67",
        "(415) 555-0134",
        "415.555.0134",
    ],
)
def test_phone_numbers_are_found_in_french_and_english_formats(number):
    assert kinds(f"Appelle-moi au {number} ce soir.") == [("phone", number)]


@pytest.mark.parametrize(
    "helpline",
    ["3114", "09 72 39 40 50", "1-866-277-3553", "988", "112", "SOS Amitié 09 72 39 40 50"],
)
def test_help_lines_are_meant_to_be_shared(helpline):
    assert privacy.find(f"Si ça ne va pas, appelle le {helpline}, ils m'ont aidée.") == []


def test_each_number_in_a_text_is_listed_in_order():
    assert kinds("Le 3114 m'a aidée. Mon fixe : 01 23 45 67 89, mon portable 0612345678.") == [
        ("phone", "01 23 45 67 89"),
        ("phone", "0612345678"),
    ]


@pytest.mark.parametrize(
    "address", ["lou.martin@example.fr", "sam+forum@mail.co.uk", "Prenom.Nom@Gmail.com"]
)
def test_email_addresses_are_found(address):
    assert kinds(f"Écris-moi à {address} si tu veux.") == [("email", address)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("J'habite au 12 rue des Lilas, à côté du parc.", "12 rue des Lilas"),
        ("Viens au 3 bis avenue Jean Jaurès", "3 bis avenue Jean Jaurès"),
        ("I live at 221 Baker Street, come by.", "221 Baker Street"),
        ("We meet at 10 Downing St. on Fridays", "10 Downing St."),
    ],
)
def test_street_addresses_are_found(text, found):
    [(kind, match)] = kinds(text)
    assert kind == "address"
    assert match.startswith(found)


@pytest.mark.parametrize(
    "link",
    [
        "https://www.facebook.com/lou.martin",
        "instagram.com/loulou_92",
        "https://t.me/loulou",
        "tiktok.com/@loulou",
    ],
)
def test_links_to_social_profiles_are_found(link):
    assert kinds(f"Mon profil : {link} ajoute-moi") == [("social", link)]


def test_a_fediverse_handle_is_a_social_profile():
    assert kinds("Retrouve-moi sur @lou@mastodon.social") == [("social", "@lou@mastodon.social")]


def test_a_fediverse_handle_is_flagged_at_all():
    assert privacy.find("Retrouve-moi sur @lou@mastodon.social")


@pytest.mark.parametrize(
    "text",
    [
        "Le 12/03/2024 j'ai enfin parlé à mon médecin.",
        "Du 12.03.2024 au 15.04.2024, puis 2024-05-01.",
        "Depuis 3 ans et 2 mois, et 12 jours.",
        "Entre 2015 et 2019, puis en 2021, 2022 et 2023.",
        "Je prends 2 comprimés par jour, 20 mg 2 fois par jour pendant 10 jours.",
        "La séance coûte 45 €, le traitement 1 200 euros, 1 500,00 € en tout.",
        "It cost me $1,200.00 and 3 years.",
        "De 09h00 à 12h00, 1h30 de route.",
        "J'ai 45 ans, 3 enfants et 2 divorces.",
        "120 000 personnes sont concernées, 10 12 14 16 18.",
        "Appelle le 3114 ou SOS Amitié au 09 72 39 40 50.",
        "Je suis dans une impasse, à la place de mon frère.",
        "Écris-moi en message privé.",
    ],
)
def test_ordinary_numbers_and_words_are_not_flagged(text):
    assert privacy.find(text) == []


def test_classes_per_week_are_not_an_address():
    assert privacy.find("Je vais à 2 cours de yoga par semaine, ça m'aide.") == []


# Crisis


@pytest.mark.parametrize(
    "text",
    [
        "Je veux en finir, tout le monde serait mieux sans moi",
        "JE VEUX EN FINIR",
        "J'ai envie de mourir.",
        "J’ai envie de mourir.",
        "Je n'ai plus envie de vivre.",
        "Je ne veux plus vivre comme ça.",
        "Je pense au suicide tous les soirs.",
        "Je vais me suicider ce soir.",
        "J'ai mis de côté des cachets.",
        "Je me scarifie depuis deux semaines.",
        "Ma famille serait mieux sans moi.",
        "I want to kill myself.",
        "I am going to kill myself.",
        "I don't want to live anymore.",
        "Everyone would be better off without me.",
        "I'm suicidal.",
        "I've been saving up my pills.",
        "I'm thinking about ending it.",
        "I wrote my suicide note.",
    ],
)
def test_crisis_is_detected_in_french_and_english(text):
    assert crisis.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "I'm going to kill myself tonight.",
        ),
        pytest.param(
            "i wanna die",
        ),
        pytest.param(
            "J'ai envie d'en finir.",
        ),
    ],
)
def test_common_contractions_are_crises_too(text):
    assert crisis.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "Je suis mort de rire.",
        "Ce film est à mourir de rire.",
        "Mon père voulait en finir avec ce travail.",
        "Il y a dix ans, je voulais mourir ; aujourd'hui ça va mieux.",
        "Le suicide de mon frère m'a détruit.",
        "Comment aider un ami qui pense au suicide ?",
        "I want to kill this bug in my code.",
        "I could kill for a coffee.",
        "My friend said he wants to die, how do I help?",
        "I wanted to die ten years ago, now I am better.",
        "",
    ],
)
def test_crisis_is_not_read_into_ordinary_words(text):
    assert not crisis.detect(text)


@pytest.mark.parametrize(
    "text",
    [
        "Je veux en finir avec ce dossier administratif.",
        "Je veux mourir de rire avec vous.",
        "I cut myself shaving this morning.",
        "I want to end it with my boyfriend.",
    ],
)
def test_crisis_words_about_something_else(text):
    assert not crisis.detect(text)


# Thresholds and judgment


def at(label: str, value: float) -> dict[str, float]:
    scores = dict.fromkeys(LABELS, 0.01)
    scores[label] = value
    return scores


JUDGE = {"board_thresholds": None, "prior": (), "confirmed": False, "fallback": "hold"}
EXPECTED = {
    "queue": Action.PUBLISH_AND_QUEUE,
    "nudge": Action.NUDGE,
    "hold": Action.HOLD,
}


@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize("level", LEVELS)
def test_each_label_reaches_each_level_at_its_default_threshold(label, level):
    threshold = DEFAULT_THRESHOLDS[level][label]
    verdict = judge(at(label, threshold), **JUDGE)
    assert verdict.action == EXPECTED[level]
    assert "toxicity" in verdict.reasons
    # Just under the threshold, the level below applies.
    below = judge(at(label, threshold - 0.001), **JUDGE)
    lower = LEVELS.index(level) - 1
    assert below.action == (EXPECTED[LEVELS[lower]] if lower >= 0 else Action.PUBLISH)


def test_clean_scores_publish_without_reasons():
    verdict = judge(at("toxicity", 0.1), **JUDGE)
    assert verdict.action == Action.PUBLISH
    assert verdict.reasons == ()
    assert verdict.scores["toxicity"] == 0.1


def test_the_highest_level_any_label_reaches_wins():
    scores = at("toxicity", 0.5) | {"threat": 0.65}  # queue for toxicity, hold for threat
    assert judge(scores, **JUDGE).action == Action.HOLD


def test_board_overrides_lower_and_raise_thresholds():
    scores = at("toxicity", 0.55)
    strict = {"hold": {"toxicity": 0.5}, "nudge": {"toxicity": 0.4}, "queue": {"toxicity": 0.3}}
    assert judge(scores, **(JUDGE | {"board_thresholds": strict})).action == Action.HOLD
    lenient = {"queue": {"toxicity": 0.7}, "nudge": {"toxicity": 0.85}, "hold": {"toxicity": 0.95}}
    assert judge(at("toxicity", 0.9), **(JUDGE | {"board_thresholds": lenient})).action == (
        Action.NUDGE
    )
    assert judge(scores, **(JUDGE | {"board_thresholds": lenient})).action == Action.PUBLISH


@pytest.mark.parametrize("value", [0.5, 0.7, 0.99])
def test_a_person_in_crisis_is_never_nudged_nor_held(value):
    verdict = judge(at("toxicity", value), **(JUDGE | {"prior": ("crisis",)}))
    assert verdict.action == Action.PUBLISH_AND_QUEUE
    assert verdict.crisis


def test_crisis_is_published_and_queued_even_without_scores():
    verdict = judge(None, **(JUDGE | {"prior": ("crisis",), "fallback": "hold"}))
    assert verdict.action == Action.PUBLISH_AND_QUEUE
    assert verdict.reasons == ("crisis", "unscored")


def test_a_new_members_clean_post_is_held():
    verdict = judge(at("toxicity", 0.1), **(JUDGE | {"prior": ("new_member",)}))
    assert verdict.action == Action.HOLD
    assert verdict.reasons == ("new_member",)


def test_posting_anyway_after_a_nudge_holds_with_reason_confirmed():
    verdict = judge(at("toxicity", 0.7), **(JUDGE | {"confirmed": True}))
    assert verdict.action == Action.HOLD
    assert verdict.reasons == ("toxicity", "confirmed")
    # Confirming does not soften a hold nor harden a clean post.
    assert judge(at("toxicity", 0.1), **(JUDGE | {"confirmed": True})).action == Action.PUBLISH


@pytest.mark.parametrize(
    ("fallback", "action"),
    [("hold", Action.HOLD), ("publish_and_queue", Action.PUBLISH_AND_QUEUE)],
)
def test_without_scores_the_board_fallback_applies(fallback, action):
    verdict = judge(None, **(JUDGE | {"fallback": fallback}))
    assert verdict.action == action
    assert verdict.reasons == ("unscored",)


def test_without_scores_a_new_member_is_held_whatever_the_fallback():
    verdict = judge(None, **(JUDGE | {"prior": ("new_member",), "fallback": "publish_and_queue"}))
    assert verdict.action == Action.HOLD


def test_other_reasons_queue_a_clean_post():
    verdict = judge(at("toxicity", 0.1), **(JUDGE | {"prior": ("privacy",)}))
    assert verdict.action == Action.PUBLISH_AND_QUEUE


def test_a_nudge_points_at_three_sentences_at_most_and_only_hurtful_ones():
    ranked = [
        ("Tu es nul.", 0.7),
        ("Franchement nul.", 0.69),
        ("Vraiment nul.", 0.68),
        ("Encore nul.", 0.67),
        ("Merci quand même.", 0.01),
    ]
    verdict = judge(at("toxicity", 0.7), **JUDGE, sentences=ranked)
    assert verdict.action == Action.NUDGE
    assert verdict.sentences == (
        ("Tu es nul.", 0.7),
        ("Franchement nul.", 0.69),
        ("Vraiment nul.", 0.68),
    )
    kind_only = judge(at("toxicity", 0.7), **JUDGE, sentences=[("Merci.", 0.01)])
    assert kind_only.sentences == ()


def test_only_a_nudge_points_at_sentences():
    ranked = [("Espèce d'idiot.", 0.95), ("Bonjour.", 0.01)]
    assert judge(at("toxicity", 0.95), **JUDGE, sentences=ranked).sentences == ()


def test_a_nudge_does_not_point_at_a_sentence_below_the_nudge_threshold():
    ranked = [("Ton idée est nulle.", 0.7), ("Je suis fatiguée ce soir.", 0.25)]
    verdict = judge(at("toxicity", 0.7), **JUDGE, sentences=ranked)
    assert verdict.sentences == (("Ton idée est nulle.", 0.7),)


# Settings


def test_thresholds_merge_board_overrides_over_the_defaults():
    merged = settings.thresholds({"hold": {"toxicity": 0.9}, "junk": {"x": 1}})
    assert merged["hold"]["toxicity"] == 0.9
    assert merged["hold"]["insult"] == DEFAULT_THRESHOLDS["hold"]["insult"]
    assert "junk" not in merged
    assert settings.thresholds({"hold": {"toxicity": True}})["hold"]["toxicity"] == 0.8
    assert settings.thresholds(None) == DEFAULT_THRESHOLDS


def test_defaults_are_ordered_queue_nudge_hold():
    for label in LABELS:
        q, n, h = (DEFAULT_THRESHOLDS[level][label] for level in LEVELS)
        assert 0 < q < n < h <= 1
    assert DEFAULT_THRESHOLDS["hold"]["toxicity"] == 0.8  # Coral, discourse-ai
    assert DEFAULT_THRESHOLDS["hold"]["severe_toxicity"] == 0.3


def test_valid_overrides_come_back_as_floats():
    clean = settings.validated({"hold": {"toxicity": 1}, "queue": {"insult": 0.2}})
    assert clean == {"hold": {"toxicity": 1.0}, "queue": {"insult": 0.2}}
    assert isinstance(clean["hold"]["toxicity"], float)
    assert settings.validated({}) == {}


@pytest.mark.parametrize(
    "overrides",
    [
        {"block": {"toxicity": 0.5}},
        {"hold": {"rudeness": 0.5}},
        {"hold": 0.5},
        {"hold": {"toxicity": "0.5"}},
        {"hold": {"toxicity": None}},
        {"hold": {"toxicity": True}},
        {"hold": {"toxicity": 1.5}},
        {"queue": {"toxicity": -0.1}},
        {"queue": {"toxicity": 0.7}},  # above the default nudge (0.6)
        {"nudge": {"insult": 0.7}},  # above the default hold (0.6)
        {"hold": {"toxicity": 0.9}, "nudge": {"toxicity": 0.95}},
    ],
)
def test_invalid_overrides_are_refused(overrides):
    with pytest.raises(InvalidThresholds):
        settings.validated(overrides)


def test_a_nan_is_refused():
    with pytest.raises(InvalidThresholds):
        settings.validated({"hold": {"toxicity": math.nan}})


# Sentences and scores


class Diluting:
    """Like a real model, a long text dilutes one hurtful word: the share of such words."""

    name = "diluting"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.batches.append(list(texts))
        out = []
        for text in texts:
            words = re.findall(r"\w+", text.lower())
            share = sum(word == "idiot" for word in words) / max(1, len(words))
            out.append({"toxicity": share, "insult": share, "unknown": 0.9})
        return out


def test_sentences_split_on_punctuation_and_lines():
    text = "Bonjour à tous. Ça va ?\nMoi, pas trop… Merci!  Fin"
    assert scoring.sentences(text) == [
        "Bonjour à tous.",
        "Ça va ?",
        "Moi, pas trop…",
        "Merci!",
        "Fin",
    ]
    assert scoring.sentences("   ") == []


class Pointed:
    """0.9 for a text holding "idiot", 0.01 otherwise; remembers its batches."""

    name = "pointed"

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
        self.batches.append(list(texts))
        return [{"toxicity": 0.9 if "idiot" in text else 0.01, "unknown": 0.5} for text in texts]


def test_sentences_are_ranked_when_the_text_scores_something():
    text = "Merci pour tout. Mais toi, tu es un idiot. Bonne soirée."
    scorer = Pointed()
    scores, ranked = scoring.score_text(scorer, text)
    assert scorer.batches == [[text], scoring.sentences(text)]
    assert scores["toxicity"] == 0.9
    assert ranked[0] == ("Mais toi, tu es un idiot.", 0.9)
    assert [score for _, score in ranked[1:]] == [0.01, 0.01]
    assert set(scores) == set(LABELS)  # unknown labels dropped, missing ones at 0
    assert scores["threat"] == 0.0


def test_a_calm_text_is_scored_once_and_nothing_is_pointed_at():
    scorer = Pointed()
    scores, ranked = scoring.score_text(scorer, "Merci pour tout. Bonne soirée.")
    assert scorer.batches == [["Merci pour tout. Bonne soirée."]]
    assert ranked == [] and scores["toxicity"] == 0.01


def test_the_verdict_rests_on_the_whole_text_not_on_one_sentence():
    """A sentence alone ("je suis nulle") reads like an insult to a small model; the
    Detoxify scorer reads long texts in windows instead (tests/moderation/test_detox.py)."""
    kind = " ".join(f"Merci pour ton message numéro {n}, il m'a fait du bien." for n in range(30))
    text = f"{kind} Mais toi, tu es un idiot."
    scorer = Diluting()
    scores, ranked = scoring.score_text(scorer, text)
    assert scores["toxicity"] == pytest.approx(scorer.score([text])[0]["toxicity"])
    assert ranked == []  # nothing worth pointing at by the whole text's score


def test_many_texts_are_scored_in_one_batch():
    scorer = Pointed()
    texts = ["Tu es un idiot. Voilà.", "Merci.", "Bonjour. Au revoir."]
    results = scoring.score_many(scorer, texts)
    assert scorer.batches == [texts, ["Tu es un idiot.", "Voilà."]]
    assert [r[0]["toxicity"] for r in results] == [0.9, 0.01, 0.01]
    assert [len(r[1]) for r in results] == [2, 0, 0]


def test_a_single_sentence_is_scored_once():
    scorer = Diluting()
    scores, ranked = scoring.score_text(scorer, "Tu es un idiot")
    assert scorer.batches == [["Tu es un idiot"]]
    assert ranked == []
    assert scores["insult"] == pytest.approx(0.25)


def test_a_very_long_post_is_ranked_in_at_most_max_sentences_chunks():
    parts = [f"Phrase {n} idiot." for n in range(scoring.MAX_SENTENCES * 2 + 5)]
    chunks = scoring.sentences(" ".join(parts))
    assert len(chunks) <= scoring.MAX_SENTENCES
    assert " ".join(chunks) == " ".join(parts)  # nothing lost, order kept
    scorer = Pointed()
    scoring.score_text(scorer, " ".join(parts))
    assert [len(batch) for batch in scorer.batches] == [1, len(chunks)]


def test_scores_are_clamped_and_nan_dropped():
    class Odd:
        name = "odd"

        def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
            return [{"toxicity": 1.7, "insult": -0.2, "threat": math.nan} for _ in texts]

    scores, _ = scoring.score_text(Odd(), "Un texte.")
    assert scores["toxicity"] == 1.0
    assert scores["insult"] == 0.0
    assert scores["threat"] == 0.0


def test_a_scorer_giving_the_wrong_number_of_results_is_an_error():
    class Short:
        name = "short"

        def score(self, texts: Sequence[str]) -> list[dict[str, float]]:
            return [{"toxicity": 0.5}]

    with pytest.raises(ValueError, match="1 results for 2 texts"):
        scoring.score_text(Short(), "Une phrase. Une autre.")


def test_an_unknown_scorer_is_unavailable_and_remembered():
    registry = scoring.Registry()
    with pytest.raises(scoring.ScorerUnavailable):
        registry.get("tests.scorers:Missing")
    assert registry.status("tests.scorers:Missing") == "unavailable"
    assert registry.get("tests.scorers:Lexicon").name == "lexicon"
    assert registry.status("tests.scorers:Lexicon") == "ok"
