"""The same work on Ray: a pool of actors, each holding its models, fed item by item.

Items that share a source go to the same actor, in order; each actor has at most two items in flight, so
results come back as they finish and the driver (which writes the output) never falls far behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Iterator
from typing import Any

from retold.batch.items import Item, Task
from retold.batch.work import Options, error_row, peak_rss_mb, process, setup_worker
from retold.errors import ConfigError

IN_FLIGHT = 2


class _Worker:
    def __init__(self, task: Task, options: Options, summary: bool, threads: int) -> None:
        setup_worker(threads)
        self.task, self.options, self.summary = task, options, summary

    def process(self, item: Item) -> dict[str, Any]:
        return process(self.task, item, self.options, self.summary)

    def peak_rss_mb(self) -> float:
        return peak_rss_mb()


def connect(address: str | None, cpus: int) -> bool:
    """Join the cluster at ``address``, or start a local Ray instance; True when this call started Ray."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("--ray needs Ray: pip install 'retold[ray]'") from exc
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address:
        _reachable(address)
        try:
            ray.init(address=address, **quiet)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot join the Ray cluster at {address}: {exc}") from exc
    else:
        ray.init(num_cpus=cpus, include_dashboard=False, **quiet)
    return True


def _reachable(address: str, seconds: float = 10.0) -> None:
    """Fail in seconds, not after minutes of Ray's retries, when nothing listens at HOST:PORT."""
    import socket

    if "://" in address or address == "auto":
        return  # ray:// (Ray Client) and auto: Ray finds and reports these itself
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"--ray takes HOST:PORT of the head node (e.g. 10.0.0.5:6379), not {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach the Ray cluster at {address} ({exc.strerror or exc})") from exc


def run(task: Task, groups: list[list[Item]], options: Options, summary: bool, workers: int | None,
        threads: int, address: str | None, stats: dict[str, Any]) -> Iterator[dict[str, Any]]:
    import ray
    from ray.exceptions import RayError

    started_ray = connect(address, cpus=(workers or os.cpu_count() or 1) * threads)
    actor_class = ray.remote(num_cpus=threads)(_Worker)
    actors: list[Any] = []
    try:
        if not workers:
            workers = max(1, int(ray.cluster_resources().get("CPU", 1) // threads))
        actors += [actor_class.remote(task, options, summary, threads) for _ in range(min(workers, len(groups)))]
        waiting = deque(deque(group) for group in groups)
        mine: list[deque[Item]] = [deque() for _ in actors]  # the group each actor is on
        flying: dict[Any, tuple[int, Item, Any]] = {}  # result ref -> actor number, item, actor

        def feed(a: int) -> None:
            while sum(1 for b, _, _ in flying.values() if b == a) < IN_FLIGHT:
                if not mine[a]:
                    if not waiting:
                        return
                    mine[a] = waiting.popleft()
                item = mine[a].popleft()
                flying[actors[a].process.remote(item)] = (a, item, actors[a])

        for a in range(len(actors)):
            feed(a)
        while flying:
            ready, _ = ray.wait(list(flying), num_returns=1)
            a, item, actor = flying.pop(ready[0])
            try:
                row = ray.get(ready[0])
            except RayError as exc:  # the actor died (a node lost, memory): fail the item, start a new actor
                row = error_row(item.id, f"the Ray worker failed: {type(exc).__name__}")
                if actors[a] is actor:
                    actors[a] = actor_class.remote(task, options, summary, threads)
            yield row
            feed(a)
        stats["peak_rss_mb"] = ray.get([actor.peak_rss_mb.remote() for actor in actors])
    finally:  # also after Ctrl-C, which a local Ray instance receives too: cleaning up must not fail
        for actor in actors:
            with contextlib.suppress(Exception):  # already gone with its node or its Ray instance
                ray.kill(actor)
        if started_ray:
            ray.shutdown()
