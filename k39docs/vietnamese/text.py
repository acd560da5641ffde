"""Vietnamese text as documents need it: NFC everywhere, diacritic-safe capitals, số ký hiệu.

Text pasted from Word or macOS may be decomposed (NFD); ND30 wants precomposed Unicode
(TCVN 6909:2001), and comparisons only work on one form, so everything is normalised to NFC.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "symbol_hyphens",
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
]


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


def capitalize_first(s: str) -> str:
    """Upper-case only the first letter (a table cell or a sentence that starts with
    ``tiếng Anh``): ``str.capitalize`` would lower-case the rest, proper names included."""
    s = nfc(s)
    return s[:1].upper() + s[1:]


# a số ký hiệu in running text: "39-KL/TW", "3512/UBND-NC", "05/TTr-SNV", "30/2020/NĐ-CP", or a
# draft's "/UBND-NC" after its blank; printed whole, never broken at its hyphen at a line's end
_SYMBOL = re.compile(r"(?<![\w/-])[\d/][\w/]*(?:-[\w/]+)+")


def symbol_hyphens(text: str) -> list[int]:
    """Where the hyphens inside a số ký hiệu are in ``text`` (a line must not end there)."""
    return [
        m.start() + i
        for m in _SYMBOL.finditer(text)
        if "/" in m.group()
        for i, ch in enumerate(m.group())
        if ch == "-"
    ]


_DECIMAL_RE = re.compile(r"(?<![\d.,])(\d+)\.(\d{1,2})(?![\d.,])")


def decimal_comma(value: str | float | int) -> str:
    """Scores written the Vietnamese way, with a decimal comma: ``"6.5"`` → ``"6,5"``,
    ``"IELTS 7.0"`` → ``"IELTS 7,0"``.

    Dossiers copy scores from English certificates. Only a point followed by one or two digits
    is taken for a decimal point: ``385.000.000`` and ``1.500`` are already Vietnamese thousands
    and stay as they are.
    """
    if isinstance(value, bool):
        raise TypeError("expected a number or text, got bool")
    text = repr(value) if isinstance(value, float) else nfc(str(value))
    return _DECIMAL_RE.sub(r"\1,\2", text)


# languages a dossier may name the English way, and how Vietnamese running text names them
_LANGUAGE_NAMES = {
    "english": "Anh",
    "french": "Pháp",
    "german": "Đức",
    "russian": "Nga",
    "chinese": "Trung Quốc",
    "japanese": "Nhật",
    "korean": "Hàn Quốc",
    "spanish": "Tây Ban Nha",
    "lao": "Lào",
}


def language_name(name: str) -> str:
    """A language as running text names it, ``tiếng`` in lower case: ``"Tiếng Anh"`` →
    ``"tiếng Anh"``, ``"English"`` → ``"tiếng Anh"``, ``"Anh"`` → ``"tiếng Anh"``."""
    text = " ".join(nfc(name).split())
    if not text:
        return text
    lowered = text.casefold()
    if lowered in _LANGUAGE_NAMES:
        return f"tiếng {_LANGUAGE_NAMES[lowered]}"
    if lowered.startswith("tiếng "):
        return "tiếng " + capitalize_first(text[len("tiếng ") :])
    if lowered.startswith("ngôn ngữ "):
        return text[0].lower() + text[1:]
    return f"tiếng {capitalize_first(text)}"


class _Language(Protocol):  # the dossier's ForeignLanguage, or anything shaped like it
    language: str
    certificate: str | None
    score: str | None


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+(?:[.,]\w+)*", nfc(text).casefold())


def certificate_text(fl: _Language) -> str:
    """Certificate and score, each level said once: ``IELTS`` + ``6.5`` → ``"IELTS 6,5"``;
    ``VSTEP bậc 4 (B2)`` + ``B2`` → ``"VSTEP bậc 4 (B2)"`` (the score is already in the name).
    Empty when neither is recorded."""
    certificate = " ".join(nfc(fl.certificate or "").split())
    score = " ".join(nfc(str(fl.score or "")).split())
    if score and certificate:
        held = set(_tokens(decimal_comma(certificate)))
        if set(_tokens(decimal_comma(score))) <= held:
            score = ""
    return decimal_comma(" ".join(t for t in (certificate, score) if t))


def language_line(fl: _Language) -> str:
    """One language as papers print it: ``"tiếng Anh: IELTS 6,5"``, ``"tiếng Anh: VSTEP bậc 4
    (B2)"``, or just ``"tiếng Anh"`` without a certificate. Lower case, for running text; a table
    cell that starts with it uses :func:`capitalize_first`."""
    name = language_name(fl.language)
    held = certificate_text(fl)
    return f"{name}: {held}" if held else name


def _words(text: str) -> list[str]:
    return " ".join(nfc(text).split()).split(" ") if text and text.strip() else []


def _overlap(position: list[str], agency: list[str]) -> int:
    """How many last words of ``position`` are the first words of ``agency``.

    Several words compare case-insensitively ("Phó Trưởng ban Dân tộc" + "Ban Dân tộc …"). One
    word must match exactly: "Giám đốc Sở" + "Sở Tài chính" overlap, but the "ban" of the title
    "Trưởng ban" is not the agency "Ban Quản lý …" ("Trưởng ban Ban Quản lý …" is the official
    form)."""
    for n in range(min(len(position), len(agency)), 0, -1):
        tail, head = position[-n:], agency[:n]
        if n == 1:
            if tail == head:
                return 1
        elif [w.casefold() for w in tail] == [w.casefold() for w in head]:
            return n
    return 0


def _contains_words(text: list[str], part: list[str]) -> bool:
    low, want = [w.casefold() for w in text], [w.casefold() for w in part]
    return any(low[i : i + len(want)] == want for i in range(len(low) - len(want) + 1))


@lru_cache(maxsize=4096)  # each paper of a candidate asks it again (four, with the list)
def position_at(position: str, agency: str) -> str:
    """Position and agency joined without saying the agency twice.

    ``"Phó Giám đốc"`` + ``"Sở Tài chính"`` → ``"Phó Giám đốc Sở Tài chính"``;
    ``"Phó Chủ tịch Ủy ban nhân dân"`` + ``"Ủy ban nhân dân xã Ia Grai"`` → ``"Phó Chủ tịch Ủy ban
    nhân dân xã Ia Grai"``; ``"Phó Giám đốc Sở Tài chính"`` + ``"Sở Tài chính"`` → the position
    as it is. Clerks often type the agency into the position too; the papers must not print
    "Ủy ban nhân dân Ủy ban nhân dân".
    """
    pos, ag = _words(position), _words(agency)
    if not ag:
        return " ".join(pos)
    if not pos:
        return " ".join(ag)
    if _contains_words(pos, ag):
        return " ".join(pos)
    n = _overlap(pos, ag)
    return " ".join(pos + ag[n:])


def repeated_agency(position: str, agency: str) -> bool:
    """Whether ``position`` already names ``agency``, whole or its first words ("Phó Chủ tịch
    Ủy ban nhân dân" at "Ủy ban nhân dân xã Ia Grai"): ``validate`` warns, since the position
    should hold the title only. A lone organ word ("Giám đốc Sở") and "Chánh Văn phòng" are
    titles, which :func:`position_at` joins without a warning."""
    pos, ag = _words(position), _words(agency)
    if not pos or not ag:
        return False
    if _contains_words(pos, ag):
        return True
    n = _overlap(pos, ag)
    # "Chánh Văn phòng", "Chánh Thanh tra": the organ's name is part of the title itself
    return n >= 2 and not (len(pos) > n and pos[-n - 1].casefold() in _TITLE_HEADS)


_TITLE_HEADS = {"chánh"}
