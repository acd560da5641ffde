"""Joining the nominees several agencies send (one workbook or YAML file each) into one dossier.

The plan (Mục VIII.4) has each sở, ban and district report its nominees to the Sở Nội vụ, which
files one dossier. The dossier's other sections come from the base file (default: the first);
the candidates of every input follow one another in the order given. The same person twice
(the same CCCD) is an error naming both files and rows; a candidate id already taken is renumbered
(``ca01`` → the next free ``caNN``) with a warning. Each problem of the joined dossier is traced
back to the file and the cell or line it came from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dossier.loader import WORKBOOK_SUFFIXES, load_dossier, read_yaml
from ..dossier.model import Dossier
from ..errors import DossierError, FieldIssue
from .convert import save_dossier
from .read import read_workbook

__all__ = ["MergeResult", "merge_files", "merge_dossiers"]

_INDEX = re.compile(r"^candidates\[(\d+)\]")


@dataclass
class _Input:
    """One file's plain data and where each of its values is (cell or line)."""

    path: Path
    data: dict[str, Any]
    cell_of: Any  # path text → "Ứng viên!F3" or None
    line_of: Any  # path text → line or None
    row_of: Any  # candidate index → "ô Ứng viên!A3" / "dòng 120"

    def where(self, index: int) -> str:
        return f"{self.path.name}, {self.row_of(index)}"


def _parse_path(text: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for piece in re.split(r"\.|(?=\[)", text):
        if piece.startswith("[") and piece.endswith("]") and piece[1:-1].isdigit():
            parts.append(int(piece[1:-1]))
        elif piece:
            parts.append(piece)
    return tuple(parts)


def _read(path: Path) -> _Input:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        book = read_workbook(path)
        if book.issues:
            raise DossierError(book.issues, str(path))
        return _Input(
            path, book.data, book.cell_of, lambda p: None, lambda i: f"ô {book.rows.get(i, '?')}"
        )
    data, where = read_yaml(path)
    if not isinstance(data, dict):
        raise DossierError(
            [FieldIssue("", 1, "tệp hồ sơ phải là một bảng khóa: giá trị (mapping)")], str(path)
        )
    return _Input(
        path,
        data,
        lambda p: None,
        lambda p: where.line_of(_parse_path(p)),
        lambda i: f"dòng {where.line_of(('candidates', i))}",
    )


def _free_id(cid: str, used: set[str]) -> str:
    m = re.match(r"^(.*?)(\d+)$", cid)
    stem, number, width = (m.group(1), int(m.group(2)), len(m.group(2))) if m else (cid + "-", 1, 1)
    while True:
        number += 1
        new = f"{stem}{number:0{width}d}"
        if new not in used:
            return new


def _cccd(candidate: dict[str, Any]) -> str | None:
    value = candidate.get("id_number")
    return "".join(value.split()) if isinstance(value, str) and value.strip() else None


@dataclass
class MergeResult:
    dossier: Dossier
    warnings: list[str] = field(default_factory=list)


def merge_dossiers(inputs: Sequence[str | Path], base: str | Path | None = None) -> MergeResult:
    """One dossier of the candidates of every input, the other sections from ``base``."""
    paths = [Path(p) for p in inputs]
    if not paths:
        raise DossierError([FieldIssue("", None, "cần ít nhất một tệp để ghép")])
    sources = [_read(p) for p in paths]
    base_path = Path(base) if base is not None else paths[0]
    base_input = next((s for s in sources if s.path.resolve() == base_path.resolve()), None)
    if base_input is None:
        base_input = _read(base_path)

    warnings: list[str] = []
    issues: list[FieldIssue] = []
    origin: list[tuple[_Input, int]] = []
    candidates: list[dict[str, Any]] = []
    used_ids: dict[str, tuple[_Input, int]] = {}
    seen_cccd: dict[str, tuple[_Input, int]] = {}
    for source in sources:
        listed = source.data.get("candidates") or []
        if not isinstance(listed, list):
            issues.append(
                FieldIssue(
                    "candidates",
                    source.line_of("candidates"),
                    f"(tệp {source.path.name}) danh sách ứng viên không đọc được",
                    cell=source.cell_of("candidates"),
                )
            )
            continue
        for j, item in enumerate(listed):
            if not isinstance(item, dict):
                continue
            person = dict(item)
            name = person.get("full_name", "")
            number = _cccd(person)
            if number is not None and number in seen_cccd:
                first, k = seen_cccd[number]
                issues.append(
                    FieldIssue(
                        f"candidates[{j}].id_number",
                        source.line_of(f"candidates[{j}].id_number"),
                        f"(tệp {source.path.name}) số CCCD {number} của “{name}” ({source.where(j)}) "
                        f"trùng với “{first.data['candidates'][k].get('full_name', '')}” "
                        f"({first.where(k)}): một người chỉ đề cử một lần",
                        cell=source.cell_of(f"candidates[{j}].id_number"),
                    )
                )
                continue
            if number is not None:
                seen_cccd[number] = (source, j)
            cid = str(person.get("id", "")).strip()
            if cid in used_ids:
                new = _free_id(cid, set(used_ids))
                first, k = used_ids[cid]
                warnings.append(
                    f"mã ứng viên {cid} của “{name}” ({source.where(j)}) trùng với "
                    f"mã của “{first.data['candidates'][k].get('full_name', '')}” "
                    f"({first.where(k)}); đổi thành {new}"
                )
                person["id"] = cid = new
            used_ids[cid] = (source, j)
            origin.append((source, j))
            candidates.append(person)
    if issues:
        raise DossierError(issues, ", ".join(str(p) for p in paths))

    data = {k: v for k, v in base_input.data.items() if k != "candidates"}
    data["candidates"] = candidates
    try:
        dossier = load_dossier(data, base_dir=base_input.path.resolve().parent)
    except DossierError as exc:
        raise DossierError(
            [_traced(i, origin, base_input) for i in exc.issues], ", ".join(str(p) for p in paths)
        ) from None
    return MergeResult(dossier, warnings)


def _traced(issue: FieldIssue, origin: list[tuple[_Input, int]], base: _Input) -> FieldIssue:
    """An issue of the joined dossier as a clerk finds it: its file, and its cell or line."""
    m = _INDEX.match(issue.path)
    source, path = base, issue.path
    if m and int(m.group(1)) < len(origin):
        source, j = origin[int(m.group(1))]
        path = f"candidates[{j}]" + issue.path[m.end() :]

    def row(match: re.Match) -> str:  # "trùng với candidates[3]" → its file and row
        k = int(match.group(1))
        return (
            f"ứng viên ở {origin[k][0].where(origin[k][1])}" if k < len(origin) else match.group(0)
        )

    message = re.sub(r"candidates\[(\d+)\]", row, issue.message)
    return FieldIssue(
        path, source.line_of(path), f"(tệp {source.path.name}) {message}", cell=source.cell_of(path)
    )


def merge_files(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    base: str | Path | None = None,
    force: bool = False,
) -> MergeResult:
    """Merge ``inputs`` and write the dossier to ``out`` (.xlsx or .yaml)."""
    out = Path(out)
    if any(Path(p).resolve() == out.resolve() for p in [*inputs, *([base] if base else [])]):
        raise DossierError(
            [FieldIssue("", None, f"tệp ra {out} trùng với một tệp vào; hãy chọn tên khác")]
        )
    result = merge_dossiers(inputs, base)
    save_dossier(result.dossier, out, force=force)
    return result
