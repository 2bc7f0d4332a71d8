"""Every generated operation, called through AltegioClient, against Prism.

Prism serves Altegio's bundles as published (the locked files) and rejects (422) any request that
breaks them: wrong types, missing required parameters, headers or body fields.
The typed reply it returns (the spec's examples) must parse.

The test transport (AcceptJsonToo) lets Prism answer Altegio's vendor media
type; the ``Accept`` the client sent is checked as it left the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from altegio_async import AltegioClient, APIError, UnprocessableEntityError
from altegio_async.api import OPERATIONS
from altegio_async.custom._operation import Operation
from tests._servers import AcceptJsonToo
from tests.examples import ALL_OPERATIONS, example_kwargs, spec_name, vendored_operation

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
    assert len(ALL_OPERATIONS) == len(OPERATIONS) == 43


# Altegio's bundle types api_key as a number; its own example and real keys are
# UUID strings, which the client sends (quirk number_api_key).  Prism, serving the
# bundle as published, refuses them; strict xfail notices if that changes.
SPEC_REFUSES_REAL_VALUES = {
    "marketplace_notification_settings_callback": "bundle types api_key as a number",
    "marketplace_notification_settings_redirect_callback": "bundle types api_key as a number",
}


def case(op: Operation) -> object:
    reason = SPEC_REFUSES_REAL_VALUES.get(op.operation_id)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(op, id=op.operation_id, marks=marks)


@pytest.mark.parametrize("op", [case(op) for op in ALL_OPERATIONS])
async def test_operation_against_prism(
    op: Operation, prism_urls: dict[str, str], transport: AcceptJsonToo
) -> None:
    client = client_for(prism_urls[spec_name(op)], transport)
    transport.prefer_code = next(
        (str(c) for c in vendored_operation(op)["responses"] if str(c).startswith("2")), None
    )
    caller = client.with_user_token(USER) if op.requires_user_token else client
    resource = getattr(caller.with_raw_response, op.tag)
    try:
        if not documents_success(op):
            # Prism can only answer with a documented error; reaching it proves the
            # request passed validation (an invalid one gets 422).
            with pytest.raises(APIError) as caught:
                await getattr(resource, op.operation_id)(**example_kwargs(op))
            assert caught.value.status_code != 422, caught.value.body
            return
        raw = await getattr(resource, op.operation_id)(**example_kwargs(op))
    except UnprocessableEntityError as exc:
        pytest.fail(f"Prism rejected {op}: {exc.body}")
    finally:
        await client._core.http.aclose()
    assert 200 <= raw.status_code < 400
    assert transport.accept_seen == ["application/vnd.api.v2+json"]
    sent = raw.http_response.request.headers
    expected_auth = f"Bearer {PARTNER}" + (f", User {USER}" if op.requires_user_token else "")
    assert sent["authorization"] == expected_auth
    if op.has_response_body and op.envelope == "data":
        assert raw.data is not None or "null" in raw.http_response.text


async def test_prism_rejects_a_request_that_breaks_the_spec(
    prism_urls: dict[str, str], transport: AcceptJsonToo
) -> None:
    """The contract test can fail: a non-numeric location_id is refused."""
    client = client_for(prism_urls["public"], transport)
    with pytest.raises(UnprocessableEntityError) as caught:
        await client.online_booking.get_services_available_for_booking(
            location_id="not-a-number"  # type: ignore[arg-type]
        )
    await client._core.http.aclose()
    assert "Invalid request" in caught.value.body
