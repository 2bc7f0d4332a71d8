"""Where the generator's input comes from, and the proof that it is the pinned one.

The input is Altegio's two published bundles.  ``make update-specs`` downloads
them into ``openapi/<name>.yaml`` (kept out of git) and rewrites
``openapi/specs.lock.json``; without such a download the pipeline reads the copy
in ``../shared/openapi-upstream/``.  Whichever file is read must have the sha256
the lock records, or generation stops and says which file differs and why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "openapi" / "specs.lock.json"
DOWNLOADED = ROOT / "openapi"
SHARED = ROOT.parent / "shared" / "openapi-upstream"
NAMES = ("public.yaml", "developers.yaml")


class SpecInputError(Exception):
    """A bundle is missing, or is not the one the lock pins."""


@dataclass(frozen=True)
class SpecInput:
    name: str
    path: Path
    sha256: str


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_lock(lock: Path = LOCK) -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = json.loads(lock.read_text(encoding="utf-8"))
    return entries


def locate(name: str, *, downloaded: Path = DOWNLOADED, shared: Path = SHARED) -> Path:
    """``openapi/<name>`` when ``make update-specs`` put it there, else the shared copy."""
    for candidate in (downloaded / name, shared / name):
        if candidate.is_file():
            return candidate
    raise SpecInputError(
        f"{name}: found neither {downloaded / name} nor {shared / name}; "
        "run `make update-specs` to download it from Altegio"
    )


def resolve(
    *, lock: Path = LOCK, downloaded: Path = DOWNLOADED, shared: Path = SHARED
) -> list[SpecInput]:
    """Both bundles, each checked against the lock."""
    entries = read_lock(lock)
    inputs = []
    for name in NAMES:
        path = locate(name, downloaded=downloaded, shared=shared)
        digest = sha256(path)
        pinned = entries[name]["sha256"]
        if digest != pinned:
            raise SpecInputError(
                f"{path} has sha256 {digest}, but {lock.name} pins {name} at {pinned} "
                f"({entries[name]['source']}, retrieved {entries[name]['retrieved']}). "
                "If Altegio published a new bundle, run `make update-specs` (downloads it and "
                "rewrites the lock), then `make generate`; otherwise restore the pinned file."
            )
        inputs.append(SpecInput(name, path, digest))
    return inputs
