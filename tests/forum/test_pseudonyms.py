import pytest
from sqlalchemy import func, select

from forum.accounts import pseudonyms
from models import User, db
from tests import factories


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
        ("ok\u200bname", "invisible"),  # zero-width space
        ("bidi\u202ename", "invisible"),  # right-to-left override
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


# Staff names and interface labels with an invisible character inside: a reader sees the
# name they hide (issue 16).
DISGUISED = [
    pytest.param("m\u034foderator", id="combining-grapheme-joiner"),
    pytest.param("a\ufe0fdmin", id="variation-selector-16"),
    pytest.param("mod\u115ferator", id="hangul-choseong-filler"),
    pytest.param("d\ufe0feleted", id="deleted-variation-selector"),
    pytest.param("a\ufe0fnonymous", id="anonymous-variation-selector"),
    pytest.param("ano\u3164nyme", id="anonyme-hangul-filler"),
    pytest.param("anc\u200bien membre", id="ancien-membre-zero-width"),
    pytest.param("Mod\u2800Team", id="braille-blank"),
    pytest.param("Mod\uffa0Team", id="halfwidth-filler"),
    pytest.param("Mod\U000e0041Team", id="tag-character"),
    pytest.param("Mod\u00adTeam", id="soft-hyphen"),
    pytest.param("Mod\u2060Team", id="word-joiner"),
    pytest.param("Mod\u2066Team\u2069", id="bidi-isolate"),
]


@pytest.mark.parametrize("raw", DISGUISED)
def test_invisible_characters_are_refused_before_anything_else(raw):
    assert pseudonyms.problem(pseudonyms.normalize(raw)) == "invisible"


@pytest.mark.parametrize(
    "raw",
    [
        "ancien membre",
        "Ancien Membre",
        "ancienne membre",
        "former member",
        "Former-Member",
        "\u0430ncien membre",  # Cyrillic а
        "the moderators",
        "Les modérateurs",
        "Modération",
        "Avis de l'équipe",
        "Notices",
        "anonyme",
        "Anonymous",
        "deleted",
        "Supprimé",
        "ModTeam",
        "mods",
    ],
)
def test_the_labels_the_interface_shows_for_people_are_reserved(raw):
    assert pseudonyms.problem(pseudonyms.normalize(raw)) == "reserved"


def test_an_erased_members_label_is_not_a_pseudonym(client, app):
    """The label an erased member's posts carry, in both languages, is taken by nobody."""
    for label in ("ancien membre", "former member"):
        response = client.post("/register", data={**SIGN_UP, "pseudonym": label})
        assert response.status_code == 400
        assert "réservé" in factories.text(response)
    assert members(app) == 0


SIGN_UP = {
    "password": factories.PASSWORD,
    "password_confirm": factories.PASSWORD,
    "accept_charter": "y",
}


def members(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize("raw", DISGUISED)
def test_the_sign_up_form_refuses_a_disguised_name_and_says_why(client, app, raw):
    response = client.post("/register", data={**SIGN_UP, "pseudonym": raw})
    assert response.status_code == 400
    page = factories.text(response)
    assert "caractère invisible ou de mise en forme" in page
    hidden = next(c for c in raw if pseudonyms.invisible(c))
    assert f"U+{ord(hidden):04X}" in page  # named as typed
    assert members(app) == 0


def test_the_message_is_in_english_too(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/register", data={**SIGN_UP, "pseudonym": "m\u034foderator"})
    assert response.status_code == 400
    assert "invisible or formatting character (U+034F)" in factories.text(response)


def test_nobody_can_pose_as_a_member_with_a_filler_inside(client, app):
    """A Hangul filler (U+3164) inside "ModTeam" shows nothing: refused, and the skeleton
    no longer tells them apart either."""
    with app.app_context():
        factories.user("ModTeam")
    response = client.post("/register", data={**SIGN_UP, "pseudonym": "M\u3164odTeam"})
    assert response.status_code == 400
    assert "U+3164" in factories.text(response)
    assert members(app) == 1
    assert pseudonyms.skeleton("M\u3164odTeam") == pseudonyms.skeleton("ModTeam")


def test_a_plain_pseudonym_still_signs_up(client, app):
    response = client.post("/register", data={**SIGN_UP, "pseudonym": "Colibri Serein"})
    assert response.status_code == 302
    assert members(app) == 1
