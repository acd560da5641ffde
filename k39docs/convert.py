"""DOCX → PDF with LibreOffice: finding ``soffice``, and converters that keep both cores busy.

LibreOffice is the cost that dominates a run: starting it costs far more than converting a short
document in a running instance, and one instance converts one document at a time. So:

* ``WorkerPool`` (the default): N warm LibreOffice workers (N = CPU cores), each a ``soffice``
  with its own profile run by ``uno_bridge.py``, all fed from one queue. A worker converts the
  documents it holds in batches through LibreOffice's own ``--convert-to`` path (cheaper than
  one UNO load/store per document). Workers start when the pool is created, so LibreOffice
  boots while Python renders the DOCX files; each document has a timeout; a hung or dead worker
  is killed with its whole process tree, replaced, and the document retried once, alone.
* ``BatchConverter`` (fallback when no Python with ``uno`` is found): one
  ``soffice --convert-to pdf`` per core over a batch of files.
* ``Office``: the converter of a render (or of a session of renders), started early or on first
  use, and stopped as soon as the render is done with it unless it is kept. Its
  ``convert_together`` converts documents of one template as one LibreOffice document and cuts
  the PDF apart again (:mod:`k39docs.combine`): most of a short document's conversion is spent
  on the document, not on its pages.

Profiles are copied from a seed profile kept in the user cache, so a run does not pay for
LibreOffice's first-start initialisation; every run still gets its own copy, so two runs never
share (or lock) a profile.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConversionError, DependencyError
from .uno_bridge import SOFFICE_FLAGS, convert_to_arg  # the worker's own spellings: one place

if TYPE_CHECKING:  # pypdf is not needed to start LibreOffice
    from .pdfinfo import PdfLedger

__all__ = [
    "find_soffice",
    "find_uno_python",
    "ConvertOptions",
    "WorkerPool",
    "BatchConverter",
    "open_converter",
    "Office",
    "convert_to_pdf",
    "font_warnings",
    "INSTALL_HINT",
]

INSTALL_HINT = (
    "Không tìm thấy LibreOffice (soffice) để chuyển DOCX sang PDF. Cài đặt:\n"
    "  Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui python3-uno fonts-liberation2\n"
    "  macOS: brew install --cask libreoffice\n"
    "  Windows: cài LibreOffice từ libreoffice.org\n"
    "hoặc đặt biến môi trường K39_SOFFICE trỏ tới tệp soffice. "
    "Chỉ cần DOCX thì chạy với --format docx."
)

log = logging.getLogger(__name__)

_BRIDGE = Path(__file__).resolve().parent / "uno_bridge.py"
# LibreOffice's working folders (profiles, batches): named so that the next run can remove those
# a killed run left behind; each holds the pid of the process that made it
TMP_PREFIX = "k39-lo-"
_OWNER_FILE = "owner.pid"
# PDF export: LibreOffice's defaults, and Word bookmarks as named destinations (a group of
# documents converted as one marks where each member begins with one; see k39docs.combine)
PDF_EXPORT_OPTIONS = {"ExportBookmarksToPDFDestination": True}
# documents sent to a worker ahead of its replies: enough for the bridge to batch them while a
# long queue lasts (see uno_bridge.CHUNK), few near its end, so that no worker is left holding
# several documents while the other has nothing to do
PREFETCH_MIN, PREFETCH_MAX = 1, 16
ONE_WORKER_FOR = 8  # documents to convert, at most, for one worker to convert them all


# --- finding LibreOffice ----------------------------------------------------------------------


def _install_dirs() -> list[Path]:
    dirs = [
        Path("/usr/lib/libreoffice/program"),
        Path("/opt/libreoffice/program"),
        *sorted(Path("/opt").glob("libreoffice*/program"), reverse=True),
        Path("/Applications/LibreOffice.app/Contents/MacOS"),
        Path.home() / "Applications/LibreOffice.app/Contents/MacOS",
    ]
    if sys.platform == "win32":
        for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
            if base:
                dirs.append(Path(base) / "LibreOffice" / "program")
    return dirs


def find_soffice() -> Path:
    """Locate ``soffice``: ``$K39_SOFFICE``, then PATH, then the usual install folders."""
    override = os.environ.get("K39_SOFFICE")
    if override:
        if Path(override).is_file():
            return Path(override)
        raise DependencyError(f"K39_SOFFICE={override} không phải là tệp.\n{INSTALL_HINT}")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    exe = "soffice.exe" if sys.platform == "win32" else "soffice"
    for folder in _install_dirs():
        if (folder / exe).is_file():
            return folder / exe
    raise DependencyError(INSTALL_HINT)


@cache
def _can_import_uno(python: str) -> bool:
    try:
        return (
            subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=30).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_uno_python(soffice: Path) -> str | None:
    """A Python that can ``import uno``: ``$K39_UNO_PYTHON``, LibreOffice's own, or the system's."""
    candidates = [os.environ.get("K39_UNO_PYTHON", "")]
    program = soffice.resolve().parent
    candidates += [
        str(program / "python"),
        str(program / "python.exe"),
        str(program.parent / "Resources" / "python"),
    ]
    candidates += ["/usr/bin/python3", shutil.which("python3") or ""]
    for python in candidates:
        if python and Path(python).is_file() and _can_import_uno(python):
            return python
    return None


# --- options and profiles ---------------------------------------------------------------------


@dataclass(frozen=True)
class ConvertOptions:
    workers: int = 0  # 0: one per CPU core
    timeout_s: float = 120.0  # per document (warm workers) or per batch (fallback)
    start_timeout_s: float = 120.0  # for a worker's LibreOffice to accept UNO calls
    mode: str = "auto"  # auto | warm | batch
    seed_profile: bool = True  # copy a first-started profile from the user cache

    def worker_count(self, documents: int | None = None) -> int:
        """One worker per core (or ``workers``); one alone for a few ``documents``: while
        another LibreOffice starts, one that runs converts that many documents (a re-render's),
        and two starting at once slow each other and the render (docs/performance.md)."""
        n = max(1, self.workers or os.cpu_count() or 1)
        if documents is None:
            return n
        return 1 if documents <= ONE_WORKER_FOR else min(n, documents)


def _seed_dir() -> Path:
    from .userdirs import cache_root

    return cache_root() / "libreoffice-profile"


def _seed(use_seed: bool) -> Path | None:
    """The started profile a new one is copied from, if any (it saves LibreOffice's first
    start, which sets a profile up, on every later one)."""
    seed = _seed_dir()
    return seed if use_seed and seed.is_dir() else None


def _new_profile(parent: Path, name: str, use_seed: bool) -> Path:
    profile = parent / name
    seed = _seed(use_seed)
    if seed is not None:
        try:
            shutil.copytree(seed, profile, symlinks=True)
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
    return profile


def _save_seed(profile: Path) -> None:
    """Keep a started profile for later runs (first run only; atomic, best effort)."""
    seed = _seed_dir()
    if seed.is_dir() or not (profile / "user").is_dir():
        return
    try:
        seed.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".seed-", dir=seed.parent))
        shutil.copytree(
            profile,
            tmp / "p",
            symlinks=True,
            ignore=shutil.ignore_patterns(".lock", "*.lock", "lock"),
        )
        os.replace(tmp / "p", seed)
        shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _session_kwargs() -> dict:
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _sweep_stale_tmp(tmp_root: Path) -> None:
    """Remove the working folders of runs that were killed (their owner is gone): they hold
    profiles and PDFs with the candidates' names and CCCD numbers."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in tmp_root.glob(f"{TMP_PREFIX}*"):
        try:
            if uid is not None and folder.stat().st_uid != uid:
                continue
            owner = int((folder / _OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not ours, not finished being made, or from before the marker existed
        if not _pid_alive(owner):
            log.info("removing %s, left by a run that was stopped (pid %d)", folder, owner)
            shutil.rmtree(folder, ignore_errors=True)


def make_tmp() -> Path:
    """A private working folder for LibreOffice (mode 0700), marked with this process's pid;
    stale ones of killed runs are removed first."""
    root = Path(tempfile.gettempdir())
    _sweep_stale_tmp(root)
    folder = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=root))
    (folder / _OWNER_FILE).write_text(str(os.getpid()))
    return folder


# --- warm workers -----------------------------------------------------------------------------


class _WorkerDied(Exception):
    pass


class _Worker:
    """One uno_bridge process and the soffice it drives."""

    def __init__(
        self,
        python: str,
        soffice: Path,
        profile: Path,
        seed: Path | None,
        start_timeout: float,
        on_spawn=None,
    ):
        """``seed``: a started profile the worker copies into ``profile`` before LibreOffice
        starts (in its own process: copying here would wait on this process's busy threads)."""
        self.profile = profile
        pipe = f"k39-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.proc = subprocess.Popen(
            [
                python,
                str(_BRIDGE),
                str(soffice),
                profile.resolve().as_uri(),
                pipe,
                json.dumps(PDF_EXPORT_OPTIONS),
                str(seed or ""),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"},
            **_session_kwargs(),
        )
        if on_spawn is not None:
            on_spawn(self.proc)
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self._stdin, self._stdout = self.proc.stdin, self.proc.stdout
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        try:
            hello = self._next(start_timeout)
        except (TimeoutError, _WorkerDied):
            self.kill()  # a LibreOffice that never came up is not left behind
            raise
        if not hello.get("ready"):
            self.kill()
            raise _WorkerDied(hello.get("error", "LibreOffice did not start"))

    def _read(self) -> None:
        for line in self._stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self, timeout: float) -> dict:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            raise _WorkerDied("LibreOffice worker exited")
        try:
            return json.loads(line)
        except ValueError:  # not the bridge speaking (a library printing to stdout?): start over
            raise _WorkerDied(f"LibreOffice worker said {line[:80]!r}") from None

    def send(self, src: Path, dst: Path) -> None:
        """Queue a document in the worker; it converts its requests one after another."""
        try:
            self._stdin.write(
                json.dumps({"src": str(src.resolve()), "dst": str(dst.resolve())}) + "\n"
            )
            self._stdin.flush()
        except (BrokenPipeError, OSError):
            raise _WorkerDied("LibreOffice worker exited") from None

    def receive(self, src: Path, timeout: float) -> None:
        """Wait for the outcome of the oldest request sent (``src``)."""
        reply = self._next(timeout)
        if reply.get("fatal"):
            raise _WorkerDied(reply.get("error", "LibreOffice exited"))
        if not reply.get("ok"):
            raise ConversionError(f"LibreOffice không chuyển được {src.name}: {reply.get('error')}")

    def close(self, timeout: float = 20) -> bool:
        """Ask the worker to quit; kill it if it does not. True when it ended by itself."""
        try:
            self._stdin.close()
            self.proc.wait(timeout=timeout)
            clean = True
        except (subprocess.TimeoutExpired, OSError):
            clean = False
        self.kill()  # the process group: a soffice left behind by a dying bridge goes too
        return clean

    def kill(self) -> None:
        _kill_group(self.proc)


@dataclass
class _Job:
    src: Path
    dst: Path
    future: Future
    attempts: int = 0
    retries: int = 1  # after a hang or a crash


class WorkerPool:
    """N warm LibreOffice workers fed from one queue; ``submit`` returns a Future of the PDF path.

    Use as a context manager; leaving it stops every worker and its soffice.
    """

    def __init__(
        self,
        options: ConvertOptions | None = None,
        *,
        soffice: Path | None = None,
        python: str | None = None,
        workers: int | None = None,
    ):
        self.options = options or ConvertOptions()
        self.soffice = soffice or find_soffice()
        found = python or find_uno_python(self.soffice)
        if found is None:
            raise DependencyError(
                "Không tìm thấy Python có mô-đun `uno` của LibreOffice "
                "(Debian/Ubuntu: sudo apt-get install python3-uno)."
            )
        self.python: str = found
        self._tmp = make_tmp()
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._closed = False
        self._closer: threading.Thread | None = None
        self._lock = threading.Lock()
        self._starting: set[subprocess.Popen] = set()  # workers spawned, maybe not ready yet
        self._outstanding = 0  # documents submitted and not yet converted or failed
        self._idle = threading.Condition()
        self.restarts = 0
        self._threads: list[threading.Thread] = []
        self.grow(workers or self.options.worker_count())

    def grow(self, workers: int) -> None:
        """Have ``workers`` workers (more start now; none stop): a render starts one before it
        knows how many documents it converts."""
        with self._lock:
            while not self._closed and len(self._threads) < workers:
                thread = threading.Thread(
                    target=self._serve, args=(len(self._threads),), daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, src: Path, dst: Path, *, retries: int = 1) -> Future:
        """Queue ``src``; the Future gives ``dst`` once written. A document whose worker hangs
        or dies is tried again ``retries`` times, alone."""
        future: Future = Future()
        with self._idle:
            self._outstanding += 1
        self._jobs.put(_Job(Path(src), Path(dst), future, retries=retries))
        return future

    def _start(self, index: int, generation: int) -> _Worker:
        if self._closed:
            raise _WorkerDied("pool closed")
        worker = _Worker(
            self.python,
            self.soffice,
            self._tmp / f"profile-{index}-{generation}",
            _seed(self.options.seed_profile),
            self.options.start_timeout_s,
            on_spawn=self._starting.add,
        )
        self._starting.discard(worker.proc)
        return worker

    def _prefetch(self) -> int:
        """How many documents a worker may hold: a fair share of the queue, within bounds."""
        share = self._jobs.qsize() // len(self._threads)
        return max(PREFETCH_MIN, min(PREFETCH_MAX, share))

    def _serve(self, index: int) -> None:
        """One worker's loop. It keeps documents in the worker's own queue (``_prefetch``), so
        LibreOffice goes from one document to the next without waiting for this process (whose
        threads may be busy rendering or bundling). A document being tried again (its worker
        hung or died) is sent alone, so a second failure is its own and the error names it."""
        generation = 0
        worker: _Worker | None = None
        try:  # start now, so LibreOffice boots while the caller renders
            worker = self._start(index, generation)
        except (_WorkerDied, TimeoutError, OSError):
            worker = None  # tried again when a job arrives
        sent: deque[_Job] = deque()
        held: _Job | None = None  # a retry waiting for the worker to have nothing else
        stopping = False
        while True:
            while (held is not None or not stopping) and len(sent) < self._prefetch():
                if sent and sent[0].attempts:
                    break  # a retry is out: it goes alone
                if held is not None:
                    if sent:
                        break
                    job, held = held, None
                else:
                    try:
                        queued = self._jobs.get(block=not sent)
                    except queue.Empty:
                        break
                    if queued is None:
                        stopping = True
                        break
                    job = queued
                    if job.attempts and sent:
                        held = job
                        break
                if worker is None:
                    generation += 1
                    try:
                        worker = self._start(index, generation)
                    except (_WorkerDied, TimeoutError, OSError) as exc:
                        self._retry_or_fail(job, f"LibreOffice không khởi động được: {exc}")
                        continue
                try:
                    job.dst.parent.mkdir(parents=True, exist_ok=True)
                    worker.send(job.src, job.dst)
                except (_WorkerDied, OSError) as exc:
                    if sent:  # the worker died on an earlier document: that one is retried
                        self._jobs.put(job)
                        break
                    worker.kill()
                    worker = None
                    self._retry_or_fail(job, f"tiến trình LibreOffice bị dừng ({exc})")
                    continue
                sent.append(job)
            if not sent:
                if held is not None:
                    continue
                if stopping:
                    break
                continue
            job = sent.popleft()
            # a document is out, so its worker is too: one that fails takes `sent` back first
            assert worker is not None
            try:
                worker.receive(job.src, self.options.timeout_s)
                self._resolve(job, result=job.dst)
            except ConversionError as exc:
                self._resolve(job, error=exc)
            except Exception as exc:  # noqa: BLE001  (whatever it was, the worker starts over)
                # a timeout, a dead worker, or anything odd it said
                reason = (
                    f"quá thời gian {self.options.timeout_s:.0f} giây"
                    if isinstance(exc, TimeoutError)
                    else "tiến trình LibreOffice bị dừng"
                )
                worker.kill()
                worker = None
                with self._lock:
                    self.restarts += 1
                log.warning(
                    "LibreOffice worker %d restarted: %s while converting %s",
                    index,
                    reason,
                    job.src.name,
                )
                self._retry_or_fail(job, reason)
                while sent:  # queued behind the one that failed: not their fault, no attempt lost
                    self._jobs.put(sent.popleft())
        if worker is None:
            return
        if self.options.seed_profile and _seed(True) is None:
            if worker.close():  # a LibreOffice that ended well leaves a profile to start from
                _save_seed(worker.profile)
        else:  # nothing to keep of it: stopped at once, not asked to shut down and waited for
            worker.kill()

    def _resolve(
        self, job: _Job, *, result: Path | None = None, error: BaseException | None = None
    ) -> None:
        # the result first: its callbacks (cutting a group, caching, converting a group's
        # members alone) run here, and the document counts as outstanding until they are done
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)
        self._done_with(job)

    def _done_with(self, job: _Job) -> None:
        with self._idle:
            self._outstanding -= 1
            self._idle.notify_all()

    def abandon(self) -> None:
        """Give up on the documents queued: those not handed to LibreOffice yet are dropped
        (their futures cancelled); wait for the ones it holds, and for what their callbacks do,
        to be over. A render that fails calls it before it removes its staging folder, so that
        nothing is written there afterwards, and a kept LibreOffice is free for the next one."""
        while True:
            dropped, stops = [], 0
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stops += 1  # (close() was called: its stop signals go back)
                else:
                    dropped.append(job)
            for _ in range(stops):
                self._jobs.put(None)
            for job in dropped:
                job.future.cancel()  # callbacks may queue more: dropped on the next round
                self._done_with(job)
            with self._idle:
                if not self._outstanding or not any(t.is_alive() for t in self._threads):
                    return
                if self._jobs.qsize() <= stops:
                    self._idle.wait(timeout=1)

    def _retry_or_fail(self, job: _Job, reason: str) -> None:
        job.attempts += 1
        if job.attempts <= job.retries:
            self._jobs.put(job)
        else:
            tried = f", đã thử lại {job.retries} lần" if job.retries else ""
            self._resolve(
                job,
                error=ConversionError(
                    f"Không chuyển được {job.src.name} sang PDF ({reason}{tried})."
                ),
            )

    def close(self, wait: bool = True) -> None:
        """Stop every worker and its soffice once the queued documents are converted.

        ``wait=False`` returns at once and lets LibreOffice shut down while the caller goes on
        (bundling, signing); a later ``close()`` waits for it to be over.
        """
        with self._lock:
            first = not self._closed
            self._closed = True
            if first:
                self._closer = threading.Thread(target=self._shutdown, daemon=True)
                self._closer.start()
            closer = self._closer  # started by the first close()
        if wait and closer is not None:
            closer.join()

    def _shutdown(self) -> None:
        if self._outstanding:
            # convert what was submitted first (a document retried after a crash goes back in
            # the queue, so the workers are told to stop only once every document is done)
            with self._idle:
                while self._outstanding and any(t.is_alive() for t in self._threads):
                    self._idle.wait(timeout=1)
        elif self._jobs.empty():
            # nothing was (or is left to be) converted: stop workers still starting instead of
            # waiting for LibreOffice to come up only to shut it down
            for proc in list(self._starting):
                if proc.poll() is None:
                    _kill_group(proc)
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._tmp, ignore_errors=True)


# --- batch fallback ---------------------------------------------------------------------------


class BatchConverter:
    """Collects documents and converts them on ``drain`` with one ``soffice`` per core."""

    def __init__(self, options: ConvertOptions | None = None, *, soffice: Path | None = None):
        self.options = options or ConvertOptions()
        self.soffice = soffice or find_soffice()
        self._pending: list[tuple[Path, Path, Future]] = []

    def __enter__(self) -> BatchConverter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, src: Path, dst: Path, *, retries: int = 1) -> Future:
        """Queue ``src`` for the next :meth:`drain` (``retries``: not used, a batch is not
        tried again)."""
        future: Future = Future()
        self._pending.append((Path(src), Path(dst), future))
        return future

    def abandon(self) -> None:
        """Drop the documents not converted yet (conversions run in the caller's thread)."""
        pending, self._pending = self._pending, []
        for _src, _dst, future in pending:
            future.cancel()

    def drain(self) -> None:
        pending, self._pending = self._pending, []
        by_dir: dict[Path, list[tuple[Path, Path, Future]]] = {}
        for item in pending:
            by_dir.setdefault(item[1].parent, []).append(item)
        for out_dir, items in by_dir.items():
            self._convert(out_dir, items)

    def _convert(self, out_dir: Path, items: list[tuple[Path, Path, Future]]) -> None:
        """One ``soffice --convert-to`` per core, each into a fresh folder of its own: a PDF
        counts only if that run made it and ended well, never a file left from before."""
        out_dir.mkdir(parents=True, exist_ok=True)
        workers = self.options.worker_count(len(items))
        buckets: list[list[tuple[Path, Path, Future]]] = [[] for _ in range(workers)]
        for i, item in enumerate(items):
            buckets[i % workers].append(item)
        tmp = make_tmp()
        try:
            runs = []
            for i, batch in enumerate(b for b in buckets if b):
                profile = _new_profile(tmp, f"profile-{i}", self.options.seed_profile)
                made = tmp / f"out-{i}"
                made.mkdir()
                cmd = [
                    str(self.soffice),
                    f"-env:UserInstallation={profile.resolve().as_uri()}",
                    *SOFFICE_FLAGS,
                    "--convert-to",
                    convert_to_arg(PDF_EXPORT_OPTIONS),
                    "--outdir",
                    str(made),
                    *(str(src) for src, _, _ in batch),
                ]
                proc = subprocess.Popen(
                    cmd,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    stdin=subprocess.DEVNULL,
                    **_session_kwargs(),
                )
                runs.append((proc, made, batch))
            deadline = time.monotonic() + self.options.timeout_s
            for proc, made, batch in runs:
                try:
                    code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                    why = None if code == 0 else f"soffice kết thúc với mã {code}"
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    why = f"quá thời gian {self.options.timeout_s:.0f} giây"
                for src, dst, future in batch:
                    produced = made / f"{src.stem}.pdf"
                    if why is None and produced.is_file() and produced.stat().st_size:
                        os.replace(produced, dst)
                        future.set_result(dst)
                    else:
                        reason = why or "LibreOffice không tạo ra PDF"
                        future.set_exception(
                            ConversionError(f"Không chuyển được {src.name} sang PDF ({reason}).")
                        )
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def close(self, wait: bool = True) -> None:
        self.drain()


def open_converter(
    options: ConvertOptions | None = None,
    *,
    documents: int | None = None,
    soffice: Path | None = None,
):
    """The best converter this machine allows: warm workers, else batches. ``documents``, when
    known, caps the number of workers (a second LibreOffice for one document wastes a core)."""
    options = options or ConvertOptions()
    soffice = soffice or find_soffice()
    if options.mode != "batch":
        python = find_uno_python(soffice)
        if python is not None:
            return WorkerPool(
                options, soffice=soffice, python=python, workers=options.worker_count(documents)
            )
        if options.mode == "warm":
            raise DependencyError("Không tìm thấy Python có mô-đun `uno` (python3-uno).")
    return BatchConverter(options, soffice=soffice)


# --- a render's LibreOffice -------------------------------------------------------------------


class Office:
    """A render's LibreOffice, started when asked (early: LibreOffice takes over a second to
    boot) or on first use, sized to the documents to convert. Unless ``keep``, :meth:`close`
    stops it as soon as the render is done with it; a kept one (a session's) serves later
    renders and stops only at :meth:`shutdown`."""

    def __init__(self, options: ConvertOptions, *, keep: bool = False):
        self.options = options
        self.keep = keep
        self._made: Future | None = None  # the converter, being made in the background
        self._stopping: list[Future] = []  # converters told to stop, not yet waited for

    def start(self, documents: int | None = None) -> None:
        """Start LibreOffice without waiting for it. A missing ``soffice`` is raised here; the
        rest (finding a Python with ``uno`` takes a subprocess, then spawning the workers) runs
        in the background while the caller goes on."""
        # a kept office serves later runs too: as many workers as cores, not the first need
        workers_for = None if self.keep else documents
        if self._made is not None:  # started already: more workers if these need them
            if workers_for is not None:
                wanted = self.options.worker_count(workers_for)
                self._made.add_done_callback(partial(_grow, wanted))
            return
        soffice = find_soffice()
        made = self._made = Future()

        def make() -> None:
            try:
                made.set_result(
                    open_converter(self.options, documents=workers_for, soffice=soffice)
                )
            except BaseException as exc:  # noqa: BLE001 — raised where the converter is used
                made.set_exception(exc)

        threading.Thread(target=make, name="k39-office-start", daemon=True).start()

    @property
    def converter(self):
        """The converter once it is made (waits for it); None before :meth:`start`."""
        return None if self._made is None else self._made.result()

    def convert(self, docx: Path, pdf: Path, *, retries: int = 1) -> Future:
        self.start()
        return self.converter.submit(docx, pdf, retries=retries)

    def convert_together(
        self,
        pairs: Sequence[tuple[Path, Path]],
        combined: Path,
        *,
        keep: Callable[[Path, list[int]], None] | None = None,
        ledger: PdfLedger | None = None,
    ) -> list[Future]:
        """Convert documents of one template as one LibreOffice document (``combined``, a DOCX
        path to write; see :mod:`k39docs.combine`): a Future per (docx, pdf) pair, resolving to
        its PDF. When they cannot be combined, or the combined conversion or its split fails,
        each is converted alone, so a document that fails is still the one an error names.
        ``keep(pdf, page_counts)`` is shown the combined PDF before it is deleted; ``ledger``
        (the run's) learns the parsed pages of each member."""
        from .combine import CombineError, combine_docx

        futures: list[Future] = [Future() for _ in pairs]
        try:
            metadata = combine_docx([docx for docx, _ in pairs], combined)
        except CombineError:
            self._one_by_one(pairs, futures)
            return futures
        pdf = combined.with_suffix(".pdf")
        # not tried again: if it hangs or crashes LibreOffice, its members go alone at once
        self.convert(combined, pdf, retries=0).add_done_callback(
            partial(self._split, pairs, metadata, combined, pdf, futures, keep, ledger)
        )
        return futures

    def _split(
        self,
        pairs,
        metadata: list[dict[str, str]],
        combined: Path,
        pdf: Path,
        futures: list[Future],
        keep,
        ledger: PdfLedger | None,
        conversion: Future,
    ) -> None:
        """Runs where the combined PDF is reported done: cut it into the members' PDFs."""
        from .combine import split_pdf

        try:
            if conversion.cancelled():  # the render was abandoned: so are its members
                for future in futures:
                    future.cancel()
                return
            conversion.result()
            counts = split_pdf(pdf, metadata, [out for _, out in pairs], ledger=ledger)
            if keep is not None:
                keep(pdf, counts)
        except Exception as exc:  # noqa: BLE001 — whatever went wrong, each alone says what it was
            log.info("group %s converted one by one: %s", combined.name, exc)
            self._one_by_one(pairs, futures)
        else:
            for (_, out), future in zip(pairs, futures, strict=True):
                future.set_result(out)
        finally:
            for leftover in (combined, pdf):
                leftover.unlink(missing_ok=True)

    def _one_by_one(self, pairs, futures: list[Future]) -> None:
        try:
            for (docx, out), future in zip(pairs, futures, strict=True):
                self.convert(docx, out).add_done_callback(partial(_pass_on, future))
            self.drain()
        except BaseException as exc:  # noqa: BLE001 — a caller waits on these futures
            for future in futures:
                if not future.done():
                    future.set_exception(exc)

    def abandon(self) -> None:
        """A failed render gives up its conversions (:meth:`WorkerPool.abandon`)."""
        made = self._made
        if made is not None and made.done() and made.exception() is None:
            made.result().abandon()  # (not made yet: nothing could be submitted to it)

    def drain(self) -> None:
        drain = getattr(self.converter, "drain", None)  # the batch fallback converts on demand
        if drain is not None:
            drain()

    def close(self, wait: bool = True) -> None:
        """The run is done with LibreOffice: stop it (``wait=False``: while the run goes on)."""
        if not self.keep:
            self.shutdown(wait)

    def shutdown(self, wait: bool = True) -> None:
        if self._made is not None:
            made, self._made = self._made, None
            made.add_done_callback(_close_made)
            self._stopping.append(made)
        if wait:
            while self._stopping:
                made = self._stopping.pop()
                if made.exception() is None:
                    made.result().close()


def _grow(workers: int, made: Future) -> None:
    if made.exception() is None and isinstance(made.result(), WorkerPool):
        made.result().grow(workers)  # (the batch converter sizes itself at each drain)


def _pass_on(to: Future, done: Future) -> None:
    """``done``'s outcome becomes ``to``'s, a cancellation too (an abandoned render's documents
    are cancelled: that is no error to report)."""
    if done.cancelled():
        to.cancel()  # (a Future nobody runs: only one already done refuses, and keeps its result)
    elif done.exception() is not None:
        to.set_exception(done.exception())
    else:
        to.set_result(done.result())


def _close_made(made: Future) -> None:
    """Tell a converter to stop as soon as it is made (if making it failed, nothing runs)."""
    if made.exception() is None:
        made.result().close(wait=False)


def convert_to_pdf(
    docx_paths: Sequence[Path], pdf_dir: Path, *, options: ConvertOptions | None = None
) -> dict[Path, Path]:
    """Convert every DOCX into ``pdf_dir`` (same stem, ``.pdf``); return {docx: pdf}.

    Raises ``DependencyError`` when LibreOffice is missing and ``ConversionError`` naming the
    first document that did not come out.
    """
    options = options or ConvertOptions()
    with open_converter(options) as converter:
        futures = {p: converter.submit(p, pdf_dir / f"{Path(p).stem}.pdf") for p in docx_paths}
        drain = getattr(converter, "drain", None)
        if drain:
            drain()
        return {p: f.result() for p, f in futures.items()}


EXPECTED_FONTS = (
    "LiberationSerif",
    "TimesNewRoman",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
)


def font_warnings(pdfs: Sequence[Path], ledger: PdfLedger | None = None) -> list[str]:
    """One warning per PDF that LibreOffice set in a font other than Times New Roman's metric
    clone: the font the DOCX names is missing here, and the layout may shift. ``ledger``: the
    run's, which has read most of them already."""
    from .pdfinfo import pdf_facts  # pypdf: not needed to start LibreOffice

    facts = ledger.facts if ledger is not None else pdf_facts
    warnings = []
    for pdf in pdfs:
        odd = sorted(n for n in facts(pdf).fonts if not n.startswith(EXPECTED_FONTS))
        if odd:
            warnings.append(
                f"{pdf.name}: LibreOffice dùng phông {', '.join(odd)} thay cho Times New Roman "
                "(thiếu phông trên máy này? Cài: sudo apt-get install fonts-liberation2)."
            )
    return warnings
