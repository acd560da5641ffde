"""A real ``k39docs serve`` on a random loopback port, as an integrator meets it: it starts with
LibreOffice (waited for on /health, never a sleep), needs its token, validates, renders a
demo-signed dossier.pdf that poppler accepts into files only its user can read, and stops on
SIGTERM; bound to a network address without a token it refuses to start; with LibreOffice
missing, /health says 503.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
IMAGES = sorted((ROOT / "fixtures" / "images").glob("*.png"))
K39 = [sys.executable, "-m", "k39docs"]
TOKEN = "ma-thu-nghiem-rat-dai"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env: dict, tmp: Path, *args: str):
    """Start the service; wait until /health answers at all; the process and its base URL."""
    port = _free_port()
    log = open(tmp / f"serve-{port}.log", "wb")
    proc = subprocess.Popen(
        [*K39, "serve", "--port", str(port), *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp,
    )
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 120
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AssertionError((tmp / f"serve-{port}.log").read_text(errors="replace"))
        try:
            httpx.get(f"{base}/health", timeout=2)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("the service did not answer on /health in 120 s")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("live")
    jobs = tmp / "jobs"
    env = {**os.environ, "K39_API_TOKEN": TOKEN, "K39_JOBS_DIR": str(jobs)}
    proc, base = _serve(env, tmp)
    client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
    end = time.monotonic() + 120
    while client.get("/health").status_code != 200:  # LibreOffice starts with the service
        assert time.monotonic() < end, client.get("/health").text
        time.sleep(0.1)
    yield client, jobs
    client.close()
    _stop(proc)
    # uvicorn ends by raising the signal again once shut down (systemd counts it as clean)
    assert proc.returncode in (0, -signal.SIGTERM)
    assert not any(jobs.iterdir()), "a stopped service leaves no job's files behind"


def _parts(text: str) -> list:
    return [("dossier", ("hoso.yaml", text.encode("utf-8"), "application/yaml"))] + [
        ("files", (f"images/{p.name}", p.read_bytes(), "image/png")) for p in IMAGES
    ]


def test_a_wrong_token_is_401(service):
    client, _jobs = service
    base = str(client.base_url)
    assert httpx.get(f"{base}/api/v1/schema").status_code == 401
    assert (
        httpx.get(f"{base}/api/v1/schema", headers={"Authorization": "Bearer sai"}).status_code
        == 401
    )
    assert httpx.get(f"{base}/health").status_code == 200  # probes need no token


def test_validate_good_and_bad(service):
    client, _jobs = service
    text = SAMPLE.read_text(encoding="utf-8")
    good = client.post("/api/v1/validate", files=_parts(text))
    assert good.status_code == 200 and good.json()["eligible"] is True
    bad = client.post(
        "/api/v1/validate",
        files=_parts(text.replace("party_member: true", "party_member: maybe", 1)),
    )
    assert bad.status_code == 422
    issue = bad.json()["issues"][0]
    assert issue["path"] == "candidates[0].party_member" and issue["line"] > 80


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_render_to_a_signed_dossier_in_files_only_the_service_user_reads(service, tmp_path):
    client, jobs = service
    created = client.post("/api/v1/renders", files=_parts(SAMPLE.read_text(encoding="utf-8")))
    assert created.status_code == 202, created.text
    url = created.json()["status_url"]
    end = time.monotonic() + 240
    while (job := client.get(url).json())["status"] in ("queued", "running"):
        assert time.monotonic() < end
        time.sleep(0.2)
    assert job["status"] == "done", job
    pdf = tmp_path / "dossier.pdf"
    pdf.write_bytes(client.get(f"{url}/files/dossier.pdf").content)
    check = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, timeout=60)
    assert check.stdout.count("Signature is Valid.") == 2, check.stdout
    folder = jobs / job["id"]
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}: others can read a dossier"


def test_a_network_address_without_a_token_does_not_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "K39_API_TOKEN"}
    done = subprocess.run(
        [*K39, "serve", "--host", "0.0.0.0", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "K39_API_TOKEN" in done.stderr and "không mở dịch vụ" in done.stderr


def test_health_is_503_while_libreoffice_is_missing(tmp_path):
    env = {**os.environ, "K39_SOFFICE": str(tmp_path / "khong-co-soffice")}
    env.pop("K39_API_TOKEN", None)
    proc, base = _serve(env, tmp_path)
    try:
        answer = httpx.get(f"{base}/health", timeout=10)
        assert answer.status_code == 503
        assert answer.json()["libreoffice"] == "down"
    finally:
        _stop(proc)


def test_the_service_process_imports_what_a_render_uses_and_freezes_it():
    """`serve` leaves its start-up objects (the modules a render uses among them) out of the
    garbage collections that follow each job: they are imported and frozen before it serves."""
    probe = (
        "import gc, sys\n"
        "from k39docs.service.app import RENDER_MODULES, freeze_start_up\n"
        "freeze_start_up()\n"
        "print(gc.get_freeze_count(), all(name in sys.modules for name in RENDER_MODULES),"
        " 'pyhanko.sign' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) > 50_000 and out[1:] == ["True", "True"]
