"""Extraction from text copied off a news page: every line is classified, the body is found.

No existing extractor handles copied text, so this is retold's own. Each non-blank line is one
block of the page. Lines get a kind from features that do not depend on any one site (length,
final punctuation, share of lower-case words, furniture vocabulary, dates, photo credits); the
body is the run of lines with the highest score, where prose counts for it and furniture against
it (the maximum-subarray idea of Finn et al.'s Body Text Extraction, applied to lines). A learned
line model (line_model.py) then gives each line a probability of being body from features of the
line and its neighbours, and the run is found again with those scores. The headline is the
title-like line before the body that shares most words with the body's start.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from retold.dates import find_date

if TYPE_CHECKING:
    from retold.line_model import LineModel

PROSE, SHORT, FURNITURE, CAPTION, DATE, BYLINE, END = "prose", "short", "furniture", "caption", "date", "byline", "end"

_WORD = re.compile(r"\w+", re.UNICODE)
_NO_SPACE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_TERMINAL = re.compile(r"""[.!?。！？…]['"’”)\]]*$|[.!?]\s*\(\w+\)$""")

# Page furniture: vocabulary of page chrome, in English, matched case-insensitively.
_FURNITURE_ANYWHERE = re.compile(
    r"\b\d+\s*(?:-\s*)?min(?:ute)?s?\.?\s+read\b"
    r"|delivered (?:straight |directly )?to your inbox|sign up (?:for|to) (?:our|the)\b|subscribe (?:to|for|now)\b"
    r"|\bnewsletters?\b.{0,40}\b(?:sign up|subscribe|inbox|email)|\byour email address\b"
    r"|\bcookies?\b.{0,80}\b(?:accept|consent|policy|settings|experience|use)\b"
    r"|\b(?:accept|consent to|use of)\b.{0,40}\bcookies\b|\btracking technologies\b"
    r"|\ball rights reserved\b|^\s*(?:©|copyright\b)|\bprivacy policy\b|\bterms (?:of (?:use|service)|and conditions)\b"
    r"|\bclick here\b|\bfollow us\b|\bdownload (?:the|our) app\b|\bshare (?:this|on)\b|\bsponsored content\b"
    r"|\bjavascript\b.{0,40}\b(?:enable|disabled|browser)\b|\byour browser\b|\bad blocker\b",
    re.I,
)
_FURNITURE_SHORT = re.compile(
    r"^(?:news|home|menu|search|share|tweet|email|e-mail|print|save|comments?|\d+\s+comments?|advertisement|advert|ad|"
    r"sponsored|related(?: (?:articles|stories|news|content|topics))?|read (?:more|next|also)|more (?:from|on|stories|news)\b.*|"
    r"see (?:also|more)|most (?:read|popular|viewed)|trending(?: now)?|recommended|you (?:may|might) also like|"
    r"up next|top stories|latest(?: news)?|newsletter|subscribe|sign (?:in|up)|log ?in|log ?out|register|skip to .*|"
    r"back to top|follow|facebook|twitter|x|linkedin|whatsapp|telegram|instagram|youtube|pinterest|reddit|rss|copy link|"
    r"listen(?: to (?:this )?article)?|watch|loading\W*|close|open|next|previous|prev|more|tags?|topics?|"
    r"image|photo|video|gallery|show (?:more|less)|continue reading|story continues below.*|reply|like|report)\W*$",
    re.I,
)
# Lines that open a comment thread: the body never runs past them.
_END_MARKER = re.compile(
    r"^(?:\[?\s*\d+\s+(?:comments?|responses?|replies)\b.*|(?:top rated |latest |show |view |read )?comments?\W*|"
    r"\d+\s+responses? to\b.*|leave a (?:comment|reply)\b.*|join the (?:conversation|discussion)\b.*|"
    r"previous (?:post|article)\W*|next (?:post|article)\W*|posted in\b.*|share your thoughts\b.*|"
    r".{1,60}\bon\b.{4,40}\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?\s*(?:said|says|wrote|writes)?:)$",  # a comment's header
    re.I,
)
# Comment and listing furniture: "jane says:", "2 days ago at 07:52 am", "Rating: 36 Votes".
_META_LINE = re.compile(
    r"^(?:\S+(?: \S+){0,4} (?:says|said|wrote|writes):|.{0,60}\b\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago\b.{0,20}|"
    r"rating: .{0,20}|\d+\s+(?:votes?|likes?|shares?|views?)\W*)$",
    re.I,
)
# Captions and photo credits. A credit that ends the line ("… Photo: IRNA", "(Getty Images)") or a line
# that opens as a caption ("Image of …", "Photo: …") marks a caption; the same words inside running text
# ("Rachel Reeves (pictured) said …", "satellite images by Maxar showed …") only in a short line that
# is not a sentence. Length, sentence structure and position decide, never a keyword alone.
_CREDIT = r"(?:photo(?:graph)?|image|picture|credit|illustration|graphic|file photo)s?"
_CAPTION_STRONG = re.compile(
    rf"\b{_CREDIT}\s*(?:by\b|:|/)\s*[^\s.!?]+(?:\s+[^\s.!?]+){{0,3}}\s*\.?\s*$|\((?:photo|image|file)\b[^()]{{0,60}}\)\W*$"
    r"|^(?:image|photo|picture) of\b|^" + _CREDIT + r"\s*:"
    r"|\b(?:getty images|shutterstock|ap photo|afp(?: via getty)?|reuters/\S*|epa(?:-efe)?|anadolu|xinhua|irna)\s*\)?\s*$",
    re.I,
)
_CAPTION_WEAK = re.compile(rf"\b{_CREDIT}\s*(?:by\b|:|/)|\((?:photo|image|file|pictured)\b", re.I)
CAPTION_MAX_WORDS = 60
_BYLINE_PREFIX = re.compile(r"^(?:by|written by|reporting by|words by)\s+", re.I)
_BYLINE = re.compile(_BYLINE_PREFIX.pattern + r"[\w.'’-]+", re.I)
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'’.\-]{2,}(?:\s+[A-Z][A-Z'’.\-]+)*"
    r"(?:,\s*(?:[A-Z][\w'’.\-]*|\d{1,2})(?:\s+(?:of|the|and|de|[A-Z][\w'’.\-]*|\d{1,2}))*){0,3})"
    r"\s*(?:\((?P<agency>[^()]{2,40})\))?\s*(?:[-–—]+|:)\s+(?=\S)"
)


@dataclass
class Line:
    text: str
    words: int
    kind: str
    terminal: bool


@dataclass
class Page:
    """What the plain-text path found: the same parts an HTML page gives."""

    paragraphs: list[str]
    headline: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    date: str | None = None
    captions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def word_count(text: str) -> int:
    """Words of a line; scripts written without spaces count two characters as a word."""
    return max(len(_WORD.findall(text)), len(_NO_SPACE_SCRIPT.findall(text)) // 2)


def classify_line(text: str) -> Line:
    words = word_count(text)
    terminal = bool(_TERMINAL.search(text))
    if words <= 12 and _END_MARKER.match(text):
        kind = END
    elif words <= 6 and _FURNITURE_SHORT.match(text) or words <= 16 and _META_LINE.match(text):
        kind = FURNITURE
    elif words <= 12 and _BYLINE.match(text):
        kind = BYLINE
    elif words <= 14 and not terminal and find_date(text):
        kind = DATE
    elif is_caption(text, words, terminal):
        kind = CAPTION
    elif is_furniture(text, words, terminal):
        kind = FURNITURE
    elif is_prose(text, words, terminal):
        kind = PROSE
    else:
        kind = SHORT
    return Line(text, words, kind, terminal)


def is_furniture(text: str, words: int, terminal: bool) -> bool:
    """A line of page chrome (newsletter box, cookie notice, share bar): its vocabulary in a short line, or
    in a longer one that is not a sentence or says it twice. "Residents were urged to sign up for the
    scheme before Friday, officials said." is a sentence of the article."""
    if words > 80:
        return False
    hits = len(_FURNITURE_ANYWHERE.findall(text))
    return bool(hits) and (words <= 15 or (words <= 40 and not terminal) or hits >= 2)


def is_caption(text: str, words: int, terminal: bool) -> bool:
    """A caption or photo credit: short, and marked as one where captions carry the mark."""
    if words > CAPTION_MAX_WORDS or _DATELINE.match(text):
        return False
    if _CAPTION_STRONG.search(text):
        return True
    return not terminal and words <= 40 and bool(_CAPTION_WEAK.search(text))


def is_prose(text: str, words: int, terminal: bool) -> bool:
    """Running text: long enough, and written in sentences rather than as a title or a list."""
    if words >= 25:
        return True
    if words < 8 or not terminal:
        return False
    tokens = text.split()
    cased = [t for t in tokens if t[:1].isalpha() and t[:1].lower() != t[:1].upper()]
    if not cased:  # scripts without case
        return True
    lower = sum(1 for t in cased if t[0].islower())
    return lower / len(cased) >= 0.35


def _line_score(line: Line) -> float:
    """Prose counts for the body by its length; furniture and title-like lines count against it."""
    if line.kind == PROSE:
        return float(line.words)
    if line.kind == SHORT:
        return -1.0 - 0.5 * line.words
    if line.kind == FURNITURE:
        return -5.0 - line.words
    return {CAPTION: 0.0, END: -30.0}.get(line.kind, -2.0)


def best_run(lines: list[Line], scores: list[float] | None = None) -> tuple[int, int]:
    """The [start, end) run of lines that is the body.

    Kadane's scan splits the page into runs wherever the running score falls to zero; each run's
    best stretch is a candidate. What follows an article (a comment thread) is often longer than
    the article, so the first candidate that scores a good share of the best one wins. A line that
    opens a comment thread always ends a run. ``scores`` replace the rules' score of each line.
    """
    candidates: list[tuple[float, tuple[int, int]]] = []
    total, start = 0.0, 0
    for i, line in enumerate(lines):
        if total <= 0 or line.kind == END:
            total, start = 0.0, i
            candidates.append((float("-inf"), (i, i)))
        total += _line_score(line) if scores is None else scores[i]
        if total > candidates[-1][0] and line.kind != END:
            candidates[-1] = (total, (start, i + 1))
    top = max((score for score, _ in candidates), default=0.0)
    if top <= 0:
        return (0, 0)
    return next(span for score, span in candidates if score >= max(0.2 * top, min(top, 20.0)))


def find_dateline(paragraph: str) -> str | None:
    """The place (and agency) opening a paragraph, as in "ERBIL, Kurdistan Region of Iraq - "."""
    match = _DATELINE.match(paragraph)
    if not match:
        return None
    rest = paragraph[match.end() :]
    if not rest[:1].isupper() and rest[:1] not in "\"“'‘":
        return None
    place = match.group("place").strip().rstrip(",")
    if place.upper() == place and len(place.split()) > 6:  # a shouted sentence, not a place
        return None
    return place + (f" ({match.group('agency')})" if match.group("agency") else "")


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if len(w) > 3}


def _pick_headline(lines: list[Line], body_start: int, body_text: str) -> int | None:
    body_words = _content_words(body_text)
    best, best_score = None, 0.0
    for i in range(body_start):
        line = lines[i]
        if line.kind not in (SHORT, PROSE) or not 3 <= line.words <= 30:
            continue
        if line.kind == PROSE and line.text.rstrip().endswith("."):
            continue
        words = _content_words(line.text)
        if not words:
            continue
        overlap = len(words & body_words) / len(words)
        score = overlap + 0.3 * (i + 1) / body_start + (0.1 if not line.terminal else 0.0)
        if score > best_score:
            best, best_score = i, score
    return best


_JOINING_WORDS = set(
    "the a an of to and or in on at by for with from that which who whom whose as is was are were has have had be "
    "been his her its their our your my this these those than but if when while into over after before about".split()
)


def _continues(previous: str, line: str, width: int) -> bool:
    """A hard-wrapped sentence: the previous line stops mid-sentence and this one carries on. ``width``
    is the text's wrap width (0: not wrapped to one width): a line too full for the next word is a wrap."""
    if _TERMINAL.search(previous) or previous.endswith(":"):
        return False
    last = previous.rsplit(None, 1)[-1]
    return (
        line[0].islower()
        or previous.endswith(",")
        or (last in _JOINING_WORDS and len(previous.split()) >= 4)
        or (width > 0 and len(previous) + 1 + len(line.split(None, 1)[0]) > width)
    )


def _wrap_width(lines: list[str]) -> int:
    """The width a text is hard-wrapped to: no line is longer, and most lines end near it. 0 when the
    text is not wrapped to one width (a copied page's lines are paragraphs, menus and labels)."""
    if len(lines) < 5:
        return 0
    width = max(len(line) for line in lines)
    near = sum(1 for line in lines if len(line) >= width - 20)
    return width if 30 <= width <= 120 and near >= 0.5 * len(lines) else 0


def _sentence_lines(lines: list[Line]) -> list[int]:
    """The body when no run of prose stands out (a headline and a few short lines, or prose that the
    caption and furniture rules took): every line written as a sentence. Input that is all prose is
    never refused; a page of only menus and labels still has no body."""
    sentences = [i for i, line in enumerate(lines) if line.kind in (PROSE, SHORT) and line.terminal]
    return sentences or [i for i, line in enumerate(lines) if line.kind != END and line.terminal and line.words >= 8]


# Markup in text: HTML comments (retold's own Markdown ends with one) and Markdown's headings, list
# markers, block quotes, emphasis, links and images. Text that a person copied has none of these.
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_MD_LINE_MARK = re.compile(r"^(?:>\s*)+|^(?:[-*+•]|\d{1,3}[.)])\s+(?=\S)")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_MD_EMPHASIS = re.compile(r"(?<![\w*])(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_MD_RULE = re.compile(r"^(?:[-*_]\s*){3,}$")


def markup_lines(text: str) -> list[tuple[str, bool]]:
    """The non-blank lines of ``text`` without markup, each with whether it was a Markdown heading."""
    return [(line, heading) for line, heading in map(_strip_line, _HTML_COMMENT.sub("", text).split("\n")) if line]


def strip_markup(text: str) -> str:
    """``text`` without markup, blank lines kept (they separate paragraphs)."""
    return "\n".join(_strip_line(raw)[0] for raw in _HTML_COMMENT.sub("", text).split("\n"))


def _strip_line(raw: str) -> tuple[str, bool]:
    line = raw.strip()
    if _MD_RULE.match(line):
        return "", False
    heading = _MD_HEADING.match(line)
    if heading:
        line = heading.group(1)
    line = _MD_LINE_MARK.sub("", line)
    return _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", _MD_IMAGE.sub(r"\1", line))).strip(), bool(heading)


def article_page(text: str) -> Page:
    """Clean text (a rewrite, a summary) in which every line counts: the first Markdown heading before
    the body is the headline, later headings are set aside, markup is removed."""
    page = Page(paragraphs=[])
    for line, heading in markup_lines(text):
        if heading and page.headline is None and not page.paragraphs:
            page.headline = line
        elif heading:
            page.removed.append(line)
        else:
            page.paragraphs.append(" ".join(line.split()))
    return page


def unwrap(text: str) -> list[str]:
    """Non-blank lines; when the text is hard-wrapped (a fifth or more of its lines, and at least
    three, carry on a sentence from the line before), the wrapped sentences are joined back. Where
    blank lines separate blocks of several lines, a sentence never runs on across a blank line."""
    blocks = [[line.strip() for line in block.split("\n") if line.strip()] for block in re.split(r"\n\s*\n", text)]
    blocks = [block for block in blocks if block]
    lines = [line for block in blocks for line in block]
    width = _wrap_width(lines)
    if any(len(block) > 1 for block in blocks):
        pairs = [(a, b) for block in blocks for a, b in zip(block, block[1:])]
    else:
        pairs, blocks = list(zip(lines, lines[1:])), [lines]
    breaks = sum(1 for a, b in pairs if _continues(a, b, width))
    if breaks < 3 or breaks < 0.2 * len(lines):
        return lines
    joined: list[str] = []
    for block in blocks:
        for previous, line in zip([None, *block], block):
            if previous is not None and _continues(previous, line, width):
                joined[-1] = f"{joined[-1]} {line}"
            else:
                joined.append(line)
    return joined


# P(body) a line needs to count for the body under the line model. Prose lines need less: the model
# learned from pages framed by furniture, and otherwise doubts the last paragraph of a clean article.
BODY_THRESHOLD = 0.5
PROSE_THRESHOLD = 0.4


def extract_page(text: str, model: LineModel | Literal[False] | None = None) -> Page:
    """Split copied text into headline, date, byline, standfirst, body, captions and removed lines.

    ``model``: the line model that scores each line as body (None: the shipped one; False: the rules alone)."""
    lines = [classify_line(raw) for raw in unwrap(strip_markup(text))]
    start, end = best_run(lines)
    body_idx = [i for i in range(start, end) if lines[i].kind in (PROSE, SHORT)]
    if model is not False and lines:
        from retold.line_model import features, shipped_model

        body = (model or shipped_model()).probabilities(features(lines, (start, end)))
        cut = [PROSE_THRESHOLD if line.kind == PROSE else BODY_THRESHOLD for line in lines]
        start, end = best_run(lines, [2 * (p - c) * max(line.words, 1) for p, c, line in zip(body, cut, lines)])
        body_idx = [i for i in range(start, end) if lines[i].kind in (PROSE, SHORT) and body[i] >= cut[i]]
    if not body_idx:
        body_idx = _sentence_lines(lines)
        start, end = (body_idx[0], body_idx[-1] + 1) if body_idx else (0, 0)
    page = Page(paragraphs=[])

    # A dateline marks where the body starts: prose before it is the standfirst.
    for n, i in enumerate(body_idx[:4]):
        if find_dateline(lines[i].text):
            if n:
                page.standfirst = " ".join(lines[j].text for j in body_idx[:n])
            body_idx = body_idx[n:]
            break

    body_text = " ".join(lines[i].text for i in body_idx[:5])
    headline = _pick_headline(lines, start, body_text)
    if headline is not None:
        page.headline = lines[headline].text
        # A short prose line between headline and body is the standfirst.
        between = [i for i in range(headline + 1, start) if lines[i].kind == PROSE]
        if page.standfirst is None and len(between) == 1:
            page.standfirst = lines[between[0]].text

    used = set(body_idx)
    for i, line in enumerate(lines):
        if i in used or i == headline or line.text in (page.standfirst or ""):
            continue
        if line.kind == CAPTION and start - 3 <= i < end + 1:
            page.captions.append(line.text)
            continue
        if line.kind == BYLINE and page.byline is None and i < start:
            page.byline = _BYLINE_PREFIX.sub("", line.text).strip()
        if line.kind == DATE and page.date is None and i <= start:
            page.date = find_date(line.text)
        page.removed.append(line.text)
    page.paragraphs = [lines[i].text for i in body_idx]
    return page


_AGENCY_ONLY = re.compile(r"^\(\w[\w .&-]{0,30}\)\s*[-–—]+\s*(?=[A-Z“\"])")


def strip_dateline(paragraph: str) -> str:
    """The paragraph without its opening dateline ("ERBIL, Kurdistan Region of Iraq - ", "(Reuters) - ")."""
    match = _DATELINE.match(paragraph)
    if match and find_dateline(paragraph):
        return paragraph[match.end() :]
    return _AGENCY_ONLY.sub("", paragraph)
