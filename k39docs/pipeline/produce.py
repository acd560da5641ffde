"""Every document as DOCX, and as PDF: taken from the content cache, or rendered and handed to
LibreOffice (alone, in a group of one template converted as one, or only its changed pages)."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Container, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from ..cache import DocumentCache
from ..documents import Document
from ..documents.enclosures import OUTGOING
from ..docx.writer import WrittenDocx, render_docx, resolve_template
from ..dossier.model import Dossier, today_in_vietnam
from ..edits import Edit, inputs_digest
from ..manifest import FileDigests
from ..office import Office
from ..pdf import pagepatch
from ..pdf.pdfinfo import PdfLedger
from .options import RenderOptions

__all__ = [
    "Planned",
    "plan_documents",
    "issued_date",
    "Output",
    "done_future",
    "FETCHERS",
    "FEW_TO_CONVERT",
    "produce",
    "combine_groups",
    "converted",
    "latest_pages",
]


@dataclass(frozen=True)
class Planned:
    doc: Document
    key: str  # content-cache key
    cached: bool  # the cache holds this document in every format asked for
    edit: Edit | None = None  # the clerk's edited DOCX, converted as it is instead of rendered
    inputs: str | None = None  # digest of the data it is rendered from (k39docs.edits)


def plan_documents(
    documents: Sequence[Document],
    cache: DocumentCache,
    dossier: Dossier,
    options: RenderOptions,
    want_pdf: bool,
    edits: dict[str, Edit] | None = None,
) -> list[Planned]:
    """Each document's cache key, and whether it must be rendered (and converted) at all. A
    kept edit is keyed by its own bytes: the cache never gives the template's version for it."""
    issued = issued_date(dossier)
    planned = []
    for doc in documents:
        edit = (edits or {}).get(doc.stem)
        # what the document says, digested once: its cache key is made from that digest
        inputs = edit.inputs if edit is not None else inputs_digest(doc)
        if edit is not None:
            key = cache.key(edit.source, {"edited": True})
        else:
            template, _sandboxed = resolve_template(doc.template, options.templates)
            key = cache.key(template, {"inputs": inputs}, author=dossier.issuer.name, issued=issued)
        planned.append(Planned(doc, key, cache.holds(key, pdf=want_pdf), edit, inputs))
    return planned


def issued_date(dossier: Dossier) -> datetime:
    """The documents' creation date in their metadata: the công văn's date."""
    # a draft's: today (in Vietnam), the day it is made, as its blank date line's year
    dated = dossier.documents.cover_letter.date or today_in_vietnam()
    return datetime.combine(dated, datetime.min.time())


@dataclass(frozen=True)
class Output:
    doc: Document
    key: str  # content-cache key
    docx: Path
    pdf: Path | None
    ready: Future  # resolves when the PDF is in place (at once for a cache hit or DOCX only)
    job: int = -1  # the LibreOffice conversion it comes out of (shared by a group converted as one)
    cached: bool = False  # taken from the cache (its PDF may not be in place yet)
    edited: bool = False  # the clerk's edited DOCX, kept as it is
    inputs: str | None = None  # digest of the data it was rendered from (k39docs.edits)

    @property
    def made_pdf(self) -> Path:
        """Its PDF, in a render that makes PDFs (``pdf`` is None only in a DOCX-only one)."""
        assert self.pdf is not None, "a DOCX-only render has no PDF"
        return self.pdf


def done_future() -> Future:
    future: Future = Future()
    future.set_result(None)
    return future


FETCHERS = 4  # threads copying cached documents into place: creating a file waits on the disk

FEW_TO_CONVERT = 16  # documents to convert, at most, for the ones outside the bundle to go last


def produce(
    planned: Sequence[Planned],
    stage: Path,
    outdir: Path,
    office: Office,
    cache: DocumentCache,
    dossier: Dossier,
    options: RenderOptions,
    copying: ThreadPoolExecutor,
    ledger: PdfLedger,
    digests: FileDigests,
) -> list[Output]:
    """Every document as DOCX (and PDF): rendered and queued for LibreOffice as soon as it is
    written (a group converted as one, once its last member is), or copied from the cache by
    the ``copying`` threads (a hundred candidates' files take a fraction of a second to
    create, mostly waiting on the disk; the ones ``outdir`` holds already are linked from
    there); returns while the conversions and copies run. As each PDF comes back, the
    worker's thread files it in the cache. ``digests``: the run's, to tell a cached file
    from the one in ``outdir`` (a session's knows them already)."""
    want_pdf = "pdf" in options.formats
    outputs: dict[int, Output] = {}
    render = partial(
        render_docx,
        templates=options.templates,
        author=dossier.issuer.name,
        issued=issued_date(dossier),
    )
    edited = {p.doc.stem: p.edit.source for p in planned if p.edit is not None}

    def write(doc: Document, docx: Path) -> WrittenDocx | None:
        """The document's DOCX: the clerk's edit as it is (None), or rendered from its
        template (what was written: its page layout is read from that)."""
        if doc.stem in edited:
            docx.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(edited[doc.stem], docx)
            return None
        return render(doc, docx)

    work = stage / ".work"  # groups combined, pages of long lists converted again
    if want_pdf:
        work.mkdir(exist_ok=True)

    def make(
        doc: Document, key: str, docx: Path, pdf: Path | None, written: WrittenDocx | None
    ) -> Future:
        """Convert the DOCX ``write`` gave (``written``) and file it in the cache."""
        if pdf is None:
            cache.store(key, docx, None)
            return done_future()
        filed: Future = Future()
        layout = (
            pagepatch.layout_of(written.parts, written.body)
            if written is not None and cache.enabled and doc.candidate is None
            else None
        )
        if layout is None:
            office.convert(docx, pdf).add_done_callback(
                partial(converted, cache, key, docx, pdf, filed)
            )
            return filed
        # a long table: converted again only on the pages that changed since the version the
        # cache holds (a dossier's documents that list every candidate: see k39docs.pdf.pagepatch)
        lineage = f"{dossier.id}/{doc.stem}"
        pagepatch.convert(
            office, layout, pdf, work, latest_pages(cache, lineage)
        ).add_done_callback(partial(converted, cache, key, docx, pdf, filed, lineage=lineage))
        return filed

    def fetch(doc: Document, key: str, docx: Path, pdf: Path | None) -> Path | None:
        if cache.fetch(
            key,
            docx,
            pdf,
            previous=lambda path: outdir / path.relative_to(stage),
            same=digests.same,
            linked=options.linked_from_cache,
        ):
            return pdf
        made = make(doc, key, docx, pdf, write(doc, docx))  # gone from the cache since planned
        office.drain()
        return made.result()

    def paths(i: int) -> tuple[Path, Path | None]:
        stem = planned[i].doc.stem
        return stage / "docx" / f"{stem}.docx", stage / "pdf" / f"{stem}.pdf" if want_pdf else None

    def pdf_pair(i: int) -> tuple[Path, Path]:
        """(DOCX, PDF) of a document to convert: a render that converts makes PDFs."""
        docx, pdf = paths(i)
        assert pdf is not None
        return docx, pdf

    # The documents to convert go first, so LibreOffice starts on them at once (the cached
    # ones are copied meanwhile). The few that list every candidate take longest to convert
    # (a second or more for a hundred candidates): they are written first and queued longest
    # first (by size), so that none of them is what a worker is still busy with when the
    # others are done; the bundle's before the one outside it (the eligibility working
    # paper), so that their page counts are known early, for the contents page converted in
    # advance. When only a few documents are to convert (a change to a dossier rendered
    # before), each is quick (the lists convert only their changed pages): they go as they
    # are written, the ones quickest to write first, and the working paper after all the
    # bundle's: it converts while the bundle is written and signed.
    listing = {i for i, p in enumerate(planned) if not p.cached and p.doc.candidate is None}
    few = sum(1 for p in planned if not p.cached) <= FEW_TO_CONVERT
    size, early = {}, {}
    for i in () if few else listing:
        early[i] = write(planned[i].doc, paths(i)[0])
        size[i] = paths(i)[0].stat().st_size

    def rank(i: int) -> tuple[int, int]:
        if planned[i].cached:
            return (4, 0)
        if few:
            return (0 if i not in listing else 1 if planned[i].doc.bundle == OUTGOING else 3, 0)
        if i not in listing:
            return (2, 0)
        return (0 if planned[i].doc.bundle == OUTGOING else 1, -size[i])

    # The documents of one candidate each (a Bản cam kết, a báo cáo) convert in groups of one
    # template, as one LibreOffice document each (see k39docs.pdf.combine): a group is sent as soon
    # as its last member is written
    groups = combine_groups(planned, listing, want_pdf)
    sizes = Counter(groups.values())
    written: dict[int, list[int]] = {}  # group number → its members written so far
    filed: dict[int, Future] = {}  # a member's PDF in place and cached

    def send(members: list[int]) -> None:
        keys = [planned[j].key for j in members]
        together = office.convert_together(
            [pdf_pair(j) for j in members],
            work / f"gop-{groups[members[0]]}.docx",
            keep=lambda pdf, counts: cache.store_group(keys, pdf, counts),
            ledger=ledger,
        )
        for j, conversion in zip(members, together, strict=True):
            conversion.add_done_callback(
                partial(converted, cache, planned[j].key, *pdf_pair(j), filed[j])
            )

    for i in sorted(range(len(planned)), key=rank):  # stable: same rank, document order
        doc, key = planned[i].doc, planned[i].key
        docx, pdf = paths(i)
        if planned[i].cached:
            ready = copying.submit(fetch, doc, key, docx, pdf)
        elif i in groups:
            write(doc, docx)
            ready = filed[i] = Future()
            members = written.setdefault(groups[i], [])
            members.append(i)
            if len(members) == sizes[groups[i]]:
                send(members)
        else:
            ready = make(doc, key, docx, pdf, early.pop(i) if i in early else write(doc, docx))
        outputs[i] = Output(
            doc,
            key,
            docx,
            pdf,
            ready,
            groups.get(i, -1 - i),
            planned[i].cached,
            edited=planned[i].edit is not None,
            inputs=planned[i].inputs,  # a kept edit's: those its original was made from
        )
    office.drain()
    return [outputs[i] for i in range(len(planned))]


# documents of one template converted as one LibreOffice document: at least (fewer gain
# nothing worth the combining), and at most (smaller groups keep both workers busy to the end)
COMBINE_MIN, COMBINE_MAX = 4, 25


def combine_groups(
    planned: Sequence[Planned], listing: Container[int], want_pdf: bool
) -> dict[int, int]:
    """Which documents to convert together: document index → group number. Each candidate's
    documents to convert, by template, in near-equal groups of ``COMBINE_MIN``–``COMBINE_MAX``
    (the documents listing every candidate convert alone: they are long already)."""
    by_template: dict[str, list[int]] = {}
    for i, p in enumerate(planned):
        if (
            want_pdf
            and not p.cached
            and i not in listing
            and p.doc.candidate is not None
            and p.edit is None
        ):  # an edit converts alone, its own styles untouched
            by_template.setdefault(p.doc.template, []).append(i)
    groups, number = {}, 0
    for members in by_template.values():
        if len(members) < COMBINE_MIN:
            continue
        # two groups at least when there are enough: the first tells the page counts of its
        # kind while the second converts, in time for the contents page converted in advance
        count = max(-(-len(members) // COMBINE_MAX), min(2, len(members) // COMBINE_MIN))
        for k in range(count):
            for i in members[k * len(members) // count : (k + 1) * len(members) // count]:
                groups[i] = number
            number += 1
    return groups


def converted(
    cache: DocumentCache,
    key: str,
    docx: Path,
    pdf: Path,
    filed: Future,
    conversion: Future,
    *,
    lineage: str | None = None,
) -> None:
    """Runs in the worker's thread when a PDF is back; ``filed`` resolves when it is cached.
    ``lineage``: the conversion was :func:`k39docs.pdf.pagepatch.convert`'s, its result the
    document's page map, kept as the latest of its lineage."""
    try:
        result = conversion.result()
        cache.store(key, docx, pdf)
        if lineage is not None:
            cache.store_pages(key, lineage, result.to_json())
    except BaseException as exc:  # noqa: BLE001 — handed to the waiting thread as it is
        filed.set_exception(exc)
    else:
        filed.set_result(pdf)


def latest_pages(cache: DocumentCache, lineage: str):
    """The PDF and page map of the latest converted version of ``lineage``, or None."""
    found = cache.latest_pages(lineage)
    if found is None:
        return None
    try:
        return found[0], pagepatch.PageMap.from_json(found[1])
    except (ValueError, KeyError, TypeError):
        return None  # a map from another k39docs, or damaged: convert the whole
