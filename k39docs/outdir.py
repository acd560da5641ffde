"""Writing OUTDIR safely: all or nothing, and one run at a time.

A run writes into a staging folder beside OUTDIR and swaps it in only when every stage
(including signing) succeeded; a failure leaves the previous OUTDIR byte for byte as it was. A
lock file beside OUTDIR makes a second run into the same folder wait (up to a limit) instead of
interleaving with the first. If a machine dies in the middle of the swap, the next run puts the
previous output back before it starts.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import K39Error

__all__ = ["OutdirBusyError", "locked", "staging", "link_or_copy", "LOCK_TIMEOUT_S"]

LOCK_TIMEOUT_S = float(os.environ.get("K39_LOCK_TIMEOUT", "600"))


class OutdirBusyError(K39Error):
    """Another run is writing the same output folder."""


def _try_lock(fh) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _backup_of(outdir: Path) -> Path:
    return outdir.parent / f".{outdir.name}.k39-previous"


@contextmanager
def locked(outdir: Path, *, timeout_s: float | None = None,
           on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of ``outdir`` (a file beside it; the OS frees it if the process dies)."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    limit = LOCK_TIMEOUT_S if timeout_s is None else timeout_s
    path = outdir.parent / f".{outdir.name}.k39-lock"
    with open(path, "a+b") as fh:
        deadline = time.monotonic() + limit
        told = False
        while not _try_lock(fh):
            if time.monotonic() >= deadline:
                raise OutdirBusyError(
                    f"Thư mục {outdir} đang được một lượt tạo hồ sơ khác ghi; đã chờ {limit:.0f} "
                    "giây. Chạy lại sau khi lượt kia xong, hoặc chọn thư mục khác với -o."
                )
            if not told and on_wait is not None:
                on_wait(f"Đang chờ lượt tạo hồ sơ khác ghi xong vào {outdir}…")
                told = True
            time.sleep(0.2)
        _recover(outdir)
        yield


def _recover(outdir: Path) -> None:
    """Undo a swap that a crash interrupted: the previous output comes back."""
    backup = _backup_of(outdir)
    if backup.is_dir():
        if outdir.exists():
            shutil.rmtree(backup, ignore_errors=True)
        else:
            os.replace(backup, outdir)
    for stale in outdir.parent.glob(f".{outdir.name}.k39-stage-*"):
        shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def staging(outdir: Path) -> Iterator[Path]:
    """A fresh folder beside ``outdir`` (same file system); swapped in on success, removed on
    failure. Call inside ``locked(outdir)``."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.k39-stage-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(stage, 0o777 & ~umask)  # mkdtemp's 0700 would hide the output from colleagues
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    backup = _backup_of(outdir)
    if outdir.exists():
        os.replace(outdir, backup)
    os.replace(stage, outdir)
    shutil.rmtree(backup, ignore_errors=True)


def link_or_copy(src: Path, dst: Path, previous: Path | None = None) -> None:
    """Put a copy of ``src`` at ``dst`` in a staging folder. When ``previous`` (the file at
    the same place in the output the staging folder replaces) has the same bytes, it is linked
    there instead: comparing two files costs a fraction of creating one, and a dossier
    rendered again after a change takes hundreds of unchanged documents from the cache. (On
    success the previous output is removed, so the output's file is nobody else's; on failure
    the previous output is left as it was.)"""
    if previous is not None:
        try:
            if previous.stat().st_size == src.stat().st_size and \
                    previous.read_bytes() == src.read_bytes():
                os.link(previous, dst)
                return
        except OSError:  # gone, unreadable, or a file system without links: a copy
            pass
    shutil.copyfile(src, dst)
