"""Where the generator's input comes from, and the proof that it is the pinned one.

The input is the list of Altegio bundles in ``openapi/specs.lock.json``: each entry
names a bundle, its file, Altegio's URL, the retrieval date and the sha256.  Adding
a bundle is adding an entry.  ``make update-specs`` downloads every listed bundle
into ``openapi/<file>`` (kept out of git) and rewrites the lock; without such a
download the pipeline reads the copy in ``../shared/openapi-upstream/``.  Whichever
file is read must have the sha256 the lock records, or generation stops and says
which file differs and why.
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


class SpecInputError(Exception):
    """A bundle is missing, or is not the one the lock pins."""


@dataclass(frozen=True)
class LockEntry:
    """One bundle as the lock pins it."""

    name: str  # the label quirks, naming keys and reports use
    file: str
    title: str
    # whose user token its user-token operations take: the online-booking client's
    # ("booking", POST /booking/auth) or a location's staff ("business", POST /auth)
    users: str
    source: str  # Altegio's URL
    retrieved: str
    sha256: str


@dataclass(frozen=True)
class SpecInput:
    name: str
    path: Path
    sha256: str


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


USER_KINDS = ("booking", "business")
DEFAULT_USERS = "business"  # a bundle given by file alone (--specs): Business Management's


def read_lock(lock: Path = LOCK) -> list[LockEntry]:
    """The bundles, in the lock's order (which is the order they are merged in)."""
    data = json.loads(lock.read_text(encoding="utf-8"))
    entries = [LockEntry(**entry) for entry in data["bundles"]]
    for entry in entries:
        if entry.users not in USER_KINDS:
            raise SpecInputError(f"{lock.name}: {entry.name}: users must be one of {USER_KINDS}")
    names = [entry.name for entry in entries]
    if len(set(names)) != len(names):
        raise SpecInputError(f"{lock.name} lists a bundle name twice: {names}")
    return entries


def write_lock(entries: list[LockEntry], lock: Path = LOCK) -> None:
    data = {"bundles": [entry.__dict__ for entry in entries]}
    lock.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def locate(file: str, *, downloaded: Path = DOWNLOADED, shared: Path = SHARED) -> Path:
    """``openapi/<file>`` when ``make update-specs`` put it there, else the shared copy."""
    for candidate in (downloaded / file, shared / file):
        if candidate.is_file():
            return candidate
    raise SpecInputError(
        f"{file}: found neither {downloaded / file} nor {shared / file}; "
        "run `make update-specs` to download it from Altegio"
    )


def resolve(
    *, lock: Path = LOCK, downloaded: Path = DOWNLOADED, shared: Path = SHARED
) -> list[SpecInput]:
    """Every locked bundle, each checked against the lock."""
    inputs = []
    for entry in read_lock(lock):
        path = locate(entry.file, downloaded=downloaded, shared=shared)
        digest = sha256(path)
        if digest != entry.sha256:
            raise SpecInputError(
                f"{path} has sha256 {digest}, but {lock.name} pins {entry.file} at "
                f"{entry.sha256} ({entry.source}, retrieved {entry.retrieved}). "
                "If Altegio published a new bundle, run `make update-specs` (downloads it and "
                "rewrites the lock), then `make generate`; otherwise restore the pinned file."
            )
        inputs.append(SpecInput(entry.name, path, digest))
    return inputs
