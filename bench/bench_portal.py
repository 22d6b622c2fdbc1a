"""Portal benchmark: the web portal (``mel serve``) under 20 concurrent clients, against the search engine itself.

A store of N generated documents (100,000 by default; ``bench_search``'s generator: N/4 Vietnamese-like lessons,
each a lesson document and three lesson items) is indexed, then the real server is started as ``mel serve``
runs it (uvicorn, ``mel_core.web.app:create_app`` as a factory, ``--workers`` processes, on 127.0.0.1 only) and
an asyncio client (``httpx.AsyncClient``, one per simulated visitor, keep-alive) loads it, phase by phase, each
phase warmed up first (not counted) and bounded by time and by count:

- ``/healthz``, the bare endpoint (no store, no index, no template): throughput;
- ``/lessons/{key}`` of random lessons: throughput and latency (store query, "similar lessons" search, template);
- ``/search?q=…`` and ``/search?q=…&sector=…`` (or ``province=…``): latency per page (search with facet counts,
  template);
- the same search pages from a single client, one after another: latency without queueing.

In the same run, the engine alone (``mel_core.kb.search.search(index_dir, q, filters, limit=10, facets=True)``)
answers the same queries with the same filters in processes of its own: as many processes as server workers,
with as many threads in all as there are clients (the server's layout and load, without HTTP, the portal's code
or the templates), and one caller alone. Every round measures everything; the figures are medians of the rounds.

Targets (issue #14): search page p95 ≤ 2 × the engine's own query p95; lesson page throughput ≥ 30 % of
``/healthz``'s; no error under load (every non-200 answer or failed request counts, warm-ups included).

Usage::

    .venv/bin/python bench/bench_portal.py                         # 100,000 documents; figures into README.md
    .venv/bin/python bench/bench_portal.py --docs 10000 --rounds 1 --no-write-readme   # a quick look (~2 min)
    .venv/bin/python bench/bench_portal.py --workers 1 --clients 50 --duration 20

The store and its index are kept in ``bench/_work/portal-<docs>-<seed>-<code hash>/`` and reused while the
generator, the index and store code are unchanged (``--fresh`` builds them again). Every run leaves its
figures in ``bench/_work/portal_results.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import platform
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import bench_search  # noqa: E402  (bench/ is a folder of scripts, not a package: the generator is reused)
import httpx  # noqa: E402
from bench_search import Corpus, fill_store, percentile  # noqa: E402

README = BENCH / "README.md"
BEGIN, END = "<!-- figures:portal -->", "<!-- /figures:portal -->"
HEADING = "## Portal (mel serve)"
DEFAULT_DOCS = 100_000
SEED = bench_search.SEED
TARGET_LESSON_SHARE = 0.30  # lesson page throughput ÷ /healthz throughput, at least
TARGET_SEARCH_RATIO = 2.0  # search page p95 ÷ the engine's own query p95, at most
STAGGER = 0.05  # seconds between two visitors' first requests
VARIANTS = ("plain", "filtered")  # search without a facet filter, and with one (sector or province)
VARIANT_LABEL = {"plain": "no facet filter", "filtered": "a facet filter (sector or province)"}


def log(message: str) -> None:
    bench_search.log(message)


# ---------------------------------------------------------------------------------------------------- the store


def _code_hash() -> str:
    """A hash of what the store and index are made of: the generator, the store, the index and this file's
    version of the recipe; a change builds them again."""
    digest = hashlib.sha256(b"portal-bench-1")
    files = [BENCH / "bench_search.py", ROOT / "mel_core" / "reference.py"]
    for folder in ("mel_core/kb", "mel_core/store"):
        files += sorted((ROOT / folder).rglob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def prepare(work: Path, docs: int, seed: int, fresh: bool) -> tuple[Path, dict[str, Any]]:
    """The home folder (``MEL_HOME``) of a store of ``docs`` generated documents and its public index."""
    from mel_core.config import Settings, sqlite_url
    from mel_core.kb.index import build_index
    from mel_core.reference import init_store
    from mel_core.store import make_engine

    home = work / f"portal-{docs}-{seed}-{_code_hash()}"
    ready = home / "READY.json"
    if ready.exists() and not fresh:
        info = json.loads(ready.read_text(encoding="utf-8"))
        log(f"reusing {home.name}: {info['documents']:,} documents indexed")
        return home, info | {"reused": True}
    for old in work.glob(f"portal-{docs}-{seed}-*"):
        shutil.rmtree(old, ignore_errors=True)
    home.mkdir(parents=True)
    settings = Settings(home=home, db_url=sqlite_url(home / "mel.db"))
    engine = make_engine(settings.db_url)
    init_store(engine)
    log(f"{docs:,} documents: writing the store")
    started = time.perf_counter()
    fill_store(engine, docs, Corpus(seed))
    store_s = time.perf_counter() - started
    log(f"store written in {store_s:.1f} s; building the public index")
    report = build_index(engine, settings.index_dir_for("public"))
    engine.dispose()
    log(f"index: {report.documents:,} documents in {report.seconds:.1f} s")
    info = {"documents": report.documents, "store_s": store_s, "index_s": report.seconds}
    ready.write_text(json.dumps(info), encoding="utf-8")
    return home, info | {"reused": False}


def store_facts(home: Path) -> tuple[list[str], list[str]]:
    """The public lessons' keys and the province codes lessons are filed under."""
    db = sqlite3.connect(home / "mel.db")
    try:
        keys = [
            r[0]
            for r in db.execute(
                "SELECT key FROM lessons WHERE visibility = 'public' AND status = 'published' ORDER BY key"
            )
        ]
        codes = [r[0] for r in db.execute("SELECT DISTINCT admin_unit_code FROM lesson_provinces ORDER BY 1")]
    finally:
        db.close()
    return keys, codes


@dataclass(frozen=True)
class Query:
    """One search: its words and, for the filtered variant, one facet filter."""

    q: str
    filters: dict[str, list[str]] = field(default_factory=dict)

    def path(self) -> str:
        return "/search?" + str(httpx.QueryParams([("q", self.q), *self.pairs()]))

    def pairs(self) -> list[tuple[str, str]]:
        return [(name, v) for name, values in self.filters.items() for v in values]


def make_queries(count: int, seed: int, provinces: list[str]) -> dict[str, list[Query]]:
    """``count`` queries as bench_search generates them (1-3 words, half without diacritics), plain and each
    with one facet filter: a sector for even ones, a province for odd ones."""
    corpus = Corpus(seed + 1)  # the same words and distribution as the documents, another draw
    rnd = random.Random(seed + 2)
    words = [corpus.query() for _ in range(count)]
    filtered = []
    for n, q in enumerate(words):
        if n % 2 == 0 or not provinces:
            filtered.append(Query(q, {"sector": [rnd.choice(bench_search.SECTORS)]}))
        else:
            filtered.append(Query(q, {"province": [rnd.choice(provinces)]}))
    return {"plain": [Query(q) for q in words], "filtered": filtered}


# ---------------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``uvicorn --factory mel_core.web.app:create_app`` in a subprocess of its own session, on 127.0.0.1."""

    def __init__(self, home: Path, workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEL_")}
        env |= {"MEL_HOME": str(home), "MEL_DB_URL": f"sqlite:///{home / 'mel.db'}", "MEL_PUBLIC": "1"}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [sys.executable, "-m", "uvicorn", "--factory", "mel_core.web.app:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        command += ["--log-level", "warning", "--no-access-log"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 90.0) -> float:
        started = time.perf_counter()
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped (exit {self.process.returncode}):\n{self.tail()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s:\n{self.tail()}")

    def pids(self) -> list[int]:
        """The server's processes: uvicorn and its worker processes (Linux /proc; empty elsewhere)."""
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):
                    todo += [int(c) for c in children.read_text().split()]
        return found

    def cpu_seconds(self) -> dict[int, float]:
        """CPU time (user + system) of each of the server's processes so far."""
        out = {}
        tick = os.sysconf("SC_CLK_TCK")
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        return out

    def tail(self, lines: int = 30) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the session this benchmark started
                self.process.wait(timeout=15)
        self._log.close()


# ---------------------------------------------------------------------------------------------------- the clients


@dataclass
class Phase:
    """What one phase measured: per-request latencies (ms), completed requests and their wall time."""

    name: str
    clients: int
    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    errors: int = 0
    warmup_errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    client_cpu_s: float = 0.0
    server_cpu_s: float = 0.0
    server_cpu_by_process: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def summary(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "name": self.name,
            "clients": self.clients,
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "throughput": round(self.throughput, 2),
            "p50_ms": round(percentile(lat, 0.5), 2) if lat else None,
            "p95_ms": round(percentile(lat, 0.95), 2) if lat else None,
            "mean_ms": round(statistics.mean(lat), 2) if lat else None,
            "errors": self.errors,
            "warmup_errors": self.warmup_errors,
            "error_samples": self.error_samples[:5],
            "client_cpu_s": round(self.client_cpu_s, 2),
            "server_cpu_s": round(self.server_cpu_s, 2),
            "server_cpu_by_process": self.server_cpu_by_process,
            "busiest_worker_share": round(max(self.server_cpu_by_process) / self.server_cpu_s, 3)
            if self.server_cpu_s
            else None,
            "client_cpu_share": round(self.client_cpu_s / self.seconds, 3) if self.seconds else None,
            "server_cpu_ms_per_request": round(1000 * self.server_cpu_s / self.requests, 2)
            if self.requests
            else None,
        }


async def _load(
    base: str,
    paths: list[str],
    clients: int,
    warmup: float,
    duration: float,
    per_client: int,
    phase: Phase,
    server: Server,
    keepalive: bool = True,
) -> None:
    """``clients`` visitors, each with its own connection and cookies, request ``paths`` in turn (each from
    its own starting point): ``warmup`` seconds not counted, then until ``duration`` seconds have passed or it
    has made ``per_client`` requests. Only the requests started before the deadline are counted. Without
    ``keepalive`` every request comes on a new connection (so any worker may take it)."""
    start_gate = asyncio.Event()
    warm_done = 0
    all_warm = asyncio.Event()
    measure_start = 0.0
    ends: list[float] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    timeout = httpx.Timeout(30.0)
    headers = {} if keepalive else {"connection": "close"}

    async def visitor(n: int) -> None:
        nonlocal warm_done
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:
            i = n * max(1, len(paths) // clients)

            async def one(counted: bool) -> None:
                nonlocal i
                path = paths[i % len(paths)]
                i += 1
                started = time.perf_counter()
                try:
                    response = await client.get(path, headers=headers)
                    ok = response.status_code == 200
                    problem = "" if ok else f"{response.status_code} {path}"
                except httpx.HTTPError as exc:
                    ok, problem = False, f"{type(exc).__name__} {path}: {exc}"
                elapsed = (time.perf_counter() - started) * 1000
                if counted:
                    phase.requests += 1
                    phase.latencies_ms.append(elapsed)
                    phase.errors += not ok
                else:
                    phase.warmup_errors += not ok
                if not ok and len(phase.error_samples) < 20:
                    phase.error_samples.append(problem)

            # visitors arrive one after another (STAGGER apart), not in the same millisecond: a uvicorn worker
            # accepts every connection waiting when it wakes, so a burst of 20 lands on one worker
            await asyncio.sleep(n * STAGGER)
            warm_until = time.perf_counter() + warmup
            while time.perf_counter() < warm_until:
                await one(counted=False)
            warm_done += 1
            if warm_done == clients:
                all_warm.set()
            await start_gate.wait()
            deadline = measure_start + duration
            for _ in range(per_client):
                if time.perf_counter() >= deadline:
                    break
                await one(counted=True)
            ends.append(time.perf_counter())

    tasks = [asyncio.create_task(visitor(n)) for n in range(clients)]
    await asyncio.wait_for(all_warm.wait(), timeout=warmup + 120)
    cpu0, server0 = time.process_time(), server.cpu_seconds()
    measure_start = time.perf_counter()
    start_gate.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=duration + 120)
    phase.seconds = max(ends) - measure_start
    phase.client_cpu_s = time.process_time() - cpu0
    server1 = server.cpu_seconds()
    phase.server_cpu_by_process = sorted(
        (round(cpu - server0.get(pid, 0.0), 2) for pid, cpu in server1.items()), reverse=True
    )
    phase.server_cpu_s = sum(phase.server_cpu_by_process)


def http_phase(
    server: Server,
    name: str,
    paths: list[str],
    clients: int,
    warmup: float,
    duration: float,
    per_client: int,
    keepalive: bool = True,
) -> Phase:
    phase = Phase(name, clients)
    asyncio.run(_load(server.base, paths, clients, warmup, duration, per_client, phase, server, keepalive))
    s = phase.summary()
    log(
        f"  {name}: {s['requests']:,} requests in {s['seconds']:.1f} s = {s['throughput']:,.1f}/s,"
        f" p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, errors {s['errors']} (+{s['warmup_errors']} in warm-up);"
        f" CPU client {s['client_cpu_s']} s, server {s['server_cpu_by_process']} s"
    )
    return phase


def sanity_check(server: Server, queries: dict[str, list[Query]], key: str) -> None:
    """The pages the load asks for are the real ones: hits on the search page, the lesson on its page."""
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for q in (queries["plain"][0], queries["filtered"][0], queries["filtered"][1]):
            response = client.get(q.path())
            assert response.status_code == 200, (q, response.status_code, server.tail())
            assert 'href="/lessons/bench-' in response.text, f"no hit on {q.path()}"
        response = client.get(f"/lessons/{key}")
        assert response.status_code == 200 and key in response.text, (key, response.status_code)


# ---------------------------------------------------------------------------------------------------- the engine


def _engine_calls(
    folder: Path,
    prepared: list[tuple[str, Any]],
    threads: int,
    start_at: float,
    duration: float,
    per_thread: int,
) -> tuple[list[float], list[str]]:
    """``threads`` callers of the engine, started at ``start_at`` (wall clock) until ``duration`` seconds have
    passed or each has made ``per_thread`` calls: every call's latency (ms), and the failures."""
    from mel_core.kb.search import search

    latencies: list[list[float]] = [[] for _ in range(threads)]
    failures: list[str] = []

    def caller(n: int) -> None:
        i = n * max(1, len(prepared) // threads)
        deadline = start_at + duration
        for _ in range(per_thread):
            if time.time() >= deadline:
                break
            q, filters = prepared[i % len(prepared)]
            i += 1
            started = time.perf_counter()
            try:
                search(folder, q, filters, limit=10, facets=True, lang="vi")
            except Exception as exc:  # counted, as the portal's errors are
                failures.append(f"{type(exc).__name__}: {exc}")
            latencies[n].append((time.perf_counter() - started) * 1000)

    time.sleep(max(0.0, start_at - time.time()))
    callers = [threading.Thread(target=caller, args=(n,)) for n in range(threads)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    return [x for lat in latencies for x in lat], failures


def _engine_worker(conn: Connection, index_dir: str) -> None:
    """A process that answers queries with the engine alone, as a server worker would, on command."""
    from mel_core.kb.search import Filters, search

    folder = Path(index_dir)
    while True:
        message = conn.recv()
        if message[0] == "stop":
            conn.close()
            return
        _, items, threads, start_at, duration, per_thread = message
        prepared = [(q, Filters.parse(**f)) for q, f in items]
        if start_at is None:  # warm-up: every query once
            for q, filters in prepared:
                search(folder, q, filters, limit=10, facets=True, lang="vi")
            conn.send([])
        else:
            conn.send(_engine_calls(folder, prepared, threads, start_at, duration, per_thread))


class EngineProcesses:
    """``count`` processes running the engine alone (``spawn``: each imports and opens the index itself)."""

    def __init__(self, index_dir: Path, count: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conns: list[Connection] = []
        self.processes = []
        for _ in range(count):
            parent, child = ctx.Pipe()
            process = ctx.Process(target=_engine_worker, args=(child, str(index_dir)), daemon=True)
            process.start()
            self.conns.append(parent)
            self.processes.append(process)

    def _gather(self, timeout: float) -> list[Any]:
        out = []
        for conn in self.conns:
            if not conn.poll(timeout):
                raise RuntimeError("an engine process did not answer")
            out.append(conn.recv())
        return out

    def warm(self, items: list[tuple[str, dict[str, list[str]]]]) -> None:
        for conn in self.conns:
            conn.send(("run", items, 1, None, 0, 0))
        self._gather(600)

    def run(
        self,
        items: list[tuple[str, dict[str, list[str]]]],
        callers: int,
        duration: float,
        per_caller: int,
        processes: int | None = None,
    ) -> tuple[list[float], float, list[str]]:
        """``callers`` threads in all, spread over ``processes`` (default all) processes, started together."""
        used = self.conns[: processes or len(self.conns)]
        start_at = time.time() + 0.3
        spread = [callers // len(used) + (n < callers % len(used)) for n in range(len(used))]
        for conn, threads in zip(used, spread, strict=True):
            conn.send(("run", items, threads, start_at, duration, per_caller))
        results = []
        for conn in used:
            if not conn.poll(duration + 300):
                raise RuntimeError("an engine process did not answer")
            results.append(conn.recv())
        wall = time.time() - start_at
        return [x for lat, _ in results for x in lat], wall, [f for _, fails in results for f in fails]

    def stop(self) -> None:
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()


def latency(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.5), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "mean_ms": round(statistics.mean(values), 2),
    }


# ---------------------------------------------------------------------------------------------------- a round


def one_round(
    n: int,
    server: Server,
    engines: EngineProcesses,
    keys: list[str],
    queries: dict[str, list[Query]],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Every measurement once: the portal's phases, then the engine alone on the same queries."""
    log(f"round {n}: the portal, {args.clients} clients")
    rnd = random.Random(SEED + n)
    common = {"clients": args.clients, "warmup": args.warmup, "duration": args.duration}
    common["per_client"] = args.max_requests
    phases = {
        "healthz": http_phase(server, "/healthz", ["/healthz"], **common),
        "lesson": http_phase(
            server, "/lessons/{key}", [f"/lessons/{k}" for k in rnd.choices(keys, k=5000)], **common
        ),
    }
    for variant in VARIANTS:
        paths = [q.path() for q in queries[variant]]
        phases[f"search_{variant}"] = http_phase(
            server, f"/search, {VARIANT_LABEL[variant]}", paths, **common
        )
    single = {"clients": 1, "warmup": 1.0, "duration": args.duration, "per_client": len(queries["plain"])}
    for variant in VARIANTS:
        paths = [q.path() for q in queries[variant]]
        phases[f"search_{variant}_1"] = http_phase(
            server, f"/search, {VARIANT_LABEL[variant]}, 1 client", paths, **single
        )
    log(f"round {n}: the engine alone")
    engine: dict[str, Any] = {"errors": 0, "error_samples": []}
    for variant in VARIANTS:
        items = [(q.q, q.filters) for q in queries[variant]]
        lat, _wall, failures = engines.run(items, 1, args.duration, len(items), processes=1)
        engine[f"{variant}_single"] = latency(lat)
        lat, wall, failures2 = engines.run(items, args.clients, args.duration, args.max_requests)
        engine[f"{variant}_concurrent"] = latency(lat) | {"throughput": round(len(lat) / wall, 2)}
        engine["errors"] += len(failures) + len(failures2)
        engine["error_samples"] += (failures + failures2)[:5]
        log(
            f"  engine, {VARIANT_LABEL[variant]}: one caller {engine[f'{variant}_single']};"
            f" {args.clients} callers in {args.workers} process(es) {engine[f'{variant}_concurrent']}"
        )
    return {"round": n, "portal": {k: p.summary() for k, p in phases.items()}, "engine": engine}


# ---------------------------------------------------------------------------------------------------- figures


def _med(values: list[float]) -> float:
    return float(statistics.median(values))


def summarise(rounds: list[dict[str, Any]], warmups: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the rounds, and each round's own ratios (the targets are checked on their medians)."""

    def portal(key: str, what: str) -> float:
        return _med([r["portal"][key][what] for r in rounds])

    def engine(key: str, what: str) -> float:
        return _med([r["engine"][key][what] for r in rounds])

    s: dict[str, Any] = {
        "healthz_rps": portal("healthz", "throughput"),
        "lesson_rps": portal("lesson", "throughput"),
        "lesson_p50_ms": portal("lesson", "p50_ms"),
        "lesson_p95_ms": portal("lesson", "p95_ms"),
        "healthz_server_cpu_ms": portal("healthz", "server_cpu_ms_per_request"),
        "lesson_server_cpu_ms": portal("lesson", "server_cpu_ms_per_request"),
        "healthz_client_cpu": portal("healthz", "client_cpu_share"),
        "lesson_busiest": portal("lesson", "busiest_worker_share"),
        "lesson_share_rounds": [
            r["portal"]["lesson"]["throughput"] / r["portal"]["healthz"]["throughput"] for r in rounds
        ],
    }
    s["lesson_share"] = _med(s["lesson_share_rounds"])
    for v in VARIANTS:
        for suffix in ("", "_1"):
            s[f"search_{v}{suffix}_p50_ms"] = portal(f"search_{v}{suffix}", "p50_ms")
            s[f"search_{v}{suffix}_p95_ms"] = portal(f"search_{v}{suffix}", "p95_ms")
        s[f"search_{v}_rps"] = portal(f"search_{v}", "throughput")
        s[f"search_{v}_server_cpu_ms"] = portal(f"search_{v}", "server_cpu_ms_per_request")
        s[f"search_{v}_busiest"] = portal(f"search_{v}", "busiest_worker_share")
        for mode in ("single", "concurrent"):
            s[f"engine_{v}_{mode}_p50_ms"] = engine(f"{v}_{mode}", "p50_ms")
            s[f"engine_{v}_{mode}_p95_ms"] = engine(f"{v}_{mode}", "p95_ms")
        s[f"engine_{v}_concurrent_rps"] = engine(f"{v}_concurrent", "throughput")
        for name, page, base in (
            ("concurrent", f"search_{v}", f"{v}_concurrent"),
            ("single", f"search_{v}", f"{v}_single"),
            ("one_client", f"search_{v}_1", f"{v}_single"),
        ):
            per_round = [r["portal"][page]["p95_ms"] / r["engine"][base]["p95_ms"] for r in rounds]
            s[f"ratio_{v}_{name}_rounds"] = per_round
            s[f"ratio_{v}_{name}"] = _med(per_round)
    phases = [*warmups, *(p for r in rounds for p in r["portal"].values())]
    s["errors"] = sum(p["errors"] + p["warmup_errors"] for p in phases)
    s["error_samples"] = [e for p in phases for e in p["error_samples"]][:10]
    s["engine_errors"] = sum(r["engine"]["errors"] for r in rounds)
    s["requests"] = sum(p["requests"] for r in rounds for p in r["portal"].values())
    s["met_lesson"] = s["lesson_share"] >= TARGET_LESSON_SHARE
    s["met_search"] = all(s[f"ratio_{v}_concurrent"] <= TARGET_SEARCH_RATIO for v in VARIANTS)
    s["met_search_single"] = all(s[f"ratio_{v}_single"] <= TARGET_SEARCH_RATIO for v in VARIANTS)
    s["met_errors"] = s["errors"] == 0
    return s


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import fastapi
    import uvicorn

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores, {platform.machine()} ({model}); memory {memory:.0f} GiB; Python"
        f" {platform.python_version()}; uvicorn {uvicorn.__version__}, FastAPI {fastapi.__version__},"
        f" httpx {httpx.__version__}; SQLite {sqlite3.sqlite_version}"
    )


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _rounds(values: list[float], fmt: str = "{:.2f}") -> str:
    return ", ".join(fmt.format(v) for v in values)


def figures_markdown(run: dict[str, Any]) -> str:
    s, a = run["summary"], run["args"]
    load = run["load"]
    lines = [
        f"Run of {run['when']} ({run.get('code', 'code not recorded')}): {run['documents']:,} documents"
        f" ({run['lessons']:,} public lessons) indexed;"
        f" {a['clients']} concurrent clients against {a['workers']} server worker process(es); {a['rounds']}"
        f" round(s) of {a['duration']:.0f} s per phase (after {a['warmup']:.0f} s of warm-up); medians of the"
        f" rounds; {run['minutes']:.1f} min in all (store and index {run['prepare']}). Load average"
        f" {load[0]:.1f} at the start, {load[1]:.1f} at the end.",
        "",
        "| measurement | figure | target |",
        "|---|---:|---|",
        f"| `/healthz` (bare endpoint), {a['clients']} clients | {s['healthz_rps']:,.0f} req/s |  |",
        f"| lesson page `/lessons/{{key}}`, {a['clients']} clients | {s['lesson_rps']:,.0f} req/s;"
        f" p50 / p95 {s['lesson_p50_ms']:.0f} / {s['lesson_p95_ms']:.0f} ms |  |",
        f"| lesson page ÷ `/healthz` throughput | **{s['lesson_share']:.0%}** (rounds:"
        f" {_rounds(s['lesson_share_rounds'], '{:.0%}')}) | ≥ {TARGET_LESSON_SHARE:.0%}:"
        f" {_met(s['met_lesson'])} |",
    ]
    for v in VARIANTS:
        label = VARIANT_LABEL[v]
        lines += [
            f"| search page, {label}, {a['clients']} clients: p50 / p95 | {s[f'search_{v}_p50_ms']:.0f} /"
            f" {s[f'search_{v}_p95_ms']:.0f} ms ({s[f'search_{v}_rps']:,.0f} req/s) |  |",
            f"| engine alone, {label}, {a['clients']} callers in {a['workers']} process(es): p50 / p95 |"
            f" {s[f'engine_{v}_concurrent_p50_ms']:.0f} / {s[f'engine_{v}_concurrent_p95_ms']:.0f} ms"
            f" ({s[f'engine_{v}_concurrent_rps']:,.0f} queries/s) |  |",
            f"| **search page p95 ÷ engine p95, same load** ({label}) | **{s[f'ratio_{v}_concurrent']:.2f}×**"
            f" (rounds: {_rounds(s[f'ratio_{v}_concurrent_rounds'])}) | ≤ {TARGET_SEARCH_RATIO:.0f}×:"
            f" {_met(s[f'ratio_{v}_concurrent'] <= TARGET_SEARCH_RATIO)} |",
            f"| engine alone, {label}, one caller: p50 / p95 | {s[f'engine_{v}_single_p50_ms']:.1f} /"
            f" {s[f'engine_{v}_single_p95_ms']:.1f} ms |  |",
            f"| search page p95 ({a['clients']} clients) ÷ engine p95 (one caller) ({label}) |"
            f" {s[f'ratio_{v}_single']:.1f}× | not the target's reading (see above):"
            f" {'within' if s[f'ratio_{v}_single'] <= TARGET_SEARCH_RATIO else 'over'} 2× |",
            f"| search page, {label}, one client: p50 / p95, and p95 ÷ engine p95 (one caller) |"
            f" {s[f'search_{v}_1_p50_ms']:.1f} / {s[f'search_{v}_1_p95_ms']:.1f} ms,"
            f" {s[f'ratio_{v}_one_client']:.2f}× |  |",
        ]
    lines += [
        f"| errors (non-200 or failed requests, warm-ups included) | **{s['errors']}** of {s['requests']:,}"
        f" counted requests | 0: {_met(s['met_errors'])} |",
        f"| engine alone: calls that raised (same callers, same queries) | {s['engine_errors']} |  |",
        f"| load generator's CPU during `/healthz` (share of one core) | {s['healthz_client_cpu']:.0%} |  |",
        f"| busiest server worker's share of the server's CPU: lesson page, search page (no filter / filter) |"
        f" {s['lesson_busiest']:.0%}, {s['search_plain_busiest']:.0%} / {s['search_filtered_busiest']:.0%} |  |",
        f"| server CPU per request: `/healthz`, lesson page, search page (no filter / filter) |"
        f" {s['healthz_server_cpu_ms']:.2f}, {s['lesson_server_cpu_ms']:.1f},"
        f" {s['search_plain_server_cpu_ms']:.1f} / {s['search_filtered_server_cpu_ms']:.1f} ms |  |",
        "",
        f"Machine: {run['machine']}.",
    ]
    if s["error_samples"]:
        lines += ["", "Errors seen: " + "; ".join(f"`{e}`" for e in s["error_samples"]) + "."]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in readme and END in readme:
        head, _, rest = readme.partition(BEGIN)
        _, _, tail = rest.partition(END)
        readme = head + block + tail
    else:
        readme = readme.rstrip("\n") + f"\n\n{HEADING}\n\n{block}\n"
    README.write_text(readme, encoding="utf-8")


# ---------------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS, help="documents indexed (100,000)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the generated lessons and queries")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server worker processes (the machine's cores)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement; medians (3)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per phase (10)")
    parser.add_argument(
        "--warmup", type=float, default=2.0, help="seconds of warm-up per phase, not counted (2)"
    )
    parser.add_argument(
        "--max-requests", type=int, default=5000, help="requests per client and phase, at most (5000)"
    )
    parser.add_argument("--queries", type=int, default=200, help="generated search queries (200)")
    parser.add_argument("--fresh", action="store_true", help="build the store and index again")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="print the figures of the last run (with --write-readme: write them)",
    )
    parser.add_argument(
        "--work", type=Path, default=BENCH / "_work", help="store, index, results (bench/_work)"
    )
    parser.add_argument(
        "--write-readme",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write the figures into bench/README.md (default: only for a run of 100,000 documents)",
    )
    return parser.parse_args(argv)


def code_state() -> str:
    """The commit the measured code is at, and whether mel_core/ differs from it."""
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "mel_core"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "code outside git"
    return f"commit {head}" + (" with uncommitted changes in mel_core/" if dirty else "")


def report(run: dict[str, Any], write: bool) -> None:
    text = figures_markdown(run)
    print("\n" + text + "\n")
    if write:
        write_readme(text)
        log(f"figures written to {README}")
    else:
        log("figures not written to bench/README.md (--write-readme to force)")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = args.work / "portal_results.json"
    if args.report_only:
        report(json.loads(results.read_text(encoding="utf-8")), bool(args.write_readme))
        return 0
    started = time.time()
    load_start = os.getloadavg()[0]
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    code = code_state()
    home, built = prepare(work, args.docs, args.seed, args.fresh)
    keys, provinces = store_facts(home)
    queries = make_queries(args.queries, args.seed, provinces)
    index_dir = home / "index"
    log(f"starting the server ({args.workers} worker(s)) and {args.workers} engine process(es)")
    server = Server(home, args.workers, work / "portal-server.log")
    engines = EngineProcesses(index_dir, args.workers)
    rounds: list[dict[str, Any]] = []
    warmups: list[dict[str, Any]] = []
    try:
        log(f"server answers /healthz after {server.wait_ready():.1f} s")
        sanity_check(server, queries, keys[len(keys) // 2])
        # every worker opens the index and meets (most) queries before the first round, not counted, as the
        # engine processes do below: three passes, each request on a new connection that any worker may take
        for variant in VARIANTS:
            paths = [q.path() for q in queries[variant]]
            per_client = 3 * len(paths) // args.clients + 1
            warm = http_phase(
                server,
                f"warm-up, {VARIANT_LABEL[variant]}",
                paths,
                args.clients,
                0.0,
                60.0,
                per_client,
                False,
            )
            warmups.append(warm.summary())
        log("engine processes: warm-up")
        for variant in VARIANTS:
            engines.warm([(q.q, q.filters) for q in queries[variant]])
        for n in range(1, args.rounds + 1):
            rounds.append(one_round(n, server, engines, keys, queries, args))
    finally:
        engines.stop()
        server.stop()
    prepared = (
        "reused" if built["reused"] else f"built in {(built['store_s'] + built['index_s']) / 60:.1f} min"
    )
    run = {
        "when": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "code": code,
        "documents": built["documents"],
        "lessons": len(keys),
        "args": {k: v for k, v in vars(args).items() if k != "work"} | {"work": str(args.work)},
        "prepare": prepared,
        "build": built,
        "machine": machine(),
        "load": [load_start, os.getloadavg()[0]],
        "minutes": (time.time() - started) / 60,
        "rounds": rounds,
        "warmups": warmups,
        "summary": summarise(rounds, warmups),
    }
    results.write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    report(run, args.write_readme if args.write_readme is not None else args.docs == DEFAULT_DOCS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
