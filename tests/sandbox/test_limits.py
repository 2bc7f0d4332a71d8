"""The sandbox's rate limits: sliding 1 s / 60 s windows per IP, with controlled time."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from altegio_async.sandbox import RateLimits, Sandbox, SandboxConfig, SlidingWindows


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_five_per_second_sliding() -> None:
    clock = Clock()
    windows = SlidingWindows(RateLimits(), clock)
    assert [windows.admit("a") for _ in range(5)] == [None] * 5
    assert windows.admit("a") == 1.0  # sixth in the same instant: wait a full second
    assert windows.admit("b") is None  # per IP
    clock.now += 0.6
    wait = windows.admit("a")
    assert wait is not None and abs(wait - 0.4) < 1e-9
    clock.now += 0.4
    assert windows.admit("a") is None  # the first one left the window
    assert windows.rejected == 2


def test_two_hundred_per_minute_sliding() -> None:
    clock = Clock()
    windows = SlidingWindows(RateLimits(), clock)
    for i in range(200):  # 5 per second for 40 s
        clock.now = 1000.0 + (i // 5)
        assert windows.admit("a") is None, i
    clock.now = 1041.0
    wait = windows.admit("a")
    assert wait is not None and abs(wait - 19.0) < 1e-9  # until the first one is 60 s old
    clock.now = 1060.0
    assert [windows.admit("a") for _ in range(5)] == [None] * 5  # the first second left
    assert windows.admit("a") is not None


def test_time_scale_compresses_both_windows() -> None:
    clock = Clock()
    windows = SlidingWindows(RateLimits(time_scale=0.01), clock)
    for _ in range(5):
        assert windows.admit("a") is None
    wait = windows.admit("a")
    assert wait is not None and abs(wait - 0.01) < 1e-9


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=0.5), min_size=1, max_size=400))
def test_admitted_requests_never_break_a_window(gaps: list[float]) -> None:
    clock = Clock()
    limits = RateLimits(per_second=5, per_minute=20, time_scale=0.1)  # 0.1 s and 6 s windows
    windows = SlidingWindows(limits, clock)
    admitted: list[float] = []
    for gap in gaps:
        clock.now += gap
        before = list(admitted)
        if windows.admit("a") is None:
            admitted.append(clock.now)
        else:  # a rejection must be justified: admitting would have broken a window
            in_second = sum(1 for t in before if t > clock.now - limits.second)
            in_minute = sum(1 for t in before if t > clock.now - limits.minute)
            assert in_second >= limits.per_second or in_minute >= limits.per_minute
    for t in admitted:
        assert sum(1 for u in admitted if t - limits.second < u <= t) <= limits.per_second
        assert sum(1 for u in admitted if t - limits.minute < u <= t) <= limits.per_minute


async def test_http_429_with_retry_after_and_envelope() -> None:
    clock = Clock()
    with Sandbox(SandboxConfig(), clock=clock) as sandbox:
        token = sandbox.client_kwargs()["partner_token"]
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
            url = sandbox.base_url + "/api/v1/countries"
            statuses = [(await http.get(url)).status_code for _ in range(5)]
            rejected = await http.get(url)
            clock.now += 1.0
            after_a_second = await http.get(url)
    assert statuses == [200] * 5
    assert rejected.status_code == 429
    assert rejected.headers["Retry-After"] == "1"
    assert rejected.json() == {
        "success": False,
        "data": None,
        "meta": {"message": "Too many requests. Try again later."},
    }
    assert after_a_second.status_code == 200
    assert [s.status for s in sandbox.seen] == [200] * 5 + [429, 200]


def test_windows_per_source_address_or_one_for_all() -> None:
    clock = Clock()
    apart = SlidingWindows(RateLimits(), clock)
    together = SlidingWindows(RateLimits(per_address=False), clock)
    for windows in (apart, together):
        assert [windows.admit("127.0.0.2") for _ in range(5)] == [None] * 5
    assert apart.admit("127.0.0.3") is None  # an address of its own, a budget of its own
    assert together.admit("127.0.0.3") == 1.0  # one budget: the first address spent it
    assert apart.admitted_by == {"127.0.0.2": 5, "127.0.0.3": 1} and apart.rejected_by == {}
    assert together.rejected_by == {"127.0.0.3": 1}


async def test_clients_bound_to_two_loopback_addresses_get_a_budget_each() -> None:
    """Bound with httpx's own option (``local_address``): the sandbox sees two addresses."""
    clock = Clock()
    for per_address, expected in ((True, [200] * 10), (False, [200] * 5 + [429] * 5)):
        config = SandboxConfig(limits=RateLimits(per_address=per_address))
        with Sandbox(config, clock=clock) as sandbox:
            token = sandbox.client_kwargs()["partner_token"]
            statuses = []
            for address in ("127.0.0.2", "127.0.0.3"):
                transport = httpx.AsyncHTTPTransport(local_address=address)
                async with httpx.AsyncClient(
                    transport=transport, headers={"Authorization": f"Bearer {token}"}
                ) as http:
                    url = sandbox.base_url + "/api/v1/countries"
                    statuses += [(await http.get(url)).status_code for _ in range(5)]
            remotes = [s.remote for s in sandbox.seen]
        assert statuses == expected
        assert remotes == ["127.0.0.2"] * 5 + ["127.0.0.3"] * 5
