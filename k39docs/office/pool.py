"""Warm LibreOffice workers fed from one queue (:class:`WorkerPool`): each a ``soffice`` with its
own profile, driven by ``k39docs/office/bridge.py`` under a Python that can ``import uno``."""

from __future__ import annotations

import json
import logging
import os
import queue
import shutil
import subprocess
import threading
import uuid
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConversionError, DependencyError
from .find import find_soffice, find_uno_python
from .options import PDF_EXPORT_OPTIONS, ConvertOptions
from .workdirs import kill_group, make_tmp, new_session_kwargs, save_seed, seed_dir, seed_to_copy

__all__ = ["WorkerPool"]

log = logging.getLogger(__name__)

_BRIDGE = Path(__file__).resolve().parent / "bridge.py"
# documents sent to a worker ahead of its replies: enough for the bridge to batch them while a
# long queue lasts (see bridge.CHUNK), few near its end, so that no worker is left holding
# several documents while the other has nothing to do
PREFETCH_MIN, PREFETCH_MAX = 1, 16


class _WorkerDied(Exception):
    pass


class _Worker:
    """One bridge process and the soffice it drives."""

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
            **new_session_kwargs(),
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
        kill_group(self.proc)


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
            seed_to_copy(self.options.seed_profile),
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

        def top_up(wait: bool) -> None:
            """Send the worker documents up to its share (``wait``: for one, when it has none)."""
            nonlocal worker, generation, held, stopping
            while (held is not None or not stopping) and len(sent) < self._prefetch():
                if sent and sent[0].attempts:
                    break  # a retry is out: it goes alone
                if held is not None:
                    if sent:
                        break
                    job, held = held, None
                else:
                    try:
                        queued = self._jobs.get(block=wait and not sent)
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

        while True:
            top_up(wait=True)
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
                # the next documents first, so that LibreOffice goes on while this thread files
                # the result (cutting a group's PDF apart, caching: as long as a conversion)
                if not stopping:
                    top_up(wait=False)
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
        if self.options.seed_profile and not seed_dir().is_dir():  # the first run: no seed yet
            if worker.close():  # a LibreOffice that ended well leaves a profile to start from
                save_seed(worker.profile)
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
                    kill_group(proc)
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._tmp, ignore_errors=True)
