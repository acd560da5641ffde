"""Retirement dates (k39docs.dossier.retirement) against the table of Nghị định 135/2020/NĐ-CP.

The expected dates are derived here from the yearly ages as the decree's appendix lists them
(year reached → age), by walking the years and assigning each birth month the first year whose
age it reaches within that year. The implementation walks ages instead; the two must agree.
"""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k39docs.dossier.model import Gender, PartialDate
from k39docs.dossier.retirement import (
    add_months,
    retirement_age_months,
    retirement_date,
    whole_months_between,
)

# Phụ lục I, Nghị định 135/2020: year in which the age is reached → (years, months)
MEN_AGES = {
    2020: (60, 0),
    2021: (60, 3),
    2022: (60, 6),
    2023: (60, 9),
    2024: (61, 0),
    2025: (61, 3),
    2026: (61, 6),
    2027: (61, 9),
    2028: (62, 0),
}
WOMEN_AGES = {
    2020: (55, 0),
    2021: (55, 4),
    2022: (55, 8),
    2023: (56, 0),
    2024: (56, 4),
    2025: (56, 8),
    2026: (57, 0),
    2027: (57, 4),
    2028: (57, 8),
    2029: (58, 0),
    2030: (58, 4),
    2031: (58, 8),
    2032: (59, 0),
    2033: (59, 4),
    2034: (59, 8),
    2035: (60, 0),
}


def decree_table(ages: dict[int, tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """(birth year, birth month) → (retirement year, month), for births 1960–1976."""
    first, last = min(ages), max(ages)
    table: dict[tuple[int, int], tuple[int, int]] = {}
    for year in range(first - 5, 2050):
        years, months = ages[min(max(year, first), last)]
        for month in range(1, 13):
            # who reaches years+months in (year, month)? born (years, months) earlier
            total = year * 12 + (month - 1) - (years * 12 + months)
            born = (total // 12, total % 12 + 1)
            if 1960 <= born[0] <= 1976:
                table.setdefault(born, (year, month))  # the first year reached wins
    return table


MEN_TABLE = decree_table(MEN_AGES)
WOMEN_TABLE = decree_table(WOMEN_AGES)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def test_the_derived_table_covers_every_birth_month():
    every = {(y, m) for y in range(1960, 1977) for m in range(1, 13)}
    assert set(MEN_TABLE) == every
    assert set(WOMEN_TABLE) == every


@pytest.mark.parametrize("gender, table", [(Gender.nam, MEN_TABLE), (Gender.nu, WOMEN_TABLE)])
def test_every_birth_month_1960_to_1976_matches_the_decree_table(gender, table):
    wrong = []
    for (by, bm), (ry, rm) in sorted(table.items()):
        got = retirement_date(PartialDate(by, bm, 15), gender)
        if got != month_end(ry, rm):
            wrong.append(f"{gender.value} sinh {bm:02d}/{by}: {got} thay vì {month_end(ry, rm)}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("month", range(4, 13))
def test_men_born_from_april_1966_retire_at_62(month):
    assert retirement_date(f"1966-{month:02d}", "nam") == month_end(2028, month)
    assert retirement_date(f"1970-{month:02d}", "nam") == month_end(2032, month)


def test_men_born_march_1966_retire_before_62():
    assert retirement_date("1966-03", "nam") == date(2027, 12, 31)  # 61 years 9 months


def test_man_born_january_1964_retires_in_april_2025():
    assert retirement_date("1964-01-20", "nam") == date(2025, 4, 30)


@pytest.mark.parametrize(
    "birth",
    ["1966-09", "1966-10", "1966-11", "1966-12", "1967-01", "1967-02", "1967-03", "1967-04"],
)
def test_women_born_sept_1966_to_april_1967_retire_at_55_years_8_months(birth):
    born = PartialDate(*map(int, birth.split("-")))
    expected = add_months(date(born.year, born.month, 1), 55 * 12 + 8)
    assert retirement_date(birth, "nu") == month_end(expected.year, expected.month)


def test_women_born_just_outside_sept_1966_to_april_1967_do_not_retire_at_55_years_8_months():
    assert retirement_date("1966-08", "nu") == date(2021, 12, 31)  # 55 years 4 months, in 2021
    assert retirement_date("1967-05", "nu") == date(2023, 5, 31)  # 56 years, in 2023


@pytest.mark.parametrize("birth", ["1975-05", "1975-12", "1976-01", "1980-11"])
def test_women_born_from_may_1975_retire_at_60(birth):
    year, month = map(int, birth.split("-"))
    assert retirement_date(birth, "nu") == month_end(year + 60, month)


def test_woman_born_april_1975_retires_before_60():
    assert retirement_date("1975-04", "nu") == date(2034, 12, 31)  # 59 years 8 months, in 2034


def test_before_2021_the_ages_are_60_and_55():
    assert retirement_date("1960-05-02", "nam") == date(2020, 5, 31)
    assert retirement_date("1965-06-30", "nu") == date(2020, 6, 30)


def test_year_only_counts_from_the_first_of_january():
    assert (
        retirement_date("1970", "nam") == retirement_date("1970-01-01", "nam") == date(2032, 1, 31)
    )
    assert retirement_date(1970, Gender.nam) == date(2032, 1, 31)
    assert retirement_date(PartialDate(1978), "nu") == date(2038, 1, 31)


def test_year_month_counts_from_day_one():
    assert retirement_date("1980-11", "nu") == retirement_date(date(1980, 11, 1), "nu")
    assert retirement_date(PartialDate(1964, 1), "nam") == date(2025, 4, 30)


def test_the_day_of_birth_does_not_move_the_date():
    assert (
        retirement_date("1975-04-01", "nam")
        == retirement_date("1975-04-30", "nam")
        == date(2037, 4, 30)
    )


@pytest.mark.parametrize("gender", ["nữ", "Nu", "NU", Gender.nu])
def test_gender_spellings(gender):
    assert retirement_date("1980-11", gender) == date(2040, 11, 30)


@pytest.mark.parametrize(
    "birth, gender",
    [
        ("1980-13", "nam"),
        ("19801", "nam"),
        ("abc", "nu"),
        ("1980-11", "female"),
        ("1980-02-30", "nam"),
    ],
)
def test_bad_input_is_a_value_error(birth, gender):
    with pytest.raises(ValueError):
        retirement_date(birth, gender)


def test_yearly_ages_match_the_decree():
    for year, (y, m) in MEN_AGES.items():
        assert retirement_age_months(year, "nam") == y * 12 + m
    for year, (y, m) in WOMEN_AGES.items():
        assert retirement_age_months(year, "nu") == y * 12 + m
    assert retirement_age_months(2040, "nam") == 62 * 12
    assert retirement_age_months(2040, "nu") == 60 * 12
    assert retirement_age_months(2015, "nu") == 55 * 12


@given(st.dates(date(1950, 1, 1), date(2005, 12, 31)), st.sampled_from(list(Gender)))
def test_retirement_is_a_month_end_within_the_age_bounds(born, gender):
    got = retirement_date(born, gender)
    assert got.day == calendar.monthrange(got.year, got.month)[1]
    months = (got.year - born.year) * 12 + got.month - born.month
    low, high = (720, 744) if gender is Gender.nam else (660, 720)
    assert low <= months <= high
    assert months == retirement_age_months(got.year, gender)


@given(st.dates(date(1955, 1, 1), date(2000, 12, 31)), st.sampled_from(list(Gender)))
def test_a_later_birth_never_retires_earlier(born, gender):
    assert retirement_date(add_months(born, 1), gender) >= retirement_date(born, gender)


def test_whole_months_between():
    assert whole_months_between(date(2027, 3, 1), date(2037, 4, 30)) == 121
    assert whole_months_between(date(2027, 3, 1), date(2029, 2, 28)) == 23
    assert whole_months_between(date(2027, 3, 1), date(2029, 3, 1)) == 24
    assert whole_months_between(date(2027, 1, 31), date(2027, 2, 28)) == 1
    assert whole_months_between(date(2027, 3, 1), date(2027, 3, 1)) == 0
    assert whole_months_between(date(2027, 3, 1), date(2026, 12, 31)) == -2
