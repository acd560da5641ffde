"""The forwarding công văn of a return dossier (``purpose: return``): the UBND tỉnh sends the
participants' reports on a course that has ended to the central standing agency (plan VII.4).

It is a công văn like the nomination's (same template, same số ký hiệu, signed the same way),
with its own wording: the course that ended, the decision that sent the participants (when the
dossier gives it), who took part, and the reports it encloses (:mod:`.enclosures`).
"""

from __future__ import annotations

from ..dossier.model import Dossier
from ..vietnamese import date_words
from .base import (
    K39_REF,
    Document,
    count_phrase,
    course_phrase,
    honorific,
    listed,
    notice_phrase,
    period_phrase,
    person_position,
)
from .cover_letter import letter

__all__ = ["build", "SUBJECT"]

SUBJECT = f"V/v gửi báo cáo kết quả học tập, bồi dưỡng ở nước ngoài theo {K39_REF}"


def decision_phrase(dossier: Dossier) -> str:
    """ "Quyết định số 1234/QĐ-UBND ngày 10 tháng 02 năm 2027 của …", or "" without one."""
    d = dossier.course.decision
    return f"Quyết định số {d.number} {date_words(d.date)} của {d.issuer}" if d else ""


def build(dossier: Dossier) -> Document:
    issuer = dossier.issuer
    course = dossier.course
    sent = f" ({decision_phrase(dossier)})" if dossier.course.decision else ""
    participants = listed(
        [f"{honorific(c)} {c.full_name}, {person_position(c)}" for c in dossier.candidates],
        prefix="- ",
    )
    return letter(
        dossier,
        subject=SUBJECT,
        paragraphs=[
            f"Thực hiện {notice_phrase(dossier)}, {issuer.name} đã cử "
            f"{count_phrase(len(dossier.candidates))} cán bộ "
            f"tham gia khóa {course.title} ({course_phrase(dossier)}) tại {course.institution}, "
            f"{course.country}, thời gian {period_phrase(dossier)}{sent}, gồm:",
            *participants,
            "Khóa bồi dưỡng đã kết thúc; các cán bộ đã về nước và báo cáo kết quả học tập, bồi "
            "dưỡng ở nước ngoài và việc thực hiện quy định về bảo vệ chính trị nội bộ theo quy định.",
            "Hồ sơ gửi kèm theo gồm:",
        ],
        closing=(
            f"{issuer.name} kính gửi Cơ quan Thường trực Ban Chỉ đạo thực hiện {K39_REF} "
            f"tổng hợp, theo dõi./."
        ),
    )
