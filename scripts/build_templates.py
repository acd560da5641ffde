"""Build the DOCX templates in ``templates/`` (docxtpl + Jinja tags where data goes).

The templates are ordinary .docx files a clerk can open and edit in Word or LibreOffice; this
script is their source, so layout changes are reviewable and reproducible:

    python scripts/build_templates.py          # rewrites templates/*.docx

Every component uses a named paragraph style ("K39 Body", "K39 Quốc hiệu" …) whose size and
weight come from ``k39docs.nd30.layout``: edit a style once in Word and every paragraph follows.
"""

from __future__ import annotations

import io
import posixpath
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from k39docs.nd30.fonts import text_width_mm  # noqa: E402
from k39docs.nd30.layout import (  # noqa: E402
    BODY_FIRST_LINE_INDENT_MM,
    BODY_LINE_SPACING,
    BODY_SPACE_AFTER_PT,
    COMPONENTS,
    FONT_NAME,
    HEADER_LEFT_MM,
    PAGE,
    RULE_FULL,
    RULE_SHORT,
    RULE_STYLES,
    STYLE_NAMES,
)

PAGE_NUMBER_STYLE = "K39 Số trang"
# several recipients: "Kính gửi:" starts this far in from the left margin, the recipients' "- "
# stand one under the other after it (ND30 ô 9a)
ADDRESSEE_LABEL_MM = 20.0
ADDRESSEE_LABEL = "Kính gửi:"

CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
LEFT = WD_ALIGN_PARAGRAPH.LEFT


# --- document and styles ----------------------------------------------------------------------


def _set_fonts(rpr, size: float | None = None) -> None:
    """Name Times New Roman for every script slot (Word picks eastAsia/cs for some characters)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT_NAME)
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            el = rpr.find(qn(tag))
            if el is None:
                el = OxmlElement(tag)
                rpr.append(el)
            el.set(qn("w:val"), str(round(size * 2)))


def new_document(*, landscape: bool = False) -> Document:
    doc = Document()
    # document defaults: TNR black, no paragraph spacing
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_run = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(default_run, 14)
    # the document's language: LibreOffice writes it as the PDF's /Lang (python-docx's default
    # template says en-US)
    default_lang = default_run.find(qn("w:lang"))
    if default_lang is None:
        default_lang = OxmlElement("w:lang")
        default_run.append(default_lang)
    default_lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(14)
    normal.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(normal.element.get_or_add_rPr(), 14)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    normal.element.get_or_add_rPr().append(lang)
    _define_styles(doc)

    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(PAGE.height), Mm(PAGE.width)
    else:
        section.page_width, section.page_height = Mm(PAGE.width), Mm(PAGE.height)
    section.top_margin = Mm(PAGE.top)
    section.bottom_margin = Mm(PAGE.bottom)
    section.left_margin = Mm(PAGE.left)
    section.right_margin = Mm(PAGE.right)
    section.header_distance = Mm(PAGE.header_distance)
    section.footer_distance = Mm(PAGE.header_distance)
    _page_numbers(doc, section)
    # python-docx's default template starts with one empty paragraph: drop it
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    return doc


def _style(doc, name: str, *, size: float, bold=False, italic=False, align=None, base="Normal"):
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.name = FONT_NAME
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element.get_or_add_rPr(), size)
    if align is not None:
        style.paragraph_format.alignment = align
    return style


def _define_styles(doc) -> None:
    aligned = {"center": CENTER, "justify": JUSTIFY, "left": LEFT}
    for key, comp in COMPONENTS.items():
        style = _style(
            doc,
            STYLE_NAMES[key],
            size=comp.size,
            bold=comp.bold,
            italic=comp.italic,
            align=aligned[comp.align],
        )
        pf = style.paragraph_format
        if key in ("body", "basis"):
            pf.first_line_indent = Mm(BODY_FIRST_LINE_INDENT_MM)
            pf.space_after = Pt(BODY_SPACE_AFTER_PT)
            pf.line_spacing = BODY_LINE_SPACING
            pf.widow_control = True
        if key == "doc_type":
            pf.space_before = Pt(18)
            pf.keep_with_next = True
        if key in ("summary", "annex_note"):
            pf.keep_with_next = True
        if key == "addressee":
            pf.space_before = Pt(6)
            pf.space_after = Pt(6)
        if key == "subject":
            pf.space_before = Pt(6)
        if key == "recipients_label":
            pf.space_before = Pt(6)
        if key in ("signer_title",):
            pf.keep_with_next = True
        if key == "table":
            pf.alignment = LEFT
    # rules: empty 1-pt paragraphs whose bottom border is the line (length fitted at render)
    for name in RULE_STYLES:
        style = _style(doc, name, size=1, align=CENTER)
        pf = style.paragraph_format
        pf.line_spacing = 1.0
        pf.keep_with_next = True
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
            bottom.set(qn(f"w:{k}"), v)
        border.append(bottom)
        style.element.get_or_add_pPr().append(border)
    # table cells: centred variant for headers
    _style(
        doc,
        STYLE_NAMES["table"] + " Center",
        size=COMPONENTS["table"].size,
        align=CENTER,
        base=STYLE_NAMES["table"],
    )
    _style(
        doc,
        STYLE_NAMES["table"] + " Head",
        size=COMPONENTS["table"].size,
        bold=True,
        align=CENTER,
        base=STYLE_NAMES["table"],
    )
    _style(doc, PAGE_NUMBER_STYLE, size=PAGE.page_number_size, align=CENTER)


def _page_numbers(doc, section) -> None:
    """ND30: number in the top margin, centred, never on page 1 (titlePg + empty first header)."""
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.style = doc.styles[PAGE_NUMBER_STYLE]
    _field(p.add_run(), "PAGE")


def _field(run, instr: str) -> None:
    for kind, text in (
        ("begin", None),
        ("instr", f" {instr} "),
        ("separate", None),
        ("text", "2"),
        ("end", None),
    ):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


# --- building blocks --------------------------------------------------------------------------


def style_name(key: str) -> str:
    """ "body" → "K39 Nội dung"; "table Head" → "K39 Bảng Head" (a variant of a component)."""
    if key in STYLE_NAMES:
        return STYLE_NAMES[key]
    base, _, variant = key.partition(" ")
    if base in STYLE_NAMES and variant:
        return f"{STYLE_NAMES[base]} {variant}"
    return key


def para(
    container,
    text: str = "",
    style: str = "body",
    *,
    align=None,
    runs=None,
    keep_next=False,
    space_before=None,
    space_after=None,
    indent_first=None,
):
    """A paragraph in a named component style. ``runs`` = [(text, {"bold": …})] for mixed runs."""
    p = container.add_paragraph(style=style_name(style))
    if runs is None:
        runs = [(text, {})] if text else []
    for chunk, fmt in runs:
        run = p.add_run(chunk)
        if fmt.get("bold") is not None:
            run.bold = fmt["bold"]
        if fmt.get("italic") is not None:
            run.italic = fmt["italic"]
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    if keep_next:
        pf.keep_with_next = True
    if space_before is not None:
        pf.space_before = Pt(space_before)
    if space_after is not None:
        pf.space_after = Pt(space_after)
    if indent_first is not None:
        pf.first_line_indent = Mm(indent_first)
    return p


def addressee_item(container, text: str, *, first: bool):
    """One recipient of a multi-line Kính gửi. The first shares its line with "Kính gửi:" (a
    hanging indent and a tab stop put its "- " just after the label); the others start at that
    same tab stop, so the dashes stand in one column; a long name wraps under its own text."""
    label = text_width_mm(ADDRESSEE_LABEL + " ", COMPONENTS["addressee"].size) + 1.0
    tab_at = ADDRESSEE_LABEL_MM + label
    if first:
        p = para(
            container,
            "",
            "addressee",
            align=LEFT,
            space_before=0,
            space_after=0,
            runs=[(ADDRESSEE_LABEL, {})],
        )
        p.add_run().add_tab()
        p.add_run(text)
        p.paragraph_format.first_line_indent = Mm(-label)
    else:
        p = para(container, text, "addressee", align=LEFT, space_before=0, space_after=0)
    p.paragraph_format.left_indent = Mm(tab_at)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(tab_at))
    return p


def addressee_block(doc, names: str):
    """ND30 ô 9a: "Kính gửi: X." on one line, centred; several recipients each on a line of its
    own, "- X;" … "- Y.", the first after "Kính gửi:" and the others aligned under it
    (``names`` is the context list), with a blank line after the list."""
    tag(doc, f"{{%p if {names}|length == 1 %}}")
    para(doc, f"{ADDRESSEE_LABEL} {{{{ {names}[0] }}}}.", "addressee", align=CENTER)
    tag(doc, "{%p else %}")
    blank_line(doc)
    addressee_item(doc, f"- {{{{ {names}[0] }}}};", first=True)
    tag(doc, f"{{%p for r in {names}[1:] %}}")
    addressee_item(doc, "- {{ r }}{{ ';' if not loop.last else '.' }}", first=False)
    tag(doc, "{%p endfor %}")
    blank_line(doc)
    tag(doc, "{%p endif %}")


def blank_line(container):
    """An empty line, as clerks leave between a list of recipients and the text."""
    return para(container, "", "addressee", space_before=0, space_after=0)


def tag(container, statement: str):
    """A paragraph holding only a docxtpl paragraph tag ({%p … %}); it disappears when rendered."""
    return container.add_paragraph(statement, style=STYLE_NAMES["body"])


def rule(container, kind: str = "short"):
    return container.add_paragraph(style=RULE_FULL if kind == "full" else RULE_SHORT)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _fixed_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(int(sum(widths_mm) * 1440 / 25.4)))
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(int(w * 1440 / 25.4)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def _cell(table, row: int, col: int):
    cell = table.cell(row, col)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    # a new cell holds one empty paragraph; reuse it for the first paragraph we add
    return _CellWriter(cell)


class _CellWriter:
    """Adds paragraphs to a cell, filling the cell's initial empty paragraph first."""

    def __init__(self, cell):
        self.cell = cell
        self.fresh = True

    def add_paragraph(self, text: str = "", style=None):
        if self.fresh:
            self.fresh = False
            p = self.cell.paragraphs[0]
            if style is not None:
                p.style = style
            if text:
                p.add_run(text)
            return p
        return self.cell.add_paragraph(text, style=style)


def text_width(landscape: bool) -> float:
    width = PAGE.height if landscape else PAGE.width
    return width - PAGE.left - PAGE.right


def agency_header(doc, *, landscape=False, number=True, subject=False, date_line=True):
    """ND30 ô 1–5b: two columns; ô 3 (Số) and ô 4 (date) share the second row's baseline."""
    total = text_width(landscape)
    widths = [HEADER_LEFT_MM, total - HEADER_LEFT_MM]
    rows = 2 if (number or date_line) else 1
    table = doc.add_table(rows=rows, cols=2)
    _no_borders(table)
    _fixed_widths(table, widths)
    left = _cell(table, 0, 0)
    tag(left, "{%p if header.parent %}")
    para(left, "{{ header.parent }}", "parent_agency")
    tag(left, "{%p endif %}")
    tag(left, "{%p for line in header.agency_lines %}")
    para(left, "{{ line }}", "agency")
    tag(left, "{%p endfor %}")
    rule(left, "short")
    right = _cell(table, 0, 1)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "national_title")
    para(right, "Độc lập - Tự do - Hạnh phúc", "motto")
    rule(right, "full")
    if rows == 2:
        left2 = _cell(table, 1, 0)
        if number:
            para(left2, "{{ header.number }}", "number", space_before=6)
        if subject:
            tag(left2, "{%p for line in header.subject_lines %}")
            para(left2, "{{ line }}", "subject", space_before=0)
            tag(left2, "{%p endfor %}")
        right2 = _cell(table, 1, 1)
        if date_line:
            para(right2, "{{ header.date_line }}", "date_line", space_before=6)
    return table


def national_header(doc, *, landscape=False):
    """Quốc hiệu and Tiêu ngữ centred over the page, for documents a person signs (cam kết …)."""
    table = doc.add_table(rows=1, cols=1)
    _no_borders(table)
    _fixed_widths(table, [text_width(landscape)])
    cell = _cell(table, 0, 0)
    para(cell, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "national_title")
    para(cell, "Độc lập - Tự do - Hạnh phúc", "motto")
    rule(cell, "full")
    return table


def title_block(doc, doc_type: str, summary: str | None):
    para(doc, doc_type, "doc_type")
    if summary:
        para(doc, summary, "summary")
        rule(doc, "short")


def signature_table(
    doc,
    *,
    recipients=True,
    left_title=None,
    left_hint="(Ký tên, đóng dấu)",
    right_date=False,
    right_role=None,
    right_hint=None,
    landscape=False,
    left_signs=False,
):
    """ND30 ô 7/9b: Nơi nhận on the left, authority/title/name on the right, both top-aligned."""
    total = text_width(landscape)
    widths = [total * 0.45, total * 0.55]
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, widths)
    # keep the block on one page: LibreOffice and Word both honour cantSplit on the row
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    left = _cell(table, 0, 0)
    if recipients:
        para(left, "Nơi nhận:", "recipients_label")
        tag(left, "{%p for line in signature.recipients %}")
        para(left, "{{ line }}", "recipients")
        tag(left, "{%p endfor %}")
    elif left_signs:
        # a person signs on the left too (the working paper's NGƯỜI LẬP): title, room to sign,
        # name; the pads (from the context) put both names on one line
        para(left, "{{ signature.left_title }}", "signer_title")
        para(left, left_hint, "signer_title", runs=[(left_hint, {"bold": False, "italic": True})])
        tag(left, "{%p for _ in signature.left_pad %}")
        para(left, "", "signer_title")
        tag(left, "{%p endfor %}")
        for _ in range(5):
            para(left, "", "signer_title")
        para(left, "{{ signature.left_name }}", "signer_name")
    elif left_title:
        para(left, left_title, "signer_title", space_before=6)
        para(left, left_hint, "signer_title", runs=[(left_hint, {"bold": False, "italic": True})])
    right = _cell(table, 0, 1)
    if right_date:
        para(right, "{{ signature.date_line }}", "date_line")
    if right_role:
        para(right, right_role, "signer_title", space_before=6)
        if right_hint:
            para(
                right,
                right_hint,
                "signer_title",
                runs=[(right_hint, {"bold": False, "italic": True})],
            )
    else:
        tag(right, "{%p for line in signature.title_lines %}")
        para(right, "{{ line }}", "signer_title")
        tag(right, "{%p endfor %}")
    if left_signs:
        tag(right, "{%p for _ in signature.right_pad %}")
        para(right, "", "signer_title")
        tag(right, "{%p endfor %}")
    for _ in range(5):  # room for the signature and seal (ô 7c, 8): about 30 mm
        para(right, "", "signer_title")
    para(right, "{{ signature.name }}", "signer_name")
    return table


def repeat_header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def grid_table(doc, widths_mm: list[float]):
    """A bordered data table with fixed column widths."""
    table = doc.add_table(rows=0, cols=len(widths_mm))
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for k, v in (("val", "single"), ("sz", "4"), ("space", "0"), ("color", "000000")):
            el.set(qn(f"w:{k}"), v)
        borders.append(el)
    tbl_pr.append(borders)
    # inner padding of every cell: text never touches the rules (schema order: … tblBorders,
    # shd, tblLayout, tblCellMar, tblLook)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(round(CELL_SIDE_MARGIN_MM * 1440 / 25.4)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    for _ in range(1):
        table.add_row()
    _fixed_widths(table, widths_mm)
    _schema_order(tbl_pr)
    table._tbl.remove(table.rows[0]._tr)
    return table


_TBL_PR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
)


def _schema_order(tbl_pr) -> None:
    """tblPr's children in the order the schema wants (Word refuses some files otherwise)."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(_TBL_PR_ORDER)}
    children = sorted(tbl_pr, key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        tbl_pr.remove(el)
        tbl_pr.append(el)


def add_row(table, widths_mm, texts, style="table", *, header=False):
    row = table.add_row()
    for cell, w, text in zip(row.cells, widths_mm, texts, strict=True):
        cell.width = Mm(w)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        writer = _CellWriter(cell)
        if isinstance(text, tuple):
            text, cell_style = text
        else:
            cell_style = style
        para(writer, text, cell_style)
    if header:
        repeat_header_row(row)
    cant_split(row)
    return row


def merge(table, row: int, col_from: int, col_to: int, text: str, style="table Head"):
    a, b = table.cell(row, col_from), table.cell(row, col_to)
    merged = a.merge(b)
    for p in merged.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    merged.paragraphs[0].text = ""
    merged.paragraphs[0].add_run(text)
    return merged


def vmerge(table, col: int, row_from: int, row_to: int):
    a, b = table.cell(row_from, col), table.cell(row_to, col)
    text = a.text
    merged = a.merge(b)
    for p in merged.paragraphs[1:]:
        p._p.getparent().remove(p._p)
    return merged, text


TABLE_LINE_PT = 11 * 1.15  # one line of a table cell (11 pt Liberation Serif, single spacing)
CELL_SIDE_MARGIN_MM = 1.2  # left and right inner padding of data table cells (grid_table)


def wrapped_lines(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes in a cell ``width_mm`` wide, wrapped word by word."""
    lines, line = 1, ""
    for word in text.split():
        wider = f"{line} {word}" if line else word
        if line and text_width_mm(wider, size_pt, bold=bold) > width_mm - 2 * CELL_SIDE_MARGIN_MM:
            lines, line = lines + 1, word
        else:
            line = wider
    return lines


def fit_merged_headers(
    row, headers: list[tuple[str, float]], lines_above: int, at_least_mm: float = 0
) -> None:
    """Give ``row``, the last of two header rows, the height its cells merged down from the
    row above need (``headers``: their printed text and column width, mm; ``lines_above``:
    the lines of the row above). On the first page LibreOffice grows the row to fit them; on
    the pages where it repeats the header rows, it does not, and clips them."""
    head = COMPONENTS["table"]
    tallest = max(wrapped_lines(text, width, head.size, bold=True) for text, width in headers)
    need_mm = (tallest - lines_above) * TABLE_LINE_PT * 25.4 / 72 + 1.5
    row.height = Mm(max(need_mm, at_least_mm))
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


# --- the templates ----------------------------------------------------------------------------


def build_submission():
    doc = new_document()
    agency_header(doc)
    title_block(doc, "TỜ TRÌNH", "{{ summary }}")
    addressee_block(doc, "addressees")
    tag(doc, "{%p for line in basis %}")
    para(doc, "{{ line }}", "basis")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ intro }}")
    para(doc, "1. Khóa bồi dưỡng", runs=[("1. Khóa bồi dưỡng", {"bold": True})], keep_next=True)
    tag(doc, "{%p for item in course_lines %}")
    para(doc, "- {{ item }}")
    tag(doc, "{%p endfor %}")
    para(
        doc,
        "2. Kết quả rà soát và danh sách đề nghị cử đi bồi dưỡng",
        runs=[("2. Kết quả rà soát và danh sách đề nghị cử đi bồi dưỡng", {"bold": True})],
        keep_next=True,
    )
    para(doc, "{{ review_text }}")
    tag(doc, "{%p for c in candidates %}")
    para(doc, "{{ c.label }} {{ c.text }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for line in review_lines %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    para(doc, "3. Kinh phí dự kiến", runs=[("3. Kinh phí dự kiến", {"bold": True})], keep_next=True)
    tag(doc, "{%p for item in cost_lines %}")
    para(doc, "{{ item }}")
    tag(doc, "{%p endfor %}")
    # never a page holding only the signatures: the closing goes with them
    para(doc, "{{ closing }}", keep_next=True)
    _keep_table_with_text(signature_table(doc))
    return doc


def build_cover_letter():
    doc = new_document()
    agency_header(doc, subject=True)
    para(doc, "", "body", space_after=0)
    addressee_block(doc, "recipients")
    tag(doc, "{%p for item in paragraphs %}")
    para(doc, "{{ item }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p for item in enclosures %}")
    para(doc, "- {{ item }}")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ closing }}", keep_next=True)
    _keep_table_with_text(signature_table(doc))
    # ô 13: address, phone, e-mail at the foot of page 1 (first-page footer), under a full rule
    footer = doc.sections[0].first_page_footer
    footer.is_linked_to_previous = False
    fp = footer.paragraphs[0]
    fp.text = "{{ footer_info }}"
    fp.style = doc.styles[style_name("footer_info")]
    p_pr = fp._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("val", "single"), ("sz", "4"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{k}"), v)
    border.append(top)
    p_pr.append(border)
    return doc


# Widths (mm, 252 in all: the landscape text width) measured with the font's metrics, 11 pt,
# 1.2 mm padding each side: a date (17.7 mm) on one line; "Cao cấp" whole; the rating as
# "Hoàn thành" / "tốt nhiệm vụ" or "Hoàn thành" / "xuất sắc" / "nhiệm vụ" (inner 21.1 mm: wider
# than "tốt nhiệm vụ", narrower than "Hoàn thành tốt" and "Hoàn thành xuất"); the language as
# "Tiếng Anh:" / "IELTS 6,5" (inner 25.1 mm: "TOEFL iBT 86" fits, "Tiếng Anh: IELTS" does
# not); "Đảng viên" whole in Ghi chú. tests/test_truthful_papers.py checks these breaks.
NOMINATION_COLUMNS = [
    # (header, width mm, Jinja cell, style)
    ("STT", 10, "{{ loop.index }}", "table Center"),
    ("Họ và tên", 24, "{{ r.full_name }}", "table"),
    ("Nam", 20.5, "{{ r.birth_male }}", "table Center"),
    ("Nữ", 20.5, "{{ r.birth_female }}", "table Center"),
    ("Chức vụ, đơn vị công tác", 31.5, "{{ r.position }}", "table"),
    ("Chức danh quy hoạch", 24, "{{ r.planned_position }}", "table"),
    ("Trình độ chuyên môn", 21, "{{ r.education }}", "table"),
    ("Lý luận chính trị", 16, "{{ r.political_theory }}", "table Center"),
    ("Ngoại ngữ (chứng chỉ, điểm)", 27.5, "{{ r.foreign_language }}", "table Center"),
    ("{{ rating_header }}", 23.5, "{{ r.rating }}", "table Center"),
    ("Thời gian công tác còn lại (tháng)", 14.5, "{{ r.months_left }}", "table Center"),
    ("Ghi chú", 19, "{{ r.note }}", "table Center"),
]


def build_nomination_list():
    doc = new_document(landscape=True)
    agency_header(doc, landscape=True, number=False, date_line=False)
    para(doc, "DANH SÁCH", "doc_type", space_before=12)
    para(doc, "{{ summary }}", "summary")
    rule(doc, "short")
    para(doc, "{{ annex_note }}", "annex_note", space_before=3, space_after=6)
    # the note goes above the table: below it, it would be the one line left for a new page
    tag(doc, "{%p for line in notes %}")
    para(doc, "{{ line }}", "table", runs=[("{{ line }}", {"italic": True})], space_after=3)
    tag(doc, "{%p endfor %}")
    widths = [w for _, w, _, _ in NOMINATION_COLUMNS]
    table = grid_table(doc, widths)
    head1 = [(h, "table Head") for h, _, _, _ in NOMINATION_COLUMNS]
    head1[2] = ("Ngày tháng năm sinh", "table Head")
    head1[3] = ("", "table Head")
    add_row(table, widths, head1, header=True)
    head2 = [("", "table Head")] * len(NOMINATION_COLUMNS)
    head2 = list(head2)
    head2[2] = ("Nam", "table Head")
    head2[3] = ("Nữ", "table Head")
    add_row(table, widths, head2, header=True)
    # merge "Ngày tháng năm sinh" over Nam/Nữ, and every other header vertically
    merge(table, 0, 2, 3, "Ngày tháng năm sinh")
    for col in range(len(NOMINATION_COLUMNS)):
        if col in (2, 3):
            continue
        vmerge(table, col, 0, 1)
    # (the rating header as printed: "Xếp loại chất lượng năm 2025")
    printed = {"{{ rating_header }}": "Xếp loại chất lượng năm 2025"}
    fit_merged_headers(
        table.rows[1],
        [
            (printed.get(h, h), w)
            for i, (h, w, _, _) in enumerate(NOMINATION_COLUMNS)
            if i not in (2, 3)
        ],
        lines_above=1,
    )
    # numbered column row (1)…(12), as in official annex tables
    add_row(
        table, widths, [(f"({i + 1})", "table Center") for i in range(len(widths))], header=True
    )
    add_row(table, widths, ["{%tr for r in rows %}"] + [""] * (len(widths) - 1))
    row = add_row(table, widths, [(cell, style) for _, _, cell, style in NOMINATION_COLUMNS])
    # Ghi chú: one paragraph per mark ("Đảng viên", "Đề nghị xem xét ngoại lệ …")
    notes_cell = _CellWriter(row.cells[-1])
    notes_cell.cell.paragraphs[0]._p.getparent().remove(notes_cell.cell.paragraphs[0]._p)
    notes_cell.fresh = False
    tag(notes_cell.cell, "{%p for n in r.notes %}")
    para(notes_cell.cell, "{{ n }}", "table Center")
    tag(notes_cell.cell, "{%p endfor %}")
    add_row(table, widths, ["{%tr endfor %}"] + [""] * (len(widths) - 1))
    return doc


def build_commitment():
    doc = new_document()
    national_header(doc)
    title_block(doc, "BẢN CAM KẾT", "{{ summary }}")
    addressee_block(doc, "addressees")
    tag(doc, "{%p for label, value in identity %}")
    para(doc, runs=[("{{ label }}: ", {}), ("{{ value }}", {})])
    tag(doc, "{%p endfor %}")
    para(doc, "{{ course_text }}")
    para(doc, "Tôi xin cam kết thực hiện nghiêm túc các nội dung sau:", keep_next=True)
    tag(doc, "{%p for clause in clauses[:-1] %}")
    para(doc, "{{ loop.index }}. {{ clause }}")
    tag(doc, "{%p endfor %}")
    # never a page holding only the signatures: the last clause and the closing go with them
    para(doc, "{{ clauses|length }}. {{ clauses[-1] }}", keep_next=True)
    para(doc, "{{ closing }}", keep_next=True)
    table = signature_table(
        doc,
        recipients=False,
        left_title="XÁC NHẬN CỦA CƠ QUAN, ĐƠN VỊ",
        right_date=True,
        right_role="NGƯỜI CAM KẾT",
        right_hint="(Ký, ghi rõ họ tên)",
    )
    _keep_table_with_text(table)
    return doc


def _keep_table_with_text(table) -> None:
    """Every paragraph of the signature table keeps with the next: Word then keeps the table
    on one page with what precedes it; LibreOffice reads it as the table's "keep with next
    paragraph" and, with the row that cannot split, moves the closing lines along."""
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def build_return_report():
    doc = new_document()
    national_header(doc)
    title_block(doc, "BÁO CÁO", "{{ summary }}")
    addressee_block(doc, "addressees")
    tag(doc, "{%p for section in sections %}")
    # headings left-aligned: a justified heading that wraps gets stretched word gaps; its lines
    # (broken between units of meaning by the data) all start at the body's first-line indent
    heading = para(
        doc,
        "{{ section.heading }}",
        runs=[("{{ section.heading }}", {"bold": True})],
        keep_next=True,
        align=LEFT,
        indent_first=0,
    )
    heading.paragraph_format.left_indent = Mm(BODY_FIRST_LINE_INDENT_MM)
    tag(doc, "{%p for line in section.lines %}")
    para(doc, "{{ line }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ closing }}", keep_next=True)
    _keep_table_with_text(
        signature_table(
            doc,
            recipients=False,
            left_title="XÁC NHẬN CỦA CƠ QUAN, ĐƠN VỊ",
            right_date=True,
            right_role="NGƯỜI BÁO CÁO",
            right_hint="(Ký, ghi rõ họ tên)",
        )
    )
    return doc


def build_contents():
    doc = new_document()
    agency_header(doc, number=False, date_line=False)
    para(doc, "MỤC LỤC HỒ SƠ", "doc_type")
    para(doc, "{{ summary }}", "summary")
    rule(doc, "short")
    para(doc, "{{ note }}", "annex_note", space_before=3, space_after=12)
    widths = [14, 125, 26]
    table = grid_table(doc, widths)
    add_row(
        table,
        widths,
        [("STT", "table Head"), ("Tên tài liệu", "table Head"), ("Trang", "table Head")],
        header=True,
    )
    add_row(table, widths, ["{%tr for r in rows %}", "", ""])
    add_row(
        table,
        widths,
        [("{{ r.index }}", "table Center"), "{{ r.title }}", ("{{ r.page }}", "table Center")],
    )
    add_row(table, widths, ["{%tr endfor %}", "", ""])
    return doc


# Kết quả rà soát: fixed columns (header, width mm, Jinja cell, style); the rule columns, one per
# rule of the course type, go between "months" and "result"; "position" takes the width left.
ELIGIBILITY_COLUMNS = {
    "index": ("STT", 11.5, "{{ loop.index }}", "table Center"),
    "name": ("Họ và tên", 32, "{{ r.full_name }}", "table"),
    "position": ("Chức vụ, đơn vị công tác", None, "{{ r.position }}", "table"),
    "retirement": ("Thời điểm nghỉ hưu", 22.5, "{{ r.retirement_date }}", "table Center"),
    "months": ("{{ months_header }}", 22, "{{ r.months_left }}", "table Center"),
    "result": ("Kết quả", 21, "{{ r.result }}", "table Center"),
}
RULE_COLUMN_MM = 8.5  # one 11 pt line of rotated text (the rule id) plus narrow cell margins
RULE_CELL_MARGIN_MM = 0.6


def _cell_margins(cell, side_mm: float) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    mar = OxmlElement("w:tcMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(side_mm * 1440 / 25.4)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tc_pr.append(mar)


def _rotate_up(cell) -> None:
    """Text read bottom to top, as in the narrow columns of printed Vietnamese tables."""
    tc_pr = cell._tc.get_or_add_tcPr()
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "btLr")
    # schema order: … tcMar, textDirection, tcFitText, vAlign …
    v_align = tc_pr.find(qn("w:vAlign"))
    if v_align is not None:
        v_align.addprevious(direction)
    else:
        tc_pr.append(direction)


def eligibility_table(doc, rule_ids: list[str]):
    """The table of one course type: a rotated rule id over each narrow result column."""
    cols = ELIGIBILITY_COLUMNS
    fixed = sum(w for _, w, _, _ in cols.values() if w is not None)
    position = text_width(True) - fixed - RULE_COLUMN_MM * len(rule_ids)
    order = ["index", "name", "position", "retirement", "months"]
    specs = [cols[k] if k != "position" else (cols[k][0], position, *cols[k][2:]) for k in order]
    specs += [
        (rid, RULE_COLUMN_MM, f"{{{{ r.marks['{rid}'] }}}}", "table Center") for rid in rule_ids
    ]
    specs.append(cols["result"])
    widths = [w for _, w, _, _ in specs]
    first_rule, last_rule = len(order), len(order) + len(rule_ids) - 1
    table = grid_table(doc, widths)
    add_row(table, widths, [(h, "table Head") for h, _, _, _ in specs], header=True)
    add_row(
        table,
        widths,
        [
            (h if first_rule <= i <= last_rule else "", "table Head")
            for i, (h, _, _, _) in enumerate(specs)
        ],
        header=True,
    )
    for col in range(first_rule, last_rule + 1):
        cell = table.cell(1, col)
        _cell_margins(cell, RULE_CELL_MARGIN_MM)
        _rotate_up(cell)
    # LibreOffice does not grow a row to fit rotated text: give it the longest id's length
    head = COMPONENTS["table"]
    longest = max(text_width_mm(rid, head.size, bold=True) for rid in rule_ids)
    # (the months header as printed: the longest of the course types')
    from k39docs.documents.eligibility_report import MONTHS_HEADER

    printed = {"{{ months_header }}": max(MONTHS_HEADER.values(), key=len)}
    fit_merged_headers(
        table.rows[1],
        [
            (printed.get(h, h), w)
            for i, (h, w, _, _) in enumerate(specs)
            if not first_rule <= i <= last_rule
        ],
        lines_above=1,
        at_least_mm=longest + 3,
    )
    merge(table, 0, first_rule, last_rule, "Kết quả rà soát từng điều kiện, tiêu chuẩn")
    for col in range(len(specs)):
        if not first_rule <= col <= last_rule:
            vmerge(table, col, 0, 1)
    add_row(table, widths, ["{%tr for r in rows %}"] + [""] * (len(widths) - 1))
    row = add_row(table, widths, [(cell, style) for _, _, cell, style in specs])
    for col in range(first_rule, last_rule + 1):
        _cell_margins(row.cells[col], RULE_CELL_MARGIN_MM)
    add_row(table, widths, ["{%tr endfor %}"] + [""] * (len(widths) - 1))
    return table


def build_eligibility_report():
    from k39docs.dossier.model import CourseType
    from k39docs.rules import rules_for

    doc = new_document(landscape=True)
    agency_header(doc, landscape=True, number=False, date_line=True)
    para(doc, "{{ title }}", "doc_type", space_before=12)
    para(doc, "{{ summary }}", "summary")
    rule(doc, "short")
    para(doc, "{{ annex_note }}", "annex_note", space_before=3, space_after=6)
    para(doc, "{{ course_line }}")
    tag(doc, "{%p if exceptions %}")
    para(doc, runs=[("Lưu ý: ", {"bold": True}), ("{{ exceptions_text }}", {})], keep_next=True)
    tag(doc, "{%p for line in exceptions %}")
    para(doc, "- {{ line }}{{ ';' if not loop.last else '.' }}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endif %}")
    for course_type in CourseType:
        tag(doc, f"{{%p if course_type == '{course_type.value}' %}}")
        eligibility_table(doc, [r.id for r in rules_for(course_type)])
        tag(doc, "{%p endif %}")
    # the key in the table's type, as the notes of printed tables are
    para(
        doc,
        "{{ key }}",
        "table",
        align=JUSTIFY,
        space_before=3,
        space_after=6,
        runs=[("Ghi chú: ", {"italic": True}), ("{{ key }}", {"italic": True})],
    )
    heading = "1. Điều kiện, tiêu chuẩn rà soát"
    para(doc, heading, runs=[(heading, {"bold": True})], keep_next=True)
    widths = [22.0, text_width(True) - 22.0 - 62.0, 62.0]
    table = grid_table(doc, widths)
    add_row(
        table,
        widths,
        [("Mã", "table Head"), ("Điều kiện, tiêu chuẩn", "table Head"), ("Căn cứ", "table Head")],
        header=True,
    )
    add_row(table, widths, ["{%tr for c in clauses %}", "", ""])
    add_row(table, widths, [("{{ c.rule }}", "table Center"), "{{ c.clause }}", "{{ c.source }}"])
    add_row(table, widths, ["{%tr endfor %}", "", ""])
    heading = "2. Lý do không đạt, nội dung cần xem xét và ý kiến của người xem xét"
    para(doc, heading, runs=[(heading, {"bold": True})], keep_next=True, space_before=6)
    tag(doc, "{%p if findings %}")
    # one numbered item per person, that person's findings one paragraph each
    specs = [
        ("STT", 11.5, "{{ loop.index }}", "table Center"),
        ("Họ và tên", 36, "{{ f.name }}", "table"),
        ("Kết quả", 21, "{{ f.result }}", "table Center"),
        ("Điều kiện, lý do; ý kiến của người xem xét", None, "", "table"),
    ]
    rest = text_width(True) - sum(w for _, w, _, _ in specs if w is not None)
    widths = [w if w is not None else rest for _, w, _, _ in specs]
    table = grid_table(doc, widths)
    add_row(table, widths, [(h, "table Head") for h, _, _, _ in specs], header=True)
    add_row(table, widths, ["{%tr for f in findings %}"] + [""] * (len(specs) - 1))
    row = add_row(table, widths, [(cell, style) for _, _, cell, style in specs])
    lines = row.cells[-1]
    lines.paragraphs[0]._p.getparent().remove(lines.paragraphs[0]._p)
    tag(lines, "{%p for line in f.lines %}")
    para(lines, "{{ line }}", "table", align=JUSTIFY)
    tag(lines, "{%p endfor %}")
    add_row(table, widths, ["{%tr endfor %}"] + [""] * (len(specs) - 1))
    tag(doc, "{%p else %}")
    para(doc, "Không có.")
    tag(doc, "{%p endif %}")
    para(doc, "3. Kết luận", runs=[("3. Kết luận", {"bold": True})], keep_next=True, space_before=6)
    para(doc, "{{ conclusion }}", keep_next=True)  # never a signature page without text
    signature_table(
        doc, recipients=False, left_signs=True, left_hint="(Ký, ghi rõ họ tên)", landscape=True
    )
    return doc


# --- saving -----------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# python-docx's blank document carries parts no template needs: Word 2010 style effects, a
# thumbnail picture, custom XML, 190 style definitions. LibreOffice parses all of it for every
# document it converts (about a third of the conversion time), so they are left out.
_DROPPED_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")


def save(doc, name: str, folder: Path = ROOT / "templates") -> Path:
    path = folder / f"{name}.docx"
    buffer = io.BytesIO()
    doc.save(buffer)
    _write_slim(zipfile.ZipFile(buffer), path)
    return path


def _used_styles(zin: zipfile.ZipFile, styles) -> set[str]:
    used = set()
    for name in zin.namelist():
        if re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
            used |= {
                m.decode()
                for m in re.findall(
                    rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', zin.read(name)
                )
            }
    by_id = {s.get(f"{{{_W}}}styleId"): s for s in styles.iter(f"{{{_W}}}style")}
    keep = used | {i for i, s in by_id.items() if s.get(f"{{{_W}}}default") in ("1", "true")}
    todo = list(keep)
    while todo:  # and every style they are based on, link to or continue with
        style = by_id.get(todo.pop())
        for tag in ("basedOn", "next", "link"):
            ref = style.find(f"{{{_W}}}{tag}") if style is not None else None
            if ref is not None and ref.get(f"{{{_W}}}val") not in keep:
                keep.add(ref.get(f"{{{_W}}}val"))
                todo.append(ref.get(f"{{{_W}}}val"))
    return keep


def _write_slim(zin: zipfile.ZipFile, path: Path) -> None:
    def dropped(target: str, base: str = "") -> bool:
        """Is the part at ``target`` (relative to ``base``, or absolute with "/") left out?"""
        name = posixpath.normpath(
            target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
        )
        return any(name == d or name.startswith(d) for d in _DROPPED_PARTS)

    styles = etree.fromstring(zin.read("word/styles.xml"))
    keep = _used_styles(zin, styles)
    for style in list(styles.iter(f"{{{_W}}}style")):
        if style.get(f"{{{_W}}}styleId") not in keep:
            styles.remove(style)
    latent = styles.find(f"{{{_W}}}latentStyles")
    if latent is not None:
        styles.remove(latent)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if dropped(info.filename):
                continue
            data = zin.read(info)
            if info.filename == "word/styles.xml":
                data = etree.tostring(
                    styles, xml_declaration=True, encoding="UTF-8", standalone=True
                )
            elif info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                root = etree.fromstring(data)
                # a .rels file at "word/_rels/x.rels" resolves targets against "word/"
                base = posixpath.dirname(posixpath.dirname(info.filename))
                for el in list(root):
                    if el.get("TargetMode") != "External" and dropped(
                        el.get("Target") or el.get("PartName") or "\0", base
                    ):
                        root.remove(el)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            # fixed timestamps: the same script gives the same bytes
            zout.writestr(
                zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


BUILDERS = {
    "submission": build_submission,
    "cover_letter": build_cover_letter,
    "nomination_list": build_nomination_list,
    "commitment": build_commitment,
    "return_report": build_return_report,
    "contents": build_contents,
    "eligibility_report": build_eligibility_report,
}


def main(argv: list[str]) -> int:
    """``build_templates.py [--out DIR] [NAME …]``: the templates (all by default) into DIR
    (``templates/`` by default); a test builds them elsewhere and compares."""
    folder = ROOT / "templates"
    if argv[:1] == ["--out"]:
        folder, argv = Path(argv[1]), argv[2:]
        folder.mkdir(parents=True, exist_ok=True)
    names = argv or list(BUILDERS)
    for name in names:
        path = save(BUILDERS[name](), name, folder)
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
