"""Download every bundle the lock lists from Altegio into openapi/ and rewrite the lock.

Run through ``make update-specs``; then ``make generate`` and review the diff.  To
add a bundle Altegio publishes, add its entry (name, file, title, source) to
``openapi/specs.lock.json`` with any sha256, and run this.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import spec_inputs

TIMEOUT_S = 30


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "altegio-async update-specs"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        body: bytes = response.read()
    if not body.lstrip().startswith((b"openapi:", b"{", b"#")):
        raise ValueError(f"{url} did not return an OpenAPI document (starts with {body[:40]!r})")
    return body


def main() -> int:
    entries = spec_inputs.read_lock()
    downloaded: dict[str, bytes] = {}
    for entry in entries:
        try:
            downloaded[entry.name] = fetch(entry.source)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            print(
                f"update-specs: cannot download {entry.source}: {exc}\n"
                "update-specs: the network does not reach developer.alteg.io; "
                "openapi/ is left unchanged.",
                file=sys.stderr,
            )
            return 2
    today = dt.date.today().isoformat()
    updated = []
    for entry in entries:
        body = downloaded[entry.name]
        (spec_inputs.DOWNLOADED / entry.file).write_bytes(body)
        changed = entry.sha256 != sha256(body)
        updated.append(dataclasses.replace(entry, retrieved=today, sha256=sha256(body)))
        print(f"update-specs: {entry.file} {'changed' if changed else 'unchanged'} "
              f"({len(body)} bytes)")  # fmt: skip
    spec_inputs.write_lock(updated)
    print("update-specs: now run `make generate` and review the diff")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
