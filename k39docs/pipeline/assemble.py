"""Putting the bundles together: ``dossier.pdf`` from each part as soon as its PDF is there, its
contents page (converted in advance from the page counts known by then), and ``noi-bo.pdf``."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Container, Sequence
from concurrent.futures import Future, as_completed
from functools import partial
from itertools import chain
from pathlib import Path

from ..cache import DocumentCache
from ..documents import Document
from ..documents import contents as contents_doc
from ..documents.base import course_phrase
from ..documents.cover_letter import number_of
from ..documents.enclosures import INTERNAL, OUTGOING, enclosed
from ..docx.writer import resolve_template, write_docx
from ..dossier.model import Dossier
from ..errors import ConversionError
from ..manifest import ManifestFile, sha256_of
from ..office import Office
from ..pdf.bundle import BundleWriter, Part, PartReaders, bundle_pdf
from ..pdf.pdfinfo import PdfLedger
from .kept import Kept
from .options import RenderOptions
from .produce import (
    Output,
    converted,
)

__all__ = [
    "CONTENTS_ROWS_FIRST_PAGE",
    "CONTENTS_ROWS_PER_PAGE",
    "FORESEE_AT",
    "FORESEE_JOBS",
    "PageSource",
    "bundle_as_ready",
    "bundle_title",
    "bundle_subject",
    "internal_bundle",
    "bundle_entry",
    "CONTENTS_ATTEMPTS",
    "contents_pdf",
    "guess_counts",
    "contents_in_advance",
]

log = logging.getLogger(__name__)


# rows of one-line titles the contents page holds: under the heading, then on each next page
# (measured on the built-in template); only a first guess, corrected if the page runs otherwise
CONTENTS_ROWS_FIRST_PAGE = 42

CONTENTS_ROWS_PER_PAGE = 54

# parts still converting when the contents page is converted in advance: about as many as
# two workers convert while it does (a long contents page takes as long as four parts)
FORESEE_AT = 8

FORESEE_JOBS = 2  # … or conversions still running (groups converted as one come back at once)


class PageSource:
    """Where the bundle takes a part's pages from, cheapest first: the PDF of the group it was
    just cut from (open already), the cached PDF of the group it was cut from in an earlier
    run (opened once for a group, whose fonts its members share), a session's open copy of
    the part, or the part's own file."""

    def __init__(self, cache: DocumentCache, kept: Kept | None, ledger: PdfLedger):
        self.cache = cache
        self.ledger = ledger
        self.parsed = kept.readers if kept is not None else None
        self._groups = self.parsed if self.parsed is not None else PartReaders()
        self._kept_groups: set[int] = set()

    def add(self, bundle: BundleWriter, index: int, out: Output) -> None:
        """Put ``out`` in the bundle. A part taken from the cache goes in without waiting for
        its copy in the staging folder: its pages come from the cache's files; what the
        bundle learnt of them is remembered for the copy once it is there."""
        try:
            facts = self._add(bundle, index, out, from_cache=out.cached)
        except OSError:
            if not out.cached:
                raise
            out.ready.result()  # gone from the cache meanwhile: converted again, or an error
            facts = self._add(bundle, index, out, from_cache=False)
        out.ready.add_done_callback(partial(_remember, self.ledger, out.made_pdf, facts))

    def _add(self, bundle: BundleWriter, index: int, out: Output, *, from_cache: bool):
        cut = None if from_cache else self.ledger.take_pages(out.made_pdf)
        if cut is not None:
            source, pages = cut
            self._keep_group(out, source)
            return bundle.add(index, source, pages=pages)
        group = self.cache.group_of(out.key)
        if group is not None:
            key, pdf, start, end = group
            return bundle.add(
                index, self._groups.reader(f"group:{key}", pdf), pages=range(start, end)
            )
        pdf = self.cache.pdf_of(out.key) if from_cache else out.made_pdf
        return bundle.add(index, self.parsed.reader(out.key, pdf) if self.parsed else None, pdf=pdf)

    def _keep_group(self, out: Output, source) -> None:
        """A session keeps the group PDF a part was just cut from, open, under the key the
        next render looks it up by (the cache's group): that render takes the unchanged
        members' pages from it instead of opening the cached group PDF again."""
        if self.parsed is None or id(source) in self._kept_groups:
            return
        self._kept_groups.add(id(source))
        group = self.cache.group_of(out.key)
        if group is not None:
            self.parsed.keep(f"group:{group[0]}", source)


def _remember(ledger: PdfLedger, pdf: Path, facts, ready: Future) -> None:
    if not ready.cancelled() and ready.exception() is None:
        ledger.remember(pdf, facts)


def bundle_as_ready(
    outputs: list[Output],
    parts: list[Part],
    source: PageSource,
    foresee: Callable[[list[int | None]], None] | None = None,
    added: Callable[[Output], None] = lambda _out: None,
) -> BundleWriter:
    """Every part in the bundle, each as soon as its PDF is there (cached ones first, from the
    cache, then in the order LibreOffice returns them), while the remaining conversions run;
    ``added`` is told of each. When only ``FORESEE_AT`` parts or ``FORESEE_JOBS`` conversions
    are left, and a part of each kind left is back, ``foresee`` gets the page counts known so
    far."""
    bundle = BundleWriter(parts)
    # the bundle's parts only (the others are waited for after the signatures); the PDFs
    # already there go in first, in order (appending is cheaper than inserting): the clerk's
    # scans (a part no output makes), then the documents
    at = {part.pdf: i for i, part in enumerate(parts)}
    made = {out.pdf for out in outputs}
    for i, part in enumerate(parts):
        if part.pdf not in made:
            source.ledger.remember(part.pdf, bundle.add(i))
    index = {}
    ready_now: list[Future] = []
    waiting: list[Future] = []
    for out in outputs:
        if out.doc.bundle == OUTGOING:
            index[out.ready] = (at[out.made_pdf], out)
            (ready_now if out.cached or out.ready.done() else waiting).append(out.ready)
    jobs = Counter(out.job for _, out in index.values())  # parts left, by conversion
    kinds_left = Counter(out.doc.kind for _, out in index.values())
    total = dict(kinds_left)
    for ready in chain(ready_now, as_completed(waiting)):
        i, out = index[ready]
        if not out.cached:
            ready.result()
        source.add(bundle, i, out)
        added(out)
        jobs[out.job] -= 1
        if not jobs[out.job]:
            del jobs[out.job]
        kinds_left[out.doc.kind] -= 1
        if (
            foresee is not None
            and jobs
            and (jobs.total() <= FORESEE_AT or len(jobs) <= FORESEE_JOBS)
            and not any(n == total[kind] for kind, n in kinds_left.items() if n)
        ):
            # (each kind left has a part back already: its page count is a fair guess)
            foresee(bundle.counts)
            foresee = None
    return bundle


def bundle_title(dossier: Dossier) -> str:
    if dossier.purpose == "return":
        return (
            f"Hồ sơ báo cáo kết quả học tập, bồi dưỡng ở nước ngoài - Công văn số "
            f"{number_of(dossier)}"
        )
    return f"Hồ sơ cử cán bộ tham gia {course_phrase(dossier)} - Công văn số {number_of(dossier)}"


def bundle_subject(dossier: Dossier) -> str:
    return (
        "Hồ sơ báo cáo kết quả học tập, bồi dưỡng ở nước ngoài"
        if dossier.purpose == "return"
        else "Hồ sơ đăng ký bồi dưỡng ở nước ngoài"
    )


def internal_bundle(
    dossier: Dossier, outputs: Sequence[Output], stage: Path, ledger: PdfLedger
) -> list[ManifestFile]:
    """``noi-bo.pdf``: the papers that stay in the province (the Sở's Tờ trình and working
    paper), one bookmark each, no contents page and no UBND signature; nothing for a dossier
    that has none (a return dossier). Called once every document is in place."""
    parts = [
        Part(o.doc.title, o.made_pdf, o.doc.kind, o.doc.candidate)
        for o in outputs
        if o.doc.bundle == INTERNAL
    ]
    if not parts:
        return []
    path = stage / "noi-bo.pdf"
    title = f"Tài liệu nội bộ của {dossier.department.name} - {dossier.id}"
    starts = bundle_pdf(
        None,
        parts,
        path,
        title=title,
        author=dossier.department.name,
        subject=f"Lưu hành nội bộ, không gửi kèm Công văn số {number_of(dossier)}",
        ledger=ledger,
    )
    return [
        bundle_entry(
            stage, path, "internal_bundle", parts, starts, ledger, title=title, signed=False
        )
    ]


def bundle_entry(
    stage: Path,
    pdf: Path,
    kind: str,
    parts: Sequence[Part],
    starts: Sequence[int],
    ledger: PdfLedger,
    *,
    title: str,
    signed: bool,
) -> ManifestFile:
    """The manifest's entry of a bundle of ``parts`` (``starts``: each one's first page)."""
    return ManifestFile(
        path=pdf.relative_to(stage).as_posix(),
        kind=kind,
        format="pdf",
        candidate=None,
        sha256=sha256_of(pdf),
        pages=starts[-1] + ledger.page_count(parts[-1].pdf),
        title=title,
        signed=signed,
    )


CONTENTS_ATTEMPTS = 3


def contents_pdf(
    dossier: Dossier,
    parts: list[Part],
    work: Path,
    office: Office,
    cache: DocumentCache,
    options: RenderOptions,
    ledger: PdfLedger,
    *,
    made_now: Container[str] = (),
) -> Path:
    """The contents page as PDF, numbered for its own length (rendered again if it runs longer
    or shorter than first guessed), each attempt into files of its own: a PDF left by an
    earlier attempt is never taken for this one's. ``made_now``: keys of contents pages this
    run converted in advance, found in the cache but not reused from an earlier run. Raises
    ``ConversionError`` when its length does not settle."""
    counts = [ledger.page_count(p.pdf) for p in parts]
    contents_pages = _contents_pages_guess(dossier, parts)
    for attempt in range(CONTENTS_ATTEMPTS):
        docx, pdf = work / f"muc-luc-{attempt}.docx", work / f"muc-luc-{attempt}.pdf"
        doc, key = _contents_keyed(dossier, parts, counts, contents_pages, cache, options)
        if not cache.fetch(key, docx, pdf, reused=key not in made_now):
            write_docx(doc, docx, templates=options.templates, author=dossier.issuer.name)
            future = office.convert(docx, pdf)
            office.drain()
            future.result()
            cache.store(key, docx, pdf)
        actual = ledger.page_count(pdf)
        if actual == contents_pages:
            return pdf
        log.info(
            "contents page: %d pages, not the %d its numbers count; made again",
            actual,
            contents_pages,
        )
        contents_pages = actual
    raise ConversionError(
        f"Mục lục hồ sơ không ổn định số trang sau {CONTENTS_ATTEMPTS} lần lập "
        f"({contents_pages} trang): không đánh số trang các tài liệu được."
    )


def _contents_pages_guess(dossier: Dossier, parts: list[Part]) -> int:
    rows = len(parts) + sum(1 for e in enclosed(dossier) if e.count > 1)  # + a row over a group
    beyond = max(0, rows - CONTENTS_ROWS_FIRST_PAGE)
    return 1 + -(-beyond // CONTENTS_ROWS_PER_PAGE)


def _contents_keyed(
    dossier: Dossier,
    parts: list[Part],
    counts: list[int],
    contents_pages: int,
    cache: DocumentCache,
    options: RenderOptions,
) -> tuple[Document, str]:
    doc = contents_doc.build(dossier, parts, counts, contents_pages)
    template, _sandboxed = resolve_template(doc.template, options.templates)
    return doc, cache.key(template, doc.context, title=doc.title, author=dossier.issuer.name)


def guess_counts(parts: list[Part], counts: list[int | None]) -> list[int]:
    """Each part's page count: the known one, else the most common among the parts of its kind
    back so far, wherever they are in the list (groups come back in any order), else 1."""
    known: dict[str, Counter] = {}
    for part, count in zip(parts, counts, strict=True):
        if count is not None:
            known.setdefault(part.kind, Counter())[count] += 1
    return [
        count
        if count is not None
        else known[part.kind].most_common(1)[0][0]
        if part.kind in known
        else 1
        for part, count in zip(parts, counts, strict=True)
    ]


def contents_in_advance(
    dossier: Dossier,
    parts: list[Part],
    counts: list[int | None],
    work: Path,
    office: Office,
    cache: DocumentCache,
    options: RenderOptions,
) -> dict[str, Future]:
    """Convert the contents page before the last parts are back, with their page counts
    guessed (:func:`guess_counts`), and file it in the cache. When the guess is right,
    :func:`contents_pdf` finds it there instead of converting it after the last conversion (about
    a second for a hundred candidates)."""
    doc, key = _contents_keyed(
        dossier,
        parts,
        guess_counts(parts, counts),
        _contents_pages_guess(dossier, parts),
        cache,
        options,
    )
    if cache.holds(key, pdf=True):
        return {}
    docx, pdf = work / "muc-luc-du-kien.docx", work / "muc-luc-du-kien.pdf"
    write_docx(doc, docx, templates=options.templates, author=dossier.issuer.name)
    filed: Future = Future()
    office.convert(docx, pdf).add_done_callback(partial(converted, cache, key, docx, pdf, filed))
    return {key: filed}
