"""The nomination list as a workbook (``xlsx/danh-sach.xlsx``): the central body compiles the
provinces' lists in Excel, so it gets the DOCX list's table as cells it can sort and sum.

The rows are the DOCX list's own (:func:`k39docs.documents.nomination_list.build`'s context),
not computed again: both files say the same. A full date of birth becomes a date cell, the STT
and the months left numbers; a partial birth date ("11/1980", "1975") stays as printed.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from .base import Document

__all__ = ["write_list_workbook", "HEADER_ROWS"]

BORN = "Ngày tháng năm sinh"
# the DOCX table's header (templates/nomination_list.docx): two rows, "Ngày tháng năm sinh"
# over Nam and Nữ; the rating column's label comes from the document's context
_COLUMNS = (
    ("STT", None, 6),
    ("Họ và tên", None, 24),
    (BORN, "Nam", 12),
    (BORN, "Nữ", 12),
    ("Chức vụ, đơn vị công tác", None, 36),
    ("Chức danh quy hoạch", None, 28),
    ("Trình độ chuyên môn", None, 26),
    ("Lý luận chính trị", None, 12),
    ("Ngoại ngữ (chứng chỉ, điểm)", None, 22),
    ("{rating_header}", None, 22),
    ("Thời gian công tác còn lại (tháng)", None, 14),
    ("Ghi chú", None, 30),
)
_FIELDS = (
    "full_name",
    "birth_male",
    "birth_female",
    "position",
    "planned_position",
    "education",
    "political_theory",
    "foreign_language",
    "rating",
    "months_left",
)
HEADER_ROWS = 3  # the two label rows and the column numbers (1) … (12)
_FULL_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def _birth(text: str) -> date | str | None:
    found = _FULL_DATE.fullmatch(text)
    if found:
        day, month, year = map(int, found.groups())
        return date(year, month, day)
    return text or None


def write_list_workbook(
    doc: Document, path: Path, *, author: str = "", issued: datetime | None = None
) -> Path:
    """Write the list ``doc`` (kind ``nomination_list``) as one sheet, its notes on a second
    (a render writes it in its staging folder: it appears with the rest or not at all)."""
    context = doc.context
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    header, body, born = _styles(book)
    for col, (label, sub, width) in enumerate(_COLUMNS, start=1):
        label = label.format(rating_header=context["rating_header"])
        sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.cell(1, col, label)
        sheet.cell(2, col, sub)
        sheet.cell(3, col, f"({col})")
        if sub is None:
            sheet.merge_cells(start_row=1, start_column=col, end_row=2, end_column=col)
    sheet.merge_cells(start_row=1, start_column=3, end_row=1, end_column=4)  # over Nam, Nữ
    for row in sheet.iter_rows(min_row=1, max_row=HEADER_ROWS):
        for cell in row:
            cell.style = header
    for number, data in enumerate(context["rows"], start=1):
        values: list = [number]
        for name in _FIELDS:
            text = data[name]
            if name.startswith("birth_"):
                values.append(_birth(text))
            elif name == "months_left":
                values.append(int(text) if text else None)
            else:
                values.append(text or None)
        values.append("\n".join(data["notes"]) or None)
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(HEADER_ROWS + number, col, value)
            cell.style = born if isinstance(value, date) else body
    sheet.freeze_panes = sheet.cell(HEADER_ROWS + 1, 3)  # the header and the names stay in view
    sheet.print_options.gridLines = False
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"1:{HEADER_ROWS}"
    notes = book.create_sheet("Ghi chú")
    notes.column_dimensions["A"].width = 120
    for line in "\n".join(context["notes"]).split("\n"):
        notes.append([line])
        notes.cell(notes.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.creator = author
    book.properties.title = doc.title
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_reproducible(book, issued or datetime(1980, 1, 1)))
    return path


def _styles(book: Workbook) -> tuple[str, str, str]:
    """The cell styles of the table (header; a body cell; a date of birth), registered once as
    named styles: setting a cell's font, border and alignment one by one looks each up in the
    workbook's tables, which took half the time of writing the list."""
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(vertical="top", wrap_text=True)
    styles = (
        NamedStyle(
            "Danh sách - tiêu đề",
            font=Font(bold=True),
            border=box,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle("Danh sách - ô", border=box, alignment=top),
        NamedStyle("Danh sách - ngày sinh", border=box, alignment=top, number_format="DD/MM/YYYY"),
    )
    for style in styles:
        book.add_named_style(style)
    header, body, born = (style.name for style in styles)
    return header, body, born


def _reproducible(book: Workbook, moment: datetime) -> bytes:
    """The workbook's bytes, the same for the same list: openpyxl stamps the time of saving in
    the file's properties and in each zip entry; here both are ``moment`` (the công văn's date),
    so a render of unchanged data changes no file and its hash in the manifest."""
    from openpyxl.writer.excel import ExcelWriter

    book.properties.created = book.properties.modified = moment
    raw = BytesIO()
    # stored, not compressed: the entries are compressed once, when they are copied below
    ExcelWriter(book, ZipFile(raw, "w", ZIP_STORED, allowZip64=True)).save()  # closes it
    fixed = BytesIO()
    stamp = (max(moment.year, 1980), moment.month, moment.day, 0, 0, 0)
    with ZipFile(raw) as made, ZipFile(fixed, "w", ZIP_DEFLATED) as out:
        for item in made.infolist():
            out.writestr(
                ZipInfo(item.filename, stamp), made.read(item.filename), compress_type=ZIP_DEFLATED
            )
    return fixed.getvalue()
