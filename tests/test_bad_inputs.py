"""The corpus of broken dossiers in ``tests/bad_inputs``: each ends with its exit status, names its
field and line in Vietnamese, and leaves no output folder; hostile but valid text prints literally.

``tests/bad_inputs/expected.yaml`` is the table: for each file the exit status of ``validate``
and of ``render --format docx``, the field path and line the message must name, and a phrase of
the message. The CLI runs in-process (``catch_exceptions=False``: a traceback fails the test);
two cases also run as ``python -m k39docs`` to check what a clerk's terminal shows.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from docx import Document as DocxDocument
from typer.testing import CliRunner

from k39docs.cli import app
from k39docs.dossier.loader import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
BAD = ROOT / "tests" / "bad_inputs"
CASES: dict[str, dict] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
ENV = {"K39_NO_CACHE": "1"}


def _full_name_2mb(folder: Path) -> Path:
    text = SAMPLE.read_text(encoding="utf-8")
    big = text.replace("full_name: Nguyễn Văn An", "full_name: " + "Nguyễn Văn An " * 150_000, 1)
    path = folder / "full-name-2mb.yaml"
    path.write_text(big, encoding="utf-8")
    assert 2_000_000 < path.stat().st_size < MAX_FILE_BYTES
    return path


GENERATED = {"full-name-2mb.yaml": _full_name_2mb}


def cli(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False, env=ENV)


def docx_text(folder: Path) -> str:
    """Every paragraph, table cell, header and footer of every DOCX in ``folder``."""
    chunks = []
    for path in sorted(folder.glob("*.docx")):
        doc = DocxDocument(str(path))
        chunks += [p.text for p in doc.paragraphs]
        chunks += [c.text for t in doc.tables for r in t.rows for c in r.cells]
        for section in doc.sections:
            chunks += [p.text for part in (section.header, section.footer) for p in part.paragraphs]
    # the template's own tab after "Kính gửi:" (the ND30 alignment of several recipients) is
    # layout, not a tab left in the data
    return "\n".join(chunks).replace("Kính gửi:\t", "Kính gửi: ")


def where(case: dict) -> str:
    """How FieldIssue prints the place of the problem."""
    place = f"trường `{case['field']}`" if case["field"] else "tệp hồ sơ"
    return f"{place} (dòng {case['line']})"


def test_the_corpus_has_thirty_files_and_each_has_a_row():
    files = {p.name for p in BAD.glob("*.yaml")} - {"expected.yaml"}
    assert len(files | set(GENERATED)) >= 30
    assert files | set(GENERATED) == set(CASES), (
        "a file without a row in expected.yaml, or a row without a file"
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name, tmp_path):
    case = CASES[name]
    path = GENERATED[name](tmp_path) if case.get("generated") else BAD / name
    out = tmp_path / "out"

    validate = cli("validate", path)
    render = cli("render", path, "-o", out, "--format", "docx", "-q")

    for command, result in (("validate", validate), ("render", render)):
        assert result.exit_code == case["exit"], (
            f"{name}: `k39docs {command}` ended with {result.exit_code}, not {case['exit']} "
            f"({case['problem']}):\n{result.stderr}"
        )
    if case["exit"] != 0:
        assert not out.exists(), f"{name}: an output folder was created for a dossier that failed"
    if case["exit"] == 2:
        for result in (validate, render):
            assert result.stderr.startswith("Lỗi: Hồ sơ không hợp lệ"), result.stderr
            assert where(case) in result.stderr, (
                f"{name}: the message does not point the clerk at {where(case)}:\n{result.stderr}"
            )
            assert case["says"] in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
    if case["exit"] == 0:
        text = docx_text(out / "docx")
        assert unicodedata.is_normalized("NFC", text)
        for expected in case.get("docx_contains", []):
            assert expected in text, f"{name}: the documents do not show {expected!r}"
        for unwanted in case.get("docx_lacks", []):
            assert unwanted not in text, f"{name}: the documents show {unwanted!r}"
        if case.get("docx_markup_literal"):
            _assert_markup_printed_literally(path, text)


PAYLOAD = ' {{ 7*7 }} {% if 1 %}X{% endif %} {%p if 1 %} <w:t>]]></w:t> & "q" <b> «MARK»'


def _assert_markup_printed_literally(path: Path, text: str) -> None:
    """Every field of the file ends in PAYLOAD with its own mark «fNN»; each one printed must be
    whole, character for character (upper-cased headings compared case-insensitively). The
    signers' fields, which must fit one line of the signature column, carry a shorter markup."""
    source = path.read_text(encoding="utf-8")
    marks = re.findall(r"«(f\d+)»", source)
    assert len(marks) >= 60, "the hostile file should poison every free-text field"
    flat = re.sub(r"\s+", " ", text).casefold()
    printed = [m for m in marks if f"«{m}»".casefold() in flat]
    for mark in printed:
        assert PAYLOAD.replace("MARK", mark).casefold() in flat, (
            f"field «{mark}» was not printed literally"
        )
    data = yaml.safe_load(source)
    must_print = [
        data["issuer"]["name"],
        data["course"]["title"],
        data["documents"]["cover_letter"]["signer"]["name"],
        data["candidates"][0]["full_name"],
        data["candidates"][0]["agency"],
        data["candidates"][0]["position"],
        data["legal_basis"][0],
    ]
    for value in must_print:
        assert value.casefold() in flat, f"{value!r} is missing from the documents"
    assert " 49 " not in flat, "{{ 7*7 }} was evaluated"
    assert len(printed) >= 40


def test_oversized_file_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "tệp lớn hơn 5 MB" in result.stderr


@pytest.mark.parametrize("name", ["yaml-bomb.yaml", "python-tag.yaml"])
def test_hostile_yaml_from_the_shell_is_a_message_not_a_traceback(tmp_path, name):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "k39docs",
            "render",
            str(BAD / name),
            "-o",
            "out",
            "--format",
            "docx",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert where(CASES[name]) in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == [], "nothing may be written, and the !!python tag never runs"
