"""Công văn of the UBND tỉnh to the central standing agency (``3512/UBND-NC``, no type code).

It cites the steering committee's notice and lists what the dossier encloses.
"""

from __future__ import annotations

from ..dossier.model import Dossier
from .base import (
    K39_REF,
    Document,
    Standing,
    agency_header,
    contact_line,
    count_phrase,
    course_phrase,
    issue_date_line,
    issue_number,
    notice_phrase,
    period_phrase,
    signature,
)
from .enclosures import enclosures  # the one list the bundle is made of too

__all__ = ["build", "letter", "SUBJECT", "number_of"]

SUBJECT = f"V/v cử cán bộ tham gia bồi dưỡng ở nước ngoài theo {K39_REF}"

# the wording of the công văn (the UBND tỉnh speaks); eligibility sentences from the report only
OPENING = (
    "Thực hiện {notice}, {issuer} cử {n} cán bộ tham gia khóa {title} tại {institution}, "
    "{country}, thời gian {period} (có danh sách kèm theo)."
)
BASIS = f"Quy chế bồi dưỡng cán bộ theo {K39_REF} và Kế hoạch của tỉnh"
REVIEWED_CLEAN = (
    "Các cán bộ được cử đã được rà soát, đáp ứng đầy đủ điều kiện, tiêu chuẩn theo "
    + BASIS
    + "; đã ký bản cam kết thực hiện trách nhiệm, nghĩa vụ khi được cử đi "
    "{course}."
)
REVIEWED = (
    "Qua rà soát, {parts}. Các cán bộ được cử đã ký bản cam kết thực hiện trách nhiệm, "
    "nghĩa vụ khi được cử đi {course}."
)
COMPLETE = "{count} cán bộ đáp ứng đầy đủ điều kiện, tiêu chuẩn theo " + BASIS
PENDING = "{names} {interview}"
EXCEPTED = "{count} cán bộ không đáp ứng một số điều kiện, tiêu chuẩn ({names})"
# the province cannot grant an exception: it asks the Steering Committee's leaders to decide
EXCEPTION = (
    "Trường hợp {case}. {issuer} đề nghị cử {who} với lý do: {reason}. Căn cứ {qc}, "
    "{issuer} kính đề nghị {leaders} xem xét, quyết định đối với trường hợp {who}."
)
ENCLOSED = "Hồ sơ gửi kèm theo gồm:"
CLOSING = (
    "{issuer} kính đề nghị Cơ quan Thường trực Ban Chỉ đạo thực hiện "
    + K39_REF
    + " xem xét, tổng hợp./."
)


def review_paragraphs(dossier: Dossier, standing: Standing) -> list[str]:
    """What the rà soát found, as the công văn tells it: one sentence when everyone meets
    every condition; otherwise how many do, who is still to sit the selection interview, and
    a paragraph for each person proposed by exception, with the condition and the reason."""
    course = course_phrase(dossier)
    if standing.clean:
        return [REVIEWED_CLEAN.format(course=course)]
    parts = []
    if standing.complete:
        parts.append(COMPLETE.format(count=count_phrase(len(standing.complete))))
    interviewing = standing.interview_people()
    if interviewing:
        names = standing.names(interviewing)
        if len(interviewing) == standing.total:
            names = f"cả {count_phrase(standing.total)} cán bộ"
        parts.append(PENDING.format(names=names, interview=standing.interview()))
    if standing.excepted:
        parts.append(
            EXCEPTED.format(
                count=count_phrase(len(standing.excepted)), names=standing.names(standing.excepted)
            )
        )
    lines = [REVIEWED.format(parts="; ".join(parts), course=course)]
    for ce in standing.excepted:
        lines.append(standing.exception_paragraph(ce, EXCEPTION, issuer=dossier.issuer.name))
    return lines


def number_of(dossier: Dossier) -> str:
    """Số ký hiệu of the công văn: agency code + drafting unit (ND30: a công văn has no type
    code); a draft's has the blank the văn thư fills in (``      /UBND-NC``)."""
    cl = dossier.documents.cover_letter
    return issue_number(cl.number, dossier.issuer.code, cl.unit_code)


def letter(dossier: Dossier, *, subject: str, paragraphs: list[str], closing: str) -> Document:
    """A công văn of the UBND tỉnh to the central standing agency: the frame the nomination's
    and the return's letters share (header, recipients, enclosures, signature, contact line);
    each brings its own subject, paragraphs and closing."""
    cl = dossier.documents.cover_letter
    issuer = dossier.issuer
    number = number_of(dossier)
    context = {
        "header": agency_header(
            issuer.name,
            number=number,
            date_line=issue_date_line(issuer.place, cl.date),
            subject=subject,
        ),
        "recipients": [r.rstrip(";.") for r in cl.recipients],
        "paragraphs": paragraphs,
        "enclosures": enclosures(dossier),
        "closing": closing,
        "signature": signature(cl.signer, cl.copies_to, cl.archive),
        "footer_info": contact_line(issuer),
    }
    return Document(
        kind="cover_letter",
        template="cover_letter.docx",
        stem="cong-van",
        title=(
            f"Công văn số {number} của {issuer.name}"
            if cl.number is not None
            else f"Dự thảo Công văn của {issuer.name}"
        ),
        context=context,
    )


def build(dossier: Dossier, report=None) -> Document:
    issuer = dossier.issuer
    course = dossier.course
    standing = Standing(dossier, report)
    return letter(
        dossier,
        subject=SUBJECT,
        paragraphs=[
            OPENING.format(
                notice=notice_phrase(dossier),
                issuer=issuer.name,
                n=count_phrase(len(dossier.candidates)),
                title=course.title,
                institution=course.institution,
                country=course.country,
                period=period_phrase(dossier),
            ),
            *review_paragraphs(dossier, standing),
            ENCLOSED,
        ],
        closing=CLOSING.format(issuer=issuer.name),
    )
