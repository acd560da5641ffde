"""The documents of a dossier, one module per kind: its data (context) and its template.

``build_documents`` returns them in bundle order: the outgoing ``dossier.pdf`` (the công văn, then
what it encloses: the nomination list and the commitments, or the return reports), then the
papers that stay in the province (``noi-bo.pdf``: the Tờ trình, the eligibility working paper last).
"""

from __future__ import annotations

from ..dossier.model import Dossier
from ..dossier.retirement import months_left_for_course
from ..rules import EligibilityReport
from . import (
    commitment,
    cover_letter,
    eligibility_report,
    nomination_list,
    return_letter,
    return_report,
    submission,
)
from .base import Document
from .enclosures import sort_into_bundles

__all__ = ["Document", "build_documents"]


def build_documents(
    dossier: Dossier, report: EligibilityReport | None, *, allow_ineligible: str | None = None
) -> list[Document]:
    """Every document of the dossier, outgoing bundle first in its order, then the internal ones
    (:func:`~.enclosures.sort_into_bundles`: the công văn's own enclosure list decides).

    A nomination's papers come from its eligibility ``report``; ``allow_ineligible`` is the
    reason for issuing although a candidate fails, which the working paper prints. A return
    dossier (``purpose: return``) has no eligibility: a forwarding công văn and the reports.
    """
    if dossier.purpose == "return":
        docs = [return_letter.build(dossier)]
        docs += [return_report.build(dossier, c) for c in dossier.candidates]
        return sort_into_bundles(dossier, docs)
    assert report is not None, "a nomination needs its eligibility report"
    months_left = {c.id: months_left_for_course(c, dossier.course) for c in dossier.candidates}
    docs = [
        submission.build(dossier, report),
        cover_letter.build(dossier, report),
        nomination_list.build(dossier, months_left, report),
    ]
    docs += [commitment.build(dossier, c) for c in dossier.candidates]
    docs.append(eligibility_report.build(dossier, report, months_left, allow_ineligible))
    return sort_into_bundles(dossier, docs)
