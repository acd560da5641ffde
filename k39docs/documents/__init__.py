"""The documents of a dossier, one module per kind: its data (context) and its template.

``build_documents`` returns them in bundle order: submission, cover letter, nomination list,
commitments (candidate order), return reports; the eligibility working paper last (not bundled).
"""

from __future__ import annotations

from ..model import Dossier
from . import commitment, cover_letter, nomination_list, return_report, submission
from .base import Document

__all__ = ["Document", "build_documents", "KIND_ORDER"]

KIND_ORDER = (
    "submission",
    "cover_letter",
    "nomination_list",
    "commitment",
    "return_report",
    "eligibility_report",
)


def build_documents(dossier: Dossier, months_left: dict[str, int | None]) -> list[Document]:
    """Every document of the dossier, in bundle order. ``months_left`` by candidate id."""
    docs = [
        submission.build(dossier),
        cover_letter.build(dossier),
        nomination_list.build(dossier, months_left),
    ]
    docs += [commitment.build(dossier, c) for c in dossier.candidates]
    docs += [return_report.build(dossier, c) for c in dossier.candidates if c.return_report]
    return docs
