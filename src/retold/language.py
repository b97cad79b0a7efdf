"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations

from retold.cache import memo

CLEAR = 0.5
"""A language other than English is reported only at this probability or more (py3langid's normalised
probabilities, which it calibrates for the length of the text). Below it the text is English-like enough:
a sentence dense with foreign names ("… Qasim al-Araji met with … Bagher Ghalibaf in Tehran.") comes out
as Nigerian Pidgin at 0.25, with English a close second, while German, French or Spanish sentences of
ten words come out at 0.99 or more."""


@memo(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or too unclear to tell.

    Names say little about the language around them, so a text whose language is unclear is judged
    again on its words that are not capitalised; English is kept when it stays close to the best guess."""
    sample = text[:5000]
    if len(sample.split()) < 3:
        return None
    ranked = _identifier().rank(sample)
    code, probability = ranked[0]
    if code == "en" or probability >= CLEAR:
        return code
    common = [word for word in sample.split() if not word[:1].isupper()]
    if len(common) >= 3:
        code, probability = _identifier().rank(" ".join(common))[0]
        if code == "en" or probability >= CLEAR:
            return code
    english = dict(ranked).get("en", 0.0)
    return "en" if english >= ranked[0][1] / 2 else None
