"""What a run needs to know about each converted PDF — page count and fonts — read once.

A large dossier has hundreds of PDFs; the manifest, the font check, the contents page and the
signature placement all ask about them, so each file is parsed once (cached by path, size and
modification time).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader

__all__ = ["PdfFacts", "pdf_facts", "page_count"]


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    fonts: frozenset[str]  # base font names without the subset prefix ("LiberationSerif-Bold")


@lru_cache(maxsize=4096)
def _facts(path: Path, size: int, mtime_ns: int) -> PdfFacts:
    reader = PdfReader(path)
    fonts = set()
    for page in reader.pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            base = str(ref.get_object().get("/BaseFont", ""))
            fonts.add(base.lstrip("/").split("+", 1)[-1])
    return PdfFacts(len(reader.pages), frozenset(f for f in fonts if f))


def pdf_facts(path: Path) -> PdfFacts:
    stat = Path(path).stat()
    return _facts(Path(path), stat.st_size, stat.st_mtime_ns)


def page_count(path: Path) -> int:
    return pdf_facts(path).pages
