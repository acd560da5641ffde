"""The nomination list as a workbook (``xlsx/danh-sach.xlsx``): the central body compiles the
provinces' lists in Excel, so it gets the DOCX list's table as cells it can sort and sum.

The rows are the DOCX list's own (:func:`k39docs.documents.nomination_list.build`'s context),
not computed again: both files say the same. A full date of birth becomes a date cell, the STT
and the months left numbers; a partial birth date ("11/1980", "1975") stays as printed.

Written with XlsxWriter (made for writing workbooks; openpyxl reads the clerks' workbooks): a
hundred candidates' list in 8 ms against openpyxl's 18 ms, in the middle of a re-render whose
other threads wait for the interpreter meanwhile (docs/performance.md). Each row is as high as
its wrapped text (LibreOffice does not grow rows when it opens a workbook), and the sheet prints
one page wide. Its files are the same for the same list: the zip entries are dated 1980-01-01
and the properties' dates are the công văn's, so a render of unchanged data changes no file and
its hash in the manifest.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import xlsxwriter

from ..workbook.layout import ROW_LINE_PT, lines_needed
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
_BOLD = 0.9  # a bold label's line holds about a tenth fewer characters
_HIGHEST = 409  # points: Excel's highest row
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
    data = BytesIO()
    # the text as typed: "=…" is no formula, "http://…" no link (XlsxWriter would make them so)
    book = xlsxwriter.Workbook(
        data, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties(
        {"title": doc.title, "author": author, "created": issued or datetime(1980, 1, 1)}
    )
    boxed = {"border": 1, "text_wrap": True}
    header = book.add_format({**boxed, "bold": True, "align": "center", "valign": "vcenter"})
    body = book.add_format({**boxed, "valign": "top"})
    born = book.add_format({**boxed, "valign": "top", "num_format": "DD/MM/YYYY"})
    sheet = book.add_worksheet("Danh sách")
    # each row as high as its longest cell's wrapped text (LibreOffice does not grow a row
    # for it); a label over two rows shares the second's line ("Nam", "Nữ")
    tallest = lines_needed(BORN, 2 * _BOLD * _COLUMNS[2][2])
    for col, (label, sub, width) in enumerate(_COLUMNS):
        label = label.format(rating_header=context["rating_header"])
        sheet.set_column(col, col, width)
        if sub is None:
            sheet.merge_range(0, col, 1, col, label, header)
            tallest = max(tallest, lines_needed(label, _BOLD * width) - 1)
        else:
            sheet.write(1, col, sub, header)
        sheet.write(2, col, f"({col + 1})", header)
    sheet.merge_range(0, 2, 0, 3, BORN, header)  # over Nam, Nữ
    sheet.set_row(0, ROW_LINE_PT * tallest)
    for number, row in enumerate(context["rows"], start=1):
        values: list = [number]
        for name in _FIELDS:
            text = row[name]
            if name.startswith("birth_"):
                values.append(_birth(text))
            elif name == "months_left":
                values.append(int(text) if text else None)
            else:
                values.append(text or None)
        values.append("\n".join(row["notes"]) or None)
        at = HEADER_ROWS + number - 1
        lines = max(lines_needed(v, w) for v, (_, _, w) in zip(values, _COLUMNS, strict=True))
        sheet.set_row(at, min(ROW_LINE_PT * lines, _HIGHEST))
        for col, value in enumerate(values):
            if isinstance(value, date):
                sheet.write_datetime(at, col, value, born)
            elif value is None:
                sheet.write_blank(at, col, None, body)
            else:
                sheet.write(at, col, value, body)
    sheet.freeze_panes(HEADER_ROWS, 2)  # the header and the names stay in view
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # printed as wide as the page, as many pages long as it takes
    sheet.repeat_rows(0, HEADER_ROWS - 1)
    notes = book.add_worksheet("Ghi chú")
    notes.set_column(0, 0, 120)
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})
    for at, line in enumerate("\n".join(context["notes"]).split("\n")):
        notes.write_string(at, 0, line, wrapped)
    book.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.getvalue())
    return path
