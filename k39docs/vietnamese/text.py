"""Vietnamese text as documents need it: NFC everywhere, diacritic-safe capitals, số ký hiệu.

Text pasted from Word or macOS may be decomposed (NFD); ND30 wants precomposed Unicode
(TCVN 6909:2001), and comparisons only work on one form, so everything is normalised to NFC.
"""

from __future__ import annotations

import unicodedata
from typing import Any

__all__ = ["nfc", "nfc_deep", "upper_vn", "document_number"]


def nfc(s: str) -> str:
    """Return ``s`` in NFC, the precomposed form ND30 documents and comparisons require."""
    if not isinstance(s, str):
        raise TypeError(f"expected str, got {type(s).__name__}")
    return unicodedata.normalize("NFC", s)


def nfc_deep(obj: Any) -> Any:
    """Return a copy of ``obj`` with every string, dict keys included, in NFC.

    Walks dicts, lists, tuples (named tuples keep their type), sets and frozensets; other
    values are returned as they are. Two keys that differ only in normal form would collapse
    into one and lose data, so that raises ``ValueError``.
    """
    if isinstance(obj, str):
        return nfc(obj)
    if isinstance(obj, dict):
        result = {nfc_deep(key): nfc_deep(value) for key, value in obj.items()}
        if len(result) != len(obj):
            raise ValueError("two dict keys differ only in Unicode normal form (NFC/NFD)")
        return result
    if isinstance(obj, list):
        return [nfc_deep(item) for item in obj]
    if isinstance(obj, tuple):
        items = [nfc_deep(item) for item in obj]
        return type(obj)(*items) if hasattr(obj, "_fields") else tuple(items)
    if isinstance(obj, (set, frozenset)):
        return type(obj)(nfc_deep(item) for item in obj)
    return obj


def upper_vn(s: str) -> str:
    """Upper-case Vietnamese keeping every diacritic (``ủy ban`` → ``ỦY BAN``, ``đảng`` → ``ĐẢNG``).

    Normalising before and after makes NFD input come out as the same NFC capitals.
    """
    return nfc(nfc(s).upper())


def document_number(number: int, *codes: str) -> str:
    """Return the số ký hiệu without ``Số:``: ``document_number(5, "TTr", "SNV")`` → ``05/TTr-SNV``.

    ND30 zero-pads numbers below 10 and joins the codes with hyphens: type code then agency
    for most documents, agency then drafting unit for a công văn (``3512/UBND-NC``). Codes keep
    their case, since some are mixed (``TTr``, ``QyĐ``).
    """
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"document number must be an int, got {type(number).__name__}")
    if number < 1:
        raise ValueError(f"document numbers start at 01, got {number}")
    if not codes:
        raise ValueError("a số ký hiệu needs at least one code (e.g. 'TTr', 'SNV')")
    cleaned = [nfc(code).strip() for code in codes]
    if any(not code for code in cleaned):
        raise ValueError(f"empty code in số ký hiệu: {codes!r}")
    return f"{number:02d}/{'-'.join(cleaned)}"
