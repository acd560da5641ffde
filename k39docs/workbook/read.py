"""Reading the clerk's workbook: cells → the dossier's plain data, with the cell of every field.

``.xlsx``/``.xlsm`` are read with openpyxl, ``.xls`` and ``.ods`` with python-calamine. Each sheet
becomes a grid of values; the ``layout`` tables say which row or column is which field. Cells are
read the way a clerk means them: a date typed as text is day first (``12/04/1975``), a birth date
may be ``04/1975`` or ``1975``, a CCCD that Excel turned into a number gets its leading zeros back
(a CCCD is always 12 digits and begins with 0: the province code is 001–096), "Có"/"Không" are
yes/no, a list cell holds one item per line, a vertically merged cell gives its value to every
row it spans, empty rows and the clerk's own columns and sheets are passed over. What cannot be
read so is refused with its sheet and cell (``Ứng viên!F7``).

The data then goes through the same validation as a YAML file (``load_dossier`` on a mapping,
passed in by the loader: text cleaning, the model, the Vietnamese messages), and each issue's
field path is turned into its cell.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from ..dossier.model import Candidate
from ..errors import DossierError, FieldIssue
from .layout import (
    ATTACHMENT_FIELDS,
    BOOL_LABELS,
    CANDIDATE_FIELDS,
    DOSSIER_HEADERS,
    DOSSIER_ROWS,
    HISTORY_FIELDS,
    PURPOSE_LABELS,
    REPORT_FIELDS,
    SHEET_ATTACHMENTS,
    SHEET_CANDIDATES,
    SHEET_DOSSIER,
    SHEET_HISTORY,
    SHEET_REPORTS,
    Field,
    header_key,
    review_field,
    review_rule_of,
)

__all__ = ["Book", "read_workbook", "load_workbook", "MAX_WORKBOOK_BYTES"]

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what the zip inside an .xlsx/.ods may expand to
MAX_CELLS = 2_000_000
HEADER_SEARCH_ROWS = 10

Ref = tuple[int, int]  # (row, column), 1-based


@dataclass
class Grid:
    """One sheet's non-empty values by (row, column), and its merged ranges."""

    name: str
    values: dict[Ref, Any]
    merges: list[tuple[int, int, int, int]]  # min_row, min_col, max_row, max_col
    max_row: int

    def ref(self, row: int, col: int) -> str:
        return f"{self.name}!{get_column_letter(col)}{row}"

    def range_ref(self, r0: int, c0: int, r1: int, c1: int) -> str:
        return f"{self.name}!{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"


@dataclass
class Book:
    """A workbook read into a dossier's plain data: ``data`` for the model, ``cells`` the cell
    of each field path (``candidates[0].id_number`` → ``Ứng viên!F2``), ``labels`` each path's
    column label, ``issues`` what could not be read at all."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    issues: list[FieldIssue] = field(default_factory=list)
    rows: dict[int, str] = field(default_factory=dict)  # candidate index → its row's first cell

    def place(self, path: str, cell: str, label: str | None = None) -> None:
        self.cells.setdefault(path, cell)
        if label:
            self.labels.setdefault(path, label)
        prefix = path
        while True:  # a missing part of a group points at the group's first cell
            cut = max(prefix.rfind("."), prefix.rfind("["))
            if cut <= 0:
                break
            prefix = prefix[:cut]
            self.cells.setdefault(prefix, cell)

    def problem(self, path: str, cell: str | None, message: str) -> None:
        label = self.labels.get(path)
        self.issues.append(
            FieldIssue(path, None, f"{label}: {message}" if label else message, cell=cell)
        )

    def cell_of(self, path: str) -> str | None:
        while path:
            if path in self.cells:
                return self.cells[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return self.cells.get(path)

    def located(self, issue: FieldIssue) -> FieldIssue:
        """A model issue with its cell, its column label, and rows for ``candidates[N]``."""
        message = _CANDIDATE_REF.sub(
            lambda m: (
                f"ứng viên ở ô {self.rows[int(m.group(1))]}"
                if int(m.group(1)) in self.rows
                else m.group(0)
            ),
            issue.message,
        )
        label = self.labels.get(issue.path)
        if label:
            message = f"{label}: {message}"
        return FieldIssue(issue.path, None, message, cell=self.cell_of(issue.path))


_CANDIDATE_REF = re.compile(r"candidates\[(\d+)\]")


class _Unreadable(Exception):
    """A cell whose value cannot mean what its column asks for; the message is Vietnamese."""


# --- opening the file ------------------------------------------------------------------------


def _refuse(path: Path, message: str) -> DossierError:
    return DossierError([FieldIssue("", None, message)], str(path))


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise _refuse(
            path,
            f"không tìm thấy tệp {path}"
            if not path.exists()
            else f"{path} không phải là một tệp bảng tính",
        )
    size = path.stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        raise _refuse(path, f"tệp bảng tính lớn hơn {MAX_WORKBOOK_BYTES // (1024 * 1024)} MB")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".ods"):
        try:
            with zipfile.ZipFile(path) as z:
                unpacked = sum(i.file_size for i in z.infolist())
        except (zipfile.BadZipFile, OSError):
            raise _refuse(
                path,
                f"tệp {path.name} không phải bảng tính {path.suffix} hợp lệ "
                "(hỏng, hoặc đặt nhầm đuôi tệp)",
            ) from None
        if unpacked > MAX_UNPACKED_BYTES:
            raise _refuse(path, "tệp bảng tính giải nén ra quá lớn")


def _open_openpyxl(path: Path) -> dict[str, Grid]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # noqa: BLE001  (openpyxl raises many kinds for a broken file)
        raise _refuse(path, f"không đọc được bảng tính {path.name}: {exc}") from None
    grids = {}
    for sheet in book.worksheets:
        if sheet.max_row * sheet.max_column > MAX_CELLS:
            raise _refuse(path, f"trang “{sheet.title}” có quá nhiều ô")
        values = {}
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None and cell.value != "":
                    values[(cell.row, cell.column)] = cell.value
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in sheet.merged_cells.ranges]
        grids[sheet.title] = Grid(sheet.title, values, merges, sheet.max_row)
    return grids


def _open_calamine(path: Path) -> dict[str, Grid]:
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise _refuse(
            path,
            f"không đọc được tệp {path.suffix}: thiếu gói python-calamine; hãy "
            "lưu bảng tính dạng .xlsx",
        ) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
        grids = {}
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            if sheet.height * sheet.width > MAX_CELLS:
                raise _refuse(path, f"trang “{name}” có quá nhiều ô")
            values = {}
            rows = sheet.to_python(skip_empty_area=False)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None and value != "":
                        values[(r, c)] = value
            merges = [
                (a[0] + 1, a[1] + 1, b[0] + 1, b[1] + 1)
                for a, b in (getattr(sheet, "merged_cell_ranges", None) or ())
            ]
            grids[name] = Grid(name, values, merges, len(rows))
    except DossierError:
        raise
    except Exception as exc:  # noqa: BLE001  (calamine's: broken, encrypted, not a workbook)
        raise _refuse(path, f"không đọc được bảng tính {path.name}: {exc}") from None
    return grids


def _open(path: Path) -> dict[str, Grid]:
    _check_file(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _open_openpyxl(path)
    return _open_calamine(path)


def _sheet(grids: dict[str, Grid], name: str) -> Grid | None:
    if name in grids:
        return grids[name]
    for title, grid in grids.items():
        if header_key(title) == header_key(name):
            return grid
    return None


# --- one cell → a value the model reads ------------------------------------------------------


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,  ]\d{3})+$")
_TRUE = {"có", "co", "x", "true", "yes", "đúng", "1"}
_FALSE = {"không", "khong", "false", "no", "sai", "0"}


def _number(value: Any) -> Any:
    """An integral float (calamine reads every number so) as an int."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _text(value: Any) -> str:
    value = _number(value)
    if isinstance(value, bool):
        return BOOL_LABELS[value]
    if isinstance(value, datetime):
        value = value.date() if value.time() == time() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _date(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value  # the model names a time
    if isinstance(value, date):
        return value
    if isinstance(value, (bool, time, timedelta)) or isinstance(value, (int, float)):
        shown = _text(value) if isinstance(value, bool) else value
        raise _Unreadable(
            f"ô chứa số {shown}, không phải ngày: định dạng ô kiểu ngày "
            "(dd/mm/yyyy) hoặc gõ ngày/tháng/năm, ví dụ 01/03/2027"
        )
    text = " ".join(str(value).split())
    m = _DMY.match(text)
    parts = (int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else None
    if parts is None:
        iso = _ISO.match(text)
        if iso and iso.group(3):
            parts = (int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    if parts is None:
        raise _Unreadable(
            f"không đọc được ngày “{text[:40]}”: ghi ngày/tháng/năm, ví dụ "
            "01/03/2027, hoặc dùng ô kiểu ngày"
        )
    try:
        return date(*parts)
    except ValueError:
        raise _Unreadable(f"ngày “{text}” không có thật (ngày/tháng/năm)") from None


def _birth(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return str(value)
    if not isinstance(value, str):
        raise _Unreadable(
            f"không đọc được ngày sinh {_text(value)}: ghi 12/04/1975, 04/1975 hoặc 1975"
        )
    text = " ".join(value.split())
    m, my, iso = _DMY.match(text), _MY.match(text), _ISO.match(text)
    if m:
        y, mo, d = int(m.group(3)), int(m.group(2)), int(m.group(1))
    elif my:
        y, mo, d = int(my.group(2)), int(my.group(1)), None
    elif iso:
        y, mo, d = int(iso.group(1)), int(iso.group(2)), int(iso.group(3)) if iso.group(3) else None
    elif re.fullmatch(r"\d{4}", text):
        return text
    else:
        raise _Unreadable(
            f"không đọc được ngày sinh “{text[:40]}”: ghi ngày/tháng/năm "
            "(12/04/1975), tháng/năm (04/1975) hoặc năm (1975)"
        )
    try:
        date(y, mo, d or 1)
    except ValueError:
        raise _Unreadable(f"ngày sinh “{text}” không có thật (ngày/tháng/năm)") from None
    return f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")


def _cccd(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, str):
        return "".join(value.split())  # "051 075 001 234" as clerks group it
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        # Excel drops the leading zeros of a number; every CCCD is 12 digits starting with the
        # province code 001–096, so 10 or 11 digits give back exactly the number typed
        padded = digits.zfill(12)
        if value > 0 and len(digits) in (10, 11) and 1 <= int(padded[:3]) <= 96:
            return padded
        raise _Unreadable(
            f"ô là số {digits} ({len(digits)} chữ số): số CCCD phải gồm đúng 12 "
            "chữ số; định dạng ô là văn bản (Text) rồi gõ lại đủ 12 chữ số"
        )
    raise _Unreadable(f"số CCCD phải gồm đúng 12 chữ số, không phải {_text(value)}")


def _bool(value: Any) -> bool:
    value = _number(value)
    if isinstance(value, bool):
        return value
    key = header_key(_text(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise _Unreadable(f"chọn Có hoặc Không, không phải “{_text(value)[:40]}”")


def _int(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, str):
        text = value.strip()
        if _THOUSANDS.match(text):
            return int(re.sub(r"\D", "", text))
        if re.fullmatch(r"[+-]?\d{1,18}", text):
            return int(text)
    if isinstance(value, bool):
        raise _Unreadable(f"phải là số, không phải {_text(value)}")
    return value  # the model says why it is not a whole number


def _lines(value: Any) -> list[str]:
    text = _text(value)
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def _purpose(value: Any) -> str:
    key = header_key(_text(value))
    for code, label in PURPOSE_LABELS.items():
        if key in (code, header_key(label)):
            return code
    choices = "; ".join(f"{label} ({code})" for code, label in PURPOSE_LABELS.items())
    raise _Unreadable(f"giá trị “{_text(value)[:40]}” không hợp lệ; phải là một trong: {choices}")


def convert(f: Field, value: Any) -> Any:
    """The value of ``f``'s cell as the model reads it; ``_Unreadable`` when it cannot be."""
    kind = f.kind
    if kind == "date":
        return _date(value)
    if kind == "birth":
        return _birth(value)
    if kind == "cccd":
        return _cccd(value)
    if kind == "bool":
        return _bool(value)
    if kind in ("int", "version"):
        return _int(value)
    if kind == "lines":
        return _lines(value)
    if kind == "rules":
        return [r.strip() for r in re.split(r"[,;\r\n]+", _text(value)) if r.strip()]
    if kind == "purpose":
        return _purpose(value)
    if kind in ("choice", "authority"):
        return _text(value).strip()
    return _text(value)


# --- sheets → data ---------------------------------------------------------------------------


def _set(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def _read_dossier_sheet(grid: Grid, book: Book) -> None:
    fields = {f.path: f for section in DOSSIER_ROWS for f in section.fields}
    path_key, value_key = header_key(DOSSIER_HEADERS[1]), header_key(DOSSIER_HEADERS[2])
    found = None
    for row in range(1, HEADER_SEARCH_ROWS + 1):
        cols = {header_key(str(v)): c for (r, c), v in grid.values.items() if r == row}
        if path_key in cols and value_key in cols:
            found = row, cols[path_key], cols[value_key]
            break
    if found is None:
        book.problem(
            "",
            grid.ref(1, 1),
            f"trang {grid.name} cần dòng tiêu đề có cột “{DOSSIER_HEADERS[1]}” và "
            f"“{DOSSIER_HEADERS[2]}” (như bảng tính do k39docs init tạo)",
        )
        return
    head, path_col, value_col = found
    for r0, c0, r1, c1 in grid.merges:
        if c0 <= value_col <= c1 and r1 > head and (r1 > r0 or c0 != value_col):
            book.problem(
                "",
                grid.range_ref(r0, c0, r1, c1),
                f"ô gộp {grid.range_ref(r0, c0, r1, c1)} che cột Giá trị; hãy bỏ gộp ô",
            )
    seen: dict[str, str] = {}
    for row in range(head + 1, grid.max_row + 1):
        name = grid.values.get((row, path_col))
        value = grid.values.get((row, value_col))
        if name is None:
            if value is not None:
                book.problem(
                    "",
                    grid.ref(row, value_col),
                    f"ô có giá trị nhưng dòng này không có tên trường ở cột “{DOSSIER_HEADERS[1]}”",
                )
            continue
        path = " ".join(str(name).split())
        ref = grid.ref(row, value_col)
        f = fields.get(path)
        if f is None:
            book.problem(
                path,
                grid.ref(row, path_col),
                f"tên trường “{path[:60]}” không có trong mẫu hồ sơ (đừng sửa cột "
                f"“{DOSSIER_HEADERS[1]}”)",
            )
            continue
        if path in seen:
            book.problem(path, ref, f"trường ghi hai lần (ô {seen[path]} và ô {ref}); chỉ giữ một")
            continue
        seen[path] = ref
        book.place(path, ref, f.label)
        if value is None:
            continue
        try:
            _set(book.data, path, convert(f, value))
        except _Unreadable as exc:
            book.problem(path, ref, str(exc))


@dataclass
class _Table:
    grid: Grid
    head: int
    columns: dict[int, Field]
    rows: list[tuple[int, dict[int, Any]]]  # (row, {column: value}) of the rows with data


def _read_table(
    grid: Grid, fields: tuple[Field, ...], book: Book, *, reviews: bool = False
) -> _Table | None:
    """The rows of a per-candidate sheet, columns found by their header labels."""
    by_key = {header_key(f.label): f for f in fields}
    head, columns = None, {}
    for row in range(1, HEADER_SEARCH_ROWS + 1):
        cols: dict[int, Field] = {}
        for (r, c), v in sorted(grid.values.items()):
            if r != row or not isinstance(v, str):
                continue
            f = by_key.get(header_key(v))
            rule_id = review_rule_of(v) if reviews and f is None else None
            if rule_id:
                f = review_field(rule_id)
            if f is None:
                continue
            twice = next((k for k, g in cols.items() if g.path == f.path), None)
            if twice is not None:
                book.problem(
                    "",
                    grid.ref(row, c),
                    f"cột “{v}” trùng với cột ở ô {grid.ref(row, twice)}; chỉ giữ một",
                )
                continue
            cols[c] = f
        if cols:
            head, columns = row, cols
            break
    if head is None:
        if any(r > 0 for r, _ in grid.values):
            book.problem(
                "",
                grid.ref(1, 1),
                f"trang {grid.name} không có dòng tiêu đề (cột “{fields[0].label}” …)",
            )
        return None
    values = {k: v for k, v in grid.values.items() if k[0] > head}
    for r0, c0, r1, c1 in grid.merges:
        if r1 <= head:
            continue
        known = [c for c in range(c0, c1 + 1) if c in columns]
        if len(known) > 1:
            names = ", ".join(columns[c].label for c in known)
            book.problem(
                "",
                grid.range_ref(r0, c0, r1, c1),
                f"ô gộp {grid.range_ref(r0, c0, r1, c1)} trải qua nhiều cột ({names}); "
                "hãy bỏ gộp ô",
            )
            continue
        top = values.get((r0, c0))
        for r in range(max(r0, head + 1), r1 + 1):  # a merged cell means every row it spans
            for c in known:
                if top is not None:
                    values[(r, c)] = top
    rows = []
    for row in range(head + 1, grid.max_row + 1):
        cells = {c: values[(row, c)] for c in columns if (row, c) in values}
        if cells:
            rows.append((row, cells))
    return _Table(grid, head, columns, rows)


def _fill(
    book: Book,
    table: _Table,
    row: int,
    cells: dict[int, Any],
    target: dict[str, Any],
    prefix: str,
    skip: tuple[str, ...] = (),
) -> None:
    for col, f in table.columns.items():
        if f.path in skip:
            continue
        path = f"{prefix}.{f.path}"
        ref = table.grid.ref(row, col)
        book.place(path, ref, f.label)
        if col not in cells:
            continue
        try:
            value = convert(f, cells[col])
        except _Unreadable as exc:
            book.problem(path, ref, str(exc))
            continue
        if f.path.startswith("reviewed."):
            target.setdefault("reviewed", {})[f.path[len("reviewed.") :]] = value
        else:
            _set(target, f.path, value)


def _read_candidates(grid: Grid, book: Book) -> list[dict[str, Any]]:
    fields = tuple(
        f
        for f in CANDIDATE_FIELDS
        if f.path in Candidate.model_fields or f.path.split(".")[0] in Candidate.model_fields
    )
    table = _read_table(grid, fields, book, reviews=True)
    candidates: list[dict[str, Any]] = []
    if table is None:
        return candidates
    id_col = next((c for c, f in table.columns.items() if f.path == "id"), None)
    for row, cells in table.rows:
        i = len(candidates)
        candidate: dict[str, Any] = {}
        _fill(book, table, row, cells, candidate, f"candidates[{i}]")
        book.rows[i] = table.grid.ref(row, id_col or 1)
        book.place(f"candidates[{i}]", book.rows[i])
        candidates.append(candidate)
    used = {c["id"] for c in candidates if isinstance(c.get("id"), str)}
    number = 0
    for c in candidates:  # a blank id: ca01, ca02 … in row order, past the ids already used
        if not c.get("id"):
            number += 1
            while f"ca{number:02d}" in used:
                number += 1
            c["id"] = f"ca{number:02d}"
            used.add(c["id"])
    book.place("candidates", grid.ref(table.head + 1, 1))
    return candidates


def _by_id(candidates: list[dict[str, Any]]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, c in enumerate(candidates):
        index.setdefault(" ".join(str(c.get("id", "")).split()), i)
    return index


def _read_per_candidate(
    grid: Grid,
    fields: tuple[Field, ...],
    book: Book,
    candidates: list[dict[str, Any]],
    key: str,
    many: bool,
) -> None:
    """Rows that belong to a candidate by id: history, attachments (lists) or a report (one)."""
    table = _read_table(grid, fields, book)
    if table is None:
        return
    id_col = next((c for c, f in table.columns.items() if f.path == "id"), None)
    index = _by_id(candidates)
    first_row: dict[int, str] = {}
    for row, cells in table.rows:
        ref = table.grid.ref(row, id_col or 1)
        if id_col is None or id_col not in cells:
            book.problem("", ref, f"thiếu mã ứng viên (cột “{fields[0].label}”)")
            continue
        cid = " ".join(_text(cells[id_col]).split())
        i = index.get(cid)
        if i is None:
            book.problem("", ref, f"không có ứng viên mã “{cid[:40]}” ở trang {SHEET_CANDIDATES}")
            continue
        if many:
            items = candidates[i].setdefault(key, [])
            entry: dict[str, Any] = {}
            prefix = f"candidates[{i}].{key}[{len(items)}]"
            items.append(entry)
        else:
            if i in first_row:
                book.problem(
                    f"candidates[{i}].{key}",
                    ref,
                    f"ứng viên “{cid}” đã có báo cáo ở ô {first_row[i]}; mỗi người một dòng",
                )
                continue
            first_row[i] = ref
            entry = candidates[i].setdefault(key, {})
            prefix = f"candidates[{i}].{key}"
        _fill(book, table, row, cells, entry, prefix, skip=("id",))


def read_workbook(path: str | Path) -> Book:
    """The plain data of the workbook at ``path``, the cell of every field, and the cells that
    could not be read. Raises ``DossierError`` when the file is not a workbook it can read."""
    path = Path(path)
    grids = _open(path)
    book = Book(str(path))
    dossier_grid = _sheet(grids, SHEET_DOSSIER)
    candidate_grid = _sheet(grids, SHEET_CANDIDATES)
    missing = [
        name
        for name, g in ((SHEET_DOSSIER, dossier_grid), (SHEET_CANDIDATES, candidate_grid))
        if g is None
    ]
    if missing:
        raise _refuse(
            path,
            "bảng tính không có trang "
            + ", ".join(f"“{m}”" for m in missing)
            + " (tạo bảng tính mẫu: k39docs init hoso.xlsx); các trang hiện có: "
            + ", ".join(f"“{n}”" for n in grids),
        )
    assert dossier_grid is not None and candidate_grid is not None  # refused above otherwise
    _read_dossier_sheet(dossier_grid, book)
    candidates = _read_candidates(candidate_grid, book)
    book.data["candidates"] = candidates
    history = _sheet(grids, SHEET_HISTORY)
    if history is not None:
        _read_per_candidate(history, HISTORY_FIELDS, book, candidates, "k39_history", True)
    report = _sheet(grids, SHEET_REPORTS)
    if report is not None:
        _read_per_candidate(report, REPORT_FIELDS, book, candidates, "return_report", False)
    attachments = _sheet(grids, SHEET_ATTACHMENTS)
    if attachments is not None:
        _read_per_candidate(attachments, ATTACHMENT_FIELDS, book, candidates, "attachments", True)
    return book


def load_workbook(
    path: str | Path, *, validate: Callable[..., Any], base_dir: str | Path | None = None
) -> Any:
    """The dossier in the workbook at ``path``, validated by ``validate`` (the loader's
    ``load_dossier`` on a mapping) with paths relative to ``base_dir`` (default: the
    workbook's folder). ``DossierError`` names the sheet and cell of every problem."""
    path = Path(path)
    book = read_workbook(path)
    base = Path(base_dir) if base_dir is not None else path.resolve().parent
    try:
        dossier = validate(book.data, base_dir=base)
    except DossierError as exc:
        # a cell that could not be read was left out: the model's "missing" for it (or for the
        # group it belongs to, `commitment` for `commitment.date`) says nothing more
        own = {i.path for i in book.issues if i.path}

        def said(p: str) -> bool:
            return any(o == p or o.startswith((p + ".", p + "[")) for o in own)

        issues = book.issues + [book.located(i) for i in exc.issues if not said(i.path)]
        raise DossierError(issues, str(path)) from None
    if book.issues:
        raise DossierError(book.issues, str(path))
    return dossier
