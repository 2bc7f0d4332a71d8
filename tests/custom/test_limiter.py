"""AltegioRateLimiter under simulated time: window guarantees, budget use, fairness.

The limiter reads the virtual loop's clock (``clock=``), so minutes of traffic run
in milliseconds, exactly.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from altegio_async import AltegioClient, AltegioRateLimiter, UsageError
from altegio_async.custom._limiter import Policy
from tests._virtual_time import run_virtual


def limiter_here(**settings: Any) -> AltegioRateLimiter:
    """A limiter on the running (virtual) loop's clock."""
    return AltegioRateLimiter(clock=asyncio.get_running_loop().time, **settings)


def optimum_span(n: int, per_second: int = 5, per_minute: int = 200) -> float:
    """First to last admission of n requests under Altegio's two windows, at best:
    groups of 5 a second until 200 in a minute, then the next minute."""
    last = n - 1
    minutes, within = divmod(last, per_minute)
    return minutes * 60.0 + (within // per_second) * 1.0


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of times within any half-open window of this length (two
    admissions exactly a window apart, to float rounding, are in different windows)."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - window + 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


async def admit_times(limiter: AltegioRateLimiter, n: int, workers: int) -> list[float]:
    loop = asyncio.get_running_loop()
    times: list[float] = []
    remaining = iter(range(n))

    async def worker() -> None:
        for _ in remaining:
            await limiter.acquire()
            times.append(loop.time())
            await asyncio.sleep(random.uniform(0, 0.05))  # the request itself

    await asyncio.gather(*(worker() for _ in range(workers)))
    return times


@pytest.mark.parametrize("policy", ["contract", "smooth"])
@pytest.mark.parametrize("workers", [1, 5, 50])
def test_never_more_than_5_per_second_or_200_per_minute(workers: int, policy: Policy) -> None:
    async def scenario() -> list[float]:
        return await admit_times(limiter_here(margin=0, policy=policy), 1000, workers)

    times = run_virtual(scenario())
    assert len(times) == 1000
    assert most_in_any_window(times, 1.0) == 5
    assert 195 <= most_in_any_window(times, 60.0) <= 200
    span = max(times) - min(times)
    if policy == "contract":  # the documented contract, used to the full
        assert most_in_any_window(times, 60.0) == 200
        assert span == pytest.approx(optimum_span(1000), rel=0.002)  # requests take time
    else:  # evenly paced after the first burst: (1000 - 5) / (195 / 60) s
        assert span == pytest.approx((1000 - 5) / (195 / 60), rel=0.01)


BATCHES = [
    (230, "contract", 1.0),
    (230, "smooth", 0.935),
    (200, "contract", 1.0),
    (605, "contract", 1.0),
]


@pytest.mark.parametrize(("calls", "policy", "ratio"), BATCHES)
def test_a_batch_against_the_optimum(calls: int, policy: Policy, ratio: float) -> None:
    """230 calls: 65 s at best (200 at 5/s in 39 s, then the minute); the smooth policy
    paces at 3.25/s from the start."""

    async def scenario() -> list[float]:
        return await admit_times(limiter_here(margin=0, policy=policy), calls, 10)

    times = run_virtual(scenario())
    achieved = optimum_span(calls) / (max(times) - min(times))
    assert achieved == pytest.approx(ratio, abs=0.005)


def test_margin_widens_the_windows() -> None:
    async def scenario() -> list[float]:
        return await admit_times(limiter_here(margin=0.2), 300, 10)

    times = run_virtual(scenario())
    assert most_in_any_window(times, 1.2) == 5
    assert 195 <= most_in_any_window(times, 60.2) <= 200


def test_a_fresh_limiter_lets_a_burst_of_5_through_at_once() -> None:
    async def scenario() -> tuple[list[float], AltegioRateLimiter]:
        limiter = limiter_here()
        return await admit_times(limiter, 6, 6), limiter

    times, limiter = run_virtual(scenario())
    assert times[:5] == [times[0]] * 5
    assert times[5] > times[0]
    assert (limiter.acquired, limiter.delayed) == (6, 1)


def test_the_smooth_pace_counts_a_request_from_its_admission() -> None:
    # Several event loops each have their own pace but share the windows; a request
    # counted in them from when it asked, before the pace held it back, let later
    # ones through too early (429s from 4 threads, make bench section 6).
    async def scenario() -> tuple[list[float], AltegioRateLimiter]:
        loop = asyncio.get_running_loop()
        limiter = limiter_here(policy="smooth", margin=0)
        await asyncio.gather(*(limiter.acquire() for _ in range(5)))  # the first burst
        await asyncio.sleep(1.0)  # the windows have room again, the pace not for 5
        times: list[float] = [loop.time()]

        async def one() -> None:
            await limiter.acquire()
            times.append(loop.time())

        await asyncio.gather(*(one() for _ in range(5)))
        return times, limiter

    (asked, *times), limiter = run_virtual(scenario())
    assert times[0] == asked and times[-1] > asked  # some were held back by the pace
    assert list(limiter._admitted)[5:] == times  # in the windows from their admission
    assert limiter.total_wait == pytest.approx(sum(t - asked for t in times))


def test_waiters_are_served_first_come_first_served() -> None:
    async def scenario() -> list[int]:
        limiter = limiter_here()
        order: list[int] = []

        async def one(i: int) -> None:
            await limiter.acquire()
            order.append(i)

        tasks = []
        for i in range(40):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0)  # each enqueues before the next
        await asyncio.gather(*tasks)
        return order

    assert run_virtual(scenario()) == list(range(40))


def test_a_cancelled_waiter_consumes_nothing() -> None:
    async def scenario() -> tuple[list[float], list[float]]:
        loop = asyncio.get_running_loop()

        async def timeline(cancel: bool) -> list[float]:
            limiter = limiter_here(margin=0)
            start = loop.time()
            for _ in range(5):
                await limiter.acquire()
            doomed = [asyncio.create_task(limiter.acquire()) for _ in range(10)]
            await asyncio.sleep(0.1)
            if cancel:
                for task in doomed:
                    task.cancel()
                await asyncio.gather(*doomed, return_exceptions=True)
            else:
                await asyncio.gather(*doomed)
            admitted = []
            for _ in range(3):
                await limiter.acquire()
                admitted.append(loop.time() - start)
            return admitted

        return await timeline(cancel=True), await timeline(cancel=False)

    with_cancel, without = run_virtual(scenario())
    # Cancelled: the next three go as soon as the first burst leaves the window.
    assert with_cancel[0] == pytest.approx(1.0)
    assert without[0] >= with_cancel[0] + 2  # had the 10 counted, they would wait


def test_a_429_pauses_every_caller() -> None:
    async def scenario() -> list[float]:
        loop = asyncio.get_running_loop()
        limiter = limiter_here()
        start = loop.time()
        waiting = [asyncio.create_task(limiter.acquire()) for _ in range(3)]
        limiter.pause(30)  # a 429 with Retry-After: 30, seen by one of them
        await asyncio.gather(*waiting)
        return [loop.time() - start]

    [elapsed] = run_virtual(scenario())
    assert elapsed >= 30


def test_a_pause_during_a_wait_is_honoured() -> None:
    async def scenario() -> float:
        loop = asyncio.get_running_loop()
        limiter = limiter_here(margin=0)
        for _ in range(5):
            await limiter.acquire()
        start = loop.time()
        task = asyncio.create_task(limiter.acquire())  # would go at +1 s
        await asyncio.sleep(0.5)
        limiter.pause(10)
        await task
        return loop.time() - start

    assert run_virtual(scenario()) >= 10.5


def test_bad_settings_are_refused() -> None:
    async def scenario() -> None:
        with pytest.raises(UsageError, match="per_second"):
            AltegioRateLimiter(per_second=0)
        with pytest.raises(UsageError, match="per_minute"):
            AltegioRateLimiter(per_second=5, per_minute=5)
        with pytest.raises(UsageError, match="bad windows"):
            AltegioRateLimiter(second=2, minute=1)
        with pytest.raises(UsageError, match="policy"):
            AltegioRateLimiter(policy="fast")  # type: ignore[arg-type]

    run_virtual(scenario())


async def test_clients_of_one_process_share_one_limiter_per_host() -> None:
    async with (
        AltegioClient("a", base_url="http://one.example") as first,
        AltegioClient("b", base_url="http://one.example") as second,
        AltegioClient("c", base_url="http://two.example") as other_host,
    ):
        shared = first._core.limiter("https://api.alteg.io")
        assert shared is not None and shared is second._core.limiter("https://api.alteg.io")
        assert other_host._core.limiter("https://api.alteg.io") is not shared
        assert first.with_user_token("u")._core.limiter("https://api.alteg.io") is shared
        own = AltegioRateLimiter()
        async with AltegioClient("d", base_url="http://one.example", limiter=own) as mine:
            assert mine._core.limiter("https://api.alteg.io") is own
        async with AltegioClient("e", rate_limit=False) as unlimited:
            assert unlimited._core.limiter("https://api.alteg.io") is None
