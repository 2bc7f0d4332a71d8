"""Import time: ``import altegio_async`` against ``import httpx``, fresh interpreters.

Each figure is the median of 15 fresh interpreters timing the import statement
alone (``time.perf_counter`` around it), alternating the two modules so a noisy
machine slows both; the SDK imports httpx itself, so the ratio is what the SDK
adds on top of its HTTP library.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 15
PROBE = "import time; s = time.perf_counter(); import {}; print(time.perf_counter() - s)"


def once(module: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module)], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def rows() -> list[str]:
    times: dict[str, list[float]] = {"httpx": [], "altegio_async": []}
    for _ in range(RUNS):
        for module in times:
            times[module].append(once(module))
    httpx_ms = statistics.median(times["httpx"]) * 1e3
    sdk_ms = statistics.median(times["altegio_async"]) * 1e3
    return [
        f"9. import, median of {RUNS} fresh interpreters (target <= 1.5x):",
        f"   import httpx {httpx_ms:.1f} ms, import altegio_async {sdk_ms:.1f} ms "
        f"-> {sdk_ms / httpx_ms:.2f}x",
    ]


if __name__ == "__main__":
    print("\n".join(rows()))
