"""Bundling: the fast object copy gives the same dossier.pdf as pypdf, and anything it cannot copy
safely goes through pypdf.

Small PDFs are written by hand here so they can hold what a copier gets wrong: references inside
strings, ``%`` and parentheses in strings, a stream whose data contains ``endstream``, lengths in
separate objects, inherited page attributes, a link to a page, a reference to nothing. The
LibreOffice PDFs of the rendered sample are compared too.
"""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NullObject

from k39docs import bundle as bundle_module
from k39docs.bundle import Part, bundle_pdf

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf(objects: dict[int, str | tuple[str, bytes]], trailer: str = "") -> bytes:
    """A classic PDF; a stream is (dictionary entries without /Length, data)."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        body = objects[num]
        if isinstance(body, tuple):
            entries, data = body
            length = f"/Length {len(data)}" if "/Length" not in entries else ""
            out += b"%d 0 obj\n<< %s %s >>\nstream\r\n%s\r\nendstream\nendobj\n" % (
                num, entries.encode("latin-1"), length.encode(), data)
        else:
            out += b"%d 0 obj\n%s\nendobj\n" % (num, body.encode("latin-1"))
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer.encode(), xref)
    return bytes(out)


def _text(words: str) -> tuple[str, bytes]:
    return "", f"BT /F1 14 Tf 72 500 Td ({words}) Tj ET".encode("latin-1")


def _awkward_pdf() -> bytes:
    """Three pages in a nested tree, with everything a byte copier could get wrong."""
    tricky = b"BT /F1 14 Tf 72 450 Td (endstream endobj 3 0 R) Tj ET"
    return _pdf({
        1: "<< /Type /Catalog /Pages 2 0 R /OpenAction [4 0 R /Fit] >>",
        2: "<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 3 /MediaBox [0 0 595 842] /Resources 10 0 R >>",
        3: "<< /Type /Pages /Parent 2 0 R /Kids [4 0 R 5 0 R] /Count 2 /Rotate 90 >>",
        4: "<< /Type /Page /Parent 3 0 R /Contents [11 0 R 12 0 R] /Annots [20 0 R 21 0 R] >>",
        5: "<< /Type /Page /Parent 3 0 R /Contents 13 0 R /Thumb 99 0 R >>",
        9: "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents 14 0 R "
           f"/Resources << /Font << /F1 {FONT} >> >> >>",
        10: f"<< /Font << /F1 {FONT} >> >>",
        11: _text("Trang mot"),
        12: ("/Length 15 0 R", tricky),
        13: _text("Trang hai"),
        14: _text("Trang ba"),
        15: str(len(tricky)),
        # an annotation whose strings hold what looks like references, a % and parentheses
        20: "<< /Type /Annot /Subtype /Text /Rect [10 10 30 30] /P 4 0 R "
            r"/Contents (see 3 0 R and 12 0 R \(100% sure\) (nested 5 0 R)) /NM <3120302052> >>",
        21: "<< /Type /Annot /Subtype /Link /Rect [50 50 90 70] /Border [0 0 0] /Dest [5 0 R /Fit] >>",
    })


def _simple_pdf(*pages: str) -> bytes:
    kids = " ".join(f"{3 + i} 0 R" for i in range(len(pages)))
    objects: dict = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>",
    }
    for i, words in enumerate(pages):
        objects[3 + i] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {50 + i} 0 R "
                          f"/Resources << /Font << /F1 {FONT} >> >> >>")
        objects[50 + i] = _text(words)
    return _pdf(objects)


def _parts(tmp_path: Path, pdfs: dict[str, bytes]) -> tuple[Path, list[Part]]:
    contents = tmp_path / "muc-luc.pdf"
    contents.write_bytes(_simple_pdf("Muc luc ho so"))
    parts = []
    for name, data in pdfs.items():
        (tmp_path / f"{name}.pdf").write_bytes(data)
        parts.append(Part(f"Văn bản “{name}” (số 3512/UBND-NC) – bản gốc", tmp_path / f"{name}.pdf", "commitment"))
    return contents, parts


def _both(tmp_path: Path, contents: Path, parts: list[Part], monkeypatch) -> tuple[Path, Path, list, list]:
    """The bundle by object copy and by pypdf (the copier disabled)."""
    meta = dict(title="Hồ sơ cử cán bộ (Công văn số 3512/UBND-NC)", author="Ủy ban nhân dân tỉnh Quảng Ngãi",
                subject="Hồ sơ đăng ký bồi dưỡng")
    copied, by_pypdf = tmp_path / "copied.pdf", tmp_path / "pypdf.pdf"
    starts_copied = bundle_pdf(contents, parts, copied, **meta)

    def refuse(*_args, **_kwargs):
        raise bundle_module._NotPlain("test: pypdf only")

    with monkeypatch.context() as m:
        m.setattr(bundle_module, "_copy_bundle", refuse)
        starts_pypdf = bundle_pdf(contents, parts, by_pypdf, **meta)
    return copied, by_pypdf, starts_copied, starts_pypdf


def _outline(path: Path) -> list[tuple[str, int]]:
    reader = PdfReader(path)
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def _same_document(copied: Path, by_pypdf: Path) -> None:
    a, b = PdfReader(copied), PdfReader(by_pypdf)
    assert len(a.pages) == len(b.pages)
    assert _outline(copied) == _outline(by_pypdf), "bookmarks differ from pypdf's"
    for key in ("/Title", "/Author", "/Subject", "/Creator"):
        assert a.metadata[key] == b.metadata[key], f"metadata {key} differs from pypdf's"
    assert a.trailer["/Root"]["/Lang"] == b.trailer["/Root"]["/Lang"] == "vi-VN"
    assert a.page_mode == b.page_mode == "/UseOutlines"
    for i, (pa, pb) in enumerate(zip(a.pages, b.pages)):
        assert pa.extract_text() == pb.extract_text(), f"page {i + 1}: text differs from pypdf's bundle"
        # pypdf writes numbers to 6 decimals, the copy keeps LibreOffice's own digits
        assert [round(float(v), 3) for v in pa.mediabox] == [round(float(v), 3) for v in pb.mediabox], (
            f"page {i + 1}: size differs from pypdf's bundle")
        assert pa.rotation == pb.rotation, f"page {i + 1}: rotation"


def test_awkward_pdfs_are_copied_into_the_same_bundle_as_pypdf_makes(tmp_path, monkeypatch):
    contents, parts = _parts(tmp_path, {"a": _awkward_pdf(), "b": _simple_pdf("Ban cam ket", "Trang 2")})
    copied, by_pypdf, starts_copied, starts_pypdf = _both(tmp_path, contents, parts, monkeypatch)
    assert starts_copied == starts_pypdf == [1, 4]
    assert b"/Producer (k39docs)" in copied.read_bytes(), "the bundle was not made by the object copy"
    _same_document(copied, by_pypdf)

    reader = PdfReader(copied)
    page = reader.pages[1]
    assert page.rotation == 90 and [float(v) for v in page.mediabox] == [0, 0, 595, 842], "inherited attributes lost"
    note, link = (a.get_object() for a in page["/Annots"])
    assert note["/Contents"] == "see 3 0 R and 12 0 R (100% sure) (nested 5 0 R)", "a string was rewritten"
    assert note.raw_get("/P").idnum == page.indirect_reference.idnum, "the annotation lost its page"
    target = link["/Dest"].get_object()[0]
    assert target.idnum == reader.pages[2].indirect_reference.idnum, "the link no longer leads to its page"
    assert "endstream endobj 3 0 R" in page.extract_text()
    assert isinstance(reader.pages[2].get("/Thumb"), NullObject), "a reference to a missing object must read as null"


@needs_poppler
def test_copied_bundle_reads_cleanly_with_poppler(tmp_path, monkeypatch):
    contents, parts = _parts(tmp_path, {"a": _awkward_pdf()})
    copied, by_pypdf, _, _ = _both(tmp_path, contents, parts, monkeypatch)
    run = subprocess.run(["pdftotext", str(copied), "-"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and not run.stderr, run.stderr
    reference = subprocess.run(["pdftotext", str(by_pypdf), "-"], capture_output=True, text=True, timeout=60)
    assert run.stdout == reference.stdout


def test_what_cannot_be_copied_safely_goes_through_pypdf(tmp_path, monkeypatch):
    plain = _simple_pdf("Trang mot")
    encrypted = BytesIO()
    writer = PdfWriter(clone_from=BytesIO(plain))
    writer.encrypt("", "chu-so-huu")
    writer.write(encrypted)
    updated = plain + b"\n" + _incremental_update(plain)
    with_form = _pdf({1: "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>",
                      2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                      3: f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                         f"/Resources << /Font << /F1 {FONT} >> >> >>",
                      4: _text("Co bieu mau")})
    with_article = _pdf({1: "<< /Type /Catalog /Pages 2 0 R /Threads [5 0 R] >>",
                         2: "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                         3: f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /B [6 0 R] "
                            f"/Resources << /Font << /F1 {FONT} >> >> >>",
                         4: _text("Co bai bao"),
                         5: "<< /Type /Thread /F 6 0 R >>",
                         6: "<< /Type /Bead /T 5 0 R /N 6 0 R /V 6 0 R /P 3 0 R /R [0 0 100 100] >>"})
    cases = {"encrypted": encrypted.getvalue(), "incremental": updated, "form": with_form, "article": with_article}
    for name, data in cases.items():
        contents, parts = _parts(tmp_path, {name: data, "b": _simple_pdf("Sau")})
        out = tmp_path / f"{name}-bundle.pdf"
        starts = bundle_pdf(contents, parts, out, title="t", author="a", subject="s")
        assert b"/Producer (k39docs)" not in out.read_bytes(), f"{name}: the copier should have refused it"
        reader = PdfReader(out)
        assert starts == [1, 2] and len(reader.pages) == 3, name
        assert [t for t, _ in _outline(out)] == [p.title for p in parts], name
        assert reader.trailer["/Root"]["/Lang"] == "vi-VN", name


def _incremental_update(base: bytes) -> bytes:
    """An update that changes page 1's text, appended after ``base`` (an xref section with /Prev)."""
    prev = int(base[base.rfind(b"startxref") + 9:].split()[0])
    offset = len(base) + 1
    body = b"50 0 obj\n<< /Length 40 >>\nstream\nBT /F1 14 Tf 72 500 Td (Sua doi) Tj ET\nendstream\nendobj\n"
    xref = offset + len(body)
    return body + (b"xref\n50 1\n%010d 00000 n \ntrailer\n<< /Size 51 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
                   % (offset, prev, xref))


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_the_bundle_is_readable_like_any_file_the_user_writes(tmp_path):
    contents, parts = _parts(tmp_path, {"a": _simple_pdf("x")})
    out = tmp_path / "dossier.pdf"
    bundle_pdf(contents, parts, out, title="t", author="a", subject="s")
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask(), oct(out.stat().st_mode)


def test_the_bundle_is_written_atomically(tmp_path, monkeypatch):
    contents, parts = _parts(tmp_path, {"a": _simple_pdf("x")})
    out = tmp_path / "dossier.pdf"
    out.write_bytes(b"the previous bundle")
    parts.append(Part("missing", tmp_path / "missing.pdf", "commitment"))
    with pytest.raises(OSError):
        bundle_pdf(contents, parts, out, title="t", author="a", subject="s")
    assert out.read_bytes() == b"the previous bundle"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".bundle-")] == []


@pytest.mark.soffice
@needs_poppler
def test_libreoffice_documents_are_copied_into_the_same_bundle_as_pypdf_makes(rendered, tmp_path, monkeypatch):
    outdir, manifest = rendered
    pdfs = [f for f in manifest.files if f.format == "pdf" and f.kind not in ("dossier", "eligibility_report")]
    parts = [Part(f.title, outdir / f.path, f.kind, f.candidate) for f in pdfs]
    contents = parts[0].pdf  # any LibreOffice PDF will do as the contents page here
    copied, by_pypdf, starts_copied, starts_pypdf = _both(tmp_path, contents, parts, monkeypatch)
    assert starts_copied == starts_pypdf
    assert b"/Producer (k39docs)" in copied.read_bytes(), "LibreOffice PDFs should take the fast path"
    _same_document(copied, by_pypdf)
    text = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True)
            for p in (copied, by_pypdf)]
    assert not text[0].stderr and text[0].stdout == text[1].stdout
    for page in (1, len(PdfReader(copied).pages)):
        images = [subprocess.run(["pdftoppm", "-r", "30", "-f", str(page), "-l", str(page), "-png", str(p)],
                                 capture_output=True, check=True).stdout for p in (copied, by_pypdf)]
        assert images[0] == images[1], f"page {page} looks different from pypdf's bundle"
