"""Build the wheel, install it in a fresh venv, import it and type-check a usage file.

Proves the seam: the hand-written custom/ reaches users inside altegio_async.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USAGE = textwrap.dedent(
    """
    from altegio_async import AltegioClient, SlotUnavailableError, ApiResponse
    from altegio_async.api.online_booking import get_services_available_for_booking as op


    async def main() -> None:
        async with AltegioClient(partner_token="t", base_url="http://127.0.0.1:9") as client:
            data: op.Result = await client.online_booking.get_services_available_for_booking(
                location_id=4564
            )
            raw: ApiResponse[op.Result] = (
                await client.with_raw_response.online_booking.get_services_available_for_booking(
                    location_id=4564
                )
            )
            print(data, raw.meta, SlotUnavailableError)
    """
)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="altegio-wheel-") as tmp:
        work = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"), str(ROOT)],
            check=True,
        )
        wheel = next((work / "dist").glob("altegio_async-*.whl"))
        venv.create(work / "venv", with_pip=True)
        python = work / "venv" / "bin" / "python"
        subprocess.run([python, "-m", "pip", "install", "-q", str(wheel), "mypy"], check=True)
        usage = work / "usage.py"
        usage.write_text(USAGE)
        # Run from the temp dir so the repository's own altegio_async cannot be imported.
        subprocess.run(
            [
                python,
                "-c",
                "import altegio_async, altegio_async.custom; print(altegio_async.__file__)",
            ],
            cwd=work,
            check=True,
        )
        subprocess.run([python, "-m", "mypy", "--strict", str(usage)], cwd=work, check=True)
        print(f"wheel-check: {wheel.name} installs, imports and passes mypy --strict")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
