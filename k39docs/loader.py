"""Reading a dossier: YAML (or a mapping) → NFC text → validated ``Dossier``, errors with lines.

PyYAML's node tree gives every value its line, so a clerk reads "trường `candidates[1].gender`
(dòng 96): …" instead of a traceback. Loading is bounded: the file size is capped and alias
expansion is counted, so a YAML bomb is an input error, not a frozen machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import DossierError, FieldIssue
from .model import Dossier
from .vietnamese.text import nfc_deep

__all__ = ["load_dossier", "read_yaml", "MAX_FILE_BYTES", "MAX_NODES"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # scalar/mapping/sequence visits after alias expansion

Loc = tuple[str | int, ...]


class _Source:
    """Lines of every value in the YAML file, by field path."""

    def __init__(self, lines: dict[Loc, int] | None = None, name: str | None = None):
        self.lines = lines or {}
        self.name = name

    def line_of(self, loc: Loc) -> int | None:
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None


def _walk(node: yaml.Node, loc: Loc, lines: dict[Loc, int], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise DossierError([FieldIssue("", node.start_mark.line + 1, _TOO_BIG)])
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                child = loc + (key.value,)
                lines.setdefault(child, key.start_mark.line + 1)
                _walk(value, child, lines, budget)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, budget)


_TOO_BIG = (
    f"tệp quá lớn hoặc có quá nhiều tham chiếu (alias) lồng nhau (giới hạn {MAX_NODES} giá trị)"
)


def read_yaml(path: Path) -> tuple[Any, _Source]:
    """Parse a YAML file safely; return the data and the line of every field path."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DossierError([FieldIssue("", None, f"không tìm thấy tệp {path}")]) from None
    except OSError as exc:
        raise DossierError([FieldIssue("", None, f"không đọc được tệp {path}: {exc}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DossierError(
            [FieldIssue("", None, f"tệp lớn hơn {MAX_FILE_BYTES // (1024 * 1024)} MB")], str(path)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DossierError(
            [FieldIssue("", None, f"tệp không phải UTF-8 (byte {exc.start})")], str(path)
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DossierError(
            [FieldIssue("", line, f"YAML không hợp lệ: {problem}")], str(path)
        ) from None
    if node is None:
        raise DossierError([FieldIssue("", 1, "tệp hồ sơ trống")], str(path))
    lines: dict[Loc, int] = {}
    try:
        _walk(node, (), lines, [MAX_NODES])
    except DossierError as exc:
        exc.source = str(path)
        raise
    try:
        data = yaml.SafeLoader(text).get_single_data()
    except yaml.YAMLError as exc:  # constructor errors (bad timestamps …)
        mark = getattr(exc, "problem_mark", None)
        raise DossierError(
            [FieldIssue("", mark.line + 1 if mark else None, f"YAML không hợp lệ: {exc}")],
            str(path),
        ) from None
    return data, _Source(lines, str(path))


def load_dossier(source: str | Path | Mapping[str, Any]) -> Dossier:
    """Load and validate a dossier from a YAML path or an already-parsed mapping.

    Raises ``DossierError`` listing every problem with its field path (and YAML line when read
    from a file). All text comes out NFC-normalised.
    """
    if isinstance(source, Mapping):
        data, where = dict(source), _Source()
    else:
        data, where = read_yaml(Path(source))
    if not isinstance(data, Mapping):
        raise DossierError(
            [FieldIssue("", 1, "tệp hồ sơ phải là một bảng khóa: giá trị (mapping)")], where.name
        )
    data = nfc_deep(data)
    try:
        return Dossier.model_validate(data)
    except ValidationError as exc:
        issues = [_issue(err, data, where) for err in exc.errors(include_url=False)]
        raise DossierError(issues, where.name) from None


# --- pydantic errors → Vietnamese -------------------------------------------------------------


def _display_loc(loc: Loc, data: Any) -> Loc:
    """Keep the parts of pydantic's loc that are real fields (drop union/validator tags)."""
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
        elif isinstance(current, Mapping) and isinstance(part, str) and i == len(loc) - 1:
            pass  # a missing field: still name it
        elif current is None or isinstance(current, Mapping):
            if isinstance(part, str) and not _looks_like_tag(part):
                out.append(part)
            break
        else:
            break
        out.append(part)
    return tuple(out)


def _looks_like_tag(part: str) -> bool:
    return part in {"int", "str", "float", "bool", "date", "list", "dict", "none"} or "[" in part


def _path_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _parse_at(at: str) -> Loc:
    parts: list[str | int] = []
    for piece in at.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)


def _issue(err: dict[str, Any], data: Any, where: _Source) -> FieldIssue:
    ctx = err.get("ctx") or {}
    loc = _display_loc(tuple(err["loc"]), data)
    if "at" in ctx:
        loc = loc + _parse_at(ctx["at"])
    return FieldIssue(_path_text(loc), where.line_of(loc), _message(err))


def _expected_list(ctx: dict[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace("'", "").replace(" or ", ", ")


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = _short(value)
    table = {
        "missing": "thiếu trường bắt buộc",
        "extra_forbidden": f"trường không có trong mẫu hồ sơ (gõ nhầm tên trường?); giá trị {shown}",
        "string_type": f"phải là chuỗi ký tự, không phải {shown}",
        "string_too_short": "không được để trống",
        "string_too_long": f"dài quá {ctx.get('max_length')} ký tự",
        "int_type": f"phải là số nguyên, không phải {shown}",
        "int_parsing": f"phải là số nguyên, không phải {shown}",
        "int_from_float": f"phải là số nguyên, không phải {shown}",
        "bool_type": f"phải là true hoặc false, không phải {shown}",
        "bool_parsing": f"phải là true hoặc false, không phải {shown}",
        "date_type": f"phải là ngày dạng YYYY-MM-DD, không phải {shown}",
        "date_parsing": f"ngày không hợp lệ {shown} (dạng YYYY-MM-DD)",
        "date_from_datetime_parsing": f"ngày không hợp lệ {shown} (dạng YYYY-MM-DD)",
        "date_from_datetime_inexact": f"chỉ ghi ngày, không ghi giờ: {shown}",
        "enum": f"giá trị {shown} không hợp lệ; phải là một trong: {_expected_list(ctx)}",
        "literal_error": f"giá trị {shown} không hợp lệ; phải là một trong: {_expected_list(ctx)}",
        "greater_than_equal": f"phải lớn hơn hoặc bằng {ctx.get('ge')}, không phải {shown}",
        "less_than_equal": f"phải nhỏ hơn hoặc bằng {ctx.get('le')}, không phải {shown}",
        "too_short": "danh sách không được để trống",
        "list_type": f"phải là một danh sách (các dòng bắt đầu bằng '- '), không phải {shown}",
        "dict_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
        "model_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
        "model_attributes_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
    }
    if kind in table:
        return table[kind]
    if kind == "value_error":  # a plain ValueError from a validator: keep its text
        return str(ctx.get("error", err["msg"]))
    return err["msg"]  # our PydanticCustomError messages are already Vietnamese


def _short(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        text = value.isoformat()
    elif isinstance(value, (Mapping, list)):
        return "một bảng/danh sách"
    else:
        text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 60 else text[:57] + "…"
