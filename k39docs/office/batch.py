"""The fallback without a Python that can ``import uno``: one ``soffice --convert-to pdf`` per
core over a batch of files."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from concurrent.futures import Future
from pathlib import Path

from ..errors import ConversionError
from .bridge import SOFFICE_FLAGS, convert_to_arg
from .find import find_soffice
from .options import PDF_EXPORT_OPTIONS, ConvertOptions
from .workdirs import kill_group, make_tmp, new_profile, new_session_kwargs

__all__ = ["BatchConverter"]

log = logging.getLogger(__name__)


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
                profile = new_profile(tmp, f"profile-{i}", self.options.seed_profile)
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
                    **new_session_kwargs(),
                )
                runs.append((proc, made, batch))
            deadline = time.monotonic() + self.options.timeout_s
            for proc, made, batch in runs:
                try:
                    code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                    why = None if code == 0 else f"soffice kết thúc với mã {code}"
                except subprocess.TimeoutExpired:
                    kill_group(proc)
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
