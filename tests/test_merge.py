"""`k39docs merge`: the nominees of several agencies' workbooks (or YAML files) in one dossier, the
same person twice refused naming both files and rows, clashing ids renumbered with a warning."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from k39docs import load_dossier

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def k39(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)], capture_output=True, text=True, cwd=cwd
    )


def agency_workbook(folder: Path, name: str, data: dict) -> Path:
    """An agency's workbook, made as a clerk would: its YAML converted by the command."""
    source = folder / f"{name}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = k39("convert", source.name, f"{name}.xlsx", cwd=folder)
    assert result.returncode == 0, result.stderr
    source.unlink()
    return folder / f"{name}.xlsx"


@pytest.fixture
def agencies(tmp_path, sample_mapping):
    """Two agencies' workbooks: the first two nominees of the sample, and the last two with the
    same ids ca01, ca02 (each agency numbers its own)."""
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    first = copy.deepcopy(sample_mapping)
    first["candidates"] = first["candidates"][:2]
    second = copy.deepcopy(sample_mapping)
    second["candidates"] = second["candidates"][2:]
    for i, c in enumerate(second["candidates"], start=1):
        c["id"] = f"ca{i:02d}"
    return (
        agency_workbook(tmp_path, "so-tai-chinh", first),
        agency_workbook(tmp_path, "so-khcn", second),
    )


def test_merge_joins_two_agencies_and_renumbers_clashing_ids(agencies, sample_dossier):
    a, b = agencies
    result = k39("merge", a.name, b.name, "-o", "hoso.yaml", cwd=a.parent)
    assert result.returncode == 0, result.stderr
    assert "Cảnh báo" in result.stderr and "đổi thành ca03" in result.stderr
    assert "so-khcn.xlsx" in result.stderr
    merged = load_dossier(a.parent / "hoso.yaml")
    assert [c.full_name for c in merged.candidates] == [
        c.full_name for c in sample_dossier.candidates
    ]
    assert [c.id for c in merged.candidates] == ["ca01", "ca02", "ca03", "ca04"]
    # the renumbered nominee keeps the rows that belonged to them on the other sheets
    assert merged.candidate("ca04").k39_history == sample_dossier.candidate("ca04").k39_history
    assert merged.candidate("ca04").id_number == sample_dossier.candidate("ca04").id_number
    assert merged.course == sample_dossier.course


def test_the_same_person_twice_is_refused_naming_both_files_and_rows(agencies):
    import openpyxl

    a, b = agencies
    book = openpyxl.load_workbook(b)
    people = book["Ứng viên"]
    cccd = next(c.column for c in people[1] if str(c.value).startswith("Số CCCD"))
    column = openpyxl.utils.get_column_letter(cccd)
    people.cell(3, cccd).value = "051075001234"  # ca01 of the first agency
    book.save(b)
    result = k39("merge", a.name, b.name, "-o", "hoso.xlsx", cwd=a.parent)
    assert result.returncode == 2
    assert "051075001234" in result.stderr
    assert "so-tai-chinh.xlsx, ô Ứng viên!A2" in result.stderr
    assert "so-khcn.xlsx, ô Ứng viên!A3" in result.stderr
    assert f"ô Ứng viên!{column}3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (a.parent / "hoso.xlsx").exists()


def test_the_other_sections_come_from_the_base(agencies, sample_mapping, tmp_path):
    a, b = agencies
    base = copy.deepcopy(sample_mapping)
    base["id"] = "qng-2027-tong-hop"
    base["candidates"] = base["candidates"][:1]  # the base's own nominees are not merged
    (tmp_path / "chung.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    result = k39("merge", a.name, b.name, "--base", "chung.yaml", "-o", "hoso.xlsx", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    merged = load_dossier(tmp_path / "hoso.xlsx")
    assert merged.id == "qng-2027-tong-hop"
    assert len(merged.candidates) == 4


def test_a_bad_cell_in_an_agency_file_is_traced_to_that_file(agencies):
    import openpyxl

    a, b = agencies
    book = openpyxl.load_workbook(b)
    people = book["Ứng viên"]
    gender = next(c.column for c in people[1] if str(c.value).startswith("Giới tính"))
    people.cell(2, gender).value = "không rõ"
    book.save(b)
    result = k39("merge", a.name, b.name, "-o", "hoso.yaml", cwd=a.parent)
    assert result.returncode == 2
    letter = openpyxl.utils.get_column_letter(gender)
    assert f"ô Ứng viên!{letter}2" in result.stderr and "so-khcn.xlsx" in result.stderr
    assert not (a.parent / "hoso.yaml").exists()
