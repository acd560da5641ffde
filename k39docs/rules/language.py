"""Foreign languages for IV.2.1.b and IV.2.2.b: naming the same language, comparing levels.

Dossiers name languages the Vietnamese way ("Tiếng Anh") and sometimes the English way
("English"); ``same_language`` treats them as one. Levels come as CEFR (``B2``), VSTEP /
Khung năng lực ngoại ngữ 6 bậc (``bậc 4``, which maps to B2), IELTS bands or TOEFL iBT scores.
``compare_levels`` compares within one test when both sides use it, otherwise on the CEFR scale
using the usual published correspondences; anything it cannot read is ``None`` (a person checks).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["same_language", "LanguageLevel", "parse_level", "compare_levels", "CEFR_LEVELS"]

CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")

_LANGUAGE_ALIASES = {
    "english": "anh",
    "french": "pháp",
    "german": "đức",
    "russian": "nga",
    "chinese": "trung",
    "trung quốc": "trung",
    "hoa": "trung",
    "japanese": "nhật",
    "nhật bản": "nhật",
    "korean": "hàn",
    "hàn quốc": "hàn",
    "spanish": "tây ban nha",
    "lao": "lào",
    "khmer": "khmer",
    "campuchia": "khmer",
}


def _language_key(name: str) -> str:
    key = unicodedata.normalize("NFC", name).casefold().strip()
    key = re.sub(r"^(tiếng|ngôn ngữ)\s+", "", key)
    return _LANGUAGE_ALIASES.get(key, key)


def same_language(a: str, b: str) -> bool:
    """``"Tiếng Anh"``, ``"tiếng anh"`` and ``"English"`` are the same language."""
    return _language_key(a) == _language_key(b)


@dataclass(frozen=True)
class LanguageLevel:
    """A level read from text: the CEFR index (0 = A1 … 5 = C2) and, for a test score, the test."""

    cefr: int
    test: str | None = None  # "ielts", "toefl_ibt"
    score: float | None = None

    @property
    def cefr_name(self) -> str:
        return CEFR_LEVELS[self.cefr]


# IELTS band → CEFR and TOEFL iBT → CEFR, lowest score of each level (published correspondences)
_IELTS_TO_CEFR = ((8.5, 5), (7.0, 4), (5.5, 3), (4.0, 2), (3.0, 1), (0.0, 0))
_TOEFL_TO_CEFR = ((114, 5), (95, 4), (72, 3), (42, 2), (0, 1))


def _cefr_from(score: float, table: tuple[tuple[float, int], ...]) -> int:
    return next(level for minimum, level in table if score >= minimum)


def parse_level(*texts: str | None) -> LanguageLevel | None:
    """Read a level from a certificate name and/or a score ("IELTS", "6.5"; "VSTEP bậc 4 (B2)")."""
    text = unicodedata.normalize("NFC", " ".join(t for t in texts if t)).casefold()
    if not text.strip():
        return None
    number = re.search(r"\d+(?:[.,]\d+)?", text)
    score = float(number.group().replace(",", ".")) if number else None
    if "ielts" in text and score is not None and score <= 9:
        return LanguageLevel(_cefr_from(score, _IELTS_TO_CEFR), "ielts", score)
    ibt = "toefl" in text and "itp" not in text and "pbt" not in text
    if ibt and score is not None and score <= 120:
        return LanguageLevel(_cefr_from(score, _TOEFL_TO_CEFR), "toefl_ibt", score)
    cefr = re.search(r"\b([abc])\s*([12])\b", text)
    if cefr:
        return LanguageLevel(CEFR_LEVELS.index(f"{cefr.group(1)}{cefr.group(2)}".upper()))
    vstep = re.search(r"bậc\s*([1-6])\b", text)
    if vstep:
        return LanguageLevel(int(vstep.group(1)) - 1)
    return None


def compare_levels(held: LanguageLevel, required: LanguageLevel) -> bool:
    """Whether ``held`` meets ``required``: on the test's own scale if both are the same test."""
    if held.test is not None and held.test == required.test:
        return (held.score or 0) >= (required.score or 0)
    return held.cefr >= required.cefr
