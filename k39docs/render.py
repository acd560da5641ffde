"""A whole run: check → documents → DOCX → PDF → bundle → sign → manifest, written atomically.

``render`` is the library call behind ``k39docs render``. Everything is produced in a staging
folder beside OUTDIR and moved into place only when every stage succeeded, so a failure leaves
the previous output as it was and bad input creates nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import partial
from pathlib import Path

from . import __version__
from .bundle import BundleWriter, Part, contents_rows
from .cache import DocumentCache
from .convert import ConvertOptions, font_warnings, open_converter
from .documents import Document, build_documents
from .documents import contents as contents_doc
from .documents.base import course_phrase
from .documents.cover_letter import number_of
from .errors import IneligibleError
from .manifest import Manifest, ManifestFile, sha256_of
from .outdir import locked, staging
from .pdfinfo import page_count
from .model import Dossier
from .rules import EligibilityReport, check_eligibility
from .vietnamese import upper_vn
from .writer import TemplateError, resolve_template, write_docx

__all__ = ["render", "RenderOptions", "VIETNAM_TZ"]

VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
FORMATS = ("docx", "pdf")
CONTENTS_ROWS_PER_PAGE = 22  # first guess; corrected if the contents page runs longer


@dataclass(frozen=True)
class RenderOptions:
    formats: tuple[str, ...] = FORMATS
    sign: bool = True
    allow_ineligible: str | None = None  # the reason, recorded in the manifest
    base_dir: Path | None = None  # folder the dossier's relative paths (images, keys) start from
    templates: Path | None = None  # a folder of the user's own templates (rendered sandboxed)
    convert: ConvertOptions = ConvertOptions()
    cache: bool = True  # reuse documents whose template and data did not change


def render(
    dossier: Dossier,
    outdir: str | Path,
    *,
    sign: bool = True,
    options: RenderOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Manifest:
    """Render every document of ``dossier`` into ``outdir`` and return the manifest.

    Raises ``IneligibleError`` (nothing written) when a candidate fails a rule and no
    ``allow_ineligible`` reason is given; ``DependencyError`` when LibreOffice is needed but
    missing; ``ConversionError``/``SigningError`` when a later stage fails (previous output kept).
    """
    options = options or RenderOptions(sign=sign)
    say = progress or (lambda _msg: None)
    outdir = Path(outdir)
    if options.templates is not None and not Path(options.templates).is_dir():
        raise TemplateError(f"Không tìm thấy thư mục mẫu văn bản {options.templates}")
    want_pdf = "pdf" in options.formats
    # LibreOffice takes seconds to start: boot it now, while the checks run and the documents'
    # data is prepared (a missing soffice fails here, before anything is written; a refusal
    # below stops the workers at once)
    converter = open_converter(options.convert) if want_pdf else None
    try:
        report = check_eligibility(dossier)
        if not report.eligible and not options.allow_ineligible:
            raise IneligibleError(_ineligible_message(report), report)
        do_sign = want_pdf and options.sign and dossier.signing.enabled
        base_dir = options.base_dir or Path.cwd()
        if do_sign:
            from .signing import check_signing_config  # pyHanko is only imported to sign

            check_signing_config(dossier.signing, base_dir)
        reason = options.allow_ineligible if not report.eligible else None
        documents = build_documents(dossier, report, allow_ineligible=reason)
        manifest = Manifest(
            dossier=dossier.id,
            generated_at=datetime.now(VIETNAM_TZ).replace(microsecond=0).isoformat(),
            eligible=report.eligible,
            allow_ineligible=reason,
            version=__version__,
        )
        for doc in documents:
            manifest.warnings.extend(doc.warnings)
        for c in report.candidates:
            manifest.warnings.extend(c.warnings)
        cache = DocumentCache(enabled=options.cache, version=__version__)
        with locked(outdir, on_wait=say), staging(outdir) as stage:
            say(f"Tạo {len(documents)} văn bản" + (" và chuyển sang PDF…" if want_pdf else "…"))
            outputs = _produce(documents, stage, converter, cache, dossier, options)
            for out in outputs:
                manifest.files.append(_entry(stage, out.docx, out.doc, "docx"))
            if want_pdf:
                # each PDF joins the bundle as soon as it is back, while the next ones convert
                bundle, parts = BundleWriter(), []
                for out in outputs:
                    out.ready.result()
                    if out.doc.in_bundle:
                        parts.append(Part(out.doc.title, out.pdf, out.doc.kind, out.doc.candidate))
                        bundle.add(parts[-1])
                for out in outputs:
                    manifest.files.append(_entry(stage, out.pdf, out.doc, "pdf"))
                manifest.warnings.extend(font_warnings([out.pdf for out in outputs]))
                say("Đóng gói dossier.pdf…")
                unsigned = stage / ".work" / "dossier-unsigned.pdf"
                contents = _contents(dossier, parts, unsigned.parent, converter, cache, options)
                converter.close(wait=False)  # LibreOffice's work is done; it shuts down meanwhile
                starts = bundle.finish(
                    contents, unsigned, title=_bundle_title(dossier), author=dossier.issuer.name,
                    subject=f"Hồ sơ đăng ký bồi dưỡng ở nước ngoài theo Kết luận số 39-KL/TW "
                            f"({dossier.id})",
                )
                final = stage / "dossier.pdf"
                if do_sign:
                    from .signing import sign_dossier

                    say("Ký số dossier.pdf…")
                    sign_dossier(unsigned, final, dossier.signing,
                                 _signature_request(dossier, parts, starts),
                                 base_dir=base_dir, out_dir=stage)
                    manifest.signed = True
                else:
                    os.replace(unsigned, final)
                manifest.files.append(ManifestFile(
                    path="dossier.pdf", kind="dossier", format="pdf", candidate=None,
                    sha256=sha256_of(final), pages=starts[-1] + page_count(parts[-1].pdf),
                    title=_bundle_title(dossier), signed=manifest.signed,
                ))
                shutil.rmtree(stage / ".work", ignore_errors=True)
            (stage / "eligibility.json").write_text(
                json.dumps(_eligibility_json(report, options), ensure_ascii=False, indent=2)
                + "\n", encoding="utf-8",
            )
            manifest.cache_hits = cache.hits
            manifest.write(stage / "manifest.json")
    finally:
        if converter is not None:
            converter.close()
    return manifest


@dataclass(frozen=True)
class _Output:
    doc: Document
    docx: Path
    pdf: Path | None
    ready: Future  # resolves when the PDF is in place (at once for a cache hit or DOCX only)


def _done() -> Future:
    future: Future = Future()
    future.set_result(None)
    return future


def _produce(documents: Sequence[Document], stage: Path, converter, cache: DocumentCache,
             dossier: Dossier, options: RenderOptions) -> list[_Output]:
    """Every document as DOCX, from the cache or rendered, each one queued for LibreOffice as
    soon as it is written; returns while the conversions run. As each PDF comes back, the
    worker's thread files it in the cache."""
    issued = datetime.combine(dossier.documents.cover_letter.date, datetime.min.time())
    author = dossier.issuer.name
    outputs = []
    for doc in documents:
        docx = stage / "docx" / f"{doc.stem}.docx"
        pdf = stage / "pdf" / f"{doc.stem}.pdf" if converter is not None else None
        template, _sandboxed = resolve_template(doc.template, options.templates)
        key = cache.key(template, doc.context, title=doc.title, author=author, issued=issued)
        if cache.fetch(key, docx, pdf):
            outputs.append(_Output(doc, docx, pdf, _done()))
            continue
        write_docx(doc, docx, templates=options.templates, author=author, issued=issued)
        if converter is None:
            cache.store(key, docx, None)
            outputs.append(_Output(doc, docx, pdf, _done()))
            continue
        filed: Future = Future()
        converter.submit(docx, pdf).add_done_callback(
            partial(_converted, cache, key, docx, pdf, filed))
        outputs.append(_Output(doc, docx, pdf, filed))
    _drain(converter)
    return outputs


def _converted(cache: DocumentCache, key: str, docx: Path, pdf: Path, filed: Future,
               conversion: Future) -> None:
    """Runs in the worker's thread when a PDF is back; ``filed`` resolves when it is cached."""
    try:
        conversion.result()
        cache.store(key, docx, pdf)
    except BaseException as exc:  # noqa: BLE001 — handed to the waiting thread as it is
        filed.set_exception(exc)
    else:
        filed.set_result(pdf)


def _drain(converter) -> None:
    drain = getattr(converter, "drain", None)  # the batch fallback converts on demand
    if drain is not None:
        drain()


def _ineligible_message(report: EligibilityReport) -> str:
    """Who fails which rule, one line each, and what to do about it."""
    lines = ["Có ứng viên không đủ điều kiện, tiêu chuẩn; không phát hành hồ sơ:"]
    for c in report.candidates:
        for k in c.checks:
            if k.status.value == "fail":
                lines.append(f"  - {c.full_name} ({c.id}): {k.rule} {k.title} – {k.message}")
    lines.append("Xem `k39docs validate`, hoặc chạy lại với --allow-ineligible \"lý do\".")
    return "\n".join(lines)


def _eligibility_json(report: EligibilityReport, options: RenderOptions) -> dict:
    data = report.to_dict()
    if options.allow_ineligible and not report.eligible:
        data["allow_ineligible"] = options.allow_ineligible
    return data


def _entry(stage: Path, path: Path, doc: Document, fmt: str) -> ManifestFile:
    return ManifestFile(
        path=path.relative_to(stage).as_posix(), kind=doc.kind, format=fmt,
        candidate=doc.candidate, sha256=sha256_of(path),
        pages=page_count(path) if fmt == "pdf" else None, title=doc.title,
    )


def _bundle_title(dossier: Dossier) -> str:
    return f"Hồ sơ cử cán bộ tham gia {course_phrase(dossier)} - Công văn số {number_of(dossier)}"


def _signature_request(dossier: Dossier, parts: list[Part], starts: list[int]):
    """Where the công văn and its attachments sit in the bundle, and who signs it."""
    from .signing import SignatureRequest

    cover = next(i for i, p in enumerate(parts) if p.kind == "cover_letter")
    signer = dossier.documents.cover_letter.signer
    attachments = ("nomination_list", "commitment", "return_report")
    return SignatureRequest(
        cover_letter_pages=tuple(range(starts[cover], starts[cover] + page_count(parts[cover].pdf))),
        signer_name=signer.name,
        signer_title_lines=tuple(upper_vn(line) for line in signer.block_lines()),
        document_number=number_of(dossier),
        agency_name=dossier.issuer.name,
        attachment_first_pages=tuple(s for s, p in zip(starts, parts) if p.kind in attachments),
        location=dossier.issuer.place,
        contact_info=dossier.issuer.email,
    )


def _contents(dossier: Dossier, parts: list[Part], work: Path, converter, cache: DocumentCache,
              options: RenderOptions) -> Path:
    """The contents page as PDF, numbered for its own length (rendered again if it runs longer
    or shorter than first guessed)."""
    counts = [page_count(p.pdf) for p in parts]
    contents_pages = max(1, -(-len(parts) // CONTENTS_ROWS_PER_PAGE))
    docx, pdf = work / "muc-luc.docx", work / "muc-luc.pdf"
    for _attempt in range(3):
        doc = contents_doc.build(dossier, contents_rows(parts, counts, contents_pages))
        template, _sandboxed = resolve_template(doc.template, options.templates)
        key = cache.key(template, doc.context, title=doc.title, author=dossier.issuer.name)
        if not cache.fetch(key, docx, pdf):
            write_docx(doc, docx, templates=options.templates, author=dossier.issuer.name)
            future = converter.submit(docx, pdf)
            _drain(converter)
            future.result()
            cache.store(key, docx, pdf)
        actual = page_count(pdf)
        if actual == contents_pages:
            break
        contents_pages = actual
    return pdf
