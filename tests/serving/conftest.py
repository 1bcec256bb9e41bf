"""The real server over the served world (tests/served.py), and the helpers to run it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.served import ServedWorld

MFS = str(Path(sys.executable).with_name("mfs"))
API_KEY = "test-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def post(self, path: str, body: object, key: str | None = API_KEY,
             timeout: float = 30) -> requests.Response:
        headers = {"X-API-Key": key} if key else {}
        return requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=timeout)

    def get(self, path: str, key: str | None = API_KEY) -> requests.Response:
        headers = {"X-API-Key": key} if key else {}
        return requests.get(f"{self.url}{path}", headers=headers, timeout=30)


@contextlib.contextmanager
def running_server(env: dict[str, str], log: Path, **extra: str) -> Iterator[Server]:
    """`mfs serve` in its own process on a free port, ready (a model served) before yielding."""
    port = free_port()
    full_env = {**os.environ, **env, "MFS_API_KEYS": API_KEY, **extra}
    with log.open("w") as sink:
        process = subprocess.Popen([MFS, "serve", "--port", str(port), "--poll-seconds", "0.2"],
                                   env=full_env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, f"mfs serve exited:\n{log.read_text()}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{server.url}/health/ready", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"mfs serve never got ready:\n{log.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def server(served_world: ServedWorld, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Server]:
    """The server over the embedded store (packed SQLite)."""
    log = tmp_path_factory.mktemp("server") / "serve.log"
    with running_server(served_world.env, log) as running:
        yield running
