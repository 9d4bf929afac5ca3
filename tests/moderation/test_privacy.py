"""Personal data in French and English: what warns the author before publishing, and what
ordinary support-group writing must not trip (names, workplaces, phones, postcodes).

A warning costs the author one click, so the tables of harmless text matter as much as the
tables of personal data: a warning on every other post would be clicked through unread.
"""

from __future__ import annotations

import time

import pytest

from forum.moderation_labels import PRIVACY_KINDS
from moderation.rules import privacy


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in privacy.find(text)]


FRENCH = [
    ("Je m'appelle Marie Dupont et j'ai 40 ans.", "name", "Marie Dupont"),
    ("Mon mari Jean-Pierre Martin ne sait pas que j'écris ici.", "name", "Jean-Pierre Martin"),
    ("Kevin Tremblay de Laval m'a beaucoup aidé.", "name", "Kevin Tremblay"),
    ("Ma psy, le docteur Lefebvre, m'a conseillé d'écrire.", "name", "docteur Lefebvre"),
    ("J'ai croisé Mme Marie Dupont au marché.", "name", "Mme Marie Dupont"),
    ("M. Durand, mon voisin, sait tout.", "name", "M. Durand"),
    ("Ma sœur Marie-Ève Gagnon vit chez moi.", "name", "Marie-Ève Gagnon"),
    ("Mon ex, Julien LEROY, me harcèle.", "name", "Julien LEROY"),
    ("Ma fille Léa Le Goff a douze ans.", "name", "Léa Le Goff"),
    ("J'en ai parlé à Jean Paul Martin.", "name", "Jean Paul Martin"),
    ("Mon frère Mohamed Benali m'appelle tous les jours.", "name", "Mohamed Benali"),
    ("Son nom\u00a0: Hélène\u00a0Rousseau.", "name", "Hélène\u00a0Rousseau"),
    ("Je travaille chez Renault depuis dix ans.", "workplace", "Renault"),
    ("Je bosse à la Poste de Lyon.", "workplace", "Poste de Lyon"),
    ("Je suis infirmière au CHU de Nantes.", "workplace", "CHU de Nantes"),
    ("Je suis prof au collège Jean Moulin.", "workplace", "collège Jean Moulin"),
    ("Aide-soignante à l'EHPAD Les Glycines, je craque.", "workplace", "EHPAD Les Glycines"),
    ("J'ai été licenciée de Carrefour en mars.", "workplace", "Carrefour"),
    ("Mon chef à la SNCF me met la pression.", "workplace", "SNCF"),
    ("Je suis caissière chez Lidl à Namur.", "workplace", "Lidl à Namur"),
    ("Je travaille pour Hydro-Québec.", "workplace", "Hydro-Québec"),
    ("Je suis en stage chez L'Oréal.", "workplace", "L'Oréal"),
    ("Je travaille à l'hôpital Saint-Louis, de nuit.", "workplace", "hôpital Saint-Louis"),
    ("Appelle-moi au 02 512 34 56 ce soir.", "phone", "02 512 34 56"),
    ("Mon GSM : 0470/12.34.56", "phone", "0470/12.34.56"),
    ("Mon numéro belge : +32 470 12 34 56.", "phone", "+32 470 12 34 56"),
    ("Mon natel : 079 123 45 67.", "phone", "079 123 45 67"),
    ("Depuis la Suisse : +41 79 123 45 67.", "phone", "+41 79 123 45 67"),
    ("Mon cell : 514-555-1234.", "phone", "514-555-1234"),
    ("Texte-moi au (438) 555-1234.", "phone", "(438) 555-1234"),
    ("J'habite vers 75011 Paris.", "address", "75011 Paris"),
    ("Écris-moi à 1000 Bruxelles.", "address", "1000 Bruxelles"),
    ("On est à 4000 Liège.", "address", "4000 Liège"),
    ("Je vis à CH-1204 Genève.", "address", "CH-1204 Genève"),
    ("Mon code postal est H2X 1Y4.", "address", "H2X 1Y4"),
    ("Écris à lou.martin arobase gmail point com", "email", "lou.martin arobase gmail point com"),
    ("Mon insta : @loulou_92", "social", "@loulou_92"),
]

ENGLISH = [
    ("My therapist is Dr. Sarah Connor.", "name", "Dr. Sarah Connor"),
    ("My husband John Smith doesn't know I post here.", "name", "John Smith"),
    ("I told Emily O'Brien everything.", "name", "Emily O'Brien"),
    ("My sister Katie McDonald lives with us.", "name", "Katie McDonald"),
    ("Mr. Patel is my neighbour.", "name", "Mr. Patel"),
    ("Sarah Connor's office is on the third floor.", "name", "Sarah Connor"),
    ("My ex Michael Johnson-Reed keeps texting me.", "name", "Michael Johnson-Reed"),
    ("Dr. Tammy Nelson helped me a lot.", "name", "Dr. Tammy Nelson"),
    ("My son Liam Murphy is twelve.", "name", "Liam Murphy"),
    ("I met Aoife Byrne at the group.", "name", "Aoife Byrne"),
    ("I work at Amazon in Leeds.", "workplace", "Amazon in Leeds"),
    ("My boss at Tesco is awful.", "workplace", "Tesco"),
    ("I'm a nurse at St Mary's Hospital.", "workplace", "St Mary's Hospital"),
    ("I work for the NHS.", "workplace", "NHS"),
    ("I got fired from Walmart last year.", "workplace", "Walmart"),
    ("I'm a teacher at Oakwood Primary School.", "workplace", "Oakwood Primary School"),
    ("My co-workers at Google are kind.", "workplace", "Google"),
    ("I work at McDonald's on weekends.", "workplace", "McDonald's"),
    ("I volunteer at the Salvation Army.", "workplace", "Salvation Army"),
    ("I was laid off from Ford in May.", "workplace", "Ford"),
    ("I'm an engineer at Rolls-Royce.", "workplace", "Rolls-Royce"),
    ("Call me on 07700 900123.", "phone", "07700 900123"),
    ("From abroad: +44 7700 900123.", "phone", "+44 7700 900123"),
    ("My landline is 020 7946 0958.", "phone", "020 7946 0958"),
    ("My number is (415) 555-0134.", "phone", "(415) 555-0134"),
    ("Text me at +1 514 555 1234.", "phone", "+1 514 555 1234"),
    ("Email me: sam (at) example (dot) com", "email", "sam (at) example (dot) com"),
    ("Postcode SW1A 2AA, second floor.", "address", "SW1A 2AA"),
    ("I'm in Montreal, H3Z 2Y7.", "address", "H3Z 2Y7"),
    ("Write to Springfield, IL 62704 please.", "address", "Springfield, IL 62704"),
    ("Find me on Instagram @sam_rivers", "social", "@sam_rivers"),
    ("Add me: twitter.com/samrivers", "social", "twitter.com/samrivers"),
]


@pytest.mark.parametrize(("text", "kind", "text_found"), FRENCH + ENGLISH)
def test_personal_data_is_found(text, kind, text_found):
    assert found(text) == [(kind, text_found)]


HARMLESS_FRENCH = [
    "Merci Marie, ton message m'a touchée.",
    "Merci Marie Je vais un peu mieux.",
    "Coucou Julie Ça fait du bien de te lire.",
    "Salut Thomas Moi aussi je galère.",
    "Bravo Léa Tu peux être fière.",
    "Merci Claire Vraiment.",
    "Bonne année Julie Bisous",
    "Joyeux Noël Marie !",
    "Noël Dernier a été le plus dur.",
    "Le Premier Noël Sans Maman",
    "Paris Saint-Germain a gagné hier soir.",
    "Pierre Qui Roule n'amasse pas mousse.",
    "Je vous salue Marie Pleine de grâce.",
    "Sainte Marie, priez pour nous.",
    "Jeudi Marie m'a appelée.",
    "Je travaille avec Marie depuis longtemps.",
    "Je vais voir un docteur Lundi.",
    "Madame La Directrice m'a convoquée.",
    "Mon oncle joue les Monsieur Je-sais-tout.",
    "Je travaille sur moi depuis un an.",
    "Je travaille à mi-temps.",
    "Je travaille à Paris, dans le social.",
    "Je travaille au Québec depuis trois ans.",
    "Je travaille dans un EHPAD.",
    "Je travaille à l'hôpital, de nuit.",
    "Je suis aide-soignante à l'EHPAD.",
    "Je travaille dans la Fonction publique.",
    "Je bosse pour Noël cette année.",
    "Mon chef au travail ne comprend rien.",
    "En 2019 Marie est partie.",
    "En 1995 Paris était différent.",
    "Le 3114 Prévention Suicide m'a aidée.",
    "J'ai perdu 5000 Euros au jeu.",
    "Je prends 20 mg par jour depuis 3 ans.",
]

HARMLESS_ENGLISH = [
    "Thanks Sarah, your post helped.",
    "Thanks Sarah Hope things get better.",
    "Hi Emma Welcome to the group.",
    "Dear Emma Thank you for this.",
    "Love you Chloe Stay strong.",
    "Happy Christmas Emma!",
    "I miss Sarah so much.",
    "I miss Grandma.",
    "Will Anyone read this?",
    "May I ask something?",
    "Grace Under Pressure is my motto.",
    "Mr Right never came.",
    "Doctor Who is my comfort show.",
    "I saw a doctor. Many people do.",
    "I told my doctor Monday.",
    "Victoria Station was packed.",
    "Harry And I went out.",
    "My daughter Lily is five.",
    "I work at home most days.",
    "I work on myself every day.",
    "I work for myself now.",
    "I work at night.",
    "I work at Christmas this year.",
    "I work in a hospital.",
    "I work at a Tesco.",
    "My boss at work is kind.",
    "My team at Work is great.",
    "The NHS helped me.",
    "Look at google.com for help.",
    "It may at some point be better.",
    "I called the Samaritans on 116 123.",
    "It cost me $1,200 and 3 years.",
    "In 2019 my father died.",
]


@pytest.mark.parametrize("text", HARMLESS_FRENCH + HARMLESS_ENGLISH)
def test_ordinary_writing_is_not_flagged(text):
    assert found(text) == []


def test_a_street_named_after_someone_is_not_a_name():
    assert found("Je vis rue Victor Hugo, près du lycée Jules Ferry.") == []
    assert found("J'habite au 12 rue Victor Hugo.") == [("address", "12 rue Victor Hugo")]


def test_each_kind_is_listed_in_order_of_appearance():
    text = (
        "Je suis Marie Dupont, infirmière au CHU de Nantes, au 06 12 34 56 78 "
        "ou marie.dupont@example.fr."
    )
    assert found(text) == [
        ("name", "Marie Dupont"),
        ("workplace", "CHU de Nantes"),
        ("phone", "06 12 34 56 78"),
        ("email", "marie.dupont@example.fr"),
    ]


def test_a_workplace_is_shown_without_the_words_around_it():
    assert found("Je travaille chez Renault Je suis épuisée") == [("workplace", "Renault")]
    assert found("I work at Tesco at Christmas") == [("workplace", "Tesco")]


def test_every_kind_has_a_label_for_the_author():
    assert set(privacy.KINDS) <= set(PRIVACY_KINDS)
    assert {f.kind for text, *_ in FRENCH + ENGLISH for f in privacy.find(text)} == set(
        privacy.KINDS
    )


def test_the_first_names_are_a_clean_list():
    lines = privacy.FIRST_NAMES.read_text(encoding="utf-8").splitlines()
    names = [line for line in lines if line and not line.startswith("#")]
    assert 300 <= len(names) <= 1500
    assert all(name == name.strip() and " " not in name and name[0].isupper() for name in names)
    assert len({n.casefold() for n in names}) == len(names)
    # Words that open sentences or greetings are left out, whatever their use as names.
    assert not {"Noël", "France", "Grace", "Will", "May", "Hope", "Eve"} & set(names)


@pytest.mark.parametrize(
    "unit",
    [
        "Marie Dupont ",
        "Marie Marie ",
        "Dr Martin ",
        "je travaille chez Renault ",
        "travaille chez Aaaa Bbbb Cccc Dddd Eeee Ffff ",
        "Jean-Jean-Jean-",
        "d'A d'A ",
        "75011 Paris ",
        "a (at) b (dot) ",
        "insta @a ",
        "06 12 34 56 ",
        "a.",
    ],
)
def test_a_long_repetitive_post_is_checked_quickly(unit):
    text = (unit * (20_000 // len(unit) + 1))[:20_000]
    start = time.perf_counter()
    privacy.find(text)
    # A few tens of milliseconds on a busy machine; backtracking would take seconds.
    assert time.perf_counter() - start < 1.0
