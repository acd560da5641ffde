"""The command line as a clerk uses it: exit codes, Vietnamese messages, nothing half-written."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from docx import Document as DocxDocument

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def k39(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "k39docs", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def all_docx_text(folder: Path) -> str:
    chunks = []
    for path in sorted(folder.glob("*.docx")):
        doc = DocxDocument(str(path))
        chunks += [p.text for p in doc.paragraphs]
        chunks += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(chunks)


def test_help_lists_the_commands():
    result = k39("--help")
    assert result.returncode == 0
    for command in ("render", "validate", "verify", "init", "schema", "check-format"):
        assert command in result.stdout


def test_validate_sample_is_eligible():
    result = k39("validate", SAMPLE, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["eligible"] is True
    assert [c["id"] for c in data["candidates"]] == ["ca01", "ca02", "ca03", "ca04"]


def test_an_unsettled_review_stops_validate_and_render_and_says_how_to_settle(tmp_path):
    shutil.copytree(SAMPLE.parent / "images", tmp_path / "images")  # validate checks them
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    del data["candidates"][0]["reviewed"]  # IV.1.d: nobody has judged the fit yet
    path = write_yaml(tmp_path / "review.yaml", data)
    result = k39("validate", path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Nguyễn Văn An (ca01): IV.1.d" in result.stdout
    assert '`reviewed: {IV.1.d: "…ý kiến…"}` ở ứng viên ca01' in result.stdout
    assert "“Đánh giá IV.1.d”" in result.stdout and "`exception: {rules: [IV.1.d]" in result.stdout
    as_json = k39("validate", path, "--format", "json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["eligible"] is False
    out = tmp_path / "out"
    rendered = k39("render", path, "-o", out, "--format", "docx")
    assert rendered.returncode == 1, rendered.stdout + rendered.stderr
    assert "IV.1.d" in rendered.stderr and "reviewed" in rendered.stderr
    assert "Traceback" not in rendered.stderr
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_wrong_enum_names_field_and_line_in_vietnamese_and_creates_nothing(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8").replace("gender: nu", "gender: female", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "gender: female" in ln)
    out = tmp_path / "out"
    result = k39("render", bad, "-o", out)
    assert result.returncode == 2
    assert "candidates[1].gender" in result.stderr
    assert f"dòng {line}" in result.stderr
    assert "không hợp lệ" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["course"].update(end_date="2027-02-01"), "course.end_date"),
        (lambda d: d["candidates"][1].update(id="ca01"), "candidates[1].id"),
        (
            lambda d: d["candidates"][1].update(id_number=d["candidates"][0]["id_number"]),
            "candidates[1].id_number",
        ),
        (lambda d: d["candidates"][0].update(id_number="05107500123"), "candidates[0].id_number"),
        (lambda d: d["candidates"][0].update(birth_date="2027-05-01"), "candidates[0].birth_date"),
        (lambda d: d["course"].update(type="dai_han"), "course.type"),
        (
            lambda d: d["candidates"][0]["evaluation"].update(rating="tot"),
            "candidates[0].evaluation.rating",
        ),
        (
            lambda d: d["documents"]["cover_letter"]["signer"].update(authority="XYZ"),
            "documents.cover_letter.signer.authority",
        ),
        (lambda d: d["candidates"][0].pop("full_name"), "candidates[0].full_name"),
        (lambda d: d["candidates"][0].update(gendr="nam"), "candidates[0].gendr"),
        (lambda d: d.update(candidates=[]), "candidates"),
    ],
)
def test_bad_input_exits_2_naming_the_field(tmp_path, sample_mapping, change, field):
    change(sample_mapping)
    bad = write_yaml(tmp_path / "bad.yaml", sample_mapping)
    out = tmp_path / "out"
    result = k39("render", bad, "-o", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"`{field}`" in result.stderr
    assert "(dòng " in result.stderr
    assert not out.exists()
    assert k39("validate", bad).returncode == 2


def test_invalid_yaml_reports_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: [unclosed\n", encoding="utf-8")
    result = k39("validate", bad)
    assert result.returncode == 2
    assert "YAML không hợp lệ" in result.stderr
    assert "dòng" in result.stderr


def test_missing_file_is_exit_2(tmp_path):
    result = k39("render", tmp_path / "none.yaml")
    assert result.returncode == 2
    assert "không tìm thấy" in result.stderr


HOSTILE = "A & B <c> \"q\" 'x' {{ 7*7 }} {% if 1 %}yes{% endif %} ]]> </w:t>"


def test_markup_in_data_is_printed_literally(tmp_path, sample_mapping):
    sample_mapping["candidates"][0]["agency"] = HOSTILE
    sample_mapping["candidates"][0]["full_name"] = "Nguyễn <Văn> & {{ An }}"
    sample_mapping["course"]["title"] = "Khóa {% raw %} & <b>đậm</b>"
    path = write_yaml(tmp_path / "d.yaml", sample_mapping)
    out = tmp_path / "out"
    result = k39("render", path, "-o", out, "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = all_docx_text(out / "docx")
    assert HOSTILE in text
    assert "Nguyễn <Văn> & {{ An }}" in text
    assert "Khóa {% raw %} & <b>đậm</b>" in text
    assert "49" not in text.replace("2049", "")  # {{ 7*7 }} was not evaluated


def test_nfd_input_comes_out_nfc(tmp_path):
    nfd = unicodedata.normalize("NFD", SAMPLE.read_text(encoding="utf-8"))
    path = tmp_path / "nfd.yaml"
    path.write_text(nfd, encoding="utf-8")
    out = tmp_path / "out"
    result = k39("render", path, "-o", out, "--format", "docx")
    assert result.returncode == 0, result.stderr
    text = all_docx_text(out / "docx")
    assert unicodedata.is_normalized("NFC", text)
    assert "Nguyễn Văn An" in text


def test_missing_libreoffice_exits_2_with_install_hint_but_docx_still_works(tmp_path):
    env = {
        "PATH": str(Path(sys.executable).parent),
        "K39_SOFFICE": str(tmp_path / "no-soffice"),
        "HOME": str(tmp_path),
    }
    out = tmp_path / "out"
    result = k39("render", SAMPLE, "-o", out, env=env)
    assert result.returncode == 2
    assert "apt-get install libreoffice-writer-nogui" in result.stderr
    assert not out.exists()
    result = k39("render", SAMPLE, "-o", out, "--format", "docx", env=env)
    assert result.returncode == 0, result.stderr
    assert len(list((out / "docx").glob("*.docx"))) == 8  # 7 documents + the working paper
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["format"] for f in manifest["files"]} == {"docx", "xlsx"}  # + the list workbook


def test_default_outdir_is_output_slash_dossier_id(tmp_path):
    result = k39("render", SAMPLE, "--format", "docx", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "qng-2027-trung-han-01" / "manifest.json").is_file()


def test_init_writes_a_dossier_that_validates(tmp_path):
    target = tmp_path / "new" / "dossier.yaml"
    result = k39("init", target)
    assert result.returncode == 0, result.stderr
    assert (target.parent / "images" / "chu-ky.png").is_file()
    assert k39("validate", target).returncode == 0
    assert k39("init", target).returncode == 2  # no silent overwrite


def test_schema_is_a_json_schema_of_the_dossier():
    result = k39("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert {"issuer", "course", "documents", "candidates"} <= set(schema["properties"])
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(schema)
    sample = json.loads(json.dumps(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(sample, schema)


def test_unwritable_output_folder_is_exit_2_without_traceback(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = k39("render", SAMPLE, "-o", blocker / "out", "--format", "docx")
    assert result.returncode == 2
    assert "không ghi được kết quả" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_ends_fast_but_still_runs_exit_handlers_and_flushes_its_output():
    """`main` ends the process without the interpreter's teardown, after the exit handlers."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran', file=sys.stderr))\n"
        f"sys.argv = ['k39docs', 'validate', {str(SAMPLE)!r}, '--format', 'json']\n"
        "from k39docs.cli import main\n"
        "main()\n"
        "print('not reached')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0
    assert json.loads(result.stdout)["eligible"] is True  # all of it, flushed
    assert "not reached" not in result.stdout
    assert "exit handler ran" in result.stderr
