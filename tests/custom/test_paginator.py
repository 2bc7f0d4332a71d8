"""AsyncPaginator's stop rules, on the reply shapes Altegio really sends (one component:
the pages come from a fake fetch; the generated iterators run against the sandbox in
tests/flows)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from altegio_async import AsyncPaginator, UsageError
from altegio_async.custom._envelope import meta_of
from altegio_async.custom._response import ApiResponse

ITEMS = list(range(1, 48))  # 47 items: pages of 10 are 10, 10, 10, 10, 7


def source(
    meta: Any = None, *, links: Any = None, pad: bool = False
) -> tuple[list[tuple[int, int]], AsyncPaginator[int]]:
    """(the requests made, a paginator over ITEMS); ``meta(page, items)`` gives each
    reply's meta; ``pad`` makes a page past the end answer full pages of repeats (a
    server that ignores the page number), so only a total can stop it."""
    asked: list[tuple[int, int]] = []

    async def fetch(page: int, size: int) -> ApiResponse[list[int]]:
        asked.append((page, size))
        items = ITEMS[(page - 1) * size : page * size]
        if pad and not items and page < 9:  # (and then stops, so a broken rule fails)
            items = ITEMS[:size]
        reply = httpx.Response(200, request=httpx.Request("GET", "https://api.alteg.io/x"))
        return ApiResponse(
            data=items,
            meta=meta_of({"meta": meta(page, items)}) if meta else {},  # as the client reads it
            http_response=reply,
            links=links(page) if links else {},
        )

    return asked, AsyncPaginator(
        fetch, operation="listing", first_page=1, page_size=10, max_page_size=250
    )


async def test_a_short_page_is_the_last() -> None:
    asked, pages = source()
    assert [len(p) async for p in pages.pages()] == [10, 10, 10, 10, 7]
    assert len(asked) == 5


async def test_the_total_stops_it_even_when_pages_keep_coming() -> None:
    asked, pages = source(lambda page, items: {"total_count": 47, "page": page}, pad=True)
    assert await pages.to_list() == ITEMS
    assert len(asked) == 5
    asked, exact = source(lambda page, items: {"total_count": 40}, pad=True)
    assert await exact.to_list() == ITEMS[:40] and len(asked) == 4  # no empty 5th request


@pytest.mark.parametrize("meta", [[], {}, {"count": 10}], ids=["list", "empty", "count"])
async def test_meta_of_every_shape_falls_back_to_the_short_page(meta: Any) -> None:
    asked, pages = source(lambda page, items: meta)
    assert await pages.to_list() == ITEMS and len(asked) == 5


async def test_jsonapi_links_without_next_end_it() -> None:
    def links(page: int) -> dict[str, str]:
        return {"self": f"?page={page}", **({"next": f"?page={page + 1}"} if page < 2 else {})}

    asked, pages = source(links=links)
    assert await pages.to_list() == ITEMS[:20] and len(asked) == 2


async def test_max_items_bounds_what_is_fetched_and_yielded() -> None:
    asked, pages = source()
    bounded = AsyncPaginator(
        pages._fetch, operation="listing", first_page=1, page_size=10, max_page_size=None,
        max_items=25,
    )  # fmt: skip
    assert await bounded.to_list() == ITEMS[:25]
    assert len(asked) == 3
    with pytest.raises(UsageError, match="max_items"):
        AsyncPaginator(pages._fetch, operation="x", first_page=1, page_size=1,
                       max_page_size=None, max_items=-1)  # fmt: skip


async def test_a_later_first_page_counts_the_pages_before_in_the_total() -> None:
    asked: list[int] = []

    async def fetch(page: int, size: int) -> ApiResponse[list[int]]:
        asked.append(page)
        reply = httpx.Response(200, request=httpx.Request("GET", "https://api.alteg.io/x"))
        return ApiResponse(ITEMS[(page - 1) * size : page * size] or ITEMS[:size],
                           {"total_count": 47}, reply)  # fmt: skip

    later = AsyncPaginator(fetch, operation="x", first_page=3, page_size=10, max_page_size=None)
    assert await later.to_list() == ITEMS[20:] and asked == [3, 4, 5]
