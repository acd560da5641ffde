"""A session's file digests (k39docs.manifest.FileDigests): each file read once, by its identity;
a file changed since is read again."""

from __future__ import annotations

import os
from pathlib import Path

from k39docs import manifest
from k39docs.manifest import FileDigests, sha256_of


def _counting(monkeypatch) -> list[Path]:
    read: list[Path] = []
    real = manifest.sha256_of
    monkeypatch.setattr(manifest, "sha256_of", lambda path: read.append(path) or real(path))
    return read


def test_a_file_is_read_once_and_its_links_not_at_all(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    a = tmp_path / "a.pdf"
    a.write_bytes(b"%PDF-1.7 one")
    assert digests.of(a) == sha256_of(a) and digests.of(a) == sha256_of(a)
    linked = tmp_path / "next" / "a.pdf"  # the next render's staging folder links it
    linked.parent.mkdir()
    os.link(a, linked)
    assert digests.of(linked) == sha256_of(a)
    assert read == [a]


def test_a_file_changed_since_is_read_again(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    a = tmp_path / "a.docx"
    a.write_bytes(b"PK one")
    before = digests.of(a)
    a.write_bytes(b"PK two")  # the same size, written again (a clerk's Word): another time
    stat = os.stat(a)
    os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert digests.of(a) == sha256_of(a) != before
    b = tmp_path / "b.docx"
    b.write_bytes(b"PK two")
    c = tmp_path / "c.docx"
    c.write_bytes(b"PK six")
    assert digests.same(a, b) and not digests.same(a, c)
    assert read == [a, a, b, c]


def test_the_oldest_are_forgotten_past_the_limit(tmp_path, monkeypatch):
    read = _counting(monkeypatch)
    digests = FileDigests()
    monkeypatch.setattr(FileDigests, "LIMIT", 2)
    files = []
    for n in range(3):
        files.append(tmp_path / f"{n}.pdf")
        files[-1].write_bytes(f"%PDF {n}".encode())
        digests.of(files[-1])
    digests.of(files[2])
    digests.of(files[0])
    assert read == [*files, files[0]]
