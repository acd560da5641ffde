"""The clerk's Word edits to the DOCX in OUTDIR: found before a render would overwrite them.

Clerks fix wording in Word, in the DOCX a render left in OUTDIR. The previous ``manifest.json``
holds each DOCX's sha256 and a digest of the data it was rendered from (``inputs``): a DOCX
whose bytes differ from its entry, or that an earlier run kept as an edit (``edited: true``), is
the clerk's. A render then stops (``"stop"``), converts the edited DOCX as it is
(``"keep"``), or renders it anew from the template (``"discard"``). An edit the clerk kept
before, not changed since, of a document whose data has not changed either, is kept again
without asking: the clerk chose once (the render says so); once its data changes, a render
stops again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cache import data_digest
from .errors import EditedFilesError
from .manifest import sha256_of

__all__ = ["EDIT_MODES", "Edit", "find_edits", "settle_edits", "inputs_digest"]

EDIT_MODES = ("stop", "keep", "discard")


@dataclass(frozen=True)
class Edit:
    """One DOCX the clerk edited."""

    path: str  # relative to OUTDIR: "docx/cong-van.docx"
    source: Path  # the edited file, in OUTDIR
    inputs: str | None  # digest of the data the original was rendered from (None: not recorded)
    kept: bool = False  # kept by an earlier run (``edited: true``) and not changed since


def inputs_digest(doc) -> str:
    """What a document says, as a digest: its template name, title and data (context). A kept
    edit whose document would now say something else was made on data that changed since."""
    return data_digest({"template": doc.template, "title": doc.title, "context": doc.context})


def find_edits(outdir: Path, digest: Callable[[Path], str] = sha256_of) -> dict[str, Edit]:
    """The edited DOCX in ``outdir``, by path; none when it holds no readable manifest (nothing
    to compare with). A DOCX the clerk deleted is not an edit: it is rendered again.
    ``digest``: how a file's sha256 is had (a session's remembers the files it wrote)."""
    try:
        data = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
        entries = [e for e in data["files"] if e.get("format") == "docx"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    edits = {}
    for entry in entries:
        path = entry.get("path")
        if not isinstance(path, str) or ".." in Path(path).parts:
            continue
        source = outdir / path
        try:
            same = digest(source) == entry.get("sha256")
        except OSError:
            continue
        kept = entry.get("edited") is True
        if kept or not same:
            edits[path] = Edit(path, source, entry.get("inputs"), kept=kept and same)
    return edits


def settle_edits(
    outdir: Path, documents: Sequence, mode: str, digest: Callable[[Path], str] = sha256_of
) -> tuple[dict[str, Edit], list[str]]:
    """The edits to convert as they are, by document stem, and the warnings about them.

    ``mode`` ``"stop"`` raises :class:`EditedFilesError` naming every edited DOCX (before anything
    is written), but for edits kept before and unchanged since, of data unchanged too, which it
    keeps; ``"discard"`` keeps none. With ``"keep"``, a kept edit whose document's data
    changed since it was rendered, and an edit of a document this dossier no longer has, are
    warned about."""
    if mode not in EDIT_MODES:
        raise ValueError(f"edits must be one of {EDIT_MODES}, not {mode!r}")
    if mode == "discard":
        return {}, []
    edits = find_edits(outdir, digest)
    if not edits:
        return {}, []
    by_path = {f"docx/{doc.stem}.docx": doc for doc in documents}
    if mode == "stop":
        asked = [path for path, edit in edits.items() if not _kept_as_it_was(edit, by_path)]
        if asked:
            raise EditedFilesError(outdir, sorted(asked))
    kept, warnings = {}, []
    for path, edit in sorted(edits.items()):
        doc = by_path.get(path)
        if doc is None:
            warnings.append(
                f"{path} đã được sửa tay nhưng hồ sơ không còn văn bản này: bản sửa "
                "không được dùng và không còn trong thư mục kết quả."
            )
            continue
        kept[doc.stem] = edit
        if edit.inputs is not None and edit.inputs != inputs_digest(doc):
            warnings.append(
                f"{path} được giữ nguyên bản sửa tay, nhưng dữ liệu của văn bản này đã thay đổi "
                "từ khi nó được tạo (số người, ngày tháng, tên …): bản sửa không có những thay "
                "đổi đó. Hãy xem lại bản sửa, hoặc chạy lại với --discard-edits để tạo lại văn "
                "bản từ dữ liệu mới."
            )
    return kept, warnings


def _kept_as_it_was(edit: Edit, by_path: dict) -> bool:
    """An edit kept before, unchanged since, of a document that would say the same now."""
    doc = by_path.get(edit.path)
    return edit.kept and doc is not None and edit.inputs == inputs_digest(doc)
