"""The nomination list (Danh sách), the landscape annex of the công văn: one row per candidate.

The date of birth goes in the Nam or Nữ column by sex; "Thời gian công tác còn lại" is the same
months-left computation the eligibility check uses.
"""

from __future__ import annotations

from ..dossier.model import RATING_NAMES, Candidate, Dossier, Gender
from ..vietnamese import short_date
from .base import (
    STEERING_LEADERS,
    Document,
    Standing,
    agency_header,
    course_phrase,
    issue_date_words,
    language_text,
    person_position,
)
from .cover_letter import number_of

__all__ = ["build", "PARTY", "EXCEPTION_MARK", "INTERVIEW_MARK"]

# the Ghi chú column, as a clerk fills it in: short, the details in the notes above the table
PARTY = "Đảng viên"
EXCEPTION_MARK = "Đề nghị xem xét ngoại lệ (ghi chú {ref})"
INTERVIEW_MARK = "Chờ phỏng vấn tuyển chọn"
MONTHS_NOTE = (
    "Ghi chú: Thời gian công tác còn lại tính bằng tháng, từ ngày bắt đầu khóa học "
    "({start}) đến thời điểm nghỉ hưu hoặc hết thời hạn giữ chức vụ lãnh đạo, lấy "
    "thời điểm sớm hơn."
)
EXCEPTION_NOTE = "({ref}) {case}; lý do đề nghị: {reason}; đề nghị {leaders} xem xét, quyết định."
INTERVIEW_NOTE = "“" + INTERVIEW_MARK + "”: {names} {interview}."


def row(c: Candidate, months_left: int | None, year: int, notes: list[str] | None = None) -> dict:
    born = c.birth_date.display()
    ev = c.evaluation
    assert ev is not None  # a nominee has one (Dossier checks it)
    return {
        "full_name": c.full_name,
        "birth_male": born if c.gender is Gender.nam else "",
        "birth_female": born if c.gender is Gender.nu else "",
        "position": person_position(c),
        "planned_position": c.planned_position or "",
        "education": c.education,
        "political_theory": c.political_theory or "",
        "foreign_language": language_text(c, cell=True),
        "rating": RATING_NAMES[ev.rating] + ("" if ev.year == year else f" (năm {ev.year})"),
        "months_left": "" if months_left is None else str(months_left),
        "notes": list(notes or []),  # Ghi chú, one paragraph each
    }


def notes_and_marks(dossier: Dossier, standing: Standing) -> tuple[list[str], dict[str, list[str]]]:
    """The notes printed above the table and each candidate's Ghi chú: party membership, a
    proposal by exception (pointing at its note: condition, fact, reason), a pending interview."""
    notes = [MONTHS_NOTE.format(start=short_date(dossier.course.start_date))]
    marks: dict[str, list[str]] = {
        c.id: [PARTY] if c.party_member else [] for c in dossier.candidates
    }
    for ref, ce in enumerate(standing.excepted, start=1):
        marks[ce.id].append(EXCEPTION_MARK.format(ref=ref))
        case = standing.exception_case(ce)
        notes.append(
            EXCEPTION_NOTE.format(
                ref=ref,
                case=case[:1].upper() + case[1:],
                reason=standing.reason(ce) or "(chưa ghi lý do)",
                leaders=STEERING_LEADERS,
            )
        )
    interviewing = standing.interview_people()
    for ce in interviewing:
        marks[ce.id].append(INTERVIEW_MARK)
    if interviewing:
        notes.append(
            INTERVIEW_NOTE.format(
                names=standing.names(interviewing), interview=standing.interview()
            )
        )
    return notes, marks


def build(dossier: Dossier, months_left: dict[str, int | None], report=None) -> Document:
    issuer = dossier.issuer
    cl = dossier.documents.cover_letter
    number = number_of(dossier)
    # the evaluation year most candidates share goes in the column header
    years = [c.evaluation.year for c in dossier.candidates if c.evaluation is not None]
    year = max(set(years), key=years.count)
    notes, marks = notes_and_marks(dossier, Standing(dossier, report))
    context = {
        "header": agency_header(issuer.name),
        "summary": f"Cán bộ đăng ký tham gia {course_phrase(dossier)}",
        "annex_note": (
            f"(Kèm theo Công văn số {number} {issue_date_words(cl.date)} của {issuer.name})"
        ),
        "rating_header": f"Xếp loại chất lượng năm {year}",
        "rows": [row(c, months_left.get(c.id), year, marks[c.id]) for c in dossier.candidates],
        # one "Ghi chú:" paragraph, a line for each note (the writer prints "\n" as a break)
        "notes": ["\n".join(notes)],
    }
    return Document(
        kind="nomination_list",
        template="nomination_list.docx",
        stem="danh-sach",
        title="Danh sách cán bộ đăng ký tham gia bồi dưỡng",
        context=context,
        landscape=True,
    )
