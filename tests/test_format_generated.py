"""Every document k39docs generates passes its own ND30 format checker."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from pdftext import pdftotext

from k39docs import load_dossier
from k39docs.nd30.checkformat import check_files
from k39docs.render import RenderOptions, render
from k39docs.synthetic import synthetic_dossier

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def _findings_text(findings) -> str:
    return "\n".join(str(f) for f in findings)


@pytest.mark.soffice
def test_every_document_of_the_sample_passes_check_format(rendered):
    outdir, _ = rendered
    files = sorted((outdir / "docx").glob("*.docx"))
    assert len(files) == 8  # 4 documents of the dossier, 4 Bản cam kết
    findings = check_files(files)
    assert findings == [], _findings_text(findings)


def test_every_document_of_a_30_candidate_dossier_passes_check_format(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    dossier = load_dossier(synthetic_dossier(30))
    render(dossier, tmp_path / "out", options=RenderOptions(formats=("docx",)))
    files = sorted((tmp_path / "out" / "docx").glob("*.docx"))
    assert len(files) == 3 + 30 + 1  # Tờ trình, công văn, danh sách; 30 cam kết; working paper
    findings = check_files(files)
    assert findings == [], _findings_text(findings)


def test_check_format_cli_exit_codes(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    render(load_dossier(SAMPLE), tmp_path / "out", options=RenderOptions(formats=("docx",)))
    good = tmp_path / "out" / "docx" / "cong-van.docx"
    ok = subprocess.run(
        [sys.executable, "-m", "k39docs", "check-format", str(good)], capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    from docx import Document
    from docx.shared import Mm

    doc = Document(str(good))
    doc.sections[0].left_margin = Mm(25)
    bad = tmp_path / "bad.docx"
    doc.save(str(bad))
    result = subprocess.run(
        [sys.executable, "-m", "k39docs", "check-format", str(bad)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "bad.docx: Lề trái: expected 30–35 mm, found 25 mm" in result.stdout


@pytest.mark.soffice
def test_nfd_yaml_comes_out_composed_in_docx_and_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    text = unicodedata.normalize("NFD", SAMPLE.read_text(encoding="utf-8"))
    assert not unicodedata.is_normalized("NFC", text)
    source = tmp_path / "nfd.yaml"
    source.write_text(text, encoding="utf-8")
    data = yaml.safe_load(text)
    data["signing"] = {}
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    render(load_dossier(source), tmp_path / "out", options=RenderOptions(sign=False))
    pdf_text = pdftotext(tmp_path / "out" / "dossier.pdf")
    assert unicodedata.is_normalized("NFC", pdf_text)
    assert "Nguyễn Văn An" in pdf_text
    assert "Ủy ban nhân dân tỉnh Quảng Ngãi" in pdf_text


def _page_words(pdf: Path, page: int) -> list[str]:
    return pdftotext(pdf, first=page, last=page).split()


# words of the header cells merged down two rows that no data cell prints
MERGED_HEADER_WORDS = {
    "danh-sach": ["(chứng", "điểm)", "lượng", "(tháng)"],
    "ket-qua-ra-soat": ["lãnh", "(tháng)"],
}


@pytest.mark.soffice
def test_long_tables_repeat_their_whole_header_rows_on_every_page(tmp_path, monkeypatch):
    """LibreOffice does not grow a repeated header row to fit the cells merged down into it
    (on page 1 it does): the templates give that row the height those cells need. Clipped,
    "Ngoại ngữ (chứng chỉ, điểm)" printed as "Ngoại ngữ" on every page after the first."""
    from k39docs.office import convert_to_pdf

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    render(
        load_dossier(synthetic_dossier(20)),
        tmp_path / "out",
        options=RenderOptions(formats=("docx",)),
    )
    docx = [tmp_path / "out" / "docx" / f"{stem}.docx" for stem in MERGED_HEADER_WORDS]
    for pdf in convert_to_pdf(docx, tmp_path / "pdf").values():
        for page in (1, 2, 3):
            words = _page_words(pdf, page)
            missing = [w for w in MERGED_HEADER_WORDS[pdf.stem] if w not in words]
            assert not missing, f"{pdf.name}, page {page}: {missing}"
