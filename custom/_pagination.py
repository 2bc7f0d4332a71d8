"""Every item of a paged operation, fetched one page at a time as the caller iterates.

The generated ``iter_<operation>`` methods (one per operation the spec pages with a
page number and a page size) return these::

    async for call in session.voip_integration.iter_list_voip_calls(body=query):
        ...
    async for page in client.marketplace.iter_list_marketplace_app_locations(
        application_id=123, page_size=100
    ).pages():
        ...
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from ._errors import UsageError

T = TypeVar("T")

Fetch = Callable[[int, int], Awaitable[list[T]]]
"""Fetches one page: ``(page number, page size) -> items``."""


class AsyncPaginator(Generic[T]):
    """Iterates the items of pages ``first_page``, ``first_page + 1``, ... of an operation.

    A page shorter than ``page_size`` (or empty) is the last one: Altegio's paged
    replies carry no total.  Nothing is requested until iteration starts, and each
    iteration starts again from ``first_page``.
    """

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        operation: str,
        first_page: int,
        page_size: int,
        max_page_size: int | None,
    ) -> None:
        for name, value in (("first_page", first_page), ("page_size", page_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"{operation}: {name} must be a whole number >= 1, got {value!r}")
        if max_page_size is not None and page_size > max_page_size:
            raise UsageError(
                f"{operation}: page_size {page_size} is above the {max_page_size} Altegio allows"
            )
        self._fetch = fetch
        self.operation = operation
        self.first_page = first_page
        self.page_size = page_size

    async def pages(self) -> AsyncGenerator[list[T], None]:
        """Each non-empty page as a list, in order."""
        page = self.first_page
        while True:
            items = await self._fetch(page, self.page_size)
            if items:
                yield items
            if len(items) < self.page_size:
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
        return (
            f"<AsyncPaginator {self.operation} from page {self.first_page}, "
            f"{self.page_size} per page>"
        )


__all__ = ["AsyncPaginator", "Fetch"]
