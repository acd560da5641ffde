"""The eligibility working paper (Kết quả rà soát) and what `render` does when a candidate fails.

A failing candidate, or a review nobody has settled, stops `k39docs render` (exit 1, nothing
written) unless a reason is given with `--allow-ineligible`; the reason then goes in
manifest.json, eligibility.json and the working paper, which shows √ / × / ? for every rule. A
selection interview still to come (IV.2.1.c ``pending``) does not stop it. Most tests render DOCX only; the PDF checks use the
session's `rendered` sample and one LibreOffice render of an ineligible dossier.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path

import pdftext
import pytest
import yaml
from docx import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from pypdf import PdfReader

from k39docs import load_dossier
from k39docs.documents import build_documents
from k39docs.docx.writer import write_docx
from k39docs.rules import all_rules, check_eligibility, rules_for

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
REPORT_DOCX = Path("docx") / "ket-qua-ra-soat.docx"
REPORT_PDF = Path("pdf") / "ket-qua-ra-soat.pdf"
REASON = "Ban Tổ chức Tỉnh ủy đề nghị giữ tên để Trung ương xem xét"
FAILING = "Trần Minh Khoa"  # ca03, born 06/1965 in the failing dossier: retires 31/12/2026


def k39(*args):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)], capture_output=True, text=True
    )


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def failing_yaml(tmp_path, sample_mapping) -> Path:
    """The sample with ca03 born 06/1965: he retires before the course starts (IV.2.1.a fails)."""
    assert sample_mapping["candidates"][2]["full_name"] == FAILING
    sample_mapping["candidates"][2]["birth_date"] = "1965-06"
    return write_yaml(tmp_path / "fail.yaml", sample_mapping)


def results_table(docx_path: Path) -> tuple[dict[str, int], list[list[str]]]:
    """The main table of the working paper: column of each header text, and the candidate rows."""
    doc = DocxDocument(str(docx_path))
    table = max(doc.tables, key=lambda t: len(t.columns))
    columns: dict[str, int] = {}
    for row in table.rows[:2]:  # two header rows: the rule ids are under a merged heading
        for i, cell in enumerate(row.cells):
            columns.setdefault(cell.text.strip(), i)
    body = [
        [c.text for c in row.cells] for row in table.rows if row.cells[0].text.strip().isdigit()
    ]
    return columns, body


def docx_text(path: Path) -> str:
    doc = DocxDocument(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


pdftotext = partial(pdftext.pdftotext, layout=True)


# --- refusing and allowing an ineligible dossier ------------------------------------------------


def test_failing_candidate_stops_render_naming_candidate_and_rule(tmp_path, failing_yaml):
    out = tmp_path / "out"
    result = k39("render", failing_yaml, "-o", out, "--format", "docx")
    assert result.returncode == 1, result.stdout + result.stderr
    assert FAILING in result.stderr and "ca03" in result.stderr
    assert "IV.2.1.a" in result.stderr, "the clerk is not told which condition fails"
    assert "--allow-ineligible" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists(), "an output folder was created for a dossier that must not be issued"
    assert not list(tmp_path.glob(".out*")), "staging folder left behind"


def test_failing_candidate_leaves_previous_output_untouched(tmp_path, failing_yaml):
    out = tmp_path / "out"
    assert k39("render", SAMPLE, "-o", out, "--format", "docx", "-q").returncode == 0
    before = (out / "manifest.json").read_bytes()
    assert k39("render", failing_yaml, "-o", out, "--format", "docx").returncode == 1
    assert (out / "manifest.json").read_bytes() == before


def test_allow_ineligible_issues_and_records_the_reason_everywhere(tmp_path, failing_yaml):
    out = tmp_path / "out"
    result = k39(
        "render", failing_yaml, "-o", out, "--format", "docx", "--allow-ineligible", REASON
    )
    assert result.returncode == 0, result.stderr
    assert REASON in result.stdout

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["eligible"] is False
    assert manifest["allow_ineligible"] == REASON
    eligibility = json.loads((out / "eligibility.json").read_text(encoding="utf-8"))
    assert eligibility["eligible"] is False
    assert eligibility["allow_ineligible"] == REASON
    ca03 = next(c for c in eligibility["candidates"] if c["id"] == "ca03")
    assert ca03["status"] == "fail"

    text = docx_text(out / REPORT_DOCX)
    assert REASON in text, "the working paper does not say why an ineligible dossier was issued"
    columns, rows = results_table(out / REPORT_DOCX)
    row = next(r for r in rows if r[columns["Họ và tên"]] == FAILING)
    assert row[columns["IV.2.1.a"]] == "×", f"IV.2.1.a column of {FAILING}: {row}"
    assert row[columns["Kết quả"]] == "Không đạt"
    assert row[columns["Thời điểm nghỉ hưu"]] == "31/12/2026"
    others = [r for r in rows if r is not row]
    assert all(r[columns["IV.2.1.a"]] == "√" for r in others)
    # the reason for the × is spelled out under the table, with the rule's clause and source
    assert "Ngày nghỉ hưu dự kiến 31/12/2026" in text
    assert "tiểu mục 2.1 Mục IV" in text  # cited the Phụ lục II way, smallest unit first


def test_reason_is_not_printed_when_everyone_is_eligible(tmp_path):
    out = tmp_path / "out"
    result = k39(
        "render", SAMPLE, "-o", out, "--format", "docx", "-q", "--allow-ineligible", REASON
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["allow_ineligible"] is None
    assert REASON not in docx_text(out / REPORT_DOCX)


def test_an_unsettled_review_blocks_render(tmp_path, sample_mapping):
    ngoc = sample_mapping["candidates"][1]
    del ngoc["reviewed"]  # IV.1.d: nobody has judged the fit yet
    path = write_yaml(tmp_path / "review.yaml", sample_mapping)
    out = tmp_path / "out"
    result = k39("render", path, "-o", out, "--format", "docx")
    assert result.returncode == 1, result.stdout + result.stderr
    assert ngoc["full_name"] in result.stderr and "IV.1.d" in result.stderr
    assert "`reviewed: {IV.1.d:" in result.stderr, "the clerk is not told how to settle it"
    assert not out.exists()


def test_a_review_settled_by_an_exception_is_issued_and_marked(tmp_path, sample_mapping):
    ngoc = sample_mapping["candidates"][1]
    del ngoc["reviewed"]
    ngoc["exception"] = {"rules": ["IV.1.d"], "reason": REASON}
    path = write_yaml(tmp_path / "review.yaml", sample_mapping)
    out = tmp_path / "out"
    result = k39("render", path, "-o", out, "--format", "docx")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["eligible"] is False
    assert [(e["candidate"], e["rules"]) for e in manifest["exceptions"]] == [("ca02", ["IV.1.d"])]
    columns, rows = results_table(out / REPORT_DOCX)
    row = next(r for r in rows if r[columns["Họ và tên"]] == ngoc["full_name"])
    assert row[columns["IV.1.d"]] == "?"
    assert row[columns["Kết quả"]] == "Cần xem xét"


def test_a_pending_interview_does_not_block_and_the_paper_says_it_is_to_come(
    tmp_path, sample_mapping
):
    ngoc = sample_mapping["candidates"][1]
    del ngoc["interview_passed"]  # the institution interviews the nominees after the nomination
    path = write_yaml(tmp_path / "pending.yaml", sample_mapping)
    out = tmp_path / "out"
    result = k39("render", path, "-o", out, "--format", "docx")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["eligible"] is True and manifest["exceptions"] == []
    columns, rows = results_table(out / REPORT_DOCX)
    row = next(r for r in rows if r[columns["Họ và tên"]] == ngoc["full_name"])
    assert row[columns["IV.2.1.c"]] not in ("√", "×", "?"), "a pending interview shown as decided"
    assert "sẽ tham gia phỏng vấn tuyển chọn" in docx_text(out / REPORT_DOCX)


# --- the working paper of the sample --------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("er") / "out"
    result = k39("render", SAMPLE, "-o", out, "--format", "docx", "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_one_row_per_candidate_with_retirement_and_months_left(sample_docx, sample_dossier):
    report = check_eligibility(sample_dossier)
    columns, rows = results_table(sample_docx / REPORT_DOCX)
    assert [r[columns["Họ và tên"]] for r in rows] == [
        c.full_name for c in sample_dossier.candidates
    ]
    months_col = next(i for h, i in columns.items() if h.startswith("Thời gian giữ chức vụ"))
    for row, c in zip(rows, report.candidates, strict=True):
        assert row[columns["Thời điểm nghỉ hưu"]] == c.retirement_date.strftime("%d/%m/%Y")
        assert row[months_col] == str(c.leadership_months_left), c.full_name
        for rule_id in report.rule_ids:
            assert row[columns[rule_id]] == "√", f"{c.full_name} {rule_id}"
        assert row[columns["Kết quả"]] == "Đạt"


def test_every_rule_is_a_column_and_cited_with_its_clause(sample_docx, sample_dossier):
    columns, _ = results_table(sample_docx / REPORT_DOCX)
    text = docx_text(sample_docx / REPORT_DOCX)
    for rule in rules_for(sample_dossier.course.type):
        assert rule.id in columns, f"no column for {rule.id}"
        assert rule.clause in text, f"clause of {rule.id} missing under the table"
        assert rule.unit in text, f"the citation of {rule.id} is missing"
    # the reviewers' notes are printed with the rule they decide
    for c in sample_dossier.candidates:
        for note in c.reviewed.values():
            assert note in text, f"reviewer's note for {c.full_name} missing"


def test_working_paper_is_landscape_without_number_and_dated_like_the_submission(sample_docx):
    doc = DocxDocument(str(sample_docx / REPORT_DOCX))
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    text = docx_text(sample_docx / REPORT_DOCX)
    assert "KẾT QUẢ RÀ SOÁT ĐIỀU KIỆN, TIÊU CHUẨN" in text
    assert "SỞ NỘI VỤ" in text and "UBND TỈNH QUẢNG NGÃI" in text
    assert "Quảng Ngãi, ngày 03 tháng 12 năm 2026" in text
    assert "Số:" not in text, "an internal working paper has no số ký hiệu"


def test_manifest_lists_the_working_paper(sample_docx):
    manifest = json.loads((sample_docx / "manifest.json").read_text(encoding="utf-8"))
    entry = next(f for f in manifest["files"] if f["path"] == REPORT_DOCX.as_posix())
    assert entry["kind"] == "eligibility_report"
    assert entry["candidate"] is None


def test_working_paper_is_built_last_and_kept_out_of_the_bundle(sample_dossier):
    docs = build_documents(sample_dossier, check_eligibility(sample_dossier))
    last = docs[-1]
    assert (last.kind, last.stem, last.bundle, last.landscape) == (
        "eligibility_report",
        "ket-qua-ra-soat",
        "internal",
        True,
    )
    assert [d.kind for d in docs].count("eligibility_report") == 1


@pytest.mark.parametrize("course_type", ["ngan_han", "ngoai_ngu"])
def test_template_has_the_rule_columns_of_every_course_type(tmp_path, sample_mapping, course_type):
    """The template's tables are generated from the rule registry; a stale one shows here."""
    sample_mapping["course"]["type"] = course_type
    dossier = load_dossier(sample_mapping)
    report = check_eligibility(dossier)
    doc = build_documents(dossier, report)[-1]
    path = write_docx(doc, tmp_path / "er.docx")
    columns, rows = results_table(path)
    rule_columns = [h for h in columns if h in {r.id for r in all_rules()}]
    assert rule_columns == list(report.rule_ids)
    months = (
        "Thời gian công tác còn lại (tháng)"
        if course_type == "ngoai_ngu"
        else ("Thời gian giữ chức vụ lãnh đạo còn lại (tháng)")
    )
    assert months in columns
    assert len(rows) == len(dossier.candidates)


# --- PDF -------------------------------------------------------------------------------------------


@pytest.mark.soffice
def test_pdf_working_paper_is_landscape_and_not_bundled(rendered):
    outdir, manifest = rendered
    pdf = outdir / REPORT_PDF
    page = PdfReader(pdf).pages[0]
    assert page.mediabox.width > page.mediabox.height
    kinds = {
        (f.kind, f.format)
        for f in manifest.files
        if f.path.startswith(("docx/", "pdf/")) and "ket-qua-ra-soat" in f.path
    }
    assert kinds == {("eligibility_report", "docx"), ("eligibility_report", "pdf")}
    bundle = PdfReader(outdir / "dossier.pdf")
    titles = [item.title for item in bundle.outline]
    assert not any("rà soát" in t.lower() for t in titles), titles
    bundled_pages = sum(
        f.pages
        for f in manifest.files
        if f.format == "pdf" and f.kind in ("cover_letter", "nomination_list", "commitment")
    )
    contents_pages = bundle.get_destination_page_number(bundle.outline[0])
    assert len(bundle.pages) == contents_pages + bundled_pages
    assert "KẾT QUẢ RÀ SOÁT" not in pdftotext(outdir / "dossier.pdf")


@pytest.mark.soffice
def test_pdf_of_an_ineligible_dossier_prints_the_cross_and_the_reason(tmp_path, failing_yaml):
    out = tmp_path / "out"
    result = k39("render", failing_yaml, "-o", out, "--no-sign", "-q", "--allow-ineligible", REASON)
    assert result.returncode == 0, result.stderr
    text = pdftotext(out / REPORT_PDF)
    flat = " ".join(text.split())
    assert REASON in flat, "reason missing from the printed working paper"
    assert "×" in text, "the × mark did not survive conversion (a clerk would see a box)"
    assert "√" in text
    assert "Không đạt" in text
    fonts = subprocess.run(
        ["pdffonts", str(out / REPORT_PDF)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(row.split()[-5] == "yes" for row in fonts), fonts
