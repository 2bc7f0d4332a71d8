from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._servers import ROOT, prism

sys.path.insert(0, str(ROOT / "scripts"))
import spec_inputs


@pytest.fixture(scope="session")
def prism_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One Prism per Altegio bundle, serving the locked file unmodified."""
    logs = tmp_path_factory.mktemp("prism")
    public_spec, developers_spec = (item.path for item in spec_inputs.resolve())
    with (
        prism(public_spec, logs / "public.log") as public,
        prism(developers_spec, logs / "developers.log") as developers,
    ):
        yield {"public": public, "developers": developers}


@pytest.fixture(scope="session")
def prism_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.getbasetemp()
