"""LibreOffice conversion: warm workers, timeouts, dead workers, and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from k39docs.errors import ConversionError, DependencyError
from k39docs.office import (
    ConvertOptions,
    WorkerPool,
    convert_to_pdf,
    find_soffice,
    find_uno_python,
)

FAKE_BRIDGE = textwrap.dedent("""
    # Stands in for k39docs/office/bridge.py: speaks its protocol, misbehaves on request.
    import json, os, select, sys, time
    log = os.environ["FAKE_LOG"]
    open(log, "a").write(f"start {os.getpid()}\\n")
    print(json.dumps({"ready": True, "soffice_pid": os.getpid()}), flush=True)
    for line in iter(sys.stdin.buffer.raw.readline, b""):  # no read-ahead: select() tells
        req = json.loads(line)
        name = os.path.basename(req["src"])
        marker = os.path.join(os.path.dirname(log), name + ".seen")
        first = not os.path.exists(marker)
        open(marker, "a").write("x")
        if not first:  # a retry: did anything else come with it?
            time.sleep(0.3)
            crowded = select.select([sys.stdin], [], [], 0)[0]
            open(log, "a").write(f"retry {name} {'crowded' if crowded else 'alone'}\\n")
        if name.startswith("hang") and (first or name.startswith("hang-always")):
            time.sleep(3600)
        if name.startswith("slow"):
            time.sleep(1 if name.startswith("slower") else 0.05)
        if name.startswith("die") and first:
            os._exit(9)
        open(req["dst"], "wb").write(b"%PDF-fake " + name.encode())
        print(json.dumps({"ok": True, "ms": 1}), flush=True)
""")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake worker Python: `python FAKE` runs the script above instead of the bridge."""
    script = tmp_path / "fake_bridge.py"
    script.write_text(FAKE_BRIDGE)
    wrapper = tmp_path / "fake-python"
    wrapper.write_text(f"#!/bin/sh\nexec {sys.executable} {script}\n")
    wrapper.chmod(0o755)
    log = tmp_path / "log"
    log.write_text("")
    monkeypatch.setenv("FAKE_LOG", str(log))
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    return wrapper, log


def _docs(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in names:
        path = folder / f"{name}.docx"
        path.write_bytes(b"docx")
        out.append(path)
    return out


def _eventually(condition, failure: str, timeout: float = 30) -> None:
    """Wait until ``condition()`` holds (a process gone, a file there), polling; fail after
    ``timeout`` seconds with ``failure``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(failure)
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def test_hung_conversion_is_killed_and_retried_once(tmp_path, fake):
    python, log = fake
    docs = _docs(tmp_path / "in", ["a", "hang-once", "b"])
    options = ConvertOptions(workers=1, timeout_s=1.5, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        results = [f.result(timeout=30) for f in futures]
        assert pool.restarts == 1
    assert [p.read_bytes() for p in results] == [
        b"%PDF-fake a.docx",
        b"%PDF-fake hang-once.docx",
        b"%PDF-fake b.docx",
    ]
    pids = [
        int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("start")
    ]
    assert len(pids) == 2  # the hung worker was replaced once
    assert not any(_alive(pid) for pid in pids)


def test_abandon_drops_the_queue_waits_for_what_is_held_and_the_pool_goes_on(tmp_path, fake):
    """What a failed render does before removing its staging folder: after abandon() nothing
    more is written, and a kept pool converts the next render's documents."""
    python, _log = fake
    docs = _docs(tmp_path / "in", [f"slow-{i:02d}" for i in range(40)])
    out = tmp_path / "out"
    options = ConvertOptions(workers=1, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        futures = [pool.submit(d, out / f"{d.stem}.pdf") for d in docs]
        futures[0].result(timeout=30)
        pool.abandon()
        assert all(f.done() for f in futures)
        dropped = [f for f in futures if f.cancelled()]
        assert 0 < len(dropped) < len(futures)  # the worker held some (up to 16); not the rest
        made = sorted(p.name for p in out.iterdir())
        assert len(made) == len(futures) - len(dropped)
        # the worker converts in order: once the next document is back, anything it still held
        # from before would have been written first
        following = _docs(tmp_path / "in", ["next"])[0]
        assert pool.submit(following, out / "next.pdf").result(timeout=30) == out / "next.pdf"
        assert sorted(p.name for p in out.iterdir()) == sorted([*made, "next.pdf"])


def test_a_document_tried_again_is_sent_alone(tmp_path, fake):
    """A worker batches the documents it holds; the one being retried after a hang goes alone,
    so that if it hangs again it is the one named, not a document batched with it."""
    python, log = fake
    docs = _docs(tmp_path / "in", ["hang-once", "a", "b", "c", "d"])
    options = ConvertOptions(workers=1, timeout_s=1.5, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        assert all(f.result(timeout=30).is_file() for f in futures)
    retries = [line for line in log.read_text().splitlines() if line.startswith("retry")]
    assert retries[0] == "retry hang-once.docx alone"


def test_document_that_always_hangs_fails_naming_it(tmp_path, fake):
    python, log = fake
    docs = _docs(tmp_path / "in", ["hang-always", "ok"])
    options = ConvertOptions(workers=1, timeout_s=1.0, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        bad = pool.submit(docs[0], tmp_path / "out" / "x.pdf")
        good = pool.submit(docs[1], tmp_path / "out" / "ok.pdf")
        with pytest.raises(ConversionError, match=r"hang-always\.docx"):
            bad.result(timeout=30)
        assert good.result(timeout=30).is_file()
    pids = [
        int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("start")
    ]
    assert not any(_alive(pid) for pid in pids)


def test_a_document_sent_without_retries_fails_at_its_first_hang(tmp_path, fake):
    """A group converted as one is sent so: if it hangs, its members go alone at once."""
    python, log = fake
    docs = _docs(tmp_path / "in", ["hang-once"])
    options = ConvertOptions(workers=1, timeout_s=1.0, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        future = pool.submit(docs[0], tmp_path / "out" / "x.pdf", retries=0)
        with pytest.raises(ConversionError, match=r"hang-once\.docx") as failed:
            future.result(timeout=30)
    assert "thử lại" not in str(failed.value)
    assert not [line for line in log.read_text().splitlines() if line.startswith("retry")]


def test_worker_that_dies_is_replaced_and_its_document_converted(tmp_path, fake):
    python, _log = fake
    docs = _docs(tmp_path / "in", ["x1", "die-now", "x2", "x3"])
    options = ConvertOptions(workers=2, timeout_s=10, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        assert all(f.result(timeout=30).is_file() for f in futures)
        assert pool.restarts == 1


def test_the_next_document_goes_to_libreoffice_before_the_last_one_is_filed(tmp_path, fake):
    """Filing a converted document (cutting a group's PDF apart, caching it) takes as long as a
    conversion: the worker is handed the next document first, so LibreOffice is not left idle."""
    import threading

    python, log = fake
    options = ConvertOptions(workers=1, timeout_s=10, seed_profile=False)
    slow, quick = _docs(tmp_path / "in", ["slower-a", "b"])
    seen = log.parent / "b.docx.seen"  # the fake bridge marks each document it is handed
    handed_over_meanwhile = threading.Event()

    def file_it(_done) -> None:  # what the render does as a document comes back
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if seen.exists():
                handed_over_meanwhile.set()
                return
            time.sleep(0.01)

    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        first = pool.submit(slow, tmp_path / "out" / "slower-a.pdf")
        first.add_done_callback(file_it)
        # b is queued while slower-a converts (a second), after slower-a went out alone
        _eventually(lambda: (log.parent / "slower-a.docx.seen").exists(), "slower-a not sent")
        second = pool.submit(quick, tmp_path / "out" / "b.pdf")
        assert first.result(timeout=30).is_file() and second.result(timeout=30).is_file()
    assert handed_over_meanwhile.is_set()


def test_few_documents_get_one_worker_many_get_one_per_core():
    options = ConvertOptions(workers=4)
    assert [options.worker_count(n) for n in (1, 5, 8)] == [1, 1, 1]
    assert [options.worker_count(n) for n in (9, 100)] == [4, 4]
    assert options.worker_count(None) == 4  # not known yet: every core
    assert ConvertOptions(workers=2).worker_count(500) == 2


def test_pool_started_with_one_worker_grows_and_all_of_them_convert(tmp_path, fake):
    """A render starts one worker before it knows how many documents it converts, then asks
    for more; a closed pool starts none."""
    python, log = fake
    options = ConvertOptions(workers=4, timeout_s=10, seed_profile=False)
    pool = WorkerPool(options, soffice=Path("/bin/true"), python=str(python), workers=1)
    try:
        first = _docs(tmp_path / "in", ["x0"])[0]
        assert pool.submit(first, tmp_path / "out" / "x0.pdf").result(timeout=30).is_file()
        assert log.read_text().count("start") == 1
        pool.grow(3)
        docs = _docs(tmp_path / "in", [f"slow-{i}" for i in range(12)])
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        assert all(f.result(timeout=30).is_file() for f in futures)
        assert log.read_text().count("start") == 3
    finally:
        pool.close()
    pool.grow(4)
    assert log.read_text().count("start") == 3


def test_missing_libreoffice_is_a_dependency_error(monkeypatch, tmp_path):
    monkeypatch.setenv("K39_SOFFICE", str(tmp_path / "nope"))
    with pytest.raises(DependencyError, match="libreoffice-writer-nogui"):
        find_soffice()


# --- real LibreOffice ------------------------------------------------------------------------

needs_uno = pytest.mark.skipif(
    not (os.environ.get("K39_SOFFICE") or Path("/usr/bin/soffice").exists())
    or find_uno_python(Path("/usr/bin/soffice")) is None,
    reason="needs LibreOffice and python3-uno",
)


def _sample_docx(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        doc = DocxDocument()
        doc.add_paragraph(f"Tài liệu số {i}: Cộng hòa xã hội chủ nghĩa Việt Nam")
        path = folder / f"doc-{i:02d}.docx"
        doc.save(str(path))
        paths.append(path)
    return paths


def _soffice_pids_using(marker: str) -> list[int]:
    out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split() if _alive(int(pid))]


@pytest.mark.soffice
@needs_uno
def test_real_worker_killed_mid_run_is_replaced_and_nothing_outlives_the_pool(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docs = _sample_docx(tmp_path / "in", 8)
    pool = WorkerPool(ConvertOptions(workers=2, timeout_s=60, seed_profile=False))
    marker = str(pool._tmp)  # every soffice of this pool has its profile below this folder
    try:
        first = pool.submit(docs[0], tmp_path / "out" / "doc-00.pdf")
        assert first.result(timeout=120).is_file()
        victims = _soffice_pids_using(marker + "/profile-")
        soffice_bins = [
            pid
            for pid in victims
            if "soffice.bin" in Path(f"/proc/{pid}/cmdline").read_bytes().decode()
        ]
        assert soffice_bins, "no running soffice.bin found for the pool"
        os.kill(soffice_bins[0], signal.SIGKILL)
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs[1:]]
        for future in futures:
            path = future.result(timeout=180)
            assert len(PdfReader(path).pages) == 1
    finally:
        pool.close()
    _eventually(lambda: _soffice_pids_using(marker) == [], "a soffice of the pool outlived it")
    assert not Path(marker).exists()  # profiles and the killed worker's batch folders too


@pytest.mark.soffice
@needs_uno
def test_worker_whose_caller_vanished_takes_its_libreoffice_with_it(tmp_path):
    """The k39docs process is killed: the worker's next reply breaks, and the worker stops its
    soffice before it exits instead of leaving it running."""
    import json as _json

    from k39docs.office.pool import _BRIDGE

    soffice = find_soffice()
    profile = tmp_path / "lo" / "profile"
    bridge = subprocess.Popen(
        [
            find_uno_python(soffice),
            str(_BRIDGE),
            str(soffice),
            profile.as_uri(),
            f"k39-test-{os.getpid()}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert _json.loads(bridge.stdout.readline())["ready"] is True
        assert _soffice_pids_using(str(profile))
        doc = _sample_docx(tmp_path / "in", 1)[0]
        bridge.stdin.write(
            _json.dumps({"src": str(doc), "dst": str(tmp_path / "a.pdf")}).encode() + b"\n"
        )
        bridge.stdin.flush()
        bridge.stdout.close()  # nobody reads the reply any more
        bridge.wait(timeout=120)
        _eventually(
            lambda: _soffice_pids_using(str(profile)) == [], "the worker's soffice outlived it"
        )
    finally:
        if bridge.poll() is None:
            os.killpg(bridge.pid, signal.SIGKILL)


@pytest.mark.soffice
@needs_uno
def test_unreadable_document_fails_alone_in_its_batch(tmp_path, monkeypatch):
    """Documents are converted in batches; one LibreOffice cannot open fails with its name,
    the others of the batch come out, and the worker is not restarted for it."""
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docs = _sample_docx(tmp_path / "in", 4)
    docs.insert(2, tmp_path / "in" / "khong-co.docx")  # does not exist
    with WorkerPool(ConvertOptions(workers=1, timeout_s=60)) as pool:
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        with pytest.raises(ConversionError, match=r"khong-co\.docx"):
            futures[2].result(timeout=120)
        good = [f.result(timeout=120) for i, f in enumerate(futures) if i != 2]
        assert pool.restarts == 0
    texts = [PdfReader(p).pages[0].extract_text().split(":")[0] for p in good]
    assert texts == ["Tài liệu số 0", "Tài liệu số 1", "Tài liệu số 2", "Tài liệu số 3"]


@pytest.mark.soffice
@needs_uno
def test_a_lone_document_goes_over_uno_and_a_bad_one_fails_alone(tmp_path, monkeypatch):
    """A short document sent when nothing else waits (a re-render's) is converted over UNO,
    without a ``--convert-to`` call; one LibreOffice cannot open fails with its name, and the
    same worker converts the next one."""
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    good = _sample_docx(tmp_path / "in", 2)
    broken = tmp_path / "in" / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 not a document")
    with WorkerPool(ConvertOptions(workers=1, timeout_s=60)) as pool:
        first = pool.submit(good[0], tmp_path / "out" / "0.pdf").result(timeout=120)
        with pytest.raises(ConversionError, match=r"hong\.docx"):
            pool.submit(broken, tmp_path / "out" / "x.pdf").result(timeout=120)
        second = pool.submit(good[1], tmp_path / "out" / "1.pdf").result(timeout=120)
        assert pool.restarts == 0
    texts = [PdfReader(p).pages[0].extract_text().split(":")[0] for p in (first, second)]
    assert texts == ["Tài liệu số 0", "Tài liệu số 1"]


@pytest.mark.soffice
@needs_uno
def test_batched_documents_with_spaces_and_vietnamese_in_their_paths(tmp_path, monkeypatch):
    """The worker hands soffice its own plain names for a batch; each PDF still lands at the
    path it was asked for, whatever the folder and file names."""
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docs = _sample_docx(tmp_path / "hồ sơ gốc", 3)
    named = []
    for i, doc in enumerate(docs):
        new = doc.with_name(f"Bản cam kết {i} (bản sao).docx")
        doc.rename(new)
        named.append(new)
    targets = [tmp_path / "kết quả" / f"tệp số {i}.pdf" for i in range(3)]
    with WorkerPool(ConvertOptions(workers=1, timeout_s=60)) as pool:
        done = [
            f.result(timeout=120)
            for f in [pool.submit(src, dst) for src, dst in zip(named, targets, strict=True)]
        ]
    assert done == targets
    texts = [PdfReader(p).pages[0].extract_text().split(":")[0] for p in targets]
    assert texts == ["Tài liệu số 0", "Tài liệu số 1", "Tài liệu số 2"]


@pytest.mark.soffice
@needs_uno
def test_worker_starts_from_a_copy_of_the_started_profile(tmp_path, monkeypatch):
    """The first pool leaves its started profile in the user cache; a later worker's
    LibreOffice starts from a copy of it (made by the worker process) and converts."""
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docs = _sample_docx(tmp_path / "in", 2)
    with WorkerPool(ConvertOptions(workers=1, timeout_s=60)) as pool:
        pool.submit(docs[0], tmp_path / "out" / "a.pdf").result(timeout=120)
    seed = tmp_path / "cache" / "libreoffice-profile"
    assert (seed / "user").is_dir()
    (seed / "user" / "k39-marker").write_text("seeded")
    with WorkerPool(ConvertOptions(workers=1, timeout_s=60)) as pool:
        done = pool.submit(docs[1], tmp_path / "out" / "b.pdf").result(timeout=120)
        profiles = list(pool._tmp.glob("profile-*"))
        assert [p.name for p in profiles] == ["profile-0-0"]
        assert (profiles[0] / "user" / "k39-marker").read_text() == "seeded"
    assert PdfReader(done).pages[0].extract_text().startswith("Tài liệu số 1")


@pytest.mark.soffice
@needs_uno
def test_convert_to_pdf_warm_and_batch_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docs = _sample_docx(tmp_path / "in", 3)
    for mode in ("warm", "batch"):
        out = convert_to_pdf(docs, tmp_path / mode, options=ConvertOptions(mode=mode))
        texts = [PdfReader(p).pages[0].extract_text() for p in out.values()]
        assert [t.split(":")[0] for t in texts] == [
            "Tài liệu số 0",
            "Tài liệu số 1",
            "Tài liệu số 2",
        ]


def test_worker_that_prints_garbage_is_replaced(tmp_path, fake, monkeypatch):
    python, log = fake
    script = Path(str(python)).read_text().split()[-1]  # the fake bridge the wrapper runs
    Path(script).write_text(
        Path(script)
        .read_text()
        .replace(
            'if name.startswith("die") and first:',
            'if name.startswith("noise") and first:\n'
            '        print("Warning: something LibreOffice says", flush=True)\n'
            "        continue\n"
            '    if name.startswith("die") and first:',
        )
    )
    docs = _docs(tmp_path / "in", ["a", "noise", "b"])
    options = ConvertOptions(workers=1, timeout_s=10, seed_profile=False)
    with WorkerPool(options, soffice=Path("/bin/true"), python=str(python)) as pool:
        futures = [pool.submit(d, tmp_path / "out" / f"{d.stem}.pdf") for d in docs]
        assert all(f.result(timeout=30).is_file() for f in futures)
        assert pool.restarts == 1
    pids = [
        int(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("start")
    ]
    assert len(pids) == 2 and not any(_alive(pid) for pid in pids)


def test_batch_fallback_does_not_take_a_leftover_pdf_for_its_output(tmp_path):
    """A failed soffice run is a failure even when a PDF of the expected name is already there."""
    from k39docs.office import BatchConverter

    failing = tmp_path / "soffice"
    failing.write_text("#!/bin/sh\nexit 1\n")
    failing.chmod(0o755)
    src = tmp_path / "cong-van.docx"
    src.write_bytes(b"not really a docx")
    out = tmp_path / "pdf"
    out.mkdir()
    (out / "cong-van.pdf").write_bytes(b"%PDF-1.7 left over from an earlier run")
    with BatchConverter(soffice=failing) as converter:
        future = converter.submit(src, out / "cong-van.pdf")
        converter.drain()
    with pytest.raises(ConversionError, match=r"cong-van\.docx"):
        future.result()


def test_working_folders_of_killed_runs_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    import tempfile

    from k39docs.office.workdirs import make_tmp

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "k39-lo-stale"
    (stale / "profile").mkdir(parents=True)
    (stale / "owner.pid").write_text(str(dead.pid))
    (stale / "cam-ket-ca01.pdf").write_bytes(b"%PDF with a CCCD number")
    live = tmp_path / "k39-lo-live"
    live.mkdir()
    (live / "owner.pid").write_text(str(os.getpid()))
    fresh = make_tmp()
    try:
        assert not stale.exists(), "a killed run's folder (with candidates' data) was left"
        assert live.exists(), "a running process's folder was removed"
        assert fresh.parent == tmp_path and (fresh.stat().st_mode & 0o077) == 0
    finally:
        import shutil

        shutil.rmtree(fresh)


def test_a_cancelled_conversion_cancels_what_waits_on_it_without_a_traceback(caplog):
    from concurrent.futures import Future
    from functools import partial

    from k39docs.office.run import _pass_on

    converting, member = Future(), Future()
    converting.add_done_callback(partial(_pass_on, member))
    with caplog.at_level("ERROR"):
        converting.cancel()
    assert member.cancelled()
    assert not [r for r in caplog.records if "callback" in r.getMessage()], caplog.text


def test_verbose_shows_what_happened_inside(tmp_path, monkeypatch):
    """A fallback (a group converted one by one, a worker restarted) leaves a trace with -v."""
    import logging

    from typer.testing import CliRunner

    from k39docs.cli import app

    def noisy_render(*args, **kwargs):
        logging.getLogger("k39docs.office.run").info("group cam-ket.docx converted one by one")
        logging.getLogger("k39docs.office.run").debug("not shown")
        raise SystemExit(0)

    import importlib

    monkeypatch.setattr(importlib.import_module("k39docs.render").Session, "render", noisy_render)
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "sample.yaml"
    try:
        quiet = CliRunner().invoke(
            app, ["render", str(sample), "-o", str(tmp_path / "a"), "--format", "docx"]
        )
        loud = CliRunner().invoke(
            app, ["-v", "render", str(sample), "-o", str(tmp_path / "b"), "--format", "docx"]
        )
    finally:
        logging.getLogger("k39docs").handlers.clear()
        logging.getLogger("k39docs").setLevel(logging.NOTSET)
    assert "converted one by one" not in quiet.stderr
    assert "k39docs: group cam-ket.docx converted one by one" in loud.stderr
    assert "not shown" not in loud.stderr
