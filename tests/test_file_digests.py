"""A session's file digests (k39docs.manifest.FileDigests): each file read once, by its identity;
a file changed since, or changed too recently to be sure, is read again."""

from __future__ import annotations

import os
import time
from pathlib import Path

from k39docs import manifest
from k39docs.manifest import FileDigests, sha256_of


def _counting(monkeypatch) -> list[Path]:
    read: list[Path] = []
    real = manifest.sha256_of
    monkeypatch.setattr(manifest, "sha256_of", lambda path: read.append(path) or real(path))
    return read


def _written(path: Path, data: bytes, seconds_ago: float = 60) -> Path:
    """``path`` holding ``data``, last modified ``seconds_ago``."""
    path.write_bytes(data)
    when = time.time_ns() - int(seconds_ago * 1e9)
    os.utime(path, ns=(when, when))
    return path


def test_a_file_is_read_once_and_its_links_not_at_all(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    a = _written(tmp_path / "a.pdf", b"%PDF-1.7 one")
    assert digests.of(a) == sha256_of(a) and digests.of(a) == sha256_of(a)
    linked = tmp_path / "next" / "a.pdf"  # the next render's staging folder links it
    linked.parent.mkdir()
    os.link(a, linked)
    assert digests.of(linked) == sha256_of(a)
    assert read == [a]


def test_a_file_changed_since_is_read_again(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    a = _written(tmp_path / "a.docx", b"PK one", seconds_ago=60)
    before = digests.of(a)
    _written(a, b"PK two", seconds_ago=30)  # the same size, saved again (a clerk's Word)
    assert digests.of(a) == sha256_of(a) != before
    b = _written(tmp_path / "b.docx", b"PK two")
    c = _written(tmp_path / "c.docx", b"PK six")
    assert digests.same(a, b) and not digests.same(a, c)
    assert read == [a, a, b, c]


def test_a_file_modified_a_moment_ago_is_not_remembered(tmp_path, monkeypatch):
    """It could change again within the same modification time on a file system that keeps
    it to the second: read again next time (git's "racily clean")."""
    read = _counting(monkeypatch)
    digests = FileDigests()
    fresh = _written(tmp_path / "new.pdf", b"%PDF new", seconds_ago=0)
    digests.of(fresh)
    digests.of(fresh)
    assert read == [fresh, fresh]


def test_the_oldest_are_forgotten_past_the_limit(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    monkeypatch.setattr(FileDigests, "LIMIT", 2)
    files = [_written(tmp_path / f"{n}.pdf", f"%PDF {n}".encode()) for n in range(3)]
    for path in files:
        digests.of(path)
    digests.of(files[2])
    digests.of(files[0])
    assert read == [*files, files[0]]
