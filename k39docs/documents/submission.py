"""Tờ trình of the Sở Nội vụ proposing the nominees to the UBND tỉnh (``…/TTr-SNV``).

Holds the Vietnamese wording of the Tờ trình and builds its template context, including the
cost estimate: per person × count, the total in figures and in words.
"""

from __future__ import annotations

from ..model import COURSE_TYPE_NAMES, Dossier
from ..vietnamese import amount_in_words, document_number, format_date_line, format_money
from .base import (
    K39_REF,
    Document,
    agency_header,
    count_phrase,
    course_phrase,
    honorific,
    listed,
    notice_phrase,
    period_phrase,
    signature,
)

__all__ = ["build", "DEFAULT_LEGAL_BASIS", "TOPIC_GROUPS", "basis_lines"]

TYPE_CODE = "TTr"

DEFAULT_LEGAL_BASIS = [
    "Kết luận số 39-KL/TW ngày 18 tháng 7 năm 2022 của Bộ Chính trị về chủ trương bồi dưỡng cán "
    "bộ lãnh đạo, quản lý ở nước ngoài bằng ngân sách nhà nước",
    "Quyết định số 02-QĐ/BCĐ ngày 05 tháng 10 năm 2022 của Ban Chỉ đạo thực hiện Kết luận số "
    "39-KL/TW ban hành Quy chế bồi dưỡng cán bộ theo Kết luận số 39-KL/TW",
]

TOPIC_GROUPS = {
    1: "Tổ chức bộ máy nhà nước, quốc phòng - an ninh và đối ngoại",
    2: "Chính sách phát triển bền vững, kinh tế, khoa học công nghệ và Cách mạng công nghiệp lần thứ 4",
    3: "Xây dựng pháp luật và hoạt động tư pháp",
    4: "Kỹ năng lãnh đạo, quản lý",
}


def basis_lines(dossier: Dossier) -> list[str]:
    """Căn cứ lines: each ends with ``;``, the last with ``.`` (ND30); the notice comes last."""
    items = list(dossier.legal_basis or DEFAULT_LEGAL_BASIS)
    items.append(notice_phrase(dossier))
    return listed([i.strip().removeprefix("Căn cứ ") for i in items], prefix="Căn cứ ")


def build(dossier: Dossier) -> Document:
    sub = dossier.documents.submission
    dept = dossier.department
    course = dossier.course
    n = len(dossier.candidates)
    number = document_number(sub.number, TYPE_CODE, dept.code)
    candidates = [{"line": line} for line in listed(
        [f"{honorific(c)} {c.full_name}, {c.position} {c.agency}" for c in dossier.candidates])]
    context = {
        "header": agency_header(
            dept.name,
            parent=dept.parent,
            number=number,
            date_line=format_date_line(dept.place, sub.date),
        ),
        "summary": f"Về việc cử cán bộ tham gia {course_phrase(dossier)}",
        "addressee": dossier.issuer.name,
        "basis": basis_lines(dossier),
        "intro": (
            f"Thực hiện Thông báo số {course.notice.number} của {course.notice.issuer}, "
            f"{dept.name} đã phối hợp với các cơ quan, đơn vị rà soát, lựa chọn cán bộ đáp ứng "
            f"điều kiện, tiêu chuẩn tham gia {course_phrase(dossier)}. "
            f"{dept.name} kính trình {dossier.issuer.name} như sau:"
        ),
        "course_lines": [
            f"Tên khóa bồi dưỡng: {course.title};",
            f"Loại hình: {COURSE_TYPE_NAMES[course.type]}; nhóm chủ đề {course.topic_group}: "
            f"{TOPIC_GROUPS[course.topic_group]};",
            f"Cơ sở đào tạo: {course.institution}, {course.country};",
            f"Thời gian: {period_phrase(dossier)};",
            f"Ngôn ngữ giảng dạy: {course.language}.",
        ],
        "review_text": (
            f"Qua rà soát, {dept.name} đề nghị {dossier.issuer.name} cử {count_phrase(n)} cán bộ "
            f"đáp ứng đầy đủ điều kiện, tiêu chuẩn theo {K39_REF} và Kế hoạch của tỉnh tham gia "
            f"khóa bồi dưỡng (có danh sách chi tiết kèm theo), gồm:"
        ),
        "candidates": candidates,
        "cost_lines": cost_lines(dossier),
        "closing": f"{dept.name} kính trình {dossier.issuer.name} xem xét, quyết định./.",
        "signature": signature(sub.signer, sub.copies_to, sub.archive),
    }
    return Document(
        kind="submission",
        template="submission.docx",
        stem="to-trinh",
        title=f"Tờ trình số {number} của {dept.name}",
        context=context,
    )


def cost_lines(dossier: Dossier) -> list[str]:
    per_person = dossier.course.estimated_cost_per_person
    n = len(dossier.candidates)
    funding = (f"Nguồn kinh phí: ngân sách nhà nước bảo đảm theo {K39_REF} và Quy chế ban hành "
               f"kèm theo Quyết định số 02-QĐ/BCĐ.")
    if per_person is None:
        return [f"Kinh phí thực hiện theo thông báo của Ban Chỉ đạo thực hiện {K39_REF}. {funding}"]
    total = per_person * n
    return [
        f"Kinh phí dự kiến: {format_money(per_person)} đồng/người × {count_phrase(n)} người = "
        f"{format_money(total)} đồng (Bằng chữ: {amount_in_words(total)}).",
        funding,
    ]
