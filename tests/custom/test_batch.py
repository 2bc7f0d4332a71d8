"""run_batch: bounded concurrency, input order, per-item errors, progress, cancellation."""

from __future__ import annotations

import asyncio
import random

import pytest

from altegio_async import NotFoundError, Outcome, Progress, UsageError, run_batch


async def test_results_in_input_order_with_errors_kept() -> None:
    async def work(i: int) -> int:
        await asyncio.sleep(random.uniform(0, 0.002))
        if i % 7 == 3:
            raise NotFoundError(f"no {i}", status_code=404, method="GET", url=f"/x/{i}")
        return i * 10

    result = await run_batch(work, range(100), concurrency=9)
    assert [o.index for o in result.outcomes] == list(range(100))
    assert [o.item for o in result.outcomes] == list(range(100))
    assert result.values == [None if i % 7 == 3 else i * 10 for i in range(100)]
    assert [o.item for o in result.failures] == [i for i in range(100) if i % 7 == 3]
    assert all(isinstance(o.error, NotFoundError) for o in result.failures)
    with pytest.raises(NotFoundError, match="no 3"):
        result.raise_first()


async def test_concurrency_is_bounded_and_tasks_are_not_one_per_item() -> None:
    running = peak = peak_tasks = 0

    async def work(i: int) -> None:
        nonlocal running, peak, peak_tasks
        running += 1
        peak = max(peak, running)
        peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
        await asyncio.sleep(0)
        running -= 1

    items = (i for i in range(10_000))  # a generator: length unknown
    result = await run_batch(work, items, concurrency=16)
    assert len(result.outcomes) == 10_000
    assert peak == 16
    assert peak_tasks <= 16 + 1  # the workers and this test's task


async def test_progress_is_reported_after_every_item() -> None:
    seen: list[Progress] = []

    async def work(i: int) -> int:
        if i == 2:
            raise ValueError("bad item")
        return i

    await run_batch(work, [0, 1, 2, 3], concurrency=2, on_progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3, 4]
    assert seen[-1].failed == 1 and seen[-1].total == 4
    assert seen[-1].rate >= 0


async def test_fail_fast_raises_the_first_error_and_stops() -> None:
    started: list[int] = []

    async def work(i: int) -> int:
        started.append(i)
        if i == 5:
            raise ValueError("item 5")
        await asyncio.sleep(0.01)
        return i

    with pytest.raises(ValueError, match="item 5"):
        await run_batch(work, range(1000), concurrency=4, fail_fast=True)
    assert len(started) < 20


async def test_cancelling_the_batch_cancels_calls_in_flight() -> None:
    cancelled = 0

    async def work(i: int) -> None:
        nonlocal cancelled
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled += 1
            raise

    task = asyncio.create_task(run_batch(work, range(100), concurrency=5))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled == 5


async def test_a_cancelled_batch_leaves_the_finished_outcomes() -> None:
    """``on_outcome`` sees every item that ended before the cancel, errors included."""
    release = asyncio.Event()

    async def work(i: int) -> int:
        if i % 4 == 3:
            raise NotFoundError("gone", status_code=404, method="GET", url=f"/x/{i}")
        if i >= 6:
            await release.wait()  # still running when the batch is cancelled
        return i * 10

    done: list[Outcome[int, int]] = []
    settled = asyncio.Event()

    def keep(outcome: Outcome[int, int]) -> None:
        done.append(outcome)
        if len(done) == 7:  # 0-5 and 7 end at once; 6, 8 and 9 wait
            settled.set()

    task = asyncio.create_task(run_batch(work, range(10), concurrency=10, on_outcome=keep))
    await settled.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(o.index for o in done) == [0, 1, 2, 3, 4, 5, 7]
    assert {o.index: o.value for o in done if o.ok} == {0: 0, 1: 10, 2: 20, 4: 40, 5: 50}
    assert all(isinstance(o.error, NotFoundError) for o in done if not o.ok)


async def test_bad_concurrency_and_empty_input() -> None:
    async def work(i: int) -> int:
        return i

    with pytest.raises(UsageError, match="concurrency"):
        await run_batch(work, [1], concurrency=0)
    assert (await run_batch(work, [])).outcomes == []
