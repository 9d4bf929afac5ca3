"""Crisis detection: messages that express suicidal ideation or intent to self-harm.

A transparent pattern detector, in French (France, Belgium, Switzerland, Québec) and English:
the table `_RULES` below lists every phrase it looks for, each with a comment and an example
that the tests check. It reads the writer's own voice, present or future, direct ("je veux
mourir", "I want to kill myself") and indirect ("tout le monde serait mieux sans moi", "I've
been saving up my pills", "je ne serai plus là demain").

It only routes, and never makes publication stricter: a detected crisis is published at once,
goes first in the moderators' queue, and shows its author the crisis lines. So **a false
negative costs more than a false positive**: a missed cry for help stays unseen, while a
false alarm costs a peer moderator a look. When in doubt, it detects. It does not raise an
alarm for:

- someone else's death or ideation ("mon frère s'est suicidé", "ma mère voulait mourir", "my
  friend said she wants to die"): the phrases are first person, and a first-person sentence
  that is reported speech ("il m'a dit : « je veux mourir »", "when you say 'I want to die', I
  hear you") is the other person's. So is a Markdown quotation (a line starting with ">");
- negations ("je ne veux pas mourir", "I don't want to die"): a phrase matches only as
  written; the few phrases that may stand without a subject are checked for "pas", "not"...;
- idioms ("mourir de rire", "I'm dying to see it", "ce boulot me tue", "kill me now, this
  meeting...": a hyperbole addressed to others, not a wish about oneself);
- a story clearly dated in the past, told in a past tense ("il y a deux ans je voulais
  mourir", "I used to want to die"). The nearest time marker of the sentence decides, so
  "hier soir" beats "il y a deux ans". A past mention still counts when that sentence or the
  next one says it is back ("l'an dernier j'ai voulu mourir et ce soir j'y repense"), and a
  present-tense phrase always counts, whatever the sentence says of the past.

Known limits, on the side of detecting: a story told in the historical present ("En 2019, je
veux mourir"), hyperbole in the first person ("si je rate cet exam je me tue"), a reply that
quotes someone's words without saying whose ("« je veux mourir », je connais"), and past
mentions dated in another sentence ("C'était il y a deux ans. Je voulais mourir.") are
detected. Each sentence is judged on its own, so a date in one sentence never cancels a crisis
in another.

Bounded time: the text is normalised once (lower case, no accents, straight apostrophes and
quotes). Each rule lists its keys, words one of which is in every phrase it can find, and is
only tried on a text that holds one (the tests check the keys against the phrases found). No
rule nests quantifiers that can backtrack (a repeat inside a repeat is possessive), and the
context checks read bounded windows. 20,000 characters of anything take a few milliseconds
(bench/moderation_bench.py). A text with more than `MAX_CANDIDATES` crisis phrases that all
look cancelled is detected.

`detect(text)` says whether there is a crisis, `find(text)` which phrase was read as one.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from . import normalise

MAX_CANDIDATES = 20
# How far from a phrase a date may date it, in a long sentence.
_MARKER_REACH = 150

# Building blocks of the rules, expanded before compiling (a macro may use another).
_MACROS = {
    # French "I": je, j', spoken "j'veux" and "jveux" (a consonant follows), "j " on a phone.
    "<JE>": r"(?:je |j' ?|j (?=[a-z])|j(?=[bcdfghjklmnpqrstvwxz]))",
    # "ne" is optional: spoken French drops it ("je veux plus vivre").
    "<NE>": r"(?:ne |n' ?)?",
    # "plus" (no longer), Québec "pu".
    "<PLUS>": r"(?:plus|pu|pus|plu)",
    # "I am": je suis, j'suis, jsuis, chu, chuis (Québec), je ne suis (qu'un...), je me sens.
    "<JESUIS>": r"(?:je (?:ne |n')?suis|j' ?(?:ne )?suis|jsuis|jsui|j' ?sus|jsus|chu|chus|chui|chuis|shui|je me sens|j' ?me sens|jme sens)",
    # "I have": j'ai, je n'ai, j'avais, j'aurais, jai, g (SMS).
    "<JAI>": r"(?:<JE><NE>(?:ai|avais|aurais)(?: eu)?|jai|javais|g(?= ))",
    # Adverbs between a verb and what follows ("je veux juste mourir"). Never a negation.
    "<ADV>": r"(?:(?:juste|vraiment|tellement|seulement|simplement|parfois|souvent|même|déjà|carrément|franchement|sérieusement|sincèrement|plutôt|tant|trop|presque|encore|toujours|aussi|enfin|grave|tjrs|tjs|bien|réellement|vrmt|très|si|de plus en plus|à nouveau|de nouveau|limite|un peu|honnêtement|moi aussi) )?",
    # Wanting, wishing, being about to (present, conditional or past), with its trailing space.
    "<VEUX>": r"(?:(?:veux|veut|veu|ve|vx|voudrais|voudrait|voudrai|aimerais|aimerait|aimerai|préférerais|préfèrerais|préfère|souhaite|souhaiterais|devrais|compte|voulais|voulait|ai voulu|avais voulu|aurais voulu|aurais aimé|ai failli|avais failli|suis décidée?|suis prête?) (?:à )?|(?:ai essayé|ai tenté|ai décidé|rêve|rêvais|ai envisagé|ferais mieux|ferai mieux) d(?:e |'))",
    # Going to (intent or prediction).
    "<VAIS>": r"(?:vais|vai|vas|va|allais|vais finir par|vais bientôt) ",
    # Idioms that make "mourir" not a wish to die.
    "<IDIOM>": r"(?! ?(?:de |d')(?:rire|honte|faim|froid|chaud|soif|ennui|peur|envie|jalousie|vieillesse|plaisir|fatigue|impatience|curiosité|bonheur|joie|gêne|stress|chaleur|ma belle mort|mort naturelle)\b| vieux| vieille| heureu| dans (?:tes|ses|mes|vos|leurs) bras| pour (?:toi|vous|lui|elle|eux|mes|mon|ma|la france|mon pays|la cause)\b| (?:plutôt )?que (?!de vivre|vivre|de continuer)| un jour| en paix| debout)",
    "<MOURIR>": r"(?:mour+ir<IDIOM>|crever<IDIOM>(?! (?:un|une|l'|les|la|le|mon|ma|ses|son|des|ce|cet|cette)\b))",
    # What a wish or an intent may aim at, besides dying.
    # "Me tuer", but not "me tuer à la tâche" (working oneself to death).
    "<TUER>": r"me tuer(?! (?:à la tâche|au travail|au boulot|à (?:le|te|vous|leur) (?:dire|répéter|expliquer)|de travail))",
    "<ACT>": r"(?:en finir(?! avec (?!(?:la vie|ma vie|cette vie|tout|moi|l'existence|mes jours)\b))|<TUER>|me suicider|me foutre en l'air|me supprimer|me flinguer|me pendre|me noyer|me jeter (?:sous|devant) (?:un|le|une|la) (?:train|métro|camion|bus|voiture|char|tram)|(?:me jeter|sauter) (?:du|d'un|d'une|de la|en bas du|en bas d'un|en bas de la|par la|du haut du|du haut d'un) (?:pont|fenêtre|immeuble|toit|balcon|falaise|viaduc|tour|building|haut)|(?:me jeter|sauter) dans le vide|me tirer une balle|me faire sauter la cervelle|m'ouvrir les veines|me couper les veines|m'enlever la vie|m'ôter la vie|me donner la mort|mettre fin à (?:mes jours|ma vie|mon existence|tout)|passer à l'acte|disparaître(?! (?:sous terre|dans un trou|de la circulation|des réseaux|de (?:facebook|insta|instagram|internet|ce forum|ce groupe|la photo|ta vue|sa vue)))|être morte?\b|ne plus être là|plus être là|ne plus exister|plus exister|partir pour toujours|m'endormir pour toujours|dormir pour toujours|me laisser (?:mourir|crever|partir)|me faire du mal|me scarifier|me mutiler|me taillader|me couper(?! (?:les cheveux|les ongles|du monde|de (?:tout|tous|mes|ma|mon|la|l')|des autres|la parole|un|une|le doigt|les doigts|en)\b)|avaler (?:tous |toutes )?(?:mes|les|des|la boîte|une boîte))",
    # What a sentence may end with (a phrase that is only a crisis on its own).
    "<END>": r"(?= ?(?:$|[.!?;,:\n)]))",
    # "go on" / "continuer" mean "living" when nothing else follows.
    "<GOON>": r"(?= ?(?:$|[.!?;,:\n)]|comme ça|comme cela|ainsi|à vivre|de vivre|la vie|sans (?:lui|elle|eux|toi)|like this|like that|any ?more|any longer|living|with (?:life|this|it)\b|without))",
    # English adverbs ("I just want to die"). Never a negation.
    "<ADVEN>": r"(?:(?:just|really|honestly|seriously|sometimes|still|kinda|kind of|literally|actually|often|truly|so|genuinely|lowkey|low key|always|even|totally|only|also|definitely|fucking|fr|legit) )?",
    # English wish or past intent, with its trailing space.
    "<IWANT>": r"(?:i(?:'ve| have|ve)? <ADVEN>(?:want to|wanna|wana|want 2|wan to|wnt to|need to|plan to|would like to|'d like to|d like to|would rather|'d rather|d rather|should just|should|might as well|wanted to|used to want to|tried to|attempted to|decided to|have decided to|'ve decided to|deserve to|am ready to|'m ready to|m ready to|wish to|would love to|'d love to) )",
    # English "going to" (intent or prediction).
    "<IWILL>": r"(?:i(?:'m| am|m| was) <ADVEN>(?:going to|gonna|about to|planning to|ready to|trying to) |i(?:'ll| will|ll|'m gonna) |imma |ima |i'ma )",
    "<DIEEN>": r"die(?! (?:of|from) (?:laughter|laughing|shame|embarrassment|boredom|cringe|old age|happiness|hunger|curiosity|envy|jealousy)\b| laughing| happy| old\b| alone| in (?:your|his|her|my|their) arms| on (?:this|that) hill| for\b(?! (?:years|months|weeks|days|ages|a long time|so long|a while|some time)\b)| trying| a little| inside| of this| a hero| than (?!(?:live|living|go on|keep|continue|be alive|wake up)))",
    "<ACTEN>": r"(?:kill myself|kms\b|unalive (?:myself|me)|off myself|end (?:it|things|everything)(?! (?:with|between|there|here|at|on|for|by|early|now with|soon with|after)\b)|end it all|end my (?:own )?life|take my (?:own )?life|commit suicide|do it tonight|disappear(?! (?:for a|from|into|to|off)\b)|hurt myself(?! (?:at|while|on|playing|doing|lifting|by)\b)|harm myself|cut myself(?! (?:shaving|cooking|while|on|by accident|accidentally|at|playing|with (?:a|the) (?:kitchen|bread|paper)))|cut again|overdose|od\b|hang myself|shoot myself|jump (?:off|from) (?:a|the|my) (?:bridge|building|roof|balcony|cliff|window|tower)|jump in front of (?:a|the) (?:train|bus|car|truck|subway)|(?:not|never) wake up|not be (?:here|alive|around)|not exist|stop existing|be dead|sleep forever|go to sleep forever)",
}


@dataclass(frozen=True)
class _Rule:
    """One phrase to look for, written in the normalised form (accents are stripped from
    the pattern too), with an example sentence that the tests check it catches.

    keys: words (normalised: lower case, no accents), one of which is in every phrase the
        pattern can find; the rule is only tried on a text that contains one. A phrase
        without any of them would go unseen: when in doubt, add a key;
    who: the phrase may stand without a subject ("Envie de mourir."), so it does not count
        when the nearest subject before it is someone else ("elle a envie de mourir");
    neg: ...nor when a negation is among the three words before it ("pas envie de mourir");
    tenseless: it has no verb of its own, so a date in the past makes it a story;
    unless: a framing, just before it, that makes it a fear rather than an intent ("j'ai cru
        que j'allais mourir").
    """

    pattern: str
    example: str
    keys: tuple[str, ...]
    who: bool = False
    neg: bool = False
    tenseless: bool = False
    unless: re.Pattern[str] | None = None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The pattern, macros expanded and accents stripped, compiled when first needed."""
        return re.compile(_strip_accents(_expand(self.pattern)))


def _expand(pattern: str) -> str:
    return re.sub(r"<[A-Z]+>", lambda m: _expand(_MACROS[m.group()]), pattern)


# Keys shared by the rules that end in <ACT>, or begin with <IWANT> or <IWILL>.
_ACT_KEYS = (
    "finir", "tuer", "suicider", "foutre", "supprimer", "flinguer", "pendre", "noyer", "jeter",
    "sauter", "balle", "veines", "la vie", "la mort", "mettre fin", "l'acte", "disparaitre",
    "etre mort", "etre la", "exister", "pour toujours", "laisser", "faire du mal", "scarifier",
    "mutiler", "taillader", "me couper", "avaler",
)  # fmt: skip
_IWANT_KEYS = (
    "wan", "wnt", "need to", "plan to", "like to", "rather", "should", "might as well",
    "tried to", "attempted to", "decided to", "deserve to", "ready to", "wish to", "love to",
)  # fmt: skip
# "ll " for "i'll", "ill" and "i will".
_IWILL_KEYS = (
    "going to", "gonna", "about to", "planning to", "ready to", "trying to", "ll ", "imma ",
    "ima ", "i'ma ",
)  # fmt: skip

_PREDICTION_FR = re.compile(r"(?:\bque|\bqu'|\bsi|\bcomme) ?$")
_PREDICTION_EN = re.compile(
    r"\b(?:like|that|if|thought|think|afraid|scared|sure|fear|worried|convinced|felt|feel|feeling|believed|believe|certain|panicked|as if|as though) $"
)

_RULES = [
    # -- French: wishes and intents --
    # Wanting to die or to kill oneself: "je veux mourir", "j'veux mourir", "je voudrais disparaître".
    _Rule(
        r"<JE><VEUX><ADV><ADV>(?:<MOURIR>|<ACT>)",
        "J'veux juste mourir.",
        keys=("mour", "crever") + _ACT_KEYS,
    ),
    # Going to do it: "je vais me tuer", Québec "je vas me tuer".
    _Rule(r"<JE><VAIS><ADV><ADV><ACT>", "Je vas me tuer ce soir.", keys=_ACT_KEYS),
    # "Je vais mourir" is an intent, unless framed as a fear ("j'ai cru que j'allais mourir").
    _Rule(
        r"<JE><VAIS><ADV>mour+ir<IDIOM>(?! (?:seule?|comme|d'une|du|de (?:ce|cette|ça|mon|ma)|à (?:petit feu|force)|si|avant)\b)",
        "Ce soir je vais mourir.",
        keys=("mour",),
        unless=_PREDICTION_FR,
    ),
    # Wanting without a subject, as titles are written: "Envie de mourir", "j'ai le goût d'en finir" (Québec).
    _Rule(
        r"(?:envie|envi|besoin|le goût|l'goût|la tentation|hâte) (?:de |d' ?)<ADV>(?:<MOURIR>|<ACT>)",
        "Tellement envie d'en finir.",
        keys=("envi", "besoin", "gout", "tentation", "hate"),
        who=True,
        neg=True,
    ),
    # Something makes the writer want to die: "ça me donne envie de mourir".
    _Rule(
        r"(?:me|m') (?:donne|donnait|donnent|fait|faisait) <ADV>(?:envie|envi) (?:de |d' ?)(?:<MOURIR>|<ACT>)",
        "Tout ça me donne envie de crever.",
        keys=("envi",),
    ),
    # The one wish: "je n'ai qu'une envie : mourir".
    _Rule(
        r"n' ?(?:ai|avais) qu'une (?:envie|idée|idée en tête|chose en tête)[ :,]*(?:c'est de |c'est d'|de |d')?(?:<MOURIR>|<ACT>)",
        "Je n'ai qu'une envie : en finir.",
        keys=("qu'une",),
    ),
    # Afraid of doing it, on the verge: "j'ai peur de passer à l'acte", "je vais faire une connerie".
    _Rule(
        r"<JE>(?:(?:ai peur|crains|risque|suis (?:prête?|sur le point|à deux doigts)|me retiens) d(?:e |')|suis (?:prête?|décidée?) à |sens que je vais |vais )<ADV>(?:passer à l'acte|<TUER>|me suicider|en finir|me foutre en l'air|mettre fin à mes jours|faire une (?:grosse )?(?:connerie|bêtise)(?! (?:au|à la|avec|en|sur|dans|pour|comme)\b))",
        "J'ai peur de faire une connerie.",
        keys=("l'acte", "tuer", "suicider", "finir", "foutre", "mettre fin", "connerie", "betise"),
    ),
    # Asking oneself: "je me demande si je ne devrais pas en finir".
    _Rule(
        r"si je (?:ne |n')?(?:devrais|ferais) (?:pas )?(?:mieux )?(?:de |d')?(?:<MOURIR>|<ACT>)",
        "Je me demande si je ne devrais pas en finir.",
        keys=("devrais", "ferais"),
    ),
    # Wanting it all to stop: "je veux que tout s'arrête".
    _Rule(
        r"<JE><VEUX><ADV>que (?:tout|tout ça|la vie|ma vie|cette vie|tout cela) (?:s'arrête|se termine|finisse|cesse|prenne fin)",
        "Je voudrais que tout s'arrête.",
        keys=("s'arrete", "se termine", "finisse", "cesse", "prenne fin"),
    ),
    # Joining a dead loved one: "je veux la rejoindre", "rejoindre mon mari là-haut".
    _Rule(
        r"<JE><VEUX><ADV>(?:(?:le|la|les) rejoindre(?=<END>| (?:là-haut|au ciel|au paradis|de l'autre côté|dans la mort|bientôt|vite|ce soir))|rejoindre (?:mon|ma|mes) \w++ (?:là-haut|au ciel|au paradis|de l'autre côté|dans la mort))",
        "Je veux juste la rejoindre.",
        keys=("rejoindre",),
    ),
    # -- French: no longer wanting to live --
    # "je ne veux plus vivre", "j'veux pu exister".
    _Rule(
        r"<JE><NE>(?:veux|veut|veu|ve|vx|voulais|voulait|voudrais) <PLUS> (?:vivre(?! (?:à|au|aux|en|chez|dans|ici|là-bas|sous|près|seule?|avec (?:lui|elle|eux|mon|ma|mes|son|sa|ses))\b)|exister|être là(?! pour)|être en vie|me réveiller|respirer|continuer<GOON>)",
        "Je veux pu vivre.",
        keys=("vivre", "exister", "etre la", "etre en vie", "reveiller", "respirer", "continuer"),
    ),
    # No wish, strength or taste left for living: "plus envie de vivre", Québec "j'ai pu l'goût de vivre".
    _Rule(
        r"(?:<PLUS>|pas|aucune|plus aucune|pas la moindre) (?:envie|envi|le goût|l'goût|goût|la force|la volonté|le courage|l'énergie|d'énergie|de force|le désir|d'envie|de goût|l'envie|la motivation) (?:de |d' ?)(?:vivre|rester en vie|exister|me battre<GOON>|continuer<GOON>)",
        "Plus envie de vivre.",
        keys=("vivre", "rester en vie", "exister", "me battre", "continuer"),
        who=True,
    ),
    # Can't go on living (Belgian "savoir" for "pouvoir"): "je n'en peux plus de vivre", "je sais plus continuer".
    _Rule(
        r"<JE>(?:n' ?en |ne |n' ?)?(?:en )?(?:peux|peu|peut|pouvais|pouvait|sais|sait|savais) <PLUS> (?:de vivre|d'être en vie|d'exister|de (?:la|cette|ma) vie\b|vivre(?! (?:à|au|aux|en|chez|dans|ici|avec (?:lui|elle|eux))\b)|exister|respirer|supporter (?:la vie|cette vie|de vivre|d'être en vie|d'exister)|(?:continuer|tenir|avancer)<GOON>)",
        "Je n'en peux plus de vivre.",
        keys=("vivre", "vie", "exister", "respirer", "supporter", "continuer", "tenir", "avancer"),
    ),
    # SMS and Québec: "jpp de vivre", "chu pu capable de vivre".
    _Rule(
        r"(?:jen peux <PLUS>|jpp) (?:de vivre|de la vie|de cette vie|d'exister)|<JESUIS> <NE>(?:<PLUS>|pas) capable de (?:vivre|rester en vie|continuer<GOON>|me battre<GOON>)",
        "Chu pu capable de vivre.",
        keys=("jen peux", "jpp", "capable"),
    ),
    # Tired of living, Québec "tanné", "écœuré": "je suis fatiguée de vivre", "chu tanné de vivre".
    _Rule(
        r"<JESUIS> <ADV><ADV>(?:fatiguée?|épuisée?|lasse?|tannée?|écoeurée?|dégoûtée?|usée?|saoulée?|soûlée?|blasée?) (?:de vivre|de la vie|d'exister|d'être en vie|de cette vie|de ma vie|de survivre|de me battre<GOON>)",
        "Chu tanné de vivre.",
        keys=("vivre", "vie", "exister", "me battre"),
    ),
    # Fed up with living, Belgium and Switzerland too: "marre de vivre", "ras le bol de la vie".
    _Rule(
        r"(?:marre|ras le bol|ras-le-bol|plein le dos|plein le cul|ma claque) (?:de vivre|de la vie|d'exister|d'être en vie|de cette vie|de ma vie|de survivre)",
        "J'en ai ras le bol de vivre.",
        keys=("marre", "ras le bol", "ras-le-bol", "plein le", "ma claque"),
        who=True,
    ),
    # What's the point: "à quoi bon continuer", "à quoi ça sert de vivre", "pourquoi continuer ?".
    _Rule(
        r"(?:à quoi (?:bon|ça sert de|sert de|ça sert d'|sert d')|pourquoi|pk|pq) ?(?:vivre|exister|rester en vie|(?:continuer|me battre|se battre|me lever)(?=<END>| à vivre| comme ça| de vivre))",
        "À quoi bon continuer ?",
        keys=("vivre", "exister", "rester en vie", "continuer", "battre", "me lever"),
        who=True,
    ),
    # Life not worth living: "la vie ne vaut pas la peine", "ça vaut pu la peine de vivre".
    _Rule(
        r"(?:(?:la vie|ma vie|vivre|cette vie|l'existence|mon existence)(?: ne| n')? (?:vaut|valait|vaudrait|mérite|méritait) (?:plus|pas|pu|vraiment pas|rien|pas du tout)\b|vaut (?:plus|pu|pas|vraiment pas) la peine (?:de vivre|de continuer à vivre|d'être vécue|de rester en vie))",
        "Ça vaut pu la peine de vivre.",
        keys=("vaut", "valait", "vaudrait", "merit"),
        who=True,
    ),
    # No reason left: "plus aucune raison de vivre", "plus rien ne me retient".
    _Rule(
        r"(?:(?:plus|aucune|pas|pu|pus|plus aucune|pas une seule|plus une seule|pas de|plus de) (?:de |d'|une |la moindre |aucune )?raisons? (?:de vivre|de rester en vie|d'exister|de continuer à vivre|de continuer<END>|de me lever)|plus rien ne me (?:retient|rattache|raccroche)|rien ne me (?:retient|rattache|raccroche) (?:plus|à la vie|en vie|ici-bas|sur terre|dans ce monde)|(?:plus )?rien (?:à quoi me (?:raccrocher|rattacher|accrocher)|pour quoi vivre))",
        "Je n'ai plus aucune raison de vivre.",
        keys=("raison", "rien"),
        who=True,
    ),
    # Not deserving to live, no place in the world.
    _Rule(
        r"<JE><NE>(?:mérite|méritais|mérites|mériterais) (?:pas|plus|pu|point) (?:de vivre|d'être en vie|d'exister|de rester en vie|la vie)|<JE>(?:mérite|mériterais|méritais) (?:de mourir|de crever|la mort|d'être morte?)|<JE><NE>(?:ai|avais) (?:pas|plus|pu|jamais eu) (?:ma|de) place (?:sur terre|dans ce monde|ici-bas|parmi les vivants|nulle part|dans cette vie|en ce monde)",
        "Je ne mérite pas de vivre.",
        keys=("merit", "place"),
    ),
    # Regretting being born: "j'aurais préféré ne jamais naître".
    _Rule(
        r"<JE>(?:aurais préféré|aurais voulu|aimerais|voudrais|préférerais) (?:ne )?(?:jamais|pas) (?:être née?|être venue? au monde|naître|avoir existé)|<JE>regrette d'être (?:née?|en vie|vivante?|venue? au monde)",
        "J'aurais préféré ne jamais naître.",
        keys=("etre ne", "au monde", "naitre", "avoir existe", "regrette"),
    ),
    # -- French: others better off, nobody would notice --
    # "tout le monde serait mieux sans moi", "ma famille s'en porterait mieux si je n'étais plus là".
    _Rule(
        r"(?:serai(?:en)?t|seront|serez|seriez|serais|vivrai(?:en)?t|irai(?:en)?t|porterai(?:en)?t) (?:tellement |bien |vraiment |beaucoup |clairement |)(?:mieux|plus heureu\w*+|plus tranquilles?|soulagée?s?) (?:sans moi|sans mw|sans moa|si je (?:n'étais|étais) plus là|si j'étais morte?|si je disparaissais|si je mourais|quand je (?:serai|ne serai) plus là)",
        "Tlm serait mieux sans moi.",
        keys=("mieux", "heureu", "tranquille", "soulage"),
    ),
    # "ce serait mieux si j'étais mort".
    _Rule(
        r"(?:serait|serais|seraient) (?:mieux|plus simple|plus facile) si (?:j'étais morte?|je n'étais plus là|j'étais plus là|je mourais|je disparaissais)",
        "Ce serait plus simple si j'étais morte.",
        keys=("mieux", "plus simple", "plus facile"),
    ),
    # Nobody would miss me: "personne ne me regretterait", "je manquerais à personne".
    _Rule(
        r"personne (?:ne |n')?(?:me|m') ?(?:regretter\w*+|pleurer\w*+)|manquer(?:ai|ais|ait|a) à personne|personne (?:ne |n')?(?:remarquer\w*+|verrai\w*+ la différence|s'en rendrai\w*+ compte|s'apercevrai\w*+)[^.!?;\n]{0,40}?(?:si je (?:mourais|disparaissais|n'étais plus là|étais plus là|partais|me tuais|crevais)|mon absence)|personne ne viendrai\w*+ à mon enterrement",
        "Personne ne me regretterait.",
        keys=("personne",),
    ),
    # "si je mourais demain, personne ne le remarquerait".
    _Rule(
        r"si je (?:mourais|disparaissais|n'étais plus là|étais plus là|me tuais|me suicidais|crevais)(?: demain| ce soir| maintenant)?,? (?:personne|ça ne changerait rien|ça changerait rien|qui s'en soucierait|tout le monde s'en fiche|le monde continuerait)",
        "Si je disparaissais demain, personne ne verrait la différence.",
        keys=("si je",),
    ),
    # A burden: "je suis un fardeau pour tout le monde", "je ne suis qu'un poids pour ma famille".
    _Rule(
        r"(?:<JESUIS>|<JE>ai l'impression d'être|<JE>me vois comme) <ADV>(?:comme |qu'|que )?(?:un |une )?(?:fardeau|poids mort|(?:boulet|poids|charge) pour (?:tout le monde|les autres|ma famille|mes proches|mes enfants|mes parents|mon mari|ma femme|mon copain|ma copine|eux|vous|tous|tout mon entourage|mon entourage|la société|ceux que j'aime))(?! (?:de|d'|du|des)\b)",
        "Je suis un fardeau pour tout le monde.",
        keys=("fardeau", "poids", "boulet", "charge"),
    ),
    # -- French: thoughts --
    # Thinking of it: "je pense au suicide", "je songe à en finir", "j'pense à m'enlever la vie".
    _Rule(
        r"<JE>(?:pense|pensais|ai pensé|songe|songeais|ai songé|rêve|rêvais|ai rêvé|envisage|envisageais|ai envisagé) <ADV><ADV>(?:(?:au|le) suicide(?! (?:de|d'|du|des|chez|dans|en)\b)|à (?:me |m')(?:tuer|suicider|pendre|foutre en l'air|supprimer|enlever la vie|ôter la vie|jeter)|à (?:en finir|mettre fin à (?:mes jours|ma vie)|la mort(?! (?:de|d'|du|des)\b)|ma mort|mourir|disparaître|passer à l'acte)|(?:de |d')(?:me tuer|me suicider|mourir|disparaître|mettre fin|en finir))",
        "J'pense à m'enlever la vie.",
        keys=("pens", "song", "rev", "envisag"),
    ),
    # Dark or suicidal thoughts: "j'ai des idées noires", "g des pensées suicidaires".
    _Rule(
        r"<JAI> <ADV><ADV>(?:des |d'|les |de |encore des |toujours des |souvent des )(?:idées|pensées|envies|pulsions|tendances) (?:suicidaires|noires|de mort|de suicide|morbides)",
        "J'ai des idées noires.",
        keys=("suicid", "noires", "de mort", "morbides"),
    ),
    # ...or as a possession, with no tense: "mes idées suicidaires reviennent".
    _Rule(
        r"mes (?:idées|pensées|envies|pulsions) (?:suicidaires|noires|de mort|de suicide)",
        "Mes idées suicidaires reviennent.",
        keys=("suicid", "noires", "de mort"),
        tenseless=True,
    ),
    # Suicidal: "je suis suicidaire", "je me sens suicidaire".
    _Rule(
        r"(?:<JESUIS>|<JE>(?:me sentais|étais|suis devenue?|redeviens)) <ADV><ADV>suicidaire",
        "Je me sens suicidaire.",
        keys=("suicidaire",),
    ),
    # -- French: plans, acts, farewells --
    # Stockpiling: "j'ai mis de côté des cachets", "j'ai de quoi en finir".
    _Rule(
        r"<JE>(?:ai|avais) (?:déjà |enfin |bien |tout )?(?:mis de côté|gardé|stocké|accumulé|préparé|réservé|caché|mis à l'abri|rassemblé|planqué|économisé|amassé|mis à part) (?:des |mes |assez de |tous mes |toutes mes |plein de |une boîte de |deux boîtes de |les |suffisamment de |une réserve de |un stock de |quelques )(?:boîtes de )?(?:cachets|médicaments|médocs|comprimés|pilules|somnifères|anxiolytiques|antidépresseurs|doliprane|paracétamol|lexomil|xanax|stilnox|lithium|boîtes)",
        "J'ai mis de côté des médocs.",
        keys=(
            "cachets",
            "medicaments",
            "medocs",
            "comprimes",
            "pilules",
            "somniferes",
            "anxiolytiques",
            "antidepresseurs",
            "doliprane",
            "paracetamol",
            "lexomil",
            "xanax",
            "stilnox",
            "lithium",
            "boites",
        ),
    ),
    _Rule(
        r"<JAI> (?:déjà |tout )?(?:de quoi|ce qu'il faut pour|tout ce qu'il faut pour|le nécessaire pour|assez (?:de \w++ )?pour|tout pour|une corde pour) ?(?:en finir|mourir|me tuer|me suicider|passer à l'acte|me pendre|mettre fin à mes jours|y passer)",
        "J'ai de quoi en finir.",
        keys=("finir", "mourir", "tuer", "suicider", "l'acte", "pendre", "mettre fin", "y passer"),
    ),
    # An overdose taken: "j'ai avalé toute la boîte", "je viens d'avaler tous mes cachets".
    _Rule(
        r"(?:<JAI>|<JE>viens d') ?(?:pris|avalé|avaler|gobé|gober|prendre) (?:toute la boîte|une boîte entière|toute une boîte|toute la plaquette|tout le flacon|tout le tube|des dizaines de|une dizaine de|une vingtaine de)|(?:<JAI>|<JE>viens d') ?(?:avalé|avaler|gobé|gober) (?:tous|toutes) (?:mes|les)",
        "Je viens d'avaler toute la boîte.",
        keys=("pris", "avale", "gobe", "prendre"),
    ),
    # An attempt: "j'ai fait une TS", "j'ai fait une tentative de suicide".
    _Rule(
        r"<JAI> (?:déjà |encore |)(?:fait|refait|tenté) (?:une |ma |plusieurs |deux |trois |des |)(?:tentatives?(?! (?:de |d')(?!suicide))|ts|overdose|od)\b",
        "J'ai fait une TS hier soir.",
        keys=("fait", "tente"),
    ),
    # Self-harm: "je me scarifie", "j'ai recommencé à me scarifier", not "je me scarifie plus".
    _Rule(
        r"<JE>(?:me |m' ?|me suis |m' ?suis |ai recommencé à me |recommence à me |continue à me |continue de me |me suis encore |me suis de nouveau |me suis remise? à me )(?:scarifi|mutil|taillad|lacér)\w*+(?! ?(?:<PLUS>|jamais|pas)\b)",
        "J'ai recommencé à me scarifier.",
        keys=("scarifi", "mutil", "taillad", "lacer"),
    ),
    # Cutting, burning, hitting oneself: "je me coupe les bras", not "je me coupe les cheveux".
    _Rule(
        r"<JE>(?:me |m' ?|me suis |m' ?suis |ai recommencé à me |recommence à me |continue à me |me suis encore |me suis de nouveau )(?:coupée?|coupe|coupais|brûlée?|brûle|brûlais|frappée?|frappe|frappais|griffée?|griffe|fais du mal|suis fait du mal|suis fait mal|fais mal|faisais du mal)(?= ?(?:$|[.!?;,:\n]|exprès|volontairement|encore|hier soir|cette nuit|ce soir|la nuit dernière|de nouveau|à nouveau|les (?:bras|poignets|cuisses|jambes|veines|avant-bras)|le (?:bras|poignet|ventre|avant-bras)|la peau|pour (?:me|ne|oublier|sentir|avoir)|quand|depuis|tous les|chaque|(?:souvent|parfois)(?! (?:en|au|à la|dans|avec)\b)|avec (?:une|un|des) (?:lame|rasoir|cutter|couteau|compas|cigarette|briquet)))",
        "Je me coupe les bras depuis un mois.",
        keys=("coup", "brul", "frapp", "griff", "mal"),
    ),
    # Sleeping and never waking up: "dormir et ne plus me réveiller", "j'espère ne pas me réveiller".
    _Rule(
        r"(?:dormir|m'endormir|me coucher|espère|prie pour|souhaite|voudrais|veux|aimerais|rêve de|préférerais)(?: et| pour| de)? (?:ne )?(?:plus|jamais|pas|pu) (?:jamais |plus )?(?:me )?réveiller(?! (?:à |tôt|trop|tard|avant|après|en retard|à l'heure|de bonne heure|si tôt|aussi tôt)\b)",
        "Je veux dormir et ne plus me réveiller.",
        keys=("reveiller",),
    ),
    # Not being here any more: "je ne serai plus là demain", "bientôt je serai plus là".
    _Rule(
        r"<JE><NE>(?:serai|serais|serait|sera) <PLUS> (?:là|ici|parmi vous|de ce monde|en vie|vivante?)\b(?! (?:pour|à|au|aux|le|la|ce|cette|en) (?:la |le |l')?(?:réunion|séance|rdv|rendez-vous|groupe|permanence|semaine|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|soirée|fête|cours|atelier|apéro|rencontre))|<JE>(?:serai|serais) (?:bientôt |déjà )?(?:morte?(?! de)|partie? pour (?:toujours|de bon))",
        "Je ne serai plus là demain.",
        keys=("sera",),
    ),
    # Farewell letters: "j'ai écrit mes lettres", "ma lettre d'adieu".
    _Rule(
        r"<JE>(?:ai|avais) (?:déjà |enfin |tout )?(?:écrit|préparé|rédigé|laissé|terminé|fini)(?: d'écrire| de rédiger)? (?:mes lettres<END>|(?:mes|ma|une|des|les|mon|quelques) (?:lettres?|mots?|messages?) d'adieu)|(?:ma|mes) (?:lettres?|mots?) d'adieu",
        "J'ai écrit mes lettres.",
        keys=("mes lettres", "d'adieu"),
    ),
    # A farewell: "quand vous lirez ce message", "c'est un adieu", "c'est mon dernier message".
    _Rule(
        r"quand vous (?:lirez|lisez) (?:ce message|ceci|ces lignes|ces mots)|(?:c'est|ceci est) un adieu|adieu pour toujours|(?:c'est|ceci est) mon dernier message(?! (?:ici|sur|avant|de l'année|de la journée|de la semaine|du jour|pour (?:aujourd'hui|ce soir|cette))\b)|vous ne me (?:reverrez|verrez|lirez) plus(?! (?:ici|sur|avant|pendant|de la|du)\b)",
        "Quand vous lirez ce message, je serai loin.",
        keys=("quand vous", "adieu", "dernier message", "vous ne me"),
    ),
    # Ending one's days, in so many words: "mettre fin à mes jours".
    _Rule(
        r"mettre fin à (?:mes jours|ma vie)|mettre un terme à (?:ma vie|mes jours|mon existence)|m'ôter la vie|m'enlever la vie|me donner la mort|en finir avec (?:la vie|ma vie|cette vie|l'existence)",
        "Mettre fin à mes jours, j'y pense.",
        keys=("mettre fin", "mettre un terme", "la vie", "la mort", "en finir"),
        who=True,
        neg=True,
    ),
    # -- English: wishes and intents --
    # "I want to die", "I just wanna kill myself", "I used to want to die" (past).
    _Rule(r"<IWANT><ADVEN>(?:<DIEEN>|<ACTEN>)", "I just wanna die.", keys=_IWANT_KEYS),
    # "I'm going to kill myself", "imma kms".
    _Rule(r"<IWILL><ADVEN><ACTEN>", "I'm gonna end it tonight.", keys=_IWILL_KEYS),
    # "I'm going to die" is an intent, unless framed as a fear ("I felt like I was going to die").
    _Rule(
        r"<IWILL><ADVEN><DIEEN>",
        "I'm going to die tonight.",
        keys=("die",),
        unless=_PREDICTION_EN,
    ),
    # Without a subject: "wanna die tbh".
    _Rule(
        r"(?:want to|wanna|want 2|wanting to|wish i could) <ADVEN>(?:<DIEEN>|kill myself|kms\b|end it all|end my life|disappear forever|unalive myself|not exist)",
        "Honestly wanna die.",
        keys=("wan", "wish i could"),
        who=True,
        neg=True,
    ),
    # Almost did it: "I almost killed myself", "I attempted suicide", "I overdosed".
    _Rule(
        r"i(?:'ve| have|ve)? (?:almost|nearly|attempted|tried to commit) (?:killed myself|ended it|ended my life|took my (?:own )?life|suicide)|i (?:overdosed|od'?d)\b",
        "I attempted suicide last week.",
        keys=("almost", "nearly", "attempted", "tried to commit", "overdosed", "i od"),
    ),
    # Scared of oneself: "I'm scared of what I might do".
    _Rule(
        r"(?:afraid|scared|terrified|worried) (?:of what i (?:might|could|will|would) do(?: to myself)?|(?:that )?(?:i'?ll|i will|i might|i may) (?:do something stupid|kill myself|hurt myself|end it|act on it))",
        "I'm scared of what I might do to myself.",
        keys=("afraid", "scared", "terrified", "worried"),
    ),
    # Wanting it over: "I want it all to end".
    _Rule(
        r"i <ADVEN>(?:want|wish|need) (?:it all|everything|all of it|my life|life) to (?:end|stop|be over)(?! (?:soon with|with|so i can|so that|for)\b)",
        "I just want it all to end.",
        keys=("to end", "to stop", "to be over"),
    ),
    # Joining a dead loved one: "I want to be with her in heaven".
    _Rule(
        r"<IWANT><ADVEN>(?:be with|join) (?:him|her|them|my \w++) (?:again )?(?:in heaven|up there|on the other side|in death)",
        "I want to join him in heaven.",
        keys=("heaven", "up there", "other side", "in death"),
    ),
    # -- English: no longer wanting to live --
    # "I don't want to live anymore", "I don't want to be here anymore".
    _Rule(
        r"i <ADVEN>(?:don'?t|do not|dont|no longer|didn'?t|did not) (?:want|wanna|wish) (?:to )?(?:live(?! (?:in|at|with|near|there|alone|together|abroad|on|under|next|so|too|far|close|by)\b)|be alive|exist|keep living|be around any ?more|be here(?= ?(?:$|[.!?;,:\n]|any ?more|any longer|now|at all|on this earth|in this world))|wake up(?= ?(?:$|[.!?;,:\n]|tomorrow|again|any ?more|ever|in the morning))|(?:go on|continue|keep going)<GOON>)",
        "I don't want to live anymore.",
        keys=("wan", "wish"),
    ),
    # "I can't go on", "I can't take it anymore", but not "I can't go on holiday".
    _Rule(
        r"i (?:can'?t|cannot|can not|couldn'?t) (?:(?:go on|keep going|carry on)<GOON>|do this any ?more|take (?:it|this) any (?:more|longer)|take (?:it|this) anymore|handle (?:it|this|life) any ?more|live like this|keep living|continue living|live any ?more|be alive any ?more|cope any ?more|stand (?:it|this|living) any ?more)",
        "I can't go on.",
        keys=("can", "couldn"),
    ),
    # Tired of living: "I'm tired of living", "done with life".
    _Rule(
        r"(?:tired|sick|weary|exhausted) of (?:living|being alive|life|existing|this life|my life|surviving)|done with (?:life|living|this life|my life|being alive|it all)",
        "I'm so tired of living.",
        keys=("tired", "sick", "weary", "exhausted", "done with"),
        who=True,
    ),
    # Not worth living, no reason to live: "life isn't worth living", "no reason to live".
    _Rule(
        r"(?:life|my life|living|it all) <ADVEN>(?:isn'?t|is not|ain'?t|is no longer|doesn'?t seem|does not seem|doesn'?t feel) worth (?:living|it any ?more|anything)|not worth living|(?:life|my life) is (?:pointless|meaningless|worthless)|no (?:reason|point|will|desire|motivation) (?:to|in|for) (?:live|living|go on|going on|keep living|keep going|stay alive|staying alive|be alive|being alive)\b|nothing (?:left )?to live for|nothing (?:keeps|to keep) me (?:here|alive|going)|(?:what'?s|what is|whats) the point (?:of|in) (?:living|going on|life|being alive|anything|it all|staying alive|being here)|(?:what'?s|what is|whats) the point any ?more",
        "There's no reason to live.",
        keys=("worth", "point", "meaningless", "reason", "will", "desire", "motivation", "nothing"),
        who=True,
    ),
    # Not deserving to live, not belonging: "I don't deserve to live", "I deserve to die".
    _Rule(
        r"i (?:don'?t|do not|no longer|didn'?t) deserve (?:to live|to be alive|to exist|life)|i deserve to (?:die|be dead)|i (?:don'?t|do not|never) belong (?:in this world|on this earth|anywhere|among the living|here any ?more)",
        "I don't deserve to live.",
        keys=("deserve", "belong"),
    ),
    # Wishing to be dead or never born: "I wish I was dead", "I wish I could sleep and never wake up".
    _Rule(
        r"i wish i(?: had|'d| d)? (?:never been born|was never born|were never born|wasn'?t born|hadn'?t been born|was dead|were dead|wasn'?t alive|weren'?t alive|wasn'?t here|weren'?t here|didn'?t exist|did not exist|could (?:just )?(?:die|disappear|end it|kill myself|stop existing|not exist|sleep forever)|would die|would never wake up|'d never wake up|d never wake up|was gone|were gone)",
        "I wish I was never born.",
        keys=("i wish i",),
    ),
    # Sleeping and never waking up: "I want to go to sleep and never wake up", "I hope I don't wake up".
    _Rule(
        r"i <ADVEN>(?:wish i could|want to|wanna|would like to|'d like to|d like to|hope to|would love to|'d love to) <ADVEN>(?:go to )?(?:sleep|fall asleep) (?:and|&) (?:never|not) wake up|i hope i (?:don'?t|do not|never|won'?t) wake up",
        "I wish I could sleep and never wake up.",
        keys=("wake up",),
    ),
    # -- English: others better off, nobody would notice --
    # "everyone would be better off without me", "I'm better off dead".
    _Rule(
        r"(?:would|will|'d|'ll|d) be (?:so |much |a lot |far |way |all |)(?:better|happier)(?: off)? (?:without me|if i (?:was|were|'m|am|m) (?:dead|gone|not here|not around)|if i died|when i'?m gone)|(?:is|are|'s) (?:so |much |a lot |far |way |)better (?:off )?without me|better off dead",
        "Everyone would be better off without me.",
        keys=("better", "happier"),
    ),
    # "nobody would miss me", "no one would notice if I was gone", "I wouldn't be missed".
    _Rule(
        r"(?:nobody|no one|no-one|noone)(?:'d|'ll)? (?:(?:would|will|is going to|'s going to|is gonna|would even|will even|would really|will really|would ever|will ever|even) )?(?:miss me|mourn me|notice (?:if|when) i(?:'m| am| was| were|m)? ?(?:gone|dead|die|died|disappear|disappeared|not here|not around)|notice i'?m gone|care (?:if|when) i(?:'m| am| was| were|m)? ?(?:gone|dead|die|died|disappear|disappeared|kill myself|killed myself|not here|not around)|come to my funeral|cry at my funeral)|i (?:wouldn'?t|won'?t|would not|will not) be missed",
        "Nobody would miss me.",
        keys=("nobody", "no one", "no-one", "noone", "be missed"),
    ),
    # A burden: "I'm a burden to everyone", "I feel like a burden".
    _Rule(
        r"i(?:'m| am|m|'ve become| have become| feel like(?: i'?m| im)?) <ADVEN>(?:such |nothing but |nothing more than |becoming |so much of )?(?:a |an )?(?:burden|waste of space|waste of oxygen|waste of air)",
        "I'm a burden to everyone.",
        keys=("burden", "waste of"),
    ),
    # -- English: thoughts --
    # Thinking about it: "I'm thinking about suicide", "I keep thinking about ending it".
    _Rule(
        r"(?:i(?:'m| am|m) <ADVEN>(?:thinking|dreaming|fantasi[sz]ing|obsessing)|i(?:'ve| have|ve) <ADVEN>been <ADVEN>(?:thinking|dreaming|fantasi[sz]ing|obsessing)|i <ADVEN>(?:think|thought|dream|dreamt|dreamed|fantasi[sz]e|fantasi[sz]ed|obsess|keep thinking|can'?t stop thinking|was thinking)) (?:about|of) <ADVEN>(?:suicide(?! (?:prevention|awareness|rates?|statistics|of|in|among|hotline|lines?|bombers?|squad|notes? (?:of|from|by)|by)\b)|killing myself|ending (?:it|my life|things|it all|everything)(?! (?:with|between)\b)|taking my (?:own )?life|dying(?! (?:of|from) (?:laughter|boredom|embarrassment)| (?:my|your|her|his) hair)|death|not being (?:here|alive|around)|not existing|disappearing forever|hanging myself|overdosing|jumping off|hurting myself|harming myself|my (?:own )?(?:death|suicide|funeral))",
        "I've been thinking about suicide.",
        keys=("think", "thought", "dream", "fantasi", "obsess"),
    ),
    # Suicidal: "I'm suicidal", "I feel suicidal", "I've been having suicidal thoughts".
    _Rule(
        r"(?:i(?:'m| am|m)|i feel|i felt|i(?:'ve| have|ve) been|i was|i get|i got|i(?:'m| am|m) (?:feeling|getting|starting to feel)|i become|i became|i keep feeling) <ADVEN>(?:so |very |really |pretty |kinda |a bit |a little |extremely |super |incredibly |quite |somewhat |deeply |actively |passively )?suicidal|(?:i have|i(?:'ve| have|ve) (?:been )?(?:had|having)|i(?:'m| am|m) having|i keep having|i get|i got|i still have|my) <ADVEN>(?:suicidal|dark) (?:thoughts|ideation|feelings|urges|ideas)",
        "I'm having suicidal thoughts.",
        keys=("suicidal", "dark"),
    ),
    # -- English: plans, acts, farewells --
    # Stockpiling: "I've been saving up my pills", "I have enough pills to end it".
    _Rule(
        r"i(?:'ve| have|ve)? (?:been )?(?:saving|stockpiling|collecting|hoarding|storing|hiding|gathering|saved|stockpiled|collected|hoarded|stored|hid|hidden|gathered)(?: up)? (?:my |some |all my |enough |a lot of |extra |the |these |)(?:pills|meds|medication|medications|tablets|sleeping pills|painkillers|antidepressants|insulin|opioids|oxy|xanax)|i (?:have|'ve got|ve got|got|have got) (?:enough|all the|the) (?:pills|meds|medication|tablets|rope)(?: \w++)? (?:to|for) (?:end it|do it|die|kill myself|overdose|od)\b",
        "I've been stockpiling my meds.",
        keys=(
            "pills",
            "meds",
            "medication",
            "tablets",
            "painkillers",
            "antidepressants",
            "insulin",
            "opioids",
            "oxy",
            "xanax",
            "rope",
        ),
    ),
    # An overdose taken: "I just took all my pills".
    _Rule(
        r"i(?:'ve| have|ve)? (?:just )?(?:took|taken|swallowed) (?:all|a bunch|a handful|the whole|every|the rest|too many|way too many|dozens)(?: of)? (?:my |the |these |those |of my )?(?:pills|meds|tablets|medication|bottle|box|pack)",
        "I just took all my pills.",
        keys=("took", "taken", "swallowed"),
    ),
    # Self-harm: "I've been cutting again", "I cut myself last night", not "cutting back".
    _Rule(
        r"i(?:'ve| have|ve)? (?:been|started|keep|kept|started to|began) (?:(?:cutting|burning)(?: myself)?(?= ?(?:$|[.!?;,:\n]|again|myself|on my|every|when|to|because|and)\b)|(?:hurting|harming|hitting|punching|scratching) myself)|i (?:cut|burned|burnt|hurt|harmed|hit|punched) (?:myself|again)(?! (?:shaving|cooking|while|on (?:a|the|some|my)|by accident|accidentally|at (?:work|the gym)|playing|in the kitchen|with (?:a|the) (?:kitchen|bread|paper)|opening|doing|lifting|running|falling|trying to)\b)|i self[- ]?harm(?:ed)?\b|i relapsed (?:on|into|with) (?:self[- ]?harm|cutting)",
        "I've been cutting again.",
        keys=("cutting", "burning", "self", "again", "relapsed"),
    ),
    # Farewell notes: "I've written my goodbye letters", "my suicide note".
    _Rule(
        r"i(?:'ve| have|ve)? (?:already |finally |just )?(?:written|wrote|finished|prepared|left|started) (?:my|a|the|some) (?:goodbye|suicide|farewell) (?:letters?|notes?|messages?)|my (?:suicide|goodbye|farewell) (?:note|letter)s?\b",
        "I've written my goodbye letters.",
        keys=("goodbye", "suicide", "farewell"),
    ),
    # Not around much longer, farewells: "I won't be around much longer", "this is goodbye".
    _Rule(
        r"i (?:won'?t|will not|wont|'m not going to|am not going to|m not going to|ain'?t gonna) be (?:around|here|alive)(?: (?:for )?(?:much|very) (?:longer|long)| (?:for )?long\b| any ?more| any longer| by (?:then|tomorrow|morning|the weekend|next week)| to see (?:it|tomorrow|christmas|the end))|i(?:'ll| will|ll) be gone (?:soon|by (?:tomorrow|morning|then|tonight)|tonight|tomorrow|before)|by the time (?:you|anyone|someone|somebody) (?:read|reads|see|sees|find|finds) this|this is (?:my )?goodbye\b|goodbye (?:forever|cruel world)|this is my (?:last|final) (?:post|message)(?! (?:here|on|before|for|of the)\b)|you(?:'ll| will) never (?:see|hear from) me again",
        "I won't be around much longer.",
        keys=("around", "here", "alive", "gone", "by the time", "goodbye", "this is", "me again"),
    ),
]


def _strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return _MARKS.sub("", text).translate(_LETTERS)


_MARKS = re.compile(r"[\u0300-\u036f]")
_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_SIGNS = str.maketrans(
    {
        **dict.fromkeys("’‘ʼ´`′", "'"),
        **dict.fromkeys("“”„‟", '"'),
        "‹": "«",
        "›": "»",
        **dict.fromkeys("‐‑‒", "-"),
        **dict.fromkeys("–—―", ","),
        # Markdown emphasis and invisible characters do not split words.
        **dict.fromkeys("*_~#\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
    }
)
_QUOTED_LINE = re.compile(r"^[ \t]*>[^\n]*+", re.M)  # a Markdown quotation: someone's words
_RUNS = re.compile(r"([a-z])\1{2,}")  # "mouuuurir"
_SPACES = re.compile(r"[^\S\n]+")


def _normalise(text: str) -> str:
    """Lower case, no accents, straight apostrophes and quotes, one space between words."""
    text = _QUOTED_LINE.sub("", _strip_accents(text).lower().translate(_SIGNS))
    return _SPACES.sub(" ", _RUNS.sub(r"\1", text))


# Where sentences end (the detector judges each one on its own).
_SENTENCE_END = re.compile(r"[.!?;\n]+")
# Quotations on one sentence: « », "…", closed or running to the end of the sentence.
_QUOTE = re.compile(r'«[^»\n.!?;]*+(?:[.!?;]+ ?»|»)?|"[^"\n.!?;]*+(?:[.!?;]+ ?"|")?')

# Someone else speaks: "tu dis", "il m'a dit", "ma mère disait", "you said", "my friend wrote".
_SPEAKER = (
    r"(?:\b(?:tu|t'|il|elle|on|ils|elles|vous)|\b(?:mon|ma|mes|ton|ta|tes|son|sa|ses|notre|nos|votre|vos|leur|leurs|un|une|le|la|les|cet|cette|ce) \w++|\bl'\w++)"
    r"(?: (?:m'|me |t'|te |lui |nous |vous |leur |l'))?(?: ?(?:a|as|avait|avais|ont|avez|avaient|aviez|a meme|a encore|as deja|a deja))?"
    r" ?(?:dit|dis|disait|disais|dites|disent|ecrit|ecris|ecrivait|ecrivais|ecrivez|repete|repetes|repetait|repetais|criait|crie|cries|hurlait|hurle|murmurait|confie|confiait|avoue|avouait|lache|texte|envoye|poste|publie|raconte|racontait|affirme)\b"
    r"|\b(?:you|he|she|they|we|(?:my|your|his|her|their|our|a|the|this) \w++)(?:'ve|'d|'s| just| always| once| even| also| then| has| have| had| was| is| were| are| would| used to| keep| keeps| kept)?"
    r" (?:said|says|say|saying|told me|tells me|told us|tell me|wrote|writes|write|writing|texted|texts|posted|posts|screamed|yelled|whispered|messaged)\b"
)
_SPEAKER_BEFORE_QUOTE = re.compile(rf"(?:{_SPEAKER})(?: me| to me)? ?[:,]? ?$")
_SPEAKER_BEFORE = re.compile(
    rf"(?:{_SPEAKER})(?: me| to me)? ?(?::|, ?')? ?'? ?(?:(?!que\b|qu'|that\b)[\w']++ ){{0,2}}$"
)
_SPEAKER_AFTER = re.compile(
    r"[ \"'»]*[,:]? ?(?:c'est ce que (?:tu|t'|il|elle|ils|elles|vous|on|mon|ma|mes|ton|ta|son|sa)\b"
    r"|(?:m'a|t'a|lui a|nous a|a|m'avait|avait|me disait) (?:dit|ecrit|confie|avoue|repete|lache|texte) (?:mon|ma|mes|ton|ta|tes|son|sa|ses|notre|leur|un|une|l')"
    r"|(?:dit|disait|ecrit|repete|murmure|crie|hurle|confie|lache)-(?:il|elle|t-il|t-elle)\b|(?:m'a|a|lui a|t'a|nous a)-t-(?:il|elle) dit"
    r"|(?:disait|dit|ecrivait|a dit|m'a dit) (?:mon|ma|son|sa|ton|ta|leur|notre)\b"
    r"|(?:tu|il|elle) (?:m'a|m'as|a|as|m'avait) (?:dit|ecrit)"
    r"|(?:you|he|she|they) (?:said|say|says|wrote|told me|texted|whispered|kept saying)\b"
    r"|(?:said|says|wrote|texted|whispered) (?:my|his|her|your|their|the|a) "
    r"|that'?s what (?:you|he|she|they|my \w++) (?:said|says|wrote|told me))"
)

# Someone else asks whether: "ma psy m'a demandé si", "she asked if" (not "je me demande si").
_ASKED = re.compile(
    r"(?:\b(?:m'a|m'ont|m'avait|m'avaient|nous a|t'a|lui a) demande|(?<!je )\bme demande(?:nt)?) (?:\w++ )?si ?$"
    r"|\b(?:asked|asks|asking) (?:me |us |him |her )?(?:if|whether) $"
)
# The writer as subject, and someone else as subject (for phrases without a subject).
_FIRST = re.compile(
    r"\b(?:je|j'|j|moi|me|m'|i|i'm|im|i've|ive|i'd|chu|chui|jsuis|g)(?![\w'])|(?<![\w'])j'"
)
_OTHER = re.compile(
    r"\b(?:tu|t'as|t'avais|t'es|il|elle|ils|elles|vous|you|he|she|they|u)\b"
    r"|\b(?:ton|ta|tes|son|sa|ses|leur|leurs|votre|vos|your|his|her|their) ?$"
    r"|\b(?:mon|ma|mes|my|notre|nos|our) (?:mere|pere|frere|soeur|ami|amie|fils|fille|mari|femme|copain|copine|oncle|tante|cousin|cousine|grand-mere|grand-pere|maman|papa|compagnon|compagne|conjoint|conjointe|patient|patiente|collegue|voisin|voisine|enfant|ado|mom|mum|mother|dad|father|brother|sister|friend|son|daughter|husband|wife|boyfriend|girlfriend|partner|uncle|aunt|cousin|grandma|grandpa|grandmother|grandfather|colleague|neighbou?r|kid|child|teen)s?\b"
)
_NEGATION = frozenset(
    ("ne", "pas", "jamais", "plus", "point", "guere", "aucun", "aucune", "ni", "sans", "nor")
    + ("not", "never", "no", "don't", "dont", "doesn't", "didn't", "won't", "wouldn't", "can't")
    + ("cant", "isn't", "aren't")
)

# A story dated in the past ("il y a deux ans", "back in 2019", "used to").
_NUMBER = r"(?:\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quelques|plusieurs|des|bien des|de nombreuses|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|a few|few|several|many|some|a couple of|couple of)"
_DISTANT = re.compile(
    rf"\bil y a {_NUMBER}(?: \w++)? (?:ans?|annees?|mois|decennies)\b|\bil y a (?:longtemps|tres longtemps|des lustres)"
    r"|\bl'an (?:dernier|passe)|\bl'annee (?:derniere|passee)|\bles annees (?:passees|d'avant)|\ben (?:19|20)\d\d\b"
    r"|\b(?:a|vers|a l'age de) (?:\d{1,2}|douze|treize|quatorze|quinze|seize|dix-sept|dix-huit|vingt) ans\b"
    r"|\b(?:a|de) (?:l'|cette )epoque|\bautrefois|\bjadis|\bdans le (?:temps|passe)|\bpar le passe|\bplus jeune|\ba un moment(?: donne)?"
    r"|\bpendant (?:des annees|longtemps|mon adolescence|mon enfance|ma jeunesse|ma depression|des mois)|\bdurant (?:mon|ma|des)\b"
    r"|\b(?:quand|lorsque) (?:j'avais|j'etais|je suis (?:petite?|ado|adolescente?|jeune|enfant|etudiante?))|\ba l'adolescence|\bdans ma jeunesse|\bdans mon enfance|\bavant(?:,| je| j')"
    rf"|\b{_NUMBER}(?: \w++)? (?:years?|months|decades) ago\b|\b(?:years|long|ages) ago\b|\ba long time ago|\blast year\b|\bback (?:in|then|when)\b|\bin (?:19|20)\d\d\b"
    r"|\bin (?:high school|college)\b|\bas a (?:teen|teenager|kid|child|student)\b|\bwhen i was (?:\d+|a (?:teen|teenager|kid|child|student)|younger|little|young|in (?:high school|college|school|my teens|my twenties|uni))\b"
    r"|\bin my (?:teens|twenties|thirties|youth)\b|\bduring my (?:teens|youth|childhood|depression|twenties)\b|\bat (?:\d{1,2}|twelve|thirteen|fourteen|fifteen|sixteen|seventeen)(?: years old)?,? i\b|\bused to\b|\bat one point\b|\bat the time\b|\bgrowing up\b"
)
# A recent or present time ("hier soir", "tonight", "depuis"): nearer than a distant one, it wins.
_RECENT = re.compile(
    r"\b(?:hier|avant-hier|cette nuit|ce soir|ce matin|cet apres-midi|aujourd'hui|tout a l'heure|tantot|la nuit derniere|cette semaine|ce week-end|ce weekend|la semaine derniere|maintenant|en ce moment|actuellement|ces jours-ci|ces temps-ci|depuis|encore|toujours)\b"
    rf"|\bil y a {_NUMBER}(?: \w++)? (?:minutes?|heures?|jours?|semaines?)\b|\bca fait {_NUMBER} (?:jours|semaines|mois|ans) que\b"
    r"|\b(?:yesterday|last night|tonight|today|this morning|this afternoon|this evening|this week|this weekend|last week|earlier|right now|now|currently|these days|lately|recently|still|since)\b"
    rf"|\b{_NUMBER}(?: \w++)? (?:minutes?|hours?|days?|weeks?) ago\b"
)
# It is back: a past mention followed by these is a crisis again.
_COMES_BACK = re.compile(
    r"\bj'y (?:re)?pense|\bj'y pense (?:encore|toujours)|\bca (?:me )?(?:revient|reprend|recommence)\b|\bc'est revenu"
    r"|\b(?:l'envie|les idees|ces idees|mes idees|les pensees|ces pensees|les envies|ces envies|tout) (?:me )?(?:revient|reviennent|recommence|recommencent|reprend|reprennent|est revenue?|sont revenue?s)\b"
    r"|\b(?:je|j') ?(?:recommence|rechute|ai recommence|ai rechute)\b"
    r"|\b(?:ce soir|cette nuit|aujourd'hui|maintenant|en ce moment|ces jours-ci) (?:aussi|encore|pareil|de nouveau|a nouveau)\b|\b(?:encore|de nouveau|a nouveau) (?:ce soir|cette nuit|aujourd'hui|maintenant)\b"
    r"|\bcomme (?:a l'epoque|avant|a ce moment-la)\b|\bje me sens (?:pareil|comme avant|comme a l'epoque)"
    r"|\b(?:it'?s|they'?re|its|theyre|the thoughts are|the urges are|the feelings are|it is|they are) (?:coming |creeping |all coming )?back\b|\b(?:thoughts|urges|feelings) (?:are )?(?:coming|creeping) back"
    r"|\b(?:i'?m|im|i am) (?:back )?there again|\bback to (?:that|the same) (?:place|point)|\bi(?:'ve| have)? relapsed\b"
    r"|\bi still (?:want|think about it|feel (?:like|that|the same)|wish)|\b(?:tonight|today|now|right now|these days|lately) (?:too|as well|again)\b"
    r"|\bagain (?:tonight|today|now|lately)\b|\b(?:feel|feeling|felt) (?:that way|like that|the same(?: way)?) again\b|\blike back then\b"
)
# A verb in a past tense: French imperfect (not the conditional "voudrais"), passé composé,
# English preterite.
_PAST_FORM = re.compile(
    r"\b(?!jamais\b|mais\b|desormais\b|vrais\b|frais\b|francais\b|anglais\b)\w+[^r\W](?:ais|ait|aient)\b"
    r"|\b(?:ai|avais|avait|as|suis|etais|me suis|m'etais|m' ?suis)(?: (?:deja|souvent|parfois|vraiment|tellement|beaucoup|longtemps|serieusement|plusieurs fois))? (?:voulu|pense|songe|essaye|tente|failli|fait|pris|avale|ecrit|prepare|redige|laisse|coupee?|scarifiee?|mutilee?|eu|ete|cru|envisage|decide|stocke|accumule|garde|mis|cache|reve|fini|termine|sentie?)\b"
    r"|\b(?:wanted|used to|was|were|tried|attempted|thought|had|took|wrote|felt|planned|decided|saved|stockpiled|cut|hurt|harmed|burned|burnt|overdosed|swallowed|considered|did|didn'?t|couldn'?t|could not|went|relapsed|almost|nearly|kept)\b"
)


class _Reading:
    """The normalised text, with what the context checks need, computed when first needed."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _ends(self) -> tuple[list[int], list[int]]:
        found = list(_SENTENCE_END.finditer(self.text))
        return [m.start() for m in found], [m.end() for m in found]

    def sentence(self, pos: int) -> tuple[int, int]:
        """The start and end of the sentence around a position (or the next one, from its
        final punctuation)."""
        starts, ends = self._ends
        index = bisect_right(starts, pos)
        start = ends[index - 1] if index else 0
        end = starts[index] if index < len(starts) else len(self.text)
        return start, end

    @cached_property
    def _quotes(self) -> tuple[list[int], list[int]]:
        found = list(_QUOTE.finditer(self.text))
        return [m.start() for m in found], [m.end() for m in found]

    def at_word_start(self, pos: int) -> bool:
        return pos == 0 or not self.text[pos - 1].isalnum() or not self.text[pos].isalnum()

    def reported(self, start: int, end: int) -> bool:
        """Someone else's words: in quotes after "tu dis", or after "il m'a dit :"; or
        someone else's question ("ma psy m'a demandé si j'avais des idées noires")."""
        sentence_start, sentence_end = self.sentence(start)
        if _ASKED.search(self.text, max(sentence_start, start - 40), start):
            return True
        starts, ends = self._quotes
        i = bisect_right(starts, start) - 1
        if i >= 0 and ends[i] >= end:
            before = self.text[max(0, starts[i] - 60) : starts[i]]
            after = self.text[ends[i] : ends[i] + 50]
            return bool(_SPEAKER_BEFORE_QUOTE.search(before) or _SPEAKER_AFTER.match(after))
        before = self.text[max(sentence_start, start - 70) : start]
        after = self.text[end : min(sentence_end + 1, end + 50)]
        return bool(
            _SPEAKER_BEFORE.search(before) or (after[:1] in ",\"'»" and _SPEAKER_AFTER.match(after))
        )

    def someone_else(self, start: int) -> bool:
        """Whether the nearest subject before a subjectless phrase is someone else."""
        sentence_start, _ = self.sentence(start)
        before = self.text[max(sentence_start, start - 60) : start]
        first = max((m.end() for m in _FIRST.finditer(before)), default=-1)
        other = max((m.end() for m in _OTHER.finditer(before)), default=-1)
        return other > first

    def clause(self, start: int) -> str:
        """The words before a position, back to the start of their clause (40 characters)."""
        sentence_start, _ = self.sentence(start)
        return re.split(r"[,:]", self.text[max(sentence_start, start - 40) : start])[-1]

    def negated(self, start: int) -> bool:
        """A negation among the three words before a phrase, in its clause."""
        words = re.findall(r"[\w']+", self.clause(start).replace("de plus en plus", ""))[-3:]
        for i, word in enumerate(words):
            if word in _NEGATION or word.startswith("n'"):
                # "je n'ai plus qu'une envie": "ne... que" restricts, it does not deny.
                return not any(w in ("que", "qu") or w.startswith("qu'") for w in words[i + 1 :])
        return False

    def dated(self, start: int, end: int) -> bool:
        """Whether the time marker nearest the phrase, in its sentence and within
        `_MARKER_REACH` characters, is a distant past."""
        sentence_start, sentence_end = self.sentence(start)
        low = max(sentence_start, start - _MARKER_REACH)
        high = min(sentence_end, end + _MARKER_REACH)

        def nearest(markers: re.Pattern[str]) -> float:
            best = float("inf")
            for marker in markers.finditer(self.text, low, high):
                s, e = marker.span()
                # A marker before the phrase scopes over it more than one after (tie: before).
                best = min(best, start - e if e <= start else (0 if s < end else s - end + 0.5))
            return best

        distant = nearest(_DISTANT)
        if distant == float("inf") or nearest(_RECENT) < distant:
            return False
        # Unless it is back, in this sentence or the next.
        _, next_end = self.sentence(sentence_end)
        return _COMES_BACK.search(self.text, low, min(next_end, end + 2 * _MARKER_REACH)) is None

    def stands(self, rule: _Rule, match: re.Match[str]) -> bool:
        """Whether a phrase found is the writer's own crisis, now."""
        start, end = match.span()
        if rule.who and self.someone_else(start):
            return False
        if rule.neg and self.negated(start):
            return False
        if rule.unless is not None:
            sentence_start, _ = self.sentence(start)
            if rule.unless.search(self.text[max(sentence_start, start - 40) : start]):
                return False
        if self.reported(start, end):
            return False
        # A phrase without a subject takes its tense from the words before it.
        phrase = self.clause(start) + match.group() if rule.who else match.group()
        past = rule.tenseless or _PAST_FORM.search(phrase) is not None
        return not (past and self.dated(start, end))


def find(text: str) -> str | None:
    """The first phrase (normalised: lower case, no accents) that reads as a crisis in the
    writer's own voice, or None.

    The text is read as typed, then, when that finds nothing, as a reader sees it
    (`normalise.for_detection`): "je veux m o u r i r" or a phrase with invisible characters
    inside is found too, and nothing found today is lost."""
    found = _find(_normalise(text))
    if found is None:
        readable = normalise.for_detection(text)
        if readable != text:
            found = _find(_normalise(readable))
    return found


def _find(normalised: str) -> str | None:
    reading = _Reading(normalised)
    candidates = 0
    for rule in _RULES:
        if not any(key in reading.text for key in rule.keys):
            continue
        pos = 0
        while (match := rule.regex.search(reading.text, pos)) is not None:
            if not reading.at_word_start(match.start()):
                pos = match.start() + 1
                continue
            candidates += 1
            if candidates > MAX_CANDIDATES or reading.stands(rule, match):
                return match.group()
            pos = match.end()
    return None


def detect(text: str) -> bool:
    """Whether the text reads as a crisis in the writer's own voice."""
    return find(text) is not None
