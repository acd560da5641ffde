"""End to end: the sample dossier rendered with real LibreOffice, read back from DOCX and PDF."""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import subprocess
from functools import partial

import pdftext
import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

pytestmark = pytest.mark.soffice


def docx_text(path) -> str:
    doc = DocxDocument(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
    return "\n".join(parts)


pdftotext = partial(pdftext.pdftotext, layout=True)


def test_output_folder_has_every_document_as_docx_and_pdf(rendered, sample_dossier):
    outdir, _manifest = rendered
    n = len(sample_dossier.candidates)
    reports = sum(1 for c in sample_dossier.candidates if c.return_report)
    expected = 3 + n + reports + 1  # + the eligibility working paper
    for fmt in ("docx", "pdf"):
        files = sorted((outdir / fmt).glob(f"*.{fmt}"))
        assert len(files) == expected, f"{fmt}: {[f.name for f in files]}"
    assert (outdir / "dossier.pdf").is_file()
    assert (outdir / "manifest.json").is_file()
    assert (outdir / "eligibility.json").is_file()
    assert (outdir / "docx" / "cong-van.docx").is_file()
    assert (outdir / "pdf" / "cam-ket-ca01.pdf").is_file()


def test_manifest_lists_every_file_with_true_hash_and_page_count(rendered):
    outdir, _ = rendered
    data = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assert data["dossier"] == "qng-2027-trung-han-01"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", data["generated_at"])
    kinds = {f["kind"] for f in data["files"]}
    assert {
        "submission",
        "cover_letter",
        "nomination_list",
        "commitment",
        "eligibility_report",
        "dossier",
        "internal_bundle",
    } <= kinds
    for entry in data["files"]:
        path = outdir / entry["path"]
        assert path.is_file(), entry["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
        if entry["format"] == "pdf":
            assert entry["pages"] == len(PdfReader(path).pages), entry["path"]
        else:
            assert entry["pages"] is None
        assert set(entry) >= {"path", "kind", "format", "candidate", "sha256", "pages"}
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path["pdf/cam-ket-ca01.pdf"]["candidate"] == "ca01"
    assert by_path["docx/cong-van.docx"]["candidate"] is None
    assert "signed" in by_path["dossier.pdf"]


def test_every_candidate_named_in_their_commitment_and_in_the_list(rendered, sample_dossier):
    outdir, _ = rendered
    listing = docx_text(outdir / "docx" / "danh-sach.docx")
    for c in sample_dossier.candidates:
        commitment = docx_text(outdir / "docx" / f"cam-ket-{c.id}.docx")
        assert c.full_name in commitment
        assert c.id_number in commitment
        assert c.full_name in listing
        assert c.full_name in pdftotext(outdir / "pdf" / f"cam-ket-{c.id}.pdf")


def test_list_has_one_row_per_candidate_with_birth_date_in_the_column_of_their_sex(
    rendered, sample_dossier
):
    outdir, _ = rendered
    doc = DocxDocument(str(outdir / "docx" / "danh-sach.docx"))
    table = max(doc.tables, key=lambda t: len(t.columns))
    header = [cell.text for cell in table.rows[1].cells]
    male_col, female_col = header.index("Nam"), header.index("Nữ")
    name_col = [cell.text for cell in table.rows[0].cells].index("Họ và tên")
    body = [row for row in table.rows if row.cells[0].text.strip().isdigit()]
    assert len(body) == len(sample_dossier.candidates)
    for row, c in zip(body, sample_dossier.candidates, strict=True):
        cells = [cell.text for cell in row.cells]
        assert cells[name_col] == c.full_name
        born = c.birth_date.display()
        if c.gender.value == "nam":
            assert (cells[male_col], cells[female_col]) == (born, ""), c.full_name
        else:
            assert (cells[male_col], cells[female_col]) == ("", born), c.full_name


def test_list_header_rows_repeat_and_rows_do_not_split(rendered):
    outdir, _ = rendered
    doc = DocxDocument(str(outdir / "docx" / "danh-sach.docx"))
    table = max(doc.tables, key=lambda t: len(t.columns))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for i, row in enumerate(table.rows):
        tr_pr = row._tr.find(f"{ns}trPr")
        assert tr_pr is not None and tr_pr.find(f"{ns}cantSplit") is not None, f"row {i}"
    assert table.rows[0]._tr.find(f"{ns}trPr").find(f"{ns}tblHeader") is not None


def test_nomination_list_is_landscape(rendered):
    outdir, _ = rendered
    page = PdfReader(outdir / "pdf" / "danh-sach.pdf").pages[0]
    assert page.mediabox.width > page.mediabox.height


BUNDLED = ("cover_letter", "nomination_list", "commitment")  # the Tờ trình is in noi-bo.pdf


def _outline(reader):
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_bookmarks_match_the_manifest_in_bundle_order(rendered, sample_dossier):
    outdir, manifest = rendered
    reader = PdfReader(outdir / "dossier.pdf")
    titles = [title for title, _ in _outline(reader)]
    pdfs = [f for f in manifest.files if f.format == "pdf" and f.kind in BUNDLED]
    assert titles == [f.title for f in pdfs]
    assert titles[0].startswith("Công văn số 3512/UBND-NC")
    assert titles[1].startswith("Danh sách")
    commitments = [t for t in titles if t.startswith("Bản cam kết - ")]
    assert commitments == [f"Bản cam kết - {c.full_name}" for c in sample_dossier.candidates]
    assert titles[2:] == commitments
    # every document's pages are all there, one after the other
    starts = [page for _, page in _outline(reader)]
    counts = [f.pages for f in pdfs]
    assert starts[0] == 1
    assert [b - a for a, b in itertools.pairwise(starts)] == counts[:-1]
    assert len(reader.pages) == starts[-1] + counts[-1]


def test_contents_page_numbers_point_at_each_document(rendered):
    outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    reader = PdfReader(bundle)
    contents = pdftotext(bundle, 1, 1)
    assert "MỤC LỤC HỒ SƠ" in contents
    for title, page_index in _outline(reader):
        line = next((ln for ln in contents.splitlines() if title[:30] in ln), None)
        assert line is not None, f"{title!r} missing from the contents page"
        assert int(line.split()[-1]) == page_index + 1, f"{title}: {line}"
    # the page the contents names really starts that document
    first_pages = {title: pdftotext(bundle, page + 1, page + 1) for title, page in _outline(reader)}
    assert "V/v cử cán bộ" in next(v for k, v in first_pages.items() if k.startswith("Công văn"))
    assert "Nguyễn Văn An" in first_pages["Bản cam kết - Nguyễn Văn An"]


def test_the_signature_fills_the_corner_the_bundle_painted_and_rewrites_no_page(rendered):
    """Each attachment's first page paints one form the bundle wrote empty; the first
    signature's revision fills it (the signing information top right) without rewriting the
    attachments' pages (a hundred for a hundred candidates)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    outdir, _ = rendered
    bundle = outdir / "dossier.pdf"
    reader = PdfReader(bundle)
    firsts = [page for title, page in _outline(reader) if not title.startswith("Công văn")]
    forms = set()
    for page in firsts:
        xobjects = reader.pages[page]["/Resources"]["/XObject"]
        forms |= {ref.idnum for name, ref in xobjects.items() if name.startswith("/K39Info")}
        top = pdftotext(bundle, page + 1, page + 1).splitlines()[:3]
        assert any(line.strip() == "Số: 3512/UBND-NC" for line in top), top
    assert len(forms) == 1, forms
    with bundle.open("rb") as fh:
        history = PdfFileReader(fh)
        signed_first = history.embedded_signatures[0].signed_revision
        changed = history.xrefs.explicit_refs_in_revision(signed_first)
        assert forms <= {ref.idnum for ref in changed}
        attachment_pages = {reader.pages[page].indirect_reference.idnum for page in firsts}
        assert not attachment_pages & {ref.idnum for ref in changed}


def test_bundle_metadata_names_the_issuer_and_vietnamese(rendered):
    outdir, _ = rendered
    reader = PdfReader(outdir / "dossier.pdf")
    meta = reader.metadata
    assert meta.author == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert "3512/UBND-NC" in meta.title
    assert meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "vi-VN"


def test_every_document_pdf_is_in_vietnamese(rendered, sample_dossier):
    """/Lang tells screen readers and PDF/UA checkers how to read the text."""
    outdir, _ = rendered
    pdfs = sorted((outdir / "pdf").glob("*.pdf"))
    assert len(pdfs) == 4 + len(
        sample_dossier.candidates
    )  # + công văn, danh sách, Tờ trình, rà soát
    assert {p.name: PdfReader(p).trailer["/Root"].get("/Lang") for p in pdfs} == {
        p.name: "vi-VN" for p in pdfs
    }


def test_every_font_is_embedded(rendered):
    outdir, _ = rendered
    for pdf in [outdir / "dossier.pdf", *sorted((outdir / "pdf").glob("*.pdf"))]:
        out = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
        ).stdout
        rows = out.splitlines()[2:]
        assert rows, f"{pdf.name}: no fonts listed"
        for row in rows:
            assert re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", row), row
            emb = row.split()[-5]
            assert emb == "yes", f"{pdf.name}: font not embedded: {row}"


def test_pdf_text_is_composed_vietnamese(rendered):
    outdir, _ = rendered
    text = pdftotext(outdir / "pdf" / "cong-van.pdf")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Quảng Ngãi, ngày 10 tháng 12 năm 2026" in text
    assert "Số: 3512/UBND-NC" in text
    assert "Đặng Quốc Bảo" in text


def test_submission_states_cost_in_figures_and_words(rendered):
    outdir, _ = rendered
    text = docx_text(outdir / "docx" / "to-trinh.docx")
    assert (
        "385.000.000 đồng/người, 04 người, tổng cộng 1.540.000.000 đồng "
        "(Bằng chữ: Một tỷ năm trăm bốn mươi triệu đồng)"
    ) in text
    assert "×" not in text


def test_no_font_substitution_warning_for_the_sample(rendered):
    _, manifest = rendered
    assert [w for w in manifest.warnings if "phông" in w] == []


def test_a_part_gone_from_the_cache_meanwhile_goes_into_the_bundle_from_its_copy(tmp_path):
    """A part taken from the cache goes into the bundle from the cache's own files, before
    its copy is in place; if the entry went away after the run planned to use it, the bundle
    waits for the part (converted again, or copied) and takes it from the staging folder."""
    import threading
    from concurrent.futures import Future

    from pypdf import PdfWriter

    from k39docs.cache import DocumentCache
    from k39docs.pdf.bundle import BundleWriter, Part
    from k39docs.pipeline.assemble import PageSource
    from k39docs.pipeline.produce import Output

    pdf = tmp_path / "stage" / "pdf" / "cam-ket.pdf"
    pdf.parent.mkdir(parents=True)
    ready: Future = Future()

    def arrives() -> None:
        writer = PdfWriter()
        for _ in range(2):
            writer.add_blank_page(595, 842)
        writer.write(pdf)
        ready.set_result(pdf)

    bundle = BundleWriter([Part("Bản cam kết", pdf, "commitment")])
    out = Output(None, "ab" * 32, tmp_path / "x.docx", pdf, ready, cached=True)
    threading.Timer(0.2, arrives).start()
    from k39docs.pdf.pdfinfo import PdfLedger

    PageSource(DocumentCache(tmp_path / "cache"), None, PdfLedger()).add(bundle, 0, out)
    assert bundle.counts == [2]


@pytest.mark.soffice
def test_a_render_from_the_cache_signs_even_when_the_copies_are_slow(
    tmp_path, monkeypatch, sample_dossier
):
    """Parts taken from the cache go into the bundle before their copies are in place; the
    công văn's own PDF, where the signatures are placed, is read only once it is there."""
    import time
    from pathlib import Path

    import k39docs.cache as cache_module
    from k39docs.render import RenderOptions, render

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    options = RenderOptions(base_dir=Path(__file__).resolve().parents[1] / "fixtures")
    render(sample_dossier, tmp_path / "out", options=options)
    real = cache_module.link_or_copy

    def slow(src, dst, previous=None, same=None):
        if dst.suffix == ".pdf":
            time.sleep(0.3)
        real(src, dst, previous, same)

    monkeypatch.setattr(cache_module, "link_or_copy", slow)
    manifest = render(sample_dossier, tmp_path / "again", options=options)
    assert manifest.signed and manifest.cache_hits > 0
