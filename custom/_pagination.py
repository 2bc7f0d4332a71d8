"""Every item of a paged operation, fetched one page at a time as the caller iterates.

The generated ``iter_<operation>`` methods (one per operation the spec pages with a
page number and a page size, in the query or the body) return these::

    async for call in session.voip_integration.iter_list_voip_calls(body=query):
        ...
    async for page in client.marketplace.iter_list_marketplace_app_locations(
        application_id=123, page_size=100
    ).pages():
        ...

Altegio pages in several forms (``page`` with ``count``, ``page_size`` or ``limit``;
in the query or in a search body; v2's JSON:API ``meta``/``links``), and its replies
differ from the bundles: ``meta`` is ``[]``, ``{}``, ``{"count": N}`` or
``{"total_count": N}``, and a page past the end is ``data: []`` with the total still
filled.  So the stop rules hold on any of them, first that applies:

- an empty page is the end;
- ``meta.total_count``, when a reply has it, ends the listing once that many items
  have come (``count`` is not trusted: some replies use it for the page's size);
- a JSON:API reply whose ``links`` has no ``next`` is the last;
- a page shorter than the page size is the last;
- ``max_items`` ends it where the caller wants.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from ._errors import UsageError
from ._response import ApiResponse

T = TypeVar("T")

Fetch = Callable[[int, int], Awaitable[ApiResponse[list[T]]]]
"""Fetches one page: ``(page number, page size) -> the ApiResponse of its items``."""


class AsyncPaginator(Generic[T]):
    """Iterates the items of pages ``first_page``, ``first_page + 1``, ... of an operation.

    Nothing is requested until iteration starts, and each iteration starts again
    from ``first_page``.  ``max_items`` bounds what an iteration yields (and fetches).
    """

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        operation: str,
        first_page: int,
        page_size: int,
        max_page_size: int | None,
        max_items: int | None = None,
    ) -> None:
        for name, value in (("first_page", first_page), ("page_size", page_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{operation}: {name} must be a whole number >= 1, got {value!r}")
        if max_page_size is not None and page_size > max_page_size:
            raise UsageError(
                f"{operation}: page_size {page_size} is above the {max_page_size} Altegio allows"
            )
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise UsageError(f"{operation}: max_items must be a whole number >= 0 or None")
        self._fetch = fetch
        self.operation = operation
        self.first_page = first_page
        self.page_size = page_size
        self.max_items = max_items

    async def pages(self) -> AsyncGenerator[list[T], None]:
        """Each non-empty page as a list, in order (the last one cut at ``max_items``)."""
        page, seen = self.first_page, 0
        wanted = self.max_items
        while wanted is None or seen < wanted:
            response = await self._fetch(page, self.page_size)
            items = list(response.data or [])
            if wanted is not None:
                items = items[: wanted - seen]
            seen += len(items)
            if items:
                yield items
            if _last(response, len(items), self.page_size, seen + _before(self, page)):
                return
            page += 1

    async def _items(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._items()

    async def to_list(self) -> list[T]:
        """Every item of every page (mind the memory on large accounts)."""
        return [item async for item in self]

    def __repr__(self) -> str:
        bound = f", at most {self.max_items}" if self.max_items is not None else ""
        return (
            f"<AsyncPaginator {self.operation} from page {self.first_page}, "
            f"{self.page_size} per page{bound}>"
        )


def _before(paginator: AsyncPaginator[Any], page: int) -> int:
    """Items on the pages before ``first_page`` (a total counts them too)."""
    return (paginator.first_page - 1) * paginator.page_size


def _last(response: ApiResponse[Any], got: int, size: int, reached: int) -> bool:
    """Whether the page just read ends the listing (see the module's stop rules)."""
    if got == 0 or got < size:
        return True
    total = response.meta.get("total_count")
    if isinstance(total, int) and not isinstance(total, bool) and reached >= total:
        return True
    links: Mapping[str, Any] = response.links
    return bool(links) and not links.get("next")


__all__ = ["AsyncPaginator", "Fetch"]
