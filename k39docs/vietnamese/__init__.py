"""Vietnamese language helpers for documents: NFC text, capitals and document numbers.

Everything a template or writer needs to put Vietnamese text on paper the way
Nghị định 30/2020/NĐ-CP wants it.
"""

from __future__ import annotations

from .text import document_number, nfc, nfc_deep, upper_vn

__all__ = ["nfc", "nfc_deep", "upper_vn", "document_number"]
