"""``xlsx/danh-sach.xlsx``: the nomination list as a workbook, cell for cell the DOCX list's table,
with dates and numbers as real cells."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document as DocxDocument

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
RETURN = ROOT / "fixtures" / "sample-return.yaml"


def _render(dossier, outdir):
    from k39docs.render import RenderOptions, render

    return render(dossier, outdir, options=RenderOptions(formats=("docx",), base_dir=SAMPLE.parent))


def _as_printed(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _sheet_rows(sheet) -> list[list[str]]:
    """The sheet's rows as text, a merged range's value in each of its cells (as python-docx
    gives a merged cell's text in every grid column it spans)."""
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    for merged in sheet.merged_cells.ranges:
        top = values[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                values[r - 1][c - 1] = top
    return [[_as_printed(v) for v in row] for row in values]


@pytest.fixture
def with_an_exception(sample_mapping):
    """The sample with a nominee proposed by exception: the Ghi chú column has two lines."""
    from k39docs import load_dossier

    data = yaml.safe_load(yaml.safe_dump(sample_mapping))
    data["candidates"][1]["health_fit"] = False
    data["candidates"][1]["exception"] = {"rules": ["IV.1.e"], "reason": "Đã hồi phục"}
    return load_dossier(data)


@pytest.mark.parametrize("which", ["sample", "exception"])
def test_the_workbook_has_the_docx_list_table_with_real_dates_and_numbers(
    tmp_path, sample_dossier, with_an_exception, which
):
    dossier = sample_dossier if which == "sample" else with_an_exception
    outdir = tmp_path / "out"
    manifest = _render(dossier, outdir)
    path = outdir / "xlsx" / "danh-sach.xlsx"
    entry = manifest.file("xlsx/danh-sach.xlsx")
    assert (entry.kind, entry.format, entry.candidate) == ("nomination_list", "xlsx", None)
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    table = max(
        DocxDocument(str(outdir / "docx" / "danh-sach.docx")).tables, key=lambda t: len(t.columns)
    )
    docx_rows = [[cell.text for cell in row.cells] for row in table.rows]
    sheet = openpyxl.load_workbook(path)["Danh sách"]
    assert _sheet_rows(sheet) == docx_rows  # header rows and every candidate's row, as printed

    body = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(body) == len(dossier.candidates)
    for number, (row, c) in enumerate(zip(body, dossier.candidates, strict=True), start=1):
        assert row[0] == number
        born = row[2] if c.gender.value == "nam" else row[3]
        if c.birth_date.day is not None:  # a full date is a date cell, the day first as printed
            assert isinstance(born, datetime) and (born.year, born.month, born.day) == (
                c.birth_date.year,
                c.birth_date.month,
                c.birth_date.day,
            )
        else:
            assert born == c.birth_date.display()  # "11/1980": no day to invent
        assert isinstance(row[10], int)
    date_cells = [
        cell
        for row in sheet.iter_rows(min_row=4)
        for cell in row[2:4]
        if isinstance(cell.value, datetime)
    ]
    assert date_cells and all(cell.number_format == "DD/MM/YYYY" for cell in date_cells)
    # a ruled table, as printed: every cell boxed, the header bold and centred, the rest wrapped
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=12):
        for cell in row:
            if type(cell).__name__ == "MergedCell":
                continue  # inside a merged header cell: the range's first cell holds the style
            assert {cell.border.left.style, cell.border.bottom.style} == {"thin"}, cell.coordinate
            assert cell.alignment.wrap_text, cell.coordinate
            assert cell.font.bold == (cell.row <= 3), cell.coordinate
    if which == "exception":
        assert "Đề nghị xem xét ngoại lệ (ghi chú 1)" in body[1][11]
        notes = "\n".join(
            r[0] for r in openpyxl.load_workbook(path)["Ghi chú"].iter_rows(values_only=True)
        )
        assert "(1)" in notes and "Đã hồi phục" in notes


def test_a_return_dossier_has_no_list_workbook(tmp_path):
    from k39docs import load_dossier

    outdir = tmp_path / "out"
    manifest = _render(load_dossier(RETURN), outdir)
    assert not (outdir / "xlsx").exists()
    assert all(f.format != "xlsx" for f in manifest.files)


def test_text_that_looks_like_a_formula_or_a_link_stays_text(tmp_path, sample_mapping):
    """What a clerk typed is what the cell holds: a position starting with "=" is no formula
    (Excel would compute it), an address no hyperlink."""
    from k39docs import load_dossier

    data = yaml.safe_load(yaml.safe_dump(sample_mapping))
    data["candidates"][0]["position"] = '=HYPERLINK("http://x.invalid","Giám đốc")'
    data["candidates"][1]["position"] = "http://so-noi-vu.invalid/giam-doc"
    outdir = tmp_path / "out"
    _render(load_dossier(data), outdir)
    sheet = openpyxl.load_workbook(outdir / "xlsx" / "danh-sach.xlsx")["Danh sách"]
    for row, candidate in ((4, data["candidates"][0]), (5, data["candidates"][1])):
        cell = sheet.cell(row, 5)  # "Chức vụ, đơn vị công tác": the position, then the unit
        assert cell.data_type == "s" and cell.value.startswith(candidate["position"])
        assert cell.hyperlink is None


def test_rows_are_as_high_as_their_wrapped_text(tmp_path, sample_mapping):
    """LibreOffice does not grow a row for wrapped text when it opens a workbook: each row is
    given the height of its longest cell (15 points a line), the two-row header its labels'."""
    from k39docs import load_dossier
    from k39docs.workbook.layout import ROW_LINE_PT

    data = yaml.safe_load(yaml.safe_dump(sample_mapping))
    data["candidates"][0]["position"] = "Phó Giám đốc " + "phụ trách công tác " * 12
    outdir = tmp_path / "out"
    _render(load_dossier(data), outdir)
    sheet = openpyxl.load_workbook(outdir / "xlsx" / "danh-sach.xlsx")["Danh sách"]
    heights = {r: sheet.row_dimensions[r].height for r in range(1, sheet.max_row + 1)}
    long_row = heights[4]
    assert long_row is not None and long_row >= 6 * ROW_LINE_PT  # ~250 characters in 36
    assert all(h is not None and h >= ROW_LINE_PT for r, h in heights.items() if r > 3)
    # "Thời gian công tác còn lại (tháng)" in a column 14 wide: three lines over two rows
    assert heights[1] is not None and heights[1] + ROW_LINE_PT >= 3 * ROW_LINE_PT
