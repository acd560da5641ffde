"""What every document kind shares: the ``Document`` a writer produces, and the ND30 blocks
(agency header, signature with Nơi nhận) built the same way for every kind.

A document module turns the dossier into one context for one template; templates hold layout,
these functions hold the rules (capitals, zero padding, ``;`` and ``.`` at line ends).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..dossier.model import (
    COURSE_TYPE_NAMES,
    Candidate,
    Dossier,
    Gender,
    Issuer,
    Signer,
    today_in_vietnam,
)
from ..headerlines import name_lines, subject_lines
from ..nd30.layout import CELL_MARGIN_MM, COMPONENTS, HEADER_LEFT_MM
from ..vietnamese import (
    amount_in_words,
    capitalize_first,
    date_words,
    document_number,
    format_date_line,
    language_line,
    position_at,
    upper_vn,
)

__all__ = [
    "Document",
    "contact_line",
    "issue_number",
    "issue_date_line",
    "issue_date_words",
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
    "QC_REF",
    "in_words",
    "person_position",
    "language_text",
    "plain",
    "Standing",
]

K39_REF = "Kết luận số 39-KL/TW"
# who decides on an exception (Quy chế, Điều 3: "Trường hợp cần thiết do Lãnh đạo Ban Chỉ đạo …
# xem xét, quyết định"), cited the Phụ lục II way
STEERING_LEADERS = f"Lãnh đạo Ban Chỉ đạo thực hiện {K39_REF}"
QC_REF = "Điều 3 Quy chế ban hành kèm theo Quyết định số 02-QĐ/BCĐ"


@dataclass(frozen=True)
class Document:
    """One file to produce: which template, under which name, with which data."""

    kind: str  # manifest kind: submission, cover_letter, …
    template: str  # file name in the templates folder
    stem: str  # output file name without extension: "cong-van", "cam-ket-ca01"
    title: str  # Vietnamese title for the contents page and the PDF bookmark
    context: dict[str, Any]
    candidate: str | None = None
    # which bundle holds it: "outgoing" (dossier.pdf: the công văn and exactly what it encloses),
    # "internal" (noi-bo.pdf: the Sở's papers that stay in the province), None (neither);
    # set by documents.enclosures.sort_into_bundles, from the công văn's own list
    bundle: str | None = None
    landscape: bool = False
    warnings: tuple[str, ...] = field(default=())


# the blanks of a draft that the văn thư fills in by hand at issuance; no-break spaces, so Word
# and LibreOffice keep their width (ordinary spaces in a row may be collapsed)
NUMBER_BLANK = "\u00a0" * 8
DAY_BLANK = "\u00a0" * 5


def issue_number(number: int | None, *codes: str) -> str:
    """The số ký hiệu, or for a draft (no number yet) the blank before the codes:
    ``      /UBND-NC``."""
    if number is None:
        return f"{NUMBER_BLANK}/{document_number(1, *codes).split('/', 1)[1]}"
    return document_number(number, *codes)


def issue_date_words(d: dt.date | None) -> str:
    """``ngày 05 tháng 02 năm 2027``, or for a draft ``ngày    tháng    năm 2026``: the year
    is today's in Vietnam, as a draft is issued within days of being made."""
    if d is not None:
        return date_words(d)
    return f"ngày {DAY_BLANK} tháng {DAY_BLANK} năm {today_in_vietnam().year}"


def issue_date_line(place: str, d: dt.date | None) -> str:
    """The ô 4 date line; a draft's has the blanks of :func:`issue_date_words`."""
    if d is not None:
        return format_date_line(place, d)
    # the place as format_date_line writes it (its first letter capitalised)
    shown = format_date_line(place, dt.date(2000, 1, 1)).rsplit(", ngày ", 1)[0]
    return f"{shown}, {issue_date_words(None)}"


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
    parent_lines = (
        name_lines(upper_vn(parent), width, chu_quan.size, bold=chu_quan.bold) if parent else []
    )
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
    """ "bồi dưỡng trung hạn ở nước ngoài theo Kết luận số 39-KL/TW"."""
    return f"{COURSE_TYPE_NAMES[dossier.course.type]} ở nước ngoài theo {K39_REF}"


def period_phrase(dossier: Dossier) -> str:
    c = dossier.course
    return f"từ {date_words(c.start_date)} đến {date_words(c.end_date)}"


def notice_phrase(dossier: Dossier) -> str:
    """ "Thông báo số 27-TB/BCĐ ngày 20 tháng 10 năm 2026 của Ban Chỉ đạo …" (the course notice)."""
    notice = dossier.course.notice
    return f"Thông báo số {notice.number} {date_words(notice.date)} của {notice.issuer}"


def count_phrase(n: int) -> str:
    """Counts in running text are zero-padded below 10, as clerks write them: ``04 cán bộ``."""
    return f"{n:02d}"


def date_line(place: str, d) -> str:
    return format_date_line(place, d)


def in_words(amount: int) -> str:
    """An amount in words, written one way on every paper: ``(Bằng chữ: Ba trăm … đồng)``."""
    return f"(Bằng chữ: {amount_in_words(amount)})"


def person_position(c: Candidate) -> str:
    """Position and agency said once: "Phó Chủ tịch Ủy ban nhân dân xã Ia Grai"."""
    return position_at(c.position, c.agency)


def language_text(c: Candidate, *, cell: bool = False) -> str:
    """ "tiếng Anh: IELTS 6,5" in running text; "Tiếng Anh: IELTS 6,5" where it opens a cell."""
    if c.foreign_language is None:
        return ""
    line = language_line(c.foreign_language)
    return capitalize_first(line) if cell else line


def plain(text: str) -> str:
    """A rule's message (or a reviewer's note) as part of a sentence: no full stop at the end,
    the caller punctuates. The rules already word their comparisons ("ít hơn 24 tháng", not
    "< 24 tháng"); what comes from the data (a position, a note) is printed as typed, "<" and
    "&" included."""
    return " ".join(text.split()).rstrip(" .;")


# --- eligibility, as the papers tell it -------------------------------------------------------

# a rule title that is itself a predicate reads "điều kiện đủ sức khỏe"; a noun "điều kiện về …"
_PREDICATES = ("không ", "đủ ", "có ", "đạt ", "lãnh đạo ", "mỗi ", "được ")


def condition_name(title: str) -> str:
    """ "Thời gian giữ chức vụ lãnh đạo còn lại" → "điều kiện về thời gian giữ chức vụ lãnh đạo
    còn lại"; "Đủ sức khỏe" → "điều kiện đủ sức khỏe"."""
    text = title.strip()
    lowered = text[:1].lower() + text[1:]
    if lowered.startswith(_PREDICATES):
        return f"điều kiện {lowered}"
    return f"điều kiện về {lowered}"


@dataclass(frozen=True)
class Standing:
    """Where the nominees of a dossier stand, read from its eligibility report: who meets every
    condition, who is still to sit the institution's selection interview, who is proposed by
    exception (and why). The papers' sentences about eligibility are built from this only."""

    dossier: Dossier
    report: Any = None  # rules.EligibilityReport; None: checked here

    def __post_init__(self) -> None:
        if self.report is None:
            from ..rules import check_eligibility

            object.__setattr__(self, "report", check_eligibility(self.dossier))

    @property
    def total(self) -> int:
        return len(self.report.candidates)

    @property
    def complete(self) -> list:
        """Meet every condition now, nothing left to come."""
        return [c for c in self.report.candidates if not c.open_checks and not c.pending_checks]

    @property
    def pending(self) -> list:
        """Meet every condition that can be met now; the selection interview is still to come."""
        return [c for c in self.report.candidates if c.pending_checks and not c.open_checks]

    @property
    def excepted(self) -> list:
        """Proposed although a condition is not met (or not settled): the leaders decide."""
        return [c for c in self.report.candidates if c.open_checks]

    @property
    def clean(self) -> bool:
        """Everyone meets every condition: the papers say so in one sentence, as always."""
        return len(self.complete) == self.total

    def candidate(self, ce) -> Candidate:
        return self.dossier.candidate(ce.id)

    def who(self, ce, *, capital: bool = False) -> str:
        """ "ông Nguyễn Văn An" (the honorific in lower case inside a sentence)."""
        h = honorific(self.candidate(ce))
        return f"{h if capital else h.lower()} {ce.full_name}"

    def names(self, people) -> str:
        """ "ông A, bà B và ông C"."""
        names = [self.who(c) for c in people]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]

    def fact(self, ce, check) -> str:
        """What the data says about an unmet condition, briefly: "còn 03 tháng"."""
        months = {"IV.2.1.a": ce.leadership_months_left, "IV.2.2.a": ce.service_months_left}
        if check.rule in months and months[check.rule] is not None:
            n = months[check.rule]
            start = f"tính từ ngày bắt đầu khóa học ({self.report.course_start:%d/%m/%Y})"
            return f"còn {count_phrase(n)} tháng {start}" if n else f"không còn thời gian {start}"
        text = plain(check.message)
        return (
            text[:1].lower() + text[1:] if text[:2].isalpha() and not text[1:2].isupper() else text
        )

    def unmet(self, ce, check) -> str:
        """ "không đáp ứng điều kiện về … (tiểu mục 2.1 Mục IV Kế hoạch …): còn 03 tháng"."""
        verb = "không đáp ứng" if check.status.value == "fail" else "chưa xác định được"
        return f"{verb} {condition_name(check.title)} ({check.source}): {self.fact(ce, check)}"

    def reason(self, ce) -> str:
        """The province's reason for proposing ``ce``, quoted."""
        text = ce.exception.reason.strip().rstrip(".") if ce.exception else ""
        return f"“{text}”" if text else ""

    def exception_case(self, ce) -> str:
        """ "ông Y, Phó Chủ tịch …, không đáp ứng điều kiện về … (…): còn 03 tháng" (no stop)."""
        unmet = "; ".join(self.unmet(ce, k) for k in ce.open_checks)
        return f"{self.who(ce)}, {person_position(self.candidate(ce))}, {unmet}"

    def exception_paragraph(self, ce, template: str, *, capital: bool = False, **more) -> str:
        """``template`` (a paper's own wording of a person proposed by exception) filled with
        what every paper says of ``ce``: the case (``capital``: it opens the sentence), who,
        the province's reason, the Quy chế article and the leaders who decide; ``more``: the
        paper's other fields (issuer, department)."""
        case = self.exception_case(ce)
        return template.format(
            case=capitalize_first(case) if capital else case,
            who=self.who(ce),
            reason=self.reason(ce) or "(chưa ghi lý do)",
            qc=QC_REF,
            leaders=STEERING_LEADERS,
            **more,
        )

    def interview(self) -> str:
        """ "sẽ tham gia phỏng vấn tuyển chọn của Đại học …"."""
        return f"sẽ tham gia phỏng vấn tuyển chọn của {self.dossier.course.institution}"

    def interview_people(self) -> list:
        return [c for c in self.report.candidates if c.pending_checks]


def contact_line(issuer: Issuer) -> str:
    """ô 13 of a công văn: the issuer's address, phone and e-mail, those it has, on one line."""
    contacts = [
        f"Địa chỉ: {issuer.address}" if issuer.address else "",
        f"Điện thoại: {issuer.phone}" if issuer.phone else "",
        f"Email: {issuer.email}" if issuer.email else "",
    ]
    return "; ".join(c for c in contacts if c)
