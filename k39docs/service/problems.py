"""Problem details (RFC 9457) of the service, and the bad-input JSON of ``validate --format json``.

A bad dossier is told the same way wherever it arrives: :func:`bad_input` lists its issues (field
path, YAML line or workbook cell, Vietnamese message) for the command line, and
:func:`dossier_problem` is that plus the problem's ``type``, ``title``, ``status`` and ``detail``
for the service. Titles and details are Vietnamese; field names are English. Plain dicts: no web
framework is imported here.
"""

from __future__ import annotations

from typing import Any

from ..errors import DossierError, FieldIssue

__all__ = ["PROBLEM_TYPE", "MEDIA_TYPE", "issue_json", "bad_input", "problem", "dossier_problem"]

MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE = "urn:k39docs:problem:"  # + a slug: invalid-dossier, queue-full …


def issue_json(issue: FieldIssue) -> dict[str, Any]:
    """One issue as interface.md spells it; ``cell`` (``"Ứng viên!F7"``) for a workbook."""
    return {
        "path": issue.path,
        "line": issue.line,
        "cell": getattr(issue, "cell", None),
        "message": issue.message,
    }


def bad_input(error: DossierError) -> dict[str, Any]:
    """``{"ok": false, "issues": [...]}``: what ``validate --format json`` prints for bad input."""
    return {"ok": False, "issues": [issue_json(i) for i in error.issues]}


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem details object; ``extra`` members go beside the standard ones."""
    return {
        "type": PROBLEM_TYPE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }


def dossier_problem(error: DossierError) -> dict[str, Any]:
    """422 for a dossier that is not valid, with the same issues as the command line."""
    count = len(error.issues)
    first = str(error.issues[0]) if error.issues else "hồ sơ không hợp lệ"
    detail = first if count == 1 else f"{count} lỗi; lỗi đầu tiên: {first}"
    return problem(422, "invalid-dossier", "Hồ sơ không hợp lệ", detail, **bad_input(error))
