"""A Session keeps LibreOffice between renders; `k39docs watch` renders again on each save."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from k39docs import load_dossier
from k39docs.manifest import sha256_of
from k39docs.render import RenderOptions, Session

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "fixtures" / "sample.yaml"


def _soffice_pids(marker: str) -> set[int]:
    out = subprocess.run(["pgrep", "-f", f"soffice.*{marker}"], capture_output=True, text=True)
    return {int(pid) for pid in out.stdout.split()}


def _text(pdf: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.mark.soffice
def test_session_reuses_its_libreoffice_and_converts_only_what_changed(
    tmp_path, monkeypatch, sample_mapping
):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    options = RenderOptions(sign=False)
    out = tmp_path / "out"
    with Session() as session:
        first = session.render(load_dossier(sample_mapping), out, options=options)
        profiles = session._office.converter._tmp.name  # the pool's profile folder, in argv
        running = _soffice_pids(profiles)
        assert running and first.cache_hits == 0

        sample_mapping["candidates"][1]["position"] = "Trưởng ban Tổ chức"
        again = session.render(load_dossier(sample_mapping), out, options=options)
        assert _soffice_pids(profiles) == running  # the same LibreOffice served both renders
        pdfs = [
            f
            for f in again.files
            if f.format == "pdf" and f.kind not in ("dossier", "internal_bundle")
        ]
        assert again.cache_hits == len(pdfs) - 4 + 1  # 4 changed; the contents page did not
        assert "Trưởng ban Tổ chức" in _text(out / "pdf" / "cam-ket-ca02.pdf")
        assert "Trưởng ban Tổ chức" in _text(out / "dossier.pdf")
        # the digests of the files taken unchanged are remembered, not read again: still true
        for entry in again.files:
            assert entry.sha256 == sha256_of(out / entry.path), entry.path
    assert not _soffice_pids(profiles)  # closing the session stops LibreOffice


@pytest.mark.soffice
def test_after_a_small_change_the_working_paper_converts_while_the_bundle_is_signed(
    tmp_path, monkeypatch
):
    """A cold render queues the documents that list every candidate first, longest first; after
    a small change the eligibility working paper (not in dossier.pdf, the slowest to convert)
    is queued after the bundle's documents, and the render still waits for it."""
    from k39docs.synthetic import synthetic_dossier

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    data = synthetic_dossier(16)  # 20 documents to convert at first: more than a few
    out = tmp_path / "out"
    with Session() as session:
        queued = []
        office = session._office
        real = office.convert
        monkeypatch.setattr(
            office,
            "convert",
            lambda docx, pdf, **kw: queued.append(docx.stem) or real(docx, pdf, **kw),
        )
        session.render(load_dossier(data), out, options=RenderOptions(sign=False))
        listing = {"to-trinh", "cong-van", "danh-sach", "ket-qua-ra-soat"}
        assert set(queued[:4]) == listing  # first, whatever their order by size
        queued.clear()
        data["candidates"][1]["position"] = "Trưởng ban Tổ chức"
        manifest = session.render(load_dossier(data), out, options=RenderOptions(sign=False))
    changed = [stem for stem in queued if not stem.startswith("muc-luc")]
    assert changed[-1] == "ket-qua-ra-soat"
    assert sorted(changed[:-1]) == ["cam-ket-c0002", "danh-sach", "to-trinh"]
    paper = next(f for f in manifest.files if f.kind == "eligibility_report" and f.format == "pdf")
    assert "Trưởng ban Tổ chức" in _text(out / paper.path)


@pytest.mark.soffice
def test_session_signs_again_without_looking_for_the_signature_block_again(
    tmp_path, monkeypatch, sample_mapping
):
    """The công văn did not change: a session remembers where its signatures go, and the
    second dossier.pdf is signed in the same place."""
    import k39docs.signing as signing

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    real = signing.locate_signature
    monkeypatch.setattr(
        signing, "locate_signature", lambda *args: calls.append(args) or real(*args)
    )
    base = ROOT / "fixtures"
    out = tmp_path / "out"
    with Session() as session:
        session.render(load_dossier(sample_mapping), out, options=RenderOptions(base_dir=base))
        first = _widgets(out / "dossier.pdf")
        sample_mapping["candidates"][1]["position"] = "Trưởng ban Tổ chức"
        session.render(load_dossier(sample_mapping), out, options=RenderOptions(base_dir=base))
    assert len(calls) == 1
    assert _widgets(out / "dossier.pdf") == first and len(first) == 2


@pytest.mark.soffice
def test_a_session_keeps_the_parsed_pdfs_of_its_latest_render_only(
    tmp_path, monkeypatch, sample_mapping
):
    """Each change makes new versions of a few documents; the parsed PDFs of the versions
    before are dropped, so a session that renders all day does not grow with every render."""
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    options = RenderOptions(sign=False)
    kept = []
    with Session() as session:
        for title in ("Trưởng ban", "Phó Trưởng ban", "Chánh Văn phòng", "Phó Chánh Văn phòng"):
            sample_mapping["candidates"][1]["position"] = title
            session.render(load_dossier(sample_mapping), tmp_path / "out", options=options)
            kept.append(len(session._kept.readers))
    assert kept[1] > 0 and kept[1] == kept[2] == kept[3], kept  # the first render was cold


def _widgets(pdf: Path) -> list[tuple[int, list[float]]]:
    """(page, rectangle) of each signature field, in the order of the fields."""
    reader = PdfReader(pdf)
    return [
        (
            reader.get_page_number(field.indirect_reference.get_object()["/P"]),
            [round(float(v), 1) for v in field["/Rect"]],
        )
        for field in (f.get_object() for f in reader.trailer["/Root"]["/AcroForm"]["/Fields"])
    ]


@pytest.mark.soffice
def test_watch_renders_again_when_the_file_is_saved_and_stops_cleanly(tmp_path, sample_data):
    folder = tmp_path / "hoso"
    shutil.copytree(SAMPLE.parent / "images", folder / "images")
    dossier = folder / "dossier.yaml"
    dossier.write_text(yaml.safe_dump(sample_data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    private_tmp = tmp_path / "tmp"  # LibreOffice's profiles go here: their path names its soffice
    private_tmp.mkdir()
    env = {
        **os.environ,
        "K39_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(private_tmp),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "k39docs",
            "watch",
            str(dossier),
            "-o",
            str(out),
            "--no-sign",
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=(errors := open(tmp_path / "stderr.txt", "w")),
        text=True,
        env=env,
    )
    try:
        manifest = out / "manifest.json"
        first = _wait_for(lambda: manifest.is_file() and manifest.read_text(encoding="utf-8"))
        assert _soffice_pids(str(private_tmp))  # kept running between renders

        changed = dict(sample_data, candidates=[dict(c) for c in sample_data["candidates"]])
        changed["candidates"][0]["position"] = "Phó Trưởng phòng Tổng hợp"
        dossier.write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")
        second = _wait_for(lambda: (text := manifest.read_text(encoding="utf-8")) != first and text)
        assert json.loads(second)["cache_hits"] > 0
        assert "Phó Trưởng phòng Tổng hợp" in _text(out / "pdf" / "cam-ket-ca01.pdf")

        dossier.write_text("candidates: [\n", encoding="utf-8")  # a broken save: reported, kept
        _wait_for(lambda: "Lỗi:" in (tmp_path / "stderr.txt").read_text(encoding="utf-8"))
        assert proc.poll() is None
        assert manifest.read_text(encoding="utf-8") == second
    finally:
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=60)
        errors.close()
    stderr = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    assert proc.returncode == 0, stderr
    assert stdout.count("Đã tạo") == 2 and "Đã dừng theo dõi." in stdout
    assert "Lỗi:" in stderr and "dòng" in stderr
    assert not _soffice_pids(str(private_tmp))


def _wait_for(condition, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_overlapping_renders_restore_the_garbage_collector_once_the_last_ends():
    import gc
    import threading

    from k39docs.pipeline.session import _rare_gc

    before = gc.get_threshold()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first():
        with _rare_gc():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    thread = threading.Thread(target=first)
    thread.start()
    first_in.wait(5)
    with _rare_gc():
        second_in.set()
        first_out.wait(5)
        assert gc.get_threshold() != before  # the other render ended; this one still runs
    thread.join()
    assert gc.get_threshold() == before


def test_settled_after_leaves_the_garbage_to_the_end_of_its_block_and_collects_it_there():
    import gc
    import weakref

    class Node:
        pass

    before = gc.get_threshold()
    session = Session()
    with session.settled_after():
        assert gc.get_threshold()[0] > before[0]  # young collections are rare in the block
        cycle = Node()
        cycle.me = cycle
        gone = weakref.ref(cycle)
        del cycle
    assert gone() is None  # collected at the block's end, not at some later allocation
    assert gc.get_threshold() == before


@pytest.mark.soffice
def test_contents_page_converted_in_advance_is_the_one_bundled(tmp_path, monkeypatch):
    from k39docs.office import Office
    from k39docs.render import render
    from k39docs.synthetic import synthetic_dossier

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    contents_conversions = []
    convert = Office.convert

    def counting(self, docx, pdf, **kw):
        if docx.name.startswith("muc-luc"):
            contents_conversions.append(docx.name)
        return convert(self, docx, pdf, **kw)

    monkeypatch.setattr(Office, "convert", counting)
    out = tmp_path / "out"
    manifest = render(load_dossier(synthetic_dossier(41)), out, options=RenderOptions(sign=False))
    # 43 parts (the công văn, the danh sách, 41 Bản cam kết) and a row over the Bản cam kết: two
    # contents pages, guessed right, converted once, before the last parts were back
    assert contents_conversions == ["muc-luc-du-kien.docx"]
    assert manifest.cache_hits == 0  # made by this run, not reused
    bundle = PdfReader(out / "dossier.pdf")
    starts = [bundle.get_destination_page_number(o) for o in bundle.outline]
    assert starts[0] == 2
    contents = bundle.pages[0].extract_text() + bundle.pages[1].extract_text()
    last = bundle.outline[-1].title
    assert f"{last} {starts[-1] + 1}" in " ".join(contents.split())


def test_page_counts_not_back_are_guessed_from_their_kind_wherever_it_is_known():
    # the second group of Bản cam kết came back before the first: the first's are guessed too
    from k39docs.pdf.bundle import Part
    from k39docs.pipeline.assemble import guess_counts

    parts = (
        [Part("Danh sách", Path("ds.pdf"), "nomination_list")]
        + [Part(f"Cam kết {i}", Path(f"c{i}.pdf"), "commitment") for i in range(4)]
        + [Part("Báo cáo", Path("b.pdf"), "return_report")]
    )
    assert guess_counts(parts, [4, None, None, 2, 3, None]) == [4, 2, 2, 2, 3, 1]
    assert guess_counts(parts, [None, 2, 2, 2, 3, 2]) == [1, 2, 2, 2, 3, 2]


def test_k39docs_render_is_the_function_whatever_was_imported_first(tmp_path):
    """interface.md's ``render(dossier, outdir)``, also after ``from k39docs.render import …``
    (which makes the package attribute ``k39docs.render`` the module): a fresh interpreter."""
    code = (
        "import sys\n"
        "from k39docs.render import RenderOptions\n"
        "import k39docs\n"
        "from k39docs import load_dossier, render\n"
        "manifest = render(load_dossier(sys.argv[1]), sys.argv[2],\n"
        "                  options=RenderOptions(formats=('docx',)))\n"
        "assert k39docs.render is render\n"
        "print(type(manifest).__name__, len(manifest.files))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE), str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    # Tờ trình, công văn, danh sách, working paper and the four candidates' Bản cam kết; the
    # list workbook
    assert result.stdout.split() == ["Manifest", "9"]
    assert len(list((tmp_path / "out" / "docx").glob("*.docx"))) == 8


def test_the_signing_code_loaded_ahead_is_the_signing_code():
    """A render loads pyHanko in a thread while LibreOffice converts (load_signer swallows an
    import error, which shows again where the signing code is used): it must load the module
    that signs, not fail to find it and leave the import to the signing step."""
    probe = (
        "import sys\n"
        "from k39docs.pipeline.signatures import load_signer\n"
        "assert 'k39docs.signing.sign' not in sys.modules\n"
        "load_signer()\n"
        "print('k39docs.signing.sign' in sys.modules, 'pyhanko.sign' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
