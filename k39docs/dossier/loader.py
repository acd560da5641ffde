"""Reading a dossier: YAML (or a mapping) → cleaned NFC text → validated ``Dossier``, errors with lines.

PyYAML's node tree gives every value its line, so a clerk reads "trường `candidates[1].gender`
(dòng 96): …" instead of a traceback. Loading is bounded: the file size is capped, nesting depth
is capped before the tree is built, and alias expansion is counted, so a YAML bomb is an input
error, not a frozen machine. Only plain YAML types are built (no ``!!binary``, ``!!set``,
``!!python/…``); a key written twice is an error, not a silently dropped value.

Text is cleaned the way cells copied from Excel or Word need it: NFC; every run of whitespace
(tabs, line breaks, non-breaking spaces) becomes one space and the ends are trimmed; invisible
characters (zero-width space, BOM, soft hyphen, bidi controls) are removed. Control characters
that cannot be printed in a document are refused, naming the field. Dates are ISO only
(``YYYY-MM-DD``): ``12/04/1975`` is refused with the ISO spelling to write instead, because
``04/12/1975`` from a sheet in an English locale would otherwise be read as another day.

Relative paths in ``signing`` (images, PKCS#12 key) and the candidates' scans are resolved
against the dossier file's folder, so ``render(load_dossier("hs/dossier.yaml"), out)`` finds
``hs/images/chu-ky.png`` whatever the current directory is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.constructor import ConstructorError, SafeConstructor

from ..errors import DossierError, FieldIssue
from .model import Dossier

__all__ = [
    "load_dossier",
    "read_yaml",
    "clean_text",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_TEXT_CHARS",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000  # scalar/mapping/sequence visits after alias expansion
MAX_EXPANDED_CHARS = MAX_FILE_BYTES  # text after alias expansion: no more than a file may hold
MAX_DEPTH = 40  # nesting of mappings/lists; a dossier needs 6
MAX_TEXT_CHARS = 5_000  # one value; the model has tighter limits where a field needs one
RESOLVED_PATHS = ("pkcs12", "signature_image", "seal_image")  # under `signing`
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")  # read by ``workbook.read``

Loc = tuple[Any, ...]

# --- a YAML loader that builds plain data only ------------------------------------------------

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml when available) with the exotic types refused and dates kept as text
    when they are impossible, so the model reports them with their field."""


def _refuse(loader: SafeConstructor, node: yaml.Node) -> Any:
    raise ConstructorError(
        None,
        None,
        f"kiểu dữ liệu {node.tag.rsplit(':', 1)[-1]} không dùng trong hồ sơ",
        node.start_mark,
    )


def _timestamp(loader: SafeConstructor, node: yaml.Node) -> Any:
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):  # 1975-02-30: let the model name the field
        return loader.construct_scalar(node)


def _int(loader: SafeConstructor, node: yaml.Node) -> Any:
    try:
        return SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:  # more digits than Python converts (4300)
        raise ConstructorError(
            None, None, f"số có quá nhiều chữ số ({len(node.value)} ký tự)", node.start_mark
        ) from None


for _tag in ("binary", "set", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _int)


# --- text as it comes from Excel and Word -----------------------------------------------------

# zero-width space, word joiner, BOM, soft hyphen, Arabic letter mark, Mongolian vowel separator,
# LRM/RLM and the bidi embeddings, overrides and isolates (they reverse text on screen)
_INVISIBLE = re.compile(
    "[\u200b\u2060\ufeff\u00ad\u061c\u180e\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"\s+")  # Unicode whitespace: tabs, line breaks, NBSP, U+202F, U+3000 …
# what XML cannot hold or a document cannot show: C0/C1 controls left after the whitespace pass,
# lone surrogates, the non-characters U+FFFE/U+FFFF
_UNPRINTABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


@lru_cache(maxsize=8192)  # a dossier's field names and many of its values come again and again
def clean_text(text: str) -> str:
    """``text`` as a document should print it: NFC, invisible characters removed, every run of
    whitespace (tab, line break, non-breaking space …) one space, no space at either end."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if unicodedata.name(ch, "") else "")


# --- where every value is in the file ---------------------------------------------------------


class _Source:
    """Lines of every value in the YAML file, by field path.

    Given the ``text`` instead, the lines are found from it only when first asked for: a JSON
    dossier (a program's request) is parsed by :mod:`json`, and its YAML node tree, many times
    slower to build, is needed only to say where a problem is."""

    def __init__(
        self,
        lines: dict[Loc, int] | None = None,
        name: str | None = None,
        values: dict[tuple[int, int], Loc] | None = None,
        *,
        text: str | None = None,
    ):
        self._lines, self._values = lines or {}, values or {}
        self.name = name
        self._text = text

    @property
    def lines(self) -> dict[Loc, int]:
        self._locate()
        return self._lines

    def _locate(self) -> None:
        if self._text is not None:
            text, self._text = self._text, None
            try:
                _, found = _compose(text, self.name)
            except DossierError:  # JSON that YAML cannot read: the problems go without lines
                return
            self._lines, self._values = found._lines, found._values

    def line_of(self, loc: Loc) -> int | None:
        for end in range(len(loc), -1, -1):
            line = self.lines.get(loc[:end])
            if line is not None:
                return line
        return None

    def path_at(self, mark: yaml.Mark | None) -> Loc:
        """The field path of the value starting at ``mark`` (empty if none does)."""
        self._locate()
        return self._values.get((mark.line, mark.column), ()) if mark is not None else ()


_TOO_BIG = (
    f"tệp quá lớn hoặc có quá nhiều tham chiếu (alias) lồng nhau (giới hạn {MAX_NODES} giá trị)"
)
_TOO_DEEP = f"các bảng/danh sách lồng nhau quá sâu (giới hạn {MAX_DEPTH} cấp)"
_TOO_MUCH_TEXT = (
    f"tham chiếu (alias) nhân bản văn bản quá nhiều: sau khi mở rộng vượt "
    f"{MAX_EXPANDED_CHARS // 1_000_000} triệu ký tự"
)


def _key_text(key: yaml.Node) -> Any:
    return clean_text(key.value) if isinstance(key, yaml.ScalarNode) else None


def _walk(
    node: yaml.Node,
    loc: Loc,
    lines: dict[Loc, int],
    values: dict[tuple[int, int], Loc],
    budget: list[int],
    duplicates: list[FieldIssue],
) -> None:
    """Record the line of every field path; count nodes after alias expansion; find keys twice."""
    budget[0] -= 1
    if budget[0] < 0:
        raise DossierError([FieldIssue("", node.start_mark.line + 1, _TOO_BIG)])
    if isinstance(node, yaml.ScalarNode):
        budget[1] -= len(node.value)
        if budget[1] < 0:
            raise DossierError(
                [FieldIssue(_path_text(loc), node.start_mark.line + 1, _TOO_MUCH_TEXT)]
            )
    if len(loc) > MAX_DEPTH:  # aliases can nest deeper than the text does
        raise DossierError(
            [FieldIssue(_path_text(loc[:MAX_DEPTH]), node.start_mark.line + 1, _TOO_DEEP)]
        )
    lines.setdefault(loc, node.start_mark.line + 1)
    values.setdefault((node.start_mark.line, node.start_mark.column), loc)
    if isinstance(node, yaml.MappingNode):
        first: dict[Any, int] = {}
        for key, value in node.value:
            name = _key_text(key)
            if name is None or name == "<<":
                continue
            line = key.start_mark.line + 1
            if name in first:
                duplicates.append(
                    FieldIssue(
                        _path_text(loc + (name,)),
                        line,
                        f"trường ghi hai lần (dòng {first[name]} và dòng {line}); chỉ giữ một",
                    )
                )
                continue
            first[name] = line
            child = loc + (name,)
            lines.setdefault(child, line)
            _walk(value, child, lines, values, budget, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, values, budget, duplicates)


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the event stream, before the (recursive) composer sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise DossierError([FieldIssue("", event.start_mark.line + 1, _TOO_DEEP)])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


# the problems PyYAML/libyaml report most, as a clerk would understand them
_YAML_PROBLEMS = {
    "did not find expected ',' or ']'": "thiếu dấu ',' hoặc ']' (ngoặc vuông chưa đóng?)",
    "did not find expected ',' or '}'": "thiếu dấu ',' hoặc '}' (ngoặc nhọn chưa đóng?)",
    "found character that cannot start any token": "ký tự không được đứng ở đầu giá trị (thụt lề bằng tab? hãy dùng dấu cách)",
    "found a tab character that violates indentation": "thụt lề bằng tab; hãy dùng dấu cách",
    "mapping values are not allowed in this context": "dấu ':' không đúng chỗ (giá trị có dấu ': ' phải đặt trong ngoặc kép)",
    "did not find expected key": "thụt lề không đúng: không tìm thấy tên trường",
    "did not find expected '-' indicator": "thụt lề danh sách không đúng",
    "found unexpected end of stream": "tệp kết thúc giữa chừng (thiếu dấu ngoặc kép đóng?)",
    "found undefined alias": "tham chiếu (alias) chưa được định nghĩa",
    "found unhashable key": "tên trường không phải là chữ",
    "found unknown escape character": "ký tự thoát (\\) không hợp lệ trong ngoặc kép",
    "found invalid Unicode character escape code": "mã ký tự Unicode (\\u…) không hợp lệ",
    "could not determine a constructor for the tag": "thẻ YAML không được dùng trong hồ sơ",
    "exceeded maximum nesting depth": _TOO_DEEP,
}


def _yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = str(getattr(exc, "problem", None) or exc)
    for english, vietnamese in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            return line, f"{vietnamese} ({problem})"
    return line, problem


def read_yaml(path: Path) -> tuple[Any, _Source]:
    """Parse a YAML file safely; return the data and the line of every field path."""
    path = Path(path)
    try:
        if not path.is_file():  # a device (/dev/zero), a pipe or a folder: never read it
            problem = (
                f"không tìm thấy tệp {path}"
                if not path.exists()
                else f"{path} không phải là một tệp hồ sơ (thư mục, thiết bị hoặc ống)"
            )
            raise DossierError([FieldIssue("", None, problem)])
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)  # no more than the limit, whatever the file says
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
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise DossierError(
            [
                FieldIssue(
                    "",
                    bad_line,
                    f"tệp không phải UTF-8 (byte {exc.start}); hãy lưu tệp với bảng mã UTF-8",
                )
            ],
            str(path),
        ) from None
    if text.lstrip().startswith("{"):
        data = _json_data(text)
        if data is not None:
            return data, _Source(name=str(path), text=text)
    node, where = _compose(text, str(path))
    try:
        data = _Loader("").construct_document(node)
    except yaml.YAMLError as exc:  # refused tags, oversized numbers
        line, problem = _yaml_problem(exc)
        at = where.path_at(getattr(exc, "problem_mark", None))
        prefix = "" if at else "YAML không hợp lệ: "
        raise DossierError(
            [FieldIssue(_path_text(at), line, prefix + problem)], str(path)
        ) from None
    return data, where


def _compose(text: str, name: str | None) -> tuple[yaml.Node, _Source]:
    """The YAML node tree of ``text`` and the line of every field path in it."""
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        line, problem = _yaml_problem(exc)
        raise DossierError([FieldIssue("", line, f"YAML không hợp lệ: {problem}")], name) from None
    except DossierError as exc:
        exc.source = name
        raise
    if node is None:
        raise DossierError([FieldIssue("", 1, "tệp hồ sơ trống")], name)
    lines: dict[Loc, int] = {}
    values: dict[tuple[int, int], Loc] = {}
    duplicates: list[FieldIssue] = []
    try:
        _walk(node, (), lines, values, [MAX_NODES, MAX_EXPANDED_CHARS], duplicates)
    except DossierError as exc:
        exc.source = name
        raise
    if duplicates:
        raise DossierError(duplicates, name)
    return node, _Source(lines, name, values)


class _NotAsYaml(Exception):
    """What JSON allows and a dossier does not (a key twice, deep nesting): YAML reads it."""


def _json_data(text: str) -> dict[str, Any] | None:
    """``text`` as JSON, if it is a JSON object the YAML reading would accept as it is: a JSON
    dossier reads the same either way (JSON is YAML), only faster. ``None`` for anything else
    — not JSON, a key written twice, nesting past the limit, a very long number, too many
    values —, which the YAML reading refuses or reads with the lines its message needs."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(set(keys)) != len(keys) or "<<" in keys:
            raise _NotAsYaml
        return dict(pairs)

    try:
        data = json.loads(text, object_pairs_hook=unique, parse_constant=_refuse_constant)
    except (ValueError, RecursionError, _NotAsYaml):
        return None
    budget = [MAX_NODES]
    return data if isinstance(data, dict) and _within(data, 0, budget) else None


def _refuse_constant(name: str) -> Any:
    raise _NotAsYaml  # NaN, Infinity: not JSON proper


def _within(value: Any, depth: int, budget: list[int]) -> bool:
    """``value`` no deeper than :data:`MAX_DEPTH` and with no more than :data:`MAX_NODES`
    values, and every number one YAML reads the same (no float that is a whole number in
    JSON's spelling only, e.g. ``1e5``, which YAML 1.1 reads as text)."""
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        return False
    if isinstance(value, dict):
        return all(_within(v, depth + 1, budget) for v in value.values())
    if isinstance(value, list):
        return all(_within(v, depth + 1, budget) for v in value)
    return not isinstance(value, float)


# --- loading ----------------------------------------------------------------------------------


def load_dossier(
    source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None
) -> Dossier:
    """Load and validate a dossier from a YAML path, a workbook (``.xlsx``, ``.xls``, ``.ods``:
    errors name the sheet and cell) or an already-parsed mapping.

    Raises ``DossierError`` listing every problem with its field path (and YAML line when read
    from a file). All text comes out cleaned (``clean_text``) and NFC. Relative paths under
    ``signing`` and of the scans are made absolute against ``base_dir``, which defaults to the
    YAML file's folder (a mapping without ``base_dir`` keeps them relative to the current
    directory).
    """
    if isinstance(source, Mapping):
        data, where = dict(source), _Source()
    else:
        path = Path(source)
        if path.suffix.lower() in WORKBOOK_SUFFIXES:  # the clerk's workbook: errors name cells
            from ..workbook.read import load_workbook

            return load_workbook(path, validate=load_dossier, base_dir=base_dir)
        data, where = read_yaml(path)
        if base_dir is None:
            base_dir = path.resolve().parent
    if not isinstance(data, Mapping):
        raise DossierError(
            [
                FieldIssue(
                    "", where.lines.get((), 1), "tệp hồ sơ phải là một bảng khóa: giá trị (mapping)"
                )
            ],
            where.name,
        )
    text_issues: list[FieldIssue] = []
    data = _clean(data, (), text_issues, where)
    try:
        dossier = Dossier.model_validate(data)
    except ValidationError as exc:
        issues = [_issue(dict(err), data, where) for err in exc.errors(include_url=False)]
        named = {i.path for i in issues}
        raise DossierError(
            issues + [i for i in text_issues if i.path not in named], where.name
        ) from None
    if text_issues:
        raise DossierError(text_issues, where.name)
    return _resolve_paths(dossier, Path(base_dir)) if base_dir is not None else dossier


def _clean(value: Any, loc: Loc, issues: list[FieldIssue], where: _Source) -> Any:
    """A copy of ``value`` with every string cleaned; unprintable or oversized text → issues."""
    if isinstance(value, str):
        text = clean_text(value)
        bad = _UNPRINTABLE.search(text)
        if bad:
            issues.append(
                FieldIssue(
                    _path_text(loc),
                    where.line_of(loc),
                    f"có ký tự điều khiển không in được ({_char_name(bad.group())}) "
                    f"ở vị trí {bad.start() + 1}; hãy gõ lại giá trị này",
                )
            )
        elif len(text) > MAX_TEXT_CHARS:
            issues.append(
                FieldIssue(
                    _path_text(loc),
                    where.line_of(loc),
                    f"dài {len(text)} ký tự, quá giới hạn {MAX_TEXT_CHARS} ký tự",
                )
            )
        return text
    if len(loc) > MAX_DEPTH and isinstance(value, (Mapping, list, tuple)):
        issues.append(FieldIssue(_path_text(loc[:MAX_DEPTH]), where.line_of(loc), _TOO_DEEP))
        return None
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            name = clean_text(key) if isinstance(key, str) else key
            if name in out:  # keys that differ only in spaces or Unicode form
                issues.append(
                    FieldIssue(
                        _path_text(loc + (name,)),
                        where.line_of(loc + (name,)),
                        "trường ghi hai lần; chỉ giữ một",
                    )
                )
                continue
            out[name] = _clean(item, loc + (name,), issues, where)
        return out
    if isinstance(value, (list, tuple)):
        return [_clean(item, loc + (i,), issues, where) for i, item in enumerate(value)]
    if isinstance(value, (bytes, bytearray)):
        issues.append(
            FieldIssue(
                _path_text(loc),
                where.line_of(loc),
                "dữ liệu nhị phân không dùng trong hồ sơ; hãy ghi chữ",
            )
        )
    return value


def _resolve_paths(dossier: Dossier, base_dir: Path) -> Dossier:
    """The dossier with the relative paths of ``signing`` and of the candidates' scans
    (``signed_commitment``, ``attachments[].file``) made absolute against ``base_dir``."""

    def absolute(path: Path) -> Path:
        path = path.expanduser()  # ~/keys/ubnd.p12 as the signing package reads it
        return path if path.is_absolute() else base_dir.resolve() / path

    signing = dossier.signing
    update: dict[str, Any] = {}
    for name in RESOLVED_PATHS:
        path = getattr(signing, name)
        if path is not None:
            update[name] = absolute(path)
    if update != {name: getattr(signing, name) for name in update}:
        update = {"signing": signing.model_copy(update=update)}
    else:
        update = {}
    candidates = [
        c.model_copy(
            update={
                "signed_commitment": absolute(c.signed_commitment) if c.signed_commitment else None,
                "attachments": [
                    a.model_copy(update={"file": absolute(a.file)}) for a in c.attachments
                ],
            }
        )
        if c.signed_commitment or c.attachments
        else c
        for c in dossier.candidates
    ]
    if any(new is not old for new, old in zip(candidates, dossier.candidates, strict=True)):
        update["candidates"] = candidates
    return dossier.model_copy(update=update) if update else dossier


# --- pydantic errors → Vietnamese -------------------------------------------------------------


def _display_loc(loc: Loc, data: Any) -> Loc:
    """Keep the parts of pydantic's loc that are real fields (drop union/validator tags)."""
    out: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, Mapping) and not isinstance(part, str):
            part_shown: Any = str(part)  # a mapping key that is not text: `reviewed.1`, not `[1]`
        else:
            part_shown = part
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
        out.append(part_shown)
    return tuple(out)


def _looks_like_tag(part: str) -> bool:
    return part in {"int", "str", "float", "bool", "date", "list", "dict", "none"} or "[" in part


def _path_text(loc: Loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _parse_at(at: str) -> Loc:
    parts: list[str | int] = []
    for piece in at.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)


def _issue(err: dict[str, Any], data: Any, where: _Source) -> FieldIssue:
    ctx = err.get("ctx") or {}
    raw = tuple(err["loc"])
    if err["type"] == "invalid_key" and raw:  # a key that is not text (1:, null:, 2020-01-01:)
        loc = _display_loc(raw[:-1], data)
        key = err.get("input", raw[-1])
        return FieldIssue(
            _path_text(loc),
            where.line_of(loc),
            f"tên trường {_short(key)} không hợp lệ: tên trường phải là chữ",
        )
    loc = _display_loc(raw, data)
    if "at" in ctx:
        loc = loc + _parse_at(ctx["at"])
    return FieldIssue(_path_text(loc), where.line_of(loc), _message(err))


def _expected_list(ctx: dict[str, Any]) -> str:
    expected = str(ctx.get("expected", "")).replace("''", "(để trống)")
    return expected.replace("'", "").replace(" or ", ", ")


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO_SHAPE = re.compile(r"^\s*\d{4}-\d{1,2}-\d{1,2}\s*$")


def _iso_of(value: Any) -> str | None:
    """``12/04/1975`` (day first, as Vietnamese write it) → ``1975-04-12``; else None."""
    m = _DMY.match(value) if isinstance(value, str) else None
    if m is None:
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_message(value: Any) -> str:
    """Why a value is not a date, and what to write instead when that is clear."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"phải là ngày dạng YYYY-MM-DD, không phải {_short(value)}"
    if isinstance(value, (int, float)):
        return (
            f"phải là ngày dạng YYYY-MM-DD, không phải số {value!r} "
            "(ô Excel định dạng số? hãy chép lại ngày dạng YYYY-MM-DD)"
        )
    if _DMY.match(value):
        iso = _iso_of(value)
        if iso is None:
            return f"ngày {_short(value)} không có thật; ghi ngày dạng YYYY-MM-DD"
        return f"ngày phải ghi dạng YYYY-MM-DD: “{value.strip()}” ghi là {iso}"
    if _ISO_SHAPE.match(value):
        return f"ngày {_short(value)} không có thật"
    return f"ngày không hợp lệ {_short(value)} (dạng YYYY-MM-DD, ví dụ 2027-03-01)"


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    value = err.get("input")
    shown = _short(value)
    table = {
        "missing": "thiếu trường bắt buộc",
        "extra_forbidden": f"trường không có trong mẫu hồ sơ (gõ nhầm tên trường?); giá trị {shown}",
        "string_type": f"phải là chuỗi ký tự, không phải {shown}",
        "string_unicode": "phải là chuỗi ký tự Unicode hợp lệ",
        "string_too_short": "không được để trống",
        "string_too_long": f"dài quá {ctx.get('max_length')} ký tự",
        "int_type": f"phải là số nguyên, không phải {shown}",
        "int_parsing": f"phải là số nguyên, không phải {shown}",
        "int_parsing_size": "số quá lớn",
        "int_from_float": f"phải là số nguyên, không phải {shown}",
        "float_type": f"phải là số, không phải {shown}",
        "float_parsing": f"phải là số, không phải {shown}",
        "finite_number": f"phải là một số hữu hạn, không phải {shown}",
        "bool_type": f"phải là true hoặc false, không phải {shown}",
        "bool_parsing": f"phải là true hoặc false, không phải {shown}",
        "date_type": _date_message(value),
        "date_parsing": _date_message(value),
        "date_from_datetime_parsing": _date_message(value),
        "date_from_datetime_inexact": (
            _date_message(value)
            if isinstance(value, (int, float))
            else f"chỉ ghi ngày, không ghi giờ: {shown}"
        ),
        "path_type": f"phải là đường dẫn tệp, không phải {shown}",
        "enum": f"giá trị {shown} không hợp lệ; phải là một trong: {_expected_list(ctx)}",
        "literal_error": f"giá trị {shown} không hợp lệ; phải là một trong: {_expected_list(ctx)}",
        "greater_than_equal": f"phải lớn hơn hoặc bằng {ctx.get('ge')}, không phải {shown}",
        "less_than_equal": f"phải nhỏ hơn hoặc bằng {ctx.get('le')}, không phải {shown}",
        "greater_than": f"phải lớn hơn {ctx.get('gt')}, không phải {shown}",
        "less_than": f"phải nhỏ hơn {ctx.get('lt')}, không phải {shown}",
        "too_short": "danh sách không được để trống",
        "too_long": f"danh sách dài quá {ctx.get('max_length')} mục",
        "list_type": f"phải là một danh sách (các dòng bắt đầu bằng '- '), không phải {shown}",
        "dict_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
        "model_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
        "model_attributes_type": f"phải là một bảng khóa: giá trị, không phải {shown}",
    }
    if kind in table:
        return table[kind]
    if kind == "value_error":  # a plain ValueError from a validator: keep its text
        return str(ctx.get("error", err["msg"]))
    message = str(err["msg"])
    if kind == "partial_date" and isinstance(value, str) and _iso_of(value):
        return f"{message}; “{value.strip()}” ghi là {_iso_of(value)}"
    if kind == "partial_date" and isinstance(value, str) and _ISO_SHAPE.match(value):
        return f"ngày sinh “{value.strip()}” không có thật"
    if message.isascii():  # a pydantic message we have not translated: still say it in Vietnamese
        return f"giá trị {shown} không hợp lệ ({message})"
    return message  # our PydanticCustomError messages are already Vietnamese


def _short(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        text = value.isoformat()
    elif isinstance(value, Mapping):
        return "một bảng khóa: giá trị"
    elif isinstance(value, (list, tuple, set, frozenset)):
        return "một danh sách"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**60:
        return "một số rất lớn"
    else:
        text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= 60 else text[:57] + "…"
