"""Progress: the Python API's ``progress(done, total, name)`` is told of every document; the
command shows a bar on a terminal only."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"
BAR = "━"  # what rich draws a bar with


def _calls_during(render_call) -> list[tuple[int, int, str]]:
    calls, lock = [], threading.Lock()

    def progress(done: int, total: int, name: str) -> None:
        with lock:
            calls.append((done, total, name))

    manifest = render_call(progress)
    return calls, manifest


def _check_calls(calls, manifest) -> None:
    docx_titles = sorted(f.title for f in manifest.files if f.format == "docx")
    total = len(docx_titles)
    assert calls[0] == (0, total, "")  # the count, before any is done
    assert [c[0] for c in calls] == list(range(total + 1))  # one call each, counting up
    assert {c[1] for c in calls} == {total}
    assert sorted(c[2] for c in calls[1:]) == docx_titles  # every document, named once


def test_progress_is_told_of_every_document_docx_only(tmp_path, sample_dossier):
    from k39docs.render import RenderOptions, render

    options = RenderOptions(formats=("docx",), base_dir=SAMPLE.parent)
    calls, manifest = _calls_during(
        lambda progress: render(
            sample_dossier, tmp_path / "out", options=options, progress=progress
        )
    )
    _check_calls(calls, manifest)


@pytest.mark.soffice
def test_progress_is_told_of_every_document_as_its_pdf_is_in_place(tmp_path, sample_dossier):
    from k39docs.render import render

    messages, there = [], {}
    outdir = tmp_path / "out"

    def render_call(progress):
        def looking(done, total, name):
            # the PDFs in the staging folder when the document ``name`` is said to be done
            there[name] = {p.stem for p in tmp_path.glob(".out.k39-stage-*/pdf/*.pdf")}
            progress(done, total, name)

        return render(sample_dossier, outdir, sign=False, progress=looking, say=messages.append)

    calls, manifest = _calls_during(render_call)
    _check_calls(calls, manifest)
    for entry in manifest.files:
        if entry.format == "pdf" and entry.kind not in ("dossier", "internal_bundle"):
            assert Path(entry.path).stem in there[entry.title], entry.path
    assert any(m.startswith("Đóng gói") for m in messages)  # the status lines, separately


def test_an_exception_in_progress_fails_the_render_and_publishes_nothing(tmp_path, sample_dossier):
    from k39docs.render import RenderOptions, render

    class Stop(Exception):
        pass

    def progress(done, total, name):
        if done == 3:
            raise Stop()

    outdir = tmp_path / "out"
    with pytest.raises(Stop):
        render(
            sample_dossier,
            outdir,
            options=RenderOptions(formats=("docx",), base_dir=SAMPLE.parent),
            progress=progress,
        )
    assert not outdir.exists()


def _k39_on(stdout_is_terminal: bool, *args) -> tuple[int, str]:
    command = [sys.executable, "-m", "k39docs", *map(str, args)]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    if not stdout_is_terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        return done.returncode, done.stdout
    main, other = pty.openpty()
    process = subprocess.Popen(command, stdout=other, stderr=subprocess.DEVNULL, env=env)
    os.close(other)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 300)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_the_command_shows_a_bar_on_a_terminal_only(tmp_path):
    args = ("render", SAMPLE, "--format", "docx")
    code, shown = _k39_on(True, *args, "-o", tmp_path / "tty")
    assert code == 0, shown
    assert BAR in shown and "Văn bản" in shown and "/8" in shown  # 8 documents
    code, printed = _k39_on(False, *args, "-o", tmp_path / "pipe")
    assert code == 0
    assert BAR not in printed and "\x1b[" not in printed and "\r" not in printed
    assert "Tạo 8 văn bản" in printed and "Đã tạo" in printed  # the status lines, as before
    code, quiet = _k39_on(True, *args, "-q", "-o", tmp_path / "quiet")
    assert code == 0 and BAR not in quiet and "Đã tạo" not in quiet
