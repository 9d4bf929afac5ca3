"""The detectors read a text as a reader sees it: invisible characters, fillers, compatibility
forms, look-alike letters and spaced-out letters do not hide a phone number, an e-mail
address, a cry for help or an insult (moderation/rules/normalise.py)."""

from __future__ import annotations

import json
import time
import unicodedata

import pytest

from moderation.classifier import scoring
from moderation.rules import crisis, normalise, privacy
from tests.conftest import shared_path
from tests.scorers import Lexicon

# The characters of issue 16, and the usual suspects around them.
NAMED = [
    *map(chr, range(0x200B, 0x2010)),  # zero-width space, non-joiner, joiner, LRM, RLM
    *map(chr, range(0x202A, 0x202F)),  # bidi embeddings and overrides
    *map(chr, range(0x2060, 0x2065)),  # word joiner, invisible operators
    *map(chr, range(0x2066, 0x206A)),  # bidi isolates
    "\ufeff",  # zero-width no-break space (BOM)
    "\u034f",  # combining grapheme joiner
    "\u180e",  # Mongolian vowel separator
    "\u115f",  # Hangul choseong filler
    "\u1160",  # Hangul jungseong filler
    "\u3164",  # Hangul filler
    "\uffa0",  # halfwidth Hangul filler
    "\u2800",  # Braille pattern blank
    "\ufe00",  # variation selector-1
    "\ufe0f",  # variation selector-16
    "\U000e0100",  # variation selector-17
    "\U000e01ef",  # variation selector-256
    "\U000e0001",  # language tag
    "\U000e0020",  # tag space
    "\U000e007f",  # cancel tag
    "\u00ad",  # soft hyphen
]
ID = {c: f"U+{ord(c):04X}" for c in NAMED}


def naughty_strings() -> list[str]:
    path = shared_path("corpora", "security", "naughty_strings_blns.json")
    return [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str)]


def corpus_invisibles() -> list[str]:
    """The corpus's format (Cf) and default-ignorable characters."""
    found = {
        c
        for s in naughty_strings()
        for c in s
        if unicodedata.category(c) == "Cf" or c in normalise.default_ignorable()
    }
    return sorted(found)


# --- the functions --------------------------------------------------------------------------


@pytest.mark.parametrize("char", NAMED, ids=ID.get)
def test_every_named_invisible_character_is_removed(char):
    assert normalise.for_detection(f"id{char}iot") == "idiot"
    assert normalise.invisible_characters(f"id{char}i{char}ot") == [char]
    assert not normalise.visible(char * 3)


def test_every_invisible_or_format_character_of_the_corpus_is_removed():
    chars = corpus_invisibles()
    assert len(chars) > 100, "the corpus holds a string of format characters"
    kept = [f"U+{ord(c):04X}" for c in chars if normalise.for_detection(f"a{c}b") != "ab"]
    assert kept == []


def test_default_ignorables_match_the_unicode_property():
    """Derived from unicodedata and PropList.txt as DerivedCoreProperties.txt does; checked
    against the `regex` module's own table (it ships with transformers)."""
    regex = pytest.importorskip("regex")
    prop = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    expected = {
        chr(cp)
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF and prop.match(chr(cp)) is not None
    }
    ours = normalise.default_ignorable()
    assert sorted(f"U+{ord(c):04X}" for c in expected ^ ours) == []
    assert all(normalise.for_detection(f"a{c}b") == "ab" for c in expected)


def test_the_normaliser_never_raises_and_keeps_the_text_typed():
    for text in naughty_strings():
        copy = str(text)
        readable = normalise.for_detection(text)
        assert isinstance(readable, str)
        assert not normalise.invisible_characters(readable), repr(text)
        assert text == copy  # the stored text is never what the detectors read
        assert isinstance(normalise.visible(text), bool)


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\u200b",
        "\u3164",
        "\u2800\u2800",
        " \u200b\n\ufeff ",
        "\u202e",
        "\x01\x7f",
        "\u0301",
    ],
)
def test_texts_that_show_nothing(text):
    assert not normalise.visible(text)


@pytest.mark.parametrize("text", ["a", " .", "\u200bé", "李", "🙂", "\u0600", "x\u0301"])
def test_texts_that_show_something(text):
    assert normalise.visible(text)


def test_invisible_characters_are_listed_once_in_order():
    assert normalise.invisible_characters("a\u200bb\u3164c\u200b") == ["\u200b", "\u3164"]
    assert normalise.invisible_characters("Bonjour à tous\u00a0!\n") == []


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("ｉｄｉｏｔ", "idiot"),  # fullwidth
        ("𝐢𝐝𝐢𝐨𝐭", "idiot"),  # mathematical bold
        ("\u0456d\u0456\u043et", "idiot"),  # Cyrillic і and о
        ("\u0430dm\u0456n", "admin"),  # all look-alikes
        ("p\u0430yp\u0430l", "paypal"),
        ("déprimée", "déprimée"),  # accents stay
        ("Straße, œuvre, ıi", "Straße, œuvre, ıi"),  # Latin letters stay
        ("привет", "привет"),  # a Russian word is not folded
        ("Αθήνα", "Αθήνα"),
        ("Tu\u3164es\u3164un\u3164idiot", "Tu es un idiot"),  # fillers as spaces
        ("Tu es un id\u3164iot", "Tu es un idiot"),  # a filler inside a word
        ("Tu es un id\u2800iot", "Tu es un idiot"),
        ("id\u3164iot", "idiot"),  # one filler, no space: one word
        ("c o n n a r d", "connard"),
        ("f.u.c.k", "fuck"),
        ("f . u . c . k off", "fuck off"),
        ("je veux m o u r i r ce soir", "je veux mourir ce soir"),
        ("m-o-u-r-i-r", "mourir"),
        ("a b", "a b"),
        ("Je t'aime à la folie", "Je t'aime à la folie"),
        ("il n y a plus rien", "il n y a plus rien"),  # words of one letter
        ("y a-t-il quelqu'un ?", "y a-t-il quelqu'un ?"),
        ("a.b.c@exemple.fr", "a.b.c@exemple.fr"),
        ("a.a.a.ab", "a.a.a.ab"),
    ],
)
def test_what_the_detectors_read(text, read):
    assert normalise.for_detection(text) == read


@pytest.mark.parametrize("unit", ["a.", "a ", "a b ", "\u3164a ", "a\u200b", "\u0456d ", "f.u."])
def test_a_long_hostile_text_is_read_quickly(unit):
    text = (unit * (20_000 // len(unit) + 1))[:20_000]
    normalise.for_detection(text)  # tables built once per process
    start = time.perf_counter()
    normalise.for_detection(text)
    assert time.perf_counter() - start < 1.0


# --- the detectors --------------------------------------------------------------------------

CHARS = pytest.mark.parametrize("char", NAMED, ids=ID.get)


@CHARS
def test_a_phone_number_with_an_invisible_character_inside_is_found(char):
    text = f"Appelle-moi au 06 12{char}34 56 78 ce soir."
    assert [(f.kind, f.text) for f in privacy.find(text)] == [("phone", f"06 12{char}34 56 78")]
    spread = "0" + char.join("612345678")
    assert [f.kind for f in privacy.find(f"Mon numéro : {spread}")] == ["phone"]


@CHARS
def test_an_email_address_with_an_invisible_character_inside_is_found(char):
    for text in (
        f"Écris-moi : lou.mar{char}tin@gmail.com",
        f"Écris-moi : lou.martin{char}@gmail.{char}com",
    ):
        emails = [
            normalise.without_invisible(f.text) for f in privacy.find(text) if f.kind == "email"
        ]
        assert emails == ["lou.martin@gmail.com"], text


def test_the_corpus_invisibles_do_not_hide_a_phone_or_an_address():
    for char in corpus_invisibles():
        code = f"U+{ord(char):04X}"
        assert [f.kind for f in privacy.find(f"au 06 12 34{char}56 78")] == ["phone"], code
        assert [f.kind for f in privacy.find(f"lou{char}@gmail.com")] == ["email"], code


def test_look_alikes_and_fullwidth_digits_do_not_hide_personal_data():
    assert [f.kind for f in privacy.find("Mon numéro : ０６ １２ ３４ ５６ ７８")] == ["phone"]
    assert [f.kind for f in privacy.find("lou@gmail.\u0441\u043em")] == ["email"]  # Cyrillic с, о


def test_plain_personal_data_is_still_shown_as_typed():
    number = "06\u00a012\u00a034\u00a056\u00a078"  # no-break spaces, which NFKC would change
    assert [(f.kind, f.text) for f in privacy.find(f"Appelle au {number}.")] == [("phone", number)]


@pytest.mark.parametrize(
    "unit", ["06\u200b12 34 56 ", "lou\u200b@gmail.com ", "Marie\u200b Dupont ", "\u00a0é\u2026 "]
)
def test_a_long_disguised_post_is_checked_quickly(unit):
    text = (unit * (20_000 // len(unit) + 1))[:20_000]
    start = time.perf_counter()
    privacy.find(text)
    crisis.detect(text)
    assert time.perf_counter() - start < 1.5


@CHARS
def test_a_crisis_with_invisible_characters_is_detected(char):
    assert crisis.detect(f"Je veux mou{char}rir ce soir.")
    assert crisis.detect(f"I want to k{char}i{char}l{char}l myself.")


@pytest.mark.parametrize(
    "text",
    [
        "Je veux m o u r i r.",
        "je veux m.o.u.r.i.r ce soir",
        "Je vais me s-u-i-c-i-d-e-r.",
        "I want to k i l l myself.",
        "I want to d.i.e",
        "J'ai envie de mourіr.",  # Cyrillic і
        "J'ai envie d'en f i n i r.",
    ],
)
def test_a_crisis_spelled_to_dodge_the_patterns_is_detected(text):
    assert crisis.detect(text)


def test_what_was_not_a_crisis_still_is_not():
    assert not crisis.detect("Je ne veux pas m o u r i r, je veux vivre.")
    assert not crisis.detect("Il y a deux ans je voulais mou\u200brir.")


# --- the classifier's input -----------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u2800", "\u3164", "\u034f", "\u200b"], ids=ID.get)
def test_a_disguised_insult_scores_as_the_plain_one(char):
    plain, _ = scoring.score_text(Lexicon(), "Tu es un idiot")
    disguised, _ = scoring.score_text(Lexicon(), f"Tu es un id{char}iot")
    assert plain["insult"] == pytest.approx(0.9)
    assert abs(disguised["insult"] - plain["insult"]) <= 0.1
    assert abs(disguised["toxicity"] - plain["toxicity"]) <= 0.1


def test_every_named_character_inside_an_insult_is_seen_through():
    plain = scoring.score_text(Lexicon(), "Tu es un idiot")[0]["insult"]
    for char in NAMED:
        disguised = scoring.score_text(Lexicon(), f"Tu es un i{char}d{char}iot")[0]["insult"]
        assert disguised == plain, ID[char]


def test_the_sentences_pointed_at_are_read_as_the_reader_reads_them():
    _, ranked = scoring.score_text(Lexicon(), "Merci. Mais tu es un id\u3164iot.")
    assert ranked[0] == ("Mais tu es un idiot.", pytest.approx(0.95))


@pytest.fixture(scope="module")
def bundled():  # type: ignore[no-untyped-def]
    from moderation.classifier import detox

    return detox.load("bundled")


@pytest.mark.parametrize(
    "disguise",
    [
        pytest.param("You are a fu\u2800cking id\u2800iot, shut up.", id="U+2800"),
        pytest.param("You are a fu\u3164cking id\u3164iot, shut up.", id="U+3164"),
        pytest.param("You are a fu\u034fcking idi\u034fot, shut up.", id="U+034F"),
        pytest.param("You are a fu\ufe0fcking id\ufe0fiot, shut up.", id="U+FE0F"),
        pytest.param(
            "You\u3164are\u3164a\u3164fucking\u3164idiot,\u3164shut\u3164up.", id="fillers"
        ),
        pytest.param("You are a fu\u0441king \u0456d\u0456\u043et, shut up.", id="Cyrillic"),
    ],
)
def test_the_bundled_model_sees_through_the_disguise(bundled, disguise):
    plain, _ = scoring.score_text(bundled, "You are a fucking idiot, shut up.")
    disguised, _ = scoring.score_text(bundled, disguise)
    assert plain["toxicity"] > 0.8
    for label in ("toxicity", "insult"):
        assert abs(disguised[label] - plain[label]) <= 0.1, (label, disguised[label])
