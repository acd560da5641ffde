"""The bundled ``dossier.pdf``: a contents page (MỤC LỤC HỒ SƠ), then every document in the
fixed order, one bookmark per document, and document metadata (title, author, subject, vi-VN).

The contents page is itself a rendered template; its page numbers depend on how many pages it
takes, so ``contents_rows`` counts from the contents' own length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from .pdfinfo import PdfFacts, facts_of, remember

__all__ = ["Part", "contents_rows", "BundleWriter", "bundle_pdf"]


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
    for index, (part, count) in enumerate(zip(parts, counts), start=1):
        rows.append({"index": index, "title": part.title, "page": page, "pages": count})
        page += count
    return rows


class BundleWriter:
    """Assembles the bundle one part at a time, in order, as each PDF becomes available.

    Reading and copying a part costs a few milliseconds of Python; done while LibreOffice is
    still converting the next parts, it is off the critical path. The contents page, which can
    only be made once every page count is known, goes in front in :meth:`finish`.
    """

    def __init__(self) -> None:
        self._writer = PdfWriter()
        self._parts: list[tuple[Part, int]] = []  # each part and its first page, contents aside

    def add(self, part: Part) -> PdfFacts:
        """Append ``part`` after the parts added so far; return its page count and fonts."""
        start = len(self._writer.pages)
        self._parts.append((part, start))
        self._writer.append(PdfReader(part.pdf), import_outline=False)
        # read from the copies now in memory: no second parse for the manifest and font check
        facts = facts_of(self._writer.pages[start:])
        remember(part.pdf, facts)
        return facts

    def finish(self, contents: Path, out: Path, *, title: str, author: str,
               subject: str) -> list[int]:
        """Put ``contents`` in front, add bookmarks and metadata, write ``out``; return each
        part's first page (0-based) in the bundle."""
        writer = self._writer
        before = len(writer.pages)
        writer.merge(0, str(contents), import_outline=False)
        offset = len(writer.pages) - before
        starts = []
        for part, start in self._parts:
            writer.add_outline_item(title=part.title, page_number=start + offset)
            starts.append(start + offset)
        writer.add_metadata({
            "/Title": title,
            "/Author": author,
            "/Subject": subject,
            "/Creator": "k39docs",
        })
        writer._root_object[NameObject("/Lang")] = TextStringObject("vi-VN")
        writer.page_mode = "/UseOutlines"
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as fh:
            writer.write(fh)
        return starts


def bundle_pdf(contents: Path, parts: list[Part], out: Path, *, title: str, author: str,
               subject: str) -> list[int]:
    """Write the bundle of ``parts`` after ``contents``; return each part's first page (0-based)."""
    bundle = BundleWriter()
    for part in parts:
        bundle.add(part)
    return bundle.finish(contents, out, title=title, author=author, subject=subject)
