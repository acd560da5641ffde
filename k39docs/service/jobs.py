"""Render jobs: a bounded FIFO queue run by one worker thread on the service's one Session.

LibreOffice is the bottleneck and a :class:`~k39docs.render.Session` renders one dossier at a
time, so jobs wait their turn (``K39_QUEUE_MAX`` of them at most: past it a submission is
refused). A job is ``queued``, ``running``, then ``done``, ``failed`` or ``cancelled``. Its
upload and results live in a folder of its own, readable by the service's user only, deleted
``K39_JOB_KEEP_S`` after the job ended (or when it is forgotten, or the service stops).

Progress is the render's own ``progress(done, total, name)``, told of each document in place.
Cancellation comes from :class:`TrackingOffice`, the session's LibreOffice: a cancelled job's
conversions fail at once, so the render stops the way it stops on any failure: its staging
folder removed, nothing published.
"""

from __future__ import annotations

import gc
import logging
import shutil
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..dossier.model import Dossier, today_in_vietnam
from ..errors import DossierError, K39Error
from ..office import ConvertOptions, Office
from ..render import RenderOptions, Session
from ..rules import EligibilityReport
from .problems import bad_input

__all__ = [
    "JobCancelled",
    "TrackingOffice",
    "ServiceSession",
    "Job",
    "JobQueue",
    "QueueFull",
    "STATES",
]

log = logging.getLogger("k39docs.service")

STATES = ("queued", "running", "done", "failed", "cancelled")
RETRY_START_S = 30  # a LibreOffice that failed to start is tried again at most this often
ANSWERED_S = 0.01  # after a job ends, before the garbage of its render is collected


class JobCancelled(Exception):
    """Raised inside a render whose job was cancelled: it stops as on any failure."""


class QueueFull(Exception):
    """``K39_QUEUE_MAX`` jobs are waiting already."""


class _Tracker:
    """One job's progress, as its render tells it, and its cancellation."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.total: int | None = None  # documents, once the render said how many
        self.documents = 0  # of them in place
        self.step: str | None = None  # the render's latest message, or the latest document
        self.pending: set[Future] = set()
        self.lock = threading.Lock()

    def done(self) -> int:
        return self.documents

    def progress(self, done: int, total: int, name: str) -> None:
        """The render's ``progress`` callback."""
        self.documents, self.total = done, total
        if name:
            self.step = name

    def cancel(self) -> None:
        """Fail every conversion this job waits for, so its render stops now."""
        self.cancelled.set()
        with self.lock:
            pending, self.pending = list(self.pending), set()
        for proxy in pending:
            _settle(proxy, error=JobCancelled())


def _settle(proxy: Future, *, result: Any = None, error: BaseException | None = None) -> None:
    if proxy.done():
        return
    try:
        if error is not None:
            proxy.set_exception(error)
        else:
            proxy.set_result(result)
    except Exception:  # noqa: BLE001 — settled meanwhile by the other side (cancel vs. result)
        pass


class TrackingOffice(Office):
    """The service's LibreOffice: a kept :class:`Office` that fails the current job's
    conversions when the job is cancelled."""

    def __init__(self, options: ConvertOptions | None = None):
        super().__init__(options or ConvertOptions(), keep=True)
        self.tracker: _Tracker | None = None  # the job being rendered (one at a time)
        self._failed_at = 0.0

    def convert(self, docx: Path, pdf: Path, *, retries: int = 1) -> Future:
        tracker = self.tracker
        if tracker is None:
            return super().convert(docx, pdf, retries=retries)
        if tracker.cancelled.is_set():
            raise JobCancelled()
        inner = super().convert(docx, pdf, retries=retries)
        proxy: Future = Future()
        with tracker.lock:
            tracker.pending.add(proxy)

        def passed_on(done: Future) -> None:
            with tracker.lock:
                tracker.pending.discard(proxy)
            if done.cancelled():
                if not proxy.cancel():
                    _settle(proxy, error=JobCancelled())
            elif done.exception() is not None:
                _settle(proxy, error=done.exception())
            else:
                _settle(proxy, result=done.result())

        inner.add_done_callback(passed_on)
        return proxy

    def convert_together(self, pairs, combined: Path, *, keep=None, ledger=None) -> list[Future]:
        tracker = self.tracker
        if tracker is not None and tracker.cancelled.is_set():
            raise JobCancelled()
        return super().convert_together(pairs, combined, keep=keep, ledger=ledger)

    def state(self) -> str:
        """``up`` when LibreOffice is started (or starting) and its workers run, else ``down``;
        a LibreOffice that failed is started again, at most every ``RETRY_START_S``."""
        made = self._made
        if made is not None and made.done() and made.exception() is not None:
            if time.monotonic() - self._failed_at < RETRY_START_S:
                return "down"
            self.shutdown(wait=False)
            made = None
        if made is None:
            try:
                self.start()
            except K39Error:
                self._failed_at = time.monotonic()
                return "down"
            made = self._made
        if made is None:
            return "down"
        if not made.done():
            return "up"  # starting
        if made.exception() is not None:
            self._failed_at = time.monotonic()
            return "down"
        threads = getattr(made.result(), "_threads", None)  # a WorkerPool's; the batch has none
        return "up" if threads is None or any(t.is_alive() for t in threads) else "down"


FULL_COLLECTION_EVERY = 50  # jobs: a frozen service's collection goes through everything


class ServiceSession(Session):
    """The service's Session: LibreOffice kept warm between jobs, its office within reach for
    cancellation and ``/health``.

    ``freeze=True`` (the ``serve`` process, whose start-up is frozen already, see
    :func:`~k39docs.service.app.freeze_start_up`): what outlives a job's collection (the
    session's parsed PDFs and digests, the job list) is frozen with it, so that the next
    job's collection goes through that job's objects only (about 5 ms instead of 13 ms after
    a 100-candidate re-render, while the next request waits on the interpreter). Every
    ``FULL_COLLECTION_EVERY`` jobs everything is unfrozen first: cycles among objects frozen
    alive and dropped since are collected too."""

    def __init__(self, convert: ConvertOptions | None = None, *, freeze: bool = False):
        self.office = TrackingOffice(convert)
        super().__init__(office=self.office)
        self._freeze = freeze
        self._settled = 0

    def settle(self) -> None:
        if not self._freeze:
            return super().settle()
        self._settled += 1
        if self._settled % FULL_COLLECTION_EVERY == 0:
            gc.unfreeze()
        super().settle()
        gc.freeze()


@dataclass(frozen=True)
class Checked:
    """A dossier's eligibility as the request found it, and the day it did: the job uses it
    on that day (the rules date a draft's commitments by today)."""

    report: EligibilityReport
    on: date = field(default_factory=today_in_vietnam)

    def for_today(self) -> EligibilityReport | None:
        return self.report if self.on == today_in_vietnam() else None


@dataclass
class Job:
    """One render: what was asked, where its files are, and how it went."""

    id: str
    dossier: Dossier | None  # what to render; let go once the job ends (see release)
    options: RenderOptions
    folder: Path  # the job's own: upload/ (the request's files), out/ (the results)
    request_id: str
    callback_url: str | None = None
    checked: Checked | None = None  # its eligibility, found before it queued
    status: str = "queued"
    created: float = field(default_factory=time.time)
    finished: float | None = None
    manifest: dict | None = None
    error: dict | None = None
    tracker: _Tracker = field(default_factory=_Tracker)
    name: str = field(init=False)  # the dossier's id, for the files' names

    def __post_init__(self) -> None:
        self.name = self.dossier.id if self.dossier is not None else self.id

    def release(self) -> None:
        """Let go of the dossier and its eligibility once the job has ended: a service keeps
        its jobs for ``K39_JOB_KEEP_S``, and a hundred candidates' data each would pile up
        (and be walked by every garbage collection) for nothing the job's answer needs."""
        self.dossier = None
        self.checked = None

    @property
    def out(self) -> Path:
        return self.folder / "out"

    @property
    def ended(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def to_dict(self, status_url: str | None = None) -> dict[str, Any]:
        t = self.tracker
        data: dict[str, Any] = {
            "id": self.id,
            "status": self.status,
            "progress": {"done": t.done(), "total": t.total, "step": t.step},
            "manifest": self.manifest,
            "error": self.error,
            "created_at": _iso(self.created),
            "finished_at": _iso(self.finished) if self.finished else None,
        }
        if status_url:
            data["status_url"] = status_url
        return data


def _iso(moment: float) -> str:
    from datetime import datetime

    from ..dossier.model import VIETNAM_TZ

    return datetime.fromtimestamp(moment, VIETNAM_TZ).replace(microsecond=0).isoformat()


class JobQueue:
    """The jobs of the service, run one after another by one worker thread on ``session``."""

    def __init__(
        self,
        session: ServiceSession,
        root: Path,
        *,
        queue_max: int,
        keep_s: float,
        on_ended: Callable[[Job], None] = lambda job: None,
    ):
        self.session = session
        self.root = root
        self.queue_max = queue_max
        self.keep_s = keep_s
        self.on_ended = on_ended
        self._jobs: dict[str, Job] = {}
        self._waiting: deque[Job] = deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="k39-jobs", daemon=True)

    # --- what the routes call ---

    def new_folder(self) -> tuple[str, Path]:
        """A fresh job id and its private folder."""
        from .intake import private_dir

        job_id = uuid.uuid4().hex
        return job_id, private_dir(self.root / job_id)

    def submit(self, job: Job) -> None:
        with self._cond:
            if len(self._waiting) >= self.queue_max:
                raise QueueFull()
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._cond.notify_all()
        log.info(
            "job %s queued (%d waiting)",
            job.id,
            len(self._waiting),
            extra={"request_id": job.request_id},
        )

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            return self._jobs.get(job_id)

    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting)

    def cancel(self, job_id: str) -> str | None:
        """``cancelling`` (a queued or running job, which ends ``cancelled``), ``forgotten`` (an
        ended job, its files deleted) or None (no such job)."""
        with self._cond:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.ended:
                del self._jobs[job_id]
                forget = True
            else:
                forget = False
                job.tracker.cancel()
                if job.status == "queued":
                    self._waiting.remove(job)
                    self._end(job, "cancelled")
        if forget:
            shutil.rmtree(job.folder, ignore_errors=True)
            return "forgotten"
        return "cancelling"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Cancel what is running, drop what waits, delete every job's files."""
        with self._cond:
            self._stopping = True
            for job in list(self._jobs.values()):
                if not job.ended:
                    job.tracker.cancel()
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=120)
        with self._cond:
            jobs, self._jobs = list(self._jobs.values()), {}
        for job in jobs:
            shutil.rmtree(job.folder, ignore_errors=True)

    # --- the worker ---

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._stopping:
                    self._cond.wait(timeout=min(60.0, self.keep_s))
                    self._sweep()
                if self._stopping:
                    return
                job = self._waiting.popleft()
                job.status = "running"
            self._run(job)
            with self._cond:
                self._sweep()

    def _run(self, job: Job) -> None:
        with self.session.settled_after():
            self._run_and_tell(job)
            # a moment for the status requests this end woke to be answered, before the
            # collection holds the interpreter for tens of milliseconds
            time.sleep(ANSWERED_S)

    def _run_and_tell(self, job: Job) -> None:
        office = self.session.office
        office.state()  # a LibreOffice that stopped or failed to start is started again
        tracker = job.tracker
        office.tracker = tracker
        extra = {"request_id": job.request_id}
        started = time.perf_counter()

        def say(message: str) -> None:
            if tracker.cancelled.is_set():
                raise JobCancelled()
            tracker.step = message

        log.info("job %s running", job.id, extra=extra)
        assert job.dossier is not None, "a job is run once"
        try:
            manifest = self.session.render(
                job.dossier,
                job.out,
                options=job.options,
                progress=tracker.progress,
                say=say,
                eligibility=job.checked.for_today() if job.checked is not None else None,
            )
        except JobCancelled:
            outcome, detail = "cancelled", None
        except DossierError as error:
            outcome, detail = (
                "failed",
                {"title": "Hồ sơ không hợp lệ", "detail": str(error), **bad_input(error)},
            )
        except K39Error as error:
            outcome, detail = (
                "failed",
                {"title": _failure_title(error), "detail": str(error), "issues": []},
            )
        except Exception as error:
            log.exception("job %s: unexpected %s", job.id, type(error).__name__, extra=extra)
            outcome, detail = (
                "failed",
                {
                    "title": "Lỗi bên trong dịch vụ",
                    "detail": "Lỗi không lường trước khi tạo hồ sơ; quản trị "
                    "viên xem nhật ký của dịch vụ.",
                    "issues": [],
                },
            )
        else:
            outcome, detail = ("cancelled", None) if tracker.cancelled.is_set() else ("done", None)
            if outcome == "done":
                job.manifest = manifest.to_dict() if hasattr(manifest, "to_dict") else None
                _private_tree(job.out)
        finally:
            office.tracker = None
        if outcome == "cancelled":
            shutil.rmtree(job.out, ignore_errors=True)  # published nothing
        job.error = detail
        log.info("job %s %s in %.1f s", job.id, outcome, time.perf_counter() - started, extra=extra)
        with self._cond:
            self._end(job, outcome)

    def _end(self, job: Job, outcome: str) -> None:
        job.status = outcome
        job.finished = time.time()
        job.release()
        try:
            self.on_ended(job)
        except Exception:
            log.exception("job %s: callback not sent", job.id, extra={"request_id": job.request_id})

    def _sweep(self) -> None:
        """Delete the jobs that ended more than ``keep_s`` ago (called holding the lock)."""
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.ended and job.finished is not None and now - job.finished > self.keep_s:
                del self._jobs[job_id]
                shutil.rmtree(job.folder, ignore_errors=True)
                log.info(
                    "job %s deleted (kept %.0f s)",
                    job_id,
                    self.keep_s,
                    extra={"request_id": job.request_id},
                )


def _failure_title(error: K39Error) -> str:
    from ..errors import ConversionError, DependencyError, IneligibleError, SigningError

    for kind, title in (
        (IneligibleError, "Hồ sơ có ứng viên chưa đủ điều kiện"),
        (SigningError, "Không ký số được hồ sơ"),
        (ConversionError, "LibreOffice không chuyển được văn bản sang PDF"),
        (DependencyError, "Máy chủ thiếu phần mềm cần thiết"),
    ):
        if isinstance(error, kind):
            return title
    return "Không tạo được hồ sơ"


def _private_tree(folder: Path) -> None:
    """Results readable by the service's user only, whatever umask the render ran with."""
    for path in [folder, *folder.rglob("*")]:
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:
            pass
