"""One render, start to end: check → documents → DOCX → PDF → bundle → sign → manifest, written
into a staging folder and swapped in only when every stage succeeded."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path

from .. import __version__
from ..cache import DocumentCache
from ..documents import Document, build_documents
from ..documents.enclosures import OUTGOING
from ..docx.writer import TemplateError
from ..dossier.model import VIETNAM_TZ, Dossier
from ..edits import settle_edits
from ..errors import IneligibleError
from ..manifest import FileDigests, Manifest, ManifestFile, sha256_of
from ..office import Office, font_warnings
from ..outdir import locked, staging
from ..pdf.pdfinfo import PdfLedger, page_count
from ..rules import EligibilityReport, blocking_message, check_eligibility
from ..scans import bundle_parts
from ..scans import manifest_entries as scan_entries
from .assemble import (
    PageSource,
    bundle_as_ready,
    bundle_entry,
    bundle_subject,
    bundle_title,
    contents_in_advance,
    contents_pdf,
    internal_bundle,
)
from .kept import Kept
from .options import Progress, RenderOptions
from .produce import (
    FETCHERS,
    Output,
    issued_date,
    plan_documents,
    produce,
)
from .signatures import (
    attachments,
    draft_warning,
    leave_sign_record,
    load_signer,
    signature_place,
    signature_request,
    signing_date_warning,
)

__all__ = ["run_render"]


def run_render(
    dossier: Dossier,
    outdir: Path,
    options: RenderOptions,
    say: Callable[[str], None],
    office: Office,
    kept: Kept | None = None,
    *,
    progress: Progress | None = None,
    eligibility: EligibilityReport | None = None,
) -> Manifest:
    """One render with ``office``; :meth:`Session.render` stops it afterwards unless kept.
    ``eligibility``: the dossier's report, made already (see :meth:`Session.render`)."""
    from ..preflight import check_dossier

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
        report = (
            eligibility
            if eligibility is not None
            else check_eligibility(dossier, allow_ineligible=options.allow_ineligible)
        )
        if not report.issuable:
            raise IneligibleError(blocking_message(report), report)
    reason = options.allow_ineligible if report is not None and not report.eligible else None
    documents = build_documents(dossier, report, allow_ineligible=reason)
    # the clerk's Word edits: refused (nothing written, LibreOffice not started), kept or dropped
    # a session's remember the files of its earlier renders; a one-off run reads each once
    digests = kept.digests if kept is not None else FileDigests()
    edits, edit_warnings = settle_edits(outdir, documents, options.edits, digests.of)
    cache = DocumentCache(enabled=options.cache, version=__version__)
    planned = plan_documents(documents, cache, dossier, options, want_pdf, edits)
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
        from ..signing import check_signing_config  # pyHanko is only imported to sign

        check_signing_config(dossier.signing, base_dir)
        # pyHanko takes near half a second to import: load it while LibreOffice converts
        threading.Thread(target=load_signer, name="k39-import", daemon=True).start()
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
        outputs = produce(
            planned, stage, outdir, office, cache, dossier, options, copying, ledger, digests
        )
        told = _Told(progress, outputs)
        if report is not None:  # a nomination's; a return dossier has no eligibility
            # written while LibreOffice converts (the main thread would wait for it); on one
            # line: for programs (jq shows it indented), and Python's indenting encoder takes
            # three times as long (8 ms for a hundred candidates' 0.5 MB)
            (stage / "eligibility.json").write_text(
                json.dumps(_eligibility_json(report, options), ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
        # the list as a workbook, in a thread of its own: it (and importing XlsxWriter) takes the
        # time the main thread would otherwise spend waiting for LibreOffice
        workbook = copying.submit(_list_workbook, documents, stage, dossier)
        if not want_pdf:
            manifest.files += _entries(stage, outputs, ("docx",), ledger, digests)
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

            def locate(out: Output) -> None:
                if do_sign and out.doc.kind == "cover_letter":
                    out.ready.result()  # taken from the cache: its copy may still be on the way
                    places.append(signature_place(out, dossier, kept))

            def foresee_contents(counts: list[int | None]) -> None:
                foreseen.update(
                    contents_in_advance(dossier, parts, counts, work, office, cache, options)
                )

            foresee = foresee_contents if cache.enabled else None
            bundle = bundle_as_ready(
                outputs, parts, PageSource(cache, kept, ledger), foresee, locate
            )
            for out in outputs:  # the parts taken from the cache: their copies in place
                if out.doc.bundle == OUTGOING:
                    out.ready.result()
            office.drain()  # the batch fallback converts what was sent only when asked to
            wait(foreseen.values())  # a wrong guess or a failure only means converting again
            say("Đóng gói dossier.pdf…")
            unsigned = work / "dossier-unsigned.pdf"
            contents = contents_pdf(
                dossier, parts, work, office, cache, options, ledger, made_now=set(foreseen)
            )
            office.close(wait=False)  # done with LibreOffice: it stops meanwhile
            starts = bundle.finish(
                contents,
                unsigned,
                title=bundle_title(dossier),
                author=dossier.issuer.name,
                subject=f"{bundle_subject(dossier)} theo Kết luận số 39-KL/TW ({dossier.id})",
                corners=attachments(parts) if do_sign else (),
            )
            final = stage / "dossier.pdf"
            if do_sign:
                from ..signing import sign_dossier

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
                        corner_object=bundle.corner_object,
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
                leave_sign_record(dossier, parts, starts, final, base_dir, ledger)
            sent = bundle_entry(
                stage,
                final,
                "dossier",
                parts,
                starts,
                ledger,
                title=bundle_title(dossier),
                signed=manifest.signed,
            )
            # the documents outside the bundle (the eligibility working paper, the slowest to
            # convert) may have been converting until now, while the bundle was written and
            # signed: the others' entries are made while they are still converting
            manifest.files += _entries(stage, outputs, ("docx", "pdf"), ledger, digests)
            manifest.files += internal_bundle(dossier, outputs, stage, ledger)
            manifest.files += scan_entries(stage, scanned)
            manifest.warnings.extend(font_warnings([out.made_pdf for out in outputs], ledger))
            manifest.files.append(sent)
            shutil.rmtree(work, ignore_errors=True)
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

    def __init__(self, progress: Progress | None, outputs: Sequence[Output]):
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


def _eligibility_json(report: EligibilityReport, options: RenderOptions) -> dict:
    data = report.to_dict()
    if options.allow_ineligible and not report.eligible:
        data["allow_ineligible"] = options.allow_ineligible
    return data


def _entries(
    stage: Path,
    outputs: Sequence[Output],
    formats: Sequence[str],
    ledger: PdfLedger,
    digests: FileDigests,
) -> list[ManifestFile]:
    """The manifest entries of every document in each of ``formats`` (by format, then in the
    documents' order), each made as soon as its document is in place, in the order they come:
    the last conversion's are all that is left to make once it is back. ``digests``: the
    run's, which may know the files taken unchanged from the last output."""
    waiting: dict[Future, list[int]] = {}
    for i, out in enumerate(outputs):
        waiting.setdefault(out.ready, []).append(i)
    made: dict[tuple[str, int], ManifestFile] = {}
    for ready in as_completed(waiting):
        ready.result()
        for i in waiting[ready]:
            out = outputs[i]
            for fmt in formats:
                path = out.docx if fmt == "docx" else out.made_pdf
                entry = _entry(stage, path, out.doc, fmt, ledger, digests.of)
                made[fmt, i] = replace(
                    entry,
                    edited=True if out.edited else None,
                    inputs=out.inputs if fmt == "docx" else None,
                )
    return [made[fmt, i] for fmt in formats for i in range(len(outputs))]


def _entry(
    stage: Path,
    path: Path,
    doc: Document,
    fmt: str,
    ledger: PdfLedger | None = None,
    digest: Callable[[Path], str] = sha256_of,
) -> ManifestFile:
    pages = None
    if fmt == "pdf":
        pages = ledger.page_count(path) if ledger is not None else page_count(path)
    return ManifestFile(
        path=path.relative_to(stage).as_posix(),
        kind=doc.kind,
        format=fmt,
        candidate=doc.candidate,
        sha256=digest(path),
        pages=pages,
        title=doc.title,
    )


def _list_workbook(
    documents: Sequence[Document], stage: Path, dossier: Dossier
) -> list[ManifestFile]:
    """``xlsx/danh-sach.xlsx``: a nomination's list as a workbook, from the DOCX list's rows."""
    from ..documents.list_workbook import write_list_workbook

    entries = []
    for doc in documents:
        if doc.kind == "nomination_list":
            path = write_list_workbook(
                doc,
                stage / "xlsx" / f"{doc.stem}.xlsx",
                author=dossier.issuer.name,
                issued=issued_date(dossier),
            )
            entries.append(_entry(stage, path, doc, "xlsx"))
    return entries
