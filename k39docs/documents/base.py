"""What every document kind shares: the ``Document`` a writer produces, and the ND30 blocks
(agency header, signature with Nơi nhận) built the same way for every kind.

A document module turns the dossier into one context for one template; templates hold layout,
these functions hold the rules (capitals, zero padding, ``;`` and ``.`` at line ends).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..headerlines import name_lines, subject_lines
from ..layout import CELL_MARGIN_MM, COMPONENTS, HEADER_LEFT_MM
from ..model import COURSE_TYPE_NAMES, Candidate, Dossier, Gender, Signer
from ..vietnamese import date_words, format_date_line, upper_vn

__all__ = [
    "Document",
    "agency_header",
    "signature",
    "recipient_lines",
    "listed",
    "honorific",
    "course_phrase",
    "period_phrase",
    "count_phrase",
    "notice_phrase",
    "K39_REF",
]

K39_REF = "Kết luận số 39-KL/TW"


@dataclass(frozen=True)
class Document:
    """One file to produce: which template, under which name, with which data."""

    kind: str  # manifest kind: submission, cover_letter, …
    template: str  # file name in the templates folder
    stem: str  # output file name without extension: "cong-van", "cam-ket-ca01"
    title: str  # Vietnamese title for the contents page and the PDF bookmark
    context: dict[str, Any]
    candidate: str | None = None
    in_bundle: bool = True  # the eligibility working paper stays out of the dossier sent
    landscape: bool = False
    warnings: tuple[str, ...] = field(default=())


def agency_header(
    name: str,
    *,
    parent: str | None = None,
    number: str | None = None,
    date_line: str | None = None,
    subject: str | None = None,
) -> dict[str, Any]:
    """ô 1–5b context. The agency name is capitalised and wrapped between units of meaning into
    the fewest, most even lines that fit the left column (``ỦY BAN NHÂN DÂN`` / ``TỈNH GIA
    LAI``, never ``ỦY BAN NHÂN`` / ``DÂN …``; see ``k39docs.headerlines``), as clerks set it by
    hand. A chủ quản too wide for one line breaks the same way, by a line break inside its one
    paragraph (``UBND`` / ``THÀNH PHỐ HỒ CHÍ MINH``)."""
    agency, chu_quan, vv = COMPONENTS["agency"], COMPONENTS["parent_agency"], COMPONENTS["subject"]
    width = HEADER_LEFT_MM - 2 * CELL_MARGIN_MM
    parent_lines = name_lines(upper_vn(parent), width, chu_quan.size, bold=chu_quan.bold) if parent else []
    return {
        "parent": "\n".join(parent_lines),  # the writer turns "\n" into a line break (w:br)
        "agency_lines": name_lines(upper_vn(name), width, agency.size, bold=agency.bold),
        "number": f"Số: {number}" if number else "",
        "date_line": date_line or "",
        # V/v lines broken by us, so "39-KL/TW" never splits at its hyphen nor a phrase in two
        "subject_lines": subject_lines(subject, width, vv.size) if subject else [],
    }


def listed(items: list[str], prefix: str = "") -> list[str]:
    """The lines of an enumeration as ND30 writes them: each ends in ``;``, the last in ``.``
    (whatever punctuation the data already had at the end is replaced)."""
    lines = [text.strip().rstrip(";.").strip() for text in items]
    return [f"{prefix}{line}{';' if i < len(lines) - 1 else '.'}" for i, line in enumerate(lines)]


def recipient_lines(copies_to: list[str], archive: str, *, as_above: bool = True) -> list[str]:
    """ô 9b: ``- Như trên;`` … ``- Lưu: VT, NC.``."""
    lines = (["Như trên"] if as_above else []) + list(copies_to)
    return listed([*lines, f"Lưu: {archive}"], prefix="- ")


def signature(signer: Signer, copies_to: list[str], archive: str) -> dict[str, Any]:
    return {
        "recipients": recipient_lines(copies_to, archive),
        "title_lines": [upper_vn(line) for line in signer.block_lines()],
        "name": signer.name,
    }


def honorific(candidate: Candidate) -> str:
    return "Bà" if candidate.gender is Gender.nu else "Ông"


def course_phrase(dossier: Dossier) -> str:
    """"bồi dưỡng trung hạn ở nước ngoài theo Kết luận số 39-KL/TW"."""
    return f"{COURSE_TYPE_NAMES[dossier.course.type]} ở nước ngoài theo {K39_REF}"


def period_phrase(dossier: Dossier) -> str:
    c = dossier.course
    return f"từ {date_words(c.start_date)} đến {date_words(c.end_date)}"


def notice_phrase(dossier: Dossier) -> str:
    """"Thông báo số 27-TB/BCĐ ngày 20 tháng 10 năm 2026 của Ban Chỉ đạo …" (the course notice)."""
    notice = dossier.course.notice
    return f"Thông báo số {notice.number} {date_words(notice.date)} của {notice.issuer}"


def count_phrase(n: int) -> str:
    """Counts in running text are zero-padded below 10, as clerks write them: ``04 cán bộ``."""
    return f"{n:02d}"


def date_line(place: str, d) -> str:
    return format_date_line(place, d)
