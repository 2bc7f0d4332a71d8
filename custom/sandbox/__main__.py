"""``python -m altegio_async.sandbox [--port N] [--time-scale S] [--no-rate-limit]``.

``--one-budget`` counts every caller in one set of rate-limit windows (by default
each source address has its own, as Altegio's per-IP limits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import threading

from ._limits import RateLimits
from ._seed import BusinessSeed
from ._server import (
    DEFAULT_BUSINESS_LOGIN,
    DEFAULT_BUSINESS_PASSWORD,
    DEFAULT_LOGIN,
    DEFAULT_PARTNER_TOKEN,
    DEFAULT_PASSWORD,
    Sandbox,
    SandboxConfig,
    today_from_environment,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m altegio_async.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8321)
    parser.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="multiply the 1 s / 60 s rate-limit windows (0.1: ten times faster)",
    )
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument(
        "--one-budget",
        action="store_true",
        help="one set of rate-limit windows for every caller (default: one per source address)",
    )
    parser.add_argument("--team-size", type=int, default=6)
    seed = BusinessSeed()
    parser.add_argument("--locations", type=int, default=seed.locations)
    parser.add_argument("--clients-per-location", type=int, default=seed.clients_per_location)
    parser.add_argument(
        "--appointments-per-location", type=int, default=seed.appointments_per_location
    )
    parser.add_argument(
        "--today",
        type=dt.date.fromisoformat,
        help="the sandbox's today, YYYY-MM-DD (default: $ALTEGIO_SANDBOX_TODAY or the real date)",
    )
    args = parser.parse_args(argv)
    limits = RateLimits(
        time_scale=args.time_scale, enabled=not args.no_rate_limit, per_address=not args.one_budget
    )
    business = BusinessSeed(
        locations=args.locations,
        clients_per_location=args.clients_per_location,
        appointments_per_location=args.appointments_per_location,
    )
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        limits=limits,
        team_size=args.team_size,
        business=business,
        today=args.today or today_from_environment(),
    )
    with Sandbox(config) as sandbox:
        print(f"Altegio sandbox on {sandbox.root_url}")
        print(f"  base_url={sandbox.base_url}  app_base_url={sandbox.app_base_url}")
        print(
            f"  partner token: {DEFAULT_PARTNER_TOKEN}  user: {DEFAULT_LOGIN} / {DEFAULT_PASSWORD}"
        )
        print(f"  business user: {DEFAULT_BUSINESS_LOGIN} / {DEFAULT_BUSINESS_PASSWORD}")
        print("Ctrl-C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
