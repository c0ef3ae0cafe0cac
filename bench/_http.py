"""Shared parts of the HTTP benchmarks: gunicorn serving the bench database, closed-loop load
from client threads, interleaved A/B rounds against the framework floor, member tokens made in
bulk, and query counts of one request.

Timings on a shared 2-core machine are noisy: every figure is taken in rounds that alternate the
floor and the endpoint under test, and the ratio of their throughputs in the same rounds is the
figure to compare between runs."""

import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from _setup import ROOT

Request = tuple[str, str, dict | None, dict]  # method, path, JSON body, headers


def database_url() -> str:
    """The URL of the database the bench created (its test database), for other processes."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(
    *,
    workers: int = 2,
    threads: int = 1,
    cache_url: str = "locmemcache://",
    env: dict | None = None,
):
    """gunicorn on a free port, serving the bench database; yields the port. Sync workers, or
    ``threads`` threads each (gunicorn's gthread worker) when more than one."""
    port = free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url(),
        "BENCH_CACHE_URL": cache_url,
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", str(workers)]
    if threads > 1:
        gunicorn += ["--threads", str(threads)]
    process = subprocess.Popen(
        [*gunicorn, "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=environment,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(port, ("GET", "/bench/floor/", None, {}))[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


_local = threading.local()


def call(port: int, request: Request) -> tuple[int, bytes]:
    """One request (a connection per thread, opened again when gunicorn closes it)."""
    method, path, body, headers = request
    connection = getattr(_local, "connection", None)
    if connection is None or connection.port != port:
        connection = _local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **headers} if payload else headers
    try:
        connection.request(method, path, payload, all_headers)
        response = connection.getresponse()
        data = response.read()
    except (http.client.HTTPException, OSError):
        connection.close()
        connection.request(method, path, payload, all_headers)
        response = connection.getresponse()
        data = response.read()
    if response.getheader("Connection", "").lower() == "close":
        connection.close()
    return response.status, data


@dataclass
class Run:
    """Latencies (seconds) and statuses of one stretch of load."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    bodies: list[bytes] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def load(
    port: int,
    make: Callable[[int], Request],
    *,
    clients: int,
    seconds: float | None = None,
    total: int | None = None,
    keep_bodies: bool = False,
    barrier: bool = False,
) -> Run:
    """Closed loop: ``clients`` threads each send the next request (``make(i)`` for i = 0, 1,
    ...) as soon as their last one is answered, for ``seconds`` or until ``total`` were sent.
    ``barrier``: all threads send their first request together (a rush)."""
    counter = itertools.count()
    lock = threading.Lock()
    run = Run()
    start_line = threading.Barrier(clients) if barrier else None
    began = time.perf_counter()
    stop_at = began + seconds if seconds else None

    def client() -> None:
        if start_line:
            start_line.wait()
        while True:
            i = next(counter)
            if (total is not None and i >= total) or (stop_at and time.perf_counter() > stop_at):
                return
            request = make(i)
            t = time.perf_counter()
            status, body = call(port, request)
            elapsed = time.perf_counter() - t
            with lock:
                run.latencies.append(elapsed)
                run.statuses[status] += 1
                if keep_bodies:
                    run.bodies.append(body)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def ab(
    port: int,
    floor: Callable[[int], Request],
    target: Callable[[int], Request],
    *,
    rounds: int = 5,
    seconds: float = 3.0,
    clients: int = 4,
) -> dict[str, float]:
    """Interleaved rounds: floor, target, floor, target... The ratio is taken per round (the
    target's rate over the floor's rate in the same round) and its median reported."""
    floors, targets, ratios, latencies = [], [], [], []
    load(port, floor, clients=clients, seconds=1.0)  # warm both up
    load(port, target, clients=clients, seconds=1.0)
    for _ in range(rounds):
        f = load(port, floor, clients=clients, seconds=seconds)
        t = load(port, target, clients=clients, seconds=seconds)
        bad = {s: n for s, n in t.statuses.items() if s >= 500}
        if bad:
            raise RuntimeError(f"server errors: {bad}")
        floors.append(f.rate)
        targets.append(t.rate)
        ratios.append(t.rate / f.rate)
        latencies.extend(t.latencies)
    return {
        "floor_rps": statistics.median(floors),
        "rps": statistics.median(targets),
        "ratio": statistics.median(ratios),
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


def describe(label: str, figures: dict[str, float], extra: str = "") -> None:
    print(
        f"  {label}: {figures['rps']:.1f} req/s (floor {figures['floor_rps']:.0f}), "
        f"ratio {figures['ratio']:.3f}, p50 {figures['p50_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms{extra}",
        flush=True,
    )


def tokens_for(users) -> dict[int, str]:
    """An app session token (allauth headless, ``X-Session-Token``) per user, written in bulk:
    the token is a session key whose session holds the login, as allauth's login makes it."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    tokens, rows = {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        tokens[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return tokens


@contextmanager
def counted_queries() -> Iterator[list[str]]:
    """The SQL of every query run inside (a request resets Django's own query log)."""
    from django.db import connection

    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen
