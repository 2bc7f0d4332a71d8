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
    from altegio_async.api.services import get_service as v1op
    from altegio_async.api.v2_services import v2_get_service as v2op


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
            staff = client.with_business_token("u")
            v1: v1op.Result = await staff.services.get_service(location_id=1, service_id=2)
            v2: v2op.Result = await staff.v2.services.get_service(location_id=1, service_id=2)
            print(data, raw.meta, SlotUnavailableError, v1, v2)
    """
)

SANDBOX_SMOKE = textwrap.dedent(
    """
    import asyncio
    from altegio_async import AltegioClient
    from altegio_async.sandbox import Sandbox

    async def main(sandbox: Sandbox) -> None:
        async with AltegioClient(**sandbox.client_kwargs()) as client:
            assert len(await client.dictionaries.get_country_list()) > 0

    with Sandbox() as sandbox:
        asyncio.run(main(sandbox))
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
        # Without the extra, the sandbox says which extra it needs.
        missing = subprocess.run(
            [python, "-c", "import altegio_async.sandbox"], cwd=work, capture_output=True, text=True
        )
        assert "pip install 'altegio-async[sandbox]'" in missing.stderr, missing.stderr
        missing = subprocess.run(
            [python, "-c", "import altegio_async.redis_limiter"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        assert "pip install 'altegio-async[redis]'" in missing.stderr, missing.stderr
        missing = subprocess.run(
            [python, "-c", "import altegio_async.custom.workers"],
            cwd=work,
            capture_output=True,
            text=True,
        )
        assert "pip install 'altegio-async[queue]'" in missing.stderr, missing.stderr
        subprocess.run([python, "-m", "pip", "install", "-q", f"{wheel}[sandbox]"], check=True)
        subprocess.run([python, "-c", SANDBOX_SMOKE], cwd=work, check=True)
        size = wheel.stat().st_size / 1024
        print(
            f"wheel-check: {wheel.name} ({size:.0f} KiB) installs, imports and passes mypy "
            "--strict; [sandbox] runs"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
