"""How a render converts: workers, timeouts, the fallback, and what LibreOffice's PDF export is told."""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["ConvertOptions", "PDF_EXPORT_OPTIONS", "ONE_WORKER_FOR"]

# PDF export: LibreOffice's defaults, and Word bookmarks as named destinations (a group of
# documents converted as one marks where each member begins with one; see k39docs.pdf.combine)
PDF_EXPORT_OPTIONS = {"ExportBookmarksToPDFDestination": True}
ONE_WORKER_FOR = 8  # documents to convert, at most, for one worker to convert them all


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
