"""The content cache: a document whose template and data are unchanged is neither rendered nor
converted again.

The key is the SHA-256 of the template's bytes, the document's context and metadata, and of
what produces a document from them (:func:`producer_identity`): k39docs' own code, LibreOffice's
build and the fonts it sets the text in. Any change to any of them misses, so the cache can never
serve a document an uncached render would not make. Entries (the DOCX and its PDF) live in the
user cache folder (``$K39_CACHE_DIR`` or the platform's, e.g. ``~/.cache/k39docs``) and are
written atomically, so concurrent runs can share it. They hold personal data, so files are 0600
and folders 0700; :meth:`DocumentCache.clear` (``k39docs cache --clear``) removes them all.
``K39_NO_CACHE=1`` or ``RenderOptions(cache=False)`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .outdir import link_or_copy
from .userdirs import cache_root

__all__ = ["DocumentCache", "cache_root", "private_dirs", "producer_identity"]

PACKAGE = Path(__file__).resolve().parent
# where fontconfig keeps its caches: fc-cache (run when fonts are installed) touches them
_FONT_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


@lru_cache(maxsize=128)
def _file_digest(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_digest(data: Any) -> str:
    """A digest of what a document is made from (its data, with dates and sets in it): JSON
    with sorted keys and the text as it is, hashed. The cache's keys and the manifest's
    ``inputs`` are both such digests."""
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def _soffice_identity() -> str:
    """LibreOffice's build: its version file and its program's size and date."""
    from .errors import DependencyError
    from .office import find_soffice  # (finding it runs nothing)

    try:
        program = find_soffice().resolve().parent
    except DependencyError:
        return "no soffice"
    parts = []
    for name in ("versionrc", "soffice.bin", "soffice"):
        path = program / name
        if path.is_file():
            stat = path.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    version = program / "versionrc"
    if version.is_file():
        parts.append(hashlib.sha256(version.read_bytes()).hexdigest())
    return f"{program};" + ";".join(parts)


def _fonts_identity() -> str:
    """The serif fonts documents are set in, and fontconfig's caches (new fonts change them)."""
    from .nd30.fonts import FontMissingError, serif_font_path

    parts = []
    for bold in (False, True):
        for italic in (False, True):
            try:
                path = serif_font_path(bold, italic)
            except FontMissingError:
                parts.append("missing")
                continue
            stat = path.stat()
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    for folder in _FONT_CACHES:
        path = Path(folder).expanduser()
        if path.is_dir():
            parts.append(f"{path}:{path.stat().st_mtime_ns}")
    return ";".join(parts)


def producer_identity(package: Path = PACKAGE) -> str:
    """A digest of what turns a template and its data into a document: every Python file of
    ``package`` (k39docs), LibreOffice's build and the fonts. A change to the code that writes
    a document (say, how an indent is set) gave cache hits with the old output before."""
    digest = hashlib.sha256()
    digest.update(_running_code() if package == PACKAGE else _code_identity(package))
    digest.update(_soffice_identity().encode())
    digest.update(_fonts_identity().encode())
    return digest.hexdigest()


@cache
def _running_code() -> bytes:
    """:func:`_code_identity` of the k39docs this process runs, read once: its code does not
    change while it runs (a session renders all day; reading it took 2 ms a render)."""
    return _code_identity(PACKAGE)


def _code_identity(package: Path) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.digest()


def private_dirs(folder: Path, top: Path) -> None:
    """Make ``folder`` and its parents up to ``top``, each 0700 (the entries hold CCCD
    numbers)."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder == top or folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # (mkdir's mode is masked by the umask)


class DocumentCache:
    """DOCX + PDF pairs by content key."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        enabled: bool = True,
        version: str = "",
        producer: str | None = None,
    ):
        """``producer``: what makes the documents (:func:`producer_identity`, computed when
        not given)."""
        self.enabled = enabled and os.environ.get("K39_NO_CACHE", "") not in ("1", "true", "yes")
        self.top = root or cache_root()
        self.root = self.top / "documents"
        self.version = version
        self.producer = (
            producer if producer is not None else (producer_identity() if self.enabled else "")
        )
        self.hits = 0
        self.misses = 0
        self._counting = threading.Lock()  # entries are fetched from several threads
        self._groups_there: dict[str, bool] = {}  # group PDFs looked for (see group_of)
        # document key → (group, start, end): read once per run (see group_of)
        self._group_pointers: dict[str, tuple[str, int, int]] = {}

    def key(self, template: Path, context: dict[str, Any], **meta: Any) -> str:
        stat = template.stat()
        return data_digest(
            {
                "template": _file_digest(template, stat.st_mtime_ns, stat.st_size),
                "context": context,
                "meta": meta,
                "version": self.version,
                "producer": self.producer,
            }
        )

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.docx", folder / f"{key}.pdf"

    def holds(self, key: str, *, pdf: bool) -> bool:
        """Whether ``fetch`` would find the entry (the DOCX, and the PDF when ``pdf``)."""
        if not self.enabled:
            return False
        cached_docx, cached_pdf = self._paths(key)
        return cached_docx.is_file() and (not pdf or cached_pdf.is_file())

    def fetch(
        self,
        key: str,
        docx: Path,
        pdf: Path | None,
        *,
        reused: bool = True,
        previous: Callable[[Path], Path] | None = None,
        same: Callable[[Path, Path], bool] | None = None,
        linked: bool = False,
    ) -> bool:
        """Copy a cached entry into place; False on a miss (or when the cache is off).
        ``reused=False``: an entry this run filed itself, not counted as a hit. ``previous``:
        where a file put at a path was in the output this run replaces, and ``same`` how to
        tell it holds the same bytes (see :func:`k39docs.outdir.link_or_copy`). ``linked``:
        the entry's own files are linked into place (for an output nobody edits in place)."""
        if not self.enabled:
            return False
        if not self.holds(key, pdf=pdf is not None):
            with self._counting:
                self.misses += 1
            return False
        for cached, there in zip(self._paths(key), (docx, pdf), strict=True):
            if there is not None:
                there.parent.mkdir(parents=True, exist_ok=True)
                if linked:
                    try:
                        os.link(cached, there)
                        continue
                    except OSError:  # another file system, or none with links: as below
                        pass
                link_or_copy(cached, there, previous(there) if previous else None, same)
        with self._counting:
            self.hits += reused
        return True

    def pdf_of(self, key: str) -> Path:
        """The cached PDF of ``key``, to read (:meth:`fetch` copies it into place)."""
        return self._paths(key)[1]

    def store_group(self, keys: list[str], pdf: Path, counts: list[int]) -> None:
        """Keep the PDF that the documents ``keys`` were cut from (see k39docs.pdf.combine), and
        where each one's pages are in it (``counts``: their page counts, in order). A later
        bundle of documents taken from the cache copies their pages from it, parsing one PDF
        whose fonts they share instead of one file each (best effort, like :meth:`store`)."""
        if not self.enabled:
            return
        group = hashlib.sha256("\n".join(keys).encode()).hexdigest()
        try:
            self._put(pdf, self._group_pdf(group))  # before the pointers to it
            start = 0
            for key, count in zip(keys, counts, strict=True):
                pointer = self._paths(key)[0].with_suffix(".group")
                self._put_bytes(f"{group} {start} {start + count}".encode(), pointer)
                start += count
        except OSError:
            pass

    def group_of(self, key: str) -> tuple[str, Path, int, int] | None:
        """The PDF a cached document was cut from, and its pages there (``start``, ``end``):
        (group key, path, start, end); None if it was converted alone or the PDF is gone.

        A bundle asks this of every part: a pointer file is read once per cache object (per run;
        a document's pages in a group PDF, named by its members' keys, never change), and so
        is whether a group's PDF is still there."""
        if not self.enabled:
            return None
        pointer = self._group_pointers.get(key)
        if pointer is None:
            try:
                name, first, last = self._paths(key)[0].with_suffix(".group").read_text().split()
                pointer = (name, int(first), int(last))
            except (OSError, ValueError):
                return None
            self._group_pointers[key] = pointer
        group, start, end = pointer
        pdf = self._group_pdf(group)
        there = self._groups_there.get(group)
        if there is None:
            there = self._groups_there[group] = pdf.is_file()
        return (group, pdf, start, end) if there else None

    def store_pages(self, key: str, lineage: str, page_map: bytes) -> None:
        """Keep the page map of the converted document ``key`` (see k39docs.pdf.pagepatch), and
        make it the latest version of ``lineage`` (a dossier's nomination list, say): its next
        version is converted only on the pages that changed (best effort, like :meth:`store`;
        call it once the document is stored)."""
        if not self.enabled:
            return
        try:
            self._put_bytes(page_map, self._paths(key)[0].with_suffix(".pages"))
            self._put_bytes(key.encode(), self._latest(lineage))
        except OSError:
            pass

    def latest_pages(self, lineage: str) -> tuple[Path, bytes] | None:
        """The PDF and the page map of the latest version of ``lineage`` that is still here."""
        if not self.enabled:
            return None
        try:
            key = self._latest(lineage).read_text().strip()
            _docx, pdf = self._paths(key)
            if key.isalnum() and pdf.is_file():
                return pdf, pdf.with_suffix(".pages").read_bytes()
        except (OSError, ValueError):
            pass
        return None

    def _latest(self, lineage: str) -> Path:
        name = hashlib.sha256(lineage.encode()).hexdigest()
        return self.root / "latest" / name

    def _group_pdf(self, group: str) -> Path:
        return self.root / group[:2] / f"{group}.group.pdf"

    def _put(self, src: Path, dst: Path) -> None:
        """Copy ``src`` to ``dst`` atomically: a reader sees the whole file or none."""
        self._put_bytes(src.read_bytes(), dst)

    def _put_bytes(self, data: bytes, dst: Path) -> None:
        private_dirs(dst.parent, self.top)
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".tmp-")  # 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, dst)

    def clear(self) -> int:
        """Remove every cached document, and the built-in templates' compiled code of every
        k39docs version (a running render only compiles again); the LibreOffice profile seed
        and the rescaled font stay: they hold no personal data. The number of files removed."""
        import shutil

        count = 0
        for folder in (self.root, self.top / "templates"):
            if folder.is_dir():
                count += sum(1 for p in folder.rglob("*") if p.is_file())
                shutil.rmtree(folder, ignore_errors=True)
        return count

    def store(self, key: str, docx: Path, pdf: Path | None) -> None:
        """Keep a finished pair (best effort: a full disk must not fail the run)."""
        if not self.enabled:
            return
        cached_docx, cached_pdf = self._paths(key)
        try:
            for src, dst in ((pdf, cached_pdf), (docx, cached_docx)):  # docx last: marks complete
                if src is not None:
                    self._put(src, dst)
        except OSError:
            pass
