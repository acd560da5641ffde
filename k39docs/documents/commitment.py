"""Bản cam kết, one per candidate: the trainee's written undertakings (domain §5).

The first two clauses come from the Quy chế; the rest are standard practice, and the whole list
can be replaced per dossier (``documents.commitment.clauses``).
"""

from __future__ import annotations

from ..dossier.model import Candidate, Dossier, Gender
from ..vietnamese import format_date_line, format_money
from .base import K39_REF, Document, course_phrase, in_words, period_phrase, person_position

__all__ = ["build", "DEFAULT_CLAUSES"]

DEFAULT_CLAUSES = [
    "Nghiêm chỉnh chấp hành các quy định của Đảng, pháp luật của Nhà nước Việt Nam và pháp luật "
    "của nước sở tại.",
    "Thực hiện nghiêm các quy định về bảo vệ bí mật nhà nước, bí mật của Đảng và bảo vệ chính trị "
    "nội bộ.",
    "Không tự ý tham gia hội, tổ chức hoặc hoạt động ngoài chương trình khóa học khi chưa được phép.",
    "Chấp hành sự quản lý của cơ quan cử đi, trưởng đoàn và cơ sở đào tạo; tham gia đầy đủ chương "
    "trình.",
    "Hoàn thành khóa học; báo cáo kết quả học tập và việc chấp hành quy định về bảo vệ chính trị "
    "nội bộ bằng văn bản sau khi kết thúc khóa học.",
    "Tiếp tục công tác tại cơ quan, đơn vị sau khóa học và vận dụng kết quả vào công tác.",
    "Bồi hoàn kinh phí theo quy định nếu vi phạm cam kết.",
]

SUMMARY = f"Thực hiện trách nhiệm, nghĩa vụ khi được cử đi bồi dưỡng ở nước ngoài theo {K39_REF}"


def clauses(dossier: Dossier) -> list[str]:
    custom = dossier.documents.commitment.clauses
    if custom:
        return list(custom)
    items = list(DEFAULT_CLAUSES)
    cost = dossier.course.estimated_cost_per_person
    if cost is not None:
        items[-1] = (
            f"Bồi hoàn kinh phí theo quy định nếu vi phạm cam kết; kinh phí dự kiến: "
            f"{format_money(cost)} đồng/người {in_words(cost)}."
        )
    return items


def build(dossier: Dossier, c: Candidate) -> Document:
    assert c.commitment is not None  # a nominee has one (Dossier checks it)
    course = dossier.course
    dept = dossier.department
    identity = [
        ("Họ và tên", c.full_name),
        ("Ngày, tháng, năm sinh", c.birth_date.display()),
        ("Giới tính", "Nữ" if c.gender is Gender.nu else "Nam"),
        # Luật Căn cước 2023 (in force 01/7/2024): the number is the personal identification number
        ("Số định danh cá nhân", c.id_number),
        ("Đảng viên Đảng Cộng sản Việt Nam", "Có" if c.party_member else "Không"),
        ("Chức vụ, đơn vị công tác", person_position(c)),
    ]
    context = {
        "summary": SUMMARY,
        "addressees": [c.agency, f"{dept.name} tỉnh {dept.place}"],
        "identity": identity,
        "course_text": (
            f"Được cử tham gia {course_phrase(dossier)}: {course.title}, tại {course.institution}, "
            f"{course.country}, thời gian {period_phrase(dossier)}."
        ),
        "clauses": clauses(dossier),
        "closing": (
            "Tôi xin chịu trách nhiệm trước pháp luật và cơ quan có thẩm quyền nếu vi phạm những "
            "nội dung đã cam kết./."
        ),
        "signature": {
            "date_line": format_date_line(dossier.issuer.place, c.commitment.date),
            "name": c.full_name,
        },
    }
    return Document(
        kind="commitment",
        template="commitment.docx",
        stem=f"cam-ket-{c.id}",
        title=f"Bản cam kết - {c.full_name}",
        context=context,
        candidate=c.id,
    )
