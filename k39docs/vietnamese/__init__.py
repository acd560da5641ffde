"""Vietnamese language helpers for documents: NFC text, dates, numbers and amounts in words.

Everything a template or writer needs to put Vietnamese text on paper the way
Nghị định 30/2020/NĐ-CP and Luật Kế toán want it. Numbers in words go through our own num2words
converter (``k39docs.vietnamese.num2words``); num2words itself is not changed by importing this.
"""

from __future__ import annotations

from .dates import date_words, day_text, format_date_line, month_text, month_year, short_date
from .filters import FILTERS
from .numbers import (
    Num2Word_VI,
    amount_in_words,
    counted,
    format_money,
    num2words,
    number_in_words,
    padded,
    register,
)
from .text import (
    capitalize_first,
    certificate_text,
    decimal_comma,
    document_number,
    language_line,
    language_name,
    nfc,
    nfc_deep,
    position_at,
    repeated_agency,
    upper_vn,
)

__all__ = [
    "nfc",
    "nfc_deep",
    "upper_vn",
    "document_number",
    "capitalize_first",
    "decimal_comma",
    "language_name",
    "certificate_text",
    "language_line",
    "position_at",
    "repeated_agency",
    "padded",
    "counted",
    "day_text",
    "month_text",
    "date_words",
    "format_date_line",
    "short_date",
    "month_year",
    "number_in_words",
    "amount_in_words",
    "format_money",
    "Num2Word_VI",
    "num2words",
    "register",
    "FILTERS",
]
