"""Công văn of the UBND tỉnh to the central standing agency (``3512/UBND-NC``, no type code).

It cites the steering committee's notice and lists what the dossier encloses.
"""

from __future__ import annotations

from ..model import Dossier
from ..vietnamese import document_number, format_date_line
from .base import (
    K39_REF,
    Document,
    agency_header,
    count_phrase,
    course_phrase,
    listed,
    notice_phrase,
    period_phrase,
    signature,
)

__all__ = ["build", "SUBJECT", "number_of"]

SUBJECT = f"V/v cử cán bộ tham gia bồi dưỡng ở nước ngoài theo {K39_REF}"


def number_of(dossier: Dossier) -> str:
    """Số ký hiệu of the công văn: agency code + drafting unit (ND30: a công văn has no type code)."""
    cl = dossier.documents.cover_letter
    return document_number(cl.number, dossier.issuer.code, cl.unit_code)


def enclosures(dossier: Dossier) -> list[str]:
    n = len(dossier.candidates)
    reports = sum(1 for c in dossier.candidates if c.return_report)
    items = [
        "Danh sách cán bộ đăng ký tham gia bồi dưỡng",
        f"Bản cam kết của {count_phrase(n)} cán bộ",
    ]
    if reports:
        items.append(
            f"Báo cáo kết quả học tập, bồi dưỡng ở nước ngoài và việc thực hiện quy định về bảo vệ "
            f"chính trị nội bộ của {count_phrase(reports)} cán bộ đã tham gia khóa bồi dưỡng trước"
        )
    return listed(items)


def build(dossier: Dossier) -> Document:
    cl = dossier.documents.cover_letter
    issuer = dossier.issuer
    course = dossier.course
    n = len(dossier.candidates)
    number = number_of(dossier)
    contacts = [
        f"Địa chỉ: {issuer.address}" if issuer.address else "",
        f"Điện thoại: {issuer.phone}" if issuer.phone else "",
        f"Email: {issuer.email}" if issuer.email else "",
    ]
    context = {
        "header": agency_header(
            issuer.name,
            number=number,
            date_line=format_date_line(issuer.place, cl.date),
            subject=SUBJECT,
        ),
        "recipients": [r.rstrip(";.") for r in cl.recipients],
        "paragraphs": [
            f"Thực hiện {notice_phrase(dossier)}, {issuer.name} cử {count_phrase(n)} cán bộ tham gia khóa "
            f"{course.title} tại {course.institution}, {course.country}, thời gian "
            f"{period_phrase(dossier)} (có danh sách kèm theo).",
            f"Các cán bộ được cử đã được rà soát, đáp ứng điều kiện, tiêu chuẩn theo Quy chế bồi "
            f"dưỡng cán bộ theo {K39_REF} và Kế hoạch của tỉnh; đã ký bản cam kết thực hiện trách "
            f"nhiệm, nghĩa vụ khi được cử đi {course_phrase(dossier)}.",
            "Hồ sơ gửi kèm theo gồm:",
        ],
        "enclosures": enclosures(dossier),
        "closing": (
            f"{issuer.name} kính đề nghị Cơ quan Thường trực Ban Chỉ đạo thực hiện {K39_REF} "
            f"xem xét, tổng hợp./."
        ),
        "signature": signature(cl.signer, cl.copies_to, cl.archive),
        "footer_info": "; ".join(c for c in contacts if c),
    }
    return Document(
        kind="cover_letter",
        template="cover_letter.docx",
        stem="cong-van",
        title=f"Công văn số {number} của {issuer.name}",
        context=context,
    )
