"""Through the HTTP service: a 100-candidate dossier rendered cold, then again after one
candidate's position changed, the second as a share of the first (target: at most 15 %). The
change is made ``CHANGES`` times, one candidate after another, each render timed: the median is
the one compared (a single render of under half a second moves by a tenth between runs).

Starts a real ``k39docs serve`` on a free loopback port with an empty content cache, waits for
/health, times each job from its POST to ``done`` (a status request that waits for the end,
``?wait=60``), prints the numbers, stops the
service. Run: ``.venv/bin/python benchmarks/bench_service.py [N]``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from k39docs.synthetic import synthetic_dossier

ROOT = Path(__file__).resolve().parents[1]
IMAGES = sorted((ROOT / "fixtures" / "images").glob("*.png"))
TARGET = 0.15
CHANGES = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _render(client: httpx.Client, data: dict) -> float:
    parts = [("dossier", ("hoso.json", json.dumps(data, default=str).encode(), "application/json"))]
    parts += [("files", (f"images/{p.name}", p.read_bytes(), "image/png")) for p in IMAGES]
    started = time.perf_counter()
    created = client.post("/api/v1/renders", files=parts)
    created.raise_for_status()
    url = created.json()["status_url"]
    while (job := client.get(url, params={"wait": 60}).json())["status"] in ("queued", "running"):
        pass  # the answer comes when the job ends (or after a minute)
    elapsed = time.perf_counter() - started
    if job["status"] != "done":
        raise SystemExit(f"render {job['status']}: {job['error']}")
    return elapsed


def main(n: int = 100) -> None:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="k39-bench-") as tmp:
        env = {**os.environ, "K39_CACHE_DIR": str(Path(tmp) / "cache")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "k39docs", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            data = synthetic_dossier(n)
            cold = _render(client, data)
            after = []
            for k in range(CHANGES):
                data["candidates"][(n // 2 + k) % n]["position"] = "Giám đốc"
                after.append(_render(client, data))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    warm = statistics.median(after)
    share = warm / cold
    print(
        f"service, {n} candidates: cold render {cold:.2f} s; after one position changed "
        f"{warm:.2f} s (median of {', '.join(f'{t:.2f}' for t in after)}) = {share:.1%} of cold "
        f"(target ≤ {TARGET:.0%}) {'OK' if share <= TARGET else 'ABOVE TARGET'}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
