"""Many documents of one template converted as one: a combined DOCX in, a PDF per document out.

LibreOffice spends most of a short document's conversion on the document itself (loading its
styles, setting up the layout, starting the PDF export), not on its pages (docs/performance.md
has the measurement). So the documents that share a template (one Bản cam kết per candidate,
one báo cáo per returned candidate) are converted in groups:

* :func:`combine_docx` writes one DOCX holding each member's body in turn, each ending its own
  section (its own page size, margins and headers; page numbers starting again at 1), with a
  bookmark on each member's first paragraph;
* LibreOffice converts it, exporting the bookmarks as named destinations;
* :func:`split_pdf` cuts the PDF at those destinations into one PDF per member, with the
  member's own metadata (title, author, subject from its DOCX).

Every page comes out as a conversion of the member alone would print it (the tests compare the
words' positions, page by page). Members are combined only when their packages differ in
nothing but the body and the document properties, and nothing in them would print the group's
values instead of their own; anything else (a template with bookmarks, notes or comments of
its own, a NUMPAGES or TITLE field) is converted one by one.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from io import BytesIO
from itertools import pairwise
from pathlib import Path

import pikepdf
from lxml import etree

from ..docx.wordml import AFTER_PGNUMTYPE, bookmark, field_other_than_page, insert_in_order
from ..docx.wordml import w as _w
from .pdfinfo import PdfLedger, marked_pages

__all__ = ["combine_docx", "split_pdf", "dress_like_libreoffice", "CombineError", "MARK"]

_BODY = "word/document.xml"
_OWN = re.compile(r"^(word/document\.xml|docProps/(core|app|custom)\.xml)$")  # differ per member
_PRINTED_PART = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")
MARK = "k39doc"  # bookmark names: k39doc0, k39doc1 … (no underscore: LibreOffice escapes it)
_MARK_ID = 900_000  # bookmark ids of the marks, above any a template would use
_AFTER_SECTPR = {"pPrChange"}
_CATALOG_KEPT = ("/Lang", "/ViewerPreferences", "/MarkInfo")


class CombineError(Exception):
    """The members cannot be combined, or the combined PDF cannot be cut back into them."""


def combine_docx(members: Sequence[Path], out: Path) -> list[dict[str, str]]:
    """Write the combined DOCX of ``members`` (in order) to ``out``, and return each member's
    PDF metadata (for :func:`split_pdf`); raise ``CombineError`` when they are not copies of
    one template that differ only in their text."""
    if not members:
        raise CombineError("no documents to combine")
    shared: dict[str, bytes] = {}  # the parts every member has alike: the first member's
    first: dict[str, bytes] = {}
    bodies, metadata = [], []
    for index, member in enumerate(members):
        with zipfile.ZipFile(member) as zf:
            parts = {name: zf.read(name) for name in zf.namelist()}
        own = {name: data for name, data in parts.items() if not _OWN.match(name)}
        if index == 0:
            shared, first = own, parts
        elif own != shared:
            raise CombineError(f"{member.name} does not share the first document's template")
        if _BODY not in parts:
            raise CombineError(f"{member.name} has no {_BODY}")
        bodies.append(parts[_BODY])
        metadata.append(_pdf_metadata(parts.get("docProps/core.xml")))
    for name, data in [(_BODY, b) for b in bodies] + list(shared.items()):
        if _PRINTED_PART.match(name):
            field = field_other_than_page(data)
            if field is not None:
                raise CombineError(f"a document has a {field} field")
    root = _combined_body(bodies)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in first.items():
            if name == _BODY:
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            zf.writestr(
                zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    out.write_bytes(buffer.getvalue())
    return metadata


def _combined_body(bodies: list[bytes]):
    """The first member's document element, its body replaced by every member's in turn."""
    roots = [etree.fromstring(xml) for xml in bodies]
    members = []
    for index, root in enumerate(roots):
        body = root.find(_w("body"))
        if body is None:
            raise CombineError("a document has no body")
        if any(el.get(_w("id")) is not None for el in body.iter()):
            # bookmarks, comments, notes, tracked changes: ids that would clash between members
            raise CombineError("a document has numbered marks of its own")
        content = list(body)
        if not content or content[-1].tag != _w("sectPr"):
            raise CombineError("a document has no section properties")
        sect = content.pop()
        # its first section (the last if it has one only) starts a page, numbered from 1
        _start_member(next(body.iter(_w("sectPr"))))
        first_p = next(body.iter(_w("p")), None)
        if first_p is None:
            raise CombineError("a document has no paragraph")
        # its first page: exported as a named destination (_MARK_ID: above any template's ids)
        bookmark(first_p, f"{MARK}{index}", _MARK_ID + index)
        members.append((content, sect))
    target = roots[0].find(_w("body"))
    for child in list(target):
        target.remove(child)
    for index, (content, sect) in enumerate(members):
        if (
            index < len(members) - 1
        ):  # its last paragraph ends its section (after a table: a new one)
            if content[-1].tag != _w("p"):
                content.append(etree.Element(_w("p")))
            _end_section(content[-1], sect)
        else:
            content.append(sect)
        target.extend(content)
    return roots[0]


def _start_member(sect) -> None:
    """A member's first section starts on a new page numbered 1, as the document does alone
    (alone, how its first section starts is moot: together, it follows another's)."""
    kind = sect.find(_w("type"))
    if kind is not None:
        sect.remove(kind)  # the default: next page
    pg = sect.find(_w("pgNumType"))
    if pg is None:
        pg = etree.Element(_w("pgNumType"))
        insert_in_order(sect, pg, AFTER_PGNUMTYPE)
    if pg.get(_w("start")) is None:
        pg.set(_w("start"), "1")


def _end_section(p, sect) -> None:
    p_pr = p.find(_w("pPr"))
    if p_pr is None:
        p_pr = etree.Element(_w("pPr"))
        p.insert(0, p_pr)
    if p_pr.find(_w("sectPr")) is not None:
        raise CombineError("a document has a section break of its own at its end")
    insert_in_order(p_pr, sect, _AFTER_SECTPR)


def _pdf_metadata(core_xml: bytes | None) -> dict[str, str]:
    """Title, author and subject from a member's core properties, as LibreOffice exports them."""
    if core_xml is None:
        return {}
    core = etree.fromstring(core_xml)
    dc = "http://purl.org/dc/elements/1.1/"
    out = {}
    for key, tag in (("/Title", "title"), ("/Author", "creator"), ("/Subject", "subject")):
        el = core.find(f"{{{dc}}}{tag}")
        if el is not None and el.text:
            out[key] = el.text
    return out


def split_pdf(
    combined: Path,
    metadata: Sequence[dict[str, str]],
    targets: Sequence[Path],
    *,
    ledger: PdfLedger | None = None,
) -> list[int]:
    """Cut the PDF of a combined DOCX into one PDF per member (``targets``, in order), each
    with its ``metadata`` as :func:`combine_docx` returned it; return each member's page count.
    ``ledger``: the run's, told which pages of the combined PDF (kept open) each member's file
    holds: the bundle copies them from there. Raises ``CombineError`` if its marks are missing
    or out of order (nothing is written then)."""
    source = pikepdf.open(BytesIO(combined.read_bytes()))  # in memory: the file goes once cut
    starts = marked_pages(source, MARK)
    if any(i not in starts for i in range(len(targets))):
        raise CombineError(f"{combined.name}: the members' first pages were not found")
    bounds = [starts[i] for i in range(len(targets))] + [len(source.pages)]
    if bounds[0] != 0 or any(a >= b for a, b in pairwise(bounds)):
        raise CombineError(f"{combined.name}: the members' first pages were not found")
    shared_info = {
        k: str(v)
        for k, v in source.docinfo.items()
        if k in ("/Creator", "/Producer", "/CreationDate")
    }
    counts = []
    for own, target, (start, end) in zip(metadata, targets, pairwise(bounds), strict=True):
        with pikepdf.new() as member:
            member.pages.extend(source.pages[start:end])
            dress_like_libreoffice(member, source.Root, {**shared_info, **own})
            target.parent.mkdir(parents=True, exist_ok=True)
            member.save(target)
        if ledger is not None:
            ledger.remember_pages(target, source, start, end)  # the bundle copies from there
        counts.append(end - start)
    return counts


def dress_like_libreoffice(
    pdf: pikepdf.Pdf, catalog: pikepdf.Object, info: Mapping[str, str]
) -> None:
    """Give a PDF made of pages LibreOffice exported (a pikepdf ``Pdf``) what LibreOffice writes
    beside them in a document of its own: ``info`` (title, author, …), the catalog's language
    and viewer preferences (from ``catalog``, the exported PDF's), and opening at the first
    page."""
    for key, text in info.items():
        pdf.docinfo[pikepdf.Name(key)] = pikepdf.String(str(text))
    for key in _CATALOG_KEPT:
        if key in catalog:
            value = catalog[key]
            pdf.Root[key] = pdf.copy_foreign(value) if value.is_indirect else _copied(value)
    pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.XYZ, None, None, 0])


def _copied(value):
    """A direct object of another PDF, as an object of its own (strings, names, numbers and
    the small dictionaries of flags LibreOffice writes in its catalog)."""
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _copied(v) for k, v in value.items()})
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copied(v) for v in value])
    return value
