"""The bundled PDFs: ``dossier.pdf`` (a contents page, MỤC LỤC HỒ SƠ, then the công văn and
what it encloses, in that order) and ``noi-bo.pdf`` (the papers that stay in the province, no
contents page); one bookmark per document, and metadata (title, author, subject, vi-VN).

The contents page is itself a rendered template; its page numbers depend on how many pages it
takes, so ``contents_rows`` counts from the contents' own length.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

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

    Reading and copying a part costs a few milliseconds of Python. Each part is added as soon as
    its PDF exists (cached ones at once, the others as LibreOffice returns them) and goes in at
    its place, so that work is off the critical path. The contents page, which needs every page
    count, goes in front in :meth:`finish`.
    """

    def __init__(self, parts: list[Part]) -> None:
        self.parts = list(parts)
        self._writer: PdfWriter | None = PdfWriter()  # None once finished
        self._pages: list[list[PageObject] | None] = [None] * len(self.parts)
        self.page_objects: list[int] = []  # after finish(): each page's object number

    @property
    def counts(self) -> list[int | None]:
        """Each part's page count, None for the parts not added yet."""
        return [None if pages is None else len(pages) for pages in self._pages]

    def add(
        self, index: int, reader: PdfReader | None = None, *, pages=None, pdf: Path | None = None
    ) -> PdfFacts:
        """Copy part ``index`` in; return its page count and fonts (for the caller to
        :func:`~k39docs.pdf.pdfinfo.remember` once the part's file is in place). ``reader``: the
        part's PDF already open (and maybe parsed by an earlier bundle); ``pages``: its pages,
        parsed already in a larger PDF it was cut from; ``pdf``: a copy of its PDF to read
        instead of the part's own file.

        Pages are appended in the order parts come; :meth:`finish` puts them in the parts'
        order. Inserting each part at its place instead walks the page list for every page, and
        parts come back in any order: that was a third of a second at a hundred candidates."""
        part = self.parts[index]
        if self._pages[index] is not None:
            raise ValueError(f"{part.pdf} is already in the bundle")
        writer = self._writer
        assert writer is not None, "the bundle is finished"
        before = len(writer.pages)
        if pages is not None:
            for page in pages:
                writer.add_page(page)
        elif reader is not None:
            writer.append(reader, import_outline=False)
        else:
            # closed at once: its parsed objects (which point back at it) are freed now, not
            # left for the garbage collector to find, scanning everything else in memory
            with PdfReader(pdf or part.pdf) as own:
                writer.append(own, import_outline=False)
        flattened = writer.flattened_pages
        assert flattened is not None  # pypdf keeps it once a page is added
        added = flattened[before:]
        self._pages[index] = added
        # read from the copies now in memory: no second parse for the manifest and font check
        return facts_of(added)

    def _in_order(self) -> None:
        """The page tree in the parts' order. The writer's tree is one /Pages node whose /Kids
        are the pages, so the order is that array (and pypdf's list of the same pages)."""
        writer = self._writer
        assert writer is not None
        ordered = [page for pages in self._pages if pages is not None for page in pages]
        tree = writer.root_object[NameObject("/Pages")].get_object()
        assert isinstance(tree, DictionaryObject)
        tree[NameObject("/Kids")] = ArrayObject(page.indirect_reference for page in ordered)
        flattened = writer.flattened_pages
        assert flattened is not None
        flattened[:] = ordered

    def finish(
        self, contents: Path | None, out: Path, *, title: str, author: str, subject: str
    ) -> list[int]:
        """Put ``contents`` (if any) in front, add bookmarks and metadata, write ``out``; return
        each part's first page (0-based) in the bundle."""
        missing = [
            p.pdf.name for p, pages in zip(self.parts, self._pages, strict=True) if pages is None
        ]
        if missing:
            raise ValueError(f"parts not added to the bundle: {', '.join(missing)}")
        self._in_order()
        writer = self._writer
        assert writer is not None
        before = len(writer.pages)
        if contents is not None:
            writer.merge(0, str(contents), import_outline=False)
        start = len(writer.pages) - before
        starts = []
        for part, count in zip(self.parts, self.counts, strict=True):
            assert count is not None  # every part is in (checked above)
            writer.add_outline_item(title=part.title, page_number=start)
            starts.append(start)
            start += count
        writer.add_metadata(
            {
                "/Title": title,
                "/Author": author,
                "/Subject": subject,
                "/Creator": "k39docs",
            }
        )
        writer._root_object[NameObject("/Lang")] = TextStringObject("vi-VN")
        writer.page_mode = "/UseOutlines"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as fh:
            writer.write(fh)
        # each page's object number in the file: who stamps pages finds them without walking
        # the page tree (see k39docs.signing.stamps.stamp_attachments)
        self.page_objects = [_object_number(page) for page in writer.pages]
        self._writer = None  # every page's objects: let them go before the bundle is signed
        return starts


class PartReaders:
    """Readers of the parts' PDFs by content key, kept by a render session between renders, so
    bundling again copies objects already parsed (about a fifth of the work of parsing each
    part anew). A one-off render has none: :meth:`BundleWriter.add` parses each part.

    Only the readers the latest render used are kept (:meth:`keep_only_used`): the earlier
    versions of a changed part are of no more use, and a session that kept them grew with every
    render, its garbage collection slower each time."""

    LIMIT = 2000  # parts; a few hundred kilobytes of objects each

    def __init__(self) -> None:
        self._readers: dict[str, PdfReader] = {}
        self._used: set[str] = set()  # the keys asked for or kept since keep_only_used

    def reader(self, key: str, pdf: Path) -> PdfReader:
        reader = self._readers.get(key)
        if reader is None:
            reader = PdfReader(BytesIO(pdf.read_bytes()))
        self.keep(key, reader)
        return reader

    def keep(self, key: str, reader: PdfReader) -> None:
        """Keep ``reader`` (parsed already, maybe by someone else) for :meth:`reader`
        ``(key, …)``, as the most recently used; the least recently used goes past ``LIMIT``."""
        self._readers.pop(key, None)
        if len(self._readers) >= self.LIMIT:
            del self._readers[next(iter(self._readers))]
        self._readers[key] = reader
        self._used.add(key)

    def keep_only_used(self) -> None:
        """Forget the readers not asked for or kept since the last call (a render's end)."""
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


def _object_number(page: PageObject) -> int:
    reference = page.indirect_reference
    assert reference is not None  # a page written into a file has one
    return reference.idnum
