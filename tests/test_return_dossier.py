"""A return dossier (``purpose: return``): a forwarding công văn and each participant's report on
THE course that ended, bundled and signed; no eligibility, no Tờ trình, no internal bundle.

One render (module-scoped) of a return dossier on another course than the sample nomination's
(a 2025 short course in Singapore, one report late), read back with pdftotext, pypdf, pdfsig.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pdftext import flat, pdftotext
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
RETURN_SAMPLE = ROOT / "fixtures" / "sample-return.yaml"
SAMPLE = ROOT / "fixtures" / "sample.yaml"

COURSE = {
    "type": "Ngắn hạn",  # the label, as a clerk picks it
    "title": "Bồi dưỡng ngắn hạn về chuyển đổi số trong quản trị công",
    "topic_group": 2,
    "country": "Xinh-ga-po",
    "institution": "Học viện Chính sách công Lý Quang Diệu",
    "start_date": "2025-09-08",
    "end_date": "2025-09-19",
    "decision": {
        "number": "812/QĐ-UBND",
        "date": "2025-08-25",
        "issuer": "Ủy ban nhân dân tỉnh Quảng Ngãi",
    },
    "notice": {
        "number": "15-TB/BCĐ",
        "date": "2025-07-15",
        "issuer": "Ban Chỉ đạo thực hiện Kết luận số 39-KL/TW",
    },
}
# each participant's own dates: (departure, return, report)
DATES = {
    "ca01": ("2025-09-07", "2025-09-20", "2025-09-30"),
    "ca02": ("2025-09-06", "2025-09-21", "2025-10-15"),
}  # ca02: 24 days after return


def k39(*args):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)], capture_output=True, text=True
    )


def return_data() -> dict:
    data = yaml.safe_load(RETURN_SAMPLE.read_text(encoding="utf-8"))
    data["id"] = "qng-2025-ngan-han-bao-cao"
    data["course"].update(COURSE)
    data["documents"]["cover_letter"].update(number=1870, date="2025-10-20")
    for c in data["candidates"]:
        departure, back, report = DATES[c["id"]]
        c["return_report"].update(departure_date=departure, return_date=back, date=report)
        if c["return_report"].get("certificate"):
            c["return_report"]["certificate"] = "Giấy chứng nhận số LKY-2025-0917"
    for image in ("signature_image", "seal_image"):
        data["signing"][image] = str(RETURN_SAMPLE.parent / data["signing"][image])
    return data


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("return")
    dossier = write_yaml(folder / "bao-cao.yaml", return_data())
    result = k39("render", dossier, "-o", folder / "out", "-q")
    assert result.returncode == 0, result.stderr
    out = folder / "out"
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def outline(reader: PdfReader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


pytestmark = pytest.mark.soffice


def test_validate_on_the_return_sample_exits_0_and_says_no_eligibility_ran():
    text = k39("validate", RETURN_SAMPLE)
    assert text.returncode == 0, text.stderr
    assert "purpose: return" in text.stdout and "hợp lệ" in text.stdout
    result = k39("validate", RETURN_SAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["purpose"], data["ok"], data["eligible"]) == ("return", True, None)
    assert [r["id"] for r in data["reports"]] == ["ca01", "ca02"]


def test_the_bundle_is_the_forwarding_letter_and_the_reports_signed(rendered):
    out, manifest = rendered
    reader = PdfReader(out / "dossier.pdf")
    titles = [title for title, _ in outline(reader)]
    assert titles == [
        "Công văn số 1870/UBND-NC của Ủy ban nhân dân tỉnh Quảng Ngãi",
        "Báo cáo kết quả học tập - Nguyễn Văn An",
        "Báo cáo kết quả học tập - Lê Thị Bích Ngọc",
    ]
    check = subprocess.run(["pdfsig", str(out / "dossier.pdf")], capture_output=True, text=True)
    assert check.stdout.count("Signature is Valid") == 2, check.stdout
    verified = k39("verify", out / "dossier.pdf", "--trust-root", out / "demo-ca.pem")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert manifest["purpose"] == "return" and manifest["eligible"] is None
    assert manifest["signed"] is True


def test_no_eligibility_no_submission_no_internal_bundle(rendered):
    out, manifest = rendered
    assert not (out / "eligibility.json").exists()
    assert not (out / "noi-bo.pdf").exists()
    assert not (out / "xlsx").exists()
    kinds = {f["kind"] for f in manifest["files"]}
    assert kinds == {"cover_letter", "return_report", "dossier", "demo_ca"}
    assert sorted(p.name for p in (out / "pdf").glob("*.pdf")) == [
        "bao-cao-ca01.pdf",
        "bao-cao-ca02.pdf",
        "cong-van.pdf",
    ]


def test_each_report_prints_that_course_and_its_own_dates(rendered):
    out, _ = rendered
    for cid, (departure, back, report) in DATES.items():
        text = flat(pdftotext(out / "pdf" / f"bao-cao-{cid}.pdf"))
        assert COURSE["title"] in text
        assert f"{COURSE['institution']}, {COURSE['country']}" in text
        assert "từ ngày 08 tháng 9 năm 2025 đến ngày 19 tháng 9 năm 2025" in text
        assert "Quyết định số 812/QĐ-UBND ngày 25 tháng 8 năm 2025" in text
        d, b, r = (
            f"ngày {x[8:]} tháng {int(x[5:7])} năm {x[:4]}" for x in (departure, back, report)
        )
        assert f"xuất cảnh {d}, về nước {b}" in text
        assert f"Quảng Ngãi, {r}" in text
        # nothing of the sample nomination's course
        assert "Ô-xtrây-li-a" not in text and "2027" not in text


def test_report_headings_break_only_between_their_units(rendered):
    from k39docs.documents.return_report import HEADINGS

    out, _ = rendered
    lines = [ln.strip() for ln in pdftotext(out / "pdf" / "bao-cao-ca01.pdf").splitlines()]
    for units in HEADINGS:
        first = units[0].split()[0]  # "III."
        at = next(i for i, ln in enumerate(lines) if ln.startswith(first + " "))
        words, printed = " ".join(units).split(), []
        while len(" ".join(printed).split()) < len(words):
            printed.append(lines[at])
            words_so_far = " ".join(printed).split()
            assert words_so_far == words[: len(words_so_far)], printed
            at += 1
        ends, n = set(), 0
        for unit in units:
            n += len(unit.split())
            ends.add(n)
        n = 0
        for line in printed[:-1]:
            n += len(line.split())
            assert n in ends, f"heading broken inside a unit: {printed}"


def test_late_report_warns_with_the_deadline(rendered):
    _, manifest = rendered
    late = [w for w in manifest["warnings"] if "quá thời hạn 15 ngày" in w]
    assert len(late) == 1 and "Lê Thị Bích Ngọc" in late[0] and "03/2023/TT-BNV" in late[0]


def test_forwarding_letter_names_the_course_the_decision_and_the_participants(rendered):
    from k39docs import load_dossier
    from k39docs.documents.enclosures import enclosures

    out, _ = rendered
    reader = PdfReader(out / "dossier.pdf")
    cover = dict(outline(reader))["Công văn số 1870/UBND-NC của Ủy ban nhân dân tỉnh Quảng Ngãi"]
    assert cover == 1  # after the contents page
    text = flat(pdftotext(out / "pdf" / "cong-van.pdf"))
    assert "V/v gửi báo cáo kết quả học tập, bồi dưỡng ở nước ngoài" in text
    assert COURSE["title"] in text and COURSE["institution"] in text
    assert "812/QĐ-UBND" in text
    assert "Nguyễn Văn An" in text and "Lê Thị Bích Ngọc" in text
    dossier = load_dossier(out.parent / "bao-cao.yaml")
    lines = enclosures(dossier)
    assert lines == [
        "Báo cáo kết quả học tập, bồi dưỡng ở nước ngoài và việc thực hiện quy định "
        "về bảo vệ chính trị nội bộ của 02 cán bộ."
    ]
    assert flat(lines[0]) in text
    contents = flat(pdftotext(out / "dossier.pdf", 1, 1))
    assert "MỤC LỤC HỒ SƠ" in contents
    assert "Công văn số 1870/UBND-NC ngày 20 tháng 10 năm 2025" in contents
    assert lines[0].rstrip(".") in contents


def test_a_report_dated_before_the_return_is_refused_naming_the_field(tmp_path):
    data = return_data()
    data["candidates"][0]["return_report"]["date"] = "2025-09-15"  # returned 2025-09-20
    result = k39("render", write_yaml(tmp_path / "bad.yaml", data), "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "candidates[0].return_report.date" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_nomination_carrying_a_return_report_is_refused(tmp_path):
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    report = yaml.safe_load(RETURN_SAMPLE.read_text(encoding="utf-8"))["candidates"][0]
    data["candidates"][0]["return_report"] = report["return_report"]
    path = write_yaml(tmp_path / "bad.yaml", data)
    for command in (("validate", path), ("render", path, "-o", tmp_path / "out")):
        result = k39(*command)
        assert result.returncode == 2, result.stdout
        assert "candidates[0].return_report" in result.stderr
        assert "purpose: return" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_report_s_lists_are_punctuated_the_nd30_way(tmp_path):
    """Modules, lessons and proposals are list items: ";" after each, "." after the last."""
    from docx import Document as DocxDocument

    from k39docs import load_dossier
    from k39docs.render import RenderOptions, render

    sample = Path(__file__).resolve().parents[1] / "fixtures" / "sample-return.yaml"
    render(load_dossier(sample), tmp_path / "out", options=RenderOptions(formats=("docx",)))
    lines = [
        p.text
        for p in DocxDocument(str(tmp_path / "out" / "docx" / "bao-cao-ca01.docx")).paragraphs
    ]
    modules = lines.index("- Lãnh đạo và quản lý sự thay đổi trong khu vực công;")
    assert lines[modules + 1] == "- Hoạch định và thực thi chính sách."
    assert "- Kinh nghiệm lập kế hoạch đầu tư công trung hạn dựa trên dữ liệu." in lines
