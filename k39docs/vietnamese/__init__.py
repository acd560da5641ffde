"""Vietnamese language helpers for documents: NFC text, capitals, document numbers and dates.

Everything a template or writer needs to put Vietnamese text on paper the way
Nghị định 30/2020/NĐ-CP wants it.
"""

from __future__ import annotations

from .dates import date_words, day_text, format_date_line, month_text, month_year, short_date
from .text import document_number, nfc, nfc_deep, upper_vn

__all__ = [
    "nfc",
    "nfc_deep",
    "upper_vn",
    "document_number",
    "day_text",
    "month_text",
    "date_words",
    "format_date_line",
    "short_date",
    "month_year",
]
