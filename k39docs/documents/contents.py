"""The contents page of the outgoing bundle (MỤC LỤC HỒ SƠ): what ``dossier.pdf`` holds and
nothing else — the công văn, then each enclosure it lists (:mod:`.enclosures`), with the page
each starts on. An enclosure of several documents (one Bản cam kết per person, the scanned
papers) is a row with a row under it for each document.
"""

from __future__ import annotations

from ..dossier.model import Dossier
from ..headerlines import subject_lines
from ..nd30.layout import COMPONENTS, PAGE
from ..pdf.bundle import Part, contents_rows
from .base import K39_REF, Document, agency_header, issue_date_words
from .cover_letter import number_of
from .enclosures import COVER_KIND, enclosed, outgoing

__all__ = ["build", "rows", "TITLE"]

TITLE = "Mục lục hồ sơ"
WIDTH_MM = PAGE.width - PAGE.left - PAGE.right - 3  # the text column, 3 mm spare


def _lines(text: str, style: str) -> str:
    """``text`` broken where a clerk would (never inside "Kết luận số 39-KL/TW"); a "\n" is a
    line break in the DOCX."""
    c = COMPONENTS[style]
    return "\n".join(subject_lines(text, WIDTH_MM, c.size, bold=c.bold))


def rows(dossier: Dossier, parts: list[Part], counts: list[int], contents_pages: int) -> list[dict]:
    """The contents' rows: ``index`` ("1", "3", "3.1" …), ``title``, ``page`` ("" on the row of
    an enclosure whose documents have rows of their own). ``parts``: the bundle in order.

    Rows follow the công văn's list, so its numbers are the contents' numbers; a person's
    scanned papers sit after their Bản cam kết in the bundle, so the rows of the last
    enclosure (the papers) point back among the pages of the one before."""
    pages = contents_rows(parts, counts, contents_pages)
    if [(p.kind, p.candidate) for p in parts] != [(i.kind, i.candidate) for i in outgoing(dossier)]:
        raise ValueError("the bundle does not hold what the công văn lists, in its order")
    if not parts or parts[0].kind != COVER_KIND:
        raise ValueError("the outgoing bundle starts with the công văn")
    out = [{"index": "1", "title": parts[0].title, "page": pages[0]["page"]}]
    for number, enclosure in enumerate(enclosed(dossier), start=2):
        members = [i for i, p in enumerate(parts) if p.kind == enclosure.kind]
        if len(members) != enclosure.count:
            raise ValueError(f"the bundle does not hold {enclosure.text!r} as the list says")
        if enclosure.count == 1:
            out.append(
                {"index": str(number), "title": enclosure.text, "page": pages[members[0]]["page"]}
            )
        else:
            out.append({"index": str(number), "title": f"{enclosure.text}:", "page": ""})
            out += [
                {"index": f"{number}.{k}", "title": parts[i].title, "page": pages[i]["page"]}
                for k, i in enumerate(members, start=1)
            ]
    return out


def build(dossier: Dossier, parts: list[Part], counts: list[int], contents_pages: int) -> Document:
    cl = dossier.documents.cover_letter
    what = (
        "Hồ sơ báo cáo kết quả học tập, bồi dưỡng ở nước ngoài"
        if dossier.purpose == "return"
        else "Hồ sơ cử cán bộ tham gia bồi dưỡng ở nước ngoài"
    )
    when = f" {issue_date_words(cl.date)}"  # a draft's: the blanks the văn thư fills
    return Document(
        kind="contents",
        template="contents.docx",
        stem="muc-luc",
        title=TITLE,
        context={
            "header": agency_header(dossier.issuer.name),
            "summary": _lines(f"{what} theo {K39_REF}", "summary"),
            "note": _lines(
                f"(Công văn số {number_of(dossier)}{when} của {dossier.issuer.name} "
                f"và các tài liệu kèm theo)",
                "annex_note",
            ),
            "rows": rows(dossier, parts, counts, contents_pages),
        },
    )
