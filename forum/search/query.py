"""The search language, parsed by us and never handed raw to a database.

What a reader may type: plain words (all of them must appear), "quoted phrases" (these
words, in this order), and a leading minus to leave out a word or a phrase (-rechute,
-"mon père"). Anything else is text: FTS5 or tsquery operators (AND, NEAR(, *, ^, :, parentheses)
are only ever words or separators here.

The text becomes a small `Query` (words, phrases, exclusions), which each backend compiles
on its own (`fts5_match`, `websearch`): every term is a run of letters and digits, quoted
again on the way out, so no input can reach the database's query syntax.

Both backends behave alike because the same things are dropped here: common French and
English words ("le", "de", "mon", "the"...), a superset of PostgreSQL's `french` stop list,
are left out of plain words (kept inside phrases, which they help place). PostgreSQL stems
("rechutes" finds "rechute"); SQLite's FTS5 does not, so on SQLite a word of four letters
or more is matched as a prefix ("rechute" finds "rechutes", "rechuter"): a little wider,
never narrower, and a quoted word is matched exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_CHARS = 200
MAX_TERMS = 12
MAX_PHRASE_WORDS = 8
MAX_WORD_CHARS = 40
PREFIX_FROM = 4  # letters; shorter words are matched whole on SQLite

# PostgreSQL's french.stop, then a few more French and common English words.
STOP_WORDS_FR = """
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes
moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
tu un une vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes
suis es est sommes êtes sont serai seras sera serons serez seront serais serait serions
seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent sois soit
soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes ayants
eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait
aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies
ait ayons ayez aient eusse eusses eût eussions eussiez eussent
a les cette cet ça ca si or donc ni car lors leurs quel quelle quels quelles dont
"""
STOP_WORDS_EN = """
a an and are as at be but by for from has have he her his i if in into is it its me my no
not of on or our she so than that the their them then there these they this to was we
were what when where which who will with you your
"""


def fold(text: str) -> str:
    """Case- and accent-insensitive form: NFKD, combining marks dropped, casefolded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


STOP_WORDS = frozenset(fold(w) for w in (STOP_WORDS_FR + STOP_WORDS_EN).split())

# A term is a run of letters and digits (FTS5's unicode61 and PostgreSQL's parser split on
# everything else, underscores included).
_TOKEN = re.compile(r"[^\W_]+")
# A chunk: an optional minus, then a quoted phrase (an unclosed quote runs to the end) or a
# word (anything up to a space or a quote).
_CHUNK = re.compile(r'(?P<minus>-)?(?:"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+))')


class Problem:
    """Why a query cannot run (the view says it kindly)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_MANY = "too_many"
    ONLY_COMMON = "only_common"
    ONLY_EXCLUDED = "only_excluded"


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded_words: tuple[str, ...] = ()
    excluded_phrases: tuple[tuple[str, ...], ...] = ()
    dropped: tuple[str, ...] = field(default=(), compare=False)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def has_exclusions(self) -> bool:
        return bool(self.excluded_words or self.excluded_phrases)

    def highlight_terms(self) -> list[tuple[tuple[str, ...], bool]]:
        """What to mark in excerpts: (folded tokens, prefix?) for words and phrases."""
        terms: list[tuple[tuple[str, ...], bool]] = [
            ((fold(min(variants(w), key=len)),), len(w) >= PREFIX_FROM) for w in self.words
        ]
        terms += [(tuple(fold(t) for t in p), False) for p in self.phrases]
        return terms


def clean(raw: str) -> str:
    """The text as typed, without what cannot be seen or typed: control and format
    characters (NUL, zero-width spaces, direction marks) become spaces or go."""
    out = []
    for char in unicodedata.normalize("NFKC", raw):
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        out.append(" " if category in ("Cc", "Zl", "Zp") or char.isspace() else char)
    return " ".join("".join(out).split())


def _tokens(text: str) -> list[str]:
    return [t.casefold()[:MAX_WORD_CHARS] for t in _TOKEN.findall(text)]


def parse(raw: str) -> Query:
    if len(raw) > MAX_CHARS * 5:  # far too long: not even looked at
        return Query(problem=Problem.TOO_LONG)
    text = clean(raw)
    if not text:
        return Query(problem=Problem.EMPTY)
    if len(text) > MAX_CHARS:
        return Query(problem=Problem.TOO_LONG)
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded_words: list[str] = []
    excluded_phrases: list[tuple[str, ...]] = []
    dropped: list[str] = []
    for chunk in _CHUNK.finditer(text):
        negative = chunk.group("minus") is not None
        quoted = chunk.group("phrase") is not None
        tokens = _tokens(chunk.group("phrase") if quoted else chunk.group("word") or "")
        if not quoted:
            # "l'enfant", "peut-être": leading elisions go, the rest stays together.
            while len(tokens) > 1 and fold(tokens[0]) in STOP_WORDS:
                tokens = tokens[1:]
        if not tokens:
            continue
        if all(fold(t) in STOP_WORDS for t in tokens):
            dropped.append(" ".join(tokens))
            continue
        tokens = tokens[:MAX_PHRASE_WORDS]
        if len(tokens) == 1 and not quoted:
            target_words = excluded_words if negative else words
            if tokens[0] not in target_words:
                target_words.append(tokens[0])
        else:
            target_phrases = excluded_phrases if negative else phrases
            if tuple(tokens) not in target_phrases:
                target_phrases.append(tuple(tokens))
    found = dict(
        words=tuple(words),
        phrases=tuple(phrases),
        excluded_words=tuple(excluded_words),
        excluded_phrases=tuple(excluded_phrases),
        dropped=tuple(dropped),
    )
    if len(words) + len(phrases) + len(excluded_words) + len(excluded_phrases) > MAX_TERMS:
        return Query(**found, problem=Problem.TOO_MANY)
    if not words and not phrases:
        if excluded_words or excluded_phrases:
            problem = Problem.ONLY_EXCLUDED
        else:
            problem = Problem.ONLY_COMMON if dropped else Problem.EMPTY
        return Query(**found, problem=problem)
    return Query(**found)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def variants(word: str) -> tuple[str, ...]:
    """The forms a word is looked for in on SQLite: itself, and for four letters or more
    its plural and feminine forms, both ways ("rechute" finds "rechutes", "rechutes" finds
    "rechute"). PostgreSQL stems; this is the part of stemming that matters most in French,
    at the price of a few exact terms (a true prefix query reads every match of the prefix
    at once, too slow for a common word)."""
    if len(word) < PREFIX_FROM:
        return (word,)
    if word.endswith("es"):
        stems = [word[:-1], word[:-2]]
    elif word.endswith(("s", "x")):
        stems = [word[:-1]]
    else:
        stems = [word]
    forms = [word]
    for stem in stems:
        endings = ("", "s", "e", "es", *(("x",) if stem.endswith("u") else ()))
        forms += [stem + ending for ending in endings]
    forms = list(dict.fromkeys(forms))
    return tuple(forms)


def _fts_word(word: str) -> str:
    forms = variants(word)
    if len(forms) == 1:
        return _fts_string(word)
    return "(" + " OR ".join(_fts_string(form) for form in forms) + ")"


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every term a quoted FTS5 string."""
    positive = [_fts_word(w) for w in query.words] + [
        _fts_string(" ".join(p)) for p in query.phrases
    ]
    expression = "(" + " AND ".join(positive) + ")"
    if query.has_exclusions:
        expression += " NOT " + fts5_excluded(query)
    return expression


def fts5_excluded(query: Query) -> str:
    """The excluded terms as one FTS5 expression (any of them)."""
    excluded = [_fts_word(w) for w in query.excluded_words] + [
        _fts_string(" ".join(p)) for p in query.excluded_phrases
    ]
    return "(" + " OR ".join(excluded) + ")"


def _web_term(tokens: tuple[str, ...] | str) -> str:
    text = tokens if isinstance(tokens, str) else " ".join(tokens)
    return '"' + text.replace('"', " ") + '"'


def websearch(query: Query) -> str:
    """Text for PostgreSQL's websearch_to_tsquery: every term quoted (so a word such as
    "or" is never an operator), exclusions with a leading minus."""
    parts = [_web_term(w) for w in query.words] + [_web_term(p) for p in query.phrases]
    parts += ["-" + _web_term(w) for w in query.excluded_words]
    parts += ["-" + _web_term(p) for p in query.excluded_phrases]
    return " ".join(parts)


def websearch_excluded(query: Query) -> str:
    """The excluded terms as one websearch text matching any of them."""
    parts = [_web_term(w) for w in query.excluded_words]
    parts += [_web_term(p) for p in query.excluded_phrases]
    return " or ".join(parts)
