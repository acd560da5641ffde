"""The papers the clerk supplies as scans: a candidate's wet-signed Bản cam kết
(``signed_commitment``) and supporting papers (``attachments``), as they go into dossier.pdf.

A scan is a PDF or a JPG/PNG picture. Pictures become A4 PDF pages with img2pdf, which embeds a
JPEG's own bytes (no re-encoding that would blur small print or a signature) and a PNG's pixels
losslessly. Whatever would break the bundle or its signature is refused before anything is
rendered (``validate`` and the render's preflight), naming the field: a missing file, an
encrypted or broken PDF, a file that is no PDF or picture, a file too large.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .documents.enclosures import ATTACHMENT_KIND, SCANNED_NOTE, outgoing
from .dossier.model import Candidate, Dossier

if TYPE_CHECKING:
    from .documents.base import Document
    from .manifest import ManifestFile
    from .pdf.bundle import Part

__all__ = [
    "Scan",
    "scans_of",
    "scan_problem",
    "scan_issues",
    "write_scan",
    "bundle_parts",
    "manifest_entries",
    "MAX_SCAN_BYTES",
    "MAX_SCAN_PAGES",
    "SCANNED_NOTE",
]

MAX_SCAN_BYTES = 20 * 1024 * 1024  # a 300 dpi colour scan of ten A4 pages is well under this
MAX_SCAN_PAGES = 100
MAX_SCAN_PIXELS = 120_000_000  # an A4 page at 1,200 dpi is 140 M pixels: a 600 dpi one is 35 M
A4_PT = (595.2756, 841.8898)  # 210 × 297 mm

_PDF, _JPEG, _PNG = "PDF", "JPEG", "PNG"


@dataclass(frozen=True)
class Scan:
    """One scan of the dossier: the field it comes from (``candidates[0].attachments[1].file``),
    its file, and how the bundle names it."""

    field: str
    source: Path
    kind: str  # manifest kind: "commitment" (replaces the generated one) or "attachment"
    candidate: str
    title: str  # bookmark and contents line: "Chứng chỉ IELTS - Nguyễn Văn An"
    paper: str  # what the paper is, as the clerk named it: "Chứng chỉ IELTS", "Bản cam kết"
    stem: str  # file name in OUTDIR/scans without ".pdf"


def _slug(text: str) -> str:
    """ASCII file-name words of ``text``: "Chứng chỉ IELTS" → "chung-chi-ielts"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-") or "tai-lieu"


def candidate_scans(candidate: Candidate, index: int, base_dir: Path | None = None) -> list[Scan]:
    """The scans of one candidate, in bundle order: the signed Bản cam kết, then the
    attachments as listed."""

    def where(path: Path) -> Path:
        return base_dir / path if base_dir is not None and not path.is_absolute() else path

    c, out = candidate, []  # kinds as the manifest names them
    if c.signed_commitment is not None:
        out.append(
            Scan(
                f"candidates[{index}].signed_commitment",
                where(c.signed_commitment),
                "commitment",
                c.id,
                f"Bản cam kết - {c.full_name} ({SCANNED_NOTE})",
                "Bản cam kết",
                f"cam-ket-{c.id}",
            )
        )
    for k, a in enumerate(c.attachments):
        out.append(
            Scan(
                f"candidates[{index}].attachments[{k}].file",
                where(a.file),
                ATTACHMENT_KIND,
                c.id,
                f"{a.title} - {c.full_name}",
                a.title,
                f"{c.id}-{k + 1:02d}-{_slug(a.title)}",
            )
        )
    return out


def scans_of(dossier: Dossier, base_dir: Path | None = None) -> list[Scan]:
    """Every scan of ``dossier``, candidate by candidate; relative paths start at ``base_dir``
    (the loader has made them absolute already when it read a file)."""
    return [s for i, c in enumerate(dossier.candidates) for s in candidate_scans(c, i, base_dir)]


def _format(head: bytes) -> str | None:
    if head.lstrip(b"\x00\t\n\r\f ")[:5] == b"%PDF-" or b"%PDF-" in head[:1024]:
        return _PDF
    if head[:3] == b"\xff\xd8\xff":
        return _JPEG
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return _PNG
    return None


def scan_problem(path: Path) -> str | None:
    """Why ``path`` cannot go into the dossier as a scan (Vietnamese), or None."""
    try:
        stat = path.stat()
    except OSError:
        return f"không tìm thấy tệp `{path}`"
    if not path.is_file():
        return f"`{path}` không phải là một tệp"
    return _problem(path, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _problem(path: Path, size: int, _mtime_ns: int) -> str | None:
    """:func:`scan_problem` of a file as it is now (``size``, ``_mtime_ns``): a session renders
    the same dossier again and again, and a long PDF takes a moment to check."""
    name = path.name
    if size == 0:
        return f"tệp `{name}` rỗng (0 byte)"
    if size > MAX_SCAN_BYTES:
        return (
            f"tệp `{name}` nặng {size / 1024 / 1024:.1f} MB, quá giới hạn "
            f"{MAX_SCAN_BYTES // 1024 // 1024} MB cho một tài liệu scan; hãy scan lại ở "
            "200–300 dpi hoặc nén ảnh"
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        return f"không đọc được tệp `{name}` ({exc.strerror or exc})"
    kind = _format(head)
    if kind is None:
        return (
            f"tệp `{name}` không phải PDF, JPG hay PNG; hãy scan hoặc lưu tài liệu thành "
            "một trong các dạng đó"
        )
    return _pdf_problem(path) if kind == _PDF else _image_problem(path, kind)


def _pdf_problem(path: Path) -> str | None:
    from pypdf import PdfReader, PdfWriter

    name = path.name
    broken = (
        f"tệp PDF `{name}` bị hỏng, không đọc được; hãy mở bằng trình xem PDF rồi lưu "
        "(in) lại thành PDF mới"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(path, strict=False)
            if reader.is_encrypted:
                return (
                    f"tệp PDF `{name}` được đặt mật khẩu hoặc mã hóa; hãy lưu lại bản không "
                    "mật khẩu (in ra PDF) rồi đính kèm"
                )
            count = len(reader.pages)
            if count == 0:
                return f"tệp PDF `{name}` không có trang nào"
            if count > MAX_SCAN_PAGES:
                return (
                    f"tệp PDF `{name}` có {count} trang, quá giới hạn {MAX_SCAN_PAGES} trang "
                    "cho một tài liệu"
                )
            # copied as the bundle copies it: what fails here would fail the render
            writer = PdfWriter()
            writer.append(reader, import_outline=False)
            for page in writer.pages:
                box = page.mediabox
                if box.width <= 0 or box.height <= 0:
                    return broken
                page.get_contents()
            writer.write(io.BytesIO())
    except Exception:  # noqa: BLE001 — whatever pypdf cannot read, the bundle cannot hold
        return broken
    return None


def _image_problem(path: Path, kind: str) -> str | None:
    from PIL import Image

    name = path.name
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
                if width * height > MAX_SCAN_PIXELS:
                    return (
                        f"ảnh `{name}` {width}×{height} điểm ảnh, quá lớn; hãy scan ở 200–300 dpi"
                    )
                img.load()  # a truncated or damaged picture fails here, not in the dossier
    except Exception:  # noqa: BLE001 — a picture Pillow cannot decode cannot go in
        what = "JPG" if kind == _JPEG else "PNG"
        return f"ảnh {what} `{name}` bị hỏng, không đọc được; hãy scan hoặc lưu lại ảnh"
    return None


def scan_issues(dossier: Dossier, base_dir: Path | None = None) -> list[tuple[str, str]]:
    """(field path, Vietnamese message) for each scan that would be refused."""
    issues = []
    for scan in scans_of(dossier, base_dir):
        problem = scan_problem(scan.source)
        if problem is not None:
            what = (
                "bản cam kết đã ký"
                if scan.kind == "commitment"
                else f"tài liệu kèm theo “{scan.paper}”"
            )
            issues.append((scan.field, f"{what}: {problem}"))
    return issues


def write_scan(scan: Scan, folder: Path) -> Path:
    """``folder/<stem>.pdf``: the scan as it goes into the bundle. A PDF is copied as it is; a
    picture becomes A4 pages (turned to landscape for a landscape picture), fitted whole, its
    JPEG bytes or PNG pixels kept as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{scan.stem}.pdf"
    with open(scan.source, "rb") as fh:
        head = fh.read(1024)
    if _format(head) == _PDF:
        shutil.copyfile(scan.source, out)
        return out
    import img2pdf

    layout = img2pdf.get_layout_fun(A4_PT, fit=img2pdf.FitMode.into, auto_orient=True)
    log = logging.getLogger("img2pdf")  # it tells of each PNG's alpha channel, which it keeps
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        data = img2pdf.convert(
            str(scan.source), layout_fun=layout, rotation=img2pdf.Rotation.ifvalid
        )
    finally:
        log.setLevel(level)
    out.write_bytes(data)
    return out


def bundle_parts(
    dossier: Dossier,
    documents: Sequence[tuple[Document, Path]],
    folder: Path,
    base_dir: Path | None = None,
) -> tuple[list[Part], list[tuple[Scan, Path]]]:
    """The outgoing bundle's parts in order (:func:`~k39docs.documents.enclosures.outgoing`):
    each generated document with its PDF (``documents``: the bundle's), and each scan, written
    into ``folder`` (OUTDIR/scans) by :func:`write_scan`; and the scans so written."""
    from .pdf.bundle import Part

    generated = {(doc.kind, doc.candidate): (doc, pdf) for doc, pdf in documents}
    scans = {s.field: s for s in scans_of(dossier, base_dir)}
    parts, written = [], []
    for item in outgoing(dossier):
        if item.scan is None:
            doc, pdf = generated[(item.kind, item.candidate)]
            parts.append(Part(doc.title, pdf, doc.kind, doc.candidate))
        else:
            scan = scans[item.scan]
            pdf = write_scan(scan, folder)
            parts.append(Part(scan.title, pdf, scan.kind, scan.candidate))
            written.append((scan, pdf))
    return parts, written


def manifest_entries(stage: Path, written: Sequence[tuple[Scan, Path]]) -> list[ManifestFile]:
    """The manifest's lines of the scans in OUTDIR/scans (interface.md): a signed Bản cam kết is
    kind ``commitment`` with ``scanned: true``, a supporting paper kind ``attachment`` with the
    clerk's title."""
    from .manifest import ManifestFile, sha256_of
    from .pdf.pdfinfo import page_count

    return [
        ManifestFile(
            path=pdf.relative_to(stage).as_posix(),
            kind=scan.kind,
            format="pdf",
            candidate=scan.candidate,
            sha256=sha256_of(pdf),
            pages=page_count(pdf),
            title=scan.paper if scan.kind == ATTACHMENT_KIND else scan.title,
            scanned=True if scan.kind == "commitment" else None,
        )
        for scan, pdf in written
    ]
