"""LibreOffice's working folders and processes: profiles copied from a started one kept in the
user cache (so a run does not pay for LibreOffice's first start, and no two runs share or lock
a profile), private folders that the next run removes if a killed run left them behind, and
process groups killed whole."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "TMP_PREFIX",
    "seed_dir",
    "seed_to_copy",
    "new_profile",
    "save_seed",
    "kill_group",
    "new_session_kwargs",
    "make_tmp",
]

log = logging.getLogger(__name__)

# LibreOffice's working folders (profiles, batches): named so that the next run can remove those
# a killed run left behind; each holds the pid of the process that made it
TMP_PREFIX = "k39-lo-"
_OWNER_FILE = "owner.pid"


def seed_dir() -> Path:
    from ..userdirs import cache_root

    return cache_root() / "libreoffice-profile"


def seed_to_copy(use_seed: bool) -> Path | None:
    """The started profile a new one is copied from, if any (it saves LibreOffice's first
    start, which sets a profile up, on every later one)."""
    seed = seed_dir()
    return seed if use_seed and seed.is_dir() else None


def new_profile(parent: Path, name: str, use_seed: bool) -> Path:
    profile = parent / name
    seed = seed_to_copy(use_seed)
    if seed is not None:
        try:
            shutil.copytree(seed, profile, symlinks=True)
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
    return profile


def save_seed(profile: Path) -> None:
    """Keep a started profile for later runs (first run only; atomic, best effort)."""
    seed = seed_dir()
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


def kill_group(proc: subprocess.Popen) -> None:
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


def new_session_kwargs() -> dict:
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
