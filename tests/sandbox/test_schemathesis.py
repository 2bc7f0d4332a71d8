"""Schemathesis against the sandbox, for both of Altegio's bundles: no input becomes a 500.

The ``schemathesis`` CLI (pinned in the dev extra) reads each bundle as Altegio
publishes it and drives a sandbox process with its four phases (examples,
coverage, fuzzing, stateful) and the not-a-server-error, status-code,
content-type and response-schema checks; example counts are bounded so CI stays
fast.  Every failure must be one of the bundles' own gaps in ``SPEC_GAPS``, each
with its reason; anything else fails the test.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from altegio_async.sandbox import DEFAULT_LOGIN, DEFAULT_PARTNER_TOKEN, DEFAULT_PASSWORD
from tests._servers import ROOT, sandbox_process

sys.path.insert(0, str(ROOT / "scripts"))
import spec_inputs

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)
EXAMPLES = 15  # per operation and phase
# Operations Altegio serves from https://app.alteg.io: the sandbox serves them at its root.
APP_OPERATIONS = (
    r"^(list_marketplace_app_locations|get_marketplace_integration_status"
    r"|uninstall_marketplace_app|marketplace_notification_.*"
    r"|marketplace_payment_refund_callback|set_marketplace_notification_short_names)$"
)

# (failure code, HTTP status, operation or "*") -> why it is the bundle's gap, not the sandbox's.
SPEC_GAPS = {
    ("ST103", 422, "*"): (
        "a request the sandbox refuses as Altegio does (422 with Altegio's error envelope: "
        "a field of the wrong type, a slot taken, codes 431-438 in the reference) on an "
        "operation whose bundle entry documents no 422"
    ),
    ("ST103", 400, "*"): "a body that is not JSON: no operation in the bundles documents 400",
    ("ST103", 401, "POST /book_check/{location_id}"): (
        "the bundle documents only 201 and 422 for /book_check; a missing token is a 401"
    ),
    ("ST103", 404, "*"): (
        "an ID that names nothing (a location, record or event): 404 is documented for most "
        "operations but not all (the marketplace callbacks, /book_check)"
    ),
    ("ST103", 403, "*"): (
        "a record hash or password that does not match: 403 is documented for most "
        "operations but not all"
    ),
}


@pytest.fixture(scope="module")
def sandbox_root() -> Iterator[str]:
    with sandbox_process("--no-rate-limit") as root:
        yield root


def run(
    bundle: Path, url: str, select: list[str], report: Path, auth: str
) -> tuple[dict[str, object], str]:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary is not None, "schemathesis is a dev dependency: make install"
    command = [
        binary, "run", str(bundle), "--url", url, "-H", f"Authorization: {auth}",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing,stateful",
        "-n", str(EXAMPLES), "--seed", "7", "--workers", "1", "--no-shrink",
        "--report", "json", "--report-json-path", str(report), *select,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=report.parent)
    return json.loads(report.read_text()), done.stdout


def failures(output: str) -> list[tuple[str, int, str]]:
    """(failure code, status, operation) of every failure in the CLI's report."""
    found = []
    blocks = re.split(r"^_{3,} (.+?) _{3,}$", output, flags=re.M)
    for operation, text in zip(blocks[1::2], blocks[2::2], strict=True):
        for case in re.split(r"^\d+\. Test Case ID", text, flags=re.M)[1:]:
            codes = re.findall(r"^- (ST\d+) ", case, flags=re.M)
            status = re.search(r"^\[(\d{3})\]", case, flags=re.M)
            for code in codes:
                found.append((code, int(status.group(1)) if status else 0, operation))
    return found


def explained(code: str, status: int, operation: str) -> bool:
    return (code, status, operation) in SPEC_GAPS or (code, status, "*") in SPEC_GAPS


def user_token(root: str) -> str:
    reply = httpx.post(
        root + "/api/v1/booking/auth",
        json={"login": DEFAULT_LOGIN, "password": DEFAULT_PASSWORD},
        headers={"Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}"},
    )
    token: str = reply.json()["user_token"]
    return token


@pytest.mark.parametrize(
    ("bundle", "where", "select"),
    [
        ("public.yaml", "/api/v1", []),
        ("developers.yaml", "/api/v1",
         ["--exclude-operation-id-regex", APP_OPERATIONS,
          "--exclude-operation-id", "marketplace_webhook"]),
        ("developers.yaml", "", ["--include-operation-id-regex", APP_OPERATIONS]),
    ],
    ids=["public", "developers-api", "developers-app"],
)  # fmt: skip
def test_no_input_is_a_server_error(
    bundle: str, where: str, select: list[str], sandbox_root: str, tmp_path: Path
) -> None:
    path = spec_inputs.locate(bundle)
    auth = f"Bearer {DEFAULT_PARTNER_TOKEN}, User {user_token(sandbox_root)}"
    report, output = run(path, sandbox_root + where, select, tmp_path / "report.json", auth)
    assert report["errors"] == [], output[-3000:]
    operations = report["operations"]
    assert isinstance(operations, dict) and operations["tested"] == operations["selected"] > 0
    found = failures(output)
    assert all(code != "ST101" for code, _, _ in found), "a server error: " + output[-3000:]
    unexplained = [f for f in found if not explained(*f)]
    assert unexplained == [], output[-4000:]
    # the parser saw every failure the report counts
    cases = report["test_cases"]
    assert isinstance(cases, dict) and len(found) >= cases["unique_failures"]
