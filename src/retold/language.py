"""Language identification with py3langid (its model ships inside the package)."""

from __future__ import annotations


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    sample = text[:5000]
    if len(sample.split()) < 3:
        return None
    import py3langid

    code, _score = py3langid.classify(sample)
    return code
