"""Download Altegio's live OpenAPI bundles into openapi/ and record them in specs.lock.json.

Run through ``make update-specs``; then ``make generate`` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "openapi"
LOCK = SPEC_DIR / "specs.lock.json"
SOURCES = {
    "public.yaml": "https://developer.alteg.io/_bundle/en/public/openapi.yaml",
    "developers.yaml": "https://developer.alteg.io/_bundle/en/developers/openapi.yaml",
}
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
    downloaded: dict[str, bytes] = {}
    for name, url in SOURCES.items():
        try:
            downloaded[name] = fetch(url)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            print(
                f"update-specs: cannot download {url}: {exc}\n"
                "update-specs: the network does not reach developer.alteg.io; "
                "openapi/ is left unchanged.",
                file=sys.stderr,
            )
            return 2
    today = dt.date.today().isoformat()
    lock = json.loads(LOCK.read_text(encoding="utf-8"))
    for name, body in downloaded.items():
        (SPEC_DIR / name).write_bytes(body)
        changed = lock[name]["sha256"] != sha256(body)
        lock[name] = {"source": SOURCES[name], "retrieved": today, "sha256": sha256(body)}
        print(f"update-specs: {name} {'changed' if changed else 'unchanged'} ({len(body)} bytes)")
    LOCK.write_text(json.dumps(lock, indent=2) + "\n", encoding="utf-8")
    print("update-specs: now run `make generate` and review the diff")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
