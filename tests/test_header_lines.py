"""Header lines (ô 2, ô 5b) break between units of meaning, never inside one, for every province,
every Sở header and long sở/ban names; check-format reports a name broken inside a unit."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as OpenDocx
from format_fixtures import Recipe, build

from k39docs import load_dossier
from k39docs.documents import cover_letter, submission
from k39docs.documents.base import agency_header
from k39docs.docx.writer import write_docx
from k39docs.headerlines import bad_breaks, name_lines, name_units, subject_lines
from k39docs.nd30.checkformat import check_docx
from k39docs.nd30.fonts import text_width_mm
from k39docs.nd30.layout import CELL_MARGIN_MM, COMPONENTS, HEADER_LEFT_MM
from k39docs.vietnamese import upper_vn

ROOT = Path(__file__).resolve().parents[1]
PROVINCES = ROOT.parent / "shared" / "spec" / "provinces.txt"
COLUMN_MM = HEADER_LEFT_MM - 2 * CELL_MARGIN_MM  # what agency_header fits the lines into


def _provinces() -> list[str]:
    if not PROVINCES.is_file():
        pytest.skip(f"{PROVINCES} không có (CI có tệp này): bỏ qua phép thử theo danh sách tỉnh")
    lines = PROVINCES.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def _place_unit(province: str) -> str:
    """ "TỈNH GIA LAI", "THÀNH PHỐ HỒ CHÍ MINH": the province as one unit, in capitals."""
    return upper_vn(province)


def _fits(line: str, component: str) -> bool:
    comp = COMPONENTS[component]
    return text_width_mm(line, comp.size, bold=comp.bold) <= COLUMN_MM


# --- the splitter itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, units",
    [
        ("ỦY BAN NHÂN DÂN TỈNH GIA LAI", ["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"]),
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"]),
        ("UBND TỈNH BÀ RỊA - VŨNG TÀU", ["UBND", "TỈNH BÀ RỊA - VŨNG TÀU"]),
        ("HỘI ĐỒNG NHÂN DÂN XÃ IA GRAI", ["HỘI ĐỒNG NHÂN DÂN", "XÃ IA GRAI"]),
        ("SỞ NỘI VỤ", ["SỞ NỘI VỤ"]),
        ("SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", ["SỞ NÔNG NGHIỆP", "VÀ MÔI TRƯỜNG"]),
        ("BAN DÂN TỘC VÀ TÔN GIÁO", ["BAN DÂN TỘC", "VÀ TÔN GIÁO"]),
        ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", ["SỞ LAO ĐỘNG - THƯƠNG BINH", "VÀ XÃ HỘI"]),
        (
            "BAN QUẢN LÝ KHU KINH TẾ DUNG QUẤT VÀ CÁC KHU CÔNG NGHIỆP QUẢNG NGÃI",
            ["BAN QUẢN LÝ", "KHU KINH TẾ DUNG QUẤT", "VÀ CÁC", "KHU CÔNG NGHIỆP QUẢNG NGÃI"],
        ),
        ("BAN THƯỜNG VỤ TỈNH ỦY GIA LAI", ["BAN THƯỜNG VỤ", "TỈNH ỦY GIA LAI"]),
        ("XÃ BAN CÔNG", ["XÃ BAN CÔNG"]),  # "BAN" inside a place name opens nothing
    ],
)
def test_units_of_agency_names(name, units):
    assert name_units(name) == units


def test_a_unit_wider_than_the_column_is_the_only_one_broken_inside():
    name = "BAN QUẢN LÝ KHU KINH TẾ DUNG QUẤT VÀ CÁC KHU CÔNG NGHIỆP QUẢNG NGÃI"
    lines = name_lines(name, COLUMN_MM, 13, bold=True)
    assert " ".join(lines) == name
    assert all(_fits(line, "agency") for line in lines), lines
    # "KHU CÔNG NGHIỆP QUẢNG NGÃI" alone is wider than the column: it alone may split, between
    # its phrases; "ỦY BAN"-like phrases and the other units stay whole
    assert lines == [
        "BAN QUẢN LÝ",
        "KHU KINH TẾ DUNG QUẤT",
        "VÀ CÁC",
        "KHU CÔNG NGHIỆP",
        "QUẢNG NGÃI",
    ]


def test_bad_breaks_names_the_break_inside_a_unit():
    assert bad_breaks(["ỦY BAN NHÂN", "DÂN TỈNH GIA LAI"]) == [("ỦY BAN NHÂN", "DÂN TỈNH GIA LAI")]
    assert bad_breaks(["ỦY BAN NHÂN DÂN TỈNH", "GIA LAI"]) == [("ỦY BAN NHÂN DÂN TỈNH", "GIA LAI")]
    assert bad_breaks(["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"]) == []


def test_subject_lines_keep_references_and_phrases_whole():
    subject = cover_letter.SUBJECT
    lines = subject_lines(subject, COLUMN_MM, COMPONENTS["subject"].size)
    assert " ".join(lines) == subject
    assert any("Kết luận số 39-KL/TW" in line for line in lines), lines
    for line in lines:
        assert _fits(line, "subject")
        last = line.split()[-1]
        assert last not in {"ở", "theo", "của", "và", "về", "số", "V/v"}, lines
    for phrase in ("cán bộ", "bồi dưỡng", "nước ngoài", "tham gia"):
        assert any(phrase in line for line in lines), (phrase, lines)


# --- every province, on the function and on the DOCX ----------------------------------------


def test_every_province_as_issuer_and_as_parent_breaks_between_units():
    for province in _provinces():
        place = _place_unit(province)
        header = agency_header(f"Ủy ban nhân dân {province}")
        lines = header["agency_lines"]
        assert " ".join(lines) == f"ỦY BAN NHÂN DÂN {place}"
        assert lines[-1].endswith(place) and lines[0].startswith("ỦY BAN NHÂN DÂN"), lines
        assert place in lines[-1], f"{province}: {lines}"  # the place name on one line
        assert bad_breaks(lines) == [], lines
        assert all(_fits(line, "agency") for line in lines), lines

        sub = agency_header("Sở Nội vụ", parent=f"UBND {province}")
        assert sub["agency_lines"] == ["SỞ NỘI VỤ"]
        parent_lines = sub["parent"].split("\n")
        assert " ".join(parent_lines) == f"UBND {place}"
        assert place in parent_lines[-1], parent_lines
        assert all(_fits(line, "parent_agency") for line in parent_lines), parent_lines
        assert bad_breaks(parent_lines) == []


@pytest.mark.parametrize(
    "name",
    [
        "Ban Quản lý Khu kinh tế Dung Quất và các Khu công nghiệp Quảng Ngãi",
        "Sở Nông nghiệp và Môi trường",
        "Ban Dân tộc và Tôn giáo",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Khoa học và Công nghệ",
    ],
)
def test_long_department_names_break_between_units(name):
    lines = agency_header(name, parent="UBND tỉnh Quảng Ngãi")["agency_lines"]
    assert " ".join(lines) == upper_vn(name)
    assert all(_fits(line, "agency") for line in lines), lines
    units = name_units(upper_vn(name))
    wide = [u for u in units if not _fits(u, "agency")]
    if not wide:  # every unit fits the column: no line breaks inside one
        assert bad_breaks(lines) == [], lines


def _header_cell_lines(path: Path) -> list[str]:
    cell = OpenDocx(str(path)).tables[0].cell(0, 0)
    return [line for p in cell.paragraphs for line in p.text.split("\n") if line.strip()]


def test_every_province_on_the_docx_of_the_cong_van_and_to_trinh(tmp_path, sample_mapping):
    for province in _provinces():
        data = copy.deepcopy(sample_mapping)
        data["issuer"]["name"] = f"Ủy ban nhân dân {province}"
        data["department"]["parent"] = f"UBND {province}"
        dossier = load_dossier(data)
        place = _place_unit(province)
        cong_van = write_docx(cover_letter.build(dossier), tmp_path / "cong-van.docx")
        assert _header_cell_lines(cong_van) == ["ỦY BAN NHÂN DÂN", place], province
        to_trinh = write_docx(submission.build(dossier), tmp_path / "to-trinh.docx")
        lines = _header_cell_lines(to_trinh)
        assert lines[-1] == "SỞ NỘI VỤ" and " ".join(lines[:-1]) == f"UBND {place}", lines
        assert place in lines[-2], lines
        for path in (cong_van, to_trinh):
            assert [str(f) for f in check_docx(path) if "cụm từ" in f.found] == [], province


def test_ho_chi_minh_city_parent_line_breaks_after_ubnd(tmp_path, sample_mapping):
    data = copy.deepcopy(sample_mapping)
    data["department"]["parent"] = "UBND Thành phố Hồ Chí Minh"
    path = write_docx(submission.build(load_dossier(data)), tmp_path / "to-trinh.docx")
    assert _header_cell_lines(path) == ["UBND", "THÀNH PHỐ HỒ CHÍ MINH", "SỞ NỘI VỤ"]
    assert check_docx(path) == []


# --- check-format ---------------------------------------------------------------------------


def test_check_format_reports_an_agency_name_broken_inside_a_unit(tmp_path):
    bad = build(
        tmp_path / "cong-van.docx",
        Recipe(kind="cong_van", agency_lines=("ỦY BAN NHÂN", "DÂN TỈNH GIA LAI")),
    )
    found = [f for f in check_docx(bad) if f.component.startswith(COMPONENTS["agency"].label)]
    assert len(found) == 1, found
    assert "“ỦY BAN NHÂN” / “DÂN TỈNH GIA LAI”" in found[0].found
    assert "cụm từ trọn nghĩa" in found[0].expected
    good = build(
        tmp_path / "dung.docx",
        Recipe(kind="cong_van", agency_lines=("ỦY BAN NHÂN DÂN", "TỈNH GIA LAI")),
    )
    assert check_docx(good) == []
    result = subprocess.run(
        [sys.executable, "-m", "k39docs", "check-format", str(bad)], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DÂN TỈNH GIA LAI" in result.stdout


def test_check_format_reports_a_parent_line_broken_inside_a_place_name(tmp_path):
    bad = build(tmp_path / "to-trinh.docx", Recipe(parent_agency="UBND TỈNH BÀ RỊA - VŨNG\nTÀU"))
    text = [
        f.found
        for f in check_docx(bad)
        if f.component.startswith(COMPONENTS["parent_agency"].label)
    ]
    assert any("“UBND TỈNH BÀ RỊA - VŨNG” / “TÀU”" in t for t in text), text
