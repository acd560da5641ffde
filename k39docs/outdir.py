"""Writing OUTDIR safely: all or nothing, and one run at a time.

A run writes into a staging folder beside OUTDIR and swaps it in only when every stage
(including signing) succeeded; a failure leaves the previous OUTDIR byte for byte as it was. A
lock file beside OUTDIR makes a second run into the same folder wait (up to a limit) instead of
interleaving with the first. If a machine dies in the middle of the swap, the next run puts the
previous output back before it starts.

The output holds personal data (CCCD numbers, birth dates: Nghị định 13/2023/NĐ-CP), so it is
readable by its owner and group only: the staging folder is private while it is written, and
its files and folders get mode 0640 / 0750 (less what the umask takes) before it is swapped in.
An OUTDIR that is a symbolic link is followed: the folder it points to is replaced.
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

__all__ = [
    "OutdirBusyError",
    "OutdirError",
    "real_outdir",
    "locked",
    "staging",
    "link_or_copy",
    "LOCK_TIMEOUT_S",
    "FILE_MODE",
    "DIR_MODE",
]

LOCK_TIMEOUT_S = float(os.environ.get("K39_LOCK_TIMEOUT", "600"))


FILE_MODE = 0o640
DIR_MODE = 0o750


class OutdirBusyError(K39Error):
    """Another run is writing the same output folder."""


class OutdirError(K39Error):
    """The previous output cannot be replaced (write-protected, or not a folder)."""


def real_outdir(outdir: Path) -> Path:
    """The folder a render replaces: a symbolic link is followed, so the link keeps pointing at
    the new output (replacing the link itself left its target stale and broke later runs)."""
    outdir = Path(outdir)
    if outdir.is_symlink():
        target = outdir.resolve()
        if target.exists() and not target.is_dir():
            raise OutdirError(f"{outdir} trỏ tới {target}, không phải một thư mục.")
        return target
    if outdir.exists() and not outdir.is_dir():
        raise OutdirError(
            f"{outdir} đã có và không phải một thư mục; hãy chọn thư mục khác với -o."
        )
    return outdir


def _force_rmtree(path: Path) -> None:
    """Remove a tree of our own leftovers, write-protected folders included (we own them)."""

    def writable_then_retry(func, name, _exc):
        parent = os.path.dirname(name)
        try:
            os.chmod(parent, os.stat(parent).st_mode | 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, os.stat(name).st_mode | 0o700)
            func(name)
        except OSError:
            pass

    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        if sys.version_info >= (3, 12):
            shutil.rmtree(path, onexc=writable_then_retry)
        else:
            shutil.rmtree(path, onerror=writable_then_retry)


def _check_replaceable(outdir: Path) -> None:
    """Refuse, before any work, to replace an output someone write-protected: the swap would
    leave it half-removed beside the new one."""
    if not outdir.is_dir():
        return
    for folder, _dirs, _files in os.walk(outdir):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutdirError(
                f"Không thay được kết quả cũ trong {outdir}: thư mục {folder} đang bị chống ghi. "
                f"Bỏ chống ghi (chmod -R u+w {outdir}) hoặc chọn thư mục khác với -o. "
                "Chưa ghi gì."
            )


def _make_private(stage: Path) -> None:
    """Files 0640, folders 0750 (less the umask): the output holds personal data."""
    umask = os.umask(0)
    os.umask(umask)
    for folder, _dirs, files in os.walk(stage):
        os.chmod(folder, DIR_MODE & ~umask)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE & ~umask)


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
def locked(
    outdir: Path, *, timeout_s: float | None = None, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
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
        _check_replaceable(outdir)
        yield


def _recover(outdir: Path) -> None:
    """Undo a swap that a crash interrupted: the previous output comes back."""
    backup = _backup_of(outdir)
    if backup.exists() or backup.is_symlink():
        if outdir.exists():
            _force_rmtree(backup)
            if backup.exists():
                raise OutdirError(
                    f"Không xóa được bản cũ {backup} (một lượt trước bị dừng "
                    "giữa chừng); hãy xóa thư mục này rồi chạy lại."
                )
        else:
            os.replace(backup, outdir)
    for stale in outdir.parent.glob(f".{outdir.name}.k39-stage-*"):
        _force_rmtree(stale)


@contextmanager
def staging(outdir: Path) -> Iterator[Path]:
    """A fresh folder beside ``outdir`` (same file system); swapped in on success, removed on
    failure. Call inside ``locked(outdir)``."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # mkdtemp's 0700: nobody else sees the personal data while it is written
    stage = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.k39-stage-", dir=outdir.parent))
    try:
        yield stage
        _make_private(stage)
    except BaseException:
        _force_rmtree(stage)
        raise
    backup = _backup_of(outdir)
    if outdir.exists():
        os.replace(outdir, backup)
    os.replace(stage, outdir)
    _force_rmtree(backup)


def link_or_copy(
    src: Path,
    dst: Path,
    previous: Path | None = None,
    same: Callable[[Path, Path], bool] | None = None,
) -> None:
    """Put a copy of ``src`` at ``dst`` in a staging folder. When ``previous`` (the file at
    the same place in the output the staging folder replaces) has the same bytes, it is linked
    there instead: comparing two files costs a fraction of creating one, and a dossier
    rendered again after a change takes hundreds of unchanged documents from the cache. (On
    success the previous output is removed, so the output's file is nobody else's; on failure
    the previous output is left as it was.) ``same``: how to tell (a session's
    :meth:`~k39docs.manifest.FileDigests.same`, which reads each file once); by default, the
    bytes are compared."""
    if previous is not None:
        try:
            if (same or _same_bytes)(previous, src):
                os.link(previous, dst)
                return
        except OSError:  # gone, unreadable, or a file system without links: a copy
            pass
    shutil.copyfile(src, dst)


def _same_bytes(a: Path, b: Path) -> bool:
    return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
