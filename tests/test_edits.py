"""Edits are never lost: a DOCX the clerk changed in Word stops the render, or is kept as it is
(into its PDF and dossier.pdf), or is rendered anew, as the clerk chooses."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docx import Document as DocxDocument
from pdftext import pdftotext

pytestmark = pytest.mark.soffice

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
MARK = "DONG NAY VAN THU DA SUA TRONG WORD"  # ASCII: pdftotext gives it back whole


def k39(*args):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)], capture_output=True, text=True
    )


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def manifest_entry(outdir: Path, path: str) -> dict:
    data = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    return next(f for f in data["files"] if f["path"] == path)


def edit_cover_letter(outdir: Path) -> str:
    """Change one sentence of the công văn in Word's way (python-docx); the sentence it replaced."""
    path = outdir / "docx" / "cong-van.docx"
    doc = DocxDocument(str(path))
    paragraph = next(p for p in doc.paragraphs if len(p.text) > 120)
    before = paragraph.text
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = MARK
    doc.save(str(path))
    return before


@pytest.fixture
def dossier(tmp_path) -> Path:
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")
    return Path(shutil.copy(SAMPLE, tmp_path / "hoso.yaml"))


@pytest.fixture
def edited(tmp_path, dossier):
    """A rendered dossier whose công văn the clerk then edited."""
    outdir = tmp_path / "out"
    first = k39("render", dossier, "-o", outdir, "--no-sign")
    assert first.returncode == 0, first.stderr
    before = edit_cover_letter(outdir)
    return outdir, before


def test_an_edited_docx_stops_the_render_naming_it_and_nothing_is_written(dossier, edited):
    outdir, _before = edited
    untouched = snapshot(outdir)
    result = k39("render", dossier, "-o", outdir, "--no-sign")
    assert result.returncode == 2
    assert "docx/cong-van.docx" in result.stderr
    assert "--keep-edits" in result.stderr and "--discard-edits" in result.stderr
    assert "docx/danh-sach.docx" not in result.stderr  # only what was edited is named
    assert "Traceback" not in result.stderr
    assert snapshot(outdir) == untouched


def test_keep_edits_puts_the_edit_in_dossier_pdf_and_the_manifest_says_edited(dossier, edited):
    outdir, before = edited
    edited_bytes = (outdir / "docx" / "cong-van.docx").read_bytes()
    result = k39("render", dossier, "-o", outdir, "--no-sign", "--keep-edits")
    assert result.returncode == 0, result.stderr
    assert "Giữ bản sửa tay" in result.stdout and "docx/cong-van.docx" in result.stdout
    assert "dữ liệu của văn bản này đã thay đổi" not in result.stderr  # the data is the same
    # the template's version was in the cache from the first render: it must not come back
    assert (outdir / "docx" / "cong-van.docx").read_bytes() == edited_bytes
    assert MARK in pdftotext(outdir / "pdf" / "cong-van.pdf")
    bundle = pdftotext(outdir / "dossier.pdf")
    assert MARK in bundle
    assert before[:40] not in bundle
    entry = manifest_entry(outdir, "docx/cong-van.docx")
    assert entry["edited"] is True
    assert entry["sha256"] == hashlib.sha256(edited_bytes).hexdigest()
    assert manifest_entry(outdir, "pdf/cong-van.pdf")["edited"] is True
    assert "edited" not in manifest_entry(outdir, "docx/danh-sach.docx")
    # the clerk chose once: a plain render keeps the edit again while nothing changed, and says so
    again = k39("render", dossier, "-o", outdir, "--no-sign")
    assert again.returncode == 0, again.stderr
    assert "Giữ bản sửa tay" in again.stdout and "docx/cong-van.docx" in again.stdout
    assert (outdir / "docx" / "cong-van.docx").read_bytes() == edited_bytes
    assert MARK in pdftotext(outdir / "dossier.pdf")
    assert manifest_entry(outdir, "docx/cong-van.docx")["edited"] is True
    # … and once the clerk edits it again, the render asks again
    doc = DocxDocument(str(outdir / "docx" / "cong-van.docx"))
    doc.paragraphs[-1].add_run(" NUA")
    doc.save(str(outdir / "docx" / "cong-van.docx"))
    asked = k39("render", dossier, "-o", outdir, "--no-sign")
    assert asked.returncode == 2 and "docx/cong-van.docx" in asked.stderr


def test_discard_edits_puts_the_template_text_back(dossier, edited):
    outdir, before = edited
    result = k39("render", dossier, "-o", outdir, "--no-sign", "--discard-edits")
    assert result.returncode == 0, result.stderr
    docx = DocxDocument(str(outdir / "docx" / "cong-van.docx"))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert MARK not in text and before in text
    assert MARK not in pdftotext(outdir / "dossier.pdf")
    assert "edited" not in manifest_entry(outdir, "docx/cong-van.docx")
    # rendered anew: the next render has nothing to stop for
    assert k39("render", dossier, "-o", outdir, "--no-sign").returncode == 0


def test_a_data_change_after_a_kept_edit_is_warned_about(dossier, edited):
    outdir, _before = edited
    kept = k39("render", dossier, "-o", outdir, "--no-sign", "--keep-edits")
    assert kept.returncode == 0, kept.stderr
    data = yaml.safe_load(dossier.read_text(encoding="utf-8"))
    data["candidates"].pop()  # one nominee fewer: the công văn's count changes
    dossier.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # the edit was kept before, but its data changed since: a plain render asks again
    asked = k39("render", dossier, "-o", outdir, "--no-sign")
    assert asked.returncode == 2 and "docx/cong-van.docx" in asked.stderr
    result = k39("render", dossier, "-o", outdir, "--no-sign", "--keep-edits")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Cảnh báo")]
    changed = [w for w in warnings if "dữ liệu của văn bản này đã thay đổi" in w]
    assert len(changed) == 1 and "docx/cong-van.docx" in changed[0], warnings
    assert MARK in pdftotext(outdir / "dossier.pdf")  # still the edit, as asked
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    assert any("cong-van.docx" in w for w in manifest["warnings"])


def test_the_python_api_raises_a_dedicated_error_and_keeps_on_request(
    tmp_path, edited, sample_dossier
):
    from k39docs.errors import EditedFilesError, K39Error
    from k39docs.render import RenderOptions, render

    outdir, _before = edited
    options = RenderOptions(formats=("docx",), sign=False, base_dir=SAMPLE.parent)
    with pytest.raises(EditedFilesError) as caught:
        render(sample_dossier, outdir, options=options)
    assert isinstance(caught.value, K39Error) and caught.value.exit_code == 2
    assert caught.value.files == ["docx/cong-van.docx"]
    manifest = render(sample_dossier, outdir, options=options, edits="keep")
    assert manifest.file("docx/cong-van.docx").edited is True
    assert MARK in "\n".join(
        p.text for p in DocxDocument(str(outdir / "docx" / "cong-van.docx")).paragraphs
    )
    with pytest.raises(ValueError):
        render(sample_dossier, outdir, options=options, edits="merge")
