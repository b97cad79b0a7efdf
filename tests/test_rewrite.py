"""retold rewrite: every engine, on the example, with the real parts (llama.cpp, a real server)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from conftest import EXAMPLES, ROOT, run_cli

import retold
from retold.engines import EngineError, OpenAIEngine, Request, clean
from retold.restate import restate

FURNITURE = ("NEWSLETTER", "2 min read", "Photo: IRNA", "Get the latest updates")


def assert_proven(result: retold.Rewrite) -> None:
    counts = result.report.verdict_counts
    assert counts["unsupported"] == counts["contradicted"] == 0, result.report.to_dict()["sentences"]
    assert len(result.report.sentences) >= len(result.sentences) > 0
    assert all(s.sources for s in result.sentences)
    for bit in FURNITURE:
        assert bit not in result.body and bit not in result.headline


@pytest.fixture(scope="module")
def rules_rewrite(source_text):
    return retold.rewrite(source_text, engine="rules")


def test_rules_rewrite_of_the_example_is_proven_and_restructured(rules_rewrite, source_text):
    assert_proven(rules_rewrite)
    assert rules_rewrite.headline
    assert not rules_rewrite.body.startswith("ERBIL")  # the dateline is page furniture for a rewrite
    assert rules_rewrite.fallback_share == 0.0
    # the rules move and split clauses: some sentences differ from every source sentence
    source_sentences = {s.text for s in rules_rewrite.source.sentences}
    assert sum(s.text not in source_sentences for s in rules_rewrite.sentences) >= 3
    assert 0 < rules_rewrite.report.copied_4gram_ratio <= 1


def test_restatements_keep_quotes_and_move_attribution():
    moved = restate("“We support genuine Iraqi sovereignty,” the spokesperson said.")
    assert moved == ["The spokesperson said: “We support genuine Iraqi sovereignty.”"]
    assert restate("“We will go on,” the minister stressed.") == ["The minister stressed: “We will go on.”"]  # any tense
    assert restate("“We will go on,” he smiled.") == ["“We will go on,” he smiled."]  # no speech verb: left as it is
    split = restate("Ghalibaf stressed the need to implement the agreement, adding that the deal would bring stability.")
    assert split[0] == "Ghalibaf stressed the need to implement the agreement."
    assert split[1].startswith("Ghalibaf added that the deal would bring stability")
    quoted = restate("Suter praised the team, saying that the Wild are a “good team.”")
    assert quoted[1] == "Suter said that the Wild are a “good team.”"  # one full stop, inside the quote
    assert restate("Suter praised the team, saying that the Wild are a “good team”")[1].endswith("“good team”.")
    fronted = restate("In March 2023, Iraq and Iran signed a security agreement.")
    assert fronted == ["Iraq and Iran signed a security agreement in March 2023."]


def test_target_length_is_honoured(source_text):
    result = retold.rewrite(source_text, engine="rules", words=150)
    assert_proven(result)
    assert abs(result.word_count - 150) <= 0.15 * 150
    assert result.sentences[0].sources == [0]  # the lead always leads


def test_keyword_is_never_wedged_in(source_text):
    # in the source's headline: used as it stands
    used = retold.rewrite(source_text, engine="rules", keyword="security agreement", words=150)
    assert_proven(used)
    assert "security agreement" in used.headline.lower()
    assert not any("keyword" in w for w in used.warnings)
    # in no proven wording of the headline or lead: a warning, never a "Keyword: …" prefix
    absent = retold.rewrite(source_text, engine="rules", keyword="border security", words=150)
    assert_proven(absent)
    assert not absent.headline.lower().startswith("border security")
    assert any("border security" in w for w in absent.warnings)
    assert absent.keyword_uses <= 3


@pytest.mark.own_process
def test_local_engine_runs_llama_cpp(source_text):
    seen = []
    result = retold.rewrite(source_text, engine="local", model="smollm2", words=120, tries=2,
                            progress=lambda done, total, left: seen.append((done, total)))
    assert_proven(result)
    assert {s.engine for s in result.sentences} <= {"local", "rules", "source"}
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]


@pytest.mark.own_process
def test_models_load_without_llamas_extra_buffer_types():
    """The AMX buffer type crashes llama.cpp's decode (SIGSEGV on a Xeon with AMX, BENCHMARKS.md decode-speed): a model
    retold loads has the extra buffer types off, and so has any other llama.cpp model loaded in the process after it
    (retold.llama_server runs the real server with the same setting; the server tests use it)."""
    import llama_cpp.llama_cpp as low

    from retold.nlp import EXTRA_BUFFERS, llama, model_path

    assert EXTRA_BUFFERS is False
    assert llama(model_path("smollm2")).model_params.use_extra_bufts is False
    assert low.llama_model_default_params().use_extra_bufts is False


def test_cli_json_carries_the_final_report():
    result = run_cli("rewrite", "--engine", "rules", "--format", "json", "--quiet", str(EXAMPLES / "iran-iraq-source.txt"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["report"]["document"]["verdict_counts"]["unsupported"] == 0
    assert data["report"]["document"]["verdict_counts"]["contradicted"] == 0
    assert data["paragraphs"] and all(s["sources"] for p in data["paragraphs"] for s in p)
    assert 0 <= data["copied_4gram_ratio"] <= 1 and 0 <= data["copied_outside_quotes"] <= 1


def test_rewrite_errors_are_one_line(tmp_path):
    german = tmp_path / "de.txt"
    german.write_text("Die Regierung hat am Dienstag in Berlin ein neues Gesetz beschlossen, das die Steuern "
                      "für kleine Unternehmen senken soll. Der Minister sagte, das Gesetz werde im Januar gelten.\n")
    result = run_cli("rewrite", "--engine", "rules", str(german))
    assert result.returncode == 1 and b"English only" in result.stderr and b"Traceback" not in result.stderr
    result = run_cli("rewrite", "--engine", "openai", str(german))
    assert result.returncode == 1 and b"error:" in result.stderr and b"Traceback" not in result.stderr


def test_interrupted_run_leaves_no_output_file(tmp_path, source_text):
    source = tmp_path / "source.txt"
    source.write_text(source_text)
    output = tmp_path / "out.md"
    child = subprocess.Popen(
        [sys.executable, "-m", "retold", "rewrite", str(source), "--model", "smollm2", "--output", str(output)],
        stderr=subprocess.PIPE, cwd=ROOT,
        # A shell starts background jobs with SIGINT ignored, and Python then never raises
        # KeyboardInterrupt: give the child the default disposition, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert child.stderr.readline().startswith(b"retold: 0/")  # generation has started (plain lines: not a terminal)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=60) == 130
    assert list(tmp_path.iterdir()) == [source]


# --- the openai engine against real servers ---------------------------------------------------------


def test_clean_takes_the_text_a_model_meant():
    assert clean("Here is the rewritten sentence:\n\n“Iran urged Iraq to act.”") == "Iran urged Iraq to act."
    assert clean("**Iran urges Iraq to act.**", "headline") == "Iran urges Iraq to act"
    echoed = "The new wording and word order maintain the same facts. Iran urged Iraq to act."  # seen from Qwen2.5-1.5B
    assert clean(echoed, source="Iran called on Iraq to act.") == "Iran urged Iraq to act."
    assert clean("Prices fell by new wording and word order.", source="Prices fell.") == ""  # nothing left: retried
    restated = "The ministry rephrased its position."
    assert clean(restated, source="The ministry rephrased its position on Monday.") == restated  # the news's own words


def test_openai_engine_against_llama_cpp_server(llama_server, source_text):
    result = retold.rewrite(source_text, engine="openai", base_url=llama_server, words=80, tries=1)
    assert_proven(result)
    assert {s.engine for s in result.sentences} <= {"openai", "rules", "source"}


def test_openai_engine_server_down(closed_port):
    writer = OpenAIEngine(f"http://127.0.0.1:{closed_port}/v1", retries=1, timeout=5)
    started = time.perf_counter()
    with pytest.raises(EngineError, match="cannot reach the server"):
        writer.write(Request("Iran urged Iraq to act."))
    assert time.perf_counter() - started < 10


def test_openai_engine_timeout(silent_server):
    writer = OpenAIEngine(silent_server, retries=1, timeout=1)
    with pytest.raises(EngineError, match="did not answer in time"):
        writer.write(Request("Iran urged Iraq to act."))


def test_openai_engine_malformed_reply(junk_server):
    writer = OpenAIEngine(junk_server, retries=1, timeout=5)
    with pytest.raises(EngineError, match="not a chat completion"):
        writer.write(Request("Iran urged Iraq to act."))


def test_llama_server_stopped_mid_run(llama_server_factory, source_text):
    url, process = llama_server_factory()
    writer = OpenAIEngine(url, retries=1, timeout=60)  # generous: the first answer waits for the model to load
    assert writer.write(Request("Iran urged Iraq to act."))
    process.terminate()
    process.wait(timeout=30)
    with pytest.raises(EngineError, match="cannot reach the server"):
        writer.write(Request("Iran urged Iraq to act."))


def test_a_quote_copied_without_its_marks_is_sent_back(source_text):
    from retold.engines import RulesEngine
    from retold.rewrite import _Rewriter

    job = _Rewriter(retold.extract(source_text), RulesEngine(), retold.RewriteOptions(engine="rules", tries=1))
    bare = ("The US State Department designated several PMF factions, accusing Iran of providing support that "
            "enables these militias to plan, facilitate, or directly carry out attacks across Iraq.")
    assert "inside quotation marks" in job.unquoted(9, bare)[0]
    marked = bare.replace("that enables", "that “enables").replace("Iraq.", "Iraq.”")
    assert job.unquoted(9, marked) is None
