"""``manifest.json``: every file of a run with its kind, candidate, sha256 and page count."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Manifest", "ManifestFile", "sha256_of", "FileDigests"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileDigests:
    """:func:`sha256_of`, remembered by the file's identity: its device, inode, size and
    modification time (as git's index does). A session renders a dossier again and takes
    hundreds of files unchanged from the last output, as links to them: their digests are
    known, not read again. A file written or edited since (a clerk's Word) has another
    modification time, and is read; one modified in the last seconds is not remembered (as
    git's "racily clean" entries: it could change again within the same time)."""

    LIMIT = 20_000  # files; the oldest are forgotten past it
    # a file modified this recently may change again within the same modification time (a
    # file system that keeps it to the second or two): its digest is not remembered
    RACY_NS = 3_000_000_000

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int, int], str] = {}
        self._lock = threading.Lock()  # the render's copying threads ask too

    def of(self, path: Path) -> str:
        stat = os.stat(path)  # before reading: a change while it is read makes another key
        key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        digest = self._known.get(key)
        if digest is None:
            digest = sha256_of(path)
            if time.time_ns() - stat.st_mtime_ns > self.RACY_NS:
                with self._lock:
                    if len(self._known) >= self.LIMIT:
                        del self._known[next(iter(self._known))]
                    self._known[key] = digest
        return digest

    def same(self, a: Path, b: Path) -> bool:
        """Whether the files ``a`` and ``b`` hold the same bytes."""
        return os.stat(a).st_size == os.stat(b).st_size and self.of(a) == self.of(b)


@dataclass(frozen=True)
class ManifestFile:
    path: str  # relative to OUTDIR, with "/"
    kind: str
    format: str
    candidate: str | None
    sha256: str
    pages: int | None
    title: str | None = None
    signed: bool | None = None  # only for the dossier
    edited: bool | None = None  # a DOCX the clerk edited, kept as it is (--keep-edits), and its PDF
    inputs: str | None = None  # a DOCX's: digest of the data it was rendered from (k39docs.edits)
    scanned: bool | None = None  # a signed Bản cam kết the clerk scanned (k39docs.scans)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "path": self.path,
            "kind": self.kind,
            "format": self.format,
            "candidate": self.candidate,
            "sha256": self.sha256,
            "pages": self.pages,
        }
        if self.title is not None:
            data["title"] = self.title
        if self.signed is not None:
            data["signed"] = self.signed
        if self.edited is not None:
            data["edited"] = self.edited
        if self.inputs is not None:
            data["inputs"] = self.inputs
        if self.scanned is not None:
            data["scanned"] = self.scanned
        return data


@dataclass
class Manifest:
    dossier: str
    generated_at: str  # ISO 8601 with the Vietnam offset
    purpose: str = "nomination"
    files: list[ManifestFile] = field(default_factory=list)
    signed: bool = False
    eligible: bool | None = True  # None: a return dossier, where no eligibility runs
    allow_ineligible: str | None = None  # the reason given with --allow-ineligible
    # candidates proposed by exception: {"candidate", "rules", "reason"}, as the papers tell it
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: str = ""
    cache_hits: int = 0  # documents reused from the content cache

    def file(self, path: str) -> ManifestFile:
        for f in self.files:
            if f.path == path:
                return f
        raise KeyError(path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dossier": self.dossier,
            "purpose": self.purpose,
            "generated_at": self.generated_at,
            "files": [f.to_dict() for f in self.files],
            "signed": self.signed,
            "eligible": self.eligible,
            "allow_ineligible": self.allow_ineligible,
            "exceptions": list(self.exceptions),
            "warnings": list(self.warnings),
            "k39docs_version": self.version,
            "cache_hits": self.cache_hits,
        }

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
