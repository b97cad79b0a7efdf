"""retold batch: real worker processes, a real kill -9, real feeds, and a real local Ray instance."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import retold.batch
from retold.batch.journal import Journal
from retold.options import RewriteOptions
from tests.conftest import ROOT, run_cli

FRENCH = ("Le gouvernement a annoncé mardi une nouvelle réforme des retraites qui sera présentée au parlement "
          "la semaine prochaine, selon le ministre du travail, qui a défendu un projet juste et nécessaire.")


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def paragraphs_html(text: str) -> str:
    return "".join(f"<p>{p.strip()}</p>" for p in text.split("\n\n") if p.strip())


def test_a_bad_item_is_recorded_and_the_batch_goes_on(tmp_path, source_text):
    items = tmp_path / "items.jsonl"
    rows = [
        {"id": "good", "text": source_text},
        {"id": "empty", "text": "   "},
        {"id": "binary", "text": "\x00\x01\x02\x03 not text \x04\x05" * 50},
        {"id": "french", "text": FRENCH * 3},
        {"id": "too-long", "text": "word " * 2_000_001},
    ]
    items.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = run_cli("batch", "rewrite", str(items), "--output", str(out), "--engine", "rules", "--workers", "1")
    assert done.returncode == 3, done.stderr
    summary = done.stderr.decode().strip().splitlines()[-1]
    assert summary.startswith("retold: 6 done, 5 failed,") and "items/s" in summary
    got = {row["id"]: row for row in lines(out)}
    assert set(got) == {"good", "empty", "binary", "french", "too-long", "line-6"}
    assert got["good"]["status"] == "ok" and got["good"]["error"] is None
    assert got["good"]["result"]["report"]["document"]["verdict_counts"]["unsupported"] == 0
    assert "empty" in got["empty"]["error"]
    assert "binary" in got["binary"]["error"]
    assert "'fr'" in got["french"]["error"]
    assert "limit" in got["too-long"]["error"]
    assert "not a JSON object" in got["line-6"]["error"]
    for row in got.values():
        assert set(row) == {"id", "status", "error", "seconds", "result"}
        assert row["status"] == "ok" or (row["result"] is None and "\n" not in row["error"])


def test_ctrl_c_then_kill_9_then_resume(tmp_path, source_text):
    """A batch interrupted (SIGINT), then killed (SIGKILL), then crashed mid-line, ends with every id once."""
    folder = tmp_path / "articles"
    folder.mkdir()
    paragraphs = [p for p in source_text.split("\n\n") if p.strip()]
    for n in range(8):  # the same article, shortened differently: each a separate rewrite of a few seconds
        (folder / f"a{n}.txt").write_text("\n\n".join(paragraphs[: len(paragraphs) - n]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "retold", "batch", "rewrite", str(folder), "--output", str(out),
               "--engine", "rules", "--workers", "1", "--summary"]

    def start_and_stop(sig: int, wait_lines: int) -> subprocess.Popen:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True,
                                # a test run started as a background job ignores SIGINT, and so would the
                                # child: give it the default disposition, as a terminal would
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        before = len(lines(out)) if out.exists() else 0
        deadline = time.monotonic() + 240
        while (len(lines(out)) if out.exists() else 0) < before + wait_lines:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no item finished in time"
            time.sleep(0.1)
        assert proc.poll() is None, "the batch finished before it could be stopped"
        os.kill(proc.pid, sig)
        proc.wait(timeout=60)
        return proc

    interrupted = start_and_stop(signal.SIGINT, 1)
    assert interrupted.returncode == 130
    assert "interrupted:" in interrupted.stderr.read().decode()
    killed = start_and_stop(signal.SIGKILL, 1)
    assert killed.returncode == -signal.SIGKILL
    finished = [row["id"] for row in lines(out)]
    assert 2 <= len(finished) < 8 and len(set(finished)) == len(finished)
    deadline = time.monotonic() + 30  # the killed driver's worker notices within a second or two and exits
    while (left := subprocess.run(["pgrep", "-s", str(killed.pid)], capture_output=True, text=True,
                                  check=False).stdout.split()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], "the workers of a killed batch must exit"

    with out.open("ab") as handle:  # an older crash left half a line
        handle.write(b'{"id":"a7.txt","status":"ok","err')
    resumed = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert f"{len(finished)} already in the output" in resumed.stderr.decode()
    rows = lines(out)
    assert sorted(row["id"] for row in rows) == sorted(f"a{n}.txt" for n in range(8))
    assert all(row["status"] == "ok" for row in rows)
    assert set(rows[0]["result"]) == {"headline", "verdict_counts", "copied_4gram_ratio", "copied_outside_quotes",
                                      "words", "fallback_share", "warnings"}


def test_journal_cuts_a_torn_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_bytes(b'{"id":"a","status":"ok"}\n{"id":"b","status":"error"}\n{"id":"c","sta')
    with Journal(out) as journal:
        assert journal.done("a") and journal.done("b") and not journal.done("c")
        assert not journal.done("b", retry_failed=True)
        journal.write({"id": "c", "status": "ok", "error": None, "seconds": 0.1, "result": None})
    assert [row["id"] for row in lines(out)] == ["a", "b", "c"]


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Wire</title><link>https://example.org/</link><description>news</description>
<item><title>Iran and Iraq</title><link>https://example.org/iran-iraq</link>
<description>Short teaser.</description><content:encoded><![CDATA[{body}]]></content:encoded></item>
<item><title>Teaser only</title><link>https://example.org/teaser</link><description>{summary}</description></item>
<item><title>Nothing</title><link>https://example.org/empty</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title><id>urn:wire</id><updated>2025-10-21T00:00:00Z</updated>
<entry><title>Iran and Iraq</title><id>urn:1</id><link href="https://example.org/atom/1"/>
<updated>2025-10-21T00:00:00Z</updated><content type="html">{body}</content></entry>
</feed>"""


def test_feeds_rss_and_atom(tmp_path, source_text):
    from html import escape

    body = paragraphs_html(source_text)
    first = [line for line in source_text.splitlines() if len(line) > 200][1:4]  # a teaser of prose
    rss = tmp_path / "feed.rss"
    rss.write_text(RSS.format(body=body, summary=escape(" ".join(first))), encoding="utf-8")
    atom = tmp_path / "feed.atom"
    atom.write_text(ATOM.format(body=escape(body)), encoding="utf-8")

    out = tmp_path / "rss.jsonl"
    totals = retold.batch.run_file("rewrite", str(rss), str(out), RewriteOptions(engine="rules"), workers=0)
    got = {row["id"]: row for row in lines(out)}
    assert set(got) == {"https://example.org/iran-iraq", "https://example.org/teaser", "https://example.org/empty"}
    assert (totals.done, totals.failed) == (3, 1)
    full = got["https://example.org/iran-iraq"]["result"]
    assert full["headline"] and full["report"]["document"]["verdict_counts"]["unsupported"] == 0
    assert full["words"] > 200  # the full content, not the teaser
    assert got["https://example.org/teaser"]["status"] == "ok"
    assert "fetches no URLs" in got["https://example.org/empty"]["error"]

    out = tmp_path / "atom.jsonl"
    totals = retold.batch.run_file("rewrite", str(atom), str(out), RewriteOptions(engine="rules"), workers=0)
    assert [(row["id"], row["status"]) for row in lines(out)] == [("https://example.org/atom/1", "ok")]


def test_folder_pair_check(tmp_path, source_text, rewrite_text):
    sources, rewrites = tmp_path / "sources", tmp_path / "rewrites"
    sources.mkdir()
    rewrites.mkdir()
    (sources / "iran.txt").write_text(source_text, encoding="utf-8")
    (rewrites / "iran.txt").write_text(rewrite_text, encoding="utf-8")
    (sources / "same.html").write_text(f"<html><body>{paragraphs_html(source_text)}</body></html>", encoding="utf-8")
    lead = next(line for line in source_text.splitlines() if line.startswith("Ghalibaf stressed"))
    (rewrites / "same.html").write_text(lead, encoding="utf-8")  # copied from the source: supported
    (sources / "orphan.txt").write_text(source_text, encoding="utf-8")
    # a file that cannot be read, even by root: reading /proc/self/mem at offset 0 is an I/O error
    (sources / "unreadable.txt").symlink_to("/proc/self/mem")
    (rewrites / "unreadable.txt").write_text(rewrite_text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = run_cli("batch", "check", str(sources), "--rewrites", str(rewrites), "--output", str(out),
                   "--workers", "2", "--quiet")
    assert done.returncode == 3, done.stderr
    assert done.stderr.decode().count("\n") == 1  # --quiet: the summary line only
    got = {row["id"]: row for row in lines(out)}
    assert got["orphan.txt"]["status"] == "error" and "no rewrite named orphan.txt" in got["orphan.txt"]["error"]
    assert got["unreadable.txt"]["status"] == "error" and "cannot read" in got["unreadable.txt"]["error"]
    counts = got["iran.txt"]["result"]["document"]["verdict_counts"]
    assert counts["contradicted"] >= 1 and counts["unsupported"] >= 1  # the example's invented claims
    assert got["same.html"]["result"]["document"]["faithful"] is True


def test_library_on_a_local_ray_instance(source_text, rewrite_text):
    ray = pytest.importorskip("ray")
    paragraphs = [line for line in rewrite_text.splitlines() if len(line.split()) > 8]
    assert len(paragraphs) >= 4
    items = [{"id": f"claim-{n}", "source": source_text, "rewrite": p} for n, p in enumerate(paragraphs[:4])]
    items.append({"id": "empty", "source": source_text, "rewrite": ""})
    stats: dict = {}
    results = list(retold.batch.check(items, workers=1, ray=True, summary=True, stats=stats))
    assert not ray.is_initialized()  # the instance it started is shut down
    by_id = {r.id: r for r in results}
    assert set(by_id) == {f"claim-{n}" for n in range(4)} | {"empty"}
    assert by_id["empty"].status == "error" and "empty" in by_id["empty"].error
    assert all(by_id[f"claim-{n}"].ok for n in range(4))
    assert sum(by_id[f"claim-{n}"].result["verdict_counts"]["supported"] for n in range(4)) >= 1
    # one actor holds the source: analysed for the first claim, reused for the others
    assert len(stats["peak_rss_mb"]) == 1 and stats["first_result_s"] > 0


def test_items_sharing_a_source_go_to_one_worker_in_order():
    from retold.batch import _as_item

    a = [_as_item("check", {"id": str(n), "source": "same", "rewrite": "x"}) for n in range(3)]
    b = _as_item("check", {"id": "other", "source": "different", "rewrite": "x"})
    assert len({item.group for item in a}) == 1 and b.group != a[0].group


def test_an_unreachable_cluster_is_one_clear_error(tmp_path, closed_port):
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "source": "x", "rewrite": "y"}) + "\n", encoding="utf-8")
    done = run_cli("batch", "check", str(items), "--output", str(tmp_path / "out.jsonl"),
                   "--ray", f"127.0.0.1:{closed_port}")
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"retold: error: cannot reach the Ray cluster at 127.0.0.1:{closed_port} (Connection refused)"
