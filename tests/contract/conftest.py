from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests._servers import ROOT, prism

sys.path.insert(0, str(ROOT / "scripts"))
import spec_inputs


@pytest.fixture(scope="session")
def prisms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[str, Path]]]:
    """One Prism per locked bundle, serving the file unmodified: ``{name: (url, log)}``."""
    logs = tmp_path_factory.mktemp("prism")
    with ExitStack() as stack:
        started = {}
        for item in spec_inputs.resolve():
            log = logs / f"{item.name}.log"
            started[item.name] = (stack.enter_context(prism(item.path, log)), log)
        yield started


@pytest.fixture(scope="session")
def prism_urls(prisms: dict[str, tuple[str, Path]]) -> dict[str, str]:
    return {name: url for name, (url, _) in prisms.items()}
