"""The documents of a dossier, one module per kind: its data (context) and its template.

``build_documents`` returns them in bundle order: submission, cover letter, nomination list,
commitments (candidate order), return reports; the eligibility working paper last (not bundled).
"""

from __future__ import annotations

from ..model import Dossier
from ..retirement import months_left_for_course
from ..rules import EligibilityReport
from . import (
    commitment,
    cover_letter,
    eligibility_report,
    nomination_list,
    return_report,
    submission,
)
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


def build_documents(
    dossier: Dossier, report: EligibilityReport, *, allow_ineligible: str | None = None
) -> list[Document]:
    """Every document of the dossier, in bundle order, from its eligibility ``report``.

    ``allow_ineligible`` is the reason for issuing although a candidate fails; the eligibility
    working paper prints it.
    """
    months_left = {c.id: months_left_for_course(c, dossier.course) for c in dossier.candidates}
    docs = [
        submission.build(dossier),
        cover_letter.build(dossier),
        nomination_list.build(dossier, months_left),
    ]
    docs += [commitment.build(dossier, c) for c in dossier.candidates]
    docs += [return_report.build(dossier, c) for c in dossier.candidates if c.return_report]
    docs.append(eligibility_report.build(dossier, report, months_left, allow_ineligible))
    return docs
