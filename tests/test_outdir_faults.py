"""OUTDIR faults found by probing: a write-protected previous output, a symbolic link, modes."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from k39docs.render import RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
DOCX_ONLY = RenderOptions(formats=("docx",), base_dir=SAMPLE.parent)


def _as_nobody() -> list[str] | None:
    """A command prefix that runs as the unprivileged user (root ignores write protection)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


@pytest.fixture
def nobody_dir():
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("setpriv is not installed: cannot drop root, which ignores write protection")
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import k39docs.cli"],
        env={"PYTHONPATH": str(ROOT), "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        cwd="/",
    )
    if probe.returncode != 0:
        pytest.skip(f"the unprivileged user cannot run this checkout: {probe.stderr[-200:]}")
    folder = Path(tempfile.mkdtemp(prefix="k39-nobody-"))
    folder.chmod(0o777)
    if os.geteuid() == 0:
        os.chown(folder, 65534, 65534)
    yield folder, prefix
    subprocess.run(["chmod", "-R", "u+w", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def _k39(prefix: list[str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(cwd),
        "K39_NO_CACHE": "1",
        "K39_CACHE_DIR": str(cwd / "cache"),
        "PYTHONPATH": str(ROOT),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [*prefix, sys.executable, "-m", "k39docs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_write_protected_previous_output_is_refused_clearly_and_leaves_nothing(nobody_dir):
    folder, prefix = nobody_dir
    shutil.copytree(SAMPLE.parent / "images", folder / "images")
    shutil.copy(SAMPLE, folder / "hoso.yaml")
    first = _k39(prefix, folder, "render", "hoso.yaml", "-o", "out/a", "--format", "docx", "-q")
    assert first.returncode == 0, first.stderr
    subprocess.run([*prefix, "chmod", "-R", "a-w", str(folder / "out" / "a")], check=True)
    before = sorted(p.name for p in (folder / "out").iterdir())

    second = _k39(prefix, folder, "render", "hoso.yaml", "-o", "out/a", "--format", "docx")
    assert second.returncode == 2, second.stdout + second.stderr
    assert "out/a" in second.stderr and "chống ghi" in second.stderr
    assert "Traceback" not in second.stderr
    assert sorted(p.name for p in (folder / "out").iterdir()) == before, (
        "a refused render left a staging copy or a backup (with CCCD numbers) behind"
    )

    subprocess.run([*prefix, "chmod", "-R", "u+w", str(folder / "out" / "a")], check=True)
    third = _k39(prefix, folder, "render", "hoso.yaml", "-o", "out/a", "--format", "docx", "-q")
    assert third.returncode == 0, third.stderr


def test_an_output_folder_that_is_a_symlink_is_followed(tmp_path, monkeypatch, sample_dossier):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "shared" / "hoso-2027"
    target.mkdir(parents=True)
    (target / "old.txt").write_text("from before")
    link = tmp_path / "out"
    link.symlink_to(target, target_is_directory=True)
    for _ in range(2):  # the second render used to fail with "Not a directory"
        render(sample_dossier, link, options=DOCX_ONLY)
        assert link.is_symlink(), "the link was replaced by a real folder"
        assert (target / "docx" / "cong-van.docx").is_file(), "the link's target stayed stale"
        assert not (target / "old.txt").exists()
    leftovers = [p.name for p in tmp_path.iterdir() if "k39-" in p.name and "lock" not in p.name]
    leftovers += [
        p.name for p in target.parent.iterdir() if "k39-" in p.name and "lock" not in p.name
    ]
    assert not leftovers


def test_output_files_are_readable_by_owner_and_group_only(tmp_path, monkeypatch, sample_dossier):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    old = os.umask(0o022)
    try:
        render(sample_dossier, tmp_path / "out", options=DOCX_ONLY)
    finally:
        os.umask(old)
    paths = [tmp_path / "out", *(tmp_path / "out").rglob("*")]
    for path in paths:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o007 == 0, f"{path.name} is readable by others ({oct(mode)})"
        assert mode & 0o040, f"{path.name} is not readable by the group ({oct(mode)})"
