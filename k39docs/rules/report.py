"""Checking a whole dossier: every applicable rule for every candidate, as data, JSON and text.

``check_eligibility`` is what ``k39docs validate`` and ``render`` call;
``EligibilityReport.to_dict`` is the shape of ``eligibility.json`` (interface.md), and
``format_eligibility_text`` the text output of ``validate``: one row per candidate with
✓ / ✗ / ? per rule, then the reasons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model import COURSE_TYPE_NAMES, Candidate, CourseType, Dossier
from ..retirement import candidate_retirement_date, leadership_months_left, service_months_left
from .base import STATUS_NAMES, STATUS_SYMBOLS, CheckResult, Status, all_rules, rules_for

__all__ = [
    "CandidateEligibility",
    "EligibilityReport",
    "check_candidate",
    "check_eligibility",
    "format_eligibility_text",
]


def _overall(checks: tuple[CheckResult, ...]) -> Status:
    statuses = {c.status for c in checks}
    if Status.failed in statuses:
        return Status.failed
    if Status.review in statuses:
        return Status.review
    return Status.passed


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
        """No candidate fails a rule (``review`` does not make a dossier ineligible)."""
        return all(c.status is not Status.failed for c in self.candidates)

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
    warnings = []
    for rule_id in candidate.reviewed:
        if rule_id not in known_ids:
            warnings.append(f"`reviewed` ghi mã điều kiện không tồn tại: {rule_id}")
        elif rule_id not in applicable_ids:
            warnings.append(
                f"`reviewed` ghi điều kiện {rule_id}, không áp dụng cho "
                f"{COURSE_TYPE_NAMES[course.type]}"
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
    )


def check_eligibility(dossier: Dossier) -> EligibilityReport:
    """Check every candidate of ``dossier`` against the rules that apply to its course type."""
    return EligibilityReport(
        dossier_id=dossier.id,
        course_type=dossier.course.type,
        course_start=dossier.course.start_date,
        rule_ids=tuple(r.id for r in rules_for(dossier.course.type)),
        candidates=tuple(check_candidate(c, dossier) for c in dossier.candidates),
    )


# --- text -------------------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


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
        f"Ký hiệu: ✓ đạt, ✗ không đạt, ? cần xem xét. Còn lại: {measured} "
        "tính từ ngày bắt đầu khóa học (tháng)."
    )

    for c in report.candidates:
        reasons = [k for k in c.checks if k.status is not Status.passed]
        noted = [k for k in c.checks if k.status is Status.passed and k.note]
        if not (reasons or noted or c.warnings):
            continue
        lines += ["", f"{c.id} – {c.full_name}: {STATUS_NAMES[c.status]}"]
        for k in reasons:
            symbol = STATUS_SYMBOLS[k.status]
            lines.append(f"  {symbol} {k.rule} {k.title} ({k.source}): {k.message}")
        for k in noted:
            lines.append(f"  ✓ {k.rule} {k.title}: đã xem xét: {k.note}")
        for w in c.warnings:
            lines.append(f"  ! {w}")

    failed = sum(c.status is Status.failed for c in report.candidates)
    review = sum(c.status is Status.review for c in report.candidates)
    total = len(report.candidates)
    lines.append("")
    if failed:
        lines.append(f"Kết luận: {failed}/{total} ứng viên không đạt điều kiện.")
    else:
        lines.append(f"Kết luận: {total}/{total} ứng viên không vướng điều kiện nào"
                     + (f"; {review} ứng viên còn nội dung cần xem xét." if review else "."))
    return "\n".join(lines) + "\n"
