"""What a rule is, what it yields, and the registry every rule of domain §2 is entered in.

A rule is a small named unit: its stable id (``IV.2.1.a``), a short Vietnamese title, where it
stands in the province's plan (``unit``: "gạch đầu dòng thứ nhất tiểu mục 2.1 Mục IV"), the
plan's own words for it (``clause``, a verbatim quotation of shared/spec/ke-hoach-trien-khai.txt),
what it adds from the Quy chế that the plan does not say (``also``, in our words and never
printed as a quotation), the course types it applies to, and a function
``(candidate, course, dossier) -> Outcome``. Rules are registered by the ``rule`` decorator in the
order they are defined; adding or changing a rule touches only its definition.

Citations follow Phụ lục II of Nghị định 30/2020/NĐ-CP: smallest unit first, then the instrument
named in full. ``Rule.source`` reads well alone ("gạch đầu dòng thứ nhất khoản 1 Mục IV Kế
hoạch"); :func:`cite` names the plan from the dossier when it can, and is what a check carries.

``Rule.check`` applies what every rule shares: a ``review`` outcome becomes ``pass`` when the
candidate's ``reviewed`` map holds a note for the rule id, and the note is carried along and
quoted in the message. A ``fail`` or ``pending`` stays what it is whatever note is recorded: a
reviewer decides questions of judgement and missing data, not facts the dossier states nor an
interview still to come.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from ..dossier.model import Candidate, Course, CourseType, Dossier

__all__ = [
    "Status",
    "STATUS_NAMES",
    "STATUS_SYMBOLS",
    "Outcome",
    "CheckResult",
    "Rule",
    "RuleFunction",
    "rule",
    "all_rules",
    "rules_for",
    "get_rule",
    "ALL_COURSE_TYPES",
    "Also",
    "PLAN",
    "QUY_CHE_DIEU_3",
    "plan_name",
    "cite",
]

PLAN = "Kế hoạch"  # the province's plan, when the dossier does not name it
QUY_CHE = "Quy chế ban hành kèm theo Quyết định số 02-QĐ/BCĐ"
QUY_CHE_DIEU_3 = f"Điều 3 {QUY_CHE}"


class Status(str, Enum):
    """``pending``: can only be met after the nomination (the institution's selection
    interview); it does not block, and the papers say it is still to come."""

    passed = "pass"
    failed = "fail"
    review = "review"
    pending = "pending"

    def __str__(self) -> str:
        return self.value


STATUS_NAMES = {
    Status.passed: "Đạt",
    Status.failed: "Không đạt",
    Status.review: "Cần xem xét",
    Status.pending: "Chờ kết quả",
}
STATUS_SYMBOLS = {Status.passed: "✓", Status.failed: "✗", Status.review: "?", Status.pending: "…"}


@dataclass(frozen=True)
class Outcome:
    """What a rule function decides: a status and a Vietnamese message stating the facts used."""

    status: Status
    message: str

    @classmethod
    def ok(cls, message: str) -> Outcome:
        return cls(Status.passed, message)

    @classmethod
    def fail(cls, message: str) -> Outcome:
        return cls(Status.failed, message)

    @classmethod
    def review(cls, message: str) -> Outcome:
        return cls(Status.review, message)

    @classmethod
    def pending(cls, message: str) -> Outcome:
        return cls(Status.pending, message)


@dataclass(frozen=True)
class CheckResult:
    """One rule applied to one candidate, as reports and documents print it."""

    rule: str
    title: str
    status: Status
    message: str
    source: str
    note: str | None = None  # the reviewer's note from ``candidate.reviewed``, if any

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "status": self.status.value,
            "message": self.message,
            "source": self.source,
            "note": self.note,
        }


RuleFunction = Callable[[Candidate, Course, Dossier], Outcome]

ALL_COURSE_TYPES = frozenset(CourseType)


@dataclass(frozen=True)
class Also:
    """A condition the rule applies that the plan does not state, from another instrument (the
    Quy chế). ``text`` is our summary, not a quotation: papers print it without quotation marks,
    with its own ``source``. ``course_types``: the courses it concerns (the 18 months of a short
    course concern only ``ngan_han``)."""

    text: str
    source: str
    course_types: frozenset[CourseType] = frozenset(CourseType)

    def applies_to(self, course_type: CourseType) -> bool:
        return course_type in self.course_types


@dataclass(frozen=True)
class Rule:
    """One eligibility condition of the plan (domain §2)."""

    id: str
    title: str  # short Vietnamese name for tables: "Thời gian giữ chức vụ còn lại"
    source: str  # the citation alone: "gạch đầu dòng thứ nhất khoản 1 Mục IV Kế hoạch"
    clause: str  # the plan's words for the condition, verbatim (a part of a bullet at its ";")
    course_types: frozenset[CourseType]
    evaluate: RuleFunction
    unit: str = ""  # where the clause stands in the plan: "gạch đầu dòng thứ nhất khoản 1 Mục IV"
    also: Also | None = None  # what the rule adds from the Quy chế, with its own citation

    def applies_to(self, course_type: CourseType) -> bool:
        return course_type in self.course_types

    def also_for(self, course_type: CourseType) -> Also | None:
        """The Quy chế part when it concerns ``course_type``, else ``None``."""
        return self.also if self.also is not None and self.also.applies_to(course_type) else None

    def check(self, candidate: Candidate, dossier: Dossier) -> CheckResult:
        """Evaluate the rule and apply the reviewer's note (review → pass) if there is one."""
        outcome = self.evaluate(candidate, dossier.course, dossier)
        note = candidate.reviewed.get(self.id)
        status, message = outcome.status, outcome.message
        if note is not None:
            if status is Status.review:
                status = Status.passed
                message = f"{message}. Đã xem xét: {note}"
            elif status is Status.failed:
                message = (
                    f"{message}. Ghi nhận của người xem xét ({note}) không thay thế "
                    "điều kiện xác định từ dữ liệu"
                )
            elif status is Status.pending:
                message = (
                    f"{message}. Ghi nhận của người xem xét ({note}) không thay thế kết quả "
                    "sẽ có sau khi đề cử"
                )
        return CheckResult(self.id, self.title, status, message, cite(self, dossier), note)


# "Kế hoạch số 45/KH-UBND ngày 20 tháng 4 năm 2023 của Ủy ban nhân dân tỉnh" out of a Căn cứ
# line, without what the plan is about
_PLAN_RE = re.compile(
    r"^(?:Căn cứ\s+)?(?P<name>Kế hoạch số\s+(?P<number>\S+?)"
    r"(?:\s+ngày\s+(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}))?"
    r"(?:\s+của\s+.+?)?)(?=\s+(?:về|triển khai|thực hiện|ban hành)\s|[,;.]?\s*$)",
    re.IGNORECASE,
)


def plan_name(dossier: Dossier) -> str:
    """The province's plan named in full, for citations: the ``legal_basis`` line of its own
    plan ("Kế hoạch số …/KH-UBND …"), else the plan of the UBND that implements the Party
    committee's plan the dossier cites ("Kế hoạch của Ủy ban nhân dân tỉnh … triển khai thực
    hiện Kế hoạch số 107-KH/TU …"), else the UBND's plan implementing Kết luận số 39-KL/TW."""
    return _plan_name(tuple(dossier.legal_basis or ()), dossier.issuer.name)


@lru_cache(maxsize=64)
def _plan_name(legal_basis: tuple[str, ...], issuer: str) -> str:
    """:func:`plan_name` of these lines (every citation of every check asks it)."""
    found = [m for m in (_PLAN_RE.match(" ".join(line.split())) for line in legal_basis) if m]
    for m in found:
        if "/KH-" in m.group("number"):
            return m.group("name")
    for m in found:
        if "-KH/" in m.group("number"):
            return f"Kế hoạch của {issuer} triển khai thực hiện {m.group('name')}"
    return f"Kế hoạch của {issuer} triển khai thực hiện Kết luận số 39-KL/TW"


def cite(rule: Rule, dossier: Dossier | None = None) -> str:
    """The citation of ``rule`` the Phụ lục II way, smallest unit first: "gạch đầu dòng thứ nhất
    khoản 1 Mục IV Kế hoạch số …"; the Quy chế part follows when it concerns the dossier's
    course. Without a dossier: ``rule.source``."""
    if dossier is None or not rule.unit:
        return rule.source
    parts = [f"{rule.unit} {plan_name(dossier)}"]
    also = rule.also_for(dossier.course.type)
    if also is not None:
        parts.append(also.source)
    return "; ".join(parts)


_REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    title: str,
    unit: str,
    clause: str,
    also: Also | None = None,
    applies_to: Iterable[CourseType] = ALL_COURSE_TYPES,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as rule ``id``; the function is returned unchanged.

    ``unit`` is where ``clause`` stands in the plan; ``source`` is made from it and from
    ``also``'s citation."""

    def register(evaluate: RuleFunction) -> RuleFunction:
        if id in _REGISTRY:
            raise ValueError(f"rule {id} is registered twice")
        source = "; ".join([f"{unit} {PLAN}", *([also.source] if also else [])])
        _REGISTRY[id] = Rule(
            id, title, source, clause, frozenset(applies_to), evaluate, unit=unit, also=also
        )
        return evaluate

    return register


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, in the order of domain §2."""
    return tuple(_REGISTRY.values())


def rules_for(course_type: CourseType | str) -> tuple[Rule, ...]:
    """The rules that apply to a course type, in the order of domain §2."""
    course_type = CourseType(course_type)
    return tuple(r for r in _REGISTRY.values() if r.applies_to(course_type))


def get_rule(rule_id: str) -> Rule:
    """The rule with that id; ``KeyError`` if there is none."""
    return _REGISTRY[rule_id]
