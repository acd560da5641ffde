"""Retirement date and the working time a candidate has left (Bộ luật Lao động 2019 Điều 169).

The retirement age in normal conditions depends on the year in which it is reached (Nghị định
135/2020/NĐ-CP): men 60 years 3 months in 2021, 3 months more each year up to 62 in 2028; women
55 years 4 months in 2021, 4 months more each year up to 60 in 2035; 60 / 55 before 2021. The
retirement moment is the end of the last day of the month in which that age is reached. A birth
date with only the year counts from 01/01, one with only year and month from day 01 (domain §3).

Besides ``retirement_date`` this module holds what the documents print from it: the date a
candidate stops being a leader (``leadership_end_date``: retirement or end of term, whichever
is first), the months of leadership and of service left from the course start, and the month
arithmetic they share.
"""

from __future__ import annotations

import calendar
from datetime import date
from functools import lru_cache

from .model import (
    Candidate,
    Course,
    CourseType,
    Gender,
    PartialDate,
    PositionLevel,
    _parse_partial_date,
)

__all__ = [
    "retirement_age_months",
    "retirement_date",
    "candidate_retirement_date",
    "leadership_end_date",
    "service_end_date",
    "leadership_months_left",
    "service_months_left",
    "months_left_for_course",
    "add_months",
    "whole_months_between",
    "as_partial_date",
    "as_gender",
]

# (age in months in 2020 and before, months added per year from 2021, ceiling in months)
_AGE_RULE = {
    Gender.nam: (60 * 12, 3, 62 * 12),
    Gender.nu: (55 * 12, 4, 60 * 12),
}


def as_gender(gender: Gender | str) -> Gender:
    """``Gender`` from a ``Gender`` or ``"nam"`` / ``"nu"`` (``"nữ"`` and capitals accepted)."""
    if isinstance(gender, Gender):
        return gender
    if isinstance(gender, str):
        key = gender.strip().casefold().replace("ữ", "u")
        if key in ("nam", "nu"):
            return Gender(key)
    raise ValueError(f"giới tính không hợp lệ: {gender!r} (phải là 'nam' hoặc 'nu')")


def as_partial_date(birth: PartialDate | date | str | int) -> PartialDate:
    """``PartialDate`` from itself, a ``date``, or ``"YYYY"`` / ``"YYYY-MM"`` / ``"YYYY-MM-DD"``."""
    try:
        return _parse_partial_date(birth)
    except ValueError:  # the model's parser raises pydantic's (Vietnamese) custom error
        raise ValueError(
            f"ngày sinh không hợp lệ: {birth!r} (ghi YYYY-MM-DD, YYYY-MM hoặc YYYY)"
        ) from None


def retirement_age_months(year: int, gender: Gender | str) -> int:
    """The retirement age, in months, for someone who reaches it in ``year``."""
    base, step, ceiling = _AGE_RULE[as_gender(gender)]
    return min(base + step * max(0, year - 2020), ceiling)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def retirement_date(birth: PartialDate | date | str | int, gender: Gender | str) -> date:
    """The normal-conditions retirement date: the last day of the month the age is reached.

    The retirement month is the first month M at or after the birth month whose distance from
    the birth month, in months, is at least the retirement age for the year of M.
    """
    born = as_partial_date(birth).earliest
    return _retirement_month_end(born.year * 12 + born.month - 1, as_gender(gender))


@lru_cache(maxsize=4096)
def _retirement_month_end(birth_index: int, gender: Gender) -> date:
    """:func:`retirement_date` of the month numbered ``birth_index`` (year × 12 + month − 1):
    the rules ask it of every candidate several times, and it looks through up to 60 months."""
    base, _, ceiling = _AGE_RULE[gender]
    for age in range(base, ceiling + 1):  # the age reached is between the 2020 age and the ceiling
        year, month0 = divmod(birth_index + age, 12)
        if age >= retirement_age_months(year, gender):
            return _last_day(year, month0 + 1)
    raise AssertionError("unreachable: the ceiling age always satisfies the rule")


def candidate_retirement_date(candidate: Candidate) -> date:
    """``retirement_date`` of a candidate's recorded birth date and sex."""
    return retirement_date(candidate.birth_date, candidate.gender)


def service_end_date(candidate: Candidate) -> date:
    """Last day of service: the retirement date (no other end of service is recorded)."""
    return candidate_retirement_date(candidate)


def leadership_end_date(candidate: Candidate) -> date:
    """Last day as a leader: the earlier of retirement and ``leadership_term_end``."""
    end = candidate_retirement_date(candidate)
    if candidate.leadership_term_end is not None:
        end = min(end, candidate.leadership_term_end)
    return end


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole calendar months, the day clamped to the month (31/01 + 1 → 28/02)."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return date(year, month0 + 1, day)


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (01/03/2027 → 30/04/2037: 121).

    Negative when ``end`` is before ``start``.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    elif months < 0 and add_months(start, months) < end:
        months += 1
    return months


def leadership_months_left(candidate: Candidate, start: date) -> int | None:
    """Whole months from ``start`` to ``leadership_end_date`` (0 if past); None for non-leaders."""
    if candidate.position_level is PositionLevel.khong_lanh_dao:
        return None
    return max(0, whole_months_between(start, leadership_end_date(candidate)))


def service_months_left(candidate: Candidate, start: date) -> int:
    """Whole months from ``start`` to the retirement date (0 if already past)."""
    return max(0, whole_months_between(start, service_end_date(candidate)))


def months_left_for_course(candidate: Candidate, course: Course) -> int | None:
    """The "Thời gian công tác còn lại" of the nomination list, in months from the course start.

    Leadership time for ``ngan_han`` / ``trung_han`` (what IV.2.1.a measures), service time for
    ``ngoai_ngu`` (IV.2.2.a).
    """
    if course.type is CourseType.ngoai_ngu:
        return service_months_left(candidate, course.start_date)
    return leadership_months_left(candidate, course.start_date)
