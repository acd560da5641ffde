"""DOCX → PDF with LibreOffice headless: finding ``soffice`` and converting documents in batches.

LibreOffice costs most of a run, and its start-up dominates small documents, so documents are
converted in batches: one ``soffice`` start per worker (default: one per CPU core), never one per
document. Each worker has its own throw-away profile directory, so two runs — or two workers —
never fight over LibreOffice's profile lock.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import ConversionError, DependencyError

__all__ = ["find_soffice", "convert_to_pdf", "ConvertOptions", "INSTALL_HINT"]

INSTALL_HINT = (
    "Không tìm thấy LibreOffice (soffice) để chuyển DOCX sang PDF. Cài đặt:\n"
    "  Debian/Ubuntu: sudo apt-get install libreoffice-writer-nogui fonts-liberation2\n"
    "  macOS: brew install --cask libreoffice\n"
    "  Windows: cài LibreOffice từ libreoffice.org\n"
    "hoặc đặt biến môi trường K39_SOFFICE trỏ tới tệp soffice. "
    "Chỉ cần DOCX thì chạy với --format docx."
)


def _candidates() -> list[Path]:
    paths = [
        Path("/usr/bin/soffice"),
        Path("/usr/lib/libreoffice/program/soffice"),
        Path("/opt/libreoffice/program/soffice"),
        *sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True),
        Path("/snap/bin/libreoffice"),
        Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
        Path.home() / "Applications/LibreOffice.app/Contents/MacOS/soffice",
    ]
    if sys.platform == "win32":
        for base in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)")):
            if base:
                paths.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
    return paths


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
    for path in _candidates():
        if path.is_file():
            return path
    raise DependencyError(INSTALL_HINT)


@dataclass(frozen=True)
class ConvertOptions:
    workers: int = 0  # 0: one per CPU core, never more than there are batches worth starting
    timeout_s: float = 300.0  # per batch
    min_docs_per_worker: int = 2  # a second start is only worth it with enough documents


def _profile_url(folder: Path) -> str:
    return folder.resolve().as_uri()


def _batches(paths: Sequence[Path], workers: int) -> list[list[Path]]:
    """Split by size so every worker gets about the same amount of work (largest first)."""
    buckets: list[list[Path]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for path in sorted(paths, key=lambda p: p.stat().st_size, reverse=True):
        i = loads.index(min(loads))
        buckets[i].append(path)
        loads[i] += path.stat().st_size
    return [b for b in buckets if b]


def _kill(proc: subprocess.Popen) -> None:
    try:
        if sys.platform == "win32":
            proc.kill()
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def convert_to_pdf(
    docx_paths: Sequence[Path], pdf_dir: Path, *, options: ConvertOptions | None = None
) -> dict[Path, Path]:
    """Convert every DOCX into ``pdf_dir`` (same stem, ``.pdf``); return {docx: pdf}.

    Raises ``DependencyError`` when LibreOffice is missing and ``ConversionError`` naming the
    documents that did not come out.
    """
    options = options or ConvertOptions()
    if not docx_paths:
        return {}
    soffice = find_soffice()
    pdf_dir.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    wanted = options.workers or cores
    workers = max(1, min(wanted, len(docx_paths) // options.min_docs_per_worker or 1))
    batches = _batches(docx_paths, workers)
    with tempfile.TemporaryDirectory(prefix="k39-lo-") as tmp:
        procs = []
        for i, batch in enumerate(batches):
            profile = Path(tmp) / f"profile-{i}"
            cmd = [
                str(soffice),
                f"-env:UserInstallation={_profile_url(profile)}",
                "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
                "--nodefault", "--convert-to", "pdf:writer_pdf_Export",
                "--outdir", str(pdf_dir),
                *(str(p) for p in batch),
            ]
            procs.append(subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"},
            ))
        deadline = time.monotonic() + options.timeout_s
        logs: list[str] = []
        timed_out = False
        for proc in procs:
            try:
                out, _ = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
                logs.append(out.decode("utf-8", "replace"))
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill(proc)
        if timed_out:
            for proc in procs:
                if proc.poll() is None:
                    _kill(proc)
    results = {p: pdf_dir / f"{p.stem}.pdf" for p in docx_paths}
    missing = [p.name for p, pdf in results.items() if not pdf.is_file() or pdf.stat().st_size == 0]
    if missing:
        reason = f"quá thời gian {options.timeout_s:.0f} giây" if timed_out else "LibreOffice báo lỗi"
        detail = "\n".join(line for log in logs for line in log.splitlines() if "Error" in line)
        raise ConversionError(
            f"Không chuyển được sang PDF ({reason}): {', '.join(missing)}"
            + (f"\n{detail}" if detail else "")
        )
    return results
