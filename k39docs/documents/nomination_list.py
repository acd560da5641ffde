"""The nomination list (Danh sách), the landscape annex of the công văn: one row per candidate.

The date of birth goes in the Nam or Nữ column by sex; "Thời gian công tác còn lại" is the same
months-left computation the eligibility check uses.
"""

from __future__ import annotations

from ..model import RATING_NAMES, Candidate, Dossier, Gender
from ..vietnamese import date_words, short_date
from .base import Document, agency_header, course_phrase
from .cover_letter import number_of

__all__ = ["build"]


def _language(c: Candidate) -> str:
    fl = c.foreign_language
    if fl is None:
        return ""
    detail = " ".join(x for x in (fl.certificate, fl.score) if x)
    return f"{fl.language}: {detail}" if detail else fl.language


def row(c: Candidate, months_left: int | None, year: int) -> dict[str, str]:
    born = c.birth_date.display()
    return {
        "full_name": c.full_name,
        "birth_male": born if c.gender is Gender.nam else "",
        "birth_female": born if c.gender is Gender.nu else "",
        "position": f"{c.position} {c.agency}",
        "planned_position": c.planned_position or "",
        "education": c.education,
        "political_theory": c.political_theory or "",
        "foreign_language": _language(c),
        "rating": RATING_NAMES[c.evaluation.rating]
        + ("" if c.evaluation.year == year else f" (năm {c.evaluation.year})"),
        "months_left": "" if months_left is None else str(months_left),
        "note": "Đảng viên" if c.party_member else "",
    }


def build(dossier: Dossier, months_left: dict[str, int | None]) -> Document:
    issuer = dossier.issuer
    cl = dossier.documents.cover_letter
    number = number_of(dossier)
    # the evaluation year most candidates share goes in the column header
    years = [c.evaluation.year for c in dossier.candidates]
    year = max(set(years), key=years.count)
    context = {
        "header": agency_header(issuer.name),
        "summary": f"Cán bộ đăng ký tham gia {course_phrase(dossier)}",
        "annex_note": (
            f"(Kèm theo Công văn số {number} {date_words(cl.date)} của {issuer.name})"
        ),
        "rating_header": f"Xếp loại chất lượng năm {year}",
        "rows": [row(c, months_left.get(c.id), year) for c in dossier.candidates],
        "notes": [
            f"Ghi chú: Thời gian công tác còn lại tính bằng tháng, từ ngày bắt đầu khóa học "
            f"({short_date(dossier.course.start_date)}) đến thời điểm nghỉ hưu hoặc hết thời hạn "
            f"giữ chức vụ lãnh đạo, lấy thời điểm sớm hơn."
        ],
    }
    return Document(
        kind="nomination_list",
        template="nomination_list.docx",
        stem="danh-sach",
        title="Danh sách cán bộ đăng ký tham gia bồi dưỡng",
        context=context,
        landscape=True,
    )
