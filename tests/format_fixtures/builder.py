"""Build Nghị định 30 documents the ``nd30-format.md`` §6 way with python-docx, correct by
default, so each test can break exactly one thing: a Tờ trình, a Công văn, a Bản cam kết and the
landscape Danh sách annex of a công văn.

Formatting is carried by one paragraph style per component (as our templates do), based on a
Times New Roman ``Normal``; rules are empty 1 pt paragraphs whose bottom border is the line,
with indents fitted to the text above. A ``Recipe`` says what to build, ``mutate`` hooks get the
python-docx ``Document`` just before it is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.styles.style import StyleFactory
from docx.text.paragraph import Paragraph

from k39docs.nd30.fonts import text_width_mm
from k39docs.nd30.layout import COMPONENTS, PAGE

__all__ = ["Recipe", "build", "find_paragraph", "set_run_property"]

TNR = "Times New Roman"
CELL_MARGIN_MM = 108 / 1440 * 25.4  # Word's default left/right cell margin

_CENTRED = {
    "national_title",
    "motto",
    "parent_agency",
    "agency",
    "number",
    "subject",
    "date_line",
    "doc_type",
    "summary",
    "addressee",
    "annex_label",
    "annex_note",
    "signer_title",
    "signer_name",
}


@dataclass(frozen=True)
class Recipe:
    """What to build. Defaults give a correct Tờ trình of Sở Nội vụ."""

    kind: str = "to_trinh"  # to_trinh | cong_van | cam_ket | danh_sach
    margins_mm: tuple[float, float, float, float] = (PAGE.top, PAGE.bottom, PAGE.left, PAGE.right)
    landscape: bool | None = None  # None: landscape only for the danh_sach annex
    title_page: bool = True
    number_on_first_page: bool = False
    parent_agency: str | None = None
    agency_lines: tuple[str, ...] | None = None
    agency_rule: bool = True
    agency_rule_offset_mm: float = 0.0  # shift the agency rule sideways
    motto_rule_mm: float | None = None  # None: as long as the motto
    summary_rule: bool = True
    number: str | None = None
    date_line: str | None = None
    recipients: tuple[str, ...] | None = None
    signer_titles: tuple[str, ...] | None = None
    header_widths_mm: tuple[float, float] | None = None
    # body paragraph overrides: alignment ("both"/"left"), first_line_mm, after_pt, line
    body_style: dict = field(default_factory=dict)
    fonts_in_normal: bool = True  # False: leave Normal to the theme fonts of docDefaults
    annex: bool = False  # append the landscape Danh sách as a second part, in its own section
    annex_restarts_numbering: bool = True
    mutate: tuple[Callable[[DocxDocument], None], ...] = ()


_DEFAULTS = {
    "to_trinh": dict(
        parent_agency="UBND TỈNH QUẢNG NGÃI",
        agency_lines=("SỞ NỘI VỤ",),
        number="Số: 412/TTr-SNV",
        date_line="Quảng Ngãi, ngày 05 tháng 02 năm 2027",
        recipients=("- Như trên;", "- Giám đốc Sở;", "- Lưu: VT, TCBC."),
        signer_titles=("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
    ),
    "cong_van": dict(
        parent_agency=None,
        agency_lines=("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"),
        number="Số: 3512/UBND-NC",
        date_line="Quảng Ngãi, ngày 10 tháng 12 năm 2026",
        recipients=("- Như trên;", "- CT, các PCT UBND tỉnh;", "- Lưu: VT, NC."),
        signer_titles=("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
    ),
    "cam_ket": dict(
        parent_agency=None,
        agency_lines=(),
        number=None,
        date_line="Quảng Ngãi, ngày 03 tháng 12 năm 2026",
        recipients=(),
        signer_titles=("NGƯỜI CAM KẾT",),
    ),
    "danh_sach": dict(
        parent_agency=None,
        agency_lines=("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"),
        number=None,
        date_line=None,
        recipients=(),
        signer_titles=(),
    ),
}


def _value(recipe: Recipe, name: str):
    value = getattr(recipe, name)
    return _DEFAULTS[recipe.kind][name] if value is None else value


# -- low-level XML helpers ------------------------------------------------------------------------
def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


def _set_fonts(rpr, name: str) -> None:
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, _el("w:rFonts", ascii=name, hAnsi=name, cs=name, eastAsia=name))


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _bottom_border(ppr) -> None:
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", val="single", sz=6, space=1, color="auto"))
    ppr.append(bdr)


def set_run_property(paragraph: Paragraph, tag: str, **attrs) -> None:
    """Put ``<w:tag …/>`` into the rPr of every run of ``paragraph`` (direct formatting)."""
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        for old in rpr.findall(qn(f"w:{tag}")):
            rpr.remove(old)
        rpr.append(_el(f"w:{tag}", **attrs))


def find_paragraph(doc: DocxDocument, starts_with: str) -> Paragraph:
    """The first paragraph (body, tables included) whose text starts with ``starts_with``."""
    for p in doc.element.body.iter(qn("w:p")):
        para = Paragraph(p, doc._body)
        if para.text.startswith(starts_with):
            return para
    raise LookupError(starts_with)


def _add_style(doc: DocxDocument, key: str):
    """Add paragraph style ``ND30 <key>`` (python-docx's ``add_style`` scans every name first)."""
    element = doc.styles.element.add_style_of_type(f"ND30 {key}", WD_STYLE_TYPE.PARAGRAPH, False)
    return StyleFactory(element)


# -- styles ---------------------------------------------------------------------------------------
def _make_styles(doc: DocxDocument, recipe: Recipe) -> None:
    normal = doc.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    if recipe.fonts_in_normal:
        _set_fonts(rpr, TNR)
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    for key, comp in COMPONENTS.items():
        style = _add_style(doc, key)
        style.base_style = normal
        style.font.size = Pt(comp.size)
        style.font.bold = comp.bold
        style.font.italic = comp.italic
        fmt = style.paragraph_format
        if key in _CENTRED:
            fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if key in ("body", "basis"):
            body = {"alignment": "both", "first_line_mm": 12.7, "after_pt": 6, "line": 1.15}
            body.update(recipe.body_style)
            fmt.alignment = {
                "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
                "left": WD_ALIGN_PARAGRAPH.LEFT,
            }[body["alignment"]]
            fmt.first_line_indent = Mm(body["first_line_mm"])
            fmt.space_after = Pt(body["after_pt"])
            fmt.line_spacing = body["line"]
        if key == "subject":
            fmt.space_before = Pt(6)
    rule = _add_style(doc, "rule")
    rule.base_style = normal
    rule.font.size = Pt(1)
    page = _add_style(doc, "page_number")
    page.base_style = normal
    page.font.size = Pt(PAGE.page_number_size)
    page.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _style_id(key: str) -> str:
    # python-docx derives the id of an added style from its name without spaces; setting the
    # id directly avoids its slow lookup by name
    return f"ND30{key}"


def _para(container, key: str, *lines: str) -> Paragraph:
    """A paragraph of component ``key``; several lines are joined by line breaks."""
    para = container.add_paragraph()
    para._p.style = _style_id(key)
    for i, line in enumerate(lines):
        run = para.add_run(line)
        if i < len(lines) - 1:
            run.add_break()
    return para


def _first_para(cell, key: str, *lines: str) -> Paragraph:
    """Fill the cell's own first paragraph (a cell always has one) as component ``key``."""
    para = cell.paragraphs[0]
    para._p.style = _style_id(key)
    for i, line in enumerate(lines):
        run = para.add_run(line)
        if i < len(lines) - 1:
            run.add_break()
    return para


def _rule(container, width_mm: float, length_mm: float, offset_mm: float = 0.0) -> Paragraph:
    """An empty paragraph whose bottom border, ``length_mm`` long, is the rule."""
    para = container.add_paragraph()
    para._p.style = _style_id("rule")
    side = (width_mm - length_mm) / 2
    ppr = para._p.get_or_add_pPr()
    _bottom_border(ppr)
    ppr.append(_el("w:ind", left=_twips(side + offset_mm), right=_twips(side - offset_mm)))
    return para


def _widest(lines, key: str) -> float:
    comp = COMPONENTS[key]
    return max(text_width_mm(x, comp.size, bold=comp.bold, italic=comp.italic) for x in lines)


def _table(doc: DocxDocument, rows: int, widths_mm: tuple[float, ...], style: str | None = None):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    if style:
        table.style = doc.styles[style]
    table.autofit = False
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


# -- the document parts ---------------------------------------------------------------------------
def _header(doc: DocxDocument, recipe: Recipe, text_width: float) -> None:
    left_w, right_w = recipe.header_widths_mm or (
        (65.0, text_width - 65.0) if text_width < 200 else (110.0, text_width - 110.0)
    )
    table = _table(doc, 2, (left_w, right_w))
    left, right = table.cell(0, 0), table.cell(0, 1)
    left_in, right_in = left_w - 2 * CELL_MARGIN_MM, right_w - 2 * CELL_MARGIN_MM

    agency = _value(recipe, "agency_lines")
    parent = _value(recipe, "parent_agency")
    if agency:
        if parent:
            _first_para(left, "parent_agency", parent)
            _para(left, "agency", *agency)
        else:
            _first_para(left, "agency", *agency)
        if recipe.agency_rule:
            _rule(left, left_in, 0.4 * _widest(agency, "agency"), recipe.agency_rule_offset_mm)

    _first_para(right, "national_title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = "Độc lập - Tự do - Hạnh phúc"
    _para(right, "motto", motto)
    _rule(right, right_in, recipe.motto_rule_mm or _widest([motto], "motto"))

    number = _value(recipe, "number")
    if number:
        _first_para(table.cell(1, 0), "number", number)
    if recipe.kind == "cong_van":
        _para(table.cell(1, 0), "subject", "V/v cử cán bộ tham gia khóa", "bồi dưỡng ở nước ngoài")
    date_line = _value(recipe, "date_line")
    if date_line and recipe.kind != "cam_ket":
        _first_para(table.cell(1, 1), "date_line", date_line)


def _title_block(doc: DocxDocument, recipe: Recipe, text_width: float) -> None:
    if recipe.kind == "cong_van":
        return
    if recipe.kind == "danh_sach":
        _para(doc, "doc_type", "DANH SÁCH")
        _para(doc, "doc_type", "CÁN BỘ ĐƯỢC CỬ ĐI BỒI DƯỠNG Ở NƯỚC NGOÀI")
        _para(
            doc,
            "annex_note",
            "(Kèm theo Công văn số 3512/UBND-NC ngày 10 tháng 12 năm 2026 "
            "của Ủy ban nhân dân tỉnh Quảng Ngãi)",
        )
        return
    if recipe.kind == "cam_ket":
        _para(doc, "doc_type", "BẢN CAM KẾT")
        return
    _para(doc, "doc_type", "TỜ TRÌNH")
    summary = "Về việc cử cán bộ đi bồi dưỡng ở nước ngoài"
    _para(doc, "summary", summary)
    if recipe.summary_rule:
        _rule(doc, text_width, 0.4 * _widest([summary], "summary"))


def _content(doc: DocxDocument, recipe: Recipe) -> None:
    if recipe.kind == "danh_sach":
        header = ("STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Đơn vị", "Khóa bồi dưỡng", "Ghi chú")
        rows = [
            ("1", "Nguyễn Văn An", "05/02/1985", "Trưởng phòng", "Sở Nội vụ", "Quản lý công", ""),
            ("2", "Trần Thị Bình", "29/06/1988", "Chuyên viên", "Sở Tài chính", "Tài chính", ""),
        ]
        table = _table(doc, 1 + len(rows), (12, 50, 28, 35, 40, 55, 30), style="Table Grid")
        for r, values in enumerate([header, *rows]):
            for c, value in enumerate(values):
                para = table.cell(r, c).paragraphs[0]
                para._p.style = _style_id("table")
                run = para.add_run(value)
                run.bold = r == 0
        return
    if recipe.kind == "cong_van":
        _para(doc, "addressee", "Kính gửi:")
        _para(doc, "addressee", "- Sở Nội vụ;")
        _para(doc, "addressee", "- Sở Tài chính.")
    elif recipe.kind == "cam_ket":
        _para(doc, "addressee", "Kính gửi: Sở Nội vụ tỉnh Quảng Ngãi")
    else:
        _para(doc, "addressee", "Kính gửi: Ủy ban nhân dân tỉnh Quảng Ngãi")
        _para(
            doc,
            "basis",
            "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ "
            "về công tác văn thư;",
        )
        _para(
            doc, "basis", "Căn cứ Kết luận số 39-KL/TW ngày 02 tháng 8 năm 2022 của Bộ Chính trị."
        )
    _para(
        doc,
        "body",
        "Theo đề nghị của các cơ quan, đơn vị, Sở Nội vụ đã tổng hợp danh sách cán bộ đủ điều "
        "kiện được cử đi bồi dưỡng ở nước ngoài năm 2027, cụ thể như sau:",
    )
    heading = _para(doc, "body", "1. Đối tượng và tiêu chuẩn")
    heading.runs[0].bold = True
    _para(
        doc,
        "body",
        "Cán bộ, công chức lãnh đạo, quản lý đáp ứng đủ tiêu chuẩn theo Kết luận số 39-KL/TW, "
        "có đủ sức khỏe và trình độ ngoại ngữ theo yêu cầu của khóa bồi dưỡng.",
    )
    _para(
        doc,
        "body",
        "Kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./.",
    )


def _signature(doc: DocxDocument, recipe: Recipe, text_width: float) -> None:
    if recipe.kind == "danh_sach":
        return
    table = _table(doc, 1, (text_width * 0.45, text_width * 0.55))
    left, right = table.cell(0, 0), table.cell(0, 1)
    if recipe.kind == "cam_ket":
        _first_para(left, "signer_title", "XÁC NHẬN CỦA CƠ QUAN, ĐƠN VỊ")
        _first_para(right, "date_line", _value(recipe, "date_line"))
        for title in _value(recipe, "signer_titles"):
            _para(right, "signer_title", title)
        note = _para(right, "signer_name", "(Ký và ghi rõ họ tên)")
        note.runs[0].bold = False
        note.runs[0].italic = True
    else:
        label = _first_para(left, "recipients_label", "Nơi nhận:")
        label.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        for line in _value(recipe, "recipients"):
            _para(left, "recipients", line)
        titles = _value(recipe, "signer_titles")
        _first_para(right, "signer_title", titles[0])
        for title in titles[1:]:
            _para(right, "signer_title", title)
    for _ in range(3):
        _para(right, "signer_name")
    _para(right, "signer_name", "Nguyễn Văn An")


def _page_numbers(doc: DocxDocument, recipe: Recipe) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = recipe.title_page
    section.header_distance = Mm(PAGE.header_distance)

    def page_field(paragraph: Paragraph) -> None:
        paragraph._p.style = _style_id("page_number")
        pieces = (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None))
        for kind, text in pieces:
            run = paragraph.add_run()
            if kind:
                run._r.append(_el("w:fldChar", fldCharType=kind))
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text

    page_field(section.header.paragraphs[0])
    if recipe.title_page:
        first = section.first_page_header
        first.is_linked_to_previous = False
        if recipe.number_on_first_page:
            page_field(first.paragraphs[0])


def _annex(doc: DocxDocument, recipe: Recipe) -> None:
    """The Danh sách annex after a section break: landscape, numbered from 1 again."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(PAGE.height), Mm(PAGE.width)
    sect_pr = section._sectPr
    for old in sect_pr.findall(qn("w:pgNumType")):
        sect_pr.remove(old)
    if recipe.annex_restarts_numbering:
        cols = sect_pr.find(qn("w:cols"))
        numbering = _el("w:pgNumType", start=1)
        if cols is not None:
            cols.addprevious(numbering)
        else:
            sect_pr.append(numbering)
    annex = Recipe(kind="danh_sach", margins_mm=recipe.margins_mm)
    _top, _bottom, left, right = recipe.margins_mm
    text_width = PAGE.height - left - right
    _header(doc, annex, text_width)
    _title_block(doc, annex, text_width)
    _content(doc, annex)


def build(path: Path, recipe: Recipe = Recipe()) -> Path:
    """Write the document described by ``recipe`` to ``path`` and return the path."""
    doc = Document()
    _make_styles(doc, recipe)
    # python-docx's template starts with no paragraph in the body; keep it that way so the
    # header table is the first body element
    section = doc.sections[0]
    landscape = recipe.kind == "danh_sach" if recipe.landscape is None else recipe.landscape
    width, height = (PAGE.height, PAGE.width) if landscape else (PAGE.width, PAGE.height)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    top, bottom, left, right = recipe.margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    text_width = width - left - right

    _header(doc, recipe, text_width)
    _title_block(doc, recipe, text_width)
    _content(doc, recipe)
    _signature(doc, recipe, text_width)
    _page_numbers(doc, recipe)
    if recipe.annex:
        _annex(doc, recipe)
    for hook in recipe.mutate:
        hook(doc)
    doc.save(str(path))
    return path
