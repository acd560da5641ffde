"""A province's own DOCX templates (``render --templates DIR``): used where present, built-in ones
otherwise, and rendered in a Jinja sandbox, so a template is layout, never a program."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from typer.testing import CliRunner

from k39docs.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
TEMPLATES = ROOT / "templates"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def render(*args):
    return CliRunner().invoke(
        app,
        ["render", str(SAMPLE), "--format", "docx", "-q", *map(str, args)],
        catch_exceptions=False,
        env={"K39_NO_CACHE": "1"},
    )


def own_template(folder: Path, name: str, replace: str, by: str) -> Path:
    """A copy of the built-in template ``name`` in ``folder`` with one text of its body replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(TEMPLATES / name) as source, zipfile.ZipFile(folder / name, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                assert replace in xml
                data = xml.replace(replace, by, 1).encode("utf-8")
            target.writestr(info, data)
    return folder / name


def text_of(path: Path) -> str:
    doc = DocxDocument(str(path))
    return "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )


def test_a_partial_template_folder_takes_the_rest_from_the_built_in_set(tmp_path):
    own_template(tmp_path / "mau", "cover_letter.docx", MOTTO, MOTTO + " (mẫu của tỉnh)")
    result = render("-o", tmp_path / "out", "--templates", tmp_path / "mau")
    assert result.exit_code == 0, result.stderr
    docx = tmp_path / "out" / "docx"
    assert "(mẫu của tỉnh)" in text_of(docx / "cong-van.docx")
    assert "(mẫu của tỉnh)" not in text_of(docx / "to-trinh.docx")
    assert MOTTO in text_of(docx / "to-trinh.docx")


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
        "{{ lipsum.__globals__['os'].system('touch PWNED') }}",
        "{{ 'x' * 1000000000 }}",
        "{{ 9 ** 999999 }}",
        "{% for i in range(10**9) %}x{% endfor %}",
    ],
)
def test_a_template_reaching_for_python_fails_cleanly_naming_the_template(
    tmp_path, monkeypatch, attack
):
    monkeypatch.chdir(tmp_path)
    own_template(tmp_path / "mau", "cover_letter.docx", MOTTO, attack)
    out = tmp_path / "out"
    result = render("-o", out, "--templates", tmp_path / "mau")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Lỗi: Mẫu") and "cover_letter.docx" in result.stderr, (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not (tmp_path / "PWNED").exists(), "the template ran a shell command"


@pytest.mark.parametrize(
    "broken, says",
    [
        ("{{ oops ", "cú pháp Jinja"),
        ("{{ not_in_the_context }}", "not_in_the_context"),
        ("{% include '/etc/passwd' %}", "cover_letter.docx"),
        ("{{ '<w:p' | safe }}", "cover_letter.docx"),  # the template author's own broken XML
    ],
)
def test_a_broken_user_template_is_exit_2_naming_it(tmp_path, broken, says):
    own_template(tmp_path / "mau", "cover_letter.docx", MOTTO, broken)
    result = render("-o", tmp_path / "out", "--templates", tmp_path / "mau")
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_that_is_not_a_docx_is_exit_2(tmp_path):
    (tmp_path / "mau").mkdir()
    (tmp_path / "mau" / "submission.docx").write_text("không phải DOCX", encoding="utf-8")
    result = render("-o", tmp_path / "out", "--templates", tmp_path / "mau")
    assert result.exit_code == 2
    assert "submission.docx" in result.stderr


def test_a_missing_template_folder_is_exit_2_not_a_silent_fallback(tmp_path):
    result = render("-o", tmp_path / "out", "--templates", tmp_path / "khong-co")
    assert result.exit_code == 2
    assert "Không tìm thấy thư mục mẫu văn bản" in result.stderr
    assert not (tmp_path / "out").exists()


def test_library_refuses_a_missing_template_folder(tmp_path):
    from k39docs import load_dossier
    from k39docs.docx.writer import TemplateError
    from k39docs.render import RenderOptions, render

    dossier = load_dossier(Path(__file__).resolve().parents[1] / "fixtures" / "sample.yaml")
    with pytest.raises(TemplateError, match="Không tìm thấy thư mục mẫu"):
        render(
            dossier,
            tmp_path / "out",
            options=RenderOptions(formats=("docx",), templates=tmp_path / "nope"),
        )
    assert not (tmp_path / "out").exists()


FOOTNOTES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Chú thích: {{ summary }}</w:t>'
    "</w:r></w:p></w:footnote></w:footnotes>"
)


def test_tags_in_a_user_template_s_footnotes_are_rendered(tmp_path):
    """docxtpl renders footnotes too; our writer once left their tags as typed."""
    folder = tmp_path / "mau"
    folder.mkdir()
    name = "commitment.docx"
    with zipfile.ZipFile(TEMPLATES / name) as source, zipfile.ZipFile(folder / name, "w") as target:
        for info in source.infolist():
            data = (
                source.read(info).decode("utf-8")
                if info.filename.endswith(".xml") or info.filename.endswith(".rels")
                else source.read(info)
            )
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    "</Types>",
                    '<Override PartName="/word/footnotes.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.footnotes+xml"/></Types>',
                )
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdFn" Type="http://'
                    "schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    'footnotes" Target="footnotes.xml"/></Relationships>',
                )
            elif info.filename == "word/document.xml":
                data = data.replace(
                    "BẢN CAM KẾT</w:t></w:r>",
                    'BẢN CAM KẾT</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>',
                    1,
                )
            target.writestr(info, data)
        target.writestr("word/footnotes.xml", FOOTNOTES)
    out = tmp_path / "out"
    result = render("--templates", folder, "-o", out)
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out / "docx" / "cam-ket-ca01.docx") as zf:
        footnotes = zf.read("word/footnotes.xml").decode("utf-8")
        body = zf.read("word/document.xml").decode("utf-8")
    assert "footnoteReference" in body
    assert "{{" not in footnotes
    assert "Chú thích: Thực hiện trách nhiệm, nghĩa vụ" in footnotes
