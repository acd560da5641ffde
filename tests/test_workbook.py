"""The clerk's workbook: `init hoso.xlsx`, filled with openpyxl the way a clerk fills it, read by
`validate`/`render`/`load_dossier` with every error naming its sheet and cell, and `convert`
YAML ↔ workbook without losing anything."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document as DocxDocument

from k39docs import load_dossier
from k39docs.errors import DossierError, FieldIssue
from k39docs.workbook.layout import header_key

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
SAMPLE_RETURN = ROOT / "fixtures" / "sample-return.yaml"


def k39(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


@pytest.fixture
def hoso(tmp_path) -> Path:
    """A fresh `k39docs init hoso.xlsx` in its own folder (with the demo images)."""
    result = k39("init", "hoso.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "hoso.xlsx"


def column(sheet, label: str) -> int:
    """The column of the header labelled ``label`` (the required ``*`` ignored)."""
    for cell in sheet[1]:
        if isinstance(cell.value, str) and header_key(cell.value).startswith(header_key(label)):
            return cell.column
    raise AssertionError(f"no column {label!r}")


def letter(sheet, label: str) -> str:
    return openpyxl.utils.get_column_letter(column(sheet, label))


def dossier_row(sheet, path: str) -> int:
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == path:
            return row[1].row
    raise AssertionError(path)


def docx_texts(folder: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(folder.glob("*.docx")):
        doc = DocxDocument(str(path))
        chunks = [p.text for p in doc.paragraphs]
        chunks += [c.text for t in doc.tables for r in t.rows for c in r.cells]
        texts[path.name] = "\n".join(chunks)
    return texts


def dump(dossier) -> dict:
    return dossier.model_dump(mode="json")


# --- what init writes -------------------------------------------------------------------------


def test_init_writes_a_workbook_a_clerk_can_fill(hoso):
    book = openpyxl.load_workbook(hoso)
    for name in ("Hồ sơ", "Ứng viên", "Lịch sử K39", "Tài liệu kèm theo", "Báo cáo", "Hướng dẫn"):
        assert name in book.sheetnames
    people = book["Ứng viên"]
    headers = [c for c in people[1] if c.value]
    assert all(c.comment is not None and c.comment.text.strip() for c in headers)
    name_header = people.cell(1, column(people, "Họ và tên"))
    assert name_header.value == "Họ và tên *" and name_header.font.bold
    assert not people.cell(1, column(people, "Dân tộc")).font.bold  # optional: not marked
    assert people.freeze_panes == "C2"
    cccd = column(people, "Số CCCD")
    assert people.cell(2, cccd).value == "051075001234"
    assert people.cell(2, cccd).number_format == "@"
    assert people.cell(60, cccd).number_format == "@"  # a row the clerk has yet to fill
    assert column(people, "Đánh giá IV.1.d")  # the rule that always needs a person
    assert column(people, "Ngoại ngữ – chứng chỉ") and column(people, "Xếp loại – năm")
    # the gender drop-down lists the labels, from the hidden list sheet
    gender = letter(people, "Giới tính")
    rule = next(
        dv
        for dv in people.data_validations.dataValidation
        if f"{gender}2:{gender}" in str(dv.sqref)
    )
    lists = book["Danh mục"]
    assert lists.sheet_state == "hidden"
    ref = rule.formula1.split("!")[1].replace("$", "")
    assert [c.value for row in lists[ref] for c in row] == ["Nam", "Nữ"]
    # dates are date cells shown day first
    sheet = book["Hồ sơ"]
    start = sheet.cell(dossier_row(sheet, "course.start_date"), 3)
    assert start.value == datetime(2027, 3, 1) and start.number_format == "DD/MM/YYYY"
    assert book["Hướng dẫn"]["A1"].value.startswith("HƯỚNG DẪN")


def test_init_workbook_reads_as_the_sample(hoso):
    from_book = load_dossier(hoso, base_dir=SAMPLE.parent)
    assert dump(from_book) == dump(load_dossier(SAMPLE))


# --- filled as a clerk fills it ---------------------------------------------------------------


def _clear(sheet) -> None:
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.value = None


def test_a_clerk_filled_workbook_renders_the_same_documents_as_yaml(hoso, sample_mapping):
    book = openpyxl.load_workbook(hoso)
    people, history = book["Ứng viên"], book["Lịch sử K39"]
    _clear(people)
    _clear(history)

    def put(row, label, value):
        people.cell(row, column(people, label)).value = value

    # two nominees, with an empty row between them, as clerks leave
    for row, (name, gender, cccd, born) in {
        2: ("Võ Thị Lan", "Nữ", "051190001111", datetime(1980, 11, 5)),
        4: ("Đinh Văn Hùng", "Nam", "051071002222", "03/09/1972"),
    }.items():
        put(row, "Họ và tên", name)
        put(row, "Giới tính", gender)  # the drop-down's label
        put(row, "Ngày sinh", born)
        put(row, "Số CCCD", cccd)
        put(row, "Đảng viên", "Có")
        put(row, "Chức vụ", "Phó Giám đốc")
        put(row, "Cấp chức vụ", "Lãnh đạo cấp sở và tương đương")
        put(row, "Cơ quan, đơn vị", "Sở Tài chính")
        put(row, "Lĩnh vực công tác", "đầu tư")
        put(row, "Trình độ chuyên môn", "Thạc sĩ Quản lý công")
        put(row, "Ngoại ngữ – thứ tiếng", "Tiếng Anh")
        put(row, "Ngoại ngữ – chứng chỉ", "IELTS")
        put(row, "Ngoại ngữ – điểm", "7.0")
        put(row, "Ngoại ngữ – ngày cấp", datetime(2025, 5, 10))
        put(row, "Xếp loại – năm", 2025)
        put(row, "Xếp loại – mức", "Hoàn thành tốt nhiệm vụ")
        put(row, "Chưa được xuất cảnh", "Không")
        put(row, "Đủ sức khỏe", "Có")
        put(row, "Đạt phỏng vấn", "Có")
        put(row, "Hết thời hạn giữ chức vụ", "31/03/2031")  # typed as text, day first
        put(row, "Đánh giá IV.1.d", "Phù hợp vị trí công tác")
        put(row, "Ngày ký bản cam kết", datetime(2026, 12, 1))
    history.append(["ca02", 2024, "Ngắn hạn", "Bồi dưỡng ngắn hạn về quản lý đầu tư công"])
    book.save(hoso)

    base = {
        "education": "Thạc sĩ Quản lý công",
        "party_member": True,
        "position": "Phó Giám đốc",
        "position_level": "cap_so",
        "agency": "Sở Tài chính",
        "work_field": "đầu tư",
        "foreign_language": {
            "language": "Tiếng Anh",
            "certificate": "IELTS",
            "score": "7.0",
            "issued": "2025-05-10",
        },
        "evaluation": {"year": 2025, "rating": "hoan_thanh_tot"},
        "exit_restricted": False,
        "health_fit": True,
        "interview_passed": True,
        "leadership_term_end": "2031-03-31",
        "reviewed": {"IV.1.d": "Phù hợp vị trí công tác"},
        "commitment": {"date": "2026-12-01"},
    }
    data = copy.deepcopy(sample_mapping)
    data["candidates"] = [
        {
            "id": "ca01",
            "full_name": "Võ Thị Lan",
            "gender": "nu",
            "birth_date": "1980-11-05",
            "id_number": "051190001111",
            **base,
        },
        {
            "id": "ca02",
            "full_name": "Đinh Văn Hùng",
            "gender": "nam",
            "birth_date": "1972-09-03",
            "id_number": "051071002222",
            **base,
            "k39_history": [
                {
                    "year": 2024,
                    "type": "ngan_han",
                    "title": "Bồi dưỡng ngắn hạn về quản lý đầu tư công",
                }
            ],
        },
    ]
    twin = hoso.parent / "hoso.yaml"
    twin.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert dump(load_dossier(hoso)) == dump(load_dossier(twin))

    for source, out in ((hoso, "out-xlsx"), (twin, "out-yaml")):
        result = k39("render", source.name, "--format", "docx", "-o", out, cwd=hoso.parent)
        assert result.returncode == 0, result.stderr
    from_book = docx_texts(hoso.parent / "out-xlsx" / "docx")
    from_yaml = docx_texts(hoso.parent / "out-yaml" / "docx")
    assert from_book and from_book == from_yaml
    assert "Võ Thị Lan" in "".join(from_book.values())


@pytest.mark.parametrize(
    "label, value, expected",
    [
        ("Số CCCD", "05107500123", "12 chữ số"),
        ("Ngày ký bản cam kết", "31/02/2026", "không có thật"),
        ("Giới tính", "Nữ giới", "không hợp lệ"),
    ],
)
def test_a_broken_cell_is_named_and_nothing_is_written(hoso, label, value, expected):
    book = openpyxl.load_workbook(hoso)
    people = book["Ứng viên"]
    people.cell(3, column(people, label)).value = value
    book.save(hoso)
    cell = f"Ứng viên!{letter(people, label)}3"
    for args in (("validate", hoso.name), ("render", hoso.name, "--format", "docx", "-o", "out")):
        result = k39(*args, cwd=hoso.parent)
        assert result.returncode == 2, result.stdout
        assert f"ô {cell}" in result.stderr and expected in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
    assert not (hoso.parent / "out").exists()
    with pytest.raises(DossierError) as caught:
        load_dossier(hoso)
    assert [i.cell for i in caught.value.issues] == [cell]
    assert caught.value.issues[0].line is None


def test_a_cccd_excel_made_a_number_gets_its_zero_back_unless_digits_are_missing(hoso):
    book = openpyxl.load_workbook(hoso)
    people = book["Ứng viên"]
    cccd = column(people, "Số CCCD")
    people.cell(2, cccd).value = 51075001234  # Excel dropped the leading 0
    people.cell(3, cccd).value = "051 180 004 567"  # grouped as people write it
    book.save(hoso)
    loaded = load_dossier(hoso)
    assert [c.id_number for c in loaded.candidates[:2]] == ["051075001234", "051180004567"]

    people.cell(2, cccd).value = 5107500
    book.save(hoso)
    with pytest.raises(DossierError) as caught:
        load_dossier(hoso)
    (issue,) = caught.value.issues
    assert issue.cell == f"Ứng viên!{letter(people, 'Số CCCD')}2"
    assert "12 chữ số" in issue.message


def test_merged_cells_empty_rows_and_the_clerks_own_columns_and_sheets(hoso):
    book = openpyxl.load_workbook(hoso)
    people = book["Ứng viên"]
    people.insert_rows(3)  # an empty row between ca01 and ca02
    agency = column(people, "Cơ quan, đơn vị")
    people.cell(4, agency).value = "Sở Nội vụ"
    people.merge_cells(start_row=4, start_column=agency, end_row=5, end_column=agency)
    extra = people.max_column + 1
    people.cell(1, extra).value = "Ghi chú của văn thư"
    people.cell(2, extra).value = "đã gọi điện xác nhận"
    book.create_sheet("Nháp")["A1"] = "ghi chép riêng"
    book.save(hoso)
    loaded = load_dossier(hoso)
    assert [c.id for c in loaded.candidates] == ["ca01", "ca02", "ca03", "ca04"]
    assert [c.agency for c in loaded.candidates[1:3]] == ["Sở Nội vụ", "Sở Nội vụ"]

    start = column(people, "Chức vụ")  # a merge across two fields cannot mean anything
    people.merge_cells(start_row=2, start_column=start, end_row=2, end_column=start + 1)
    book.save(hoso)
    with pytest.raises(DossierError) as caught:
        load_dossier(hoso)
    span = f"{letter(people, 'Chức vụ')}2:{openpyxl.utils.get_column_letter(start + 1)}2"
    assert caught.value.issues[0].cell == f"Ứng viên!{span}"
    assert "ô gộp" in caught.value.issues[0].message


def test_dates_are_day_first_and_birth_dates_may_be_partial(hoso):
    book = openpyxl.load_workbook(hoso)
    people, sheet = book["Ứng viên"], book["Hồ sơ"]
    born = column(people, "Ngày sinh")
    people.cell(2, born).value = "04/1975"
    people.cell(3, born).value = 1980  # a year typed into a number cell
    people.cell(4, born).value = datetime(1972, 9, 3)
    sheet.cell(dossier_row(sheet, "course.notice.date"), 3).value = "05/10/2026"
    book.save(hoso)
    loaded = load_dossier(hoso)
    assert [str(c.birth_date) for c in loaded.candidates[:3]] == ["1975-04", "1980", "1972-09-03"]
    assert loaded.course.notice.date == date(2026, 10, 5)  # 5 October, not 10 May


def test_a_dossier_sheet_error_names_its_cell(hoso):
    book = openpyxl.load_workbook(hoso)
    sheet = book["Hồ sơ"]
    row = dossier_row(sheet, "course.topic_group")
    sheet.cell(row, 3).value = 7
    unknown = sheet.max_row + 2
    sheet.cell(unknown, 2).value = "course.cost"
    book.save(hoso)
    with pytest.raises(DossierError) as caught:
        load_dossier(hoso)
    cells = {i.cell: i.message for i in caught.value.issues}
    assert "nhỏ hơn hoặc bằng 4" in cells[f"Hồ sơ!C{row}"]
    assert "không có trong mẫu hồ sơ" in cells[f"Hồ sơ!B{unknown}"]


def test_a_missing_sheet_is_named(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Sheet1"
    path = tmp_path / "trong.xlsx"
    book.save(path)
    result = k39("validate", path)
    assert result.returncode == 2
    assert "Hồ sơ" in result.stderr and "Ứng viên" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_workbook_issue_prints_its_cell():
    issue = FieldIssue("candidates[0].id_number", None, "sai", cell="Ứng viên!F7")
    assert str(issue) == "trường `candidates[0].id_number` (ô Ứng viên!F7): sai"
    assert FieldIssue("x", 3, "sai").cell is None


# --- convert ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", [SAMPLE, SAMPLE_RETURN], ids=["nomination", "return"])
def test_convert_round_trip_loses_nothing(tmp_path, sample):
    shutil.copytree(sample.parent / "images", tmp_path / "images")
    source = tmp_path / "hoso.yaml"
    shutil.copyfile(sample, source)
    original = load_dossier(source)
    for args in (("hoso.yaml", "hoso.xlsx"), ("hoso.xlsx", "lai.yaml"), ("lai.yaml", "lai.xlsx")):
        result = k39("convert", *args, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    for name in ("hoso.xlsx", "lai.yaml", "lai.xlsx"):
        assert dump(load_dossier(tmp_path / name)) == dump(original), name
    if original.purpose == "return":
        reports = openpyxl.load_workbook(tmp_path / "hoso.xlsx")["Báo cáo"]
        assert reports.max_row >= 3
        modules = reports.cell(2, column(reports, "Nội dung đã học")).value
        assert modules.split("\n") == list(original.candidates[0].return_report.modules)


def test_convert_does_not_overwrite_or_write_what_it_cannot(tmp_path):
    shutil.copyfile(SAMPLE, tmp_path / "hoso.yaml")
    (tmp_path / "hoso.xlsx").write_bytes(b"keep")
    result = k39("convert", "hoso.yaml", "hoso.xlsx", cwd=tmp_path)
    assert result.returncode == 2 and "--force" in result.stderr
    assert (tmp_path / "hoso.xlsx").read_bytes() == b"keep"
    result = k39("convert", "hoso.yaml", "hoso.ods", cwd=tmp_path)
    assert result.returncode == 2 and not (tmp_path / "hoso.ods").exists()


@pytest.mark.soffice
def test_an_ods_and_an_xls_read_like_the_xlsx(hoso):
    profile = hoso.parent / "lo-profile"
    for fmt in ("ods", "xls"):
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                fmt,
                "--outdir",
                str(hoso.parent),
                str(hoso),
            ],
            capture_output=True,
            timeout=180,
            check=True,
        )
        assert dump(load_dossier(hoso.with_suffix(f".{fmt}"))) == dump(load_dossier(hoso))


def _leaves(model, prefix=""):
    import types
    import typing

    from pydantic import BaseModel

    for name, info in model.model_fields.items():
        ann = info.annotation
        if typing.get_origin(ann) in (typing.Union, types.UnionType):
            ann = next(a for a in typing.get_args(ann) if a is not type(None))
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from _leaves(ann, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_every_field_of_the_model_has_its_place_in_the_workbook():
    """A field the model gains without a row or column here would be lost by `convert`."""
    from k39docs.dossier.model import Candidate, Dossier
    from k39docs.workbook import layout

    rows = {f.path for group in layout.DOSSIER_ROWS for f in group.fields}
    assert {p for p in _leaves(Dossier) if p != "candidates"} == rows
    columns = {f.path for f in layout.CANDIDATE_FIELDS}
    per_row = {"k39_history": layout.HISTORY_FIELDS, "attachments": layout.ATTACHMENT_FIELDS}
    for path in _leaves(Candidate):
        if path.startswith("return_report."):
            assert path.removeprefix("return_report.") in {f.path for f in layout.REPORT_FIELDS}
        elif path != "reviewed" and path not in per_row:
            assert path in columns, path


def test_a_workbook_without_number_and_date_is_a_draft(hoso):
    """The văn thư gives the number and the date at issuance: a clerk leaves them empty."""
    book = openpyxl.load_workbook(hoso)
    sheet = book["Hồ sơ"]
    for path in (
        "documents.cover_letter.number",
        "documents.cover_letter.date",
        "documents.submission.number",
        "documents.submission.date",
    ):
        sheet.cell(dossier_row(sheet, path), 3).value = None
    book.save(hoso)
    loaded = load_dossier(hoso)
    assert loaded.documents.cover_letter.number is None
    assert loaded.documents.cover_letter.date is None
    assert loaded.documents.submission is not None and loaded.documents.submission.date is None
