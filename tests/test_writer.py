"""The DOCX writer: data printed as typed, line breaks and tabs included."""

from __future__ import annotations

import dataclasses
import zipfile

from k39docs.documents import build_documents
from k39docs.docx.writer import write_docx
from k39docs.rules import check_eligibility


def _commitment(dossier, **context):
    doc = next(
        d for d in build_documents(dossier, check_eligibility(dossier)) if d.kind == "commitment"
    )
    return dataclasses.replace(doc, context={**doc.context, **context})


def _body(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def test_line_breaks_and_tabs_typed_in_the_data_print_as_breaks_and_tabs(sample_dossier, tmp_path):
    doc = _commitment(sample_dossier, closing="Dòng một\nDòng hai\tcột")
    xml = _body(write_docx(doc, tmp_path / "a.docx"))
    # (one tab is the template's own: after "Kính gửi:", where the recipients' dashes align)
    assert "Dòng một</w:t>" in xml and "<w:br/>" in xml and xml.count("<w:tab/>") == 2
    assert "Dòng một\n" not in xml and "\t" not in xml


def test_text_without_breaks_is_printed_as_it_is(sample_dossier, tmp_path):
    doc = _commitment(sample_dossier)
    xml = _body(write_docx(doc, tmp_path / "a.docx"))
    assert "<w:br/>" not in xml and xml.count("<w:tab/>") == 1  # the Kính gửi tab stop
    assert doc.context["closing"] in xml


def test_text_without_breaks_skips_docxtpl_s_listing_pass(sample_dossier, tmp_path, monkeypatch):
    """docxtpl's pass that turns typed breaks into Word's costs about 2 ms a document; the
    newline after the XML declaration must not trigger it."""
    from docxtpl import DocxTemplate

    calls = []
    original = DocxTemplate.resolve_listing
    monkeypatch.setattr(
        DocxTemplate, "resolve_listing", lambda self, xml: calls.append(1) or original(self, xml)
    )
    write_docx(_commitment(sample_dossier), tmp_path / "a.docx")
    assert calls == []
    write_docx(_commitment(sample_dossier, closing="a\nb"), tmp_path / "b.docx")
    assert calls == [1]


_COMPILE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from k39docs.docx.writer import CompiledTemplate\n"
    "from k39docs.resources import template_dir\n"
    "path = Path(sys.argv[1]) if len(sys.argv) > 1 else template_dir() / 'commitment.docx'\n"
    "template = CompiledTemplate(path, sandboxed=len(sys.argv) > 1)\n"
    "print(sorted(template.parts))\n"
)


def test_built_in_templates_compile_from_jinja_s_bytecode_cache_and_user_ones_never(tmp_path):
    """A command compiles the built-in templates from the code Jinja kept in the user cache
    the run before (checked against the source and the versions); a user's template, run in
    the sandbox, is compiled every time and leaves nothing there."""
    import os
    import subprocess
    import sys

    from k39docs.resources import template_dir

    env = {**os.environ, "K39_CACHE_DIR": str(tmp_path / "cache")}

    def compile_in_a_new_process(*user: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", _COMPILE, *user],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    first = compile_in_a_new_process()
    kept = sorted((tmp_path / "cache" / "templates").rglob("*.cache"))
    assert kept and all(p.stat().st_size > 0 for p in kept)
    stamps = [p.stat().st_mtime_ns for p in kept]
    assert compile_in_a_new_process() == first
    assert [p.stat().st_mtime_ns for p in kept] == stamps  # read, not written again
    user = tmp_path / "mine" / "commitment.docx"
    user.parent.mkdir()
    user.write_bytes((template_dir() / "commitment.docx").read_bytes())
    assert compile_in_a_new_process(str(user)) == first
    assert sorted((tmp_path / "cache" / "templates").rglob("*.cache")) == kept


# --- số ký hiệu kept whole ---------------------------------------------------------------------


def test_the_hyphens_of_a_so_ky_hieu_are_found_and_no_others():
    from k39docs.vietnamese.text import symbol_hyphens

    def at(text: str) -> list[str]:
        return [text[i - 2 : i + 3] for i in symbol_hyphens(text)]

    assert at("theo Kết luận số 39-KL/TW ngày") == ["39-KL"]
    assert at("Số: 3512/UBND-NC; Số: 05/TTr-SNV") == ["ND-NC", "Tr-SN"]
    assert at("Nghị định số 30/2020/NĐ-CP") == ["NĐ-CP"]
    assert at("Số:\u00a0\u00a0\u00a0/UBND-NC") == ["ND-NC"]  # a draft's, after its blank
    assert at("Ô-xtrây-li-a, 2026-12-05, từ 1-2 năm") == []


def test_a_so_ky_hieu_is_written_with_word_s_non_breaking_hyphen(sample_dossier, tmp_path):
    """Word's <w:noBreakHyphen/>: LibreOffice never ends a line at it, and prints and copies
    it as "-" (python-docx reads it so too)."""
    from docx import Document as DocxDocument

    report = check_eligibility(sample_dossier)
    doc = next(d for d in build_documents(sample_dossier, report) if d.kind == "commitment")
    path = write_docx(doc, tmp_path / "cam-ket.docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    assert "39<" in xml and "<w:noBreakHyphen/>" in xml and "39-KL/TW" not in xml
    text = "\n".join(p.text for p in DocxDocument(str(path)).paragraphs)
    assert "Kết luận số 39-KL/TW" in text


def test_no_line_of_the_sample_s_papers_ends_inside_a_so_ky_hieu(rendered):
    """The sample's Bản cam kết broke "39-" / "KL/TW" at a line's end (found by eye)."""
    import re

    from pdftext import pdftotext

    outdir, manifest = rendered
    for entry in manifest.files:
        if entry.format == "pdf" and entry.path.startswith("pdf/"):
            lines = pdftotext(outdir / entry.path, layout=True).splitlines()
            broken = [line for line in lines if re.search(r"(^|\s)[\d/][\w/]*-$", line.strip())]
            assert broken == [], (entry.path, broken)
