"""The warm server behind ``k39docs render``: real commands, a real server process, real
LibreOffice; each test's server lives in a private runtime folder and is stopped at the end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import softhsm
import yaml
from signing_support import pki  # noqa: F401  (fixture)

from k39docs import server

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


@pytest.fixture
def env(tmp_path):
    """The environment of a clerk's shell: servers allowed, a cache and runtime folder of this
    test's own (a Unix socket path must stay short, hence /tmp)."""
    runtime = Path(tempfile.mkdtemp(prefix="k39s-", dir="/tmp"))
    environ = {k: v for k, v in os.environ.items() if k != "K39_NO_SERVER"}
    environ.update(K39_CACHE_DIR=str(tmp_path / "cache"), XDG_RUNTIME_DIR=str(runtime))
    yield environ
    k39("server", "--stop", env=environ)
    shutil.rmtree(runtime, ignore_errors=True)


def k39(*args, env, cwd=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "k39docs", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, **kwargs)


def status(env) -> dict | None:
    result = k39("server", "--status", env=env)
    return json.loads(result.stdout) if result.returncode == 0 else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_which_commands_go_to_the_server(monkeypatch):
    monkeypatch.delenv("K39_NO_SERVER", raising=False)
    assert server.wanted(["render", "hoso.yaml"])
    assert not server.wanted(["render", "hoso.yaml", "--no-server"])
    assert not server.wanted(["render", "--help"])
    assert not server.wanted(["validate", "hoso.yaml"])
    assert not server.wanted([])
    monkeypatch.setenv("K39_NO_SERVER", "1")
    assert not server.wanted(["render", "hoso.yaml"])


def test_another_environment_or_changed_code_gets_another_server(monkeypatch, tmp_path):
    first = server.identity()
    monkeypatch.setenv("K39_SOFFICE", "/opt/other/soffice")
    assert server.identity() != first
    monkeypatch.delenv("K39_SOFFICE")
    monkeypatch.setenv("K39_SIGN_PIN", "1234")  # applied per command, not part of the identity
    assert server.identity() == first
    source = Path(server.__file__)
    stat = source.stat()
    try:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        edited = server.identity()  # an edited or upgraded k39docs: same setting, other code
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert edited != first and edited.split("-")[0] == first.split("-")[0]
    assert server.identity() == first


def test_a_new_server_stops_the_ones_of_older_code_in_the_same_setting(tmp_path):
    """Fake servers (listening sockets that record what they are sent) of the same setting and
    of another; starting ``new`` asks only the same setting's older one to stop."""
    import socket
    import threading

    heard: dict[str, bytes] = {}

    def fake(name: str) -> threading.Thread:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(tmp_path / f"{name}.sock"))
        listener.listen(1)
        listener.settimeout(1)  # (the other setting's is never called)

        def serve_one():
            with listener:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    return
                with conn:
                    heard[name] = conn.recv(100)

        thread = threading.Thread(target=serve_one)
        thread.start()
        return thread

    threads = [fake("aaaa-0000old"), fake("bbbb-0000old")]
    for name in ("aaaa-0000old", "bbbb-0000old"):
        (tmp_path / f"{name}.log").write_text("")
    server._stop_replaced(tmp_path / "aaaa-1111new.sock")
    for thread in threads:
        thread.join()
    assert heard == {"aaaa-0000old": b'{"stop": true}\n'}
    assert not (tmp_path / "aaaa-0000old.log").exists()
    assert (tmp_path / "bbbb-0000old.log").exists()  # another setting's server goes on


@pytest.mark.soffice
def test_render_goes_to_one_warm_server_and_a_rerun_converts_only_the_change(env, tmp_path):
    dossier = tmp_path / "hoso.yaml"
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    first = k39("render", "hoso.yaml", "-o", "out", env=env, cwd=tmp_path)  # a relative path
    assert first.returncode == 0, first.stderr
    assert "Đã tạo" in first.stdout and "đã ký số" in first.stdout
    state = status(env)
    assert state is not None and state["commands"] == 1
    assert state["package"] == str(Path(server.__file__).parent)  # the same k39docs
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["signed"] and manifest["cache_hits"] == 0
    signed = subprocess.run(["pdfsig", tmp_path / "out" / "dossier.pdf"], capture_output=True,
                            text=True)
    assert "Signature is Valid" in signed.stdout

    # the same files as a render in the command's own process
    alone = k39("render", "hoso.yaml", "-o", "alone", "--no-server", "--no-cache", env=env,
                cwd=tmp_path)
    assert alone.returncode == 0, alone.stderr
    solo = json.loads((tmp_path / "alone" / "manifest.json").read_text(encoding="utf-8"))
    assert status(env)["commands"] == 1  # --no-server did not go to it
    docx = lambda m: {f["path"]: f["sha256"] for f in m["files"] if f["format"] == "docx"}  # noqa: E731
    assert docx(solo) == docx(manifest)
    assert ({f["path"]: f["pages"] for f in solo["files"]}
            == {f["path"]: f["pages"] for f in manifest["files"]})

    data["candidates"][0]["position"] = "Phó Giám đốc Sở Tư pháp"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    again = k39("render", "hoso.yaml", "-o", "out", "-q", env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""  # -q went along
    after = status(env)
    assert after["pid"] == state["pid"] and after["commands"] == 2
    rerun = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    changed = {f["path"] for f in rerun["files"] if f["format"] == "docx"
               and docx(rerun)[f["path"]] != docx(manifest)[f["path"]]}
    assert "docx/cam-ket-ca01.docx" in changed and "docx/cam-ket-ca02.docx" not in changed
    documents = len(docx(rerun))
    assert rerun["cache_hits"] >= documents - len(changed)

    # each command runs with its caller's environment, which the server does not keep
    secret_env = {**env, "K39_NO_CACHE": "1", "K39_TEST_SECRET": "s3cret"}
    uncached = k39("render", "hoso.yaml", "-o", "out", "-q", env=secret_env, cwd=tmp_path)
    assert uncached.returncode == 0, uncached.stderr
    assert status(env)["commands"] == 3  # the same server
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache_hits"] == 0
    environ = Path(f"/proc/{state['pid']}/environ").read_bytes()
    assert b"K39_TEST_SECRET" not in environ and b"K39_NO_CACHE" not in environ

    # the garbage of the last command is collected once the server is idle a moment
    deadline = time.monotonic() + server.SETTLE_S + 10
    while status(env)["objects_set_aside"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status(env)["objects_set_aside"] == 0

    stopped = k39("server", "--stop", env=env)
    assert stopped.returncode == 0 and "Đã dừng" in stopped.stdout
    assert _wait_gone(state["pid"])
    assert status(env) is None
    assert not list(Path(env["XDG_RUNTIME_DIR"]).glob("k39docs/*.sock"))


@pytest.mark.soffice
def test_bad_input_through_the_server_is_the_same_error_and_the_server_goes_on(env, tmp_path):
    bad = tmp_path / "hoso.yaml"
    bad.write_text("id: x\ncandidates: 3\n", encoding="utf-8")
    result = k39("render", bad, "-o", tmp_path / "out", env=env)
    assert result.returncode == 2
    assert "trường `candidates` (dòng 2)" in result.stderr
    assert not (tmp_path / "out").exists()
    assert status(env)["commands"] == 1
    result = k39("render", tmp_path / "missing.yaml", env=env)
    assert result.returncode == 2 and "không tìm thấy tệp" in result.stderr
    assert status(env)["commands"] == 2


@pytest.mark.soffice
def test_a_caller_gone_mid_render_leaves_nothing_half_written(env, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "k39docs", "render", SAMPLE, "-o",
                             tmp_path / "out"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("Tạo ")  # the server is rendering
    proc.send_signal(signal.SIGINT)  # the clerk's Ctrl-C
    proc.wait(timeout=30)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (status(env) or {}).get("commands") != 1:
        time.sleep(0.2)
    state = status(env)
    assert state is not None and state["commands"] == 1  # it answers the next caller
    leftovers = [p.name for p in tmp_path.iterdir() if "k39-stage" in p.name]
    assert leftovers == []
    # the render either stopped (no output) or had finished before the caller left (whole)
    if (tmp_path / "out").exists():
        assert (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.soffice
def test_the_server_stops_when_idle_and_a_dead_one_is_replaced(env, tmp_path):
    env["K39_SERVER_IDLE"] = "2"  # (the fixture's dict: it stops the last server left)
    result = k39("render", SAMPLE, "-o", tmp_path / "a", "--format", "docx", "-q", env=env)
    assert result.returncode == 0, result.stderr
    pid = status(env)["pid"]
    assert _wait_gone(pid, seconds=60)
    sockets = lambda: list(Path(env["XDG_RUNTIME_DIR"]).glob("k39docs/*.sock"))  # noqa: E731
    assert sockets() == []

    # a server killed outright leaves its socket behind; the next render starts a new one
    env["K39_SERVER_IDLE"] = "600"
    result = k39("render", SAMPLE, "-o", tmp_path / "b", "--format", "docx", "-q", env=env)
    assert result.returncode == 0, result.stderr
    pid = status(env)["pid"]
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    assert _wait_gone(pid)
    assert sockets()
    result = k39("render", SAMPLE, "-o", tmp_path / "c", "--format", "docx", "-q", env=env)
    assert result.returncode == 0, result.stderr
    assert status(env)["pid"] != pid


def test_missing_libreoffice_through_the_server_exits_2_with_the_install_hint(env, tmp_path):
    env["K39_SOFFICE"] = str(tmp_path / "no-soffice")  # (the fixture stops this one's server)
    result = k39("render", SAMPLE, "-o", tmp_path / "out", env=env)
    assert result.returncode == 2
    assert "apt-get install libreoffice-writer-nogui" in result.stderr
    assert not (tmp_path / "out").exists()
    assert status(env)["commands"] == 1  # the server started all the same, and answered


def test_a_server_run_in_the_foreground_serves_renders_and_stops_on_request(env, tmp_path):
    """`k39docs server` as a service runs it; renders use it instead of starting their own."""
    foreground = subprocess.Popen([sys.executable, "-m", "k39docs", "server", "--idle", "0"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while status(env) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status(env)["pid"] == foreground.pid
        again = k39("server", env=env)  # a second one for the same setting is refused
        assert again.returncode == 2 and "đã chạy" in again.stderr
        result = k39("render", SAMPLE, "-o", tmp_path / "out", "--format", "docx", "-q", env=env)
        assert result.returncode == 0, result.stderr
        assert status(env)["commands"] == 1
        assert k39("server", "--stop", env=env).returncode == 0
        assert foreground.wait(timeout=60) == 0
    finally:
        if foreground.poll() is None:
            foreground.kill()


def test_handing_a_render_over_loads_neither_typer_nor_the_rendering_code(env, tmp_path):
    """The command that hands a render to the server stays light (a tenth of a second of
    imports saved on every re-render)."""
    heavy = ("typer", "pydantic", "pypdf", "docxtpl", "k39docs.cli", "k39docs.render")
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: print([m for m in {heavy!r} if m in sys.modules],"
            " file=sys.stderr))\n"
            f"sys.argv = ['k39docs', 'render', {str(SAMPLE)!r}, '-o', {str(tmp_path / 'out')!r},"
            " '--format', 'docx', '-q']\n"
            "from k39docs.__main__ import main\n"
            "main()\n")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"
    assert status(env)["commands"] == 1
    assert len(list((tmp_path / "out" / "docx").glob("*.docx"))) == 9


def test_a_render_right_after_a_stop_starts_a_new_server(env, tmp_path, monkeypatch):
    """The stopped server's socket is gone when `stop` returns, not once its LibreOffice has
    stopped: a render coming then starts a new server instead of queueing at one that closes
    without answering."""
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # this test's setting, in this process too
    result = k39("render", SAMPLE, "-o", tmp_path / "a", "-q", env=env)
    assert result.returncode == 0, result.stderr
    pid = status(env)["pid"]
    assert server.stop()
    assert not server.socket_path().exists()  # its LibreOffice may still be stopping
    result = k39("render", SAMPLE, "-o", tmp_path / "b", "--format", "docx", "-q", env=env)
    assert result.returncode == 0, result.stderr
    state = status(env)
    assert state["pid"] != pid and state["commands"] == 1


@pytest.mark.soffice
@pytest.mark.softhsm
@pytest.mark.skipif(not softhsm.available(), reason="SoftHSM2 (softhsm2-util) not installed")
def test_a_token_pin_goes_with_each_command_and_stays_with_it(env, tmp_path, pki,  # noqa: F811
                                                              monkeypatch):
    """A dossier signed on a PKCS#11 token (SoftHSM2): the PIN is in the caller's environment
    for that command only; the next command without it is refused, naming the variable."""
    monkeypatch.setenv("SOFTHSM2_CONF", "")  # make_token points it at its own token folder
    key, cert = pki.issue("Ủy ban nhân dân tỉnh Quảng Ngãi")
    token = softhsm.make_token(tmp_path / "hsm", key, cert)
    env["SOFTHSM2_CONF"] = str(token.conf)
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data["signing"] = {
        "pkcs11": {"library": token.library, "token": token.label, "key_label": token.key_label,
                   "pin_env": "K39_TEST_TOKEN_PIN"},
        "signature_image": "images/chu-ky.png", "seal_image": "images/con-dau.png",
    }
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    dossier = tmp_path / "hoso.yaml"
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    signed = k39("render", dossier, "-o", tmp_path / "out", "-q",
                 env={**env, "K39_TEST_TOKEN_PIN": token.pin})
    assert signed.returncode == 0, signed.stderr
    check = subprocess.run(["pdfsig", tmp_path / "out" / "dossier.pdf"], capture_output=True,
                           text=True)
    assert check.stdout.count("Signature is Valid") == 2
    assert "Ủy ban nhân dân tỉnh Quảng Ngãi" in check.stdout

    refused = k39("render", dossier, "-o", tmp_path / "again", env=env)
    assert refused.returncode == 2
    assert "K39_TEST_TOKEN_PIN" in refused.stderr and token.pin not in refused.stderr
    assert not (tmp_path / "again").exists()
    state = status(env)
    assert state["commands"] == 2
    environ = Path(f"/proc/{state['pid']}/environ").read_bytes()
    assert b"K39_TEST_TOKEN_PIN" not in environ
