"""The judges: retold's consistency model (shipped int8 ONNX, verified at load) and the local model."""

from __future__ import annotations

import json
import shutil

import pytest

import retold
from retold.check.judge import LocalJudge, judge, unbacked_words
from retold.errors import RetoldError
from retold.nlp import CONSISTENCY_FILE, CONSISTENCY_SHA256, ConsistencyModel, _sha256
from tests.conftest import run_cli

EVIDENCE = "The Springfield city council approved a budget of 40 million dollars for its schools on Tuesday, Mayor Ana Torres said."


def test_the_shipped_model_is_small_and_matches_its_sha256():
    assert CONSISTENCY_FILE.stat().st_size <= 25_000_000
    assert _sha256(CONSISTENCY_FILE) == CONSISTENCY_SHA256


def test_a_tampered_model_file_is_refused(tmp_path):
    copy = tmp_path / "consistency.onnx"
    shutil.copy(CONSISTENCY_FILE, copy)
    ConsistencyModel(copy)  # an exact copy loads
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(RetoldError, match="sha256"):
        ConsistencyModel(copy)
    with pytest.raises(RetoldError, match="missing"):
        ConsistencyModel(tmp_path / "absent.onnx")


def test_a_score_depends_on_its_pair_only():
    claims = [
        "The council approved a 40 million dollar school budget on Tuesday.",
        "The council rejected the school budget.",
        "Mayor Ana Torres said the council approved the budget for the schools of Springfield, which it did on Tuesday.",
        "The budget was 90 million dollars.",
    ]
    model = judge("consistency")
    together = model.score([(EVIDENCE, c) for c in claims])
    alone = [model.score([(EVIDENCE, c)])[0] for c in claims]
    assert together == alone  # not the batch: int8 dynamic quantisation would scale a batch's activations together
    assert all(0.0 <= s <= 1.0 for s in together)
    assert model.score([]) == []


def test_the_model_tells_a_restatement_from_a_changed_predicate():
    model = judge("consistency")
    faithful, changed = model.score([
        (EVIDENCE, "On Tuesday the city council approved a 40 million dollar budget for Springfield's schools."),
        (EVIDENCE, "The city council rejected a 40 million dollar budget for Springfield's schools on Tuesday."),
    ])
    assert faithful > changed + 0.1  # raw scores are not calibrated at 0.5; check.DECISION is


def test_occlusion_points_at_the_words_the_evidence_does_not_back():
    claim = "The city council rejected the school budget on Tuesday."
    spans = unbacked_words(judge("consistency"), EVIDENCE, claim)
    assert any(claim[a:b] == "rejected" for a, b in spans), [claim[a:b] for a, b in spans]


def test_unknown_judge_is_refused():
    with pytest.raises(retold.ConfigError):
        retold.check(EVIDENCE, "The council approved a budget.", judge="oracle")


@pytest.mark.own_process
def test_local_judge_reads_the_source_once_and_gives_probabilities():
    """SmolLM2 (fast, weak): what is tested is the mechanism, not the answers."""
    local = LocalJudge("smollm2")
    source = "\n\n".join([EVIDENCE] * 4)
    evaluated: list[int] = []
    original = local._llm.eval
    local._llm.eval = lambda tokens: (evaluated.append(len(tokens)), original(tokens))[1]  # counts, then evaluates
    try:
        scores = local.score([(source, "The council approved a school budget."), (source, "The council rejected a school budget.")])
    finally:
        del local._llm.eval
    assert all(0.0 < s < 1.0 for s in scores)
    assert evaluated[1] < evaluated[0] / 2  # the second claim costs its own tokens, not the source's again
    report = retold.check(source, "The council approved a school budget. It rejected the plan.", judge="model", model="smollm2")
    assert all("judge" in s.signals for s in report.sentences)


def test_cli_judge_option(tmp_path):
    source = tmp_path / "source.txt"
    source.write_text(EVIDENCE + "\n")
    claim = tmp_path / "claim.txt"
    claim.write_text("The council approved a school budget on Tuesday.\n")
    done = run_cli("check", str(source), str(claim), "--judge", "oracle")
    assert done.returncode != 0 and b"oracle" in done.stderr
    done = run_cli("check", str(source), str(claim), "--judge", "model", "--model", "smollm2", "--format", "json")
    assert done.returncode == 0, done.stderr
    sentence = json.loads(done.stdout)["sentences"][0]
    assert 0.0 < sentence["signals"]["judge"] < 1.0 and 0.0 < sentence["signals"]["consistency"] < 1.0


@pytest.mark.own_process
def test_rewrite_asks_the_judge_too(source_text):
    """`rewrite(..., judge="model")`: every check of a written sentence carries the local model's opinion."""
    result = retold.rewrite(source_text, engine="rules", words=40, judge="model", model="smollm2")
    assert result.report.sentences and all(0.0 < s.signals["judge"] < 1.0 for s in result.report.sentences)
    with pytest.raises(retold.ConfigError):
        retold.rewrite(source_text, engine="rules", judge="oracle")
