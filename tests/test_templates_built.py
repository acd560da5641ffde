"""The committed templates are exactly what ``scripts/build_templates.py`` makes: the script is
their source, and a template edited by hand (or a script change not run) would drift from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_committed_templates_are_what_the_script_builds(tmp_path):
    built = tmp_path / "templates"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_templates.py"), "--out", str(built)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    committed = sorted(p.name for p in (ROOT / "templates").glob("*.docx"))
    assert sorted(p.name for p in built.glob("*.docx")) == committed
    differ = [
        name
        for name in committed
        if (built / name).read_bytes() != (ROOT / "templates" / name).read_bytes()
    ]
    assert not differ, (
        f"templates/{', '.join(differ)} differ from what build_templates.py makes: "
        "run `.venv/bin/python scripts/build_templates.py` and commit the result"
    )
