"""Signer names and titles too wide for one line of the signature column, or with characters
Times New Roman lacks, are refused by validate and render (before LibreOffice), naming the field
and its YAML line; a signer that fits is printed on one line each and is found for signing."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from docx import Document as OpenDocx

from k39docs import load_dossier
from k39docs.documents import cover_letter
from k39docs.docx.writer import write_docx
from k39docs.errors import DossierError
from k39docs.nd30.fonts import text_width_mm
from k39docs.preflight import check_dossier
from k39docs.render import RenderOptions, render
from k39docs.signer_fit import SIGNATURE_COLUMN_MM, signer_issues

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
LONG_NAME = "Nguyễn Thị Phương Thảo Hoàng Lê Ngọc Diễm Quỳnh"  # 47 characters


def check_signers(dossier):
    """The pre-render check, with the sample's images found where the sample keeps them."""
    check_dossier(dossier, base_dir=Path(__file__).resolve().parents[1] / "fixtures")


def _k39(*args, cwd: Path):
    env = {**os.environ, "K39_NO_SERVER": "1"}
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def _write_sample(tmp_path: Path, old: str, new: str) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "hoso.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    (tmp_path / "images").mkdir(exist_ok=True)
    for image in (ROOT / "fixtures" / "images").glob("*.png"):
        (tmp_path / "images" / image.name).write_bytes(image.read_bytes())
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    )


def test_the_sample_signers_fit():
    assert signer_issues(load_dossier(SAMPLE)) == []


def test_validate_refuses_a_long_signer_name_naming_field_and_line(tmp_path):
    path = _write_sample(tmp_path, "name: Đặng Quốc Bảo", f"name: {LONG_NAME}")
    result = _k39("validate", str(path), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stdout + result.stderr
    assert "documents.cover_letter.signer.name" in message
    assert f"dòng {_line_of(path, LONG_NAME)}" in message
    assert "không vừa một dòng của cột chữ ký" in message
    assert "Traceback" not in message


def test_validate_refuses_an_emoji_in_a_signer_field(tmp_path):
    sample = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    title = sample["documents"]["submission"]["signer"]["title"]
    path = _write_sample(tmp_path, f"title: {title}", f"title: {title} 😀")
    result = _k39("validate", str(path), cwd=tmp_path)
    message = result.stdout + result.stderr
    assert result.returncode == 2, message
    assert "documents.submission.signer.title" in message and "U+1F600" in message
    assert "Times New Roman" in message


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Phó Chủ tịch thường trực phụ trách khối nội chính và văn xã"),
        ("organ", "Ủy ban nhân dân tỉnh Bà Rịa - Vũng Tàu"),
        ("name", "Đặng Quốc Bảo ✍"),
    ],
)
def test_each_signer_field_is_named(sample_mapping, field, value):
    sample_mapping["documents"]["cover_letter"]["signer"][field] = value
    with pytest.raises(DossierError) as err:
        check_signers(load_dossier(sample_mapping))
    assert [i.path for i in err.value.issues] == [f"documents.cover_letter.signer.{field}"]


def test_render_refuses_before_libreoffice_and_writes_nothing(tmp_path, monkeypatch):
    path = _write_sample(tmp_path, "name: Đặng Quốc Bảo", f"name: {LONG_NAME}")
    # the CLI: refused while loading, before LibreOffice is started
    monkeypatch.setenv("PATH", str(tmp_path / "no-soffice"))  # soffice cannot even be found
    result = _k39("render", str(path), "-o", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "documents.cover_letter.signer.name" in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()
    monkeypatch.undo()
    # the library: the same refusal, before any document is written
    with pytest.raises(DossierError) as err:
        render(load_dossier(path), tmp_path / "lib-out", options=RenderOptions(formats=("docx",)))
    assert err.value.issues[0].path == "documents.cover_letter.signer.name"
    assert not (tmp_path / "lib-out").exists()


def test_the_longest_accepted_name_prints_on_one_line_of_the_column(tmp_path, sample_mapping):
    """The limit is the column: a name just inside it is accepted and the DOCX shows it on one
    line of the signature cell, the width the check measured."""
    words = LONG_NAME.split()
    while text_width_mm(" ".join(words), 14, bold=True) > SIGNATURE_COLUMN_MM - 0.5:
        words.pop()
    name = " ".join(words)
    data = copy.deepcopy(sample_mapping)
    data["documents"]["cover_letter"]["signer"]["name"] = name
    dossier = load_dossier(data)
    check_signers(dossier)  # accepted
    path = write_docx(cover_letter.build(dossier), tmp_path / "cong-van.docx")
    signature_cell = OpenDocx(str(path)).tables[-1].cell(0, 1)
    from docx.shared import Mm

    assert signature_cell.width is None or signature_cell.width >= Mm(SIGNATURE_COLUMN_MM)
    assert name in [p.text for p in signature_cell.paragraphs]


@pytest.mark.soffice
def test_the_limit_is_where_signing_stops_finding_the_block(tmp_path, sample_mapping):
    """Converted by LibreOffice: the longest name the check accepts prints on one line and the
    signature block is found; the full long name (refused by the check) wraps and is not found,
    which is why signing used to stop with "Không tìm thấy khối chữ ký"."""
    from k39docs.errors import SigningError
    from k39docs.signing import locate_signature
    from k39docs.vietnamese import upper_vn

    def _signer(dossier):
        signer = dossier.documents.cover_letter.signer
        return signer.name, tuple(upper_vn(line) for line in signer.block_lines())

    words = LONG_NAME.split()
    while text_width_mm(" ".join(words), 14, bold=True) > SIGNATURE_COLUMN_MM - 0.5:
        words.pop()
    docs = {}
    for stem, name in (("vua", " ".join(words)), ("dai", LONG_NAME)):
        data = copy.deepcopy(sample_mapping)
        data["documents"]["cover_letter"]["signer"]["name"] = name
        dossier = load_dossier(data)
        docs[stem] = (dossier, write_docx(cover_letter.build(dossier), tmp_path / f"{stem}.docx"))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(path) for _, path in docs.values()),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    dossier, _ = docs["vua"]
    place = locate_signature(tmp_path / "vua.pdf", *_signer(dossier))
    assert place.block.name.text == " ".join(words)
    dossier, _ = docs["dai"]
    assert signer_issues(dossier)  # refused by validate and render …
    with pytest.raises(SigningError, match="Không tìm thấy khối chữ ký"):  # … else unsignable
        locate_signature(tmp_path / "dai.pdf", *_signer(dossier))
