"""The content cache: unchanged documents are reused, changed ones rebuilt, and it can be off."""

from __future__ import annotations

import json
from pathlib import Path

from k39docs import load_dossier
from k39docs.render import RenderOptions, render

DOCX = RenderOptions(formats=("docx",))


def _rebuilt(manifest_path: Path, before: dict[str, str]) -> set[str]:
    files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    return {Path(f["path"]).stem for f in files if before.get(f["path"]) != f["sha256"]}


def _hashes(manifest_path: Path) -> dict[str, str]:
    files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
    return {f["path"]: f["sha256"] for f in files}


def test_changing_one_candidate_rebuilds_only_their_documents_and_the_lists(
        tmp_path, monkeypatch, sample_mapping):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "out"
    first = render(load_dossier(sample_mapping), out, options=DOCX)
    assert first.cache_hits == 0
    before = _hashes(out / "manifest.json")

    again = render(load_dossier(sample_mapping), out, options=DOCX)
    assert again.cache_hits == len(again.files)
    assert _hashes(out / "manifest.json") == before  # same bytes from the cache

    sample_mapping["candidates"][1]["position"] = "Trưởng ban (đã bổ nhiệm lại)"
    changed = render(load_dossier(sample_mapping), out, options=DOCX)
    assert _rebuilt(out / "manifest.json", before) == {
        "to-trinh", "danh-sach", "cam-ket-ca02", "ket-qua-ra-soat"}
    assert changed.cache_hits == len(changed.files) - 4


def test_cache_can_be_turned_off(tmp_path, monkeypatch, sample_mapping):
    monkeypatch.setenv("K39_CACHE_DIR", str(tmp_path / "cache"))
    dossier = load_dossier(sample_mapping)
    render(dossier, tmp_path / "a", options=DOCX)
    off = render(dossier, tmp_path / "b", options=RenderOptions(formats=("docx",), cache=False))
    assert off.cache_hits == 0
    monkeypatch.setenv("K39_NO_CACHE", "1")
    assert render(dossier, tmp_path / "c", options=DOCX).cache_hits == 0
