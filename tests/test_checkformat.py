"""The ND30 format checker on documents built with python-docx: correct ones give no finding,
each broken one gives the line a clerk needs to fix it."""

from __future__ import annotations

import unicodedata
from dataclasses import FrozenInstanceError

import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from format_fixtures import Recipe, build, find_paragraph, set_run_property
from format_fixtures.builder import _el

from k39docs.errors import K39Error
from k39docs.nd30.checkformat import DocxReadError, Finding, check_docx, check_files

_CORRECT = Recipe()  # a document as ND30 wants it (frozen: one shared default is safe)


def findings(tmp_path, recipe: Recipe = _CORRECT, name: str = "van-ban.docx") -> list[tuple]:
    path = build(tmp_path / name, recipe)
    return [(f.component, f.expected, f.found) for f in check_docx(path)]


def only(found: list[tuple]) -> tuple:
    assert len(found) == 1, "\n".join(" | ".join(f) for f in found)
    return found[0]


# -- correct documents ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["to_trinh", "cong_van", "cam_ket", "danh_sach"])
def test_documents_built_the_nd30_way_have_no_finding(tmp_path, kind):
    assert findings(tmp_path, Recipe(kind=kind)) == []


def test_commitment_without_agency_is_not_asked_for_agency_number_or_recipients(tmp_path):
    found = findings(tmp_path, Recipe(kind="cam_ket"))
    assert not [f for f in found if f[0].startswith(("Cơ quan", "Số", "Nơi nhận", "Danh sách"))]


def test_fonts_set_only_in_document_defaults_are_resolved(tmp_path):
    def tnr_in_doc_defaults(doc):
        defaults = doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        rpr.remove(rpr.find(qn("w:rFonts")))
        name = "Times New Roman"
        rpr.insert(0, _el("w:rFonts", ascii=name, hAnsi=name, cs=name))

    assert findings(tmp_path, Recipe(fonts_in_normal=False, mutate=(tnr_in_doc_defaults,))) == []


# -- the finding itself ---------------------------------------------------------------------------
def test_finding_prints_file_component_expected_found(tmp_path):
    path = build(tmp_path / "to-trinh.docx", Recipe(margins_mm=(20, 20, 25, 15)))
    assert [str(f) for f in check_docx(path)] == [
        f"{path}: Lề trái: expected 30–35 mm, found 25 mm"
    ]


def test_finding_is_a_frozen_value():
    finding = Finding("a.docx", "Lề trái", "30–35 mm", "25 mm")
    with pytest.raises(FrozenInstanceError):
        finding.found = "30 mm"  # type: ignore[misc]
    assert finding == Finding("a.docx", "Lề trái", "30–35 mm", "25 mm")


def test_check_files_reports_each_file_under_its_name(tmp_path):
    good = build(tmp_path / "dung.docx", Recipe())
    bad = build(tmp_path / "sai.docx", Recipe(margins_mm=(15, 20, 30, 15)))
    assert [(f.file, f.component, f.found) for f in check_files([good, bad])] == [
        (str(bad), "Lề trên", "15 mm")
    ]


def test_a_file_that_is_not_a_docx_is_an_error_not_a_finding(tmp_path):
    path = tmp_path / "khong-phai.docx"
    path.write_text("xin chào", encoding="utf-8")
    with pytest.raises(DocxReadError) as err:
        check_docx(path)
    assert isinstance(err.value, K39Error)
    assert str(path) in str(err.value)
    with pytest.raises(DocxReadError):
        check_docx(tmp_path / "khong-co.docx")


# -- page -----------------------------------------------------------------------------------------
def test_margin_outside_the_decree_range_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(margins_mm=(20, 20, 25, 15)))) == (
        "Lề trái",
        "30–35 mm",
        "25 mm",
    )


def test_right_margin_too_narrow_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(margins_mm=(20, 20, 30, 12)))) == (
        "Lề phải",
        "15–20 mm",
        "12 mm",
    )


def test_landscape_text_document_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(landscape=True, header_widths_mm=(100, 152)))) == (
        "Hướng trang",
        "khổ dọc (khổ ngang chỉ cho văn bản, phụ lục chủ yếu là bảng)",
        "khổ ngang",
    )


def test_landscape_annex_that_is_mainly_a_table_is_accepted(tmp_path):
    assert findings(tmp_path, Recipe(kind="danh_sach", landscape=True)) == []


def test_annex_in_its_own_landscape_section_is_a_second_part(tmp_path):
    assert findings(tmp_path, Recipe(annex=True)) == []


def test_annex_continuing_the_page_numbers_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(annex=True, annex_restarts_numbering=False))) == (
        "Số trang (phần trang 2)",
        "phụ lục đánh số trang riêng, bắt đầu từ 1",
        "đánh số tiếp theo văn bản trước",
    )


def test_text_above_the_header_table_is_not_taken_for_a_component(tmp_path):
    def form_number(doc):
        p = _el("w:p")
        run = _el("w:r")
        text = _el("w:t")
        text.text = "Mẫu số 01"
        run.append(text)
        p.append(run)
        doc.element.body.insert(0, p)

    assert findings(tmp_path, Recipe(mutate=(form_number,))) == []


# -- page numbers ---------------------------------------------------------------------------------
def test_page_number_shown_on_page_one_without_title_page_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(title_page=False))) == (
        "Số trang",
        "không hiển thị số trang ở trang 1 (titlePg, đầu trang trang 1 để trống)",
        "trang 1 có số trang (thiếu titlePg)",
    )


def test_page_field_in_the_first_page_header_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(number_on_first_page=True))) == (
        "Số trang",
        "không hiển thị số trang ở trang 1",
        "đầu trang của trang 1 có trường PAGE",
    )


def test_missing_page_number_is_reported(tmp_path):
    def drop_page_field(doc):
        header = doc.sections[0].header.paragraphs[0]
        for r in list(header._p.iter(qn("w:r"))):
            r.getparent().remove(r)

    assert only(findings(tmp_path, Recipe(mutate=(drop_page_field,)))) == (
        "Số trang",
        "số trang (trường PAGE) căn giữa ở đầu trang",
        "không có số trang",
    )


# -- fonts and colour -----------------------------------------------------------------------------
def test_arial_run_in_the_body_is_reported(tmp_path):
    def arial(doc):
        find_paragraph(doc, "Theo đề nghị").runs[0].font.name = "Arial"

    assert only(findings(tmp_path, Recipe(mutate=(arial,)))) == (
        "Nội dung “Theo đề nghị của các cơ quan, đơn vị, S…”",
        "phông Times New Roman",
        "phông Arial (ascii, hAnsi)",
    )


def test_font_from_a_character_style_based_on_another_is_resolved(tmp_path):
    def arial_style(doc):
        base = doc.styles.add_style("Nhấn mạnh gốc", WD_STYLE_TYPE.CHARACTER)
        base.element.get_or_add_rPr().append(
            _el("w:rFonts", ascii="Arial", hAnsi="Arial", cs="Arial")
        )
        derived = doc.styles.add_style("Nhấn mạnh", WD_STYLE_TYPE.CHARACTER)
        derived.base_style = base
        find_paragraph(doc, "Kính trình").runs[0].style = derived

    assert only(findings(tmp_path, Recipe(mutate=(arial_style,)))) == (
        "Nội dung “Kính trình Ủy ban nhân dân tỉnh xem xét…”",
        "phông Times New Roman",
        "phông Arial",
    )


def test_theme_fonts_left_in_place_are_reported_once_for_the_document(tmp_path):
    component, expected, found = only(findings(tmp_path, Recipe(fonts_in_normal=False)))
    assert component.startswith("Phông chữ của ")
    assert expected == "phông Times New Roman"
    assert found.startswith("phông Cambria (ascii, hAnsi)")


def test_coloured_text_is_reported(tmp_path):
    def red(doc):
        set_run_property(find_paragraph(doc, "Cán bộ, công chức"), "color", val="FF0000")

    assert only(findings(tmp_path, Recipe(mutate=(red,)))) == (
        "Nội dung “Cán bộ, công chức lãnh đạo, quản lý đáp…”",
        "màu đen",
        "màu #FF0000",
    )


def test_decomposed_unicode_is_reported(tmp_path):
    def nfd(doc):
        run = find_paragraph(doc, "Cán bộ, công chức").runs[0]
        run.text = unicodedata.normalize("NFD", run.text)

    assert only(findings(tmp_path, Recipe(mutate=(nfd,)))) == (
        "Nội dung “Cán bộ, công chức lãnh đạo, quản lý đáp…”",
        "chữ Unicode dựng sẵn (NFC)",
        "chữ tổ hợp (NFD)",
    )


# -- size and style of components -----------------------------------------------------------------
def test_national_title_not_bold_is_reported(tmp_path):
    def not_bold(doc):
        set_run_property(find_paragraph(doc, "CỘNG HÒA"), "b", val=0)

    assert only(findings(tmp_path, Recipe(mutate=(not_bold,)))) == (
        "Quốc hiệu",
        "chữ đậm, đứng",
        "chữ không đậm, đứng",
    )


def test_recipients_label_not_bold_italic_12pt_is_reported(tmp_path):
    def plain_13(doc):
        label = find_paragraph(doc, "Nơi nhận")
        set_run_property(label, "sz", val=26)
        set_run_property(label, "i", val=0)

    assert findings(tmp_path, Recipe(mutate=(plain_13,))) == [
        ("Nơi nhận", "cỡ chữ 12 pt", "13 pt"),
        ("Nơi nhận", "chữ đậm, nghiêng", "chữ đậm, đứng"),
    ]


def test_national_title_spelt_hoa_is_reported(tmp_path):
    def old_spelling(doc):
        find_paragraph(doc, "CỘNG HÒA").runs[0].text = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"

    assert only(findings(tmp_path, Recipe(mutate=(old_spelling,)))) == (
        "Quốc hiệu",
        "“CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM”",
        "“CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM”",
    )


def test_national_title_that_does_not_fit_its_column_is_reported(tmp_path):
    found = findings(tmp_path, Recipe(header_widths_mm=(85, 80)))
    assert found[0] == (
        "Quốc hiệu",
        "mỗi dòng nằm gọn trên một dòng (cần 95,7 mm)",
        "cột chỉ rộng 76,2 mm, chữ bị xuống dòng",
    )


def test_whole_body_paragraph_in_bold_is_reported_but_a_bold_heading_is_not(tmp_path):
    def bold(doc):
        for run in find_paragraph(doc, "Cán bộ, công chức").runs:
            run.bold = True

    assert only(findings(tmp_path, Recipe(mutate=(bold,)))) == (
        "Nội dung “Cán bộ, công chức lãnh đạo, quản lý đáp…”",
        "chữ không đậm",
        "cả đoạn in đậm",
    )


def test_signing_authority_written_with_a_slash_is_reported(tmp_path):
    def slash(doc):
        find_paragraph(doc, "KT. GIÁM ĐỐC").runs[0].text = "K/T GIÁM ĐỐC"

    assert only(findings(tmp_path, Recipe(mutate=(slash,)))) == (
        "Quyền hạn, chức vụ người ký “K/T GIÁM ĐỐC”",
        "“KT.” (viết tắt có dấu chấm, không gạch chéo)",
        "“K/T GIÁM ĐỐC”",
    )


def test_signature_table_with_borders_is_reported(tmp_path):
    def grid(doc):
        doc.tables[-1].style = doc.styles["Table Grid"]

    assert only(findings(tmp_path, Recipe(mutate=(grid,)))) == (
        "Bảng chữ ký",
        "bảng không viền",
        "bảng có đường viền",
    )


# -- rules under the header lines -----------------------------------------------------------------
def test_motto_rule_longer_than_the_motto_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(motto_rule_mm=80))) == (
        "Đường kẻ dưới Tiêu ngữ",
        "đường kẻ liền dài bằng dòng chữ (60,5 mm ± 3 mm)",
        "dài 80 mm",
    )


def test_missing_agency_rule_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(agency_rule=False))) == (
        "Đường kẻ dưới tên cơ quan ban hành",
        "đường kẻ liền dài 1/3–1/2 dòng chữ (7,9 mm–11,8 mm)",
        "không có đường kẻ",
    )


def test_agency_rule_measured_against_the_longest_line_of_a_wrapped_name(tmp_path):
    # ỦY BAN NHÂN DÂN / TỈNH QUẢNG NGÃI: 43,2 mm at 13 pt bold, so 14,4–21,6 mm
    assert findings(tmp_path, Recipe(kind="cong_van")) == []
    assert only(findings(tmp_path, Recipe(kind="cong_van", agency_rule=False))) == (
        "Đường kẻ dưới tên cơ quan ban hành",
        "đường kẻ liền dài 1/3–1/2 dòng chữ (14,4 mm–21,6 mm)",
        "không có đường kẻ",
    )


def test_agency_rule_off_centre_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(agency_rule_offset_mm=5))) == (
        "Đường kẻ dưới tên cơ quan ban hành",
        "đường kẻ cân giữa dưới dòng chữ",
        "lệch 5 mm",
    )


def test_missing_summary_rule_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(summary_rule=False))) == (
        "Đường kẻ dưới trích yếu",
        "đường kẻ liền dài 1/3–1/2 dòng chữ (31,1 mm–46,7 mm)",
        "không có đường kẻ",
    )


# -- body paragraphs ------------------------------------------------------------------------------
def test_body_not_justified_is_reported_once_for_all_its_paragraphs(tmp_path):
    assert only(findings(tmp_path, Recipe(body_style={"alignment": "left"}))) == (
        "Nội dung “Theo đề nghị của các cơ quan, đơn vị, S…” và 2 đoạn khác",
        "căn đều hai bên",
        "căn trái",
    )


def test_body_without_first_line_indent_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(body_style={"first_line_mm": 0}))) == (
        "Nội dung “Theo đề nghị của các cơ quan, đơn vị, S…” và 2 đoạn khác",
        "thụt lề dòng đầu 1 cm hoặc 1,27 cm",
        "0 cm",
    )


def test_first_line_indent_of_one_centimetre_is_accepted(tmp_path):
    assert findings(tmp_path, Recipe(body_style={"first_line_mm": 10})) == []


def test_paragraphs_closer_than_6pt_are_reported(tmp_path):
    found = findings(tmp_path, Recipe(body_style={"after_pt": 3}))
    assert (
        "Nội dung “Theo đề nghị của các cơ quan, đơn vị, S…” và 2 đoạn khác",
        "khoảng cách giữa các đoạn tối thiểu 6 pt",
        "3 pt",
    ) in found


def test_double_line_spacing_is_reported(tmp_path):
    found = findings(tmp_path, Recipe(body_style={"line": 2.0}))
    assert (
        "Nội dung “Theo đề nghị của các cơ quan, đơn vị, S…” và 3 đoạn khác",
        "giãn dòng từ 1 dòng (single) đến 1,5 dòng, hoặc chính xác từ 15 pt",
        "2 dòng",
    ) in found


# -- dates, numbers, Nơi nhận ---------------------------------------------------------------------
def test_month_three_written_with_a_zero_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(date_line="Quảng Ngãi, ngày 05 tháng 03 năm 2027"))) == (
        "Địa danh, ngày tháng",
        "tháng 3 (chỉ tháng 1, 2 ghi thêm số 0)",
        "tháng 03",
    )


def test_day_five_without_its_zero_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(date_line="Quảng Ngãi, ngày 5 tháng 3 năm 2027"))) == (
        "Địa danh, ngày tháng",
        "ngày 05 (chỉ ngày 1–9 ghi thêm số 0)",
        "ngày 5",
    )


def test_month_one_without_its_zero_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(date_line="Quảng Ngãi, ngày 15 tháng 1 năm 2027"))) == (
        "Địa danh, ngày tháng",
        "tháng 01 (chỉ tháng 1, 2 ghi thêm số 0)",
        "tháng 1",
    )


def test_date_line_left_blank_for_handwriting_is_accepted(tmp_path):
    assert findings(tmp_path, Recipe(date_line="Quảng Ngãi, ngày … tháng … năm 2027")) == []


def test_document_number_below_ten_without_its_zero_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(number="Số: 5/TTr-SNV"))) == (
        "Số, ký hiệu",
        "Số: 05/… (số nhỏ hơn 10 ghi thêm số 0 phía trước)",
        "Số: 5/…",
    )


def test_missing_luu_line_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(recipients=("- Như trên;", "- Giám đốc Sở.")))) == (
        "Danh sách nơi nhận",
        "dòng cuối “- Lưu: …”",
        "không có dòng Lưu",
    )


def test_luu_line_that_is_not_last_is_reported(tmp_path):
    recipe = Recipe(recipients=("- Như trên;", "- Lưu: VT;", "- Giám đốc Sở."))
    assert only(findings(tmp_path, recipe)) == (
        "Danh sách nơi nhận",
        "dòng cuối “- Lưu: …”",
        "dòng cuối “- Giám đốc Sở.”",
    )


def test_recipient_line_without_semicolon_is_reported(tmp_path):
    assert only(findings(tmp_path, Recipe(recipients=("- Như trên", "- Lưu: VT, TCBC.")))) == (
        "Danh sách nơi nhận “- Như trên”",
        "dòng kết thúc bằng “;”",
        "kết thúc bằng “n”",
    )
