"""Tờ trình of the Sở Nội vụ proposing the nominees to the UBND tỉnh (``…/TTr-SNV``).

Holds the Vietnamese wording of the Tờ trình and builds its template context, including the
cost estimate: per person, the number of people, the total in figures and in words. The Tờ
trình is written before the công văn: it submits the draft công văn and its list for the UBND
to sign. What it says about eligibility comes from the eligibility report, never fixed text.
"""

from __future__ import annotations

from ..dossier.model import COURSE_TYPE_NAMES, Dossier
from ..vietnamese import format_money, language_name
from .base import (
    K39_REF,
    Document,
    Standing,
    agency_header,
    count_phrase,
    course_phrase,
    honorific,
    in_words,
    issue_date_line,
    issue_number,
    listed,
    notice_phrase,
    period_phrase,
    person_position,
    signature,
)

__all__ = ["build", "DEFAULT_LEGAL_BASIS", "TOPIC_GROUPS", "basis_lines", "item_labels"]

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

# the wording of the Tờ trình (the Sở speaks; {dept} {issuer} {n} … are filled in by ``build``)
INTRO = (
    "Thực hiện {notice}, {dept} đã phối hợp với các cơ quan, đơn vị rà soát điều kiện, tiêu "
    "chuẩn và lựa chọn cán bộ tham gia {course}. {dept} kính trình {issuer} như sau:"
)
ENCLOSED = "(có dự thảo Công văn và Danh sách kèm theo)"
PROPOSAL_CLEAN = (
    "Qua rà soát, {dept} đề nghị {issuer} cử {n} cán bộ đáp ứng đầy đủ điều kiện, "
    "tiêu chuẩn theo {k39}, Quy chế bồi dưỡng cán bộ theo {k39} và Kế hoạch của tỉnh "
    "tham gia khóa bồi dưỡng " + ENCLOSED + ", gồm:"
)
PROPOSAL = (
    "Qua rà soát, {dept} đề nghị {issuer} cử {n} cán bộ tham gia khóa bồi dưỡng "
    + ENCLOSED
    + ", gồm:"
)
COMPLETE = (
    "{count} cán bộ đáp ứng đầy đủ điều kiện, tiêu chuẩn theo {k39}, Quy chế bồi dưỡng "
    "cán bộ theo {k39} và Kế hoạch của tỉnh"
)
PENDING = "{names} đáp ứng các điều kiện, tiêu chuẩn đến thời điểm đề nghị và {interview}"
PENDING_ALL = "{names} {interview}"
EXCEPTION = (
    "{case}. {dept} đề nghị cử {who} với lý do: {reason}; kính đề nghị {issuer} báo cáo "
    "{leaders} xem xét, quyết định đối với trường hợp {who} (theo {qc})."
)
CLOSING = (
    "{dept} kính trình {issuer} xem xét, ký ban hành Công văn cử cán bộ tham gia khóa bồi "
    "dưỡng " + ENCLOSED + "./."
)

# the points of a list inside a numbered part: a), b), c) … in the Vietnamese alphabet
_LETTERS = "a b c d đ e g h i k l m n o p q r s t u v x y".split()


def item_labels(n: int) -> list[str]:
    """ "a)", "b)", … "y)", then "a1)", "b1)" … should a list ever be that long."""
    return [f"{_LETTERS[i % len(_LETTERS)]}{i // len(_LETTERS) or ''})" for i in range(n)]


def basis_lines(dossier: Dossier) -> list[str]:
    """Căn cứ lines: each ends with ``;``, the last with ``.`` (ND30). The course notice is not
    one of them: the Tờ trình cites it once, in its opening ("Thực hiện Thông báo …")."""
    items = list(dossier.legal_basis or DEFAULT_LEGAL_BASIS)
    return listed([i.strip().removeprefix("Căn cứ ") for i in items], prefix="Căn cứ ")


def review_lines(dossier: Dossier, standing: Standing) -> list[str]:
    """The sentences after the list of nominees: who meets every condition, who is still to
    sit the selection interview, who is proposed by exception and why. None when everyone
    meets every condition (the proposal sentence says it)."""
    if standing.clean:
        return []
    dept, issuer = dossier.department.name, dossier.issuer.name
    parts = []
    if standing.complete:
        parts.append(COMPLETE.format(count=count_phrase(len(standing.complete)), k39=K39_REF))
    interviewing = standing.interview_people()
    if interviewing:
        template = PENDING if standing.complete or standing.excepted else PENDING_ALL
        names = standing.names(interviewing)
        if len(interviewing) == standing.total:
            names = f"cả {count_phrase(standing.total)} cán bộ"
        parts.append(template.format(names=names, interview=standing.interview()))
    lines = []
    if parts:
        text = "; ".join(parts)
        lines.append(f"Trong số {count_phrase(standing.total)} cán bộ nêu trên, {text}.")
    for ce in standing.excepted:
        lines.append(
            standing.exception_paragraph(ce, EXCEPTION, capital=True, dept=dept, issuer=issuer)
        )
    return lines


def build(dossier: Dossier, report=None) -> Document:
    sub = dossier.documents.submission
    assert sub is not None  # a nomination has its Tờ trình (Dossier checks it)
    dept = dossier.department
    course = dossier.course
    issuer = dossier.issuer.name
    standing = Standing(dossier, report)
    n = count_phrase(len(dossier.candidates))
    number = issue_number(sub.number, TYPE_CODE, dept.code)
    texts = listed(
        [f"{honorific(c)} {c.full_name}, {person_position(c)}" for c in dossier.candidates]
    )
    candidates = [
        {"label": label, "text": text}
        for label, text in zip(item_labels(len(texts)), texts, strict=True)
    ]
    proposal = PROPOSAL_CLEAN if standing.clean else PROPOSAL
    context = {
        "header": agency_header(
            dept.name,
            parent=dept.parent,
            number=number,
            date_line=issue_date_line(dept.place, sub.date),
        ),
        "summary": f"Về việc cử cán bộ tham gia {course_phrase(dossier)}",
        "addressees": [issuer],
        "basis": basis_lines(dossier),
        "intro": INTRO.format(
            notice=notice_phrase(dossier),
            dept=dept.name,
            course=course_phrase(dossier),
            issuer=issuer,
        ),
        "course_lines": listed(
            [
                f"Tên khóa bồi dưỡng: {course.title}",
                f"Loại hình: {COURSE_TYPE_NAMES[course.type]}; nhóm chủ đề {course.topic_group}: "
                f"{TOPIC_GROUPS[course.topic_group]}",
                f"Cơ sở đào tạo: {course.institution}, {course.country}",
                f"Thời gian: {period_phrase(dossier)}",
                f"Ngôn ngữ giảng dạy: {language_name(course.language)}",
            ]
        ),
        "review_text": proposal.format(dept=dept.name, issuer=issuer, n=n, k39=K39_REF),
        "candidates": candidates,
        "review_lines": review_lines(dossier, standing),
        "cost_lines": cost_lines(dossier),
        "closing": CLOSING.format(dept=dept.name, issuer=issuer),
        "signature": signature(sub.signer, sub.copies_to, sub.archive),
    }
    return Document(
        kind="submission",
        template="submission.docx",
        stem="to-trinh",
        title=(
            f"Tờ trình số {number} của {dept.name}"
            if sub.number is not None
            else f"Dự thảo Tờ trình của {dept.name}"
        ),
        context=context,
    )


def cost_lines(dossier: Dossier) -> list[str]:
    per_person = dossier.course.estimated_cost_per_person
    n = len(dossier.candidates)
    funding = (
        f"Nguồn kinh phí: ngân sách nhà nước bảo đảm theo {K39_REF} và Quy chế ban hành "
        f"kèm theo Quyết định số 02-QĐ/BCĐ."
    )
    if per_person is None:
        return [f"Kinh phí thực hiện theo thông báo của Ban Chỉ đạo thực hiện {K39_REF}. {funding}"]
    total = per_person * n
    return [
        f"Kinh phí dự kiến: {format_money(per_person)} đồng/người, {count_phrase(n)} người, tổng "
        f"cộng {format_money(total)} đồng {in_words(total)}.",
        funding,
    ]
