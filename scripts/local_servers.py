"""Servers the benchmarks and tests start on 127.0.0.1: the sandbox in a process of its
own (no GIL shared with the client under test), and Redis."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def sandbox_process(*args: str) -> Iterator[str]:
    """A fresh sandbox in its own process; its root URL (the API host: operations add ``/api/v1``).

    The readiness probe asks for a path that is no operation: it counts in no
    rate-limit window, so the windows start empty."""
    port = free_port()
    cmd = [sys.executable, "-m", "altegio_async.sandbox", "--port", str(port), *args]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, cwd=ROOT)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(root + "/ready", timeout=0.5)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox process did not start") from None
                time.sleep(0.05)
        yield root
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextlib.contextmanager
def redis_server() -> Iterator[str | None]:
    """A throwaway redis-server's URL, or None where none is installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait()
