"""The bundled PDFs: ``dossier.pdf`` (a contents page, MỤC LỤC HỒ SƠ, then the công văn and
what it encloses, in that order) and ``noi-bo.pdf`` (the papers that stay in the province, no
contents page); one bookmark per document, and metadata (title, author, subject, vi-VN).

The contents page is itself a rendered template; its page numbers depend on how many pages it
takes, so ``contents_rows`` counts from the contents' own length.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pikepdf
from pikepdf import Name, OutlineItem, String

from .corner import reserve_corners
from .pdfinfo import PdfFacts, PdfLedger, facts_of

__all__ = ["Part", "contents_rows", "BundleWriter", "PartReaders", "bundle_pdf"]


@dataclass(frozen=True)
class Part:
    """One document in the bundle."""

    title: str
    pdf: Path
    kind: str
    candidate: str | None = None


def contents_rows(parts: list[Part], counts: list[int], contents_pages: int) -> list[dict]:
    """One row per part with its first page in the bundle (page 1 is the contents page)."""
    rows, page = [], contents_pages + 1
    for index, (part, count) in enumerate(zip(parts, counts, strict=True), start=1):
        rows.append({"index": index, "title": part.title, "page": page, "pages": count})
        page += count
    return rows


class BundleWriter:
    """Assembles the bundle of ``parts`` from their PDFs, taken in any order.

    Each part is added as soon as its PDF exists (cached ones at once, the others as LibreOffice
    returns them): what the bundle needs of it then is its page count and fonts. The pages are
    copied, in the parts' order and behind the contents page, by qpdf (pikepdf) in
    :meth:`finish`, which copies what the parts cut from one PDF share (their fonts) once.
    """

    def __init__(self, parts: list[Part]) -> None:
        self.parts = list(parts)
        self._taken: list[tuple[pikepdf.Pdf, range] | None] = [None] * len(self.parts)
        self._opened: list[pikepdf.Pdf] = []  # opened here: closed once the bundle is written
        self.page_objects: list[int] = []  # after finish(): each page's object number
        self.corner_object: int | None = None  # after finish(corners=…): the form painted there

    @property
    def counts(self) -> list[int | None]:
        """Each part's page count, None for the parts not added yet."""
        return [None if taken is None else len(taken[1]) for taken in self._taken]

    def add(
        self,
        index: int,
        source: pikepdf.Pdf | None = None,
        *,
        pages: range | None = None,
        pdf: Path | None = None,
    ) -> PdfFacts:
        """Take part ``index``; return its page count and fonts (for the caller to
        :func:`~k39docs.pdf.pdfinfo.remember` once the part's file is in place). ``source``: a
        PDF already open holding the part (``pages``: where in it, when it holds more, e.g. the
        group PDF the part was cut from; all of it otherwise); ``pdf``: a copy of the part's
        PDF to open instead of the part's own file. ``source`` stays open until
        :meth:`finish` has written the bundle."""
        part = self.parts[index]
        if self._taken[index] is not None:
            raise ValueError(f"{part.pdf} is already in the bundle")
        if source is None:
            source = pikepdf.open(pdf or part.pdf)
            self._opened.append(source)
        span = range(len(source.pages)) if pages is None else pages
        self._taken[index] = (source, span)
        return facts_of([source.pages[i] for i in span])

    def finish(
        self,
        contents: Path | None,
        out: Path,
        *,
        title: str,
        author: str,
        subject: str,
        corners: Collection[int] = (),
    ) -> list[int]:
        """Put ``contents`` (if any) in front, add bookmarks and metadata, write ``out``; return
        each part's first page (0-based) in the bundle. ``corners``: the parts whose first page
        gets the corner form for the signing information (:func:`~.corner.reserve_corners`;
        its object number in ``out`` is then :attr:`corner_object`)."""
        missing = [
            p.pdf.name for p, taken in zip(self.parts, self._taken, strict=True) if not taken
        ]
        if missing:
            raise ValueError(f"parts not added to the bundle: {', '.join(missing)}")
        try:
            with pikepdf.new() as bundle:
                if contents is not None:
                    front = pikepdf.open(contents)
                    self._opened.append(front)
                    bundle.pages.extend(front.pages)
                starts = []
                for taken in self._taken:
                    assert taken is not None  # every part is in (checked above)
                    source, span = taken
                    starts.append(len(bundle.pages))
                    bundle.pages.extend(source.pages[i] for i in span)
                with bundle.open_outline() as outline:
                    outline.root.extend(
                        OutlineItem(part.title, start)
                        for part, start in zip(self.parts, starts, strict=True)
                    )
                for key, value in (
                    ("/Title", title),
                    ("/Author", author),
                    ("/Subject", subject),
                    ("/Creator", "k39docs"),
                ):
                    bundle.docinfo[Name(key)] = String(value)
                corner = reserve_corners(bundle, [starts[i] for i in sorted(corners)])
                bundle.Root.Lang = String("vi-VN")
                bundle.Root.PageMode = Name.UseOutlines
                out.parent.mkdir(parents=True, exist_ok=True)
                bundle.save(out)
        finally:
            for opened in self._opened:
                opened.close()
            self._taken = [None] * len(self.parts)  # the parts' PDFs: let them go
        # each page's object number in the file: who stamps pages finds them without walking
        # the page tree (see k39docs.signing.stamps.stamp_attachments)
        with pikepdf.open(out) as written:
            self.page_objects = [page.obj.objgen[0] for page in written.pages]
            if corner is not None:
                page, name = corner
                self.corner_object = written.pages[page].Resources.XObject[name].objgen[0]
        return starts


class PartReaders:
    """The parts' PDFs, open, by content key, kept by a render session between renders, so
    bundling again does not open them again. A one-off render has none: :meth:`BundleWriter.add`
    opens each part.

    Only the PDFs the latest render used are kept (:meth:`keep_only_used`): the earlier
    versions of a changed part are of no more use."""

    LIMIT = 2000  # parts; each held in memory as its file's bytes

    def __init__(self) -> None:
        self._readers: dict[str, pikepdf.Pdf] = {}
        self._used: set[str] = set()  # the keys asked for or kept since keep_only_used

    def reader(self, key: str, pdf: Path) -> pikepdf.Pdf:
        reader = self._readers.get(key)
        if reader is None:
            reader = pikepdf.open(BytesIO(pdf.read_bytes()))  # the file may go: its copy stays
        self.keep(key, reader)
        return reader

    def keep(self, key: str, reader: pikepdf.Pdf) -> None:
        """Keep ``reader`` (opened already, maybe by someone else) for :meth:`reader`
        ``(key, …)``, as the most recently used; the least recently used goes past ``LIMIT``."""
        self._readers.pop(key, None)
        if len(self._readers) >= self.LIMIT:
            del self._readers[next(iter(self._readers))]
        self._readers[key] = reader
        self._used.add(key)

    def keep_only_used(self) -> None:
        """Forget the PDFs not asked for or kept since the last call (a render's end)."""
        self._readers = {k: r for k, r in self._readers.items() if k in self._used}
        self._used = set()

    def __len__(self) -> int:
        return len(self._readers)


def bundle_pdf(
    contents: Path | None,
    parts: list[Part],
    out: Path,
    *,
    title: str,
    author: str,
    subject: str,
    ledger: PdfLedger | None = None,
) -> list[int]:
    """Write the bundle of ``parts`` after ``contents`` (None: no contents page); return each
    part's first page (0-based). ``ledger``: the run's, told each part's facts."""
    bundle = BundleWriter(parts)
    for index, part in enumerate(parts):
        facts = bundle.add(index)
        if ledger is not None:
            ledger.remember(part.pdf, facts)
    return bundle.finish(contents, out, title=title, author=author, subject=subject)
