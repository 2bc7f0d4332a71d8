"""One rate budget per process and API host, whatever the event loops and threads.

Against the sandbox with Altegio's real limits (5 in any second, 200 in any minute,
per IP) and retries off, so a request the limiter let through too early would
surface as a RateLimitError.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from altegio_async import AltegioClient, RateLimitError, RetryPolicy, UsageError
from altegio_async.custom._limiter import shared_limiter
from altegio_async.sandbox import Sandbox

NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def strict() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:  # Altegio's limits, enforced
        yield sandbox


async def five_calls(sandbox: Sandbox) -> list[float]:
    """Five calls at once through a client of this loop; when each was answered."""
    async with AltegioClient(**sandbox.client_kwargs(), retry=NO_RETRY) as client:

        async def one() -> float:
            await client.dictionaries.get_country_list()
            return time.monotonic()

        return list(await asyncio.gather(*(one() for _ in range(5))))


def test_a_second_asyncio_run_sees_the_first_ones_requests(strict: Sandbox) -> None:
    first = asyncio.run(five_calls(strict))
    second = asyncio.run(five_calls(strict))  # a new loop, within the same second
    assert strict.windows.rejected == 0
    # the second batch waited for the first to leave the 1 s window
    assert min(second) - min(first) >= 1.0


def test_threads_with_their_own_loops_share_one_budget(strict: Sandbox) -> None:
    errors: list[BaseException] = []
    answered: list[float] = []

    def worker() -> None:
        try:
            answered.extend(asyncio.run(five_calls(strict)))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and len(answered) == 20
    assert strict.windows.rejected == 0
    host = strict.base_url.split("//")[1].split("/")[0]
    assert shared_limiter(host).acquired == 20  # one budget counted all of them


def test_rejections_are_what_the_shared_budget_prevents(strict: Sandbox) -> None:
    """The baseline: per-loop limiters (what each asyncio.run() had before) let the
    second run through inside the same second, and the server refuses it."""
    from altegio_async import AltegioRateLimiter

    async def five_with_own_limiter() -> int:
        limiter = AltegioRateLimiter()
        async with AltegioClient(
            **strict.client_kwargs(), retry=NO_RETRY, limiter=limiter
        ) as client:
            results = await asyncio.gather(
                *(client.dictionaries.get_country_list() for _ in range(5)),
                return_exceptions=True,
            )
        return sum(isinstance(r, RateLimitError) for r in results)

    assert asyncio.run(five_with_own_limiter()) == 0
    assert asyncio.run(five_with_own_limiter()) == 5


def test_a_client_used_from_another_loop_says_so(strict: Sandbox) -> None:
    def from_another_loop(client: AltegioClient) -> BaseException | None:
        try:
            asyncio.run(client.dictionaries.get_country_list())
        except BaseException as exc:
            return exc
        return None

    async def scenario() -> BaseException | None:
        async with AltegioClient(**strict.client_kwargs()) as client:
            await client.dictionaries.get_country_list()  # its connections live in this loop
            error = await asyncio.to_thread(from_another_loop, client)
            await client.dictionaries.get_country_list()  # and it still works here
        return error

    error = asyncio.run(scenario())
    assert isinstance(error, UsageError) and "one client per event loop" in str(error)


def test_waiters_from_two_loops_are_served_in_order() -> None:
    from altegio_async import AltegioRateLimiter

    limiter = AltegioRateLimiter(per_second=1, per_minute=100, second=0.05, margin=0)
    asked: list[tuple[float, str]] = []
    admitted: list[str] = []
    lock = threading.Lock()

    async def take(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        for _ in range(3):
            with lock:
                asked.append((time.monotonic(), name))
            await limiter.acquire()
            with lock:
                admitted.append(name)
            await asyncio.sleep(0.013)  # the request

    threads = [
        threading.Thread(target=asyncio.run, args=(take("a", 0.0),)),
        threading.Thread(target=asyncio.run, args=(take("b", 0.02),)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(admitted) == 6
    # first come (across both loops), first served
    assert admitted == [name for _, name in sorted(asked)]
    assert admitted.count("a") == admitted.count("b") == 3
