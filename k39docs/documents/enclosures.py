"""What the công văn encloses: the one list the công văn prints ("Hồ sơ gửi kèm theo gồm"), the
outgoing ``dossier.pdf`` is made of and its contents page shows.

The outgoing bundle is the công văn, then the documents of each enclosure; every other document
of the dossier (the Sở's Tờ trình and working paper) stays in the province (``noi-bo.pdf``). The
clerk's scans (:mod:`k39docs.scans`) are enclosures too: a wet-signed Bản cam kết takes the place
of the generated one (which is still written to docx/ and pdf/, for the record), and each
person's supporting papers follow their Bản cam kết (or báo cáo), so the papers of one person sit
together. :func:`enclosed` (what the công văn lists and the contents page groups) and
:func:`outgoing` (the bundle's order) are read from the same fields, so the paper and the bundle
can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..dossier.model import Dossier
from .base import Document, count_phrase, listed

__all__ = [
    "Enclosure",
    "Item",
    "enclosed",
    "enclosures",
    "outgoing",
    "sort_into_bundles",
    "OUTGOING",
    "INTERNAL",
    "COVER_KIND",
    "ATTACHMENT_KIND",
    "SCANNED_NOTE",
]

OUTGOING, INTERNAL = "outgoing", "internal"  # dossier.pdf, noi-bo.pdf
COVER_KIND = "cover_letter"  # the công văn: item 1 of the outgoing bundle, not an enclosure
ATTACHMENT_KIND = "attachment"  # a supporting paper the clerk scanned
SCANNED_NOTE = "bản ký tay, scan"  # how a scanned Bản cam kết is told apart on paper

REPORT_TITLE = (
    "Báo cáo kết quả học tập, bồi dưỡng ở nước ngoài và việc thực hiện quy định về "
    "bảo vệ chính trị nội bộ"
)


@dataclass(frozen=True)
class Enclosure:
    """One line of "Hồ sơ gửi kèm theo gồm": its text (no end punctuation), and the ``count``
    documents of ``kind`` it stands for."""

    text: str
    kind: str
    count: int


@dataclass(frozen=True)
class Item:
    """One document of the outgoing bundle, in bundle order: generated (``scan`` None) or the
    clerk's scan (``scan``: the field it comes from, ``candidates[0].attachments[1].file``)."""

    kind: str
    candidate: str | None = None
    scan: str | None = None


def enclosed(dossier: Dossier) -> list[Enclosure]:
    """The enclosures of the công văn, in the order it lists them (and the contents page groups
    them): "Bản cam kết của 08 cán bộ (02 bản ký tay, scan)", then "Tài liệu kèm theo của từng
    cán bộ: Chứng chỉ IELTS (02 bản), Sơ yếu lý lịch (08 bản)" when there are any."""
    n = len(dossier.candidates)
    if dossier.purpose == "return":
        found = [Enclosure(f"{REPORT_TITLE} của {count_phrase(n)} cán bộ", "return_report", n)]
    else:
        signed = sum(1 for c in dossier.candidates if c.signed_commitment is not None)
        note = (
            ""
            if not signed
            else f" ({SCANNED_NOTE})"
            if signed == n
            else f" ({count_phrase(signed)} {SCANNED_NOTE})"
        )
        found = [
            Enclosure("Danh sách cán bộ đăng ký tham gia bồi dưỡng", "nomination_list", 1),
            Enclosure(f"Bản cam kết của {count_phrase(n)} cán bộ{note}", "commitment", n),
        ]
    papers: dict[str, list] = {}  # one title, however a clerk cased or spaced it: [title, count]
    for c in dossier.candidates:
        for a in c.attachments:
            entry = papers.setdefault(" ".join(a.title.casefold().split()), [a.title, 0])
            entry[1] += 1
    if papers:
        listing = ", ".join(
            f"{title} ({count_phrase(count)} bản)" for title, count in papers.values()
        )
        count = sum(count for _title, count in papers.values())
        found.append(
            Enclosure(f"Tài liệu kèm theo của từng cán bộ: {listing}", ATTACHMENT_KIND, count)
        )
    return found


def outgoing(dossier: Dossier) -> list[Item]:
    """The outgoing bundle in order: the công văn, the nomination list, then person by person
    their Bản cam kết (the scan when there is one) or báo cáo, and their scanned papers."""
    items = [Item(COVER_KIND)]
    own = "return_report" if dossier.purpose == "return" else "commitment"
    if dossier.purpose != "return":
        items.append(Item("nomination_list"))
    for i, c in enumerate(dossier.candidates):
        scanned = own == "commitment" and c.signed_commitment is not None
        items.append(Item(own, c.id, f"candidates[{i}].signed_commitment" if scanned else None))
        items += [
            Item(ATTACHMENT_KIND, c.id, f"candidates[{i}].attachments[{k}].file")
            for k in range(len(c.attachments))
        ]
    return items


def enclosures(dossier: Dossier) -> list[str]:
    """The công văn's enclosure lines as printed: ``;`` after each, ``.`` after the last."""
    return listed([e.text for e in enclosed(dossier)])


def sort_into_bundles(dossier: Dossier, documents: list[Document]) -> list[Document]:
    """``documents`` with their bundle set and in bundle order: the công văn and the generated
    documents of the enclosures as :func:`outgoing` orders them (``outgoing``), then the rest
    (``internal``). A generated Bản cam kết whose signed scan goes out instead is in neither
    bundle (None): it is still written, for the record.

    A generated document the order does not account for, or one it misses, is a programming
    error: the công văn would promise what the bundle does not hold."""
    order = {
        (item.kind, item.candidate): rank
        for rank, item in enumerate(outgoing(dossier))
        if item.scan is None
    }
    replaced = {
        (item.kind, item.candidate)
        for item in outgoing(dossier)
        if item.scan is not None and item.kind != ATTACHMENT_KIND
    }
    mine = [d for d in documents if (d.kind, d.candidate) in order]
    if sorted(order[(d.kind, d.candidate)] for d in mine) != sorted(order.values()):
        raise ValueError(
            f"the công văn lists {sorted(order)}, the dossier has "
            f"{sorted((d.kind, d.candidate or '') for d in mine)}"
        )
    mine.sort(key=lambda d: order[(d.kind, d.candidate)])
    kinds = {kind for kind, _ in order} | {kind for kind, _ in replaced}
    return (
        [replace(d, bundle=OUTGOING) for d in mine]
        + [replace(d, bundle=None) for d in documents if (d.kind, d.candidate) in replaced]
        + [replace(d, bundle=INTERNAL) for d in documents if d.kind not in kinds]
    )
