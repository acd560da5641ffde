"""The DOCX writer: data printed as typed, line breaks and tabs included."""

from __future__ import annotations

import dataclasses
import zipfile

from k39docs.documents import build_documents
from k39docs.rules import check_eligibility
from k39docs.writer import write_docx


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
