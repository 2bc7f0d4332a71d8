"""Starting local servers on 127.0.0.1 for the test session: Prism here, the sandbox
process from ``scripts/local_servers.py`` (shared with the benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from local_servers import sandbox_process as sandbox_process  # noqa: E402

PRISM = ROOT / "node_modules" / ".bin" / "prism"


class AcceptJsonToo(httpx.AsyncBaseTransport):
    """Transport for talking to Prism.

    Prism matches ``Accept`` against the reply media types literally; the specs
    declare replies as ``application/json`` while Altegio requires the vendor type
    ``application/vnd.api.v2+json`` (and answers it with JSON).  This adds
    ``application/json`` as a second choice so Prism can answer, after recording
    what the client sent.
    """

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.accept_seen: list[str] = []
        self.paths_seen: list[str] = []
        self.prefer_code: str | None = None
        # Prism serves a bundle's paths without its server's path (/api/v1, /api/v2):
        # the client's full path is recorded, then this prefix is cut off.
        self.server_path = ""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.accept_seen.append(request.headers["accept"])
        self.paths_seen.append(request.url.path)
        if self.server_path:
            if not request.url.path.startswith(self.server_path + "/"):
                raise AssertionError(f"{request.url.path} is not under {self.server_path}")
            request.url = request.url.copy_with(
                raw_path=request.url.raw_path[len(self.server_path) :]
            )
        request.headers["Accept"] = request.headers["accept"] + ", application/json"
        if self.prefer_code is not None:
            # Prism prefers a reply with a body; ask for the documented success.
            request.headers["Prefer"] = f"code={self.prefer_code}"
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def prism(spec: Path, log: Path) -> Iterator[str]:
    """Prism mocking ``spec`` on a free port; yields its base URL."""
    if not PRISM.exists():
        raise RuntimeError(f"{PRISM} is missing: run `make install` (npm ci) first")
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_COLOR": "1"},
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"prism exited early: {log.read_text()[-2000:]}")
                try:
                    httpx.get(url + "/", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("prism did not start within 60 s") from None
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
