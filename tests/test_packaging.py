"""An installed wheel carries its templates and sample: k39docs works outside a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_templates_and_sample_and_uses_them(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("k39docs-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in sorted((ROOT / "templates").glob("*.docx")):
        assert f"k39docs/templates/{template.name}" in names
    assert "k39docs/data/sample.yaml" in names
    assert "k39docs/data/images/chu-ky.png" in names
    assert "k39docs/office/bridge.py" in names

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import k39docs, k39docs.resources as r; "
            "print(k39docs.__file__); print(r.template_dir())",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert probe[0].startswith(str(site)) and probe[1].startswith(str(site)), probe
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "k39docs", *a],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run("init", "hoso.yaml").returncode == 0
    result = run("render", "hoso.yaml", "-o", "out", "--format", "docx", "-q")
    assert result.returncode == 0, result.stderr
    # Tờ trình, công văn, danh sách, working paper, and one Bản cam kết per candidate
    candidates = (work / "hoso.yaml").read_text(encoding="utf-8").count("\n  - id: ")
    assert candidates == 4
    assert len(list((work / "out" / "docx").glob("*.docx"))) == 4 + candidates
