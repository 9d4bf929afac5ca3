"""The crisis detector, sentence by sentence, in French and English.

It only routes (crisis lines for the author, first place in the queue), so a missed crisis
costs more than a false alarm: the tables below pin both sides, and the hard cases say which
way they were decided.
"""

from __future__ import annotations

import pytest

from moderation.rules import crisis

CRISIS_FR = [
    # Direct.
    "Je veux mourir.",
    "Je veux en finir, tout le monde serait mieux sans moi.",
    "J'ai envie de mourir ce soir.",
    "Je vais me suicider.",
    "Je pense au suicide tous les soirs.",
    "Je voudrais disparaître.",
    "Je me scarifie depuis deux semaines.",
    "J'ai recommencé à me scarifier.",
    "Je me suis coupée hier soir.",
    "J'ai des idées noires.",
    "Je me sens suicidaire.",
    # Indirect.
    "Je n'en peux plus de vivre.",
    "À quoi bon continuer ?",
    "Franchement, à quoi bon vivre ?",
    "Je ne serai plus là demain.",
    "Bientôt je ne serai plus là.",
    "J'ai écrit mes lettres d'adieu.",
    "J'ai écrit mes lettres.",
    "Je veux dormir et ne plus me réveiller.",
    "J'espère ne pas me réveiller demain.",
    "Personne ne me regretterait.",
    "Je manquerais à personne.",
    "Je suis un fardeau pour tout le monde.",
    "Je ne suis qu'un poids pour ma famille.",
    "Je n'ai plus aucune raison de vivre.",
    "La vie ne vaut pas la peine d'être vécue.",
    "Je veux que tout s'arrête.",
    "J'aurais préféré ne jamais naître.",
    "Ce serait plus simple si j'étais morte.",
    "Si je disparaissais demain, personne ne verrait la différence.",
    "J'ai mis de côté des cachets.",
    "J'ai de quoi en finir.",
    "Je viens d'avaler toute la boîte.",
    "J'ai peur de passer à l'acte.",
    "J'ai peur de faire une connerie ce soir.",
    "Je me demande si je ne devrais pas en finir.",
    "Ma femme est morte, je veux la rejoindre.",
    "Quand vous lirez ce message, je serai loin.",
    # Titles and fragments, without a subject.
    "Envie de mourir.",
    "Plus envie de vivre.",
    "Marre de vivre.",
    # Spoken and SMS spellings, accents missing, shouting.
    "j'veux mourir",
    "jveux mourir",
    "je veux mourrir",
    "g envie de mourir",
    "j ai envie de crever",
    "je veux plus vivre",
    "Tlm serait mieux sans moi.",
    "JE VEUX MOURIIIIR",
    "je veux *vraiment* mourir",
    "a quoi bon vivre",
    "J’ai envie d’en finir.",
    # Belgium ("savoir" for "pouvoir", "une fois", "fieu").
    "Je ne sais plus vivre comme ça, je veux en finir.",
    "Je sais plus continuer, je vais me foutre en l'air une fois.",
    "J'ai envie de me foutre en l'air, fieu.",
    # Switzerland ("ça joue", "ras le bol").
    "J'en ai ras le bol de vivre, ça joue plus.",
    "J'ai plus la force, je veux plus vivre, ça joue pas.",
    # Québec.
    "Chu tanné de vivre.",
    "J'sus écoeurée de vivre.",
    "J'ai pu l'goût de vivre.",
    "J'ai le goût d'en finir.",
    "Je vas me tuer.",
    "J'pense à m'enlever la vie.",
    "Chu pu capable de vivre.",
]

CRISIS_EN = [
    # Direct.
    "I want to die.",
    "I want to kill myself.",
    "i wanna die",
    "I'm going to kill myself tonight.",
    "Imma kms fr",
    "I'm suicidal.",
    "I've been having suicidal thoughts.",
    "I keep thinking about killing myself.",
    "I've been cutting again.",
    "I relapsed on self harm last night.",
    "I just took all my pills.",
    "I tried to kill myself last night.",
    # Indirect.
    "I can't go on.",
    "There's no reason to live.",
    "I won't be around much longer.",
    "I wish I could sleep and never wake up.",
    "I'm a burden to everyone.",
    "Nobody would miss me.",
    "I've written my goodbye letters.",
    "I've been saving up my pills.",
    "Everyone would be better off without me.",
    "They'd be better off without me.",
    "I don't want to be here anymore.",
    "I wish I'd never been born.",
    "Life isn't worth living.",
    "I'm so tired of living.",
    "I'm scared of what I might do to myself.",
    "By the time you read this I'll be gone.",
    "I've wanted to die for years.",
    "Honestly wanna die.",
]

# A past mention followed by a present one, or dated recently.
CRISIS_NOW = [
    "L'an dernier j'ai voulu mourir et ce soir j'y repense.",
    "L'an dernier j'ai voulu mourir. Ce soir ça recommence.",
    "Back in 2019 I wanted to kill myself, and tonight I want to die again.",
    "I wanted to die in 2015 and I still think about it.",
    "Il y a deux ans j'ai perdu mon travail et je veux mourir.",
    "Mon frère s'est suicidé il y a deux ans et hier soir j'ai voulu le rejoindre.",
    "Hier soir j'ai voulu en finir.",
    "J'ai fait une TS la semaine dernière.",
    "Depuis deux ans je veux mourir.",
    "Mes idées noires sont revenues.",
]


@pytest.mark.parametrize("text", CRISIS_FR + CRISIS_EN + CRISIS_NOW)
def test_a_crisis_is_detected(text):
    assert crisis.detect(text)


NOT_PAST = [
    "Il y a deux ans je voulais mourir.",
    "Il y a dix ans, je voulais mourir ; aujourd'hui ça va mieux.",
    "Quand j'avais 15 ans j'ai voulu en finir.",
    "À l'époque je me scarifiais.",
    "J'ai pensé au suicide l'an dernier mais aujourd'hui ça va.",
    "Il y a un an, en novembre, je ne voulais plus être là.",
    "Avant je voulais mourir, maintenant je veux vivre.",
    "Pendant des années j'ai voulu mourir, puis j'ai rencontré ce groupe.",
    "En 2018, j'ai fait une tentative de suicide, aujourd'hui je vais bien.",
    "Il y a cinq ans, j'avais des idées noires.",
    "Je me suis scarifiée pendant mon adolescence.",
    "I used to want to die.",
    "Back in 2019 I wanted to kill myself.",
    "I wanted to die ten years ago, now I am better.",
    "When I was 16 I tried to kill myself.",
    "As a teenager I used to cut myself.",
]

NOT_SOMEONE_ELSE = [
    "Mon frère s'est suicidé.",
    "Ma mère voulait mourir.",
    "Elle n'avait plus envie de vivre.",
    "Mon fils m'a écrit qu'il voulait mourir.",
    "Mon fils m'a dit : « je veux mourir ». Que faire ?",
    "« Je veux mourir », m'a dit ma sœur hier.",
    "Depuis que mon père a mis fin à ses jours, je cherche un groupe.",
    "Comment aider un ami qui pense au suicide ?",
    "Ma psy m'a demandé si j'avais des idées noires, j'ai dit non.",
    "My dad killed himself.",
    "My friend said she wants to die.",
    "He told me: 'I want to die.' What should I do?",
    "He had no reason to live.",
    "She asked if I wanted to die.",
    "I'm scared my son wants to kill himself.",
]

NOT_NEGATED = [
    "Je ne veux pas mourir.",
    "J'ai pas envie de mourir.",
    "Je n'ai jamais eu envie de mourir.",
    "Je n'ai plus envie de mourir, ça va mieux.",
    "Je ne pense plus au suicide depuis des mois.",
    "Je ne me scarifie plus depuis un an.",
    "Je me scarifie plus.",
    "Je ne suis pas un fardeau, j'ai appris à le dire.",
    "I don't want to die, I want to get better.",
    "I no longer want to die.",
    "I'm not suicidal, just tired.",
    "I'm not going to kill myself, don't worry.",
]

NOT_IDIOMS = [
    "Je suis mort de rire.",
    "Ce film est à mourir de rire.",
    "Je veux mourir de rire avec vous.",
    "Ce boulot me tue.",
    "Je vais me tuer à la tâche avec ce projet.",
    "Je vais crever de chaud.",
    "Je voudrais disparaître sous terre.",
    "Je t'aime à mourir.",
    "Je préférerais mourir que de retourner là-bas.",
    "I'm dying to see the film.",
    "Kill me now, this meeting is endless.",
    "I could kill for a coffee.",
    "I'm going to die of boredom.",
    "I want to die on this hill.",
    "I'd die for my kids.",
    "I'd rather die than go to that party.",
]

# A fear, a prognosis, or the same words about something else.
NOT_SOMETHING_ELSE = [
    "J'ai l'impression que je vais mourir pendant mes crises d'angoisse.",
    "Je vais mourir de ce cancer, je le sais.",
    "J'ai peur de mourir.",
    "Je veux en finir avec ce dossier administratif.",
    "Je veux en finir avec l'alcool.",
    "Je me coupe les cheveux demain.",
    "Je me coupe du monde depuis des semaines.",
    "Je me coupe souvent en cuisinant.",
    "Je ne peux plus continuer ce traitement.",
    "Je ne serai pas là jeudi à la réunion.",
    "J'ai écrit mes lettres de motivation.",
    "Je ne veux pas vivre à Paris.",
    "J'ai pris tous mes médicaments ce matin.",
    "Je pense au suicide de mon père tous les jours.",
    "I felt like I was going to die during the panic attack.",
    "I want to kill this bug in my code.",
    "I want to end it with my boyfriend.",
    "I cut myself shaving this morning.",
    "I've been cutting back on sugar.",
    "I can't go on holiday this year.",
    "I don't want to live in London.",
    "I've been thinking about suicide prevention.",
]

# Replies that quote or address the person in crisis: not the writer's own crisis.
NOT_SUPPORT = [
    "Quand tu dis que tu veux mourir, je t'entends.",
    "Quand tu dis « je veux mourir », je t'entends.",
    "Tu as écrit : je veux en finir. Je suis là.",
    "Je comprends ton envie d'en finir.",
    "Si tu as envie de mourir, appelle le 3114.",
    "Tu n'es pas un fardeau, tu comptes pour nous.",
    "Personne ne serait mieux sans toi.",
    "When you say 'I want to die', I hear you.",
    "If you want to die, please call 988.",
    "If you're thinking about suicide, call 988.",
    "You are not a burden.",
]


@pytest.mark.parametrize(
    "text",
    NOT_PAST + NOT_SOMEONE_ELSE + NOT_NEGATED + NOT_IDIOMS + NOT_SOMETHING_ELSE + NOT_SUPPORT,
)
def test_no_crisis_is_read_into_these(text):
    assert not crisis.detect(text), crisis.find(text)


@pytest.mark.parametrize("rule", crisis._RULES, ids=lambda rule: rule.example)
def test_every_rule_catches_its_example(rule):
    """The table's examples: each rule finds its own, and the detector keeps it."""
    assert rule.regex.search(crisis._normalise(rule.example))
    assert crisis.detect(rule.example)


@pytest.mark.parametrize("rule", crisis._RULES, ids=lambda rule: rule.example)
def test_every_phrase_a_rule_finds_holds_one_of_its_keys(rule):
    """A rule is only tried on a text that holds one of its keys, so keys written apart from
    the pattern must not drift from it: checked on its example and on every text here."""
    assert all(key == crisis._normalise(key) for key in rule.keys), rule.keys
    example = crisis._normalise(rule.example)
    assert any(key in example for key in rule.keys), rule.keys
    texts = [rule.example, *CRISIS_FR, *CRISIS_EN, *CRISIS_NOW, *NOT_PAST, *NOT_SOMEONE_ELSE]
    texts += [*NOT_NEGATED, *NOT_IDIOMS, *NOT_SOMETHING_ELSE, *NOT_SUPPORT, *TYPOGRAPHY]
    for text in texts:
        for match in rule.regex.finditer(crisis._normalise(text)):
            assert any(key in match.group() for key in rule.keys), (match.group(), rule.keys)


def test_find_says_which_phrase_was_read_as_a_crisis():
    assert crisis.find("Bonjour à tous. J'ai envie de mourir ce soir.") == "envie de mourir"
    assert crisis.find("Bonjour à tous. Je vais bien ce soir.") is None
    assert crisis.find("") is None


def test_each_sentence_is_judged_on_its_own():
    # A date in one sentence does not make a story of the next one...
    assert crisis.detect("Il y a deux ans, j'ai perdu mon fils. Je voulais mourir hier.")
    assert crisis.detect("Il y a deux ans, j'ai perdu mon fils. Je veux en finir.")
    assert crisis.detect("Je veux en finir. Il y a deux ans, j'ai perdu mon fils.")
    # ...but dates its own.
    assert not crisis.detect("Il y a deux ans, j'ai perdu mon fils et je voulais en finir.")


def test_the_nearest_time_decides():
    assert not crisis.detect("En 2015 j'ai voulu mourir, depuis je vais mieux.")
    assert crisis.detect("En 2015 j'ai perdu ma mère et hier j'ai voulu mourir.")
    assert crisis.detect("I lost my job two years ago and last night I tried to kill myself.")


def test_a_markdown_quotation_is_someone_elses_words():
    assert not crisis.detect("> je veux mourir\n\nJe t'entends, tu n'es pas seul·e.")
    assert crisis.detect("> Tu tiens le coup ?\n\nNon. Je veux mourir.")


TYPOGRAPHY = [
    "J’AI ENVIE DE MOURIR",
    "jai envie de mourir",
    "je\u00a0veux\tmourir",
    "je *veux* mourir",
]


@pytest.mark.parametrize("text", TYPOGRAPHY)
def test_spelling_and_typography_do_not_hide_a_crisis(text):
    assert crisis.detect(text)


# Hard cases, decided and pinned.


def test_hyperbole_in_the_first_person_is_detected():
    # "when in doubt, detect": the words are a wish about oneself.
    assert crisis.detect("I want to die, this meeting is endless.")
    assert crisis.detect("Lol I want to die")


def test_a_quotation_without_its_speaker_is_detected():
    # Whose words they are is not said: it may be the writer's own.
    assert crisis.detect("« Je veux mourir », voilà ce que je me répète.")
    assert crisis.detect("Je me dis : je veux mourir.")


def test_a_text_full_of_crisis_phrases_is_detected_even_if_each_looks_cancelled():
    story = "Il y a deux ans je voulais mourir. " * (crisis.MAX_CANDIDATES + 1)
    assert crisis.detect(story)
    assert not crisis.detect("Il y a deux ans je voulais mourir. " * 3)


HOSTILE = {
    "je": "je " * 7000,
    "a": "a" * 20_000,
    "je veux": "je veux " * 3000,
    "zeros": "0" * 20_000,
    "sentences": ". " * 10_000,
    "quotes": '"' * 20_000,
    "guillemets": "« " * 10_000,
    "apostrophes": "j'" * 10_000,
    "idioms": "je veux mourir de rire " * 900,
    "stems": "mourir suicide vivre vie tuer finir fardeau burden die kill live wake pills " * 270,
    "past stories": "il y a deux ans je voulais mourir " * 600,
    "negations": "je n'ai pas envie de mourir " * 800,
    "others": "elle a envie de mourir " * 900,
    "reported": "quand tu dis « je veux mourir » je t'entends " * 500,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_of_20000_characters_runs(text):
    """No timing here (bench/moderation_bench.py measures it): this only runs them, so a
    pattern that backtracks without bound would hang the suite."""
    assert isinstance(crisis.detect(text[:20_000]), bool)
