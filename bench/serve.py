"""The HTTP API under load: 50 concurrent /v1/check requests of the example pair from a second process.

Starts `retold serve` on 127.0.0.1 (a real uvicorn), warms it with one request, then sends 50 requests
at once and records failures, p50/p95 latency and requests per second; then 450 more (50 at a time)
and the server's resident memory before those 500 requests and after each 50.

    python bench/serve.py [--no-write]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx  # noqa: E402
from _report import EXAMPLES, ROOT, write_section  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def burst(url: str, body: dict, n: int) -> tuple[list[float], int, float]:
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=n)) as client:

        async def one() -> float | None:
            started = time.perf_counter()
            response = await client.post(url, json=body)
            ok = response.status_code == 200 and response.json()["sentences"]
            return time.perf_counter() - started if ok else None

        started = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
        wall = time.perf_counter() - started
    latencies = [r for r in results if isinstance(r, float)]
    return latencies, n - len(latencies), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    body = {
        "source": (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8"),
        "rewrite": (EXAMPLES / "iran-iraq-ai-rewrite.txt").read_text(encoding="utf-8"),
    }
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen(
            [sys.executable, "-m", "retold", "serve", "--port", str(port), "--db", f"{tmp}/jobs.sqlite3"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.25)
            url = f"{base}/v1/check"
            asyncio.run(burst(url, body, 1))  # loads the models
            before = rss_mb(server.pid)
            latencies, failed, wall = asyncio.run(burst(url, body, 50))
            rest_failed, series = 0, [rss_mb(server.pid)]
            for _ in range(9):
                _, f, _ = asyncio.run(burst(url, body, 50))
                rest_failed += f
                series.append(rss_mb(server.pid))
            after = series[-1]
        finally:
            server.terminate()
            server.wait(timeout=30)
    q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    table = "\n".join(
        [
            "## Serve: 50 concurrent /v1/check requests of the example pair",
            "",
            "From a second process (httpx, asyncio) to `retold serve` on 127.0.0.1; one warm-up request first.",
            "",
            "| requests | failed | p50 s | p95 s | requests/s | RSS before MB | RSS after 500 MB | failed in 500 |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| 50 | {failed} | {statistics.median(latencies):.2f} | {q[18]:.2f} | {50 / wall:.2f} | {before:.0f} | {after:.0f} "
            f"| {failed + rest_failed} |",
            "",
            "Resident memory after each 50 requests (MB): " + ", ".join(f"{m:.0f}" for m in series),
        ]
    )
    print(table)
    if not args.no_write:
        write_section("serve", table)


if __name__ == "__main__":
    main()
