"""Báo cáo kết quả học tập và bảo vệ chính trị nội bộ, one per returned candidate (domain §6).

Addressed to the central standing agency, the Ban Thường vụ Tỉnh ủy and the UBND tỉnh (plan
VII.4). Warns when the report is dated later than the 15 days after return that Thông tư
03/2023/TT-BNV Điều 12 allows.
"""

from __future__ import annotations

from datetime import timedelta

from ..model import Candidate, Dossier
from ..vietnamese import date_words, format_date_line
from .base import Document, course_phrase

__all__ = ["build", "REPORT_DEADLINE_DAYS"]

REPORT_DEADLINE_DAYS = 15

SUMMARY = ("Kết quả học tập, bồi dưỡng ở nước ngoài và việc thực hiện quy định về bảo vệ chính trị "
           "nội bộ")


def _items(lines: list[str], empty: str) -> list[str]:
    return [f"- {line}" for line in lines] if lines else [empty]


def build(dossier: Dossier, c: Candidate) -> Document:
    rr = c.return_report
    assert rr is not None
    course = dossier.course
    sec = rr.security
    sections = [
        {"heading": "I. THÔNG TIN CHUNG", "lines": [
            f"Họ và tên: {c.full_name}; chức vụ: {c.position}; đơn vị công tác: {c.agency}.",
            f"Khóa bồi dưỡng: {course.title} ({course_phrase(dossier)}).",
            f"Cơ sở đào tạo: {course.institution}, {course.country}.",
            f"Thời gian: xuất cảnh {date_words(rr.departure_date)}, về nước "
            f"{date_words(rr.return_date)}.",
            *([f"Quyết định cử đi: {rr.decision}."] if rr.decision else []),
        ]},
        {"heading": "II. KẾT QUẢ HỌC TẬP", "lines": [
            "Các chuyên đề, học phần đã học:",
            *_items(rr.modules, "- (Không ghi nhận chuyên đề.)"),
            f"Kết quả: {rr.completion}.",
            *([f"Văn bằng, chứng chỉ: {rr.certificate}."] if rr.certificate else []),
        ]},
        {"heading": "III. KIẾN THỨC, KINH NGHIỆM THU NHẬN VÀ ĐỀ XUẤT VẬN DỤNG",
         "lines": _items(rr.lessons, "Không có.")},
        {"heading": "IV. VIỆC CHẤP HÀNH QUY ĐỊNH VỀ BẢO VỆ CHÍNH TRỊ NỘI BỘ", "lines": [
            "1. Chấp hành pháp luật Việt Nam và pháp luật nước sở tại: "
            + ("có vi phạm (xem mục 5)." if sec.violations.strip().lower() not in ("không", "không có")
               else "nghiêm túc, không vi phạm."),
            "2. Bảo vệ bí mật nhà nước, bí mật của Đảng: "
            + ("có mang theo tài liệu mật." if sec.classified_documents_carried
               else "không mang theo tài liệu mật khi đi bồi dưỡng ở nước ngoài."),
            f"3. Quan hệ, tiếp xúc với tổ chức, cá nhân nước ngoài: {sec.foreign_contacts}.",
            f"4. Nhận quà tặng, lời mời: {sec.gifts_or_invitations}.",
            f"5. Vi phạm: {sec.violations}.",
        ]},
        {"heading": "V. KIẾN NGHỊ, ĐỀ XUẤT", "lines": _items(rr.proposals, "Không có.")},
    ]
    place = dossier.issuer.place
    warnings = []
    if rr.date > rr.return_date + timedelta(days=REPORT_DEADLINE_DAYS):
        late = (rr.date - rr.return_date).days
        warnings.append(
            f"Báo cáo của {c.full_name} ({c.id}) lập sau {late} ngày kể từ ngày về nước, quá thời "
            f"hạn {REPORT_DEADLINE_DAYS} ngày (Thông tư 03/2023/TT-BNV, Điều 12)."
        )
    context = {
        "summary": SUMMARY,
        "addressees": [
            dossier.documents.cover_letter.recipients[0].rstrip(";."),
            f"Ban Thường vụ Tỉnh ủy {place}",
            dossier.issuer.name,
        ],
        "sections": sections,
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
        warnings=tuple(warnings),
    )
