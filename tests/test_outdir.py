"""All or nothing: a failed run leaves the previous output byte for byte; one run at a time."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from k39docs.errors import ConversionError, SigningError
from k39docs.outdir import OutdirBusyError, locked
from k39docs.render import RenderOptions, render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
DOCX_ONLY = RenderOptions(formats=("docx",), base_dir=SAMPLE.parent)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def previous(tmp_path, monkeypatch, sample_dossier):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    outdir = tmp_path / "out"
    render(sample_dossier, outdir, options=DOCX_ONLY)
    return outdir, snapshot(outdir)


def test_failure_while_writing_documents_keeps_previous_output(
    previous, monkeypatch, sample_dossier
):
    outdir, before = previous
    import k39docs.pipeline.produce as produce

    real = produce.render_docx
    calls = []

    def failing(doc, *args, **kwargs):
        calls.append(doc.stem)
        if len(calls) == 4:
            raise OSError("disk full")
        return real(doc, *args, **kwargs)

    monkeypatch.setattr(produce, "render_docx", failing)
    changed = sample_dossier.model_copy(update={"id": sample_dossier.id})
    with pytest.raises(OSError):
        render(changed, outdir, options=RenderOptions(formats=("docx",), cache=False))
    assert snapshot(outdir) == before
    leftovers = [p.name for p in outdir.parent.iterdir() if ".k39-stage-" in p.name]
    assert leftovers == []


@pytest.mark.soffice
def test_failure_in_bundling_or_signing_keeps_previous_output(
    previous, monkeypatch, sample_dossier
):
    outdir, before = previous
    import k39docs.signing as signing
    from k39docs.pdf.bundle import BundleWriter

    def broken_bundle(*args, **kwargs):
        raise ConversionError("bundle failed")

    monkeypatch.setattr(BundleWriter, "finish", broken_bundle)
    with pytest.raises(ConversionError):
        render(sample_dossier, outdir, options=RenderOptions(base_dir=SAMPLE.parent))
    assert snapshot(outdir) == before
    monkeypatch.undo()

    def broken_sign(*args, **kwargs):
        raise SigningError("token removed")

    monkeypatch.setattr(signing, "sign_dossier", broken_sign)
    with pytest.raises(SigningError):
        render(sample_dossier, outdir, options=RenderOptions(base_dir=SAMPLE.parent))
    assert snapshot(outdir) == before


def test_second_run_into_the_same_folder_fails_clearly_while_the_first_holds_it(tmp_path):
    outdir = tmp_path / "out"
    with locked(outdir):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "k39docs",
                "render",
                str(SAMPLE),
                "-o",
                str(outdir),
                "--format",
                "docx",
            ],
            capture_output=True,
            text=True,
            env={
                **__import__("os").environ,
                "K39_LOCK_TIMEOUT": "1",
                "K39_CACHE_DIR": str(tmp_path / "c"),
            },
        )
    assert result.returncode == 2
    assert "đang được một lượt tạo hồ sơ khác ghi" in result.stderr
    assert not outdir.exists()


def test_second_run_waits_for_the_first(tmp_path, monkeypatch, sample_dossier):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    outdir = tmp_path / "out"
    release = threading.Event()
    holding = threading.Event()

    def first():
        with locked(outdir):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(10)
    messages = []
    timer = threading.Timer(1.0, release.set)
    timer.start()
    started = time.monotonic()
    render(sample_dossier, outdir, options=DOCX_ONLY, say=messages.append)
    thread.join()
    assert time.monotonic() - started >= 0.9
    assert any("Đang chờ" in m for m in messages)
    assert (outdir / "manifest.json").is_file()


def test_lock_times_out_with_a_vietnamese_message(tmp_path):
    outdir = tmp_path / "out"
    with locked(outdir):
        done = {}

        def other():
            try:
                with locked(outdir, timeout_s=0.5):
                    done["got"] = True
            except OutdirBusyError as exc:
                done["error"] = str(exc)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert "got" not in done
    assert str(outdir) in done["error"]


def test_interrupted_swap_is_undone_by_the_next_run(tmp_path):
    outdir = tmp_path / "out"
    backup = tmp_path / ".out.k39-previous"
    backup.mkdir()
    (backup / "manifest.json").write_text("{}")
    with locked(outdir):
        assert (outdir / "manifest.json").read_text() == "{}"
    assert not backup.exists()


def test_link_or_copy_links_the_previous_file_only_when_it_has_the_same_bytes(tmp_path):
    from k39docs.outdir import link_or_copy

    src = tmp_path / "cache.pdf"
    src.write_bytes(b"%PDF same")
    same, other = tmp_path / "same.pdf", tmp_path / "other.pdf"
    same.write_bytes(b"%PDF same")
    other.write_bytes(b"%PDF edit")
    link_or_copy(src, tmp_path / "a.pdf", same)
    assert (tmp_path / "a.pdf").stat().st_ino == same.stat().st_ino
    link_or_copy(src, tmp_path / "b.pdf", other)  # edited since: the cache's copy
    assert (tmp_path / "b.pdf").read_bytes() == b"%PDF same"
    assert (tmp_path / "b.pdf").stat().st_ino != other.stat().st_ino
    link_or_copy(src, tmp_path / "c.pdf", tmp_path / "gone.pdf")
    assert (tmp_path / "c.pdf").read_bytes() == b"%PDF same"
    assert src.stat().st_nlink == 1  # the cache's own file is never shared


def test_a_render_again_links_unchanged_files_and_copies_what_the_clerk_edited(
    previous, sample_dossier, monkeypatch
):
    outdir, before = previous
    inodes = {p.relative_to(outdir): p.stat().st_ino for p in outdir.rglob("*.docx")}
    edited = outdir / "docx" / "cong-van.docx"
    edited.write_bytes(edited.read_bytes() + b"\0")  # saved over in place after the render
    candidate = sample_dossier.candidates[0]
    changed = sample_dossier.model_copy(
        update={
            "candidates": [
                candidate.model_copy(update={"position": "Phó Giám đốc Sở Tư pháp"}),
                *sample_dossier.candidates[1:],
            ]
        }
    )
    render(changed, outdir, options=DOCX_ONLY, edits="discard")  # else the edit stops it
    after = {p.relative_to(outdir): p for p in outdir.rglob("*.docx")}
    assert after.keys() == inodes.keys()
    kept = {path for path, p in after.items() if p.stat().st_ino == inodes[path]}
    commitment = Path("docx") / f"cam-ket-{candidate.id.lower()}.docx"
    assert commitment in after and commitment not in kept  # changed: written anew
    assert Path("docx/cong-van.docx") not in kept  # edited: the cache's copy instead
    now = snapshot(outdir)
    assert now["docx/cong-van.docx"] == before["docx/cong-van.docx"]
    unchanged = {path for path in after if now[path.as_posix()] == before[path.as_posix()]}
    assert len(unchanged - {Path("docx/cong-van.docx")}) >= 3
    assert kept == unchanged - {Path("docx/cong-van.docx")}  # linked, not copied
    assert all(p.stat().st_nlink == 1 for p in after.values())  # the old output is gone
