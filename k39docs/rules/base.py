"""What a rule is, what it yields, and the registry every rule of domain §2 is entered in.

A rule is a small named unit: its stable id (``IV.2.1.a``), a short Vietnamese title, the source
it cites (``Kế hoạch, Mục IV.2.1``), the clause wording, the course types it applies to, and a
function ``(candidate, course, dossier) -> Outcome``. Rules are registered by the ``rule``
decorator in the order they are defined; adding or changing a rule touches only its definition.

``Rule.check`` applies what every rule shares: a ``review`` outcome becomes ``pass`` when the
candidate's ``reviewed`` map holds a note for the rule id, and the note is carried along and
quoted in the message. A ``fail`` stays a ``fail`` whatever note is recorded: a reviewer decides
questions of judgement and missing data, not facts the dossier states.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..model import Candidate, Course, CourseType, Dossier

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
]


class Status(str, Enum):
    """``pending``: can only be met after the nomination (the institution's selection
    interview); it does not block, and the papers say it is still to come."""

    passed = "pass"
    failed = "fail"
    review = "review"
    pending = "pending"

    def __str__(self) -> str:
        return self.value


STATUS_NAMES = {Status.passed: "Đạt", Status.failed: "Không đạt", Status.review: "Cần xem xét",
                Status.pending: "Chờ kết quả"}
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
class Rule:
    """One eligibility condition of the plan (domain §2)."""

    id: str
    title: str  # short Vietnamese name for tables: "Thời gian giữ chức vụ còn lại"
    source: str  # what documents cite: "Kế hoạch, Mục IV.2.1"
    clause: str  # the condition in Vietnamese, as the working paper prints it
    course_types: frozenset[CourseType]
    evaluate: RuleFunction

    def applies_to(self, course_type: CourseType) -> bool:
        return course_type in self.course_types

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
        return CheckResult(self.id, self.title, status, message, self.source, note)


_REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    title: str,
    source: str,
    clause: str,
    applies_to: Iterable[CourseType] = ALL_COURSE_TYPES,
) -> Callable[[RuleFunction], RuleFunction]:
    """Register the decorated function as rule ``id``; the function is returned unchanged."""

    def register(evaluate: RuleFunction) -> RuleFunction:
        if id in _REGISTRY:
            raise ValueError(f"rule {id} is registered twice")
        _REGISTRY[id] = Rule(id, title, source, clause, frozenset(applies_to), evaluate)
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
