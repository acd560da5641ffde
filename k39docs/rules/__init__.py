"""Eligibility rules of the plan (domain §2) and the check of a whole dossier against them.

``base`` defines a rule and its registry, ``conditions`` holds one registered function per rule
(importing it fills the registry), ``language`` reads language levels, and ``report`` applies the
rules to every candidate: ``check_eligibility(dossier) -> EligibilityReport``.
"""

from __future__ import annotations

from . import conditions  # noqa: F401  (registers the rules)
from .base import (
    STATUS_NAMES,
    STATUS_SYMBOLS,
    Also,
    CheckResult,
    Outcome,
    Rule,
    Status,
    all_rules,
    cite,
    get_rule,
    plan_name,
    rule,
    rules_for,
)
from .conditions import SHORT_COURSE_GROUPS, TOPIC_GROUP_NAMES, WORK_FIELDS, work_field_matches
from .report import (
    CandidateEligibility,
    EligibilityReport,
    Excepted,
    blocking_message,
    check_candidate,
    check_eligibility,
    format_eligibility_text,
)

__all__ = [
    "Status",
    "STATUS_NAMES",
    "STATUS_SYMBOLS",
    "Outcome",
    "CheckResult",
    "Rule",
    "rule",
    "all_rules",
    "rules_for",
    "get_rule",
    "Also",
    "cite",
    "plan_name",
    "SHORT_COURSE_GROUPS",
    "TOPIC_GROUP_NAMES",
    "WORK_FIELDS",
    "work_field_matches",
    "CandidateEligibility",
    "Excepted",
    "blocking_message",
    "EligibilityReport",
    "check_candidate",
    "check_eligibility",
    "format_eligibility_text",
]
