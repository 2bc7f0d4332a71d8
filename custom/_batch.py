"""Many calls with bounded concurrency, results in input order, errors kept per item.

::

    async def slots(member_id: int) -> list[Slot]:
        return await client.online_booking.get_time_slots_for_booking(
            location_id=4564, team_member_id=member_id, date="2026-12-01"
        )

    result = await run_batch(slots, member_ids, concurrency=8, on_progress=print)
    for outcome in result.outcomes:  # same order as member_ids
        ...

Cancelling the batch (Ctrl-C under ``asyncio.run``, a timeout around it) cancels
the calls in flight and raises ``CancelledError`` as usual; the items that had
finished are not lost if you pass ``on_outcome``, which gets each Outcome the
moment its call ends::

    done: list[Outcome[int, list[Slot]]] = []
    try:
        await run_batch(slots, member_ids, on_outcome=done.append)
    finally:
        save(done)  # every finished item, whether or not the batch was cancelled

``concurrency`` worker tasks pull items from the iterable as they go, so a batch
of 100,000 items holds ``concurrency`` tasks, not 100,000; the client's rate
limiter decides how fast they actually run.  A failing item is recorded and the
batch goes on, unless ``fail_fast=True``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Generic, TypeVar

import attrs

from ._errors import UsageError

I = TypeVar("I")  # noqa: E741 - the conventional name for an item type
T = TypeVar("T")


@attrs.frozen
class Outcome(Generic[I, T]):
    """One item's result: ``value`` if it succeeded, ``error`` if it raised."""

    index: int
    item: I
    value: T | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        """True when the item's call succeeded."""
        return self.error is None


@attrs.frozen
class Progress:
    """Passed to ``on_progress`` after every item."""

    done: int
    failed: int
    total: int | None
    elapsed: float

    @property
    def rate(self) -> float:
        """Items finished per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


@attrs.frozen
class BatchResult(Generic[I, T]):
    """What ``run_batch`` returns: one Outcome per input item, in order, and the time taken."""

    outcomes: list[Outcome[I, T]]
    elapsed: float

    @property
    def values(self) -> list[T | None]:
        """The value of every item, ``None`` where it failed, in input order."""
        return [o.value for o in self.outcomes]

    @property
    def failures(self) -> list[Outcome[I, T]]:
        """The outcomes that failed, in input order."""
        return [o for o in self.outcomes if not o.ok]

    def raise_first(self) -> None:
        """Raise the error of the first failed item, if any."""
        for outcome in self.outcomes:
            if outcome.error is not None:
                raise outcome.error


async def run_batch(
    func: Callable[[I], Awaitable[T]],
    items: Iterable[I],
    *,
    concurrency: int = 8,
    fail_fast: bool = False,
    on_progress: Callable[[Progress], object] | None = None,
    on_outcome: Callable[[Outcome[I, T]], object] | None = None,
) -> BatchResult[I, T]:
    """Call ``func(item)`` for every item, ``concurrency`` at a time.

    With ``fail_fast=True`` the first error cancels the calls in flight, schedules
    nothing more and is raised; otherwise every item runs and errors are in the
    result.  ``on_outcome`` gets each item's Outcome as soon as it is known (in
    completion order), so a cancelled batch still leaves the finished ones with
    you: cancelling cancels the calls in flight and raises ``CancelledError``.
    """
    if concurrency < 1:
        raise UsageError(f"concurrency must be >= 1, got {concurrency}")
    total = len(items) if isinstance(items, list | tuple | range) else None
    source = enumerate(items)
    outcomes: dict[int, Outcome[I, T]] = {}
    started = time.monotonic()
    failed = 0

    async def worker() -> None:
        nonlocal failed
        for index, item in source:  # shared iterator: each item is taken once
            try:
                outcome: Outcome[I, T] = Outcome(index, item, value=await func(item))
            except Exception as exc:
                if fail_fast:
                    raise
                outcome = Outcome(index, item, error=exc)
                failed += 1
            outcomes[index] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
            if on_progress is not None:
                on_progress(Progress(len(outcomes), failed, total, time.monotonic() - started))

    workers = concurrency if total is None else min(concurrency, max(total, 1))
    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(worker())
    except ExceptionGroup as errors:  # only with fail_fast: the first error, unwrapped
        raise errors.exceptions[0] from None
    ordered = [outcomes[i] for i in range(len(outcomes))]
    return BatchResult(ordered, time.monotonic() - started)
