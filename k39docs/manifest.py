"""``manifest.json``: every file of a run with its kind, candidate, sha256 and page count."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Manifest", "ManifestFile", "sha256_of"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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
