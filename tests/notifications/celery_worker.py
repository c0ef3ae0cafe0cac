"""Real Celery workers for the notification tests. A worker is a separate process on a real Redis
that shares the PostgreSQL test database with the test; its SMS gateway is a file that every
process appends to and the test reads, so a message sent twice shows as two lines."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import kombu.pools
import pytest
import redis
from django.db import connection

from config.celery import app as celery_app
from members.sms import BaseSMSBackend

ROOT = Path(__file__).resolve().parents[2]
# A database of its own on the shared Redis: the tests empty it and nothing else lives there.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SMS_BACKEND = "tests.notifications.celery_worker.FileSMSBackend"
T = TypeVar("T")


class FileSMSBackend(BaseSMSBackend):
    """A gateway that delivers by appending a line to the file ``$LINLI_SMS_FILE``.

    With ``$LINLI_SMS_HOLD`` set it is a slow gateway: it notes that a send started, then holds
    the message until that file is gone and only then delivers it. A process killed while it
    holds a message has therefore not delivered it."""

    def send(self, phone: str, message: str) -> None:
        path = os.environ["LINLI_SMS_FILE"]
        hold = os.environ.get("LINLI_SMS_HOLD")
        if hold:
            _record(path, "started", phone)
            deadline = time.monotonic() + 60
            while os.path.exists(hold) and time.monotonic() < deadline:
                time.sleep(0.05)
        _record(path, "delivered", phone, message)


def _record(path: str, event: str, phone: str, text: str = "") -> None:
    line = json.dumps({"event": event, "phone": phone, "pid": os.getpid(), "text": text})
    with open(path, "a", encoding="utf-8") as file:  # one small O_APPEND write: never torn
        file.write(line + "\n")


def sms_events(path: Path, event: str = "delivered") -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [entry for entry in map(json.loads, lines) if entry["event"] == event]


def wait_for(condition: Callable[[], T], *, what: str, timeout: float = 30) -> T:
    """Poll ``condition`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def database_url() -> str:
    """The test database as a URL, for processes that are not the test."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{quote(s['USER'] or '', safe='')}{password}@{host}/{s['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def empty_broker(url: str) -> None:
    redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()


def _reset_broker_connections() -> None:
    """Close and forget the pooled broker connections, as Celery does after a fork."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """The test process hands tasks to ``broker_url`` instead of running them itself (the test
    settings run tasks eagerly)."""
    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.update(
        broker_url=broker_url,
        broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 5},
        task_always_eager=False,
    )
    _reset_broker_connections()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        _reset_broker_connections()


class Worker:
    def __init__(self, process: subprocess.Popen, log_path: Path, sms_file: Path) -> None:
        self.process = process
        self.log_path = log_path
        self.sms_file = sms_file

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the task at hand
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def running_worker(
    broker_url: str,
    folder: Path,
    *,
    name: str = "worker",
    pool: str = "solo",
    env: dict[str, str] | None = None,
) -> Iterator[Worker]:
    """``celery worker`` as its own process on ``broker_url`` and the test database, sending SMS
    through ``FileSMSBackend`` to ``folder/sms.jsonl``; stopped on the way out."""
    log_path = folder / f"{name}.log"
    sms_file = folder / "sms.jsonl"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "SMS_BACKEND": SMS_BACKEND,
        "LINLI_SMS_FILE": str(sms_file),
        **(env or {}),
    }
    command = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info"),
        *(f"--pool={pool}", "--concurrency=1", f"--hostname={name}-{os.getpid()}@%h"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
    worker = Worker(process, log_path, sms_file)
    try:
        wait_for(
            lambda: process.poll() is not None or " ready." in worker.log(),
            what=f"{name} to start",
            timeout=60,
        )
        assert process.poll() is None, f"{name} exited:\n{worker.log()}"
        yield worker
    finally:
        worker.stop()


@contextmanager
def redis_server(port: int) -> Iterator[str]:
    """A Redis of the test's own on ``port`` (no persistence), stopped on the way out."""
    if shutil.which("redis-server") is None:
        message = "needs the redis-server program"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_for(answers, what=f"redis-server on port {port}", timeout=10)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
