"""What the công văn encloses: the one list the công văn prints ("Hồ sơ gửi kèm theo gồm"), the
outgoing ``dossier.pdf`` is made of and its contents page shows.

The outgoing bundle is the công văn, then the documents of each enclosure in the order listed;
every other document of the dossier (the Sở's Tờ trình and working paper) stays in the
province (``noi-bo.pdf``). Both follow from :func:`enclosed`, so the paper and the bundle can
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Dossier
from .base import Document, count_phrase, listed

__all__ = ["Enclosure", "enclosed", "enclosures", "sort_into_bundles", "OUTGOING", "INTERNAL",
           "COVER_KIND"]

OUTGOING, INTERNAL = "outgoing", "internal"  # dossier.pdf, noi-bo.pdf
COVER_KIND = "cover_letter"  # the công văn: item 1 of the outgoing bundle, not an enclosure

REPORT_TITLE = ("Báo cáo kết quả học tập, bồi dưỡng ở nước ngoài và việc thực hiện quy định về "
                "bảo vệ chính trị nội bộ")


@dataclass(frozen=True)
class Enclosure:
    """One line of "Hồ sơ gửi kèm theo gồm": its text (no end punctuation), and the ``count``
    documents of ``kind`` it stands for."""

    text: str
    kind: str
    count: int


def enclosed(dossier: Dossier) -> list[Enclosure]:
    """The enclosures of the công văn, in the order it lists them (and the bundle holds them)."""
    n = len(dossier.candidates)
    if dossier.purpose == "return":
        return [Enclosure(f"{REPORT_TITLE} của {count_phrase(n)} cán bộ", "return_report", n)]
    return [
        Enclosure("Danh sách cán bộ đăng ký tham gia bồi dưỡng", "nomination_list", 1),
        Enclosure(f"Bản cam kết của {count_phrase(n)} cán bộ", "commitment", n),
    ]


def enclosures(dossier: Dossier) -> list[str]:
    """The công văn's enclosure lines as printed: ``;`` after each, ``.`` after the last."""
    return listed([e.text for e in enclosed(dossier)])


def sort_into_bundles(dossier: Dossier, documents: list[Document]) -> list[Document]:
    """``documents`` with their bundle set and in bundle order: the công văn, the documents of
    each enclosure as :func:`enclosed` lists them (``outgoing``), then the rest (``internal``).

    A document the list does not account for, or a count that differs, is a programming error:
    the công văn would promise what the bundle does not hold."""
    rank = {COVER_KIND: 0} | {e.kind: i for i, e in enumerate(enclosed(dossier), start=1)}
    outgoing = sorted((d for d in documents if d.kind in rank), key=lambda d: rank[d.kind])
    expected = {COVER_KIND: 1} | {e.kind: e.count for e in enclosed(dossier)}
    found = {kind: sum(1 for d in outgoing if d.kind == kind) for kind in expected}
    if found != expected:
        raise ValueError(f"công văn lists {expected}, the dossier has {found}")
    return ([replace(d, bundle=OUTGOING) for d in outgoing]
            + [replace(d, bundle=INTERNAL) for d in documents if d.kind not in rank])
