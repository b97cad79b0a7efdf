"""Training pairs for retold's consistency model: (evidence, claim, label), written to train/out/pairs.jsonl.

Three sources, mixed and shuffled with a seed so that any prefix of the file is a fair sample of all:

* ``../shared/data/training``: MultiNLI and FEVER pairs (FEVER's tokenised text is detokenised);
* news pairs that retold makes from news text it has: sentences of the faithfulness sets' source
  documents (calibration half only, documents whose sha1 is divisible by 4: the rest of the calibration
  half fits the decision, the report half is never read) and of the extraction ground-truth bodies.
  Negatives are minimal factual edits of a sentence (entity, number, date, negation, antonym, predicate,
  actor and target, a fact moved from another sentence, views given to unnamed experts); positives are
  faithful restatements (the sentence, compressions, the rules engine's restatements, moved clauses);
* single-sentence claims of the same calibration documents, with the evidence the checker would pick.

    PYTHONPATH=src python train/make_data.py [--seed 13] [--out train/out/pairs.jsonl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("RETOLD_DATA", ROOT.parent / "shared" / "data"))  # as bench/ and line_classifier.py

ANTONYMS = dict(
    pair.split("/")
    for pair in (
        "increase/decrease rise/fall rose/fell risen/fallen increased/decreased higher/lower more/fewer "
        "won/lost win/lose wins/loses winning/losing before/after first/last largest/smallest biggest/smallest "
        "agreed/refused allowed/banned approved/rejected support/oppose supported/opposed accepted/rejected "
        "up/down gained/lost strong/weak stronger/weaker best/worst good/bad early/late earlier/later "
        "open/closed opened/closed began/ended start/end started/ended new/old young/old cheaper/dearer "
        "arrested/released guilty/innocent convicted/acquitted hired/fired joined/left rising/falling "
        "expanded/reduced boosted/cut added/removed most/least above/below confirmed/denied "
        "positive/negative public/private north/south east/west northern/southern eastern/western"
    ).split()
)
ANTONYMS |= {b: a for a, b in list(ANTONYMS.items())}
UNNAMED = ["experts", "analysts", "officials", "critics", "observers", "sources"]
MONTHS = "January February March April May June July August September October November December".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}


def sha1_quarter(source: str) -> int:
    """0 and 2: calibration half (0 trains the model, 2 fits the decision); 1 and 3: report half."""
    return int(hashlib.sha1(source.encode()).hexdigest(), 16) % 4


def detokenise(text: str) -> str:
    text = text.replace("-LRB-", "(").replace("-RRB-", ")").replace("-LSB-", "[").replace("-RSB-", "]")
    text = text.replace("-COLON-", ":").replace("``", '"').replace("''", '"').replace(" -- ", " – ")
    text = re.sub(r" ([.,;:!?)\]%])", r"\1", text)
    text = re.sub(r"([(\[$]) ", r"\1", text)
    text = re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    return text


def nli_pairs(rng: random.Random) -> list[dict]:
    rows = []
    for name in ("mnli_binary", "fever_binary"):
        with (DATA / "training" / f"{name}.jsonl").open() as handle:
            for line in handle:
                item = json.loads(line)
                premise, hypothesis = item["premise"], item["hypothesis"]
                if name == "fever_binary":
                    premise = detokenise(re.sub(r"^.*? \. ", "", premise, count=1) if premise.count(" . ") > 1 else premise)
                    hypothesis = detokenise(hypothesis)
                rows.append({"evidence": premise, "claim": hypothesis, "label": int(item["label"]), "kind": name})
    return rows


def sentences(text: str) -> list[str]:
    from retold.sentences import split_sentences

    out = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        out += [paragraph[a:b] for a, b in split_sentences(paragraph)]
    return [s for s in out if 6 <= len(s.split()) <= 45]


def news_documents() -> tuple[list[str], list[dict]]:
    """Source documents for edits, and the calibration claims (training quarter only)."""
    docs: dict[str, None] = {}
    claims = []
    for path in sorted((DATA / "faithfulness").glob("*.jsonl")):
        with path.open() as handle:
            for line in handle:
                item = json.loads(line)
                if sha1_quarter(item["source"]) != 0:
                    continue
                docs[item["source"]] = None
                claims.append({"source": item["source"], "claim": item["claim"], "label": item["label"], "set": path.stem})
    truth = json.loads((DATA / "extraction" / "ground-truth.json").read_text())
    for item in truth.values():
        body = item["articleBody"]
        ascii_share = sum(c.isascii() for c in body) / max(len(body), 1)
        if ascii_share > 0.97 and len(body.split()) > 80 and " the " in body:
            docs[body] = None
    return list(docs), claims


# --- edits of one parsed sentence ----------------------------------------------------------------


def replace(doc, start: int, end: int, new: str) -> str:
    """The sentence with tokens [start, end) replaced by ``new``."""
    before = doc[:start].text_with_ws if start else ""
    after = doc[end:].text_with_ws if end < len(doc) else ""
    tail = doc[end - 1].whitespace_ if end - 1 < len(doc) else ""
    return re.sub(r"\s+", " ", before + new + tail + after).strip()


def edit_entity(doc, pool: dict[str, list[str]], rng: random.Random) -> str | None:
    ents = [e for e in doc.ents if e.label_ in ENTITY_LABELS]
    rng.shuffle(ents)
    for ent in ents:
        others = [o for o in pool.get(ent.label_, []) if o.lower() != ent.text.lower() and o not in doc.text]
        if others:
            return replace(doc, ent.start, ent.end, rng.choice(others))
    return None


def edit_number(doc, rng: random.Random) -> str | None:
    numbers = [t for t in doc if t.like_num and re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?|\d+(\.\d+)?", t.text) and t.ent_type_ != "DATE"]
    if not numbers:
        return None
    token = rng.choice(numbers)
    value = float(token.text.replace(",", ""))
    choices = [value + rng.randint(1, 9), value * rng.choice([2, 3, 10]), max(value - rng.randint(1, 9), 0), value / 2]
    new = next((c for c in choices if c != value and c > 0), value + 1)
    text = f"{new:,.0f}" if "," in token.text else (f"{new:g}" if "." in token.text else f"{int(new)}")
    return replace(doc, token.i, token.i + 1, text)


def edit_date(doc, rng: random.Random) -> str | None:
    for token in doc:
        if token.text in MONTHS:
            return replace(doc, token.i, token.i + 1, rng.choice([m for m in MONTHS if m != token.text]))
        if token.text in DAYS:
            return replace(doc, token.i, token.i + 1, rng.choice([d for d in DAYS if d != token.text]))
        if re.fullmatch(r"(19|20)\d\d", token.text):
            return replace(doc, token.i, token.i + 1, str(int(token.text) + rng.choice([-3, -2, -1, 1, 2])))
    return None


def edit_negation(doc) -> str | None:
    for token in doc:
        if token.dep_ == "neg":
            if token.text.lower() == "n't":
                head = doc[token.i - 1]
                fixed = {"ca": "can", "wo": "will", "sha": "shall"}.get(head.text.lower(), head.text)
                return replace(doc, token.i - 1, token.i + 1, fixed)
            return replace(doc, token.i, token.i + 1, "").replace("  ", " ")
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    if root.lemma_ in ("say", "tell", "add"):  # negate what was said, not the saying
        root = next((c for c in root.children if c.dep_ == "ccomp"), root)
    aux = next((c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i), None)
    if aux is not None:
        return replace(doc, aux.i, aux.i + 1, aux.text + " not")
    if root.lemma_ == "be" or root.pos_ == "AUX":
        return replace(doc, root.i, root.i + 1, root.text + " not")
    if root.tag_ == "VBD":
        return replace(doc, root.i, root.i + 1, "did not " + root.lemma_)
    if root.tag_ == "VBZ":
        return replace(doc, root.i, root.i + 1, "does not " + root.lemma_)
    if root.tag_ == "VBP":
        return replace(doc, root.i, root.i + 1, "do not " + root.lemma_)
    return None


def edit_antonym(doc, rng: random.Random) -> str | None:
    hits = [t for t in doc if t.text.lower() in ANTONYMS]
    if not hits:
        return None
    token = rng.choice(hits)
    new = ANTONYMS[token.text.lower()]
    return replace(doc, token.i, token.i + 1, new.title() if token.text[:1].isupper() else new)


def edit_predicate(doc, verbs: dict[str, list[str]], rng: random.Random) -> str | None:
    candidates = [t for t in doc if t.pos_ == "VERB" and t.lemma_ not in ("say", "be", "have") and t.tag_ in verbs]
    if not candidates:
        return None
    token = rng.choice(candidates)
    others = [v for v in verbs[token.tag_] if v.lower() != token.text.lower()]
    return replace(doc, token.i, token.i + 1, rng.choice(others)) if others else None


def edit_roles(doc) -> str | None:
    """Actor and target swapped: "A accused B" -> "B accused A"."""
    for verb in doc:
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        obj = next((c for c in verb.children if c.dep_ == "dobj"), None)
        if subject is None or obj is None or verb.lemma_ in ("say", "tell"):
            continue
        a = doc[subject.left_edge.i : subject.right_edge.i + 1]
        b = doc[obj.left_edge.i : obj.right_edge.i + 1]
        if not (1 <= len(a) <= 5 and 1 <= len(b) <= 5) or a.end > b.start or a.text.lower() == b.text.lower():
            continue
        if not any(t.pos_ == "PROPN" for t in a) or not any(t.pos_ == "PROPN" for t in b):
            continue
        if any(t.ent_type_ in ("DATE", "TIME", "MONEY", "CARDINAL") for t in list(a) + list(b)):
            continue
        words = [t.text_with_ws for t in doc]
        fix = lambda s: s.text[:1].upper() + s.text[1:] if s.start == 0 else s.text  # noqa: E731
        text = "".join(words[: a.start]) + (b.text[:1].upper() + b.text[1:] if a.start == 0 else b.text) + a[-1].whitespace_
        text += "".join(words[a.end : b.start]) + (a.text[:1].lower() + a.text[1:] if a.start == 0 and a[0].pos_ != "PROPN" else fix(a))
        text += b[-1].whitespace_ + "".join(words[b.end :])
        return re.sub(r"\s+", " ", text).strip()
    return None


def edit_unnamed(doc, rng: random.Random) -> str | None:
    who = rng.choice(UNNAMED)
    for token in doc:
        if token.lemma_ in ("say", "tell") and token.pos_ == "VERB":
            subject = next((c for c in token.children if c.dep_ == "nsubj"), None)
            if subject is not None:
                return replace(doc, subject.left_edge.i, subject.right_edge.i + 1, who.title() if subject.left_edge.i == 0 else who)
    body = doc.text.rstrip(" .")
    if body[:1].isupper() and doc[0].pos_ != "PROPN":
        body = body[:1].lower() + body[1:]
    return f"{who.title()} {rng.choice(['say', 'believe', 'warn', 'expect'])} {body}."


def compressions(doc, rng: random.Random) -> list[str]:
    """Faithful shorter versions: a modifier, apposition or relative clause left out."""
    out = []
    for token in doc:
        if token.dep_ in ("appos", "relcl", "advcl", "npadvmod") or (token.dep_ == "prep" and token.head.dep_ == "ROOT" and token.i > token.head.i):
            start, end = token.left_edge.i, token.right_edge.i + 1
            if token.dep_ in ("appos", "relcl") and start > 0 and doc[start - 1].text == ",":
                start -= 1
                if end < len(doc) and doc[end].text == ",":
                    end += 1
            if end - start >= len(doc) - 4 or end - start < 2:
                continue
            if any(t.ent_type_ in ("PERSON", "CARDINAL") and t.dep_ == "neg" for t in doc[start:end]):
                continue
            if any(t.dep_ == "neg" for t in doc[start:end]):
                continue
            text = replace(doc, start, end, "").replace(" ,", ",").replace(" .", ".").replace(",,", ",")
            out.append(re.sub(r",\s*\.$", ".", text))
    rng.shuffle(out)
    return out[:2]


def news_pairs(documents: list[str], rng: random.Random, per_document: int) -> list[dict]:
    from retold.nlp import spacy_model
    from retold.restate import restate

    nlp = spacy_model()
    picked: list[tuple[int, int, list[str]]] = []
    for d, text in enumerate(documents):
        sents = sentences(text)
        if len(sents) < 3:
            continue
        for i in rng.sample(range(len(sents)), min(per_document, len(sents))):
            picked.append((d, i, sents))
    print(f"{len(picked)} news sentences from {len(documents)} documents", file=sys.stderr)
    docs = list(nlp.pipe([s[i] for _, i, s in picked], batch_size=256))
    by_document: dict[int, list] = defaultdict(list)
    for (d, _, _), doc in zip(picked, docs):
        by_document[d].append(doc)
    verbs_global: dict[str, list[str]] = defaultdict(list)
    ents_global: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        for t in doc:
            if t.pos_ == "VERB" and t.lemma_ not in ("say", "be", "have"):
                verbs_global[t.tag_].append(t.text)
        for e in doc.ents:
            ents_global[e.label_].append(e.text)

    rows = []
    for (d, i, sents), doc in zip(picked, docs):
        sentence = sents[i]
        window = rng.choice([[i], [i - 1, i], [i, i + 1], [i - 1, i, i + 1]])
        evidence = " ".join(sents[j] for j in window if 0 <= j < len(sents))
        pool: dict[str, list[str]] = defaultdict(list)
        for other in by_document[d]:
            if other is not doc:
                for e in other.ents:
                    pool[e.label_].append(e.text)
        for label, texts in ents_global.items():
            if len(pool[label]) < 2:
                pool[label] += rng.sample(texts, min(3, len(texts)))
        negatives = {
            "entity": edit_entity(doc, pool, rng),
            "number": edit_number(doc, rng),
            "date": edit_date(doc, rng),
            "negation": edit_negation(doc),
            "antonym": edit_antonym(doc, rng),
            "predicate": edit_predicate(doc, verbs_global, rng),
            "roles": edit_roles(doc),
            "unnamed": edit_unnamed(doc, rng) if rng.random() < 0.5 else None,
        }
        far = [j for j in range(len(sents)) if abs(j - i) > 1]
        if far:
            negatives["moved"] = sents[rng.choice(far)]
        positives = {"same": sentence if rng.random() < 0.3 else None}
        for n, text in enumerate(compressions(doc, rng)):
            positives[f"compression{n}"] = text
        try:
            restated = " ".join(restate(sentence))
        except Exception:  # the rules engine may not handle every odd sentence  # noqa: BLE001
            restated = sentence
        if restated != sentence:
            positives["restate"] = restated
        # keep the news half balanced: at most as many negatives as positives plus two
        kept_neg = [(k, v) for k, v in negatives.items() if v and v != sentence]
        rng.shuffle(kept_neg)
        kept_pos = [(k, v) for k, v in positives.items() if v]
        for kind, claim in kept_neg[: len(kept_pos) + 2]:
            rows.append({"evidence": evidence, "claim": claim, "label": 0, "kind": f"news-{kind}"})
        for kind, claim in kept_pos:
            rows.append({"evidence": evidence, "claim": claim, "label": 1, "kind": f"news-{kind}"})
    return rows


def pick_evidence(claim: str, sents: list[str], k: int = 3) -> str:
    """Up to k source sentences that best cover the claim's words, in document order (as check does)."""
    words = lambda s: {w for w in re.findall(r"[a-z0-9]+", s.lower()) if len(w) > 2}  # noqa: E731
    wanted = words(claim)
    chosen, covered = [], set()
    for _ in range(k):
        best = max(range(len(sents)), key=lambda j: len((words(sents[j]) & wanted) - covered) if j not in chosen else -1)
        gain = (words(sents[best]) & wanted) - covered
        if not gain or best in chosen:
            break
        chosen.append(best)
        covered |= gain
    return " ".join(sents[j] for j in sorted(chosen))


def claim_pairs(claims: list[dict]) -> list[dict]:
    rows = []
    cache: dict[str, list[str]] = {}
    for item in claims:
        claim_sents = sentences(item["claim"]) or [item["claim"]]
        if item["label"] == 0 and len(claim_sents) > 1:
            continue  # which sentence is wrong is not known
        if item["source"] not in cache:  # each source split once for all its claims
            cache[item["source"]] = sentences(item["source"])
        sents = cache[item["source"]]
        if not sents:
            continue
        for claim in claim_sents:
            rows.append({"evidence": pick_evidence(claim, sents), "claim": claim, "label": item["label"], "kind": f"claims-{item['set']}"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--per-document", type=int, default=10, help="news sentences edited per document")
    parser.add_argument("--out", type=Path, default=ROOT / "train" / "out" / "pairs.jsonl")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    documents, claims = news_documents()
    rows = nli_pairs(rng) + claim_pairs(claims) + news_pairs(documents, rng, args.per_document)
    rows = [r for r in rows if r["claim"].strip() and r["evidence"].strip()]
    rng.shuffle(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_suffix(".partial")
    with partial.open("w") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    partial.replace(args.out)
    kinds = defaultdict(lambda: [0, 0])
    for r in rows:
        kinds[r["kind"].split("-")[0] if not r["kind"].startswith("news") else r["kind"]][r["label"]] += 1
    for kind, (neg, pos) in sorted(kinds.items()):
        print(f"{kind:24s} {neg:6d} negative {pos:6d} positive", file=sys.stderr)
    print(f"{len(rows)} pairs -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
