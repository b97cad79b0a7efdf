"""The explicit checks: each names a fault (a name, number, date, quote, negation, hedge, judgement, manner, role,
place or attribution that the evidence does not hold) with the spans on both sides."""

from __future__ import annotations

import difflib
import re

from retold.aliases import place_key, same_entity, surname
from retold.analyze import (
    APPROXIMATORS,
    HEDGE_WORDS,
    HEDGES,
    SCALED,
    TITLE_ABBREVIATIONS,
    WEEKDAYS,
    YEAR,
    Analysis,
    Facts,
    Mention,
    Number,
    date_words,
    normalise_words,
    parse_number,
    stem,
    words,
)
from retold.article import Article
from retold.check.evidence import Resolved, covered_lemmas
from retold.report import Issue

_OFFICIALS = {"official", "authority", "government"}


def explicit_issues(facts: Facts, resolved: Resolved | None, primary: Facts | None, found: list[Facts],
                    source: Analysis, rewrite: Article) -> list[Issue]:
    """Every fault the explicit checks find in one rewrite sentence, given its evidence ``found``."""
    units = source.units
    return [
        *_check_names(facts, source),
        *_check_numbers(facts, found, units),
        *_check_number_actors(facts, found, units),
        *_check_magnitudes(facts, found, units),
        *_check_dates(facts, resolved, primary, units),
        *_check_quotes(facts, rewrite, source),
        *_check_polarity(facts, found),
        *_check_hedges(facts, found),
        *_check_judgements(facts, found, source),
        *_check_manners(facts, found),
        *_check_roles(facts, found),
        *_check_targets(facts, found, units),
        *_check_act_actors(facts, found, units),
        *_check_acts(facts, found, source),
        *_check_subject_places(facts, found),
        *_check_titles(facts, units),
        *_check_title_places(facts, units),
        *_check_identities(facts, units),
        *_check_attributions(facts, units, primary),
        *_check_relations(facts, found, units),
    ]


def surface(facts: Facts, lemmas: list[str]) -> list[str]:
    """The words as the sentence writes them."""
    return [facts.text[slice(*facts.lemma_spans[l])] if l in facts.lemma_spans else l for l in lemmas]


def _check_names(facts: Facts, source: Analysis) -> list[Issue]:
    issues = []
    units = source.units
    for mention in facts.names:
        in_source = any(same_entity(mention.key, m.key) for u in units for m in u.names)
        words = re.sub(r"^the | s$", "", normalise_words(mention.text))  # "The Royal Children's" -> "royal children"
        written = f" {words} " in f" {source.normal_text} "
        if not in_source and not written and not _spelled_out(mention.text, source):
            issues.append(Issue("entity", f"‘{mention.text}’ is not in the source", (mention.start, mention.end)))
        elif mention.label == "PERSON":
            issues += _given_names(mention, source)
        elif not written and (gap := _name_gap(words.split(), units)):  # not a person's: "George Bush" is George W. Bush
            issues.append(Issue("entity", f"‘{mention.text}’ leaves ‘{gap[0]}’ out of the source's ‘{gap[1]}’",
                                (mention.start, mention.end)))
    for noun in facts.proper:  # a proper noun spaCy did not take for an entity: a name all the same
        if (f" {noun.key} " not in f" {source.normal_text} " and not _spelled_out(noun.text, source)
                and not _abbreviated(noun.key, source)):  # "Governor" where the source writes "Gov."
            issues.append(Issue("entity", f"‘{noun.text}’ is not in the source", (noun.start, noun.end)))
    for person, places in facts.person_places.items():
        said = set().union(*(u.person_places.get(person, set()) for u in units))
        if said and places and not said & places:
            mention = next(m for m in facts.names if m.key == person)
            where = next((u, m) for u in units for m in u.names if m.key == person and u.person_places.get(person))
            issues.append(
                Issue(
                    "entity",
                    f"the source calls {mention.text} {_places(said)}, not {_places(places)}",
                    (mention.start, mention.end),
                    (where[1].start, where[1].end),
                    where[0].index,
                    contradicts=True,
                )
            )
    return issues


def _given_names(mention: Mention, source: Analysis) -> list[Issue]:
    """A person's surname with a given name the source never uses: "Stefan Richardson" where it has "Sheldon
    Richardson" (names compare by surname, so the name check alone passes it). Contradicted when the source
    gives that person another full name."""
    given = [w for w in normalise_words(mention.text).split()[:-1] if len(w) > 1]  # initials ("B. U.") pass
    alien = [w for w in given if f" {w} " not in f" {source.normal_text} "]
    if not alien:
        return []
    full = next(((u, m) for u in source.units for m in u.names if m.key == mention.key and len(m.text.split()) > 1), None)
    if full is None:
        return [Issue("entity", f"‘{mention.text}’ is not in the source", (mention.start, mention.end))]
    unit, theirs = full
    return [Issue("entity", f"the source names {theirs.text}, not {mention.text}", (mention.start, mention.end),
                  (theirs.start, theirs.end), unit.index, contradicts=True)]


def _abbreviated(title: str, source: Analysis) -> bool:
    """Whether the source writes ``title`` ("governor") as news abbreviates it before a name: "Gov. Kristi Noem";
    not "the SEC." or "a sales rep."."""
    text = " ".join(unit.text for unit in source.units)
    return any(re.search(rf"\b{short.capitalize()}\. (?:Sir |Dame )?[A-Z][a-z]", text)
               for short, full in TITLE_ABBREVIATIONS.items() if full == title)


def _check_titles(facts: Facts, units: list[Facts]) -> list[Issue]:
    """A person's title that the source never gives them: "Council member Ali Larijani" where the source has
    "Secretary of the Council Ali Larijani". The source's words around every mention of the person count,
    in any form of the word, so a title given in another sentence is found."""
    issues = []
    for person, titles in facts.person_titles.items():
        near: set[str] = set()
        mentions = [(u, m) for u in units for m in u.names if m.label == "PERSON" and same_entity(person, m.key)]
        for unit, m in mentions:
            near.update(w.lower() for w in re.findall(r"[A-Za-z]+", unit.text[max(0, m.start - 120) : m.end + 80]))
            near.update(unit.person_titles.get(m.key, {}))
        missing = sorted(set(titles) - covered_lemmas(set(titles), near)) if mentions else []
        if missing:
            spans = sorted(titles[w] for w in missing)
            name = _named(facts, person)
            words = " ".join(facts.text[slice(*span)] for span in spans)
            issues.append(Issue("entity", f"the source does not call {name} ‘{words}’", (spans[0][0], spans[-1][1])))
    return issues


HEADS = {frozenset(title.split()) for title in ("president", "prime minister", "premier", "chancellor", "king", "queen",
                                                 "pope", "emperor")}
"""Offices of a head of state or government, which news gives before the name without the country once the name says
who ("President Trump" for "US President Donald Trump"); not "Vice President" or "Interior Minister"."""


def _check_title_places(facts: Facts, units: list[Facts]) -> list[Issue]:
    """An office given without the place the source gives it, where the source has officials of more than one
    place: "Interior Minister Reber Ahmed" for "Kurdistan Region Interior Minister Reber Ahmed" in a story with
    Iraqi and Iranian officials reads as Iraq's minister. In a story of one place the place may go, and so it may
    where the source itself gives the office without it, and from a head of state or government (``HEADS``)."""
    if len(set().union(*(p for u in units for p in u.person_places.values()))) < 2:
        return []
    issues = []
    for person, titles in facts.person_titles.items():
        if facts.person_places.get(person) or frozenset(titles) in HEADS:
            continue
        given = [(unit, key) for unit in units for key, theirs in unit.person_titles.items()
                 if same_entity(person, key) and covered_lemmas(set(titles), set(theirs))]
        placed = [(unit, key) for unit, key in given if unit.person_places.get(key)]
        if placed and len(placed) == len(given):
            unit, key = placed[0]
            ours, theirs = _extent(titles), _extent(unit.person_titles[key])
            issues.append(Issue("entity", f"say whose {facts.text[slice(*ours)]} {_named(facts, person)} is, as "
                                f"the source does ({_places(unit.person_places[key])})", ours, theirs, unit.index))
    return issues


def _extent(spans: dict[str, tuple[int, int]]) -> tuple[int, int]:
    """From the first to the last of a person's title words."""
    ordered = sorted(spans.values())
    return ordered[0][0], ordered[-1][1]


def _check_identities(facts: Facts, units: list[Facts]) -> list[Issue]:
    """One person made another by apposition ("Araji, the Iraqi Prime Minister Mohammed Shia' al-Sudani, oversaw"
    where the source has al-Sudani oversee), unless the source sets the two side by side too."""
    issues = []
    for person, other, span in facts.identities:
        if same_entity(person, other) or any(same_entity(person, p) and same_entity(other, o) for u in units for p, o, _ in u.identities):
            continue
        issues.append(Issue("entity", f"the source does not say that {_named(facts, person)} is {_named(facts, other)}",
                            span, contradicts=True))
    return issues


def _name_gap(words: list[str], units: list[Facts]) -> tuple[str, str] | None:
    """A capitalised word that the rewrite's name leaves out between two of its words, and the source name it
    belongs to: "US Department" for "US State Department" names another body ("Springfield council" for
    "Springfield city council" does not: "city" is no part of the name)."""
    for unit in units:
        for mention in (m for m in unit.names if m.label != "PERSON"):
            theirs = mention.text.split()
            lowered = [normalise_words(w) for w in theirs]
            if len(words) < 2 or words[0] not in lowered or words[-1] not in lowered:
                continue
            first, last = lowered.index(words[0]), len(lowered) - 1 - lowered[::-1].index(words[-1])
            inner = lowered[first:last + 1]
            left = iter(inner)
            if last - first + 1 > len(words) and all(w in left for w in words):  # in order, with words between
                gap = [t for t, low in zip(theirs[first:last + 1], inner) if low not in words and t[:1].isupper()]
                if gap:
                    return gap[0], mention.text
    return None


def _spelled_out(name: str, source: Analysis) -> bool:
    """An acronym of three letters or more that begin consecutive words of the source: "IPO" for "initial
    public offering" (two letters would match too much by chance)."""
    letters = name.removesuffix("s").replace(".", "")
    if not (3 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()):
        return False
    return letters.lower() in "".join(w[0] for w in source.normal_text.split())


def _places(keys: set[str]) -> str:
    return " / ".join(sorted(k.upper() if len(k) <= 3 else k.title() for k in keys))  # "US", "UK", "Iraq"


_DOTTED_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")


def _values(number: Number) -> set[float]:
    """What a source number may mean: "1.000 LED lights" is a thousand where a full stop groups thousands; "a 5k
    run" is five kilometres where "£5k" is five thousand (but "$12.9bn" is only 12.9 billion)."""
    scaled = SCALED.fullmatch(number.text)
    if scaled and scaled[2].lower() in ("k", "m"):
        return {number.value, parse_number(scaled[1]) or 0.0}
    if number.unit == "%" or not _DOTTED_THOUSANDS.fullmatch(number.text):
        return {number.value}
    return {number.value, number.value * 1000 ** number.text.count(".")}  # "1.500 million": 1,500 million


def _check_numbers(facts: Facts, evidence: list[Facts], units: list[Facts]) -> list[Issue]:
    issues = []
    for number in facts.numbers:
        if number.text.lower() == "one" or any(number.value in _values(n) for u in units for n in u.numbers):
            continue
        rival = next(((u, n) for u in evidence for n in u.numbers if n.unit == number.unit), None)
        if rival:
            unit, other = rival
            issues.append(
                Issue("number", f"the source says {other.text}, not {number.text}", (number.start, number.end),
                      (other.start, other.end), unit.index, contradicts=True)
            )
        else:
            issues.append(Issue("number", f"the number {number.text} is not in the source", (number.start, number.end)))
    return issues


def _check_magnitudes(facts: Facts, evidence: list[Facts], units: list[Facts]) -> list[Issue]:
    """A count given as an order of magnitude that no source figure falls in ("millions of light-years" where the
    source says "thousands"): contradicted when the evidence counts the same thing in another order of magnitude,
    else unsupported. A source number of the same thing inside the range ("3,200 workers" for "thousands of
    workers"), or a source magnitude whose lowest value is inside it, supports it; so "thousands" does not support
    "tens of thousands"."""
    issues = []
    for ours in facts.magnitudes:
        if any(ours.low <= value < ours.high for u in units for n in u.numbers if _counts(ours.noun, n.unit)
               for value in _values(n)) or any(ours.low <= m.low < ours.high for u in units for m in u.magnitudes
                                               if _counts(ours.noun, m.noun)):
            continue
        rival = next(((u, m) for u in evidence for m in u.magnitudes if ours.noun and _counts(ours.noun, m.noun)), None)
        if rival:
            unit, theirs = rival
            issues.append(Issue("number", f"the source says {theirs.text.lower()}, not {ours.text.lower()}",
                                (ours.start, ours.end), (theirs.start, theirs.end), unit.index, contradicts=True))
        else:
            issues.append(Issue("number", f"no figure in the source fits ‘{ours.text}’", (ours.start, ours.end)))
    return issues


def _counts(noun: str, other: str) -> bool:
    """Do two counts count the same thing? Yes when either names nothing ("Thousands marched") or their words share
    a stem ("horrified tourists", "shocked tourists"; "workers", "worker"); a number counted by an entity label
    ("CARDINAL") names nothing."""
    return not noun or not other or not other.islower() or bool({stem(w) for w in noun.split()} & {stem(w) for w in other.split()})


def _check_number_actors(facts: Facts, evidence: list[Facts], units: list[Facts]) -> list[Issue]:
    """A number given to another actor: "Lopez will receive 40 million shares" where the source gives them
    to Chen. Only when both actors are named, no source sentence gives the number to the rewrite's actor,
    and the two actors are not one written two ways. Naming the source's actor elsewhere in the sentence does
    not keep the number theirs ("re-elected Edwards with a margin of 20 points over Trump")."""
    issues = []
    for number in facts.numbers:
        ours = number.actor
        if ours is None or any(n.value == number.value and n.actor and same_entity(ours, n.actor) for u in units for n in u.numbers):
            continue
        for unit in evidence:
            theirs = next((n for n in unit.numbers if n.value == number.value and n.actor), None)
            if theirs is None or theirs.actor is None:
                continue
            mine, yours = f" {normalise_words(number.actor_text)} ", f" {normalise_words(theirs.actor_text)} "
            if mine in yours or yours in mine:
                continue  # "U. S." for "U.S.", or the same name tagged as a person in one and an organisation in the other
            issues.append(Issue("number", f"the source gives {theirs.text} to {theirs.actor_text}, not to {number.actor_text}",
                                (number.start, number.end), (theirs.start, theirs.end), unit.index, contradicts=True))
            break
    return issues


def _date_kinds(words: set[str]) -> list[set[str]]:
    """Months (with their days and parts), years and days of the week apart: each is compared with its own kind."""
    return [{w for w in words if not w.isdigit() and w not in WEEKDAYS}, {w for w in words if w.isdigit()},
            {w for w in words if w in WEEKDAYS}]


_YEAR_NAMED = re.compile(rf"\b({YEAR}) ([A-Za-z][\w-]*)")


def _check_dates(facts: Facts, resolved: Resolved | None, primary: Facts | None, units: list[Facts]) -> list[Issue]:
    said = facts.date_words | (date_words(resolved.antecedent) if resolved else set())
    if not said or primary is None:
        return []
    if any(ours and theirs and not ours & theirs for ours, theirs in zip(_date_kinds(said), _date_kinds(primary.date_words))):
        mention = next((m for m in facts.dates if m.text.lower() in said or any(w in m.text.lower() for w in said)), None)
        span = (mention.start, mention.end) if mention else resolved.span if resolved else (0, len(facts.text))
        via = f" (‘{facts.text[span[0]:span[1]]}’ refers to ‘{resolved.antecedent}’)" if resolved and not mention else ""
        theirs = next((m for m in primary.dates if date_words(m.text)), None)
        return [
            Issue(
                "date",
                f"the source dates this to {theirs.text if theirs else ' '.join(sorted(primary.date_words))}, "
                f"not {' '.join(w.title() for w in sorted(said, key=lambda w: w.isdigit()))}{via}",
                span,
                (theirs.start, theirs.end) if theirs else None,
                primary.index,
                contradicts=True,
            )
        ]
    known = set().union(*(u.date_words for u in units))
    missing = said - known
    if missing:  # a year the source writes only in a name ("the 2020 Sentra"), and the rewrite in the same name
        named = {(year, name.lower()) for u in units for year, name in _YEAR_NAMED.findall(u.text) if name[0].isupper()}
        written = facts.text + (" " + resolved.antecedent if resolved else "")  # "It" for "the 2020 Sentra"
        missing -= {year for year, name in _YEAR_NAMED.findall(written) if (year, name.lower()) in named}
    if missing:
        mention = next((m for m in facts.dates if any(w in m.text.lower() for w in missing)), None)
        span = (mention.start, mention.end) if mention else (0, len(facts.text))
        shown = sorted(w for w in missing if not any(w != other and w in other.split() for other in missing))  # not "july july 6"
        return [Issue("date", f"the source gives no date {', '.join(shown)}", span)]
    return []


def _check_quotes(facts: Facts, rewrite: Article, source: Analysis) -> list[Issue]:
    issues = []
    source_quotes = source.article.quotes
    for start, end in facts.quotes:
        quoted = facts.text[start:end]
        wanted = normalise_words(quoted)
        if not wanted:
            continue
        speaker = _speaker_of(rewrite, facts, start)
        if wanted in source.normal_text:
            holder = next((q for q in source_quotes if wanted in normalise_words(q.text)), None)
            if (speaker and holder and holder.speaker and surname(speaker) != surname(holder.speaker)
                    and not _speaker_also_named(speaker, holder.speaker, facts.text)):
                issues.append(
                    Issue("misattributed_quote", f"the source attributes this quote to {holder.speaker}, not {speaker}",
                          (start, end), None, holder.sentence, contradicts=True)
                )
            continue
        best, ratio = None, 0.0
        for quote in source_quotes:
            r = difflib.SequenceMatcher(None, wanted, normalise_words(quote.text)).ratio()
            if r > ratio:
                best, ratio = quote, r
        if best is not None and ratio >= 0.6:
            issues.append(Issue("quote", f"altered quote: the source has “{best.text}”", (start, end), None, best.sentence, contradicts=True))
        else:
            issues.append(Issue("quote", "this quote is not in the source", (start, end)))
    return issues


def _speaker_also_named(found: str, theirs: str, sentence: str) -> bool:
    """Whether the speaker found in a rewrite's sentence is a common noun and the source's speaker is in that
    sentence too: "In her testimony, the mother described her as “brave”" gives the quote to the mother, not to
    "testimony"."""
    return found[:1].islower() and f" {surname(theirs)} " in f" {normalise_words(sentence)} "


def _speaker_of(article: Article, facts: Facts, start: int) -> str | None:
    sentence = article.sentences[facts.index] if facts.part == "body" and facts.index < len(article.sentences) else None
    if sentence is None:
        return None
    return next((q.speaker for q in article.quotes if q.start == sentence.start + start), None)


def _check_polarity(facts: Facts, evidence: list[Facts]) -> list[Issue]:
    issues = []
    for primary in evidence:
        issues += _polarity(facts, primary)
    return issues


_HEDGE_KEPT_BY = {"could": "can"}
"""A modal that is no hedge but keeps the source's: its own present ("can be equipped" for "could be installed")."""


def _polarity(facts: Facts, primary: Facts) -> list[Issue]:
    issues = []
    shared = (facts.predicates & primary.predicates) - {"be", "have", "do"}  # "did not campaign" / "his campaign": not compared
    for verb in shared:
        if (verb in facts.negated) != (verb in primary.negated):
            said = "denies" if verb in primary.negated else "affirms"
            denied = sorted(primary.negated - {verb, "be", "have", "do"})  # "will not allow its soil to be used"
            also = f" and denies ‘{denied[0]}’" if said == "affirms" and denied else ""
            issues.append(Issue("negation", f"negation changed: the source {said} ‘{verb}’{also}", facts.span_of([verb]),
                                primary.span_of([verb]), primary.index, contradicts=True))
        theirs, ours = primary.modal.get(verb), facts.modal.get(verb)
        # "would" is mostly reported speech; "could not reach" denies, it does not hedge
        if (theirs in HEDGES and theirs != "would" and ours not in HEDGES and _HEDGE_KEPT_BY.get(theirs) != ours
                and verb not in primary.negated):
            issues.append(Issue("modality", f"the source says ‘{theirs} {verb}’; the rewrite makes it certain",
                                facts.span_of([verb]), primary.span_of([verb]), primary.index, contradicts=True))
    return issues


_BOUNDS = APPROXIMATORS | {"up", "more", "less", "least", "most", "over", "under", "close", "within", "estimate"}
"""Words that keep a number from being exact, before it: "nearly 300" and "up to 300" have not made an "about 300" exact."""


def _check_hedges(facts: Facts, evidence: list[Facts]) -> list[Issue]:
    """A statement the source hedges, made fact: "VW hopes to put a production version on sale in 2022" as
    "VW will launch …", "is said to be the brain" as "is the brain", "arguably the most striking" as "the most
    striking". Only when the rewrite restates at least half (and two) of the hedged words, some of what is said
    of the subject among them ("Derby County season ticket holders … might struggle to believe it" is not restated
    by "Bueno spent a season at Derby County"), and keeps no hedge on them: a hedge of its own over any of those
    words answers any ("plans to sell a production version" for "hopes to put", "attempted to remove" for "tried to
    remove"), "would" or "should" anywhere too, "can" for "could" ("can be equipped" for "could be installed"); an
    attribution or "according to" answers "reportedly" or "analysts believe"; a bound before a number answers "about
    300" ("nearly 300"). Unsupported, not contradicted: a dropped hedge overstates the source; it does not deny it. (A modal dropped from a verb both sentences use is
    `_polarity`'s, contradicted.)"""
    said = words(facts.text)
    stems = {stem(w) for w in said}
    leaning = bool(set(facts.modal.values()) & {"would", "should"})
    attributed = bool(facts.attributions) or "according" in said
    bounded = any(set(words(facts.text[: n.start])[-2:]) & _BOUNDS for n in facts.numbers)
    for unit in evidence:
        for hedge in unit.hedges:
            cue = hedge.cue.lower()
            kept = covered_lemmas(set(hedge.scope), facts.lemmas)
            if len(kept) < 2 or len(kept) < len(hedge.scope) / 2 or not kept & hedge.predicate or stem(cue) in stems:
                continue  # (the same hedging word, "wants" for "wanted": the parse may read it otherwise here)
            own = (leaning or any(covered_lemmas(set(h.scope), kept) for h in facts.hedges)
                   or (cue in _HEDGE_KEPT_BY and _HEDGE_KEPT_BY[cue] in facts.modal.values()))
            if own or (hedge.kind == "reportive" and attributed) or (hedge.kind == "approximate" and bounded):
                continue
            shared = (facts.predicates & unit.predicates) - {"be", "have", "do"}
            if cue in HEDGES and any(unit.modal.get(v) == cue for v in shared):
                continue
            return [Issue("modality", f"the source hedges this (‘{hedge.cue}’) and the rewrite states it as fact: "
                                      f"keep ‘{hedge.cue}’ or a word like it",
                          facts.span_of(kept), (hedge.start, hedge.end), unit.index)]
    return []


_JUDGEMENTS = frozenset("""
    narrowly severely significantly significant substantially substantial considerably considerable dramatically
    dramatic drastically drastic sharply greatly hugely massive massively remarkably remarkable notably notable
    crucial crucially vital key pivotal landmark historic unprecedented impressive impressively striking stunning
    shocking surprising surprisingly controversial stark staggering alarming devastating tragic highly deeply
    strongly heavily widely extremely incredibly major important importantly essential huge enormous tremendous
""".split())
"""Words of weight and judgement that rewriters add: "narrowly lost", "a key figure", "a significant impact"."""
_WEIGHT = set(_JUDGEMENTS) | {"big", "great", "very", "really"}
"""What a judgement may restate: "a big theme" as "a significant aspect", "really very simple" as "extremely simple"."""


def _check_judgements(facts: Facts, evidence: list[Facts], source: Analysis) -> list[Issue]:
    """A judgement the source does not make: an adjective or adverb of _JUDGEMENTS, outside names, that no source
    sentence has (in any form), when the evidence has no word of weight that it could stand for ("key" for
    "major", "significant" for "a big theme")."""
    weighty = facts.modifiers & _JUDGEMENTS
    added = sorted(weighty - covered_lemmas(weighty, source.lemmas))
    if not added or any(covered_lemmas(_WEIGHT, unit.lemmas | set(words(unit.text))) for unit in evidence):
        return []
    said = ", ".join(f"‘{w}’" for w in surface(facts, added))
    return [Issue("judgement", f"{said}: the source makes no such judgement; leave it out",
                  facts.span_of(added) or (0, len(facts.text)))]


_JUDGED_ELSEWHERE = HEDGE_WORDS | _WEIGHT
"""Adverbs that the hedge and judgement checks judge, with what may stand for them ("likely" for "possibly")."""


def _check_manners(facts: Facts, evidence: list[Facts]) -> list[Issue]:
    """How an act is done, changed: "if the agreement is not fully implemented" where the source has it "not
    effectively implemented". Only for an -ly adverb on a verb or adjective that an evidence sentence gives another
    -ly adverb, when no evidence sentence has the rewrite's adverb (a synonym is sent back too: "promptly" for
    "immediately"; rare in the benchmarks' summaries, and a rewrite can keep the source's word). Hedges, bounds
    and words of weight are left to their own checks."""
    for verb, adverb, span in facts.manners:
        if adverb in _JUDGED_ELSEWHERE or any(adverb in words(unit.text) for unit in evidence):
            continue
        for unit in evidence:
            theirs = [(a, s) for v, a, s in unit.manners if v == verb and a not in _JUDGED_ELSEWHERE]
            if theirs:
                return [Issue("manner", f"‘{adverb}’: the source says ‘{theirs[0][0]}’ here; keep ‘{theirs[0][0]}’",
                              span, theirs[0][1], unit.index)]
    return []


def _check_roles(facts: Facts, evidence: list[Facts]) -> list[Issue]:
    issues = []
    for actor, verb, target in facts.roles:
        if actor.startswith("word:") and target.startswith("word:"):
            continue
        for unit in evidence:
            for their_actor, their_verb, their_target in unit.roles:
                if their_verb != verb:
                    continue
                if same_entity(actor, their_target) and same_entity(target, their_actor):
                    issues.append(Issue("role", f"actor and target swapped: in the source {their_actor.split(':', 1)[1]} {verb}s {their_target.split(':', 1)[1]}",
                                        facts.span_of([verb]), unit.span_of([verb]), unit.index, contradicts=True))
    return issues


def _check_targets(facts: Facts, evidence: list[Facts], units: list[Facts]) -> list[Issue]:
    """The act aimed at another name: "Ghalibaf urged Araji" where the source has Ghalibaf urge Baghdad. Only
    when both targets are named, the actor is the source's, and no source sentence has that actor do it to
    the rewrite's target."""
    def same_actor(ours: str, theirs: str) -> bool:  # "Larijani", which the parser did not tag, for Ali Larijani
        return same_entity(ours, theirs) or ours.removeprefix("word:") == theirs.split(":", 1)[1]

    issues = []
    for actor, verb, target in facts.roles:
        if target.startswith("word:"):
            continue
        if any(v == verb and same_actor(actor, a) and same_entity(target, t) for u in units for a, v, t in u.roles):
            continue
        for unit in evidence:
            theirs = [t for a, v, t in unit.roles if v == verb and same_actor(actor, a) and not t.startswith("word:")]
            if theirs:
                issues.append(Issue("role", f"the source has {_named(facts, actor)} {verb} {_named(unit, theirs[0])}, "
                                            f"not {_named(facts, target)}",
                                    facts.span_of([verb]), unit.span_of([verb]), unit.index))
                break
    return issues


def _check_act_actors(facts: Facts, evidence: list[Facts], units: list[Facts]) -> list[Issue]:
    """An act given to someone the source has in another role: "the MoU was signed by al-Sudani" where al-Sudani
    "oversaw the signing of a security MoU between Araji and Larijani". Only when the evidence names who did the
    act (a noun of the same word with "between" or "by"), names the rewrite's actor too, and no source sentence
    has that actor do it."""
    issues = []
    for actor, verb, _ in facts.roles:
        if actor.startswith("word:") or any(v == verb and same_entity(actor, a) for u in units for a, v, _ in u.roles):
            continue
        for unit in evidence:
            acts = [(noun, who) for noun, who in unit.act_actors if covered_lemmas({verb}, {noun})]
            if acts and not any(same_entity(actor, who) for _, who in acts) and any(same_entity(actor, m.key) for m in unit.names):
                people = [who for _, who in acts if who.startswith("person:")] or [who for _, who in acts]
                names = " and ".join(dict.fromkeys(_named(unit, who) for who in people))
                issues.append(Issue("role", f"the source has {names} {verb}, not {_named(facts, actor)}",
                                    facts.span_of([verb]), unit.span_of([acts[0][0]]), unit.index))
                break
    return issues


_EVENT_NOUN = re.compile(r"(?:tion|sion|\w{4}ing)$")
"""A noun that names an act by its verb: "negotiation", "suspension", "signing" (not "king" or "deal")."""


def _check_acts(facts: Facts, evidence: list[Facts], source: Analysis) -> list[Issue]:
    """Another act between the same people: "al-Sudani was involved in the negotiation of a security MoU between Araji
    and Larijani" where he "oversaw the signing of" it. Only for a noun that names an act ("negotiation", "suspension")
    that the source never uses, when the evidence has those people in an act of its own."""
    people_first = sorted(facts.act_actors, key=lambda act: not act[1].startswith("person:"))
    for noun, actor in people_first:
        if not _EVENT_NOUN.search(noun) or covered_lemmas({noun}, source.lemmas):
            continue
        for unit in evidence:
            theirs = [act for act, who in unit.act_actors if same_entity(actor, who) and _EVENT_NOUN.search(act)]
            if theirs:
                return [Issue("role", f"the source has {_named(facts, actor)} in the {theirs[0]}, not in a {noun}",
                              facts.span_of([noun]), unit.span_of([theirs[0]]), unit.index)]
    return []


def _named(facts: Facts, key: str) -> str:
    """A name as the sentence writes it."""
    return next((m.text for m in facts.names if same_entity(m.key, key)), key.split(":", 1)[1])


def _check_subject_places(facts: Facts, evidence: list[Facts]) -> list[Issue]:
    """The same act given to another country's actor: "Iraq's parliament urged" for "Iran's speaker urged"."""
    if facts.subject is None:
        return []
    ours = _places_in(facts.subject[0])
    for unit in evidence:
        if unit.subject is None or unit.verb != facts.verb:
            continue
        theirs = _places_in(unit.subject[0])
        if ours and theirs and not ours & theirs:
            return [Issue("entity", f"the source gives this ({unit.verb}) to {unit.subject[0]}, not {facts.subject[0]}",
                          facts.subject[1:], unit.subject[1:], unit.index, contradicts=True)]
    return []


def _places_in(phrase: str) -> set[str]:
    return {key for word in re.findall(r"[\w’'-]+", phrase) if (key := place_key(re.sub(r"[’']s$", "", word)))}


def _check_attributions(facts: Facts, units: list[Facts], primary: Facts | None) -> list[Issue]:
    """A view given to unnamed sources ("experts say") that the source gives to no such source. The source gives
    it if it has them saying or thinking something, or if they are the subject of the sentence the claim restates
    ("almost all major foreign publications have carried the news" for "major publications have reported")."""
    issues = []
    subject = primary.subject[0].lower() if primary and primary.subject else ""
    for attribution in facts.attributions:
        if not attribution.generic:
            continue
        accepted = _OFFICIALS if attribution.source in _OFFICIALS else {attribution.source}
        reported = (any(a.head in accepted for u in units for a in u.attributions)
                    or any(re.search(rf"\b{head}s?\b", subject) for head in accepted))
        if not reported:
            issues.append(
                Issue("attribution", f"the source reports no such view from {attribution.source}s",
                      (attribution.start, attribution.end))
            )
    return issues


RELATIONS = {
    "cause": (re.compile(r"^(?:as a (?:result|consequence)|consequently|therefore|thus|hence|in (?:response|retaliation)|"
                         r"because of (?:this|that))(?=\s*,)", re.I),
              re.compile(r"\b(?:because|due to|as a (?:result|consequence)|result(?:s|ed|ing)? in|consequen\w*|therefore|thus|"
                         r"hence|, so\b|caus(?:e|es|ed|ing)\b|(?:led|lead|leads|leading) to|prompt(?:s|ed|ing)?\b|"
                         r"trigger(?:s|ed|ing)?\b|spark(?:s|ed|ing)?\b|reasons?\b|owing to|thanks to|in (?:response|"
                         r"retaliation)|respond(?:s|ed|ing)? to|retaliat\w+|blam(?:e|es|ed|ing)\b|attribut\w+ to|"
                         r"stem(?:s|med|ming)? from|fuel(?:s|ed|led|ing)?\b|why\b)", re.I)),
    "exchange": (re.compile(r"^in (?:exchange|return)(?=\s*,)", re.I),
                 re.compile(r"\b(?:in (?:exchange|return)|swap(?:s|ped|ping)?\b|trad(?:e|es|ed|ing) (?:for|off)|"
                            r"on (?:the )?condition|conditional on|provided that|in turn)", re.I)),
}
"""Openings that make a sentence the result or the price of what comes before it ("As a result, …", "In exchange,
Baghdad pledged …"), and the phrases with which a source states that kind of relation at all. After, following or
amid are times, not causes. Within a sentence ("prices rose because of the tariff", "As a result of the storm, …")
a cause is left to the other checks: the source may state it with any verb ("the tariff raised prices")."""


def _check_relations(facts: Facts, found: list[Facts], units: list[Facts]) -> list[Issue]:
    """A sentence opened as the result or the price of another where the evidence (and the sentence before each
    piece of it) states no such relation: a small model ties facts it was given side by side ("In exchange, Baghdad
    promised to disarm …" for "an agreement under which Baghdad pledged to disarm …")."""
    cues = [(kind, cue, stated) for kind, (said, stated) in RELATIONS.items() if (cue := said.search(facts.text))]
    if not cues:  # nearly every sentence: no evidence text to gather
        return []
    near = {u.index for u in found} | {u.index - 1 for u in found if u.index > 0}
    evidence = " ".join(u.text for u in units if u.index in near)
    return [Issue("relation", f"the source states no {kind} here: leave out ‘{cue.group(0)}’", cue.span())
            for kind, cue, stated in cues if not stated.search(evidence)]
