"""Schemathesis against the sandbox, for every operation it models: no input becomes a 500.

The ``schemathesis`` CLI (pinned in the dev extra) reads each bundle as Altegio
publishes it and drives a sandbox process with its four phases (examples,
coverage, fuzzing, stateful) and the not-a-server-error, status-code,
content-type and response-schema checks; example counts are bounded so CI stays
fast.  The Online Booking and Developer Tools bundles are covered whole; of the
Business Management bundles, the operations the sandbox models (with a business
user's token).  Every failure must be one of the bundles' own gaps in
``SPEC_GAPS``, each with its reason; anything else fails the test.
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

from altegio_async.api import OPERATIONS
from altegio_async.custom.sandbox._handlers import is_modelled
from altegio_async.sandbox import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    DEFAULT_PASSWORD,
)
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
    **dict.fromkeys(
        [
            ("ST103", 401, "GET /company/{location_id}/service_categories/{id}"),
            ("ST103", 401, "GET /company/{location_id}/services/{service_id}"),
            ("ST103", 401, "GET /company/{location_id}/staff/{team_member_id}"),
            ("ST103", 401, "POST /company/{location_id}/clients/search"),
        ],
        "these Business Management entries document 403 and 404 but no 401; a request "
        "without any token is a 401, as on every other operation",
    ),
}


@pytest.fixture(scope="module")
def sandbox_root() -> Iterator[str]:
    with sandbox_process("--no-rate-limit") as root:
        yield root


# Business Management paths take IDs the bundles give no example of: without these,
# nearly every generated request names a location that does not exist (a 404).  The
# sandbox's own IDs are used in most, not all, requests.
B2B_CONFIG = """
[dictionaries.locations]
values = [4564, 4565]
[dictionaries.team]
values = [6544, 6545, 6546]
[dictionaries.services]
values = [331, 334]
[parameters]
"path.location_id" = { dictionary = "locations", probability = 0.8 }
"path.team_member_id" = { dictionary = "team", probability = 0.6 }
"path.service_id" = { dictionary = "services", probability = 0.6 }
"""


def run(
    bundle: Path, url: str, select: list[str], report: Path, auth: str, config: str = ""
) -> tuple[dict[str, object], str]:
    binary = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert binary is not None, "schemathesis is a dev dependency: make install"
    settings = report.parent / "schemathesis.toml"
    settings.write_text(config)
    command = [
        binary, "--config-file", str(settings),
        "run", str(bundle), "--url", url, "-H", f"Authorization: {auth}",
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


def user_token(root: str, business: bool = False) -> str:
    """A booking client's token, or a business user's (Business Management)."""
    if business:
        login, password, path = DEFAULT_BUSINESS_LOGIN, DEFAULT_BUSINESS_PASSWORD, "/api/v1/auth"
    else:
        login, password, path = DEFAULT_LOGIN, DEFAULT_PASSWORD, "/api/v1/booking/auth"
    reply = httpx.post(
        root + path,
        json={"login": login, "password": password},
        headers={"Authorization": f"Bearer {DEFAULT_PARTNER_TOKEN}"},
    )
    body = reply.json()
    token: str = body["data"]["user_token"] if business else body["user_token"]
    return token


def modelled(bundle: str) -> list[str]:
    """``--include-operation-id`` for each operation of ``bundle`` the sandbox models."""
    ids = sorted(
        o.operation_id for o in OPERATIONS.values() if o.bundle == bundle and is_modelled(o)
    )
    assert ids, f"the sandbox models nothing of {bundle}"
    return [arg for name in ids for arg in ("--include-operation-id", name)]


@pytest.mark.parametrize(
    ("bundle", "where", "select"),
    [
        ("public.yaml", "/api/v1", []),
        ("developers.yaml", "/api/v1",
         ["--exclude-operation-id-regex", APP_OPERATIONS,
          "--exclude-operation-id", "marketplace_webhook"]),
        ("developers.yaml", "", ["--include-operation-id-regex", APP_OPERATIONS]),
        ("b2b-v1.yaml", "/api/v1", modelled("b2b-v1")),
        ("b2b-v2.yaml", "/api/v2", modelled("b2b-v2")),
    ],
    ids=["public", "developers-api", "developers-app", "b2b-v1", "b2b-v2"],
)  # fmt: skip
def test_no_input_is_a_server_error(
    bundle: str, where: str, select: list[str], sandbox_root: str, tmp_path: Path
) -> None:
    path = spec_inputs.locate(bundle)
    token = user_token(sandbox_root, business=bundle.startswith("b2b"))
    auth = f"Bearer {DEFAULT_PARTNER_TOKEN}, User {token}"
    config = B2B_CONFIG if bundle.startswith("b2b") else ""
    report, output = run(path, sandbox_root + where, select, tmp_path / "report.json", auth, config)
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
