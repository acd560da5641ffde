"""Writing a dossier as the clerk's workbook (openpyxl), or as a YAML file, losing nothing.

The sheets and columns come from ``layout``; this module only decides how a cell looks: the
Vietnamese header with its note, the drop-down of labels, the date format, the text format of the
CCCD column (so Excel keeps the leading zero of a number the clerk types), the frozen header row.
Files are written next to their target and moved into place, so a failure leaves no half file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..dossier.model import Dossier, PartialDate, choice_label
from .layout import (
    ATTACHMENT_FIELDS,
    BOOL_LABELS,
    DOSSIER_HEADERS,
    DOSSIER_ROWS,
    HISTORY_FIELDS,
    KIND_HINTS,
    PURPOSE_LABELS,
    REPORT_FIELDS,
    ROW_LINE_PT,
    SHEET_ATTACHMENTS,
    SHEET_CANDIDATES,
    SHEET_DOSSIER,
    SHEET_GUIDE,
    SHEET_HISTORY,
    SHEET_LISTS,
    SHEET_REPORTS,
    Field,
    candidate_fields,
    choice_labels,
    lines_needed,
    review_rule_ids,
)

__all__ = ["write_workbook", "write_yaml", "dossier_yaml", "atomic_write"]

DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
BLANK_ROWS = 100  # rows below the data already formatted (CCCD as text, dates) for new entries
VALIDATION_ROWS = 1000

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
_SECTION_FILL = PatternFill("solid", fgColor="E2EFDA")
_WRAP = Alignment(wrap_text=True, vertical="top")
FONT = "Calibri"  # openpyxl's default body font; LibreOffice shows it as Carlito
_NOTE_FONT = Font(name=FONT, italic=True, color="595959")
_PATH_FONT = Font(name=FONT, color="808080", size=9)


# --- values ----------------------------------------------------------------------------------


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
    return obj


def _path_text(value: Path, base_dir: Path | None) -> str:
    """A path as the workbook keeps it: relative to the workbook's folder when it can be."""
    if base_dir is not None and value.is_absolute():
        try:  # inside the folder: relative; elsewhere the absolute path, which still reads back
            return value.relative_to(base_dir.resolve()).as_posix()
        except ValueError:
            pass
    return value.as_posix()


def cell_value(f: Field, value: Any, base_dir: Path | None = None) -> Any:
    """What the cell of field ``f`` holds for a model value (None: left empty)."""
    if value is None:
        return None
    kind = f.kind
    if kind == "lines":
        return "\n".join(value) or None
    if kind == "rules":
        return ", ".join(value) or None
    if kind == "bool":
        return BOOL_LABELS[bool(value)]
    if kind == "choice":
        return choice_label(value)
    if kind == "purpose":
        return PURPOSE_LABELS[value]
    if kind == "authority":
        return value or None
    if kind == "birth":
        return value.display() if isinstance(value, PartialDate) else str(value)
    if kind == "path":
        return _path_text(Path(value), base_dir)
    if isinstance(value, Enum):
        return value.value
    if kind in ("int", "version", "date"):
        return value
    return str(value)


def _style_value(cell: Any, f: Field) -> None:
    if f.kind == "date":
        cell.number_format = DATE_FORMAT
    elif f.kind in ("int", "version"):
        cell.number_format = "0" if f.kind == "version" or "cost" not in f.path else "#,##0"
    else:  # text stays text: a CCCD's leading zero, a score "7.0", a code "NC"
        cell.number_format = TEXT_FORMAT
    # every value left, top: a date or a number sits where the clerk reads the text
    wrap = f.kind == "lines" or (f.kind == "text" and f.width >= 20)
    cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=wrap)


# --- the drop-down lists ---------------------------------------------------------------------


class _Lists:
    """The hidden sheet of drop-down lists and the validations that use them."""

    def __init__(self, book: Workbook):
        self.sheet = book.create_sheet(SHEET_LISTS)
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[tuple[str, ...], str] = {}

    def formula(self, f: Field) -> str | None:
        labels = choice_labels(f)
        if not labels:
            return None
        if labels not in self.ranges:
            col = len(self.ranges) + 1
            letter = get_column_letter(col)
            self.sheet.cell(1, col, f.label)
            for i, label in enumerate(labels, start=2):
                self.sheet.cell(i, col, label)
            self.ranges[labels] = (
                f"{quote_sheetname(SHEET_LISTS)}!${letter}$2:${letter}${len(labels) + 1}"
            )
        return self.ranges[labels]

    def validate(self, sheet: Worksheet, f: Field, where: str) -> None:
        formula = self.formula(f)
        if formula is None:
            return
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            showInputMessage=True,
            errorTitle="Giá trị không có trong danh sách",
            error="Hãy chọn một giá trị trong danh sách thả xuống.",
            promptTitle=f.label[:32],
            prompt=KIND_HINTS.get(f.kind, "")[:250],
        )
        dv.add(where)
        sheet.add_data_validation(dv)


# --- sheets ----------------------------------------------------------------------------------


def _header(sheet: Worksheet, fields: Iterable[Field]) -> None:
    for col, f in enumerate(fields, start=1):
        cell = sheet.cell(1, col, f.header)
        cell.font = Font(name=FONT, bold=f.marked)
        cell.fill = _REQUIRED_FILL if f.marked else _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        comment = Comment(f.full_note(), "k39docs")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        sheet.column_dimensions[get_column_letter(col)].width = f.width
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "A2"


def _table(
    sheet: Worksheet, fields: tuple[Field, ...], rows: list[list[Any]], lists: _Lists
) -> None:
    """A per-candidate sheet: header, one row per entry, formats on the blank rows below."""
    _header(sheet, fields)
    last = max(len(rows) + 1 + BLANK_ROWS, 1 + BLANK_ROWS)
    for col, f in enumerate(fields, start=1):
        for row in range(2, last + 1):
            cell = sheet.cell(row, col)
            _style_value(cell, f)
        letter = get_column_letter(col)
        lists.validate(sheet, f, f"{letter}2:{letter}{VALIDATION_ROWS}")
    for r, values in enumerate(rows, start=2):
        lines = 1
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, col).value = value
                lines = max(lines, lines_needed(value, fields[col - 1].width))
        sheet.row_dimensions[r].height = min(ROW_LINE_PT * lines, 300)


def _dossier_sheet(
    sheet: Worksheet, dossier: Dossier, lists: _Lists, base_dir: Path | None
) -> None:
    widths = (36, 30, 56, 60)
    for col, (title, width) in enumerate(zip(DOSSIER_HEADERS, widths, strict=True), start=1):
        cell = sheet.cell(1, col, title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(col)].width = width
    notes = (
        "Tên của thông tin; dấu * là bắt buộc.",
        "Tên trường trong hồ sơ: chương trình dùng cột này để đọc, xin đừng sửa.",
        "Ghi thông tin vào cột này.",
        "Cách ghi.",
    )
    for col, note in enumerate(notes, start=1):
        sheet.cell(1, col).comment = Comment(note, "k39docs")
    sheet.freeze_panes = "A2"
    row = 2
    for section in DOSSIER_ROWS:
        for col in range(1, 5):
            sheet.cell(row, col).fill = _SECTION_FILL
        sheet.cell(row, 1, section.title).font = Font(name=FONT, bold=True)
        row += 1
        for f in section.fields:
            label = sheet.cell(row, 1, f.header)
            label.font = Font(name=FONT, bold=f.marked)
            label.alignment = Alignment(vertical="top", wrap_text=True)
            sheet.cell(row, 2, f.path).font = _PATH_FONT
            sheet.cell(row, 2).alignment = Alignment(vertical="top")
            value = sheet.cell(row, 3, cell_value(f, _get(dossier, f.path), base_dir))
            _style_value(value, f)
            value.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
            note = sheet.cell(row, 4, f.full_note(with_path=False))
            note.font = _NOTE_FONT
            note.alignment = _WRAP
            lists.validate(sheet, f, f"C{row}")
            lines = max(lines_needed(value.value, 60), lines_needed(note.value, 60))
            sheet.row_dimensions[row].height = min(ROW_LINE_PT * lines, 300)
            row += 1


def _candidate_rows(
    dossier: Dossier, fields: tuple[Field, ...], base_dir: Path | None
) -> list[list[Any]]:
    rows = []
    for c in dossier.candidates:
        row = []
        for f in fields:
            if f.path.startswith("reviewed."):
                value = c.reviewed.get(f.path[len("reviewed.") :])
            else:
                value = _get(c, f.path)
            row.append(cell_value(f, value, base_dir))
        rows.append(row)
    return rows


def _history_rows(dossier: Dossier) -> list[list[Any]]:
    return [
        [c.id] + [cell_value(f, _get(h, f.path)) for f in HISTORY_FIELDS[1:]]
        for c in dossier.candidates
        for h in c.k39_history
    ]


def _attachment_rows(dossier: Dossier, base_dir: Path | None) -> list[list[Any]]:
    rows = []
    for c in dossier.candidates:
        for a in c.attachments:
            rows.append(
                [c.id] + [cell_value(f, _get(a, f.path), base_dir) for f in ATTACHMENT_FIELDS[1:]]
            )
    return rows


def _report_rows(dossier: Dossier) -> list[list[Any]]:
    return [
        [c.id] + [cell_value(f, _get(c.return_report, f.path)) for f in REPORT_FIELDS[1:]]
        for c in dossier.candidates
        if c.return_report is not None
    ]


def _review_columns(dossier: Dossier) -> list[tuple[str, str | None]]:
    present: list[str] = []
    for c in dossier.candidates:
        present += [k for k in c.reviewed if k not in present]
    return review_rule_ids(dossier.course.type, tuple(present))


def _guide_sheet(sheet: Worksheet, tables: list[tuple[str, tuple[Field, ...]]]) -> None:
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 100
    text = [
        (
            "HƯỚNG DẪN GHI BẢNG TÍNH HỒ SƠ CỬ CÁN BỘ ĐI BỒI DƯỠNG Ở NƯỚC NGOÀI (KẾT LUẬN 39-KL/TW)",
            None,
        ),
        (
            "1. Trang Hồ sơ",
            "Thông tin chung của hồ sơ: cơ quan ban hành, khóa bồi dưỡng, công "
            "văn, tờ trình, ký số. Ghi vào cột Giá trị (cột C); đừng sửa cột Trường (cột B).",
        ),
        (
            "2. Trang Ứng viên",
            "Mỗi người một dòng. Có thể để dòng trống giữa các người, thêm cột "
            "ghi chú riêng (chương trình bỏ qua cột lạ), gộp ô theo chiều dọc (ví dụ cùng một cơ "
            "quan): ô gộp được hiểu là giá trị của mọi dòng trong vùng gộp.",
        ),
        (
            "3. Trang Lịch sử K39",
            "Các khóa bồi dưỡng theo Kết luận 39 đã tham gia: mỗi khóa một "
            "dòng, ghi mã ứng viên như ở trang Ứng viên.",
        ),
        (
            "4. Trang Tài liệu kèm theo",
            "Bản scan chứng chỉ, sơ yếu lý lịch …: mỗi tài liệu một "
            "dòng, ghi mã ứng viên, tên tài liệu và tệp (đường dẫn so với thư mục của bảng tính).",
        ),
        (
            "5. Trang Báo cáo",
            "Chỉ dùng cho hồ sơ báo cáo kết quả sau khóa học (Loại hồ sơ: Hồ sơ "
            "báo cáo kết quả): mỗi người một dòng.",
        ),
        (
            "Cột có dấu *",
            "Bắt buộc. Dấu * ở mục “khi có ghi mục này” (ví dụ Kỷ luật, Ngoại lệ, "
            "Token USB) chỉ bắt buộc khi mục đó có ghi.",
        ),
        (
            "Ngày tháng",
            "Ô kiểu ngày, hoặc gõ ngày/tháng/năm: 01/03/2027 là ngày 01 tháng 3 năm "
            "2027 (ngày trước, tháng sau). Ngày sinh có thể chỉ ghi tháng/năm (04/1975) hoặc năm "
            "(1975). Nếu máy tính đặt ngày kiểu Mỹ, hãy kiểm tra ô hiển thị đúng ngày.",
        ),
        (
            "Số CCCD",
            "Đủ 12 chữ số. Cột đã định dạng văn bản để giữ số 0 ở đầu; nếu Excel đã đổi "
            "thành số (mất số 0 ở đầu) thì chương trình thêm lại số 0 cho đủ 12 chữ số, nhưng ô có "
            "ít hơn 10 chữ số bị từ chối.",
        ),
        (
            "Danh sách thả xuống",
            "Giới tính, cấp chức vụ, xếp loại, loại khóa, Có/Không …: chọn trong danh sách của ô.",
        ),
        (
            "Nhiều mục trong một ô",
            "Kính gửi, nơi nhận, căn cứ, nội dung đã học …: mỗi mục một "
            "dòng trong ô (Alt+Enter trong Excel, Ctrl+Enter trong LibreOffice).",
        ),
        (
            "Đánh giá …",
            "Mỗi điều kiện cần người xem xét có một cột “Đánh giá <mã điều kiện>”: "
            "ghi nhận xét của người rà soát. Cần cột cho điều kiện khác thì thêm cột tiêu đề "
            "“Đánh giá <mã điều kiện>”.",
        ),
        (
            "Kiểm tra",
            "k39docs validate hoso.xlsx — mỗi lỗi chỉ rõ trang và ô, ví dụ "
            "“ô Ứng viên!F7”. Lập văn bản: k39docs render hoso.xlsx.",
        ),
        ("Ghi chú ở tiêu đề", "Di chuột vào ô tiêu đề (góc đỏ) để xem cách ghi từng cột."),
    ]
    row = 1
    for head, body in text:
        a = sheet.cell(row, 1, head)
        a.font = Font(name=FONT, bold=True, size=12 if body is None else 11)
        a.alignment = _WRAP
        if body:
            b = sheet.cell(row, 2, body)
            b.alignment = _WRAP
            sheet.row_dimensions[row].height = ROW_LINE_PT * lines_needed(body, 100)
        row += 1
    for title, fields in tables:
        row += 1
        sheet.cell(row, 1, f"Các cột của trang {title}").font = Font(name=FONT, bold=True, size=12)
        row += 1
        for f in fields:
            sheet.cell(row, 1, f.header).alignment = _WRAP
            body = f.full_note(with_path=False)
            sheet.cell(row, 2, body).alignment = _WRAP
            sheet.row_dimensions[row].height = ROW_LINE_PT * max(
                lines_needed(body, 100), lines_needed(f.header, 34)
            )
            row += 1


def build_workbook(dossier: Dossier, base_dir: Path | None = None) -> Workbook:
    """The workbook of ``dossier``; paths are written relative to ``base_dir`` when given."""
    book = Workbook()
    dossier_sheet = book.active
    dossier_sheet.title = SHEET_DOSSIER
    candidates = book.create_sheet(SHEET_CANDIDATES)
    history = book.create_sheet(SHEET_HISTORY)
    attachments = book.create_sheet(SHEET_ATTACHMENTS)
    reports = book.create_sheet(SHEET_REPORTS)
    guide = book.create_sheet(SHEET_GUIDE)
    lists = _Lists(book)

    _dossier_sheet(dossier_sheet, dossier, lists, base_dir)
    fields = candidate_fields(_review_columns(dossier))
    _table(candidates, fields, _candidate_rows(dossier, fields, base_dir), lists)
    candidates.freeze_panes = "C2"  # the id and the name stay in view
    _table(history, HISTORY_FIELDS, _history_rows(dossier), lists)
    _table(attachments, ATTACHMENT_FIELDS, _attachment_rows(dossier, base_dir), lists)
    _table(reports, REPORT_FIELDS, _report_rows(dossier), lists)
    _guide_sheet(
        guide,
        [
            (SHEET_CANDIDATES, fields),
            (SHEET_HISTORY, HISTORY_FIELDS),
            (SHEET_ATTACHMENTS, ATTACHMENT_FIELDS),
            (SHEET_REPORTS, REPORT_FIELDS),
        ],
    )
    for sheet in (dossier_sheet, candidates, history, attachments, reports, guide):
        # printed: landscape A4, as wide as the page (the candidates over a few pages), the
        # header row on every page
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 4 if sheet is candidates else 1
        sheet.page_setup.fitToHeight = 0
        if sheet is not guide:
            sheet.print_title_rows = "1:1"
    book.active = 0
    return book


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then move it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".k39-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_workbook(
    dossier: Dossier, path: str | Path, *, base_dir: str | Path | None = None
) -> Path:
    """Write ``dossier`` as the clerk's workbook at ``path`` (.xlsx). Signing and scan paths
    are written relative to ``base_dir`` (default: the workbook's folder)."""
    path = Path(path)
    base = Path(base_dir) if base_dir is not None else path.resolve().parent
    book = build_workbook(dossier, base)
    atomic_write(path, lambda tmp: book.save(tmp))
    return path


# --- YAML ------------------------------------------------------------------------------------


def _plain(value: Any, base_dir: Path | None) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v, base_dir) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(v, base_dir) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, Path):
        return _path_text(value, base_dir)
    if isinstance(value, date):
        return value
    return value


def dossier_yaml(dossier: Dossier, base_dir: Path | None = None) -> str:
    """The dossier as a YAML file's text (fields as ``dossier.example.yaml`` names them)."""
    import yaml

    data = _plain(dossier.model_dump(mode="python"), base_dir)
    head = (
        "# Hồ sơ cử cán bộ đi bồi dưỡng ở nước ngoài theo Kết luận số 39-KL/TW\n"
        "# (do k39docs chuyển đổi; xem dossier.example.yaml để biết ý nghĩa từng trường)\n"
    )
    return head + yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )


def write_yaml(dossier: Dossier, path: str | Path, *, base_dir: str | Path | None = None) -> Path:
    path = Path(path)
    base = Path(base_dir) if base_dir is not None else path.resolve().parent
    text = dossier_yaml(dossier, base)

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)
    return path
