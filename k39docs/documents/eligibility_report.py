"""Kết quả rà soát điều kiện, tiêu chuẩn: the Sở Nội vụ's working paper behind the Tờ trình.

A landscape table, one row per candidate: retirement date, months of leadership (or service)
left, √ / × / ? for every rule of the course type, the overall result. Under the table: the key
to the symbols, every rule's clause and source, the reasons for each ``fail`` and ``review``, the
reviewers' notes, and — when the dossier is issued although a candidate fails — the reason given.
It is an internal paper: no số ký hiệu, not bundled into the dossier sent to the centre.

The template has one table per course type, its rule columns generated from the rule registry
by ``scripts/build_templates.py``; ``rule_ids`` says which one applies.
"""

from __future__ import annotations

from ..dossier.model import CourseType, Dossier
from ..rules import STATUS_NAMES, EligibilityReport, Status, cite, get_rule
from ..vietnamese import (
    language_name,
    short_date,
    upper_vn,
)
from .base import (
    STEERING_LEADERS,
    Document,
    Standing,
    agency_header,
    count_phrase,
    course_phrase,
    issue_date_line,
    issue_date_words,
    issue_number,
    period_phrase,
    person_position,
    plain,
)
from .submission import TYPE_CODE as SUBMISSION_TYPE_CODE

__all__ = ["build", "TITLE", "SYMBOL_KEY", "MARKS", "EXCEPTIONS_TEXT", "PREPARER_MISSING"]

TITLE = "KẾT QUẢ RÀ SOÁT ĐIỀU KIỆN, TIÊU CHUẨN"
# Times New Roman (and its clone Liberation Serif) has no ✓ ✗: LibreOffice would borrow them
# from another font. √ × ? are in every TNR, so the paper stays in one typeface.
MARKS = {Status.passed: "√", Status.failed: "×", Status.review: "?", Status.pending: "…"}
SYMBOL_KEY = "√ đạt; × không đạt; ? cần xem xét; … chờ kết quả (phỏng vấn tuyển chọn)."
EXCEPTIONS_TEXT = (
    "Đề nghị {leaders} xem xét, quyết định đối với trường hợp không đáp ứng điều kiện, tiêu chuẩn:"
)
EXCEPTION_LINE = "{who} ({rules}), lý do: {reason}"
PREPARER = "NGƯỜI LẬP"
PREPARER_MISSING = (
    "Kết quả rà soát: chưa ghi người lập (documents.eligibility_report.prepared_by); "
    "để trống chỗ ký, ghi tên người lập bằng tay"
)
MONTHS_HEADER = {
    CourseType.ngan_han: "Thời gian giữ chức vụ lãnh đạo còn lại (tháng)",
    CourseType.trung_han: "Thời gian giữ chức vụ lãnh đạo còn lại (tháng)",
    CourseType.ngoai_ngu: "Thời gian công tác còn lại (tháng)",
}
MONTHS_NOTE = {
    CourseType.ngan_han: "thời gian giữ chức vụ lãnh đạo còn lại tính bằng tháng, từ ngày bắt đầu "
    "khóa học ({start}) đến thời điểm nghỉ hưu hoặc hết thời hạn giữ chức vụ, lấy thời điểm sớm hơn",
    CourseType.trung_han: "thời gian giữ chức vụ lãnh đạo còn lại tính bằng tháng, từ ngày bắt đầu "
    "khóa học ({start}) đến thời điểm nghỉ hưu hoặc hết thời hạn giữ chức vụ, lấy thời điểm sớm hơn",
    CourseType.ngoai_ngu: "thời gian công tác còn lại tính bằng tháng, từ ngày bắt đầu khóa học "
    "({start}) đến thời điểm nghỉ hưu",
}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _result(c) -> str:
    """ "Đạt", "Không đạt", "Cần xem xét"; "Chờ kết quả" for who meets all but the interview."""
    pending = c.status is Status.passed and c.pending_checks
    return STATUS_NAMES[Status.pending if pending else c.status]


def _rows(
    report: EligibilityReport, months_left: dict[str, int | None], dossier: Dossier
) -> list[dict]:
    rows = []
    for c in report.candidates:
        person = dossier.candidate(c.id)
        months = months_left.get(c.id)
        rows.append(
            {
                "full_name": c.full_name,
                "position": person_position(person),
                "retirement_date": short_date(c.retirement_date),
                "months_left": "–" if months is None else str(months),
                "marks": {k.rule: MARKS[k.status] for k in c.checks},
                "result": _result(c),
            }
        )
    return rows


def _clauses(report: EligibilityReport, dossier: Dossier) -> list[dict[str, str]]:
    """Every rule of the table with its clause and source: the legend of the rule columns."""
    return [
        {"rule": r.id, "clause": r.clause, "source": cite(r, dossier)}
        for r in map(get_rule, report.rule_ids)
    ]


def _findings(report: EligibilityReport, standing: Standing) -> list[dict]:
    """One item per candidate with something to say: each condition not met or still to be
    decided, with its reason; the reviewers' notes; what is still to come (the interview); the
    exception asked for and its reason; warnings about the candidate's data."""
    items = []
    for c in report.candidates:
        lines = []
        for k in c.open_checks:
            lines.append(
                f"{k.rule} {k.title} ({k.source}): {MARKS[k.status]} "
                f"{STATUS_NAMES[k.status]} – {plain(k.message)}."
            )
        for k in c.pending_checks:
            lines.append(
                f"{k.rule} {k.title} ({k.source}): {MARKS[k.status]} "
                f"{STATUS_NAMES[k.status]} – {plain(k.message)}."
            )
        for k in c.checks:
            if k.status is Status.passed and k.note:
                lines.append(
                    f"{k.rule} {k.title}: {MARKS[k.status]} {STATUS_NAMES[k.status]} – "
                    f"đã xem xét: {_sentence(plain(k.note))}"
                )
        if c.exception is not None and c.open_checks:
            lines.append(
                f"Đề nghị {STEERING_LEADERS} xem xét ngoại lệ "
                f"({', '.join(c.exception.rules)}), lý do: {standing.reason(c)}."
            )
        if lines:
            items.append({"name": c.full_name, "result": _result(c), "lines": lines})
    return items


def _conclusion(report: EligibilityReport) -> str:
    total = len(report.candidates)
    failed = [c for c in report.candidates if c.status is Status.failed]
    review = [c for c in report.candidates if c.status is Status.review]
    pending = [c for c in report.candidates if c.status is Status.passed and c.pending_checks]
    passed = total - len(failed) - len(review) - len(pending)
    parts = [f"{count_phrase(passed)}/{count_phrase(total)} cán bộ đạt đủ điều kiện, tiêu chuẩn"]
    if pending:
        names = ", ".join(c.full_name for c in pending)
        parts.append(
            f"{count_phrase(len(pending))} cán bộ đạt các điều kiện, tiêu chuẩn khác, "
            f"chờ kết quả phỏng vấn tuyển chọn ({names})"
        )
    if review:
        parts.append(f"{count_phrase(len(review))} cán bộ còn nội dung cần xem xét")
    if failed:
        names = ", ".join(c.full_name for c in failed)
        parts.append(f"{count_phrase(len(failed))} cán bộ không đạt ({names})")
    return "Qua rà soát, " + "; ".join(parts) + "."


def build(
    dossier: Dossier,
    report: EligibilityReport,
    months_left: dict[str, int | None],
    allow_ineligible: str | None = None,
) -> Document:
    """The working paper for ``report``; ``allow_ineligible`` is the reason given for issuing a
    dossier in which a candidate fails (printed only when one does)."""
    dept = dossier.department
    sub = dossier.documents.submission
    assert sub is not None  # a nomination has its Tờ trình (Dossier checks it)
    course = dossier.course
    submission_number = issue_number(sub.number, SUBMISSION_TYPE_CODE, dept.code)
    start = short_date(course.start_date)
    standing = Standing(dossier, report)
    preparer = dossier.documents.eligibility_report.prepared_by
    lines = len(sub.signer.block_lines())  # the right column's title lines; the left has two
    context = {
        "header": agency_header(
            dept.name, parent=dept.parent, date_line=issue_date_line(dept.place, sub.date)
        ),
        "title": TITLE,
        "summary": f"Cán bộ đề nghị cử tham gia {course_phrase(dossier)}",
        "annex_note": (
            f"(Tài liệu phục vụ Tờ trình số {submission_number} {issue_date_words(sub.date)} "
            f"của {dept.name}; lưu hành nội bộ)"
        ),
        "course_line": (
            f"Khóa bồi dưỡng: {course.title}; {course.institution}, {course.country}; "
            f"{period_phrase(dossier)}; ngôn ngữ giảng dạy: {language_name(course.language)}."
        ),
        "exceptions_text": EXCEPTIONS_TEXT.format(leaders=STEERING_LEADERS),
        "exceptions": [
            EXCEPTION_LINE.format(
                who=standing.who(c, capital=True),
                rules=", ".join(k.rule for k in c.open_checks),
                reason=standing.reason(c) or "chưa ghi",
            )
            for c in standing.excepted
        ],
        "course_type": report.course_type.value,
        "rule_ids": list(report.rule_ids),
        "months_header": MONTHS_HEADER[report.course_type],
        "rows": _rows(report, months_left, dossier),
        "key": f"{SYMBOL_KEY} Thời điểm nghỉ hưu theo Điều 169 Bộ luật Lao động năm 2019 và "
        f"Nghị định số 135/2020/NĐ-CP; "
        + MONTHS_NOTE[report.course_type].format(start=start)
        + ".",
        "clauses": _clauses(report, dossier),
        "findings": _findings(report, standing),
        "conclusion": _conclusion(report),
        # the Sở's leader who signs the Tờ trình approves the paper, the specialist who did the
        # review prepared it; no Nơi nhận. The pads keep both names on one line.
        "signature": {
            "title_lines": [upper_vn(line) for line in sub.signer.block_lines()],
            "name": sub.signer.name,
            "left_title": PREPARER,
            "left_name": preparer or "",
            "left_pad": ["" for _ in range(max(0, lines - 2))],
            "right_pad": ["" for _ in range(max(0, 2 - lines))],
        },
    }
    return Document(
        kind="eligibility_report",
        template="eligibility_report.docx",
        stem="ket-qua-ra-soat",
        title="Kết quả rà soát điều kiện, tiêu chuẩn",
        context=context,
        landscape=True,
        warnings=() if preparer else (PREPARER_MISSING,),
    )
