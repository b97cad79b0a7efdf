"""plan: which source sentences a rewrite restates, and in what order and paragraphs it tells them.

The story's plan, as an editor would draw it: the lead (the main development) alone; then the supporting
facts, most central first, grouped by topic into paragraphs of one to three sentences; then the background
(what happened before: earlier years, "last month", "previously"). A sentence that leans on the one before
it (a pronoun with no subject before it to stand for, "However", "the next day", a quote that goes on) is
never separated from it, so reordering cannot give "he said" to someone else; the checker reads the
finished text in context as well. Comparisons that point back ("a similar message") are not detected yet.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from retold.article import Article

if TYPE_CHECKING:
    import numpy as np

LENGTH_TOLERANCE = 0.15
PARAGRAPH_SENTENCES = 3
TOPIC_SIMILARITY = 0.5
"""Two nearby stretches of the story share a paragraph when their sentence embeddings' cosine is at least this.
Over the sentence pairs of 15 CNN/DailyMail stories (SummEval's sources, not the rewrite benchmark's articles)
MiniLM's cosine had median 0.27, 75th percentile 0.41 and 90th 0.53: a pair at 0.5 is among a story's closest."""
NEIGHBOURHOOD = 3  # source sentences apart, at most, for two stretches to share a paragraph
_ANAPHORS = {"he", "she", "they", "it", "him", "her", "them", "his", "hers", "their", "theirs", "its", "himself",
             "herself", "themselves", "itself"}
_LINKS = {"but", "however", "also", "meanwhile", "still", "yet", "and", "so", "instead", "moreover", "furthermore",
          "additionally", "then", "later", "thus", "therefore", "nevertheless", "nonetheless", "though", "although",
          "besides", "likewise", "similarly", "otherwise", "further", "this", "that", "these", "those", "such",
          "there", "here", "both", "neither", "either", "another", "other", "others", "the latter", "the former"}
_POINTING = {"this", "these", "that", "those", "such"}
_TIMES = {"year", "month", "week", "day", "morning", "afternoon", "evening", "night", "weekend", "season", "time",
          "summer", "spring", "autumn", "fall", "winter", "quarter", "century", "decade"}
"""A determiner that points back ("this bar") ties a sentence to the one before, unless it points at a time ("this week")."""
_SIGNATURE = re.compile(r"^\s*[—–-]+\s*[^()]{1,80}\(@\w+\)")
"""The line under an embedded post: "— The Nigerian Senate (@NGRSenate) October 9, 2018"."""
_BARE_LINK = re.compile(r"^\W*(?:https?://|pic\.twitter\.com/)\S+\W*$")
_AFTER = re.compile(r"\b(?:the (?:next|following|same|previous) (?:day|night|morning|afternoon|evening|week|month|year)|"
                    r"(?:hours|days|weeks|months|minutes|moments) (?:later|earlier|before|after)|afterwards?|soon after|"
                    r"by then|at the time|that (?:day|night|morning|afternoon|evening|week))\b", re.I)
"""Times told from the sentence before ("the next day", "hours later"), which a sentence moved elsewhere would shift."""
_BACKGROUND = re.compile(r"\b(?:ago|last (?:year|month|week|spring|summer|autumn|fall|winter)|previously|in the past|"
                         r"formerly|earlier this (?:year|month))\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SINCE = re.compile(r"\bsince (?:\w+ )?(?:19[5-9]\d|20\d\d)\b", re.I)


def rank(source: Article, vectors: np.ndarray) -> list[int]:
    """The lead first, then by how central a sentence is to the article, earlier sentences breaking ties; only
    the sentences that may be told (``_tellable``)."""
    n = len(source.sentences)
    tellable = _tellable(source)
    if n <= 2:
        return tellable
    centrality = (vectors @ vectors.T).sum(axis=1) / (n - 1)
    score = {i: float(centrality[i]) + 0.3 / (1 + i) for i in tellable[1:]}
    return [0] + sorted(score, key=lambda i: -score[i])


_POST_LINE = 2
"""The most words in each sentence of a line of a post set out word by word ("on. meth. dot. com."): an article's
own short line above a post ("Trump responded on X.") has more."""


def _tellable(source: Article) -> list[int]:
    """The lead and every later sentence but these: a sentence that repeats an earlier one word for word
    ("Advertisement"), told twice, would be published twice; an embedded post ("I love that they trademarked it. …
    https://t.co/…" signed "— Robert Maguire (@RobertMaguire_) November 18, 2019") would lose its author and read as
    the article's own words; a bare link; a subheading ("Toyota RAV4 Prime", "Nissan Sentra"), which told as a
    sentence is a fragment."""
    from retold.analyze import normalise_words

    signed = {s.paragraph for s in source.sentences if _SIGNATURE.match(s.text)}
    embedded = {p - 1 for p in signed}  # the post each one signs
    longest: dict[int, int] = {}
    for sentence in source.sentences:
        longest[sentence.paragraph] = max(longest.get(sentence.paragraph, 0), len(sentence.text.split()))
    for sentence in reversed(source.sentences):  # the lines that lead into it ("Senate resolves to:"), and the
        above = sentence.paragraph + 1  # lines of a post set out word by word above it ("on. meth. dot. com.")
        if above in embedded and sentence.paragraph not in signed and (sentence.text.rstrip().endswith(":")
                                                                       or longest[sentence.paragraph] <= _POST_LINE):
            embedded.add(sentence.paragraph)
    sizes = Counter(s.paragraph for s in source.sentences)
    tellable, seen = [], set()
    for i, sentence in enumerate(source.sentences):
        key = normalise_words(sentence.text)
        if key not in seen and not (i and (sentence.paragraph in embedded or _SIGNATURE.match(sentence.text)
                                           or _BARE_LINK.match(sentence.text)
                                           or (sizes[sentence.paragraph] == 1 and _subheading(sentence.text)))):
            tellable.append(i)
        seen.add(key)
    return tellable


def _subheading(text: str) -> bool:
    """A short line with no verb, no quotation and no full stop (alone in its paragraph): a heading inside the body."""
    from retold.nlp import parse

    if len(text.split()) > 8 or any(q in text for q in "\"“”") or text.rstrip()[-1:] in ".!?":
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in parse(text))


def choose(order: list[int], source: Article, target: int) -> list[int]:
    """The most important sentences, in ``order``, until they hold about ``target`` words; in source order."""
    planned, total = [], 0
    for index in order:
        if total >= target * (1 - LENGTH_TOLERANCE / 2):
            break
        planned.append(index)
        total += len(source.sentences[index].text.split())
    return sorted(planned)


def outline(source: Article, kept: list[int], order: list[int], vectors: np.ndarray,
            written: dict[int, str] | None = None) -> list[list[int]]:
    """Paragraphs of source sentence indices: the lead's stretch alone, then topics by importance, background last.
    ``written`` holds the first restated sentence of each kept one, which may lean back where the source did not."""
    units = _units(source, sorted(kept), written or {})
    if len(units) <= 1:
        return units
    importance = {index: k for k, index in enumerate(order)}
    lead, rest = units[0], units[1:]
    now = _latest_year(source)
    background = [u for u in rest if _is_background(source, u, now)]
    current = [u for u in rest if u not in background]
    return [lead] + _grouped(current, importance, vectors) + _grouped(background, importance, vectors)


def continues_quote(source: Article, index: int) -> bool:
    """Whether source sentence ``index`` begins inside a direct quote opened in a sentence before it."""
    start = source.sentences[index].start
    return any(q.start < start < q.end for q in source.quotes)


def _units(source: Article, kept: list[int], written: dict[int, str]) -> list[list[int]]:
    """Runs of kept sentences that must stay together: each sentence that leans on the one before it, as the
    source writes it or as it was restated ("They did the opposite"), joins it; so does the answer to a question
    ("Do we have an oxygen bar in Delhi?" "The answer is YES!")."""
    from retold.analyze import words

    units: list[list[int]] = []
    named = set(words(source.sentences[0].text)) if source.sentences else set()  # the lead, always told first
    for index in kept:
        sentence = source.sentences[index]
        texts = [sentence.text] + ([written[index]] if index in written else [])
        answers = units != [] and units[-1][-1] == index - 1 and source.sentences[index - 1].text.rstrip().endswith("?")
        if units and (answers or continues_quote(source, index) or any(_leans_back(text) for text in texts)
                      or (len(units) > 1 and any(_told_before(text, named) for text in texts))):
            units[-1].append(index)
        else:
            units.append([index])
    return units


def _leans_back(text: str) -> bool:
    """Whether a sentence needs the sentence before it to be read right."""
    from retold.nlp import parse

    if text.lstrip().startswith("("):  # an aside "(Watergate, remember, …)"
        return True
    doc = parse(text)
    words = [t for t in doc if not t.is_punct and not t.is_quote]
    if not words:
        return True
    if words[0].pos_ == "INTJ" or words[0].lower_ in _LINKS or " ".join(t.lower_ for t in words[:2]) in _LINKS or _AFTER.search(text):
        return True
    if any(t.dep_ in ("det", "predet", "amod") and t.lower_ in _POINTING and t.head.lemma_.lower() not in _TIMES
           for t in doc):
        return True  # "According to reports, this bar is …", "in such a setup": a thing told of before
    for token in doc:  # a third-person pronoun with no subject before it to stand for ("In Virginia, they voted")
        if token.dep_ in ("nsubj", "nsubjpass") and token.pos_ in ("NOUN", "PROPN"):
            return False
        if token.lower_ in _ANAPHORS and token.pos_ == "PRON":
            return True
    return False


def _told_before(text: str, named: set[str]) -> bool:
    """Whether the subject is "the" and a common noun with nothing that says which ("The duo reportedly saw …",
    "The car features …"): it stands for something the story told before, in other words, and reads wrong ahead
    of it. Not when ``named`` (the lead's words) has the noun ("The council" after "Leeds City Council …"), nor when
    the phrase says which itself ("The city's library", "the plan to cut fares", "The Leeds council")."""
    from retold.nlp import parse

    return any(
        t.pos_ == "NOUN" and t.lemma_.lower() not in _TIMES and not {t.lower_, t.lemma_.lower()} & named
        and any(c.dep_ == "det" and c.lower_ == "the" for c in t.children)
        and not any(c.dep_ in ("poss", "prep", "relcl", "acl", "appos") or c.pos_ == "PROPN" for c in t.children)
        for t in parse(text) if t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT"
    )


def _latest_year(source: Article) -> int | None:
    """The story's year: its date's, else the latest the article names that has come (not a target "by 2030")."""
    import datetime

    named = [int(y) for y in _YEAR.findall(source.body) if int(y) <= datetime.date.today().year]
    years = [int(y) for y in _YEAR.findall(source.date or "")] or named
    return max(years) if years else None


def _is_background(source: Article, unit: list[int], now: int | None) -> bool:
    """A stretch about what happened before: every sentence says "last year", "previously", or names only
    years before the story's."""
    def earlier(text: str) -> bool:
        years = [int(y) for y in _YEAR.findall(_SINCE.sub("", text))]  # "for the first time since 1993" is news
        return bool(_BACKGROUND.search(text)) or (now is not None and bool(years) and max(years) < now)

    return all(earlier(source.sentences[i].text) for i in unit)


def _near(group: list[list[int]], unit: list[int]) -> bool:
    """Whether ``unit`` is within ``NEIGHBOURHOOD`` source sentences of the group: a story's topics are told in
    stretches, and a sentence far off that shares words with the group is usually about another point."""
    return any(abs(i - j) <= NEIGHBOURHOOD for u in group for i in u for j in unit)


def _grouped(units: list[list[int]], importance: dict[int, int], vectors: np.ndarray) -> list[list[int]]:
    """Paragraphs of up to three sentences: the most important stretch left, joined by the stretches most like
    it; a paragraph's sentences in source order, paragraphs in order of their first stretch's importance."""
    def weight(unit: list[int]) -> int:
        return min(importance.get(i, len(importance)) for i in unit)

    import numpy as np

    def meaning(unit: list[int]) -> np.ndarray:
        mean = vectors[unit].mean(axis=0)
        return mean / (np.linalg.norm(mean) or 1.0)

    left = sorted(units, key=weight)
    paragraphs: list[list[int]] = []
    while left:
        seed = left.pop(0)
        group, size = [seed], len(seed)
        while left and size < PARAGRAPH_SENTENCES:
            similarity = [float(meaning(seed) @ meaning(u)) if _near(group, u) else -1.0 for u in left]
            best = int(np.argmax(similarity))
            if similarity[best] < TOPIC_SIMILARITY or size + len(left[best]) > PARAGRAPH_SENTENCES:
                break
            group.append(left.pop(best))
            size += len(group[-1])
        sentences = sorted(i for unit in group for i in unit)
        paragraphs += [sentences[k:k + PARAGRAPH_SENTENCES] for k in range(0, len(sentences), PARAGRAPH_SENTENCES)]
    return paragraphs
