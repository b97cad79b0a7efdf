"""analyze: the checkable facts of each sentence (names, numbers, dates, quotes, negation, roles)."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import snowballstemmer

from retold.aliases import entity_key, place_key
from retold.article import Article
from retold.cache import memo
from retold.dates import MONTHS
from retold.quotes import SPEECH_VERBS, quote_spans

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART"}
NUMBER_LABELS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}
MODALS = {"will", "would", "could", "may", "might", "should", "must", "can", "shall", "'ll"}
HEDGES = {"could", "may", "might", "would"}
HEDGE_MODALS = HEDGES - {"would"}  # "would" is mostly reported speech ("he said he would …")
_EPISTEMIC_ADVERBS = {
    "arguably", "possibly", "probably", "perhaps", "maybe", "likely", "apparently", "seemingly", "presumably",
    "potentially", "conceivably", "reportedly", "allegedly", "supposedly", "purportedly", "ostensibly",
}
_REPORTIVE = {"reportedly", "allegedly", "supposedly", "purportedly", "ostensibly"}
APPROXIMATORS = {"about", "around", "approximately", "roughly", "nearly", "almost", "some", "estimated"}
# With a to- or that-clause: "hopes to put", "plans to open", "seems to be"; a restatement may use another of them
# ("attempted to remove" for "tried to remove").
_HEDGE_VERBS = {
    "hope", "plan", "aim", "intend", "seek", "try", "want", "seem", "appear", "propose", "anticipate",
    "attempt", "wish", "prefer", "strive", "endeavor", "endeavour",
}
_VIEW_VERBS = {  # a view, which a rewrite may give as what its holder says: "he thinks it's a matter of time"
    "believe", "think", "consider", "suggest", "hint", "speculate", "predict", "estimate", "forecast", "project", "expect",
}  # (COGNITION_VERBS, below, are the verbs that attribute a view; these are the ones that also hedge it)
_REPORTIVE_PASSIVES = {"say", "believe", "think", "report", "allege", "rumor", "rumour", "understand"}  # "is said to be"
_HEDGE_ADJECTIVES = {
    "potential", "possible", "likely", "probable", "alleged", "suspected", "proposed", "apparent", "prospective",
    "presumed", "supposed", "rumored", "rumoured", "planned", "expected",
}
HEDGE_WORDS = frozenset(_EPISTEMIC_ADVERBS | _HEDGE_ADJECTIVES | APPROXIMATORS)
"""The adverbs and adjectives that hedge what they modify (``_hedges`` finds them in context)."""
_OUTSIDE_SCOPE = {"relcl", "appos", "parataxis", "advcl"}  # what a relative or side clause says is not hedged with it
COGNITION_VERBS = {"believe", "think", "view", "consider", "see", "expect", "fear", "hope", "feel", "regard"}
GENERIC_SOURCES = {
    "expert", "analyst", "official", "authority", "observer", "critic", "source", "diplomat",
    "commentator", "economist", "scientist", "researcher", "government", "people", "resident",
    "insider", "spokesperson", "spokesman", "spokeswoman", "lawmaker", "politician", "leader",
}
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6, "k": 1e3, "tn": 1e12}
SCALED = re.compile(r"(\d[\d,]*(?:\.\d+)?)(bn|m|k|tn)", re.I)
"""A number with its scale in one token, as British news writes money: "12.9bn", "£5m"."""
WORD = re.compile(r"\w+")
_MONTH_NAMES = {number: name for name, number in sorted(MONTHS.items(), key=lambda item: len(item[0]))}
YEAR = r"(?:1[89]|20)\d\d"
"""A year as the checker reads one: 1800 to 2099."""
_MONTH_OR_YEAR = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b|\b" + YEAR + r"\b", re.I)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")s?\b", re.I)
_PART_OF_MONTH = re.compile(r"\b(?P<part>early|mid|late)[- ]+(?P<month>" + "|".join(MONTHS) + r")\b", re.I)
_MONTH_DAY = re.compile(
    r"\b(?P<m1>" + "|".join(MONTHS) + r")\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>" + "|".join(MONTHS) + r")\b", re.I
)


@dataclass
class Mention:
    text: str
    label: str
    key: str
    start: int  # offsets in the sentence text
    end: int


@dataclass
class Number:
    value: float
    text: str
    unit: str  # lemma of the noun it counts, or the entity label
    start: int
    end: int
    actor: str | None = None  # entity key of the named subject of the clause it belongs to ("Trump won by 30 points")
    actor_text: str = ""  # that subject as written


@dataclass
class Magnitude:
    """A count given as an order of magnitude ("thousands", "tens of thousands"): the values it allows, [low, high),
    and the words after its "of" ("shocked tourists" of "hundreds of shocked tourists"), if it has one."""
    low: float
    high: float
    text: str
    noun: str
    start: int
    end: int


@dataclass
class Hedge:
    """A word that keeps a statement short of fact: "could", "reportedly", "is said to", "hopes to", "about 300"."""

    cue: str  # as written
    kind: str  # "epistemic", "reportive" ("is said to", "reportedly", "thinks that") or "approximate" ("about 300")
    start: int
    end: int
    scope: frozenset[str]  # content lemmas of the words it hedges
    predicate: frozenset[str]  # those outside its subject: what is said of it


@dataclass
class Attribution:
    """Someone said or thinks something: "experts note", "IRNA quoted Araji as saying"."""

    source: str  # lemma of the subject head ("expert") or an entity key
    generic: bool  # an unnamed source: "experts", "Iraqi officials" (not "State Department officials")
    head: str  # lemma of the subject's head noun, named or not
    verb: str
    start: int
    end: int


@dataclass
class Facts:
    index: int
    text: str
    part: str  # body, headline, standfirst or caption
    lemmas: set[str] = field(default_factory=set)
    names: list[Mention] = field(default_factory=list)
    proper: list[Mention] = field(default_factory=list)  # proper nouns outside any entity ("Rouhani stressed …")
    numbers: list[Number] = field(default_factory=list)
    magnitudes: list[Magnitude] = field(default_factory=list)
    dates: list[Mention] = field(default_factory=list)
    quotes: list[tuple[int, int]] = field(default_factory=list)
    negated: set[str] = field(default_factory=set)  # lemmas of the verbs and adjectives it negates
    predicates: set[str] = field(default_factory=set)  # lemmas of its verbs and adjectives
    modal: dict[str, str] = field(default_factory=dict)
    modifiers: set[str] = field(default_factory=set)  # lemmas of its adjectives and adverbs outside names
    manners: list[tuple[str, str, tuple[int, int]]] = field(default_factory=list)  # (verb or adjective lemma, its -ly adverb, its span)
    roles: list[tuple[str, str, str]] = field(default_factory=list)  # (actor key, verb lemma, target key)
    act_actors: list[tuple[str, str]] = field(default_factory=list)  # (noun lemma, actor key): "the signing … between A and B"
    attributions: list[Attribution] = field(default_factory=list)
    hedges: list[Hedge] = field(default_factory=list)
    subject: tuple[str, int, int] | None = None  # the main clause's subject phrase and its span
    verb: str | None = None  # lemma of the main clause's verb, when it has a subject
    person_places: dict[str, set[str]] = field(default_factory=dict)  # person key -> countries named beside them
    person_titles: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # person key -> title word -> span
    identities: list[tuple[str, str, tuple[int, int]]] = field(default_factory=list)  # (person, person in apposition, its span)
    lemma_spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # first place each lemma occurs

    def span_of(self, lemmas: list[str] | set[str]) -> tuple[int, int] | None:
        """From the first to the last occurrence of any of ``lemmas`` in the sentence."""
        spans = [self.lemma_spans[l] for l in lemmas if l in self.lemma_spans]
        return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else None

    @property
    def date_words(self) -> set[str]:
        return set().union(*(date_words(m.text) for m in self.dates))


@dataclass
class Analysis:
    article: Article
    units: list[Facts]  # body sentences first (index = Sentence.index), then headline, standfirst, captions

    @cached_property
    def lemmas(self) -> frozenset[str]:
        return frozenset(lemma for unit in self.units for lemma in unit.lemmas)

    @cached_property
    def normal_text(self) -> str:
        """All units as lower-case words joined by single spaces, for verbatim comparisons."""
        return normalise_words(" ".join(unit.text for unit in self.units))


@memo(maxsize=None)
def stem(word: str) -> str:
    """The Porter2 stem: "warned" and "warning", "hopes" and "hoping" are one word (spaCy lemmatises "hopes" as "hop")."""
    return _STEMMER.stemWord(word)


_STEMMER = snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Lower-case word tokens: the unit of verbatim and copied-passage comparisons."""
    return [token.lower() for token in WORD.findall(text)]


def _title_case(span: Span) -> bool:
    """Whether most longer words are capitalised ("Ghalibaf Urges Baghdad to Act"): its capitals are not names."""
    longer = [t.text for t in span if t.is_alpha and len(t.text) > 3]
    return sum(w[0].isupper() for w in longer) > len(longer) / 2


def normalise_words(text: str) -> str:
    return " ".join(words(text))


def analyze(article: Article) -> Analysis:
    """Facts of every sentence of the article (cached by content: one parse per source)."""
    extras = tuple(
        [("headline", article.headline or "")] * bool(article.headline)
        + [("standfirst", article.standfirst or "")] * bool(article.standfirst)
        + [("caption", c) for c in article.captions]
    )
    return Analysis(article, list(_analyze(article.body, tuple((s.start, s.end) for s in article.sentences), extras)))


@memo(maxsize=32)
def _analyze(body: str, spans: tuple[tuple[int, int], ...], extras: tuple[tuple[str, str], ...]) -> tuple[Facts, ...]:
    from retold.nlp import parse

    units = []
    doc = parse(body) if body else None
    entities = list(doc.ents) if doc is not None else []  # Span.ents rescans the whole Doc: do it once
    starts = [e.start for e in entities]  # in order: each sentence's entities are found by bisection
    for index, (start, end) in enumerate(spans):
        span = doc.char_span(start, end, alignment_mode="expand") if doc is not None else None
        ents = entities[bisect_left(starts, span.start) : bisect_left(starts, span.end)] if span is not None else []
        units.append(sentence_facts(span, ents, body[start:end], index, "body"))
    for part, text in extras:
        extra = parse(text)
        units.append(sentence_facts(extra[:], list(extra.ents), text, len(units), part))
    return tuple(units)


def sentence_facts(span: Span | None, ents: list[Span], text: str, index: int, part: str) -> Facts:
    """Facts of one sentence: ``span`` is its parse, ``ents`` the entities inside it."""
    facts = Facts(index=index, text=text, part=part)
    facts.quotes = quote_spans(text)
    if span is None:
        return facts
    base = span.start_char
    entity_of = {t.i: e for e in ents for t in e}

    def rel(token_or_span) -> tuple[int, int]:
        if hasattr(token_or_span, "idx"):
            return token_or_span.idx - base, token_or_span.idx - base + len(token_or_span.text)
        return token_or_span.start_char - base, token_or_span.end_char - base

    for ent in ents:
        start, end = rel(ent)
        if ent.label_ in NAME_LABELS:
            name = ent.text.strip(" ([{-–—,.;:\"'“”‘’")
            if not name:
                continue
            start += ent.text.index(name)
            facts.names.append(Mention(name, ent.label_, entity_key(name, ent.label_), start, start + len(name)))
        elif ent.label_ in ("DATE", "TIME"):
            facts.dates.append(Mention(ent.text, ent.label_, ent.text.lower(), start, end))
    in_date = {t.i for ent in ents if ent.label_ in ("DATE", "TIME") for t in ent}
    if not _title_case(span):
        facts.proper = [Mention(t.text, "PROPN", t.text.lower(), *rel(t)) for t in span
                        if t.tag_ in ("NNP", "NNPS") and t.i not in entity_of and t.is_alpha and t.text[0].isupper()]
    facts.numbers = _numbers(span, in_date, rel, entity_of)
    facts.magnitudes = magnitudes(text, facts.quotes)

    for token in span:
        lemma = _lemma(token)
        facts.lemma_spans.setdefault(place_key(token.text) or lemma, rel(token))
        if _content(token):
            facts.lemmas.add(place_key(token.text) or lemma)
        if token.pos_ in ("VERB", "ADJ"):
            facts.predicates.add(lemma)
        if token.pos_ in ("ADJ", "ADV") and token.i not in entity_of:
            facts.modifiers.add(lemma)
            if token.dep_ == "advmod" and token.lower_.endswith("ly") and token.head.pos_ in ("VERB", "ADJ"):
                facts.manners.append((_lemma(token.head), token.lower_, rel(token)))
        negates = token.dep_ == "neg" or lemma in ("never", "no") and token.dep_ in ("neg", "det", "advmod")
        if negates and token.head.pos_ in ("VERB", "AUX", "ADJ"):  # "no wins" negates no act: not compared
            facts.negated.add(token.head.lemma_.lower())
        if token.pos_ == "NOUN":
            facts.act_actors += [(lemma, key) for key in dict.fromkeys(_key_of(who, entity_of) for who in _act_actors(token))
                                 if not key.startswith("word:")]
        if token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass"):
            for child in token.children:
                if child.dep_ == "aux" and child.lower_ in MODALS:
                    facts.modal[lemma] = child.lower_
            _roles_and_attributions(token, facts, rel, entity_of)
    for token in span:
        if token.dep_ in ("nsubj", "nsubjpass") and token.head.dep_ == "ROOT":
            if _not_anaphoric(token):
                break
            start = token.left_edge.idx - base
            facts.subject = (text[start : token.idx - base + len(token.text)], start, token.idx - base + len(token.text))
            facts.verb = token.head.lemma_.lower()
            break
    facts.hedges = _hedges(span, rel)
    facts.person_places = _person_places(ents, span)
    facts.person_titles = _person_titles(ents, span, rel)
    facts.identities = _identities(ents, span, rel)
    return facts


def _content(token: Token) -> bool:
    """A word that carries content: the words support and hedges are measured on."""
    return token.pos_ in ("NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV") and not token.is_stop


def _lemma(token: Token) -> str:
    """The lower-case lemma, without the full stop spaCy leaves on a mixed-case word that ends a sentence
    ("MoU." read as an abbreviation); one with dots inside ("U.S.") keeps them."""
    lemma = token.lemma_.lower()
    return lemma[:-1] if lemma.endswith(".") and "." not in lemma[:-1] and len(lemma) > 2 else lemma


def _key_of(token: Token, entity_of: dict[int, Span]) -> str:
    ent = entity_of.get(token.i)
    if ent is not None and ent.label_ in NAME_LABELS:
        return entity_key(ent.text, ent.label_)
    return "word:" + (place_key(token.text) or _lemma(token))


def _roles_and_attributions(verb: Token, facts: Facts, rel, entity_of: dict[int, Span]) -> None:
    actor = target = None
    for child in verb.children:
        if child.dep_ == "nsubj":
            actor = child
        elif child.dep_ in ("dobj", "nsubjpass"):
            target = child
        elif child.dep_ == "agent":
            actor = next((c for c in child.children if c.dep_ == "pobj"), actor)
    lemma = verb.lemma_.lower()
    if actor is not None and target is not None:  # "Ghalibaf met Araji and Ahmed": one role for each
        for who in (actor, *actor.conjuncts):
            for whom in (target, *target.conjuncts):
                facts.roles.append((_key_of(who, entity_of), lemma, _key_of(whom, entity_of)))
    if actor is not None and (lemma in SPEECH_VERBS or lemma in COGNITION_VERBS):
        head = actor.lemma_.lower()
        named = any(t.ent_type_ in ("PERSON", "ORG") for t in actor.subtree)  # "spokesperson, Tammy Bruce,"
        generic = not named and (head in GENERIC_SOURCES or (actor.pos_ == "NOUN" and actor.tag_ == "NNS"))
        start, _ = rel(actor.left_edge)
        _, end = rel(actor)
        facts.attributions.append(Attribution(head if generic else _key_of(actor, entity_of), generic, head, lemma, start, end))


def _hedges(span: Span, rel) -> list[Hedge]:
    """Every hedge of the sentence with the content words it hedges: the clause of a modal, an adverb or a
    hedging verb ("hopes to put a production version on sale"), the noun phrase of a hedging adjective or of a
    number with "about", without the relative and side clauses inside them or another clause joined to them
    ("and wages fell"). A negated one ("could not reach", "does not expect") is a denial, not a hedge."""
    found = []
    for token in span:
        low, lemma = token.lower_, token.lemma_.lower()
        forms = {lemma, stem(low)}
        clause = any(c.dep_ in ("xcomp", "ccomp") for c in token.children)
        if token.dep_ == "aux" and low in HEDGE_MODALS:
            kind, head = "epistemic", token.head
        elif token.pos_ == "ADV" and low in _EPISTEMIC_ADVERBS:
            kind, head = "reportive" if low in _REPORTIVE else "epistemic", token.head
        elif low in APPROXIMATORS and token.dep_ in ("advmod", "quantmod") and token.head.pos_ in ("NUM", "ADV", "ADJ"):
            kind, head = "approximate", token.head.head if token.head.pos_ == "NUM" else token.head
        elif (token.pos_ == "VERB" and lemma in _REPORTIVE_PASSIVES and clause
              and any(c.dep_ == "auxpass" for c in token.children)):
            kind, head = "reportive", token
        elif token.pos_ == "VERB" and clause and forms & (_HEDGE_VERBS | _VIEW_VERBS):
            kind, head = "reportive" if forms & _VIEW_VERBS else "epistemic", token
        elif token.pos_ == "ADJ" and lemma in _HEDGE_ADJECTIVES and token.dep_ in ("amod", "acomp"):
            kind, head = "epistemic", token.head
        else:
            continue
        if any(c.dep_ == "neg" for c in (*token.children, *head.children)):
            continue
        outside = {t.i for x in head.subtree if x.i != head.i and _own_clause(x) for t in x.subtree}
        subject = {t.i for c in head.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree}
        hedged = {t.i: place_key(t.text) or _lemma(t) for t in head.subtree
                  if t.i not in outside and t.i != token.i and _content(t)}
        start, end = rel(token)
        found.append(Hedge(token.text, kind, start, end, frozenset(hedged.values()),
                           frozenset(key for i, key in hedged.items() if i not in subject)))
    return found


def _own_clause(token: Token) -> bool:
    """A relative or side clause, or a clause joined with its own subject ("… and wages fell 2%")."""
    return token.dep_ in _OUTSIDE_SCOPE or (token.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children))


def _act_actors(noun: Token) -> list[Token]:
    """The words of the phrase that says who does the act a noun names: "the signing of a security MoU between Araji
    and Larijani", "talks by the two leaders" (it may hang on the noun or on its "of" object); its names are the actors."""
    holders = [noun] + [o for p in noun.children if p.dep_ == "prep" and p.lower_ == "of" for o in p.children if o.dep_ == "pobj"]
    phrases = [pobj for holder in holders for prep in holder.children if prep.dep_ == "prep" and prep.lower_ in ("between", "by")
               for pobj in prep.children if pobj.dep_ == "pobj"]
    owners = {t.i for pobj in phrases for w in pobj.subtree if w.dep_ == "poss" for t in w.subtree}  # "Ruiz's deputy": not Ruiz
    return [who for pobj in phrases for who in pobj.subtree if who.i not in owners]


def _own_words(ent: Span, span: Span) -> list[Token]:
    """The words of a person's noun phrase left of the name, within the sentence: parsed with the article
    around it, a phrase can reach back into the sentence before."""
    return list(span.doc[max(ent.root.left_edge.i, span.start) : ent.start])


def _appositions(ent: Span, span: Span) -> list[Token]:
    """The heads of what a name is set beside after it, within the sentence: "Ali Larijani, the council's secretary"."""
    return [t for t in ent.root.children if t.dep_ == "appos" and ent.end <= t.i < span.end]


def _own_phrase(head: Token, span: Span) -> list[Token]:
    """``head`` and its dependents within the sentence, without any branch that names a person ("a counterpart of
    Iranian Interior Minister Eskandar Momeni" says nothing of where the person set beside it serves)."""
    words = [head]
    for child in head.children:
        if child.i < span.end and not any(t.ent_type_ == "PERSON" for t in child.subtree):
            words += _own_phrase(child, span)
    return words


def _not_anaphoric(subject: Token) -> bool:
    """A pronoun subject that stands for nothing before it: an extraposed "it" ("it might seem unconventional to
    opt for …", "it is likely that …"), or "those" with its own description ("Those in favor of punishment",
    "Those advocating for punishment")."""
    verb = subject.head
    if subject.lower_ in ("those", "these", "this", "that"):
        return any(c.i > subject.i and c.dep_ in ("prep", "acl", "relcl") for c in subject.children)
    return (subject.lower_ == "it" and verb.lemma_.lower() in ("be", "seem", "appear", "look", "sound", "remain")
            and any(c.dep_ in ("acomp", "oprd") and c.pos_ == "ADJ" for c in verb.children))


def _person_places(ents: list[Span], span: Span) -> dict[str, set[str]]:
    """Countries named in a person's own noun phrase or apposition ("Iranian Parliament Speaker Bagher Ghalibaf",
    "Reber Ahmed, the Kurdistan Region's interior minister")."""
    found: dict[str, set[str]] = {}
    for ent in ents:
        if ent.label_ != "PERSON":
            continue
        words = _own_words(ent, span) + [t for head in _appositions(ent, span) for t in _own_phrase(head, span)]
        places = {place_key(t.text) for t in words} - {None}
        if places:
            found.setdefault(entity_key(ent.text, "PERSON"), set()).update(places)  # type: ignore[arg-type]
    return found


TITLE_ABBREVIATIONS = {
    "gov": "governor", "sen": "senator", "rep": "representative", "pres": "president", "gen": "general",
    "lt": "lieutenant", "col": "colonel", "maj": "major", "capt": "captain", "sgt": "sergeant", "adm": "admiral",
    "cmdr": "commander", "supt": "superintendent", "atty": "attorney", "sec": "secretary", "amb": "ambassador",
}
"""Titles as news abbreviates them before a name ("Gov. Kristi Noem")."""


_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "mister", "madam"}


def _person_titles(ents: list[Span], span: Span, rel) -> dict[str, dict[str, tuple[int, int]]]:
    """The nouns of a person's own noun phrase and apposition, places and names aside: "Supreme National
    Security Council member Ali Larijani" -> member, council, ...; "Ali Larijani, the council's secretary"."""
    found: dict[str, dict[str, tuple[int, int]]] = {}
    for ent in ents:
        if ent.label_ != "PERSON":
            continue
        words = _own_words(ent, span) + _appositions(ent, span)
        for t in words:
            short = t.lower_[:-1] if t.text.endswith(".") else ""  # "Gov.", not "Gen Z" or "sales rep"
            lemma = TITLE_ABBREVIATIONS.get(short, t.lemma_.lower())
            if (t.pos_ in ("NOUN", "PROPN") and t.ent_type_ not in ("GPE", "NORP", "PERSON") and not place_key(t.text)
                    and lemma not in _HONORIFICS and (t.is_alpha or short in TITLE_ABBREVIATIONS)):
                found.setdefault(entity_key(ent.text, "PERSON"), {})[lemma] = rel(t)
    return found


def _identities(ents: list[Span], span: Span, rel) -> list[tuple[str, str, tuple[int, int]]]:
    """People set in apposition after a comma or bracket, as one person: "Araji, the Iraqi Prime Minister Mohammed
    Shia' al-Sudani," gives (Araji, Mohammed Shia, span). Only the apposition's own noun phrase counts, not a
    phrase hung on it ("Bruce, a spokesperson for Marco Rubio," equates no one)."""
    people = [e for e in ents if e.label_ == "PERSON"]
    found = []
    for person in people:
        if person.end >= span.end or span.doc[person.end].text not in (",", "(", "–", "—"):
            continue
        for other in people:
            token = other.root
            while token.dep_ in ("appos", "compound") and not person.start <= token.head.i < person.end:  # never the root
                token = token.head
            if other is not person and token.dep_ == "appos" and person.start <= token.head.i < person.end:
                found.append((entity_key(person.text, "PERSON"), entity_key(other.text, "PERSON"), rel(other)))
                break  # one is enough: a name the parser split in two ("Mohammed Shia", "al-Sudani") is one person
    return found


def _numbers(span: Span, skip: set[int], rel, entity_of: dict[int, Span]) -> list[Number]:
    numbers = []
    tokens = list(span)
    for k, token in enumerate(tokens):
        scaled = SCALED.fullmatch(token.text)
        if token.i in skip or not (token.like_num or scaled) or token.ent_type_ == "ORDINAL":
            continue
        value = parse_number(scaled[1] if scaled else token.text)
        if value is None:
            continue
        following = tokens[k + 1].lower_ if k + 1 < len(tokens) else ""
        if scaled:
            value *= _SCALES[scaled[2].lower()]
        elif following in _SCALES:
            value *= _SCALES[following]
        head = token.head if token.head.pos_ in ("NOUN", "PROPN") else None
        unit = "%" if following in ("%", "percent", "per") else head.lemma_.lower() if head is not None else token.ent_type_
        start, end = rel(token)
        numbers.append(Number(value, token.text, unit, start, end, *(_clause_actor(token, entity_of) or (None, ""))))
    return numbers


_MAGNITUDES = {"dozen": (12.0, 24.0, 100.0), "hundred": (1e2, 1e2, 1e3), "thousand": (1e3, 1e3, 1e6),
               "million": (1e6, 1e6, 1e9), "billion": (1e9, 1e9, 1e12), "trillion": (1e12, 1e12, 1e15)}
"""Each word's value, and the range its plural allows ("dozens": 24 to 99, "hundreds": 100 to 999)."""
_MAGNITUDE = re.compile(r"\b(?:(?P<factor>tens|hundreds) of |(?P<few>several|a few|many|some) )?"
                        r"(?P<word>dozen|hundred|thousand|million|billion|trillion)(?P<plural>s)?\b"
                        r"(?: of(?: the| these| those)? (?P<noun>[a-z][\w-]*(?: [a-z][\w-]*)?))?", re.I)


def magnitudes(text: str, quotes: list[tuple[int, int]]) -> list[Magnitude]:
    """The counts ``text`` gives as orders of magnitude, outside ``quotes``: "thousands" allows 1,000 to 999,999,
    "hundreds" 100 to 999, "dozens" 24 to 99; "tens of thousands" 10,000 to 99,999 and "hundreds of thousands"
    100,000 to 999,999 (the factor narrows the word after it); "several thousand" (also "a few", "many", "some")
    2,000 to 9,999. A singular word without such a quantifier is a number ("a thousand", "2 million"), not this."""
    found = []
    for match in _MAGNITUDE.finditer(text):
        if any(a <= match.start() < b for a, b in quotes):
            continue
        unit, low, high = _MAGNITUDES[match["word"].lower()]
        if match["factor"]:
            low = unit * (10.0 if match["factor"].lower() == "tens" else 100.0)
            high = 10 * low
        elif not match["plural"]:
            if not match["few"]:
                continue
            low, high = 2 * unit, 10 * unit
        end = match.end("plural") if match["plural"] else match.end("word")
        found.append(Magnitude(low, high, text[match.start() : end], (match["noun"] or "").lower(), match.start(), end))
    return found


_RELATIVE = {"who", "which", "that"}


def _clause_actor(token: Token, entity_of: dict[int, Span]) -> tuple[str, str] | None:
    """The named subject (or passive agent) of the nearest clause above ``token``; through a relative
    pronoun, the noun the clause describes ("Edwards, who won by 20 points" -> Edwards): its entity key and
    its text. None if unnamed."""
    node = token
    while node.head.i != node.i:
        node = node.head
        if node.pos_ not in ("VERB", "AUX"):
            continue
        actor = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        agent = next((c for c in node.children if c.dep_ == "agent"), None)
        if agent is not None and actor is not None and actor.dep_ == "nsubjpass":
            actor = next((c for c in agent.children if c.dep_ == "pobj"), actor)
        if actor is None:
            if node.dep_ == "acl" and node.head.i == node.i - 1 and node.head.i in entity_of and agent is None:
                actor = node.head  # "a state Trump won by 30 points": the small model hangs "won" on its subject
            elif node.dep_ in ("acl", "relcl"):  # a clause about a noun, without its own subject: actor unknown
                return None
            else:
                continue
        if actor.lower_ in _RELATIVE and node.dep_ == "relcl":
            actor = node.head
        for candidate in (actor, *(c for c in actor.children if c.dep_ == "appos")):  # "its chief, Maria Lopez,"
            key = _key_of(candidate, entity_of)
            if not key.startswith("word:"):
                ent = entity_of.get(candidate.i)
                return key, ent.text if ent is not None else candidate.text
        return None
    return None


def parse_number(text: str) -> float | None:
    cleaned = text.lower().replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return float(_NUMBER_WORDS[cleaned]) if cleaned in _NUMBER_WORDS else None


def date_words(text: str) -> set[str]:
    """Months (as full names: "Oct." -> "october"), years, days of a month ("october 21"), parts of a
    month ("mid september") and days of the week ("tuesday") named in ``text``."""
    found = {_MONTH_NAMES[MONTHS[w]] if w in MONTHS else w for w in (m.lower().rstrip(".") for m in _MONTH_OR_YEAR.findall(text))}
    found |= {day.lower() for day in _WEEKDAY.findall(text)}
    for match in _PART_OF_MONTH.finditer(text):
        found.add(f"{match['part'].lower()} {_MONTH_NAMES[MONTHS[match['month'].lower()]]}")
    for match in _MONTH_DAY.finditer(text):
        month, day = (match["m1"], match["d1"]) if match["m1"] else (match["m2"], match["d2"])
        if 1 <= int(day) <= 31:
            found.add(f"{_MONTH_NAMES[MONTHS[month.lower()]]} {int(day)}")
    return found
