"""Every generated operation of every bundle, called through AltegioClient, against Prism.

Prism serves Altegio's bundles as published (the locked files, one Prism each) and
rejects (422) any request that breaks them: wrong types, missing required
parameters, headers or body fields.  The typed reply it returns (the spec's
examples) must parse.

The test transport (AcceptJsonToo) lets Prism answer Altegio's vendor media
type; the ``Accept`` the client sent is checked as it left the client.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from altegio_async import AltegioClient, APIError, UnprocessableEntityError
from altegio_async.api import OPERATIONS
from altegio_async.custom._operation import Operation
from tests._servers import ROOT, AcceptJsonToo
from tests.examples import (
    ALL_OPERATIONS,
    example_kwargs,
    resource,
    server_path,
    spec_name,
    vendored,
    vendored_operation,
)

sys.path.insert(0, str(ROOT / "scripts"))
import normalize_specs

pytestmark = pytest.mark.prism
PARTNER = "partner-token-for-prism"
USER = "user-token-for-prism"


@pytest.fixture
async def transport() -> AsyncIterator[AcceptJsonToo]:
    transport = AcceptJsonToo()
    yield transport
    await transport.aclose()


def client_for(url: str, transport: AcceptJsonToo) -> AltegioClient:
    return AltegioClient(
        PARTNER,
        base_url=url,
        app_base_url=url,
        http_client=httpx.AsyncClient(transport=transport),
        rate_limit=False,
    )


def documents_success(op: Operation) -> bool:
    return any(str(code).startswith("2") for code in vendored_operation(op)["responses"])


def test_every_operation_is_covered() -> None:
    """One case per operation of every locked bundle: 24 + 20 + 260 + 42 (the
    developers bundle's pseudo-path /marketplace_webhook is a payload, not a call)."""
    in_bundles = sum(
        1
        for spec in vendored().values()
        for item in spec["paths"].values()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op and "not a callable" not in str(op)
    )
    assert len(ALL_OPERATIONS) == len(OPERATIONS) == in_bundles == 345


# Where the bundle as published refuses what the client rightly sends.  Prism serves
# the bundles unmodified, so these rejections are the bundles': each is named after
# the quirk or step of scripts/normalize_specs.py that makes the client differ from
# the file, with the pattern of Prism's message.  A rejection made only of these
# proves the rest of the request valid; any other message fails the test.  One entry
# is Prism's own: it looks for a bracketed query name (filter[term]) by its encoded
# form, so no request can carry one it accepts.
BUNDLE_REFUSES = {
    "prism: bracketed query names": r"query must have required property '\w+%5b\w+%5d'",
    "number_api_key": r"property api_key must be number",
    "number_sms_code": r"property code must be number",
    "number_api_id": r"property api_id must be number",
    "misspelt_transport_headers": r"header must have required property "
    r"'(authorizarion|conetnt-type)'",
    "transport_headers_in_query": r"query must have required property "
    r"'(accept|content-type|authorization)'",
    "transport_header_parameters": r"header parameter authorization must be integer",
    "list_bodies_declared_as_one_item": r"^Request body must be object$",
    "id_lists_typed_object": r"property (categories|labels) must be object",
    "comments_typed_number": r"property comment must be number",
}
_VALIDATOR = re.compile(r"\[VALIDATOR\] \S+\s+error\s+(?!Violation)(.+)")


def refusals(error: APIError, log: Path, offset: int) -> list[str]:
    """Prism's reasons for a 422: in its reply, or (where the bundle documents a 422
    of its own, which Prism then sends) in its log."""
    try:
        reply = json.loads(error.body)
    except ValueError:
        reply = {}
    if isinstance(reply, dict) and "validation" in reply:
        return [str(v["message"]) for v in reply["validation"]]
    with log.open(encoding="utf-8") as handle:
        handle.seek(offset)
        return _VALIDATOR.findall(handle.read())


def bundle_defects(messages: list[str]) -> set[str]:
    """The BUNDLE_REFUSES entries that explain every message, or an AssertionError
    naming the message none explains."""
    found = set()
    for message in messages:
        known = [name for name, pattern in BUNDLE_REFUSES.items() if re.search(pattern, message)]
        assert known, f"Prism refused the request: {message} (all: {messages})"
        found.update(known)
    return found


@pytest.mark.parametrize("op", [pytest.param(op, id=op.qualified_id) for op in ALL_OPERATIONS])
async def test_operation_against_prism(
    op: Operation, prisms: dict[str, tuple[str, Path]], transport: AcceptJsonToo
) -> None:
    url, log = prisms[spec_name(op)]
    client = client_for(url, transport)
    transport.prefer_code = next(
        (str(c) for c in vendored_operation(op)["responses"] if str(c).startswith("2")), None
    )
    transport.server_path = server_path(op)
    caller = (
        client.with_business_token(USER)
        if op.user_kind == "business"
        else client.with_user_token(USER)
        if op.requires_user_token
        else client
    )
    methods = resource(caller.with_raw_response, op)
    offset = log.stat().st_size
    try:
        if not documents_success(op):
            # Prism can only answer with a documented error; reaching it proves the
            # request passed validation (an invalid one gets 422).
            with pytest.raises(APIError) as caught:
                await getattr(methods, op.operation_id)(**example_kwargs(op))
            assert caught.value.status_code != 422, caught.value.body
            return
        raw = await getattr(methods, op.operation_id)(**example_kwargs(op))
    except APIError as exc:
        if exc.status_code not in (400, 422):  # how Prism refuses (422, or the bundle's own)
            raise
        await asyncio.sleep(0.05)  # Prism writes its log as it answers
        messages = refusals(exc, log, offset)
        assert messages, f"Prism refused {op} and said nothing why: {exc.body}"
        assert bundle_defects(messages)  # only the bundle's defects: the rest is valid
        return
    finally:
        await client._core.http.aclose()
    assert 200 <= raw.status_code < 400
    accept = "application/pdf" if op.envelope == "file" else "application/vnd.api.v2+json"
    assert transport.accept_seen == [accept]
    assert transport.paths_seen[0].startswith(server_path(op) + "/")
    sent = raw.http_response.request.headers
    expected_auth = f"Bearer {PARTNER}" + (f", User {USER}" if op.requires_user_token else "")
    assert sent["authorization"] == expected_auth
    if op.has_response_body and op.envelope == "data":
        assert raw.data is not None or "null" in raw.http_response.text


def test_only_the_bundles_defects_are_forgiven() -> None:
    """A refusal the list does not explain fails; each entry names a real quirk or step."""
    with pytest.raises(AssertionError, match="location_id must be number"):
        bundle_defects(["Request path parameter location_id must be number"])
    assert bundle_defects(["Request header must have required property 'conetnt-type'"]) == {
        "misspelt_transport_headers"
    }
    names = {q.name for q in normalize_specs.QUIRKS} | {f.__name__ for f in normalize_specs.STEPS}
    assert {n for n in BUNDLE_REFUSES if not n.startswith("prism: ")} <= names


async def test_prism_rejects_a_request_that_breaks_the_spec(
    prism_urls: dict[str, str], transport: AcceptJsonToo
) -> None:
    """The contract test can fail: a non-numeric location_id is refused."""
    client = client_for(prism_urls["public"], transport)
    transport.server_path = "/api/v1"
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.online_booking.get_services_available_for_booking(
            location_id="not-a-number"  # type: ignore[arg-type]
        )
    await client._core.http.aclose()
    assert "Invalid request" in caught.value.body
