"""A whole run: check → documents → DOCX → PDF → bundle → sign → manifest, written atomically.

``render`` is the library call behind ``k39docs render``. Everything is produced in a staging
folder beside OUTDIR and moved into place only when every stage succeeded, so a failure leaves
the previous output as it was and bad input creates nothing.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sys
import threading
import types
from collections import Counter
from collections.abc import Callable, Container, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from importlib import import_module
from itertools import chain
from pathlib import Path

from . import __version__, pagepatch
from .bundle import BundleWriter, Part, PartReaders, bundle_pdf
from .cache import DocumentCache
from .documents import Document, build_documents
from .documents import contents as contents_doc
from .documents.base import course_phrase
from .documents.cover_letter import number_of
from .documents.enclosures import INTERNAL, OUTGOING, enclosed
from .edits import EDIT_MODES, Edit, inputs_digest, settle_edits
from .errors import ConversionError, IneligibleError, SigningError
from .manifest import Manifest, ManifestFile, sha256_of
from .model import Dossier, today_in_vietnam
from .office import ConvertOptions, Office, font_warnings
from .outdir import locked, real_outdir, staging
from .pdfinfo import PdfLedger, page_count
from .resources import template_dir
from .rules import EligibilityReport, blocking_message, check_eligibility
from .scans import bundle_parts
from .scans import manifest_entries as scan_entries
from .vietnamese import upper_vn
from .writer import TemplateError, compiled_template, resolve_template, write_docx

__all__ = ["render", "Session", "RenderOptions", "VIETNAM_TZ"]

log = logging.getLogger(__name__)

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
FORMATS = ("docx", "pdf")
# rows of one-line titles the contents page holds: under the heading, then on each next page
# (measured on the built-in template); only a first guess, corrected if the page runs otherwise
CONTENTS_ROWS_FIRST_PAGE = 42
CONTENTS_ROWS_PER_PAGE = 54


@dataclass(frozen=True)
class RenderOptions:
    formats: tuple[str, ...] = FORMATS
    sign: bool = True
    allow_ineligible: str | None = None  # the reason, recorded in the manifest
    base_dir: Path | None = None  # folder the dossier's relative paths (images, keys) start from
    templates: Path | None = None  # a folder of the user's own templates (rendered sandboxed)
    convert: ConvertOptions = field(default_factory=ConvertOptions)
    cache: bool = True  # reuse documents whose template and data did not change
    # the clerk's edits to the DOCX in OUTDIR (k39docs.edits): "stop", "keep" or "discard"
    edits: str = "stop"

    def __post_init__(self) -> None:
        if self.edits not in EDIT_MODES:
            raise ValueError(f"edits must be one of {EDIT_MODES}, not {self.edits!r}")


Progress = Callable[[int, int, str], None]  # (documents done, documents in all, the latest's name)


def render(
    dossier: Dossier,
    outdir: str | Path,
    *,
    sign: bool = True,
    allow_ineligible: str | None = None,
    edits: str = "stop",
    progress: Progress | None = None,
    options: RenderOptions | None = None,
    say: Callable[[str], None] | None = None,
) -> Manifest:
    """Render every document of ``dossier`` into ``outdir`` and return the manifest.

    ``allow_ineligible`` and ``edits`` are the command's ``--allow-ineligible`` and
    ``--keep-edits``/``--discard-edits``; given with ``options``, they win over its fields.
    ``progress(done, total, name)`` is told the number of documents (``done`` 0, ``name``
    empty), then of each document in place, ``name`` its title (from the render's threads, one
    call at a time; an exception it raises fails the render); ``say`` gets the status
    messages ("Đóng gói dossier.pdf…").

    Raises ``IneligibleError`` (nothing written) when a candidate fails a rule and no
    ``allow_ineligible`` reason is given; ``EditedFilesError`` (nothing written) when DOCX in
    ``outdir`` were edited and ``edits`` is "stop"; ``DependencyError`` when LibreOffice is
    needed but missing; ``ConversionError``/``SigningError`` when a later stage fails
    (previous output kept).
    """
    options = _with(
        options or RenderOptions(sign=sign), allow_ineligible, None if edits == "stop" else edits
    )
    with Session(options.convert, keep=False) as session:
        return session.render(dossier, outdir, options=options, progress=progress, say=say)


def _with(options: RenderOptions, allow_ineligible: str | None, edits: str | None) -> RenderOptions:
    """``options`` with the keyword arguments that were given."""
    if allow_ineligible is not None:
        options = replace(options, allow_ineligible=allow_ineligible)
    if edits is not None:
        options = replace(options, edits=edits)
    return options


class Session:
    """Renders with one LibreOffice that can be started early and kept between renders.

    ``keep=True`` (the default; ``k39docs watch``, services): the workers start at
    :meth:`warm_up` or the first conversion and stay until :meth:`close` or the end of the
    ``with`` block, so rendering a dossier again after a change costs only the documents that
    changed, the bundle and the signatures. ``keep=False`` (one-off runs, :func:`render`):
    LibreOffice stops as soon as a render has no more use for it; :meth:`warm_up` lets it
    boot while the caller is still loading the dossier. One render runs at a time.
    """

    def __init__(
        self,
        convert: ConvertOptions | None = None,
        *,
        keep: bool = True,
        office: Office | None = None,
    ):
        """``office``: a LibreOffice the caller started already (its ``keep`` wins); the CLI
        starts one before it imports the rendering code."""
        self._office = office or Office(convert or ConvertOptions(), keep=keep)
        keep = self._office.keep
        self._kept = _Kept() if keep else None  # a one-off run keeps nothing
        self._lock = threading.Lock()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def warm_up(self) -> None:
        """Start LibreOffice now, in the background, so the first conversion finds it ready;
        a kept session also compiles the built-in templates, which a first render taken from
        the cache would otherwise leave to the first change."""
        with self._lock:
            self._office.start()
            if self._kept is not None:
                for template in sorted(template_dir().glob("*.docx")):
                    compiled_template(template.name)

    def render(
        self,
        dossier: Dossier,
        outdir: str | Path,
        *,
        options: RenderOptions | None = None,
        progress: Progress | None = None,
        say: Callable[[str], None] | None = None,
        allow_ineligible: str | None = None,
        edits: str | None = None,
    ) -> Manifest:
        """:func:`render` with this session's LibreOffice (``options.convert`` is not used)."""
        options = _with(options or RenderOptions(), allow_ineligible, edits)
        with self._lock, _rare_gc():
            try:
                return _render(
                    dossier,
                    real_outdir(Path(outdir)),
                    options,
                    say or (lambda _msg: None),
                    self._office,
                    self._kept,
                    progress=progress,
                )
            finally:
                self._office.close()  # a one-off run's LibreOffice, if an error ended it early

    def settle(self) -> None:
        """Collect the garbage of the last render now, while nothing waits for this session.

        A render leaves hundreds of thousands of young objects behind (the parsed PDFs it
        keeps); the first collection after it scans them all, and without this it happens in
        the middle of the next render. ``k39docs watch`` calls it once a render is reported,
        between looks at the file; the service after each job."""
        with self._lock:
            gc.collect()

    def close(self) -> None:
        """Stop LibreOffice and wait until it is gone; a later render starts it again."""
        with self._lock:
            self._office.shutdown()


@dataclass
class _Kept:
    """What a session keeps between renders, by content key: the parsed part PDFs, and where
    the signatures go on the latest công văn; of one dossier, the latest (a long-lived Session
    renders one dossier after another all day: it keeps one dossier's PDFs, not every
    dossier's)."""

    readers: PartReaders = field(default_factory=PartReaders)
    places: dict = field(default_factory=dict)
    dossier: str | None = None

    def serve(self, dossier_id: str) -> None:
        if dossier_id != self.dossier:
            self.readers, self.places, self.dossier = PartReaders(), {}, dossier_id


_gc_lock = threading.Lock()
_gc_runs = 0  # renders running now (in any thread); the thresholds come back after the last
_gc_before: tuple[int, ...] = ()


@contextmanager
def _rare_gc():
    """Collect garbage less often while renders run: bundling copies hundreds of thousands of
    small PDF objects, and with the default thresholds the collector kept rescanning them (about
    a fifth of a large run's Python time). The thresholds are restored when no render runs."""
    global _gc_runs, _gc_before
    with _gc_lock:
        if _gc_runs == 0:
            _gc_before = gc.get_threshold()
            gc.set_threshold(100_000, 50, 1000)
        _gc_runs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_runs -= 1
            if _gc_runs == 0:
                gc.set_threshold(*_gc_before)


def _render(
    dossier: Dossier,
    outdir: Path,
    options: RenderOptions,
    say: Callable[[str], None],
    office: Office,
    kept: _Kept | None = None,
    *,
    progress: Progress | None = None,
) -> Manifest:
    """One render with ``office``; :meth:`Session.render` stops it afterwards unless kept."""
    from .preflight import check_dossier

    check_dossier(
        dossier,
        base_dir=options.base_dir,  # refused before LibreOffice starts
        signing="pdf" in options.formats and options.sign and dossier.signing.enabled,
    )
    if options.templates is not None and not Path(options.templates).is_dir():
        raise TemplateError(f"Không tìm thấy thư mục mẫu văn bản {options.templates}")
    want_pdf = "pdf" in options.formats
    if kept is not None:
        kept.serve(dossier.id)
    report = None  # a return dossier reports on a course that ended: no eligibility runs
    if dossier.purpose != "return":
        report = check_eligibility(dossier, allow_ineligible=options.allow_ineligible)
        if not report.issuable:
            raise IneligibleError(blocking_message(report), report)
    reason = options.allow_ineligible if report is not None and not report.eligible else None
    documents = build_documents(dossier, report, allow_ineligible=reason)
    # the clerk's Word edits: refused (nothing written, LibreOffice not started), kept or dropped
    edits, edit_warnings = settle_edits(outdir, documents, options.edits)
    cache = DocumentCache(enabled=options.cache, version=__version__)
    planned = _plan(documents, cache, dossier, options, want_pdf, edits)
    misses = sum(1 for p in planned if not p.cached)
    # a draft (no number or date yet) is never signed: `k39docs sign` signs it once issued
    drafted = draft_warning(dossier, want_pdf and options.sign and dossier.signing.enabled)
    do_sign = want_pdf and options.sign and dossier.signing.enabled and drafted is None
    dated = signing_date_warning(dossier) if do_sign else None  # a real key: refused here
    # LibreOffice takes over a second to start: boot it now, with no more workers than there
    # are documents to convert, while the signing setup is checked and the DOCX files are
    # written (a missing soffice fails here, before anything is written)
    if want_pdf and misses:
        office.start(documents=misses)
    else:
        office.close(wait=False)  # started early (warm_up) and not needed: stop it at once
    base_dir = options.base_dir or Path.cwd()
    if do_sign:
        from .signing import check_signing_config  # pyHanko is only imported to sign

        check_signing_config(dossier.signing, base_dir)
        # pyHanko takes near half a second to import: load it while LibreOffice converts
        threading.Thread(target=_load_signer, name="k39-import", daemon=True).start()
    manifest = Manifest(
        dossier=dossier.id,
        generated_at=datetime.now(VIETNAM_TZ).replace(microsecond=0).isoformat(),
        purpose=dossier.purpose,
        eligible=report.eligible if report is not None else None,
        allow_ineligible=reason,
        exceptions=report.to_dict()["exceptions"] if report is not None else [],
        version=__version__,
    )
    manifest.warnings.extend([w for w in (drafted, dated) if w])
    manifest.warnings.extend(edit_warnings)
    for doc in documents:
        manifest.warnings.extend(doc.warnings)
    for c in report.candidates if report is not None else ():
        manifest.warnings.extend(c.warnings)
    # the threads copying cached documents into the staging folder are done before it is
    # swapped in or, after a failure, removed
    ledger = PdfLedger()  # what this run learns of its PDFs, and the pages it hands on
    with (
        locked(outdir, on_wait=say),
        staging(outdir) as stage,
        ThreadPoolExecutor(FETCHERS, thread_name_prefix="k39-cache") as copying,
        _abandoned_on_failure(office, stage),
    ):
        say(f"Tạo {len(documents)} văn bản" + (" và chuyển sang PDF…" if want_pdf else "…"))
        outputs = _produce(planned, stage, outdir, office, cache, dossier, options, copying, ledger)
        told = _Told(progress, outputs)
        # the list as a workbook, in a thread of its own: it (and importing openpyxl) takes the
        # time the main thread would otherwise spend waiting for LibreOffice
        workbook = copying.submit(_list_workbook, documents, stage, dossier)
        if not want_pdf:
            manifest.files += _entries(stage, outputs, "docx", ledger)
        else:
            work = stage / ".work"
            work.mkdir(exist_ok=True)
            # the generated documents and the clerk's scans (written to OUTDIR/scans), in the
            # order the công văn lists them (documents.enclosures.outgoing)
            parts, scanned = bundle_parts(
                dossier,
                [(o.doc, o.made_pdf) for o in outputs if o.doc.bundle == OUTGOING],
                stage / "scans",
                base_dir,
            )
            foreseen: dict[str, Future] = {}  # contents pages converted in advance, by key
            places = []  # where the signatures go, found as soon as the công văn is converted

            def locate(out: _Output) -> None:
                if do_sign and out.doc.kind == "cover_letter":
                    out.ready.result()  # taken from the cache: its copy may still be on the way
                    places.append(_signature_place(out, dossier, kept))

            def foresee_contents(counts: list[int | None]) -> None:
                foreseen.update(
                    _foresee_contents(dossier, parts, counts, work, office, cache, options)
                )

            foresee = foresee_contents if cache.enabled else None
            bundle = _bundle_as_ready(
                outputs, parts, _PageSource(cache, kept, ledger), foresee, locate
            )
            for out in outputs:  # the parts taken from the cache: their copies in place
                if out.doc.bundle == OUTGOING:
                    out.ready.result()
            office.drain()  # the batch fallback converts what was sent only when asked to
            wait(foreseen.values())  # a wrong guess or a failure only means converting again
            say("Đóng gói dossier.pdf…")
            unsigned = work / "dossier-unsigned.pdf"
            contents = _contents(
                dossier, parts, work, office, cache, options, ledger, made_now=set(foreseen)
            )
            office.close(wait=False)  # done with LibreOffice: it stops meanwhile
            starts = bundle.finish(
                contents,
                unsigned,
                title=_bundle_title(dossier),
                author=dossier.issuer.name,
                subject=f"{_bundle_subject(dossier)} theo Kết luận số 39-KL/TW ({dossier.id})",
            )
            final = stage / "dossier.pdf"
            if do_sign:
                from .signing import sign_dossier

                say("Ký số dossier.pdf…")
                signed = sign_dossier(
                    unsigned,
                    final,
                    dossier.signing,
                    signature_request(
                        dossier,
                        parts,
                        starts,
                        places[0] if places else None,
                        page_objects=bundle.page_objects,
                        pages=ledger.page_count,
                    ),
                    base_dir=base_dir,
                    out_dir=stage,
                )
                manifest.warnings.extend(signed.warnings)
                manifest.signed = True
                if signed.demo_ca_pem is not None:  # interface.md: kind demo_ca
                    manifest.files.append(
                        ManifestFile(
                            path=signed.demo_ca_pem.relative_to(stage).as_posix(),
                            kind="demo_ca",
                            format="pem",
                            candidate=None,
                            sha256=sha256_of(signed.demo_ca_pem),
                            pages=None,
                        )
                    )
            else:
                os.replace(unsigned, final)
                _leave_sign_record(dossier, parts, starts, final, base_dir, ledger)
            # the documents outside the bundle (the eligibility working paper, the slowest to
            # convert) may have been converting until now, while the bundle was written and signed
            manifest.files += _entries(stage, outputs, "docx", ledger) + _entries(
                stage, outputs, "pdf", ledger
            )
            manifest.files += _internal_bundle(dossier, outputs, stage, ledger)
            manifest.files += scan_entries(stage, scanned)
            manifest.warnings.extend(font_warnings([out.made_pdf for out in outputs], ledger))
            manifest.files.append(
                _bundle_entry(
                    stage,
                    final,
                    "dossier",
                    parts,
                    starts,
                    ledger,
                    title=_bundle_title(dossier),
                    signed=manifest.signed,
                )
            )
            shutil.rmtree(work, ignore_errors=True)
        if report is not None:  # a nomination's; a return dossier has no eligibility
            (stage / "eligibility.json").write_text(
                json.dumps(_eligibility_json(report, options), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        told.check()
        manifest.files += workbook.result()
        manifest.cache_hits = cache.hits
        manifest.write(stage / "manifest.json")
    if kept is not None:
        kept.readers.keep_only_used()
    return manifest


class _Told:
    """Tells ``progress`` how many documents there are (``(0, total, "")``, once they are on
    their way), then of each as it is in place (DOCX, and PDF when asked for), from whichever
    thread put it there, one call at a time, ``done`` counting up to the total. What the
    callback raises is raised again by :meth:`check`: the render fails."""

    def __init__(self, progress: Progress | None, outputs: Sequence[_Output]):
        self.progress, self.total, self.done = progress, len(outputs), 0
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        if progress is None:
            return
        with self.lock:
            self._tell("")
        for out in outputs:
            out.ready.add_done_callback(partial(self._ready, out.doc.title))

    def _tell(self, name: str) -> None:
        try:
            assert self.progress is not None
            self.progress(self.done, self.total, name)
        except BaseException as exc:  # noqa: BLE001 — raised in the render's thread
            self.error = exc

    def _ready(self, name: str, ready: Future) -> None:
        if ready.cancelled() or ready.exception() is not None:
            return  # the render fails on it anyway
        with self.lock:
            if self.error is not None:
                return
            self.done += 1
            self._tell(name)

    def check(self) -> None:
        if self.error is not None:
            raise self.error


@contextmanager
def _abandoned_on_failure(office: Office, stage: Path):
    """A render that fails (an error, Ctrl-C, its caller gone) gives up its conversions before
    its staging folder is removed: LibreOffice would go on writing PDFs into it. (The parsed
    pages nobody will bundle go with the run's ledger.)"""
    try:
        yield
    except BaseException:
        office.abandon()
        raise


@dataclass(frozen=True)
class _Planned:
    doc: Document
    key: str  # content-cache key
    cached: bool  # the cache holds this document in every format asked for
    edit: Edit | None = None  # the clerk's edited DOCX, converted as it is instead of rendered


def _plan(
    documents: Sequence[Document],
    cache: DocumentCache,
    dossier: Dossier,
    options: RenderOptions,
    want_pdf: bool,
    edits: dict[str, Edit] | None = None,
) -> list[_Planned]:
    """Each document's cache key, and whether it must be rendered (and converted) at all. A
    kept edit is keyed by its own bytes: the cache never gives the template's version for it."""
    issued = _issued(dossier)
    planned = []
    for doc in documents:
        edit = (edits or {}).get(doc.stem)
        if edit is not None:
            key = cache.key(edit.source, {"edited": True})
        else:
            template, _sandboxed = resolve_template(doc.template, options.templates)
            key = cache.key(
                template, doc.context, title=doc.title, author=dossier.issuer.name, issued=issued
            )
        planned.append(_Planned(doc, key, cache.holds(key, pdf=want_pdf), edit))
    return planned


def _issued(dossier: Dossier) -> datetime:
    """The documents' creation date in their metadata: the công văn's date."""
    # a draft's: today (in Vietnam), the day it is made, as its blank date line's year
    dated = dossier.documents.cover_letter.date or today_in_vietnam()
    return datetime.combine(dated, datetime.min.time())


# parts still converting when the contents page is converted in advance: about as many as
# two workers convert while it does (a long contents page takes as long as four parts)
FORESEE_AT = 8
FORESEE_JOBS = 2  # … or conversions still running (groups converted as one come back at once)


class _PageSource:
    """Where the bundle takes a part's pages from, cheapest first: the PDF of the group it was
    just cut from (parsed already), the cached PDF of the group it was cut from in an earlier
    run (one parse for a group, whose fonts its members share), a session's parsed copy of
    the part, or the part's own file."""

    def __init__(self, cache: DocumentCache, kept: _Kept | None, ledger: PdfLedger):
        self.cache = cache
        self.ledger = ledger
        self.parsed = kept.readers if kept is not None else None
        self._groups = self.parsed if self.parsed is not None else PartReaders()
        self._kept_groups: set[int] = set()

    def add(self, bundle: BundleWriter, index: int, out: _Output) -> None:
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

    def _add(self, bundle: BundleWriter, index: int, out: _Output, *, from_cache: bool):
        pages: Sequence | None = None if from_cache else self.ledger.take_pages(out.made_pdf)
        if pages and self.parsed is not None:
            self._keep_group(out, pages[0].pdf)
        if pages is None:
            group = self.cache.group_of(out.key)
            if group is not None:
                key, pdf, start, end = group
                pages = self._groups.reader(f"group:{key}", pdf).pages[start:end]
        if pages is not None:
            return bundle.add(index, pages=pages)
        pdf = self.cache.pdf_of(out.key) if from_cache else out.made_pdf
        return bundle.add(index, self.parsed.reader(out.key, pdf) if self.parsed else None, pdf=pdf)

    def _keep_group(self, out: _Output, reader) -> None:
        """A session keeps the group PDF a part was just cut from, parsed, under the key the
        next render looks it up by (the cache's group): that render takes the unchanged
        members' pages from it instead of parsing the cached group PDF again."""
        if id(reader) in self._kept_groups:
            return
        self._kept_groups.add(id(reader))
        group = self.cache.group_of(out.key)
        if group is not None and self.parsed is not None:
            self.parsed.keep(f"group:{group[0]}", reader)


def _remember(ledger: PdfLedger, pdf: Path, facts, ready: Future) -> None:
    if not ready.cancelled() and ready.exception() is None:
        ledger.remember(pdf, facts)


def _bundle_as_ready(
    outputs: list[_Output],
    parts: list[Part],
    source: _PageSource,
    foresee: Callable[[list[int | None]], None] | None = None,
    added: Callable[[_Output], None] = lambda _out: None,
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


@dataclass(frozen=True)
class _Output:
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


def _done() -> Future:
    future: Future = Future()
    future.set_result(None)
    return future


FETCHERS = 4  # threads copying cached documents into place: creating a file waits on the disk
FEW_TO_CONVERT = 16  # documents to convert, at most, for the ones outside the bundle to go last


def _load_signer() -> None:
    """Import the signing code ahead of its use; an import error shows again at that use."""
    try:
        import_module(".signing.sign", __package__)
    except ImportError:
        pass


def _produce(
    planned: Sequence[_Planned],
    stage: Path,
    outdir: Path,
    office: Office,
    cache: DocumentCache,
    dossier: Dossier,
    options: RenderOptions,
    copying: ThreadPoolExecutor,
    ledger: PdfLedger,
) -> list[_Output]:
    """Every document as DOCX (and PDF): rendered and queued for LibreOffice as soon as it is
    written (a group converted as one, once its last member is), or copied from the cache by
    the ``copying`` threads (a hundred candidates' files take a fraction of a second to
    create, mostly waiting on the disk; the ones ``outdir`` holds already are linked from
    there); returns while the conversions and copies run. As each PDF comes back, the
    worker's thread files it in the cache."""
    want_pdf = "pdf" in options.formats
    outputs: dict[int, _Output] = {}
    render_docx = partial(
        write_docx, templates=options.templates, author=dossier.issuer.name, issued=_issued(dossier)
    )
    edited = {p.doc.stem: p.edit.source for p in planned if p.edit is not None}

    def write(doc: Document, docx: Path) -> None:
        """The document's DOCX: the clerk's edit as it is, or rendered from its template."""
        if doc.stem in edited:
            docx.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(edited[doc.stem], docx)
        else:
            render_docx(doc, docx)

    work = stage / ".work"  # groups combined, pages of long lists converted again
    if want_pdf:
        work.mkdir(exist_ok=True)

    def make(
        doc: Document, key: str, docx: Path, pdf: Path | None, *, written: bool = False
    ) -> Future:
        if not written:
            write(doc, docx)
        if pdf is None:
            cache.store(key, docx, None)
            return _done()
        filed: Future = Future()
        layout = (
            pagepatch.read_layout(docx)
            if cache.enabled and doc.candidate is None and doc.stem not in edited
            else None
        )
        if layout is None:
            office.convert(docx, pdf).add_done_callback(
                partial(_converted, cache, key, docx, pdf, filed)
            )
            return filed
        # a long table: converted again only on the pages that changed since the version the
        # cache holds (a dossier's documents that list every candidate: see k39docs.pagepatch)
        lineage = f"{dossier.id}/{doc.stem}"
        pagepatch.convert(
            office, layout, pdf, work, _latest_pages(cache, lineage)
        ).add_done_callback(partial(_converted, cache, key, docx, pdf, filed, lineage=lineage))
        return filed

    def fetch(doc: Document, key: str, docx: Path, pdf: Path | None) -> Path | None:
        if cache.fetch(key, docx, pdf, previous=lambda path: outdir / path.relative_to(stage)):
            return pdf
        made = make(doc, key, docx, pdf)  # gone from the cache since it was planned
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
    size = {}
    for i in () if few else listing:
        write(planned[i].doc, paths(i)[0])
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
    # template, as one LibreOffice document each (see k39docs.combine): a group is sent as soon
    # as its last member is written
    groups = _groups(planned, listing, want_pdf)
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
                partial(_converted, cache, planned[j].key, *pdf_pair(j), filed[j])
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
            ready = make(doc, key, docx, pdf, written=i in size)
        edit = planned[i].edit  # a kept edit keeps the inputs its original was made from
        outputs[i] = _Output(
            doc,
            key,
            docx,
            pdf,
            ready,
            groups.get(i, -1 - i),
            planned[i].cached,
            edited=edit is not None,
            inputs=edit.inputs if edit is not None else inputs_digest(doc),
        )
    office.drain()
    return [outputs[i] for i in range(len(planned))]


# documents of one template converted as one LibreOffice document: at least (fewer gain
# nothing worth the combining), and at most (smaller groups keep both workers busy to the end)
COMBINE_MIN, COMBINE_MAX = 4, 25


def _groups(planned: Sequence[_Planned], listing: Container[int], want_pdf: bool) -> dict[int, int]:
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


def _converted(
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
    ``lineage``: the conversion was :func:`k39docs.pagepatch.convert`'s, its result the
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


def _latest_pages(cache: DocumentCache, lineage: str):
    """The PDF and page map of the latest converted version of ``lineage``, or None."""
    found = cache.latest_pages(lineage)
    if found is None:
        return None
    try:
        return found[0], pagepatch.PageMap.from_json(found[1])
    except (ValueError, KeyError, TypeError):
        return None  # a map from another k39docs, or damaged: convert the whole


def _eligibility_json(report: EligibilityReport, options: RenderOptions) -> dict:
    data = report.to_dict()
    if options.allow_ineligible and not report.eligible:
        data["allow_ineligible"] = options.allow_ineligible
    return data


def _entries(
    stage: Path, outputs: Sequence[_Output], fmt: str, ledger: PdfLedger
) -> list[ManifestFile]:
    """The manifest entries of every document in ``fmt``, each once it is in place."""
    entries = []
    for out in outputs:
        out.ready.result()
        entry = _entry(stage, out.docx if fmt == "docx" else out.made_pdf, out.doc, fmt, ledger)
        entries.append(
            replace(
                entry,
                edited=True if out.edited else None,
                inputs=out.inputs if fmt == "docx" else None,
            )
        )
    return entries


def _entry(
    stage: Path, path: Path, doc: Document, fmt: str, ledger: PdfLedger | None = None
) -> ManifestFile:
    pages = None
    if fmt == "pdf":
        pages = ledger.page_count(path) if ledger is not None else page_count(path)
    return ManifestFile(
        path=path.relative_to(stage).as_posix(),
        kind=doc.kind,
        format=fmt,
        candidate=doc.candidate,
        sha256=sha256_of(path),
        pages=pages,
        title=doc.title,
    )


def _list_workbook(
    documents: Sequence[Document], stage: Path, dossier: Dossier
) -> list[ManifestFile]:
    """``xlsx/danh-sach.xlsx``: a nomination's list as a workbook, from the DOCX list's rows."""
    from .documents.list_workbook import write_list_workbook

    entries = []
    for doc in documents:
        if doc.kind == "nomination_list":
            path = write_list_workbook(
                doc,
                stage / "xlsx" / f"{doc.stem}.xlsx",
                author=dossier.issuer.name,
                issued=_issued(dossier),
            )
            entries.append(_entry(stage, path, doc, "xlsx"))
    return entries


def _bundle_title(dossier: Dossier) -> str:
    if dossier.purpose == "return":
        return (
            f"Hồ sơ báo cáo kết quả học tập, bồi dưỡng ở nước ngoài - Công văn số "
            f"{number_of(dossier)}"
        )
    return f"Hồ sơ cử cán bộ tham gia {course_phrase(dossier)} - Công văn số {number_of(dossier)}"


def _bundle_subject(dossier: Dossier) -> str:
    return (
        "Hồ sơ báo cáo kết quả học tập, bồi dưỡng ở nước ngoài"
        if dossier.purpose == "return"
        else "Hồ sơ đăng ký bồi dưỡng ở nước ngoài"
    )


def _internal_bundle(
    dossier: Dossier, outputs: Sequence[_Output], stage: Path, ledger: PdfLedger
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
        _bundle_entry(
            stage, path, "internal_bundle", parts, starts, ledger, title=title, signed=False
        )
    ]


def _bundle_entry(
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


def signing_date_warning(dossier: Dossier, today=None) -> str | None:
    """The công văn's date and its signature's time must agree: the văn thư dates the paper the
    day it is signed and issued. With a real key (PKCS#12, PKCS#11) another date is refused
    (:class:`SigningError`) before anything is converted; with the demo key it is a warning.
    ``today``: the day in Vietnam (UTC+7), for tests."""
    dated = getattr(dossier.documents.cover_letter, "date", None)
    today = today or datetime.now(VIETNAM_TZ).date()
    if dated is None or dated == today:  # a draft (no date) is not signed
        return None
    field_ = "documents.cover_letter.date"
    told = (
        f"Công văn đề ngày {dated:%d/%m/%Y} (`{field_}`) nhưng được ký số hôm nay, "
        f"ngày {today:%d/%m/%Y} (giờ Việt Nam): thời điểm ký số phải trùng ngày của văn bản"
    )
    if dossier.signing.demo:
        return f"{told} (chữ ký thử nghiệm nên vẫn ký)."
    raise SigningError(
        f"{told}. Văn thư ghi ngày văn bản khi phát hành: sửa `{field_}` thành ngày hôm nay, "
        f"hoặc tạo hồ sơ chưa ký (--no-sign) rồi ký bằng `k39docs sign` vào đúng ngày ghi trên "
        f"công văn."
    )


def _signature_place(out: _Output, dossier: Dossier, kept: _Kept | None):
    """Where the signatures go on the công văn ``out``, found on its own PDF (a session
    remembers it while the công văn does not change)."""
    from .signing import locate_signature

    place = kept.places.get(out.key) if kept is not None else None
    if place is None:
        place = locate_signature(out.made_pdf, *_signer(dossier))
        if kept is not None:
            kept.places = {out.key: place}  # only the latest: a session serves one dossier
    return place


def _signer(dossier: Dossier) -> tuple[str, tuple[str, ...]]:
    """Who signs the công văn, and the chức vụ lines above the name, as printed."""
    signer = dossier.documents.cover_letter.signer
    return signer.name, tuple(upper_vn(line) for line in signer.block_lines())


def signature_request(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    place=None,
    *,
    page_objects: Sequence[int] = (),
    pages: Callable[[Path], int] = page_count,
):
    """Where the công văn and its attachments sit in the bundle (``starts``: each part's first
    page, 0-based, as the bundle returns them), and who signs it. ``place``: the signer's block
    as :func:`~k39docs.signing.locate_signature` found it on the công văn's own PDF;
    ``page_objects``: each page's object number in the bundle (:class:`BundleWriter`);
    ``pages``: a part's page count (the run's ledger knows them)."""
    from .signing import SignatureRequest

    cover = next(i for i, p in enumerate(parts) if p.kind == "cover_letter")
    attached = [i != cover for i in range(len(parts))]
    return SignatureRequest(
        **_request_fields(dossier, parts, starts, pages),
        attachment_page_objects=tuple(
            page_objects[s] for s, a in zip(starts, attached, strict=True) if a
        )
        if page_objects
        else (),
        place=place,
    )


def _request_fields(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    pages: Callable[[Path], int] = page_count,
) -> dict:
    """:class:`~k39docs.signing.SignatureRequest`'s plain fields (what ``sign-request.json``
    keeps for signing later)."""
    cover = next(i for i, p in enumerate(parts) if p.kind == "cover_letter")
    signer_name, title_lines = _signer(dossier)
    # the bundle is the công văn and what it encloses: every other part is an attachment
    attached = [i != cover for i in range(len(parts))]
    return dict(
        cover_letter_pages=tuple(range(starts[cover], starts[cover] + pages(parts[cover].pdf))),
        signer_name=signer_name,
        signer_title_lines=title_lines,
        document_number=number_of(dossier),
        agency_name=dossier.issuer.name,
        attachment_first_pages=tuple(s for s, a in zip(starts, attached, strict=True) if a),
        location=dossier.issuer.place,
        contact_info=dossier.issuer.email,
    )


def _leave_sign_record(
    dossier: Dossier,
    parts: list[Part],
    starts: list[int],
    final: Path,
    base_dir: Path,
    ledger: PdfLedger,
) -> None:
    """Beside an unsigned ``dossier.pdf``: what ``k39docs sign`` needs to sign it later
    (:mod:`k39docs.signrecord`); the images the dossier's ``signing`` names, made absolute."""
    from .signrecord import RECORD_NAME, write_sign_record

    def absolute(path: Path | None) -> Path | None:
        return None if path is None else (Path(base_dir) / Path(path).expanduser()).resolve()

    letter = dossier.documents.cover_letter.date
    write_sign_record(
        final.parent / RECORD_NAME,
        _request_fields(dossier, parts, starts, ledger.page_count),
        draft=dossier.documents.draft,
        letter_date=letter.isoformat() if letter else None,
        sha256=sha256_of(final),
        signature_image=absolute(dossier.signing.signature_image),
        seal_image=absolute(dossier.signing.seal_image),
        tsa_url=dossier.signing.tsa_url,
    )


def draft_warning(dossier: Dossier, would_sign: bool) -> str | None:
    """What the console and the manifest say of a draft (no number or date yet): the blanks
    are printed for the văn thư, and it is not signed even when ``signing`` is set
    (``would_sign``). None for a dossier that is not a draft."""
    if not dossier.documents.draft:
        return None
    told = (
        "Bản dự thảo: chưa có số và/hoặc ngày văn bản (documents.cover_letter.number, "
        ".date hoặc của tờ trình); văn bản in chỗ trống để văn thư ghi khi phát hành"
    )
    if would_sign:
        return (
            f"{told}. Hồ sơ dự thảo KHÔNG được ký số dù đã cấu hình `signing`: ghi số, ngày "
            "rồi tạo lại và ký (`k39docs sign`)."
        )
    return f"{told}; hồ sơ chưa ký số."


CONTENTS_ATTEMPTS = 3


def _contents(
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


def _guess_counts(parts: list[Part], counts: list[int | None]) -> list[int]:
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


def _foresee_contents(
    dossier: Dossier,
    parts: list[Part],
    counts: list[int | None],
    work: Path,
    office: Office,
    cache: DocumentCache,
    options: RenderOptions,
) -> dict[str, Future]:
    """Convert the contents page before the last parts are back, with their page counts
    guessed (:func:`_guess_counts`), and file it in the cache. When the guess is right,
    :func:`_contents` finds it there instead of converting it after the last conversion (about
    a second for a hundred candidates)."""
    doc, key = _contents_keyed(
        dossier,
        parts,
        _guess_counts(parts, counts),
        _contents_pages_guess(dossier, parts),
        cache,
        options,
    )
    if cache.holds(key, pdf=True):
        return {}
    docx, pdf = work / "muc-luc-du-kien.docx", work / "muc-luc-du-kien.pdf"
    write_docx(doc, docx, templates=options.templates, author=dossier.issuer.name)
    filed: Future = Future()
    office.convert(docx, pdf).add_done_callback(partial(_converted, cache, key, docx, pdf, filed))
    return {key: filed}


class _CallableModule(types.ModuleType):
    """``k39docs.render`` is the function of interface.md, and this module is
    ``k39docs.render`` too: once the module is imported, Python makes the package attribute
    the module, so that ``from k39docs import render`` after ``from k39docs.render import
    Session`` gave the module. Calling the module calls the function."""

    def __call__(self, *args, **kwargs) -> Manifest:
        return render(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
