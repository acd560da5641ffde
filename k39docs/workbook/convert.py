"""Saving a dossier as YAML or as a workbook by the file's extension, and checked to lose nothing.

After a file is written it is read back and compared with the dossier it came from; a difference
(a field the workbook has no place for yet) removes the file and is an error, never a silent
loss. ``init_workbook`` writes the sample dossier as the workbook a clerk starts from.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..dossier.loader import WORKBOOK_SUFFIXES, load_dossier
from ..dossier.model import Dossier
from ..errors import DossierError, FieldIssue
from .write import write_workbook, write_yaml

__all__ = ["YAML_SUFFIXES", "save_dossier", "convert_file", "init_workbook", "same_dossier"]

YAML_SUFFIXES = (".yaml", ".yml")


def _refuse(message: str, source: str | None = None) -> DossierError:
    return DossierError([FieldIssue("", None, message)], source)


def same_dossier(a: Dossier, b: Dossier) -> bool:
    return a.model_dump(mode="json") == b.model_dump(mode="json")


def _first_difference(a: dict, b: dict, path: str = "") -> str:
    for key in dict.fromkeys([*a, *b]):
        x, y = a.get(key), b.get(key)
        where = f"{path}.{key}" if path else str(key)
        if isinstance(x, dict) and isinstance(y, dict):
            found = _first_difference(x, y, where)
            if found:
                return found
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                if p != q:
                    if isinstance(p, dict) and isinstance(q, dict):
                        return _first_difference(p, q, f"{where}[{i}]") or f"{where}[{i}]"
                    return f"{where}[{i}]"
        elif x != y:
            return where
    return ""


def save_dossier(dossier: Dossier, out: str | Path, *, force: bool = False) -> Path:
    """Write ``dossier`` to ``out``: ``.xlsx`` → the workbook, ``.yaml``/``.yml`` → YAML.

    Paths (signing images, keys) are written relative to ``out``'s folder. The written file is
    read back; if it does not give the same dossier, it is removed and ``DossierError`` says
    which field would have been lost."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", *YAML_SUFFIXES):
        raise _refuse(
            f"không ghi được tệp {out.name}: chỉ ghi .xlsx, .yaml hoặc .yml"
            + (" (.xls và .ods chỉ đọc được; hãy ghi .xlsx)" if suffix in WORKBOOK_SUFFIXES else "")
        )
    if out.exists() and not force:
        raise _refuse(f"{out} đã tồn tại (dùng --force để ghi đè)")
    if out.exists() and not out.is_file():
        raise _refuse(f"{out} không phải là một tệp")
    backup = out.read_bytes() if out.exists() else None
    if suffix == ".xlsx":
        write_workbook(dossier, out)
    else:
        write_yaml(dossier, out)
    try:
        again = load_dossier(out)
        lost = (
            ""
            if same_dossier(dossier, again)
            else _first_difference(dossier.model_dump(mode="json"), again.model_dump(mode="json"))
        )
    except DossierError as exc:
        again, lost = None, str(exc)
    if again is None or lost:
        if backup is None:
            out.unlink(missing_ok=True)
        else:
            out.write_bytes(backup)
        raise _refuse(
            f"ghi {out.name} sẽ làm mất hoặc đổi dữ liệu ({lost}); tệp không được ghi. "
            "Đây là lỗi của k39docs, xin báo lại kèm tệp hồ sơ"
        )
    return out


def convert_file(source: str | Path, out: str | Path, *, force: bool = False) -> Dossier:
    """Convert a dossier file (YAML, JSON, a workbook) into ``out`` (by its extension)."""
    source, out = Path(source), Path(out)
    if source.resolve() == out.resolve():
        raise _refuse("tệp vào và tệp ra là một; hãy chọn tên tệp ra khác")
    dossier = load_dossier(source)
    save_dossier(dossier, out, force=force)
    return dossier


def init_workbook(out: str | Path, *, force: bool = False) -> Path:
    """The sample dossier (``init``'s YAML) as the workbook a clerk starts from. Its signing
    images stay relative (``images/…``), as ``init`` copies them next to the workbook."""
    from ..resources import sample_dossier

    out = Path(out)
    if out.exists() and not force:
        raise _refuse(f"{out} đã tồn tại (dùng --force để ghi đè)")
    dossier = load_dossier(yaml.safe_load(sample_dossier()))
    write_workbook(dossier, out, base_dir=None)
    return out
