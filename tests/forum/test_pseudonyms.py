import pytest

from forum.accounts import pseudonyms


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Alice", "\u0410lice"),  # Cyrillic capital A
        ("alice", "\u0430lice"),  # Cyrillic small a
        ("Alice", "AIice"),  # capital I for l
        ("Alice", "A.lice"),
        ("Alice", "Alicé"),
        ("llama", "I1ama"),  # capital I and digit 1 read as l
        ("Zoe", "Z0E"),
        ("Entrenous", "Ｅｎｔｒｅｎｏｕｓ"),  # fullwidth, folded by NFKC
    ],
)
def test_confusable_pseudonyms_share_a_skeleton(a, b):
    assert pseudonyms.skeleton(a) == pseudonyms.skeleton(b)


@pytest.mark.parametrize(("a", "b"), [("Alice", "Alina"), ("Marc", "Marie"), ("Lune", "Dune")])
def test_different_pseudonyms_keep_different_skeletons(a, b):
    assert pseudonyms.skeleton(a) != pseudonyms.skeleton(b)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("ab", "length"),
        ("x" * 33, "length"),
        ("ok\u200bname", "characters"),  # zero-width space
        ("bidi\u202ename", "characters"),  # right-to-left override
        ("tab\tname", "characters"),
        ("two  spaces", "characters"),
        ("<script>", "characters"),
        ("---", "characters"),
        ("admin", "reserved"),
        ("Modérateur", "reserved"),
        ("moderatrice", "reserved"),
        ("xX_Admin_Xx", "reserved"),
        ("\u0405\u0443\u0455t\u0435m", "reserved"),  # "System" in Cyrillic look-alikes
        ("Entre Nous", "reserved"),
    ],
)
def test_refused_pseudonyms(raw, problem):
    assert pseudonyms.problem(pseudonyms.normalize(raw)) == problem


@pytest.mark.parametrize(
    "raw", ["Zoé", "Colibri Serein", "marche-lente", "Lou_92", "李小龍", "Ólafur"]
)
def test_accepted_pseudonyms(raw):
    assert pseudonyms.problem(pseudonyms.normalize(raw)) is None


def test_suggestions_are_valid_pseudonyms():
    for _ in range(50):
        suggestion = pseudonyms.suggestion()
        assert pseudonyms.problem(suggestion) is None
