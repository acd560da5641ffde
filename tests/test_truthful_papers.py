"""The papers say only what the data says: a Gia Lai dossier (fixtures/gia-lai.yaml), a medium-term
course, eight nominees, one proposed by exception (IV.2.1.a: three months of leadership left, with
the province's reason), one still to sit the institution's selection interview.

One LibreOffice render (module fixture, unsigned) is read back with pdftotext and python-docx.
"""

from __future__ import annotations

import re
from pathlib import Path

import pdftext
import pytest
from docx import Document as DocxDocument

from k39docs import load_dossier
from k39docs.documents import build_documents
from k39docs.nd30.fonts import text_width_mm
from k39docs.pdf.pdfinfo import page_count
from k39docs.rules import check_eligibility

ROOT = Path(__file__).resolve().parents[1]
GIA_LAI = ROOT / "fixtures" / "gia-lai.yaml"
EXCEPTED = "Võ Thành Nhân"
REASON = "Ban Thường vụ Tỉnh ủy đã cho ý kiến tại Thông báo số 215-TB/TU"
CONDITION = "không đáp ứng điều kiện về thời gian giữ chức vụ lãnh đạo còn lại"
INTERVIEWING = "Đinh Văn Hưng"
INSTITUTION = "Đại học Quốc gia Xinh-ga-po (NUS)"


def flat(text: str) -> str:
    """pdftotext's lines joined: a sentence that wraps is one string again."""
    return " ".join(text.replace("\xad", "").split())


def pdftotext(path: Path, first: int | None = None, last: int | None = None) -> str:
    """The text of ``path`` with its columns kept (a table's cells do not run together)."""
    return pdftext.pdftotext(path, first, last, layout=True)


def body_paragraphs(path: Path) -> list[str]:
    """The running text of a DOCX: its paragraphs outside any table."""
    return [p.text for p in DocxDocument(str(path)).paragraphs]


@pytest.fixture(scope="module")
def dossier():
    return load_dossier(GIA_LAI)


@pytest.fixture(scope="module")
def out(tmp_path_factory, dossier) -> Path:
    from k39docs.render import RenderOptions, render

    outdir = tmp_path_factory.mktemp("gia-lai") / dossier.id
    render(dossier, outdir, options=RenderOptions(sign=False, base_dir=GIA_LAI.parent))
    return outdir


# --- the data, without LibreOffice ----------------------------------------------------------------


def test_fixture_has_one_exception_and_one_pending_interview(dossier):
    report = check_eligibility(dossier)
    assert report.issuable and not report.eligible
    assert [c.full_name for c in report.exceptions] == [EXCEPTED]
    assert [c.full_name for c in report.candidates if c.pending_checks] == [INTERVIEWING]
    assert len(dossier.candidates) == 8 and dossier.issuer.name == "Ủy ban nhân dân tỉnh Gia Lai"


def test_wording_stays_clean_when_everyone_meets_every_condition(sample_dossier):
    docs = {d.kind: d for d in build_documents(sample_dossier, check_eligibility(sample_dossier))}
    sub, letter = docs["submission"].context, docs["cover_letter"].context
    assert "cử 04 cán bộ đáp ứng đầy đủ điều kiện, tiêu chuẩn" in sub["review_text"]
    assert sub["review_lines"] == []
    assert any("đáp ứng đầy đủ điều kiện, tiêu chuẩn" in p for p in letter["paragraphs"])
    assert not any("xem xét, quyết định" in p for p in letter["paragraphs"])


def test_working_paper_names_its_preparer_or_warns(dossier, sample_dossier):
    paper = build_documents(dossier, check_eligibility(dossier))[-1]
    assert paper.kind == "eligibility_report"
    assert paper.context["signature"]["left_name"] == "Nguyễn Thị Mai Anh"
    assert paper.warnings == ()
    sample_paper = next(
        d
        for d in build_documents(sample_dossier, check_eligibility(sample_dossier))
        if d.kind == "eligibility_report"
    )
    assert sample_paper.context["signature"]["left_name"] == ""
    assert any("prepared_by" in w for w in sample_paper.warnings)


# --- what the PDFs say ------------------------------------------------------------------------------


@pytest.mark.soffice
def test_no_paper_claims_that_all_nominees_meet_the_conditions(out):
    for pdf in [*sorted((out / "pdf").glob("*.pdf"))]:
        text = flat(pdftotext(pdf))
        assert "08 cán bộ đáp ứng đầy đủ" not in text, pdf.name
        assert "Các cán bộ được cử đã được rà soát, đáp ứng" not in text, pdf.name
        for m in re.finditer(r"(\S+) cán bộ đáp ứng đầy đủ điều kiện", text):
            assert m.group(1) == "06", f"{pdf.name}: “{m.group(0)}”"


@pytest.mark.soffice
@pytest.mark.parametrize("stem", ["to-trinh", "cong-van", "danh-sach"])
def test_exception_person_condition_and_reason_are_told(out, stem):
    text = flat(pdftotext(out / "pdf" / f"{stem}.pdf"))
    assert EXCEPTED in text
    assert CONDITION in text
    assert "còn 03 tháng" in text
    assert "tiểu mục 2.1 Mục IV Kế hoạch số 58/KH-UBND" in text
    assert REASON in text
    assert f"sẽ tham gia phỏng vấn tuyển chọn của {INSTITUTION}" in text
    assert INTERVIEWING in text


@pytest.mark.soffice
def test_cong_van_asks_the_leaders_to_decide_and_never_grants(out):
    text = flat(pdftotext(out / "pdf" / "cong-van.pdf"))
    assert (
        "kính đề nghị Lãnh đạo Ban Chỉ đạo thực hiện Kết luận số 39-KL/TW xem xét, quyết "
        f"định đối với trường hợp ông {EXCEPTED}"
    ) in text
    assert "Điều 3 Quy chế ban hành kèm theo Quyết định số 02-QĐ/BCĐ" in text
    for granted in ("được chấp thuận", "đã đồng ý", "được miễn", "ngoại lệ được"):
        assert granted not in text


@pytest.mark.soffice
def test_danh_sach_marks_the_exception_and_the_interview(out):
    doc = DocxDocument(str(out / "docx" / "danh-sach.docx"))
    table = max(doc.tables, key=lambda t: len(t.columns))
    notes = {r.cells[1].text: [p.text for p in r.cells[-1].paragraphs] for r in table.rows}
    assert notes[EXCEPTED] == ["Đảng viên", "Đề nghị xem xét ngoại lệ (ghi chú 1)"]
    assert notes[INTERVIEWING] == ["Đảng viên", "Chờ phỏng vấn tuyển chọn"]
    assert notes["Trần Quốc Khánh"] == ["Đảng viên"]
    # the note the mark points at, above the table, in the PDF
    text = flat(pdftotext(out / "pdf" / "danh-sach.pdf"))
    assert f"(1) Ông {EXCEPTED}, Giám đốc Sở Công Thương, {CONDITION}" in text


@pytest.mark.soffice
def test_submission_submits_a_draft_and_cites_the_notice_once(out):
    text = flat(pdftotext(out / "pdf" / "to-trinh.pdf"))
    assert "(có dự thảo Công văn và Danh sách kèm theo)" in text
    assert "xem xét, ký ban hành Công văn" in text
    assert "kèm theo Công văn số" not in text
    assert text.count("Thông báo số 31-TB/BCĐ") == 1
    assert (
        "420.000.000 đồng/người, 08 người, tổng cộng 3.360.000.000 đồng "
        "(Bằng chữ: Ba tỷ ba trăm sáu mươi triệu đồng)"
    ) in text
    assert "Phó Trưởng ban Dân tộc tỉnh Gia Lai" in text
    assert "Ban Dân tộc Ban Dân tộc" not in text


@pytest.mark.soffice
def test_commitment_says_so_dinh_danh_and_keeps_signatures_with_text(out):
    for pdf in sorted((out / "pdf").glob("cam-ket-*.pdf")):
        pages = page_count(pdf)
        assert pages == 2, f"{pdf.name}: the long clause list no longer reaches page 2"
        whole = flat(pdftotext(pdf))
        assert "Số định danh cá nhân" in whole and "Căn cước công dân" not in whole
        last = flat(pdftotext(pdf, first=pages, last=pages))
        assert "NGƯỜI CAM KẾT" in last
        # the page of the signatures also holds the end of the text, never the signatures alone
        assert "Tôi xin chịu trách nhiệm" in last, pdf.name
        assert "10. Bồi hoàn kinh phí" in last, pdf.name


@pytest.mark.soffice
def test_no_times_or_less_than_in_running_text(out):
    for stem in ["to-trinh", "cong-van", *(f"cam-ket-gl0{i}" for i in range(1, 9))]:
        text = pdftotext(out / "pdf" / f"{stem}.pdf")
        for sign in ("×", "<", "≥"):
            assert sign not in text, f"{stem}: {sign}"
    # the tables' papers: no sign in their paragraphs (the working paper's key names its marks)
    for stem in ["danh-sach", "ket-qua-ra-soat"]:
        for p in body_paragraphs(out / "docx" / f"{stem}.docx"):
            if p.startswith("Ghi chú: √"):
                continue
            assert not any(sign in p for sign in ("×", "<", "≥")), f"{stem}: {p}"


@pytest.mark.soffice
def test_working_paper_numbers_findings_by_person_and_names_the_preparer(out, dossier):
    doc = DocxDocument(str(out / "docx" / "ket-qua-ra-soat.docx"))
    findings = next(
        t for t in doc.tables if t.rows[0].cells[-1].text.startswith("Điều kiện, lý do")
    )
    rows = [[c.text for c in r.cells] for r in findings.rows[1:]]
    names = [r[1] for r in rows]
    assert len(names) == len(set(names)), f"a person numbered twice: {names}"
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
    excepted = next(r for r in rows if r[1] == EXCEPTED)
    assert "IV.2.1.a" in excepted[-1] and REASON in excepted[-1]
    text = flat(pdftotext(out / "pdf" / "ket-qua-ra-soat.pdf"))
    assert "NGƯỜI LẬP" in text and "Nguyễn Thị Mai Anh" in text
    assert REASON in text


# --- the DOCX layout ------------------------------------------------------------------------------


@pytest.mark.soffice
def test_submission_lists_nominees_a_b_c(out, dossier):
    paragraphs = body_paragraphs(out / "docx" / "to-trinh.docx")
    labelled = [p for p in paragraphs if re.match(r"^[a-zđ]\) (Ông|Bà) ", p)]
    assert [p.split(")")[0] for p in labelled] == list("abcdđegh")
    assert all(p.endswith(";") for p in labelled[:-1]) and labelled[-1].endswith(".")
    assert not any(re.match(r"^\d+\. (Ông|Bà) ", p) for p in paragraphs)


@pytest.mark.soffice
def test_kinh_gui_the_nd30_way(out):
    one = [
        p
        for p in DocxDocument(str(out / "docx" / "to-trinh.docx")).paragraphs
        if p.text.startswith("Kính gửi")
    ]
    assert [p.text for p in one] == ["Kính gửi: Ủy ban nhân dân tỉnh Gia Lai."]
    doc = DocxDocument(str(out / "docx" / "cam-ket-gl01.docx"))
    at = next(i for i, p in enumerate(doc.paragraphs) if p.text.startswith("Kính gửi:"))
    first, second = doc.paragraphs[at], doc.paragraphs[at + 1]
    assert first.text == "Kính gửi:\t- Sở Tài chính;"
    assert second.text == "- Sở Nội vụ tỉnh Gia Lai."
    # the second recipient's dash stands under the first one's: the first line hangs back by
    # the label, to the tab stop where both dashes are
    f, s = first.paragraph_format, second.paragraph_format
    assert f.left_indent == s.left_indent and f.first_line_indent < 0
    assert f.tab_stops[0].position == f.left_indent


@pytest.mark.soffice
def test_danh_sach_cells_do_not_break_inside_a_phrase(out):
    doc = DocxDocument(str(out / "docx" / "danh-sach.docx"))
    table = max(doc.tables, key=lambda t: len(t.columns))
    grid = table._tbl.tblGrid.findall(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"
    )
    widths = [
        int(c.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) * 25.4 / 1440
        for c in grid
    ]
    assert sum(widths) <= 252.5
    pad = 2 * 1.2
    rating, language, note = widths[9] - pad, widths[8] - pad, widths[11] - pad
    # either the whole phrase fits, or the first line ends at a unit ("Hoàn thành" / "tốt …")
    for phrase, bad in (
        ("Hoàn thành tốt nhiệm vụ", "Hoàn thành tốt nhiệm"),
        ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành xuất"),
    ):
        assert text_width_mm(phrase, 11) <= rating or text_width_mm(bad, 11) > rating
        assert text_width_mm("tốt nhiệm vụ", 11) <= rating
    assert text_width_mm("Tiếng Anh: IELTS 6,5", 11) <= language or (
        text_width_mm("Tiếng Anh: IELTS", 11) > language
        and text_width_mm("IELTS 6,5", 11) <= language
    )
    assert text_width_mm("Đảng viên", 11) <= note
    cells = {c.text for r in table.rows for c in r.cells}
    assert "Tiếng Anh: IELTS 6,5" in cells and "Tiếng Anh: IELTS 6.5" not in cells


@pytest.mark.soffice
@pytest.mark.parametrize(
    ("stem", "signer"), [("to-trinh", "Lê Văn Quang"), ("cong-van", "Nguyễn Tuấn Thanh")]
)
def test_the_signatures_never_stand_alone_on_a_page(out, stem, signer):
    """The Gia Lai Tờ trình put its Nơi nhận and signature block alone on page 3: the closing
    paragraph keeps with them."""
    pdf = out / "pdf" / f"{stem}.pdf"
    pages = page_count(pdf)
    last = flat(pdftotext(pdf, first=pages, last=pages))
    assert signer in last
    assert "/." in last, f"page {pages} of {stem} holds the signatures without the closing text"
