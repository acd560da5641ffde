"""Jinja filters that put Vietnamese dates, amounts and document numbers into templates.

Install with ``env.filters.update(FILTERS)``. Templates hold layout and Python holds the rules,
so a template writes ``{{ signed_on|date_line(place) }}`` and never pads a month itself.
A ``None`` value is refused with ``TypeError``: templates render with ``StrictUndefined`` and a
missing date or amount is a bug to fix, not a blank to print.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from .dates import date_words, format_date_line, month_year, short_date
from .numbers import amount_in_words, format_money, number_in_words, padded
from .text import decimal_comma, document_number, upper_vn

__all__ = ["FILTERS"]


def _refuse_none(name: str, func: Callable[..., str]) -> Callable[..., str]:
    @wraps(func)
    def template_filter(value: Any, *args: Any, **kwargs: Any) -> str:
        if value is None:
            raise TypeError(
                f"Jinja filter {name!r} received None: the template passed a missing value"
                " (check the dossier field it reads)"
            )
        return func(value, *args, **kwargs)

    return template_filter


def _date_line(d: date, place: str) -> str:
    """``{{ d|date_line(place) }}``: the filtered value is the date, the place is the argument."""
    if place is None:
        raise TypeError("Jinja filter 'date_line' received None as the place")
    return format_date_line(place, d)


_FUNCTIONS: dict[str, Callable[..., str]] = {
    "date_words": date_words,  # ngày 05 tháng 02 năm 2027
    "short_date": short_date,  # 05/02/2027
    "month_year": month_year,  # tháng 3 năm 2027
    "date_line": _date_line,  # Quảng Ngãi, ngày 05 tháng 02 năm 2027
    "money": format_money,  # 385.000.000
    "amount_words": amount_in_words,  # Ba trăm tám mươi lăm triệu đồng
    "number_words": number_in_words,  # một nghìn không trăm mười lăm
    "upper_vn": upper_vn,  # ỦY BAN NHÂN DÂN
    "doc_number": document_number,  # 05/TTr-SNV
    "decimal_comma": decimal_comma,  # IELTS 6,5
    "padded": padded,  # 03
}
FILTERS: dict[str, Callable[..., str]] = {
    name: _refuse_none(name, func) for name, func in _FUNCTIONS.items()
}
