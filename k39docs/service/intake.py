"""A request's dossier, read inside the job's own upload folder.

The body is saved as it came (``dossier.yaml``, ``.json`` or ``.xlsx``) beside the images and
scans sent with it as multipart parts, in a folder only the service's user can read; then it is
read like a file on the command line (the same issues, with lines), with two differences that
keep one request from reaching what is not its own:

* every file the dossier names (signature and seal images, scans) is a relative path inside the
  upload folder, and must have been uploaded; an absolute path, ``~`` or ``..`` is refused,
  naming the field;
* ``signing`` says ``{demo: true}`` or ``{key: NAME}`` (a key of the operator's KEYS.yaml); a
  key file, a token, a passphrase or PIN variable or a timestamp server in a request is refused.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

from ..dossier.model import Dossier
from ..errors import DossierError, FieldIssue
from .keys import KeyRing

__all__ = [
    "MEDIA_TYPES",
    "UnsupportedMedia",
    "dossier_suffix",
    "safe_relative",
    "write_private",
    "private_dir",
    "read_dossier",
    "parse_review",
    "workbook_reader_present",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "text/x-yaml": ".yaml",
    "application/json": ".json",
    XLSX: ".xlsx",
}
SUFFIXES = {".yaml", ".yml", ".json", ".xlsx"}
# the request's `signing` may say only these; the rest is the operator's (KEYS.yaml)
REQUEST_SIGNING = {"demo", "key", "signature_image", "seal_image"}
MAX_PATH_PARTS = 8


class UnsupportedMedia(Exception):
    """The body is not a dossier the service reads (415); the message is Vietnamese."""


def workbook_reader_present() -> bool:
    """Whether the Excel workbook reader has landed (``k39docs.workbook``)."""
    return importlib.util.find_spec("k39docs.workbook") is not None


def dossier_suffix(media_type: str | None, filename: str | None = None) -> str:
    """The file suffix the dossier is saved under, from its media type or (multipart) its
    filename; :class:`UnsupportedMedia` for anything else."""
    suffix = Path(filename).suffix.lower() if filename else ""
    kind = (media_type or "").split(";")[0].strip().lower()
    if suffix not in SUFFIXES:
        suffix = MEDIA_TYPES.get(kind, "")
    if suffix == ".yml":
        suffix = ".yaml"
    if not suffix:
        raise UnsupportedMedia(
            f"Không đọc được hồ sơ kiểu “{kind or 'không rõ'}”: gửi hồ sơ dạng application/yaml, "
            f"application/json, {XLSX} (sổ Excel) hoặc multipart/form-data có phần `dossier`."
        )
    if suffix == ".xlsx" and not workbook_reader_present():
        raise UnsupportedMedia(
            "Dịch vụ này chưa đọc được sổ Excel (.xlsx): bộ đọc sổ Excel của k39docs chưa có "
            "trong phiên bản này. Hãy gửi hồ sơ dạng YAML hoặc JSON (k39docs convert chuyển sổ "
            "Excel sang YAML khi có)."
        )
    return suffix


def safe_relative(name: str) -> PurePosixPath | None:
    """``name`` as a path inside an upload folder, or None when it would lead out of it (absolute,
    ``~``, ``..``, a drive or a backslash) or is not a plain file name."""
    if not name or "\\" in name or "\x00" in name or name.startswith("~"):
        return None
    path = PurePosixPath(name)
    parts = [p for p in path.parts if p != "."]
    if (
        path.is_absolute()
        or not parts
        or len(parts) > MAX_PATH_PARTS
        or any(p == ".." or ":" in p or p.startswith(".") for p in parts)
    ):
        return None
    return PurePosixPath(*parts)


def private_dir(path: Path) -> Path:
    """Make ``path`` (and missing parents) readable by the service's user only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, chunks) -> int:
    """Write ``chunks`` (bytes) to a new file only the service's user can read; its size."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    size = 0
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            out.write(chunk)
            size += len(chunk)
    return size


def read_dossier(
    file: Path, folder: Path, keys: KeyRing, review: Mapping[str, Any] | None = None
) -> Dossier:
    """The dossier saved at ``file`` in the upload ``folder``, with the service's signing;
    :class:`DossierError` (each issue with its YAML line or workbook cell) for a dossier that is
    not valid or says what a request may not.

    ``review`` (the multipart field of that name, see :func:`parse_review`) adds a reviewer's
    notes and an exception to candidates named by id, over what the file says: the web page
    sends them so that a clerk can settle a review without editing the workbook first."""
    from ..dossier.loader import load_dossier, read_yaml
    from ..preflight import dossier_issues

    if file.suffix == ".xlsx":
        from ..workbook.read import read_workbook

        book = read_workbook(file)
        data, locate, own = book.data, book.located, list(book.issues)
    else:
        data, where = read_yaml(file)
        locate, own = partial(_with_line, where=where), []
    found: list[FieldIssue] = []
    if isinstance(data, Mapping) and review:
        data, found = _with_review(data, review)
        if found:
            raise DossierError(own + found, file.name)
    if isinstance(data, Mapping):
        _place_by_name(data, folder)
        found = _request_issues(data, folder, keys)
        if not found:
            data = _with_service_signing(data, keys)
    if not found:
        try:
            dossier = load_dossier(data, base_dir=folder)
        except DossierError as error:
            named = {i.path for i in own if i.path}
            found = [i for i in error.issues if i.path not in named]
        else:
            found = [FieldIssue(p, None, m) for p, m in dossier_issues(dossier, folder)]
    issues = own + [locate(i) for i in found]
    if issues:
        raise DossierError(issues, file.name)
    return dossier


def parse_review(text: str) -> dict[str, dict[str, Any]]:
    """The ``review`` field of a request: JSON ``{candidate id: {"reviewed": {RULE: note},
    "exception": {"rules": [RULE, …], "reason": text}}}`` (either key may be left out);
    :class:`DossierError` naming ``review`` for anything else."""
    import json

    def bad(path: str, message: str) -> DossierError:
        return DossierError([FieldIssue(path, None, message)], "review")

    try:
        value = json.loads(text)
    except ValueError:
        raise bad(
            "review",
            'trường `review` phải là JSON: {mã ứng viên: {"reviewed": '
            '{mã điều kiện: ý kiến}, "exception": {"rules": [...], '
            '"reason": lý do}}}',
        ) from None
    if not isinstance(value, dict):
        raise bad("review", "trường `review` phải là một đối tượng JSON theo mã ứng viên")
    for cid, entry in value.items():
        if not isinstance(entry, dict) or set(entry) - {"reviewed", "exception"}:
            raise bad(
                f"review.{cid}",
                "chỉ ghi được `reviewed` (ý kiến xem xét) và "
                "`exception` (ngoại lệ) cho một ứng viên",
            )
        notes = entry.get("reviewed")
        if notes is not None and not (
            isinstance(notes, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in notes.items())
        ):
            raise bad(f"review.{cid}.reviewed", "ý kiến xem xét: {mã điều kiện: ý kiến}")
    return value


def _with_review(
    data: Mapping[str, Any], review: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldIssue]]:
    """``data`` with the notes and exceptions of ``review`` put into its candidates (a note over
    the file's note for the same rule; an exception in place of the file's); an issue for a
    candidate id the dossier does not have."""
    data = dict(data)
    candidates = data.get("candidates")
    if not isinstance(candidates, list):
        return data, []
    by_id = {c.get("id"): i for i, c in enumerate(candidates) if isinstance(c, Mapping)}
    candidates = list(candidates)
    issues = []
    for cid, entry in review.items():
        i = by_id.get(cid)
        if i is None:
            issues.append(FieldIssue(f"review.{cid}", None, f"hồ sơ không có ứng viên mã “{cid}”"))
            continue
        candidate = dict(candidates[i])
        notes = {k: v for k, v in (entry.get("reviewed") or {}).items() if v.strip()}
        if notes:
            own = candidate.get("reviewed")
            candidate["reviewed"] = {**(own if isinstance(own, Mapping) else {}), **notes}
        if entry.get("exception") is not None:
            candidate["exception"] = entry["exception"]
        candidates[i] = candidate
    data["candidates"] = candidates
    return data, issues


def _request_issues(data: Mapping[str, Any], folder: Path, keys: KeyRing) -> list[FieldIssue]:
    issues = []
    signing = data.get("signing")
    if isinstance(signing, Mapping):
        for name in signing:
            if name not in REQUEST_SIGNING:
                issues.append(
                    FieldIssue(
                        f"signing.{name}",
                        None,
                        "yêu cầu gửi dịch vụ không được ghi tệp khóa, token, mật khẩu hay máy chủ dấu "
                        "thời gian: ghi `key: TÊN` (một khóa quản trị viên khai báo trong KEYS.yaml) "
                        "hoặc `demo: true`",
                    )
                )
        key = signing.get("key")
        if key is not None:
            if not isinstance(key, str) or keys.signing(key) is None:
                known = ", ".join(keys.names()) or "(máy chủ chưa khai báo khóa nào)"
                issues.append(
                    FieldIssue(
                        "signing.key",
                        None,
                        f"không có khóa “{key}” trên máy chủ; các khóa: {known}",
                    )
                )
            elif signing.get("demo"):
                issues.append(
                    FieldIssue("signing.demo", None, "chỉ chọn một: `key` hoặc `demo: true`")
                )
    for path, value in _named_files(data):
        if not isinstance(value, str):
            continue  # the model says what is wrong with it
        relative = safe_relative(value)
        if relative is None:
            issues.append(
                FieldIssue(
                    path,
                    None,
                    f"tệp `{value}` phải là đường dẫn tương đối tới "
                    "một tệp tải lên cùng hồ sơ (không ghi đường dẫn "
                    "tuyệt đối, `~` hay `..`)",
                )
            )
        elif not (folder / relative).is_file():
            issues.append(
                FieldIssue(
                    path,
                    None,
                    f"chưa tải lên tệp `{value}` cùng hồ sơ (gửi "
                    "multipart/form-data, mỗi tệp một phần có tên "
                    "tệp là đường dẫn này)",
                )
            )
    return issues


def _place_by_name(data: Mapping[str, Any], folder: Path) -> None:
    """A browser sends a file under its bare name (``chu-ky.png``) where the dossier names
    ``images/chu-ky.png``: a named file missing at its path is linked there from the one uploaded
    file of the same name, if there is exactly one (two of that name: the dossier's path is
    still asked for)."""
    uploaded: dict[str, list[Path]] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            uploaded.setdefault(path.name, []).append(path)
    for _field, value in _named_files(data):
        relative = safe_relative(value) if isinstance(value, str) else None
        if relative is None or (folder / relative).exists():
            continue
        same = uploaded.get(relative.name, [])
        if len(same) == 1:
            target = folder / relative
            try:
                private_dir(target.parent)
                os.link(same[0], target)
            except OSError:  # a folder of that path is a file: the path is asked for
                continue


def _named_files(data: Mapping[str, Any]):
    """(field path, value) of every file the dossier names."""
    signing = data.get("signing")
    if isinstance(signing, Mapping):
        for name in ("signature_image", "seal_image"):
            if signing.get(name) is not None:
                yield f"signing.{name}", signing[name]
    candidates = data.get("candidates")
    for i, c in enumerate(candidates if isinstance(candidates, list) else ()):
        if not isinstance(c, Mapping):
            continue
        if c.get("signed_commitment") is not None:
            yield f"candidates[{i}].signed_commitment", c["signed_commitment"]
        attachments = c.get("attachments")
        for j, a in enumerate(attachments if isinstance(attachments, list) else ()):
            if isinstance(a, Mapping) and a.get("file") is not None:
                yield f"candidates[{i}].attachments[{j}].file", a["file"]


def _with_service_signing(data: Mapping[str, Any], keys: KeyRing) -> dict[str, Any]:
    """``data`` with ``signing: {key: NAME}`` replaced by the key's section of KEYS.yaml (the
    request's images used where the key has none)."""
    data = dict(data)
    signing = data.get("signing")
    if isinstance(signing, Mapping) and signing.get("key") is not None:
        own = {k: v for k, v in signing.items() if k in ("signature_image", "seal_image")}
        data["signing"] = {**own, **(keys.signing(signing["key"]) or {})}
    return data


def _with_line(issue: FieldIssue, *, where) -> FieldIssue:
    """``issue`` with the YAML line of its field when it has none yet."""
    if issue.line is not None or where is None:
        return issue
    line = where.line_of(_loc(issue.path)) if issue.path else None
    return issue if line is None else replace(issue, line=line)


def _loc(path: str) -> tuple:
    """``candidates[1].gender`` → ``("candidates", 1, "gender")``."""
    parts: list[Any] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)
