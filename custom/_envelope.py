"""From an ``httpx.Response`` to the caller's value or a typed error.

Altegio wraps most replies as ``{success, data, meta}``; some are bare objects and
some are empty.  ``success: false`` is an error whatever the HTTP status, and a
body that is not the JSON the spec promises is an error too, never a ``None``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from ._errors import (
    APIError,
    AuthenticationError,
    ErrorDetail,
    InvalidResponseError,
    RateLimitError,
    error_class,
    error_details,
)
from ._operation import Operation
from ._parsing import loads_in_pieces
from ._response import ApiResponse
from ._retry import parse_retry_after

T = TypeVar("T")
SNIPPET_CHARS = 200
BODY_CHARS = 65536  # APIError.body keeps this much of the raw reply
_EMPTY = object()


def _snippet(response: httpx.Response, redact: Callable[[str], str]) -> str:
    text = response.content[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace")
    return redact(" ".join(text.split())[:SNIPPET_CHARS])


def _decode(response: httpx.Response) -> Any:
    """The JSON body, ``_EMPTY`` for no body; raises ValueError if it is not JSON."""
    content = response.content
    if not content or content.isspace():  # (no stripped copy of a large body)
        return _EMPTY
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type.lower():
        raise ValueError(f"content-type is not JSON ({content_type or 'missing'})")
    return loads_in_pieces(content)  # (a large body: a few ms at a time, see _parsing)


def meta_of(payload: Any) -> Mapping[str, Any]:
    """``meta`` as a mapping: Altegio sends ``[]`` when it is empty."""
    meta = payload.get("meta") if isinstance(payload, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def jsonapi_error_details(payload: Any) -> list[ErrorDetail]:
    """A JSON:API error document's ``errors`` (``detail``, else ``title``; a numeric
    ``code`` kept), for the v2 API's errors."""
    raw = payload.get("errors") if isinstance(payload, Mapping) else None
    if not isinstance(raw, list):
        return []
    details = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        text = item.get("detail") or item.get("title") or ""
        code = item.get("code")
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        number = code if isinstance(code, int) and not isinstance(code, bool) else None
        details.append(ErrorDetail(code=number, message=str(text)))
    return details


def api_error(
    operation: Operation,
    response: httpx.Response,
    payload: Any,
    redact: Callable[[str], str],
    *,
    user_token_sent: bool,
) -> APIError:
    meta = meta_of(payload)
    details = error_details(meta) or jsonapi_error_details(payload)
    message = meta.get("message")
    if not isinstance(message, str) or not message:
        message = details[0].message if details else None
    if not isinstance(message, str) or not message:
        message = response.reason_phrase or "error"
    cls = error_class(response.status_code, details)
    error = cls(
        redact(message),
        status_code=response.status_code,
        errors=[type(d)(code=d.code, message=redact(d.message)) for d in details],
        body=redact(response.content[:BODY_CHARS].decode("utf-8", errors="replace")),
        method=response.request.method,
        url=redact(str(response.request.url)),
        headers={k: v for k, v in response.headers.items() if k.lower() != "set-cookie"},
    )
    if isinstance(error, AuthenticationError):
        # A 401 from a login call is about the user's credentials, not our tokens.
        if operation.tag.startswith("authentication"):
            error.token, which = "login", "login or password"
        elif user_token_sent:
            error.token, which = "user", "user token"
        else:
            error.token, which = "partner", "partner token"
        error.args = (f"Altegio rejected the {which}: {error.args[0]}",)
    if isinstance(error, RateLimitError):
        error.retry_after = parse_retry_after(response.headers.get("retry-after"))
    return error


def unwrap(
    operation: Operation,
    response: httpx.Response,
    parse: Callable[[Any], T],
    redact: Callable[[str], str],
    *,
    user_token_sent: bool,
) -> ApiResponse[T]:
    """The caller's value from a complete response, or the matching SDK error."""

    def invalid(reason: str) -> InvalidResponseError:
        return InvalidResponseError(
            f"{operation.operation_id}: {reason}",
            status_code=response.status_code,
            content_type=response.headers.get("content-type", ""),
            snippet=_snippet(response, redact),
            method=response.request.method,
            url=redact(str(response.request.url)),
        )

    if operation.envelope == "file" and response.status_code < 400:
        # a file (a PDF receipt): its bytes, as they came
        return ApiResponse(data=parse(response.content), meta={}, http_response=response)
    try:
        payload = _decode(response)
    except ValueError as exc:
        if response.status_code >= 400:
            raise api_error(
                operation, response, None, redact, user_token_sent=user_token_sent
            ) from None
        raise invalid(f"body is not JSON: {redact(str(exc))}") from None

    failed = isinstance(payload, Mapping) and payload.get("success") is False
    if response.status_code >= 400 or failed:
        raise api_error(operation, response, payload, redact, user_token_sent=user_token_sent)

    if payload is _EMPTY:
        if operation.has_response_body:
            raise invalid("empty body where the spec documents one")
        return ApiResponse(data=parse(None), meta={}, http_response=response)
    if operation.envelope != "none" and not isinstance(payload, Mapping):
        raise invalid(f"expected a JSON object envelope, got {type(payload).__name__}")
    if not operation.has_response_body:
        return ApiResponse(data=parse(None), meta=meta_of(payload), http_response=response)
    if operation.envelope == "jsonapi":
        return _document(operation, response, payload, parse, invalid, redact)
    if operation.envelope == "data" and payload.get("data") is None:
        # A success without data (or with data: null): nothing to read, nothing lost
        # (meta stays on the ApiResponse); reported, as the reading policy says.
        from ._reading import report_missing  # the reading policy loads with the models

        report_missing(operation.operation_id, "data" in payload)
        return ApiResponse(data=parse(None), meta=meta_of(payload), http_response=response)
    try:
        # The generated parser reads the data: the envelope is unwrapped here.
        data = parse(payload["data"] if operation.envelope == "data" else payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"{type(exc).__name__}: {redact(str(exc))}"
        raise invalid(f"body does not match the spec ({detail})") from None
    return ApiResponse(data=data, meta=meta_of(payload), http_response=response)


def _document(
    operation: Operation,
    response: httpx.Response,
    payload: Mapping[str, Any],
    parse: Callable[[Any], T],
    invalid: Callable[[str], InvalidResponseError],
    redact: Callable[[str], str],
) -> ApiResponse[T]:
    """A JSON:API document: its ``data`` read and linked to its ``included``
    resources; ``meta``, ``links`` and ``included`` stay on the ApiResponse."""
    from ._jsonapi import link, read_included  # loads with the v2 models, on first use

    if payload.get("data") is None:
        from ._reading import report_missing

        report_missing(operation.operation_id, "data" in payload)
        return ApiResponse(data=parse(None), meta=meta_of(payload), http_response=response)
    try:
        data = parse(payload["data"])
        included = read_included(payload.get("included"))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = f"{type(exc).__name__}: {redact(str(exc))}"
        raise invalid(f"body does not match the spec ({detail})") from None
    link(data, included)
    links = payload.get("links")
    return ApiResponse(
        data=data,
        meta=meta_of(payload),
        http_response=response,
        links=links if isinstance(links, Mapping) else {},
        included=included,
    )
