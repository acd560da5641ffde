"""What a run needs to know about each converted PDF — page count and fonts — read once.

A large dossier has hundreds of PDFs; the manifest, the font check, the contents page and the
signature placement all ask about them, so each file is read once: the bundle copies every part
anyway and records what it saw (:func:`remember`); other files are parsed on first use. Facts
are keyed by path, size and modification time, so a rewritten file is read again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

__all__ = ["PdfFacts", "facts_of", "remember", "pdf_facts", "page_count", "marked_pages",
           "remember_pages", "take_pages", "forget_pages"]

_REMEMBERED = 4096  # files; far more than one run produces


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    fonts: frozenset[str]  # base font names without the subset prefix ("LiberationSerif-Bold")


_known: dict[tuple[Path, int, int], PdfFacts] = {}
_lock = threading.Lock()


def facts_of(pages) -> PdfFacts:
    """The facts of a sequence of pypdf pages (a reader's, or the ones a writer just copied)."""
    fonts = set()
    for page in pages:
        for ref in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            base = str(ref.get_object().get("/BaseFont", ""))
            fonts.add(base.lstrip("/").split("+", 1)[-1])
    return PdfFacts(len(pages), frozenset(f for f in fonts if f))


def _key(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return (path, stat.st_size, stat.st_mtime_ns)


def remember(path: Path, facts: PdfFacts) -> None:
    """Record facts found by whoever read ``path`` already (the bundle does)."""
    key = _key(Path(path))
    with _lock:
        if len(_known) >= _REMEMBERED:
            del _known[next(iter(_known))]
        _known[key] = facts


def pdf_facts(path: Path) -> PdfFacts:
    """The facts of ``path``, read on first use."""
    path = Path(path)
    facts = _known.get(_key(path))
    if facts is None:
        facts = facts_of(PdfReader(path).pages)
        remember(path, facts)
    return facts


def page_count(path: Path) -> int:
    return pdf_facts(path).pages


def marked_pages(reader: PdfReader, prefix: str) -> dict[int, int]:
    """Where the bookmarks ``prefix0``, ``prefix1`` … of the DOCX (exported by LibreOffice as
    named destinations) are: their number → the page they are on, from 0."""
    found = {}
    for name, dest in reader.named_destinations.items():
        number = name[len(prefix) + 1:]
        if name.startswith(f"/{prefix}") and number.isdigit():
            page = reader.get_destination_page_number(dest)
            if page is not None:  # a destination on no page of the file is a mark not found
                found[int(number)] = page
    return found


# PDFs cut from a larger one (see k39docs.combine): the pages they were cut from, parsed already;
# by path, with the size and modification time the file had then
_pages: dict[Path, tuple[int, int, PdfReader, int, int]] = {}
_PAGES_REMEMBERED = 1024  # files: what a failed run leaves here is dropped in time


def remember_pages(path: Path, reader: PdfReader, start: int, end: int) -> None:
    """``path`` holds what pages ``start:end`` of ``reader`` hold: whoever needs its pages
    (the bundle) copies them from ``reader``, whose objects are parsed already, instead of
    parsing the file. Shared objects (the fonts of every document cut from one PDF) are then
    copied once."""
    path, size, mtime = _key(Path(path))
    with _lock:
        _pages.pop(path, None)
        if len(_pages) >= _PAGES_REMEMBERED:
            del _pages[next(iter(_pages))]
        _pages[path] = (size, mtime, reader, start, end)


def take_pages(path: Path) -> list | None:
    """The parsed pages remembered for ``path`` (forgotten now), or None (also when the file
    changed since)."""
    path = Path(path)
    with _lock:
        found = _pages.pop(path, None)  # (most parts have none: their file is not looked at)
    if found is None:
        return None
    size, mtime, reader, start, end = found
    if _key(path) != (path, size, mtime):
        return None
    return list(reader.pages[start:end])


def forget_pages(folder: Path) -> None:
    """Forget the pages remembered for files in ``folder`` (a failed render's staging folder):
    nobody will take them, and in a long-lived process they would hold their parsed PDFs."""
    folder = Path(folder)
    with _lock:
        for path in [p for p in _pages if p.is_relative_to(folder)]:
            del _pages[path]
