"""What a run needs to know about each converted PDF — page count and fonts — read once.

A large dossier has hundreds of PDFs; the manifest, the font check, the contents page and the
signature placement all ask about them, so a run keeps a :class:`PdfLedger`: the bundle copies
every part anyway and records what it saw; other files are parsed on first use. The ledger also
carries, from the stage that cuts a group's PDF apart to the bundle, the pages already parsed.
It belongs to one run and is passed to the stages that use it: nothing is kept by the process.

Facts are read with pikepdf (qpdf): a PDF's page tree and fonts without parsing the rest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pikepdf

__all__ = ["PdfFacts", "PdfLedger", "facts_of", "pdf_facts", "page_count", "marked_pages"]


@dataclass(frozen=True)
class PdfFacts:
    pages: int
    fonts: frozenset[str]  # base font names without the subset prefix ("LiberationSerif-Bold")


def facts_of(pages) -> PdfFacts:
    """The facts of a sequence of pikepdf pages."""
    fonts = set()
    for page in pages:
        resources = page.obj.get("/Resources")
        named = resources.get("/Font") if resources is not None else None
        for font in named.values() if isinstance(named, pikepdf.Dictionary) else ():
            base = str(font.get("/BaseFont", "")) if isinstance(font, pikepdf.Dictionary) else ""
            fonts.add(base.lstrip("/").split("+", 1)[-1])
    return PdfFacts(len(pages), frozenset(f for f in fonts if f))


def pdf_facts(path: Path) -> PdfFacts:
    """The facts of ``path``, read now (a run asks its :class:`PdfLedger` instead)."""
    with pikepdf.open(path) as pdf:
        return facts_of(pdf.pages)


def page_count(path: Path) -> int:
    return pdf_facts(path).pages


def _key(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return (path, stat.st_size, stat.st_mtime_ns)


class PdfLedger:
    """One run's knowledge of its PDFs, safe to use from its threads.

    Facts are keyed by path, size and modification time, so a rewritten file is read again.
    Pages handed over (:meth:`remember_pages`) are taken once (:meth:`take_pages`); whatever a
    failed run left here goes with the ledger."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, int, int], PdfFacts] = {}
        self._pages: dict[Path, tuple[int, int, pikepdf.Pdf, int, int]] = {}
        self._lock = threading.Lock()

    def remember(self, path: Path, facts: PdfFacts) -> None:
        """Record facts found by whoever read ``path`` already (the bundle does)."""
        key = _key(Path(path))
        with self._lock:
            self._known[key] = facts

    def facts(self, path: Path) -> PdfFacts:
        """The facts of ``path``, read on first use."""
        path = Path(path)
        facts = self._known.get(_key(path))
        if facts is None:
            facts = pdf_facts(path)
            self.remember(path, facts)
        return facts

    def page_count(self, path: Path) -> int:
        return self.facts(path).pages

    def remember_pages(self, path: Path, source: pikepdf.Pdf, start: int, end: int) -> None:
        """``path`` holds what pages ``start:end`` of ``source`` hold: whoever needs its pages
        (the bundle) copies them from ``source``, open already and shared by every document
        cut from it, so that what they share (their fonts) is copied once."""
        path, size, mtime = _key(Path(path))
        with self._lock:
            self._pages[path] = (size, mtime, source, start, end)

    def take_pages(self, path: Path) -> tuple[pikepdf.Pdf, range] | None:
        """The PDF ``path``'s pages were cut from and their range in it (forgotten now), or
        None (also when the file changed since)."""
        path = Path(path)
        with self._lock:
            found = self._pages.pop(path, None)  # (most parts have none)
        if found is None:
            return None
        size, mtime, source, start, end = found
        if _key(path) != (path, size, mtime):
            return None
        return source, range(start, end)


def marked_pages(pdf: pikepdf.Pdf, prefix: str) -> dict[int, int]:
    """Where the bookmarks ``prefix0``, ``prefix1`` … of the DOCX (exported by LibreOffice as
    named destinations) are: their number → the page they are on, from 0."""
    page_of = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    found = {}
    for name, dest in _named_destinations(pdf):
        number = name[len(prefix) :]
        if not (name.startswith(prefix) and number.isdigit()):
            continue
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
        if (
            isinstance(dest, pikepdf.Array)
            and len(dest)
            and isinstance(dest[0], pikepdf.Dictionary)
        ):
            page = page_of.get(dest[0].objgen)
            if page is not None:  # a destination on no page of the file is a mark not found
                found[int(number)] = page
    return found


def _named_destinations(pdf: pikepdf.Pdf):
    """(name, destination) of the catalog's /Dests dictionary and of its /Names /Dests tree."""
    root = pdf.Root
    dests = root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary):
        for key, value in dests.items():
            yield key.lstrip("/"), value
    names = root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
    if isinstance(tree, pikepdf.Dictionary):
        yield from pikepdf.NameTree(tree).items()
