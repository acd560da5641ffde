"""Checking a whole dossier: every applicable rule for every candidate, as data, JSON and text.

``check_eligibility`` is what ``k39docs validate`` and ``render`` call;
``EligibilityReport.to_dict`` is the shape of ``eligibility.json`` (interface.md), and
``format_eligibility_text`` the text output of ``validate``: one row per candidate with
✓ / ✗ / ? / … per rule, then the reasons, what is still to come, and how to settle what blocks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from ..dossier.model import COURSE_TYPE_NAMES, Candidate, CourseType, Dossier
from ..dossier.retirement import (
    candidate_retirement_date,
    leadership_months_left,
    service_months_left,
)
from ..vietnamese.text import position_at, repeated_agency
from .base import STATUS_NAMES, STATUS_SYMBOLS, CheckResult, Status, all_rules, rules_for

__all__ = [
    "Excepted",
    "CandidateEligibility",
    "EligibilityReport",
    "check_candidate",
    "check_eligibility",
    "format_eligibility_text",
    "blocking_message",
]


def _overall(checks: tuple[CheckResult, ...]) -> Status:
    statuses = {c.status for c in checks}
    if Status.failed in statuses:
        return Status.failed
    if Status.review in statuses:
        return Status.review
    return Status.passed


@dataclass(frozen=True)
class Excepted:
    """An exception asked for a candidate: the rules it covers and the province's reason.

    ``by`` says where it was recorded: the candidate's own ``exception`` in the dossier, or the
    command's ``--allow-ineligible "reason"`` (which covers whatever a candidate does not meet).
    Only the Steering Committee's leaders decide on it; the papers ask them to."""

    rules: tuple[str, ...]
    reason: str
    by: Literal["candidate", "command"] = "candidate"

    def to_dict(self) -> dict[str, Any]:
        return {"rules": list(self.rules), "reason": self.reason, "by": self.by}


@dataclass(frozen=True)
class CandidateEligibility:
    """The checks of one candidate and the figures the documents print next to them."""

    id: str
    full_name: str
    status: Status  # fail if any check fails, else review if any needs review, else pass
    retirement_date: date
    leadership_months_left: int | None  # None for a candidate with no leadership post
    service_months_left: int
    checks: tuple[CheckResult, ...]
    warnings: tuple[str, ...] = ()  # e.g. a `reviewed` note for a rule id that does not apply
    exception: Excepted | None = None

    @property
    def open_checks(self) -> tuple[CheckResult, ...]:
        """The checks that stand in the way: failed, or a review nobody has settled."""
        return tuple(k for k in self.checks if k.status in (Status.failed, Status.review))

    @property
    def pending_checks(self) -> tuple[CheckResult, ...]:
        """The checks met only after the nomination (the selection interview)."""
        return tuple(k for k in self.checks if k.status is Status.pending)

    @property
    def uncovered(self) -> tuple[CheckResult, ...]:
        """The open checks that no exception covers."""
        covered = set(self.exception.rules) if self.exception else set()
        return tuple(k for k in self.open_checks if k.rule not in covered)

    @property
    def excepted(self) -> bool:
        """Does not meet every condition, and an exception is asked for all it does not meet."""
        return bool(self.open_checks) and not self.uncovered

    @property
    def blocked(self) -> bool:
        """Stops the dossier: a condition not met and not covered by an exception."""
        return bool(self.uncovered)

    def check(self, rule_id: str) -> CheckResult:
        """The result of one rule; ``KeyError`` if the rule does not apply to this course type."""
        for c in self.checks:
            if c.rule == rule_id:
                return c
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "full_name": self.full_name,
            "status": self.status.value,
            "retirement_date": self.retirement_date.isoformat(),
            "leadership_months_left": self.leadership_months_left,
            "service_months_left": self.service_months_left,
            "checks": [c.to_dict() for c in self.checks],
            "warnings": list(self.warnings),
            "exception": self.exception.to_dict() if self.exception else None,
        }


@dataclass(frozen=True)
class EligibilityReport:
    """The result of checking every candidate of a dossier against the rules of its course type."""

    dossier_id: str
    course_type: CourseType
    course_start: date
    rule_ids: tuple[str, ...]  # the rules that apply, in order: the columns of the table
    candidates: tuple[CandidateEligibility, ...]

    @property
    def eligible(self) -> bool:
        """Every candidate passes: no check fails and no review is left unsettled (a
        ``pending`` interview does not count against it)."""
        return all(c.status is Status.passed for c in self.candidates)

    @property
    def blocked(self) -> tuple[CandidateEligibility, ...]:
        """The candidates that stop the dossier: a condition not met and no exception for it."""
        return tuple(c for c in self.candidates if c.blocked)

    @property
    def issuable(self) -> bool:
        """The papers may be issued: every candidate passes or has an exception for all it
        does not meet (the papers then tell it)."""
        return not self.blocked

    @property
    def exceptions(self) -> tuple[CandidateEligibility, ...]:
        """The candidates proposed by exception, in dossier order."""
        return tuple(c for c in self.candidates if c.excepted)

    def allowing(self, reason: str | None) -> EligibilityReport:
        """This report with the command's ``--allow-ineligible`` ``reason`` recorded as the
        exception of every candidate that does not meet a condition and has none of its own
        covering it (the candidate's own reason is kept for the rules it names)."""
        reason = (reason or "").strip()
        if not reason or not self.blocked:
            return self
        candidates = []
        for c in self.candidates:
            if c.blocked:
                own = c.exception
                rules = tuple(k.rule for k in c.open_checks)
                text = reason if own is None else f"{own.reason}; {reason}"
                c = replace(c, exception=Excepted(rules, text, "command"))
            candidates.append(c)
        return replace(self, candidates=tuple(candidates))

    def candidate(self, candidate_id: str) -> CandidateEligibility:
        for c in self.candidates:
            if c.id == candidate_id:
                return c
        raise KeyError(candidate_id)

    def to_dict(self) -> dict[str, Any]:
        """The ``eligibility.json`` shape of interface.md, with a few more fields."""
        return {
            "eligible": self.eligible,
            "dossier": self.dossier_id,
            "course_type": self.course_type.value,
            "course_start": self.course_start.isoformat(),
            "rules": list(self.rule_ids),
            "issuable": self.issuable,
            "exceptions": [
                {"candidate": c.id, "rules": list(c.exception.rules), "reason": c.exception.reason}
                for c in self.exceptions
                if c.exception
            ],
            "candidates": [c.to_dict() for c in self.candidates],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def check_candidate(candidate: Candidate, dossier: Dossier) -> CandidateEligibility:
    """Apply every rule of the dossier's course type to one candidate."""
    course = dossier.course
    applicable = rules_for(course.type)
    checks = tuple(r.check(candidate, dossier) for r in applicable)
    applicable_ids = {r.id for r in applicable}
    known_ids = {r.id for r in all_rules()}

    def misnamed(field: str, rule_id: str) -> str | None:
        """The warning for a rule code ``field`` names that does not exist or not apply here."""
        if rule_id not in known_ids:
            return f"`{field}` ghi mã điều kiện không tồn tại: {rule_id}"
        if rule_id not in applicable_ids:
            return (
                f"`{field}` ghi điều kiện {rule_id}, không áp dụng cho "
                f"{COURSE_TYPE_NAMES[course.type]}"
            )
        return None

    warnings = [w for r in candidate.reviewed if (w := misnamed("reviewed", r)) is not None]
    if repeated_agency(candidate.position, candidate.agency):
        warnings.append(
            f"`position` đã ghi tên cơ quan (“{candidate.position}”, cơ quan “{candidate.agency}”)"
            f"; chỉ cần ghi chức vụ. Các văn bản ghi: "
            f"“{position_at(candidate.position, candidate.agency)}”"
        )
    exception = None
    if candidate.exception is not None:
        asked = tuple(dict.fromkeys(candidate.exception.rules))
        exception = Excepted(asked, candidate.exception.reason)
        open_ids = {k.rule for k in checks if k.status in (Status.failed, Status.review)}
        pending_ids = {k.rule for k in checks if k.status is Status.pending}
        for rule_id in asked:
            wrong = misnamed("exception", rule_id)
            if wrong is not None:
                warnings.append(wrong)
            elif rule_id in pending_ids:
                warnings.append(
                    f"`exception` ghi điều kiện {rule_id}, là kết quả chỉ có sau khi đề cử "
                    "(không cản trở hồ sơ); bỏ mã này khỏi `exception`"
                )
            elif rule_id not in open_ids:
                warnings.append(
                    f"`exception` ghi điều kiện {rule_id}, nhưng ứng viên đã đạt điều kiện này; "
                    "bỏ mã này khỏi `exception`"
                )
    return CandidateEligibility(
        id=candidate.id,
        full_name=candidate.full_name,
        status=_overall(checks),
        retirement_date=candidate_retirement_date(candidate),
        leadership_months_left=leadership_months_left(candidate, course.start_date),
        service_months_left=service_months_left(candidate, course.start_date),
        checks=checks,
        warnings=tuple(warnings),
        exception=exception,
    )


def check_eligibility(
    dossier: Dossier, *, allow_ineligible: str | None = None
) -> EligibilityReport:
    """Check every candidate of ``dossier`` against the rules that apply to its course type.

    ``allow_ineligible``: the command's reason for proposing whoever does not meet a condition
    (see :meth:`EligibilityReport.allowing`)."""
    return EligibilityReport(
        dossier_id=dossier.id,
        course_type=dossier.course.type,
        course_start=dossier.course.start_date,
        rule_ids=tuple(r.id for r in rules_for(dossier.course.type)),
        candidates=tuple(check_candidate(c, dossier) for c in dossier.candidates),
    ).allowing(allow_ineligible)


def blocking_message(report: EligibilityReport) -> str:
    """Who stops the dossier and on which condition, and exactly how each can be settled: the
    ``reviewed`` note (or its workbook column) for each unsettled review, the ``exception`` that
    would ask the Steering Committee for the rest, or leaving the candidate out."""
    lines = ["Hồ sơ chưa đủ điều kiện phát hành; không tạo văn bản nào:"]
    for c in report.blocked:
        for k in c.uncovered:
            what = "không đạt" if k.status is Status.failed else "cần xem xét, chưa có ý kiến"
            lines.append(f"  - {c.full_name} ({c.id}): {k.rule} {k.title} – {what}: {k.message}")
    lines.append("Cách xử lý (mỗi ứng viên một cách):")
    for c in report.blocked:
        reviews = [k.rule for k in c.uncovered if k.status is Status.review]
        rules = ", ".join(k.rule for k in c.uncovered)
        lines.append(f"  {c.full_name} ({c.id}):")
        if reviews:
            notes = ", ".join(f'{r}: "…ý kiến…"' for r in reviews)
            columns = ", ".join(f"“Đánh giá {r}”" for r in reviews)
            lines.append(
                f"    - người có thẩm quyền xem xét và ghi ý kiến: `reviewed: {{{notes}}}` ở "
                f"ứng viên {c.id} (trong bảng tính: cột {columns})"
            )
        lines.append(
            f"    - {'hoặc ' if reviews else ''}đề nghị Ban Chỉ đạo xem xét ngoại lệ: ghi "
            f'`exception: {{rules: [{rules}], reason: "…lý do…"}}` ở ứng viên {c.id}, hoặc '
            'chạy lại với --allow-ineligible "lý do"; các văn bản sẽ nêu rõ trường hợp này'
        )
        lines.append("    - hoặc bỏ ứng viên khỏi hồ sơ.")
    return "\n".join(lines)


# --- text -------------------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def format_eligibility_text(report: EligibilityReport) -> str:
    """The text output of ``k39docs validate``: the table, then reasons and reviewers' notes."""
    course_name = COURSE_TYPE_NAMES[report.course_type]
    lines = [
        "KẾT QUẢ RÀ SOÁT ĐIỀU KIỆN, TIÊU CHUẨN",
        f"Hồ sơ {report.dossier_id}: {course_name}, khóa học bắt đầu "
        f"{report.course_start.strftime('%d/%m/%Y')}",
        "",
    ]
    header = ["Mã", "Họ và tên", "Nghỉ hưu", "Còn lại", *report.rule_ids, "Kết quả"]
    rows = [header]
    for c in report.candidates:
        months = (
            c.service_months_left
            if report.course_type is CourseType.ngoai_ngu
            else c.leadership_months_left
        )
        rows.append(
            [
                c.id,
                c.full_name,
                c.retirement_date.strftime("%d/%m/%Y"),
                "–" if months is None else str(months),
                *(STATUS_SYMBOLS[c.check(r).status] for r in report.rule_ids),
                STATUS_NAMES[c.status],
            ]
        )
    lines += _table(rows)
    lines.append("")
    measured = (
        "thời gian công tác còn lại"
        if report.course_type is CourseType.ngoai_ngu
        else "thời gian giữ chức vụ lãnh đạo còn lại"
    )
    lines.append(
        f"Ký hiệu: ✓ đạt, ✗ không đạt, ? cần xem xét, … chờ kết quả. Còn lại: {measured} "
        "tính từ ngày bắt đầu khóa học (tháng)."
    )

    for c in report.candidates:
        reasons = list(c.open_checks)
        noted = [k for k in c.checks if k.status is Status.passed and k.note]
        if not (reasons or noted or c.warnings or c.pending_checks or c.exception):
            continue
        lines += ["", f"{c.id} – {c.full_name}: {STATUS_NAMES[c.status]}"]
        for k in reasons:
            symbol = STATUS_SYMBOLS[k.status]
            lines.append(f"  {symbol} {k.rule} {k.title} ({k.source}): {k.message}")
        for k in noted:
            lines.append(f"  ✓ {k.rule} {k.title}: đã xem xét: {k.note}")
        for w in c.warnings:
            lines.append(f"  ! {w}")

        if c.exception is not None:
            rules = ", ".join(c.exception.rules)
            lines.append(f"  ! đề nghị xem xét ngoại lệ ({rules}): {c.exception.reason}")
        for k in c.pending_checks:
            lines.append(f"  … {k.rule} {k.title}: {k.message}")

    total = len(report.candidates)
    passed = sum(c.status is Status.passed for c in report.candidates)
    lines.append("")
    lines.append(f"Kết luận: {passed}/{total} ứng viên đáp ứng đầy đủ điều kiện, tiêu chuẩn.")
    if report.exceptions:
        names = ", ".join(f"{c.full_name} ({c.id})" for c in report.exceptions)
        lines.append(f"Đề nghị Ban Chỉ đạo xem xét ngoại lệ: {names}.")
    if report.blocked:
        lines.append("")
        lines.append(blocking_message(report))
    return "\n".join(lines) + "\n"
