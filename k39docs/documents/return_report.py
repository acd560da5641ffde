"""Báo cáo kết quả học tập và bảo vệ chính trị nội bộ, one per participant of a return dossier
(``purpose: return``, domain §6), on the course that dossier describes: the course that ended.

Addressed to the central standing agency, the Ban Thường vụ Tỉnh ủy and the UBND tỉnh (plan
VII.4). Warns when the report is dated later than the 15 days after return that Thông tư
03/2023/TT-BNV Điều 12 allows.
"""

from __future__ import annotations

from datetime import timedelta

from ..dossier.model import Candidate, Dossier
from ..headerlines import Gap, unit_lines
from ..nd30.layout import BODY_FIRST_LINE_INDENT_MM, COMPONENTS, PAGE
from ..vietnamese import date_words, format_date_line
from .base import Document, course_phrase, listed, period_phrase

__all__ = ["build", "REPORT_DEADLINE_DAYS", "HEADINGS", "heading_lines", "late_warning"]

REPORT_DEADLINE_DAYS = 15

# the trích yếu, as its units of meaning (a line breaks between them, not in "bảo vệ / chính trị")
SUMMARY_UNITS = (
    "Kết quả học tập, bồi dưỡng ở nước ngoài",
    "và việc thực hiện quy định",
    "về bảo vệ chính trị nội bộ",
)
SUMMARY = " ".join(SUMMARY_UNITS)

# each heading as its units of meaning: a heading too long for one line breaks between them
# ("… THU NHẬN" / "VÀ ĐỀ XUẤT VẬN DỤNG"), never inside one ("… VẬN" / "DỤNG")
HEADINGS = (
    ("I. THÔNG TIN CHUNG",),
    ("II. KẾT QUẢ HỌC TẬP",),
    ("III. KIẾN THỨC, KINH NGHIỆM THU NHẬN", "VÀ ĐỀ XUẤT VẬN DỤNG"),
    ("IV. VIỆC CHẤP HÀNH QUY ĐỊNH", "VỀ BẢO VỆ CHÍNH TRỊ NỘI BỘ"),
    ("V. KIẾN NGHỊ, ĐỀ XUẤT",),
)
# the text column; a heading is indented as a body paragraph's first line; 3 mm spare for the
# renderer's metrics
TEXT_WIDTH_MM = PAGE.width - PAGE.left - PAGE.right - 3
HEADING_WIDTH_MM = TEXT_WIDTH_MM - BODY_FIRST_LINE_INDENT_MM


def heading_lines(
    units: tuple[str, ...],
    width_mm: float = HEADING_WIDTH_MM,
    size_pt: float = COMPONENTS["body"].size,
) -> list[str]:
    """The heading (bold) in lines that fit ``width_mm``, broken between ``units`` only (inside
    one only when it alone is wider than the column)."""
    words: list[str] = []
    gaps: list[Gap] = []
    for unit in units:
        unit_words = unit.split()
        if words:
            gaps.append(Gap.UNIT)
        gaps += [Gap.INSIDE_PHRASE] * (len(unit_words) - 1)
        words += unit_words
    return unit_lines(tuple(words), tuple(gaps), width_mm, size_pt, bold=True)


def late_warning(c: Candidate) -> str | None:
    """The warning for a report dated past the deadline after return (``validate`` and
    ``render`` both tell it), or None."""
    rr = c.return_report
    if rr is None or rr.date <= rr.return_date + timedelta(days=REPORT_DEADLINE_DAYS):
        return None
    late = (rr.date - rr.return_date).days
    return (
        f"Báo cáo của {c.full_name} ({c.id}) lập sau {late} ngày kể từ ngày về nước, quá "
        f"thời hạn {REPORT_DEADLINE_DAYS} ngày (Điều 12 Thông tư số 03/2023/TT-BNV)."
    )


def _items(lines: list[str], empty: str) -> list[str]:
    """A list as ND30 writes one: "- " before each item, ";" after each, "." after the last."""
    return listed(lines, prefix="- ") if lines else [empty]


def build(dossier: Dossier, c: Candidate) -> Document:
    rr = c.return_report
    assert rr is not None
    course = dossier.course
    sec = rr.security
    decision = course.decision
    sent_by = (
        f"Quyết định số {decision.number} {date_words(decision.date)} của {decision.issuer}"
        if decision
        else rr.decision
    )
    sections = [
        (
            HEADINGS[0],
            [
                f"Họ và tên: {c.full_name}; chức vụ: {c.position}; đơn vị công tác: {c.agency}.",
                *([f"Quyết định cử đi bồi dưỡng: {sent_by}."] if sent_by else []),
                f"Khóa bồi dưỡng: {course.title} ({course_phrase(dossier)}), thời gian "
                f"{period_phrase(dossier)}.",
                f"Cơ sở đào tạo: {course.institution}, {course.country}.",
                f"Thời gian đi bồi dưỡng: xuất cảnh {date_words(rr.departure_date)}, về nước "
                f"{date_words(rr.return_date)}.",
            ],
        ),
        (
            HEADINGS[1],
            [
                "Các chuyên đề, học phần đã học:",
                *_items(rr.modules, "- (Không ghi nhận chuyên đề.)"),
                f"Kết quả: {rr.completion}.",
                *([f"Văn bằng, chứng chỉ: {rr.certificate}."] if rr.certificate else []),
            ],
        ),
        (HEADINGS[2], _items(rr.lessons, "Không có.")),
        (
            HEADINGS[3],
            [
                "1. Chấp hành pháp luật Việt Nam và pháp luật nước sở tại: "
                + (
                    "có vi phạm (xem mục 5)."
                    if sec.violations.strip().lower() not in ("không", "không có")
                    else "nghiêm túc, không vi phạm."
                ),
                "2. Bảo vệ bí mật nhà nước, bí mật của Đảng: "
                + (
                    "có mang theo tài liệu mật."
                    if sec.classified_documents_carried
                    else "không mang theo tài liệu mật khi đi bồi dưỡng ở nước ngoài."
                ),
                f"3. Quan hệ, tiếp xúc với tổ chức, cá nhân nước ngoài: {sec.foreign_contacts}.",
                f"4. Nhận quà tặng, lời mời: {sec.gifts_or_invitations}.",
                f"5. Vi phạm: {sec.violations}.",
            ],
        ),
        (HEADINGS[4], _items(rr.proposals, "Không có.")),
    ]
    place = dossier.issuer.place
    warning = late_warning(c)
    context = {
        "summary": "\n".join(
            heading_lines(SUMMARY_UNITS, TEXT_WIDTH_MM, COMPONENTS["summary"].size)
        ),
        "addressees": [
            dossier.documents.cover_letter.recipients[0].rstrip(";."),
            f"Ban Thường vụ Tỉnh ủy {place}",
            dossier.issuer.name,
        ],
        # a heading's lines are broken here ("\n" is a line break in the DOCX), between units
        "sections": [
            {"heading": "\n".join(heading_lines(units)), "lines": lines}
            for units, lines in sections
        ],
        "closing": f"Trên đây là báo cáo {SUMMARY[0].lower() + SUMMARY[1:]} của tôi./.",
        "signature": {"date_line": format_date_line(place, rr.date), "name": c.full_name},
    }
    return Document(
        kind="return_report",
        template="return_report.docx",
        stem=f"bao-cao-{c.id}",
        title=f"Báo cáo kết quả học tập - {c.full_name}",
        context=context,
        candidate=c.id,
        warnings=(warning,) if warning else (),
    )
