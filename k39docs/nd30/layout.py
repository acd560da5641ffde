"""Nghị định 30/2020 layout numbers shared by the template builder and the format checker.

One place for the page geometry and the size/style of each component (``nd30-format.md``),
so that what we build and what we check can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAGE", "FONT_NAME", "Component", "COMPONENTS", "MM"]

MM = 36000  # EMU per millimetre
FONT_NAME = "Times New Roman"


@dataclass(frozen=True)
class PageSpec:
    """A4 and the margins we use (all within the decree's ranges), in millimetres."""

    width: float = 210.0
    height: float = 297.0
    top: float = 20.0
    bottom: float = 20.0
    left: float = 30.0
    right: float = 15.0
    # the decree's allowed ranges, for the checker
    top_range: tuple[float, float] = (20.0, 25.0)
    bottom_range: tuple[float, float] = (20.0, 25.0)
    left_range: tuple[float, float] = (30.0, 35.0)
    right_range: tuple[float, float] = (15.0, 20.0)
    header_distance: float = 10.0  # where the page number sits in the top margin
    page_number_size: float = 13.0


PAGE = PageSpec()


@dataclass(frozen=True)
class Component:
    """Size (pt) and style of one layout box. ``size_range`` is what the decree allows."""

    name: str  # English key used by templates (paragraph style name suffix) and the checker
    label: str  # Vietnamese name of the box, for findings
    size: float
    size_range: tuple[float, float]
    bold: bool = False
    italic: bool = False
    align: str = "left"  # "center" in its column or on the page, "justify", or "left"


COMPONENTS: dict[str, Component] = {
    c.name: c
    for c in [
        Component("national_title", "Quốc hiệu", 13, (12, 13), bold=True, align="center"),
        Component("motto", "Tiêu ngữ", 14, (13, 14), bold=True, align="center"),
        Component("parent_agency", "Cơ quan chủ quản", 13, (12, 13), align="center"),
        Component("agency", "Cơ quan ban hành", 13, (12, 13), bold=True, align="center"),
        Component("number", "Số, ký hiệu", 13, (13, 13), align="center"),
        Component("date_line", "Địa danh, ngày tháng", 14, (13, 14), italic=True, align="center"),
        Component("doc_type", "Tên loại văn bản", 14, (13, 14), bold=True, align="center"),
        Component("summary", "Trích yếu", 14, (13, 14), bold=True, align="center"),
        Component("subject", "Trích yếu công văn (V/v)", 12, (12, 13), align="center"),
        Component("addressee", "Kính gửi", 14, (13, 14)),
        Component("basis", "Căn cứ", 14, (13, 14), italic=True, align="justify"),
        Component("body", "Nội dung", 14, (13, 14), align="justify"),
        Component(
            "signer_title", "Quyền hạn, chức vụ người ký", 14, (13, 14), bold=True, align="center"
        ),
        Component("signer_name", "Họ tên người ký", 14, (13, 14), bold=True, align="center"),
        Component("recipients_label", "Nơi nhận", 12, (12, 12), bold=True, italic=True),
        Component("recipients", "Danh sách nơi nhận", 11, (11, 11)),
        Component("annex_label", "Phụ lục", 14, (13, 14), bold=True, align="center"),
        Component("annex_note", "Kèm theo văn bản", 14, (13, 14), italic=True, align="center"),
        Component("table", "Bảng", 11, (11, 13)),
        Component("footer_info", "Địa chỉ, liên hệ", 11, (11, 12), align="center"),
    ]
}

BODY_FIRST_LINE_INDENT_MM = 12.7  # 1.27 cm; the decree allows 1 cm or 1.27 cm
BODY_SPACE_AFTER_PT = 6.0
BODY_LINE_SPACING = 1.15  # between single and 1.5

# Paragraph style names used by the templates, one per component: a clerk who edits a template
# in Word changes a style once and every paragraph of that component follows.
STYLE_NAMES: dict[str, str] = {
    "national_title": "K39 Quốc hiệu",
    "motto": "K39 Tiêu ngữ",
    "parent_agency": "K39 Cơ quan chủ quản",
    "agency": "K39 Cơ quan ban hành",
    "number": "K39 Số ký hiệu",
    "date_line": "K39 Địa danh ngày tháng",
    "doc_type": "K39 Tên loại",
    "summary": "K39 Trích yếu",
    "subject": "K39 Trích yếu công văn",
    "addressee": "K39 Kính gửi",
    "basis": "K39 Căn cứ",
    "body": "K39 Nội dung",
    "signer_title": "K39 Chức vụ người ký",
    "signer_name": "K39 Họ tên người ký",
    "recipients_label": "K39 Nơi nhận",
    "recipients": "K39 Dòng nơi nhận",
    "annex_label": "K39 Phụ lục",
    "annex_note": "K39 Kèm theo",
    "table": "K39 Bảng",
    "footer_info": "K39 Địa chỉ liên hệ",
}

# Rule paragraphs: empty, 1 pt, the bottom border is the line. Their indents are fitted to the
# text above at render time (``k39docs.docx.writer.fit_rules``): the full rule (under Tiêu ngữ) is as
# long as the text, the short one (under the agency name, the trích yếu) a fraction of it.
RULE_FULL = "K39 Gạch dưới dài"
RULE_SHORT = "K39 Gạch dưới ngắn"
RULE_STYLES = (RULE_FULL, RULE_SHORT)
RULE_FRACTION = {RULE_FULL: 1.0, RULE_SHORT: 0.4}  # ND30: Tiêu ngữ = text; ô 2, trích yếu 1/3–1/2

HEADER_LEFT_MM = 65.0  # ô 2/3 column; the right column (≥ 97 mm) holds Quốc hiệu on one line
CELL_MARGIN_MM = 1.9  # Word's and LibreOffice's default left/right cell margin (108 twips)

# What the format checker (``k39docs.nd30.checkformat``) accepts: the decree's ranges, and the
# tolerances that absorb rounding to twips and differences between measured and rendered text.
PAGE_SIZE_TOLERANCE_MM = 1.0
MARGIN_TOLERANCE_MM = 0.2
PAGE_NUMBER_SIZE_RANGE = (13.0, 14.0)
MOTTO_RULE_TOLERANCE_MM = 3.0  # rule under Tiêu ngữ: as long as the text, give or take this
SHORT_RULE_FRACTION = (1 / 3, 1 / 2)  # rules under the agency name and the trích yếu, of the text
SHORT_RULE_TOLERANCE_MM = 1.0
RULE_CENTRE_TOLERANCE_MM = 1.0
SOLID_BORDERS = ("single", "thick")  # "đường kẻ nét liền"
BODY_FIRST_LINE_INDENTS_MM = (10.0, 12.7)  # 1 cm or 1.27 cm
INDENT_TOLERANCE_MM = 0.3
BODY_MIN_PARAGRAPH_GAP_PT = 6.0
BODY_LINE_SPACING_RANGE = (1.0, 1.5)  # single … 1.5 lines
BODY_MIN_EXACT_LINE_PT = 15.0  # "hoặc từ 15pt (exactly line spacing) trở lên"
SINGLE_LINE_EM = 1.15  # height of a single line of Times New Roman, in ems
