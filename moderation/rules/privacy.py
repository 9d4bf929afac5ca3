"""Personal data that could identify the author or someone else, in French and English
formats: phone numbers, e-mail addresses, street addresses and postcodes, links to social
profiles, a first name with a surname, and a named workplace.

The check warns, it never blocks: the author edits or confirms (see the pipeline). A false
positive costs the author one click, a miss can out them, but a warning on every other post
would teach members to click through without reading: names and workplaces are only
flagged when the shape is clear (a known first name, a work verb before an organisation).

Every pattern is anchored at a word start and its repetitions are bounded, so that no
input (20,000 characters of "a.a.a…", "06 06 06…" or "Marie Marie…") makes the search
quadratic: bench/moderation_bench.py measures the worst cases.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from . import normalise

FIRST_NAMES = Path(__file__).resolve().parent / "first_names.txt"
# What a finding can be; forum/moderation_labels.py names each kind for the author.
KINDS = ("phone", "email", "address", "social", "name", "workplace")

_UP = "A-ZÀ-ÖØ-ÞŒ"
_LOW = "a-zß-öø-ÿœ"


@lru_cache(maxsize=4096)
def _fold(word: str) -> str:
    """Lower case without accents: "Éloïse" and "eloise" are the same name."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Help lines and emergency numbers are meant to be shared: never flagged.
_HELPLINES = _words(
    """3114 0972394050 080032123 143 18662773553 8662773553 988 112 911 15 17 18 114 115 119
    196 3919 0800235236 0145394000"""
)

# Matches start only where a run of address characters starts, and parts are bounded, so
# that no input (20,000 characters of "a.a.a…") makes the search quadratic.
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}(?![\w-])", re.I
)
# "lou.martin (at) gmail (dot) com", "lou arobase gmail point fr": written to dodge filters.
# A plain " at " only counts with a spelled-out " dot ": "look at google.com" and "may at
# some point be" are no addresses.
_AT_MARK = r"(?:[ \t]?[(\[{][ \t]?(?:at|arobase|@)[ \t]?[)\]}][ \t]?|[ \t]arobase[ \t])"
_DOT_WORD = r"(?:[ \t]?[(\[{][ \t]?(?:dot|point)[ \t]?[)\]}][ \t]?|[ \t](?:dot|point)[ \t])"
_EMAIL_SPELLED = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{1,64}}(?:{_AT_MARK}[\w-]{{1,63}}(?:{_DOT_WORD}|\.)"
    rf"|[ \t]at[ \t][\w-]{{1,63}}(?:[ \t]?[(\[{{][ \t]?dot[ \t]?[)\]}}][ \t]?|[ \t]dot[ \t]))"
    r"(?:com|fr|be|ch|ca|net|org|uk|co\.uk|ie|us|io|me|info|eu|qc\.ca)(?![\w-])",
    re.I,
)
_PHONE = re.compile(
    r"""(?<![\w+])(?:
        (?:\+|00)\d{1,3}[\s.\-]?(?:\(0\)[\s.\-]?)?\d{1,4}(?:[\s.\-]?\d{2,4}){2,5}   # international
      | 0\d(?:[\s.\-]?\d{2}){4}                                                # FR 06 12 34 56 78
      | 0\d{2,4}[\s.\-]?\d{3,4}[\s.\-]?\d{4}                                 # UK 020 7946 0958
      | 0\d{2,3}(?:[\s./\-]?\d{2,3}){2,3}                                      # BE, CH: 0470 12 34 56
      | 0\d[\s./\-]?\d{3}(?:[\s./\-]?\d{2}){2}                                # BE landline 02 512 34 56
      | (?:(?:\+|00)?1[\s.\-]?)?\(?[2-9]\d{2}\)?[\s.\-]?\d{3}[\s.\-]?\d{4}       # North America
    )(?![\w])""",
    re.X,
)
_STREET_FR = re.compile(
    r"\b\d{1,4}\s?(?i:bis|ter)?,?\s+(?:"
    r"(?i:rue|avenue|av\.|boulevard|bd|impasse|allée|quai)\s+[\w'’ -]{2,40}"
    r"|(?i:chemin|place|route|cours|square|passage|rang|montée)\s+"
    r"(?:(?i:de la|de l'|de l’|des|du|de|d'|d’)\s*)?[A-ZÀ-Ý][\w'’ -]{1,40})"
)
_STREET_EN = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w'-]*\s+){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|"
    r"Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace)\b\.?"
)
# A French (75011), Belgian or Swiss (1000) postcode followed by its town; the digits are
# checked in `_is_postcode`, which leaves out years and help lines.
_TOWN_WORD = rf"[{_UP}](?:[{_LOW}]{{1,30}}|[{_UP}]{{1,30}})"
_POSTCODE_TOWN = re.compile(
    rf"(?<![\w.,'’/+-])(?:(?:[BFL]|CH)-)?(?P<code>\d{{4,5}})[ \t]{{1,3}}(?P<town>{_TOWN_WORD}"
    rf"(?:[ -](?:(?:sur|sous|en|lès|les|le|la|de|du|aux?)[ -])?{_TOWN_WORD}){{0,3}})"
)
_POSTCODE_CA = re.compile(
    r"(?<![\w-])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d(?![\w-])", re.I
)
_POSTCODE_UK = re.compile(
    r"(?<![\w-])[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPSTUW\d]? \d[ABD-HJLNP-UW-Z]{2}(?![\w-])"
)
_ZIP_US = re.compile(
    r"\b[A-Z][a-z]{1,25}(?: [A-Z][a-z]{1,25}){0,2}, (?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|"
    r"ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|"
    r"SD|TN|TX|UT|VT|VA|WA|WV|WI|WY) \d{5}(?:-\d{4})?\b"
)
_SOCIAL = re.compile(
    r"(?:https?://)?(?:www\.|m\.)?(?:facebook\.com|fb\.com|fb\.me|instagram\.com|"
    r"twitter\.com|x\.com|tiktok\.com|linkedin\.com/in|snapchat\.com/add|t\.me|wa\.me|"
    r"youtube\.com/@|threads\.net|bsky\.app/profile|reddit\.com/u(?:ser)?|discord\.gg|"
    r"onlyfans\.com)/?[\w.@%/-]*",
    re.I,
)
# The social sites' names: the pattern above only runs on texts that contain one.
_SOCIAL_HINTS = _words(
    """facebook. fb. instagram. twitter. x.com tiktok. linkedin. snapchat. t.me wa.me youtube.
    threads. bsky. reddit. discord. onlyfans."""
)
_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,30}@[\w-]+\.[\w.]{2,}")  # fediverse handles
# "mon insta : @loulou_92": a bare @handle is a profile when a network is named just before.
_AT_HANDLE = re.compile(r"(?<![\w@])@[\w.]{2,30}(?![\w@])")
_NETWORK = re.compile(
    r"\b(?i:insta(?:gram)?|snap(?:chat)?|tik[ -]?tok|twitter|facebook|fb|telegram|discord|"
    r"twitch|threads|bluesky|bsky|mastodon|linkedin|whatsapp)\b[^\n@]{0,20}\Z"
)

# A first name, then a surname (after an optional particle: de, van, d'…): the first name is
# looked up in FIRST_NAMES, the surname must not be a common word (see `_is_surname`). The
# surname is in a lookahead so that "Merci Marie Dupont" is tried at "Merci" and at "Marie".
_FIRST = rf"[{_UP}][{_LOW}]{{1,20}}(?:-[{_UP}][{_LOW}]{{1,20}})?"
_SPACE = r"[ \t\u00a0]"  # within a line: a name does not run from one line to the next
_PARTICLE = (
    r"(?:(?i:van der|van den|von der|de la|de|du|des|van|von|der|den|da|di|del|della|dos|le|la"
    r"|el|al|ben|ibn|abou|ould)[ \t\u00a0]|d['’])"
)
_SURNAME = (
    rf"(?:[{_UP}][{_LOW}]?['’])?[{_UP}][{_UP}{_LOW}]{{1,30}}(?:-[{_UP}][{_UP}{_LOW}]{{1,30}})?"
)
_WORD_END = r"(?=['’]s\b|[^\w'’-]|\Z)"  # the end of a word, or an English possessive
_NAME = re.compile(
    rf"(?<![\w'’-])(?P<first>{_FIRST})(?={_SPACE}{{1,3}}(?P<last>{_PARTICLE}?{_SURNAME}){_WORD_END})"
)
_TITLES = (
    r"(?i:docteure?|doctoresse|doctor|professeure?|maître|madame|mademoiselle|monsieur)"
    r"|(?:Dre?|Pr|Mme|Mlle|Mrs?|Ms|Mx)\.?|Miss|M\."
)
# "le Dr Martin", "Madame Dubois": a title makes a lone surname a name.
_TITLED = re.compile(
    rf"(?<![\w'’-])(?:{_TITLES}){_SPACE}{{1,3}}(?P<last>{_PARTICLE}?{_SURNAME}){_WORD_END}"
)
_NEXT_SURNAME = re.compile(rf"{_SPACE}{{1,3}}(?P<last>{_PARTICLE}?{_SURNAME}){_WORD_END}")
# Before a first name: "Dr. Sarah Connor" is one name, "rue Victor Hugo" is a place.
_TITLE_WORDS = _words(
    """docteur docteure doctoresse doctor professeur professeure maitre madame mademoiselle
    monsieur"""
)
_TITLE_ABBREVIATIONS = _words(
    "Dr Dr. Dre Dre. Pr Pr. Mme Mme. Mlle Mlle. Mr Mr. Mrs Mrs. Ms Ms. Mx Mx. Miss M."
)
_PLACE_WORDS = _words(
    """rue avenue av boulevard bd place allee impasse quai chemin square cours college lycee
    ecole hopital clinique gare station metro stade parc pont musee centre institut
    universite fondation prix salle bibliotheque mediatheque residence cite quartier saint
    sainte st ste street road school hospital church eglise lac lake mont mount fort port cap
    cape chu ehpad"""
)

# A capitalised organisation after a work verb or phrase: "je travaille chez Renault",
# "infirmière au CHU de Nantes", "my boss at Tesco". The organisation's words are joined by
# spaces or small words (de, of, in…) and trimmed in `_organisation`.
_ORG_WORD = rf"[{_UP}][\w&]{{0,30}}(?:['’.&-][\w&]{{1,30}}){{0,3}}"
_ORG_JOIN = (
    r"(?:(?:de|du|des|of|the|à|in|at|&|sur)[ \t]{1,3}|de[ \t]la[ \t]{1,3}|(?:de[ \t]l|d)['’])"
)
_ORG = rf"{_ORG_WORD}(?:[ \t]{{1,3}}{_ORG_JOIN}?{_ORG_WORD}){{0,4}}"
_ORG_TYPE = (
    r"(?i:hôpital|hopital|clinique|collège|college|lycée|lycee|école|ecole|université|fac|mairie|"
    r"usine|entrepôt|magasin|supermarché|hypermarché|pharmacie|banque|agence|cabinet|centre|"
    r"institut|résidence|maison|restaurant|resto|hôtel|hotel|café|boulangerie|garage|crèche|"
    r"bibliothèque|médiathèque|foyer|association|asso|entreprise|société|boîte|groupe|"
    r"préfecture|ministère|tribunal|prison|hospital|school|university|store|shop|branch|"
    r"factory|warehouse|office|bank|council|clinic|gym)"
    r"[ \t]{1,3}(?:(?i:de|du|des|of|de[ \t]la)[ \t]{1,3}|(?i:de[ \t]l|d)['’])?"
)
_JOBS_FR = (
    r"infirmi[eè]re?|aide-soignante?|prof|professeure?|enseignante?|instit|institutrice|"
    r"instituteur|caissi[eè]re?|vendeu(?:r|se)|serveu(?:r|se)|cuisini[eè]re?|secrétaire|"
    r"comptable|ingénieure?|technicienn?e?|ouvri[eè]re?|chauffeu(?:r|se)|livreu(?:r|se)|"
    r"facteur|factrice|postière?|postier|directeur|directrice|cadre|apprentie?|éducat(?:eur|rice)|"
    r"animat(?:eur|rice)|aesh|atsem|avs|ash|auxiliaire|pharmacienn?e?|préparat(?:eur|rice)|"
    r"kiné|sage-femme|pompière?|policière?|policier|gendarme|militaire|agente?|magasini[eè]re?|"
    r"manutentionnaire|fonctionnaire|surveillante?|bibliothécaire|chercheu(?:r|se)|"
    r"doctorante?|avocate?|juriste|assistante?|conseill[eè]re?|gestionnaire|standardiste|"
    r"employée?|embauchée?|salariée?|stagiaire|intérimaire|bénévole|"
    r"en[ \t](?:stage|poste|cdi|cdd|alternance|intérim)"
)
_JOBS_EN = (
    r"nurse|teacher|cashier|engineer|developer|driver|clerk|waitress|waiter|barista|cook|chef|"
    r"receptionist|carer|caregiver|technician|accountant|librarian|paramedic|firefighter|"
    r"officer|cleaner|janitor|pharmacist|lecturer|professor|researcher|manager|assistant|"
    r"intern|volunteer|employee"
)
# Searched from the preposition, which is seldom followed by a capital, then the words before
# it are checked (`_works_there`): trying the work words at every word of a long post would
# cost more than all the other patterns together.
_WORK_PREP = re.compile(
    rf"""(?<![\w'’-])(?P<prep>(?i:chez|pour|aux?|à|dans(?=[ \t]{{1,3}}(?:la|le|les|l['’]))
        |at|for|by|from|de|du|d['’]))
    (?:[ \t]{{1,3}}|(?<=['’]))
    (?:(?:la|le|les|l['’]|the)[ \t]{{0,3}}(?<=[ \t'’]))?  # lower case: "La Poste" is a name
    (?P<org>(?:{_ORG_TYPE})?{_ORG})""",
    re.X,
)
_WORK_LEAD = re.compile(
    rf"""(?i:travaill\w{{0,5}}|boss(?:e|es|ent|ais|ait|é|ée|er)
      |(?:mon|ma|mes|notre|nos)[ \t](?:boulot|job|travail|emploi|poste|stage|chef|cheffe
        |patron|patronne|boss|manager|directeur|directrice|responsable|employeur
        |collègues?|boîte|entreprise|équipe|service)
      |{_JOBS_FR}
      |work(?:s|ed|ing)?|employed|volunteer(?:s|ed|ing)?|intern(?:s|ed|ing)?
      |teach(?:es|ing)?|taught
      |(?:my|our|his|her|their)[ \t](?:job|boss|manager|supervisor|employer|co-?workers?
        |colleagues?|shift|team|workplace|company|office|internship)
      |{_JOBS_EN})
    [ \t]{{1,3}}""",
    re.X,
)
# Leaving a job also names it: "licenciée de Renault", "fired from Walmart".
_LEFT_LEAD = re.compile(
    r"(?i:licenciée?|virée?|renvoyée?|démissionnée?|fired|sacked|laid[ \t]off|let[ \t]go"
    r"|resigned|quit)[ \t]{1,3}"
)
_LEFT_ONLY = frozenset({"de", "du", "d'", "d’", "from"})
_WORD = re.compile(r"\b\w")
_ORG_TOKEN = re.compile(r"\S+")
_ORG_JOINERS = frozenset(_fold(w) for w in _words("de du des d' la le les l' of the à in at & sur"))
# Single words that name a kind of place or a line of work, not one employer.
_GENERIC = _words(
    """ehpad chu ch chr chsld clsc cpas cpe caf cpam ime esat itep it rh hr btp hopital
    hospital clinique clinic ecole school college lycee universite university fac mairie usine
    bureau office maison home travail work boulot job nuit night mi-temps temps domicile
    distance education fonction enseignement sante social commerce restauration batiment
    informatique industrie hotellerie administration medical medico-social retail healthcare
    hospitality construction finance tech noir black smic rsa chomage forfait cdi cdd interim
    usine entrepot magasin supermarche hypermarche pharmacie banque agence cabinet centre
    institut residence restaurant resto hotel cafe boulangerie garage creche bibliotheque
    mediatheque foyer association asso entreprise societe boite groupe prefecture ministere
    tribunal prison store shop branch factory warehouse bank council gym"""
)

# Capitalised words that follow a first name without being a surname: function words (a
# missing full stop: "Merci Julie Je…"), greetings, days, months, holidays, title words.
_COMMON = _words(
    """je j tu il elle on nous vous ils elles moi toi lui eux le la les l un une des du de d
    au aux ce cet cette ces ca cela ceci mon ma mes ton ta tes son sa ses notre nos votre vos
    leur leurs et ou mais donc or ni car que qu qui quoi dont quand comme si pour par avec sans
    sous sur dans en chez vers entre depuis pendant avant apres malgre selon contre ne n pas
    plus moins tres trop tout toute tous toutes rien personne chaque aucun aucune oui non
    merci bravo bonjour bonsoir salut coucou bienvenue courage bisous bises gros grosses
    plein amities amicalement cordialement pardon desole desolee bref bon bonne bonnes bons
    belle beau beaux enfin alors puis pis ensuite aussi encore deja toujours jamais parfois
    souvent peut-etre vraiment franchement sincerement heureusement malheureusement
    honnetement finalement justement ici voila voici aujourd aujourd'hui hier demain
    maintenant est suis es sommes etes sont etait ai as a avons avez ont avait fait va vais
    vas allez prends prenez fais faites dis dites ecris tellement contente content heureuse
    heureux ravie ravi triste quelle quel quels quelles comment pourquoi pareil idem
    exactement meme lol mdr xx xoxo ok okay premier premiere dernier derniere prochain
    prochaine nouveau nouvelle nouvel grand grande petit petite vieux vieille jeune saint
    sainte st ste cher chere chers cheres maman papa mamie papi meme pepe tonton tata dieu
    seigneur christ allah lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier
    mars avril mai juin juillet aout septembre octobre novembre decembre noel paques
    toussaint ramadan aid an annee ans euros euro dollars francs km heures
    i me my mine you your yours he him his she her hers it its we us our they them their the
    an and but or so nor yet if as at by for from in into of off on onto out over to up with
    without this that these those who whom whose what which when where why how all any both
    each every some no not nothing nobody none everyone everything someone anyone is am are
    was were be been has have had do does did can could will would should shall may might
    must thanks thank sorry please hi hello hey dear love hugs hug cheers best regards good
    great well yes yeah oh just also still even maybe perhaps honestly really seriously
    truly actually hopefully anyway today tonight yesterday tomorrow now then here there
    glad hope take sending wishing keep stay big lots same totally agree welcome mum mom dad
    mummy mommy daddy god jesus monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december jan feb
    mar apr jun jul aug sep sept oct nov dec christmas easter halloween thanksgiving eve
    new year first last next old young little street road avenue lane park station bridge
    hall house church school college university hospital centre center foundation show
    story day line kart bros syndrome francais anglais maths histoire madame monsieur
    mademoiselle docteur myself yourself himself herself ourselves themselves project mere
    pere pleine maire ministre president presidente directeur directrice juge cure pretre
    abbe depute senateur prefet commissaire square garden gardens falls beach river valley
    county city state tech bay island hill airport right wrong"""
)
# Places that follow a first name ("Julie de Lyon") without being a surname, and that a
# work phrase names ("je travaille à Paris") without naming an employer.
_PLACES = _words(
    """france belgique suisse quebec canada luxembourg paris lyon marseille lille toulouse
    bordeaux nantes nice strasbourg rennes montpellier grenoble rouen reims brest tours
    dijon angers metz nancy caen limoges amiens perpignan toulon avignon bretagne normandie
    savoie provence alsace corse bourgogne auvergne bruxelles liege namur charleroi mons
    wallonie flandre anvers gand louvain geneve lausanne fribourg neuchatel sion berne
    zurich bale valais vaud montreal laval gatineau sherbrooke longueuil levis saguenay
    trois-rivieres ottawa toronto vancouver ontario acadie london londres england angleterre
    scotland ecosse wales ireland irlande dublin belfast edinburgh glasgow cardiff manchester
    birmingham liverpool leeds bristol sheffield newcastle europe afrique africa asie asia
    amerique america usa uk espagne spain italie italy allemagne germany portugal maroc
    algerie tunisie senegal haiti nazareth jerusalem sydney melbourne australia australie
    york mexique japon chine inde bresil etats-unis pays-bas congo cameroun cote liban israel
    turquie russie ukraine pologne roumanie grece autriche suede norvege danemark finlande
    islande vietnam nord sud est ouest north south east west midi"""
)


@dataclass(frozen=True)
class Finding:
    kind: str  # one of KINDS: phone | email | address | social | name | workplace
    text: str


@cache
def first_names() -> frozenset[str]:
    """The first names of FIRST_NAMES, folded; read once, on first use."""
    lines = FIRST_NAMES.read_text(encoding="utf-8").splitlines()
    return frozenset(_fold(line.strip()) for line in lines if line.strip()[:1] not in ("", "#"))


def _is_helpline(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return digits in _HELPLINES or len(digits) < 8


def _is_postcode(code: str, town: str) -> bool:
    """75011 (France, 01 to 98), or 1000 to 9999 (Belgium, Switzerland) but not a year."""
    if code in _HELPLINES or _fold(town.split()[0]) in _COMMON:
        return False
    if len(code) == 5:
        return "01" <= code[:2] <= "98"
    return code[0] != "0" and not ("1900" <= code <= "2099")


def _is_first_name(word: str) -> bool:
    names = first_names()
    return _fold(word) in names or _fold(word.split("-")[0]) in names


def _is_surname(word: str) -> bool:
    """Not a common word or a place: "Marie Dupont", "Jean de La Fontaine", not "Marie Et"."""
    parts = word.replace("’", "'").split()
    core = parts[-1].split("'")[-1] if parts[-1][:2].lower() == "d'" else parts[-1]
    if core.isupper() and len(core) <= 3:  # an acronym: "Julie RH"
        return False
    head = _fold(core.split("-")[0])
    return head not in _COMMON and head not in _PLACES


def _organisation(org: str) -> int:
    """Where the organisation's name ends: before a common word ("Renault Je…", "Tesco at
    Christmas") and a dangling small word; 0 when no single employer is named."""
    kept: list[re.Match[str]] = []
    for token in _ORG_TOKEN.finditer(org):
        folded = _fold(token.group().strip(".,;:!?"))
        if kept and folded in _COMMON and folded not in _ORG_JOINERS | _GENERIC:
            break
        kept.append(token)
    while kept and _fold(kept[-1].group()) in _ORG_JOINERS:
        kept.pop()
    if len(kept) == 1:
        single = _fold(kept[0].group())
        if single in _GENERIC or single in _COMMON or single in _PLACES:
            return 0
    return kept[-1].end() if kept else 0


def _previous_word(text: str, start: int) -> str:
    """The word just before `start`, when only a few spaces or a hyphen separate them."""
    before = text[max(0, start - 24) : start]
    stripped = before.rstrip(" \t\u00a0-")
    if not stripped or len(before) - len(stripped) > 3:
        return ""
    return stripped.rsplit(None, 1)[-1].lstrip("([«\"'’")


def _works_there(text: str, prep: int, word: str) -> bool:
    """Whether a work verb or phrase ends just before the preposition at `prep`."""
    before = text[max(0, prep - 40) : prep]
    leads = (_LEFT_LEAD,) if word.lower() in _LEFT_ONLY else (_WORK_LEAD, _LEFT_LEAD)
    starts = [m.start() for m in _WORD.finditer(before)][-4:]  # leads have 3 words at most
    return any(lead.fullmatch(before, start) for start in starts for lead in leads)


def find(text: str) -> list[Finding]:
    """Everything in the text that looks like personal data, in order of appearance.

    The text is read as typed, then as a reader sees it (`normalise.readable`): a phone
    number or an address with invisible characters, look-alike letters or fullwidth digits
    inside is found too, and shown as typed. Where the two readings overlap, the one that
    starts first (then the longer) wins: "lou.mar", a zero-width space, "tin@gmail.com" is
    one address, not "tin@gmail.com"."""
    found = [(start, start + len(finding.text), 0, finding) for start, finding in _scan(text)]
    readable, origin = normalise.readable(text)
    if readable != text:
        for start, finding in _scan(readable):
            end = start + len(finding.text)
            shown = normalise.typed(text, origin, start, end)
            if shown:
                low = origin[start]
                found.append((low, low + len(shown), 1, Finding(finding.kind, shown)))
        found.sort(key=lambda item: (item[0], item[0] - item[1], item[2]))
        kept: list[tuple[int, int, int, Finding]] = []
        for item in found:
            if not kept or item[0] >= kept[-1][1]:
                kept.append(item)
        found = kept
    return [finding for _, _, _, finding in sorted(found, key=lambda item: item[0])]


def _scan(text: str) -> list[tuple[int, Finding]]:
    """The findings of one reading of the text, with where each starts."""
    found: list[tuple[int, Finding]] = []
    # The spans taken so far, disjoint and sorted: an overlap check is a binary search, so
    # thousands of findings in one hostile post stay cheap.
    starts: list[int] = []
    ends: list[int] = []

    def add(kind: str, start: int, end: int) -> None:
        i = bisect_left(starts, end)
        if i and ends[i - 1] > start:
            return
        starts.insert(i, start)
        ends.insert(i, end)
        shown = text[start:end]
        found.append((start + len(shown) - len(shown.lstrip()), Finding(kind, shown.strip())))

    lowered = text.lower()
    patterns = [(_HANDLE, "social"), (_EMAIL, "email")]
    if any(mark in lowered for mark in ("(", "[", "{", "arobase", " dot ")):
        patterns.append((_EMAIL_SPELLED, "email"))
    if any(hint in lowered for hint in _SOCIAL_HINTS):
        patterns.append((_SOCIAL, "social"))
    for pattern, kind in patterns:
        for match in pattern.finditer(text):
            add(kind, *match.span())
    for match in _AT_HANDLE.finditer(text):
        if _NETWORK.search(text, max(0, match.start() - 32), match.start()):
            add("social", *match.span())
    for match in _WORK_PREP.finditer(text):
        length = _organisation(match.group("org"))
        if length and _works_there(text, match.start(), match.group("prep")):
            add("workplace", match.start("org"), match.start("org") + length)
    for pattern in (_STREET_FR, _STREET_EN, _POSTCODE_CA, _POSTCODE_UK, _ZIP_US):
        for match in pattern.finditer(text):
            add("address", *match.span())
    for match in _POSTCODE_TOWN.finditer(text):
        if _is_postcode(match.group("code"), match.group("town")):
            add("address", *match.span())
    for match in _PHONE.finditer(text):
        if not _is_helpline(match.group(0)):
            add("phone", *match.span())
    _find_names(text, add)
    return found


def _find_names(text: str, add: Callable[[str, int, int], None]) -> None:
    """First name and surname ("Jean Paul Martin" is one finding), with a title before it
    ("Dr. Sarah Connor"), then a title with a lone surname ("le docteur Lefebvre")."""
    start = end = -1
    words = 0
    for match in _NAME.finditer(text):
        first, last = match.group("first"), match.group("last")
        if not (_is_first_name(first) and _is_surname(last)):
            continue
        if match.start() < end:  # "Jean Paul" then "Paul Martin": one name, of a few words
            if words < 4:
                end, words = match.end("last"), words + 1
            continue
        if end > 0:
            add("name", start, end)
        start, end, words = match.start(), match.end("last"), 2
        previous = _previous_word(text, start)
        folded = _fold(previous.rstrip(".")).rsplit("'", 1)[-1]  # "l'EHPAD" is "ehpad"
        if folded in _PLACE_WORDS:
            start = end = -1
            continue
        if folded in _TITLE_WORDS or previous in _TITLE_ABBREVIATIONS:
            start = text.rindex(previous, 0, start)
    if end > 0:
        add("name", start, end)
    for match in _TITLED.finditer(text):
        if _is_surname(match.group("last")):
            end = match.end("last")
            more = _NEXT_SURNAME.match(text, end)  # "Dr. Tammy Nelson": a first name not listed
            if more and _is_surname(more.group("last")):
                end = more.end("last")
            add("name", match.start(), end)
