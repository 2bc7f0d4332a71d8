from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._servers import ROOT, prism


@pytest.fixture(scope="session")
def prism_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One Prism per vendored spec, serving it exactly as downloaded."""
    logs = tmp_path_factory.mktemp("prism")
    with (
        prism(ROOT / "openapi" / "public.yaml", logs / "public.log") as public,
        prism(ROOT / "openapi" / "developers.yaml", logs / "developers.log") as developers,
    ):
        yield {"public": public, "developers": developers}


@pytest.fixture(scope="session")
def prism_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()
