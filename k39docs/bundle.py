"""The bundled ``dossier.pdf``: a contents page (MỤC LỤC HỒ SƠ), then every document in the
fixed order, one bookmark per document, and document metadata (title, author, subject, vi-VN).

The contents page is itself a rendered template; its page numbers depend on how many pages it
takes, so ``contents_rows`` counts from the contents' own length.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

__all__ = ["Part", "contents_rows", "bundle_pdf"]


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


def bundle_pdf(contents: Path, parts: list[Part], out: Path, *, title: str, author: str,
               subject: str) -> list[int]:
    """Write the bundle; return each part's first page (0-based) in it."""
    writer = PdfWriter()
    writer.append(str(contents), import_outline=False)
    starts = []
    for part in parts:
        start = len(writer.pages)
        writer.append(str(part.pdf), import_outline=False)
        writer.add_outline_item(title=part.title, page_number=start)
        starts.append(start)
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
