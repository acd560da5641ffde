"""The content cache: unchanged documents are reused, changed ones rebuilt, and it can be off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from k39docs import load_dossier
from k39docs.cache import DocumentCache
from k39docs.render import RenderOptions, render

DOCX = RenderOptions(formats=("docx",))


def _rebuilt(manifest_path: Path, before: dict[str, str]) -> set[str]:
    files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    return {Path(f["path"]).stem for f in files if before.get(f["path"]) != f["sha256"]}


def _hashes(manifest_path: Path) -> dict[str, str]:
    files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    return {f["path"]: f["sha256"] for f in files}


def test_changing_one_candidate_rebuilds_only_their_documents_and_the_lists(
    tmp_path, monkeypatch, sample_mapping
):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    first = render(load_dossier(sample_mapping), out, options=DOCX)
    assert first.cache_hits == 0
    before = _hashes(out / "manifest.json")

    again = render(load_dossier(sample_mapping), out, options=DOCX)
    documents = [f for f in again.files if f.format == "docx"]  # (the list workbook is no DOCX)
    assert again.cache_hits == len(documents)
    assert _hashes(out / "manifest.json") == before  # same bytes from the cache

    assert sorted(p.name for p in out.iterdir()) == [
        "docx",
        "eligibility.json",
        "manifest.json",
        "xlsx",
    ]

    sample_mapping["candidates"][1]["position"] = "Trưởng ban (đã bổ nhiệm lại)"
    changed = render(load_dossier(sample_mapping), out, options=DOCX)
    assert _rebuilt(out / "manifest.json", before) == {
        "to-trinh",
        "danh-sach",
        "cam-ket-ca02",
        "ket-qua-ra-soat",
    }
    assert changed.cache_hits == len(documents) - 4


def test_cache_can_be_turned_off(tmp_path, monkeypatch, sample_mapping):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    dossier = load_dossier(sample_mapping)
    render(dossier, tmp_path / "a", options=DOCX)
    off = render(dossier, tmp_path / "b", options=RenderOptions(formats=("docx",), cache=False))
    assert off.cache_hits == 0
    monkeypatch.setenv("K39_NO_CACHE", "1")
    assert render(dossier, tmp_path / "c", options=DOCX).cache_hits == 0


def test_a_group_converted_as_one_is_kept_with_each_member_s_pages(tmp_path):
    from pypdf import PdfWriter

    from k39docs.cache import DocumentCache

    cache = DocumentCache(tmp_path / "cache")
    pdf = tmp_path / "gop.pdf"
    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(595, 842)
    writer.write(pdf)
    cache.store_group(["a", "b", "c"], pdf, [2, 1, 2])
    found = {key: cache.group_of(key) for key in "abc"}
    assert [(start, end) for _, _, start, end in found.values()] == [(0, 2), (2, 3), (3, 5)]
    assert len({(group, path) for group, path, _, _ in found.values()}) == 1
    assert found["a"][1].read_bytes() == pdf.read_bytes()
    assert cache.group_of("d") is None  # converted alone
    found["a"][1].unlink()
    # its PDF gone: the next run (another cache object) uses the member's own file
    assert DocumentCache(tmp_path / "cache").group_of("a") is None
    assert DocumentCache(tmp_path / "cache", enabled=False).group_of("b") is None


def _font_files(pdf: Path) -> int:
    from pypdf import PdfReader

    seen = set()
    for page in PdfReader(pdf).pages:
        for font in ((page.get("/Resources") or {}).get("/Font") or {}).values():
            descriptor = font.get_object().get("/FontDescriptor")
            if descriptor is not None:
                seen.add(descriptor.get_object().raw_get("/FontFile2").idnum)
    return len(seen)


@pytest.mark.soffice
def test_a_bundle_from_the_cache_takes_grouped_pages_from_their_group(
    tmp_path, monkeypatch, sample_mapping
):
    """The sample's four Bản cam kết convert as one group. Rendered again from the cache, the
    bundle copies their pages from the group's PDF, fonts shared, as the first render did;
    without the group's PDF, from each document's own file, each with its own fonts."""
    from pypdf import PdfReader

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    options = RenderOptions(sign=False, base_dir=Path(__file__).parents[1] / "fixtures")
    dossier = load_dossier(sample_mapping)
    render(dossier, tmp_path / "first", options=options)
    render(dossier, tmp_path / "again", options=options)
    groups = list((tmp_path / "cache" / "documents").glob("*/*.group.pdf"))
    assert len(groups) == 1
    for group in groups:
        group.unlink()
    render(dossier, tmp_path / "alone", options=options)

    def text(folder):
        return [p.extract_text() for p in PdfReader(folder / "dossier.pdf").pages]

    assert text(tmp_path / "again") == text(tmp_path / "first") == text(tmp_path / "alone")
    fonts = {
        name: _font_files(tmp_path / name / "dossier.pdf") for name in ("first", "again", "alone")
    }
    assert fonts["again"] == fonts["first"] < fonts["alone"]
    assert fonts["alone"] - fonts["first"] == 3 * 3  # three more commitments, three fonts each


def test_the_key_covers_the_code_that_makes_a_document(tmp_path):
    """A changed indent in the writer once gave 9/9 hits with the old output."""
    import shutil

    from k39docs.cache import PACKAGE, producer_identity

    copy = tmp_path / "k39docs"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = producer_identity(copy)
    assert producer_identity(copy) == before  # stable while nothing changes
    writer = copy / "docx" / "writer.py"
    writer.write_text(
        writer.read_text(encoding="utf-8") + "\n# an indent set otherwise\n", encoding="utf-8"
    )
    assert producer_identity(copy) != before
    template = tmp_path / "t.docx"
    template.write_bytes(b"template")
    old = DocumentCache(tmp_path / "cache", producer=before).key(template, {"a": 1})
    new = DocumentCache(tmp_path / "cache", producer=producer_identity(copy)).key(
        template, {"a": 1}
    )
    assert old != new


def test_cached_files_are_private_and_can_be_cleared(tmp_path):
    import stat

    cache = DocumentCache(tmp_path / "cache", producer="x")
    docx, pdf = tmp_path / "a.docx", tmp_path / "a.pdf"
    docx.write_bytes(b"docx with a CCCD number")
    pdf.write_bytes(b"%PDF")
    cache.store("ab" * 32, docx, pdf)
    stored = list((tmp_path / "cache").rglob("*"))
    assert stored
    for path in stored:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), f"{path} is {oct(mode)}"
    # the built-in templates' compiled code, of this version and an older one, goes too
    for version in ("0123456789abcdef01234567", "fedcba9876543210fedcba98"):
        code = tmp_path / "cache" / "templates" / version / "__jinja2_part.cache"
        code.parent.mkdir(parents=True)
        code.write_bytes(b"compiled")
    assert cache.clear() == 4
    assert not cache.holds("ab" * 32, pdf=True)
    assert not (tmp_path / "cache" / "templates").exists()


def test_cache_command_shows_and_clears(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from k39docs.cli import app

    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    docx = tmp_path / "a.docx"
    docx.write_bytes(b"x")
    DocumentCache(producer="x").store("cd" * 32, docx, None)
    shown = CliRunner().invoke(app, ["cache"])
    assert shown.exit_code == 0 and "1 tệp" in shown.stdout
    cleared = CliRunner().invoke(app, ["cache", "--clear"])
    assert cleared.exit_code == 0 and "Đã xóa 1 tệp" in cleared.stdout
    assert not list((tmp_path / "cache").rglob("*.docx"))


def test_compiled_code_that_cannot_be_kept_does_not_stop_a_render(tmp_path):
    """`k39docs cache --clear` while a render compiles its templates: the code is not kept,
    the render goes on."""
    import shutil

    import jinja2

    from k39docs.docx.writer import _BestEffortBytecodeCache

    folder = tmp_path / "templates"
    folder.mkdir()
    env = jinja2.Environment(
        bytecode_cache=_BestEffortBytecodeCache(str(folder)),
        loader=jinja2.DictLoader({"part": "{{ x }} đồng"}),
    )
    shutil.rmtree(folder)
    assert env.get_template("part").render(x=1) == "1 đồng"
