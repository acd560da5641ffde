"""Dates written the Nghị định 30/2020 way: ``Quảng Ngãi, ngày 05 tháng 02 năm 2027``.

ND30 pads only days below 10 and months 1 and 2 with a zero ("ngày 29 tháng 6",
"ngày 05 tháng 01"), so that a date written by hand cannot be altered (1 → 11, 2 → 12).
Tables use the all-figures form ``05/02/2027``.
"""

from __future__ import annotations

from datetime import date

from .text import nfc

__all__ = [
    "day_text",
    "month_text",
    "date_words",
    "format_date_line",
    "short_date",
    "month_year",
]


def _require_date(d: object) -> date:
    # datetime is a subclass of date, so it is accepted as well
    if not isinstance(d, date):
        raise TypeError(f"expected a datetime.date, got {type(d).__name__}: {d!r}")
    return d


def _part(value: date | int, field: str, upper: int) -> int:
    if isinstance(value, date):
        return getattr(value, field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a datetime.date or an int {field}, got {type(value).__name__}")
    if not 1 <= value <= upper:
        raise ValueError(f"{field} must be between 1 and {upper}, got {value}")
    return value


def day_text(d: date | int) -> str:
    """Day as ND30 writes it: ``05`` for 1–9, ``29`` otherwise. Takes a date or a day number."""
    day = _part(d, "day", 31)
    return f"{day:02d}" if day < 10 else str(day)


def month_text(d: date | int) -> str:
    """Month as ND30 writes it: ``01``, ``02`` padded, ``3`` … ``12`` not. Date or month number."""
    month = _part(d, "month", 12)
    return f"{month:02d}" if month <= 2 else str(month)


def date_words(d: date) -> str:
    """``ngày 05 tháng 02 năm 2027``: the date in the date line and in citations of documents."""
    d = _require_date(d)
    return f"ngày {day_text(d)} tháng {month_text(d)} năm {d.year}"


def format_date_line(place: str, d: date) -> str:
    """The ô 4 date line, ``Quảng Ngãi, ngày 05 tháng 02 năm 2027``.

    The place is normalised to NFC and its first letter capitalised; the rest is kept as given,
    because place names have their own capitals ("Thành phố Hồ Chí Minh").
    """
    d = _require_date(d)
    place = nfc(place).strip()
    if not place:
        raise ValueError("the date line needs a place name (địa danh)")
    place = nfc(place[0].upper() + place[1:])
    return f"{place}, {date_words(d)}"


def short_date(d: date) -> str:
    """``05/02/2027``: day and month always two digits, for tables where columns must line up."""
    d = _require_date(d)
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def month_year(d: date) -> str:
    """``tháng 3 năm 2027`` / ``tháng 01 năm 2027``, with the same month padding as full dates."""
    d = _require_date(d)
    return f"tháng {month_text(d)} năm {d.year}"
