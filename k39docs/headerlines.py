"""Where a header line may break: units of meaning in agency names, and line choice among them.

ND30 (Phụ lục I, ô 2) wraps a long agency name the way clerks do, between units of meaning:
``ỦY BAN NHÂN DÂN`` / ``TỈNH GIA LAI``, ``UBND`` / ``THÀNH PHỐ HỒ CHÍ MINH``, ``SỞ NÔNG NGHIỆP`` /
``VÀ MÔI TRƯỜNG`` — never ``ỦY BAN NHÂN`` / ``DÂN TỈNH GIA LAI``.

The name is read as words, grouped by longest match into *phrases* of a small lexicon
(:data:`PHRASES`: organ names, administrative-unit prefixes, zones, heads like ``SỞ``, fixed
compounds like ``NỘI VỤ``); words not in it are phrases of one word. Phrases are grouped into
*units*:

* an organ (``ỦY BAN NHÂN DÂN``, ``BAN CHỈ ĐẠO``, ``UBND`` …) is a unit by itself;
* an administrative-unit prefix (``TỈNH``, ``THÀNH PHỐ``, ``XÃ``, also ``TỈNH ỦY`` …) or a zone
  (``KHU KINH TẾ``, ``KHU CÔNG NGHIỆP`` …) opens a unit that runs to the next prefix, zone, organ,
  ``VÀ`` or comma: a place name is never split (``TỈNH BÀ RỊA - VŨNG TÀU``,
  ``KHU KINH TẾ DUNG QUẤT``);
* a head (``SỞ``, ``BAN``, ``CỤC`` …) or ``VÀ`` opens a unit that takes the words after it
  (``SỞ NỘI VỤ``, ``VÀ MÔI TRƯỜNG``);
* other words join the unit before them; a comma ends a unit.

Every gap between two words gets a class (:class:`Gap`); :func:`unit_lines` picks the lines that
break only at unit boundaries if it can, then the fewest lines, then the most even. A unit wider
than the column is broken inside only then (between its phrases first, inside a phrase last).
The same machinery keeps running-text lines (the công văn's V/v) from splitting a reference
(``Kết luận số 39-KL/TW``) or ending a line on a function word.
"""

from __future__ import annotations

import re
from enum import IntEnum
from functools import cache, lru_cache
from itertools import pairwise

from .nd30.fonts import text_width_mm
from .vietnamese import upper_vn

__all__ = [
    "Gap",
    "PHRASES",
    "name_gaps",
    "subject_gaps",
    "name_units",
    "unit_lines",
    "name_lines",
    "subject_lines",
    "bad_breaks",
]


class Gap(IntEnum):
    """How bad a line break at a space is; a layout avoids higher classes first."""

    UNIT = 0  # between units of meaning: where a name should break
    WEAK = 1  # between units, after one of function words only (``VÀ CÁC`` / …)
    INSIDE_UNIT = 2  # between the phrases of one unit (``TỈNH`` / ``GIA LAI``)
    INSIDE_PHRASE = 3  # inside a fixed phrase (``ỦY BAN NHÂN`` / ``DÂN``)


# the lexicon, in capitals; the kind decides how a phrase groups with its neighbours
ORGAN, ZONE, ADMIN, HEAD, CONJ, FUNC, WORD = (
    "organ",
    "zone",
    "admin",
    "head",
    "conj",
    "func",
    "word",
)
PHRASES: dict[str, str] = {
    **dict.fromkeys(
        [
            "ỦY BAN NHÂN DÂN",
            "UỶ BAN NHÂN DÂN",
            "HỘI ĐỒNG NHÂN DÂN",
            "UBND",
            "HĐND",
            "ỦY BAN MẶT TRẬN TỔ QUỐC VIỆT NAM",
            "ỦY BAN KIỂM TRA",
            "ĐOÀN ĐẠI BIỂU QUỐC HỘI",
            "BAN CHỈ ĐẠO",
            "BAN QUẢN LÝ",
            "BAN THƯỜNG VỤ",
            "BAN CHẤP HÀNH",
            "BAN TỔ CHỨC",
            "VĂN PHÒNG",
            "ĐẢNG ỦY",
            "BCĐ",
            "BQL",
        ],
        ORGAN,
    ),
    **dict.fromkeys(
        [
            "KHU KINH TẾ",
            "KHU CÔNG NGHIỆP",
            "KHU CHẾ XUẤT",
            "KHU CÔNG NGHỆ CAO",
            "CỤM CÔNG NGHIỆP",
            "KHU KINH TẾ CỬA KHẨU",
        ],
        ZONE,
    ),
    **dict.fromkeys(
        [
            "TỈNH",
            "THÀNH PHỐ",
            "HUYỆN",
            "QUẬN",
            "THỊ XÃ",
            "XÃ",
            "PHƯỜNG",
            "THỊ TRẤN",
            "ĐẶC KHU",
            "TỈNH ỦY",
            "THÀNH ỦY",
            "HUYỆN ỦY",  # organs, but named by their place: "TỈNH ỦY GIA LAI"
        ],
        ADMIN,
    ),
    **dict.fromkeys(
        [
            "SỞ",
            "BAN",
            "CỤC",
            "CHI CỤC",
            "TỔNG CỤC",
            "TRUNG TÂM",
            "THANH TRA",
            "BỘ",
            "VIỆN",
            "HỌC VIỆN",
        ],
        HEAD,
    ),
    "VÀ": CONJ,
    **dict.fromkeys(
        [
            "CÁC",
            "CỦA",
            "VỀ",
            "THUỘC",
            "TRỰC THUỘC",
            "Ở",
            "THEO",
            "CHO",
            "TẠI",
            "VỚI",
            "SỐ",
            "NHỮNG",
            "TỪ",
            "ĐẾN",
            "TRONG",
            "V/V",
        ],
        FUNC,
    ),
    **dict.fromkeys(
        [
            # fixed compounds, some starting with a word that is a prefix or head elsewhere
            "NỘI VỤ",
            "NGOẠI VỤ",
            "XÃ HỘI",
            "CƠ SỞ",
            "CÁN BỘ",
            "QUỐC PHÒNG",
            "MÔI TRƯỜNG",
            "NÔNG NGHIỆP",
            "TÔN GIÁO",
            "DÂN TỘC",
            "TÀI CHÍNH",
            "XÂY DỰNG",
            "GIÁO DỤC",
            "ĐÀO TẠO",
            "Y TẾ",
            "KHOA HỌC",
            "CÔNG NGHỆ",
            "VĂN HÓA",
            "THỂ THAO",
            "DU LỊCH",
            "CÔNG THƯƠNG",
            "TƯ PHÁP",
            "KẾ HOẠCH",
            "ĐẦU TƯ",
            "GIAO THÔNG VẬN TẢI",
            "TÀI NGUYÊN",
            "LAO ĐỘNG",
            "THƯƠNG BINH",
            "THÔNG TIN",
            "TRUYỀN THÔNG",
            "PHÁT TRIỂN",
            "NÔNG THÔN",
            "KINH TẾ",
            "DỰ ÁN",
            "TRUNG ƯƠNG",
            "THỰC HIỆN",
            "KẾT LUẬN",
            "THÔNG BÁO",
            "QUYẾT ĐỊNH",
            "TỜ TRÌNH",
            "NƯỚC NGOÀI",
            "BỒI DƯỠNG",
            "THAM GIA",
            "TRUNG HẠN",
            "NGẮN HẠN",
            "DÀI HẠN",
            "LÃNH ĐẠO",
            "QUẢN LÝ",
            "HÀNH CHÍNH",
            "CÔNG CHỨC",
            "VIÊN CHỨC",
            "TỔ CHỨC",
            "THỊ TRƯỜNG",
            "KHU VỰC",
        ],
        WORD,
    ),
}
_LONGEST = max(len(p.split()) for p in PHRASES)
_REFERENCE_WORDS = {
    "KẾT LUẬN",
    "THÔNG BÁO",
    "QUYẾT ĐỊNH",
    "KẾ HOẠCH",
    "CÔNG VĂN",
    "NGHỊ ĐỊNH",
    "THÔNG TƯ",
    "CHỈ THỊ",
    "TỜ TRÌNH",
    "NGHỊ QUYẾT",
}


def _phrases(words: list[str]) -> list[tuple[int, int, str]]:
    """Longest-match grouping of ``words`` into (start, end, kind); unknown words are WORD."""
    keys = [upper_vn(w).rstrip(",;:") for w in words]
    out, i = [], 0
    while i < len(words):
        for n in range(min(_LONGEST, len(words) - i), 0, -1):
            # a comma ends a phrase: "VĂN HÓA, THỂ THAO" is two
            if any(words[j].endswith(",") for j in range(i, i + n - 1)):
                continue
            kind = PHRASES.get(" ".join(keys[i : i + n]))
            if kind is not None:
                out.append((i, i + n, kind))
                i += n
                break
        else:
            out.append((i, i + 1, WORD))
            i += 1
    return out


@lru_cache(maxsize=4096)
def name_gaps(text: str) -> tuple[tuple[str, ...], tuple[Gap, ...]]:
    """The words of an agency name and the class of each gap between them (see module doc)."""
    words = text.split()
    phrases = _phrases(words)
    gaps = [Gap.INSIDE_PHRASE] * max(len(words) - 1, 0)
    unit_kind: str | None = None  # kind of the phrase that opened the current unit
    unit_start = 0
    units: list[tuple[int, int]] = []  # (first word, end word) of each unit
    for index, (start, _end, kind) in enumerate(phrases):
        new_unit = index == 0
        if not new_unit:
            prev_end_word = words[start - 1]
            if prev_end_word.endswith((",", ";")) or unit_kind == ORGAN:
                new_unit = True
            elif kind in (ORGAN, ZONE, ADMIN, CONJ):
                new_unit = True
            elif kind == HEAD and unit_kind not in (ADMIN, ZONE):  # "XÃ BAN CÔNG": a place name
                new_unit = True
        if new_unit:
            if index:
                units.append((unit_start, start))
            unit_start, unit_kind = start, kind
        elif start:
            gaps[start - 1] = Gap.INSIDE_UNIT
    if words:
        units.append((unit_start, len(words)))
    kinds = {start: kind for start, _end, kind in phrases}
    for first, end in units[:-1]:
        only_function = all(
            kinds.get(i, WORD) in (CONJ, FUNC) for i in range(first, end) if i in kinds
        )
        gaps[end - 1] = Gap.WEAK if only_function else Gap.UNIT
    return tuple(words), tuple(gaps)


def name_units(text: str) -> list[str]:
    """The units of meaning of an agency name, in order (``["ỦY BAN NHÂN DÂN", "TỈNH GIA LAI"]``)."""
    words, gaps = name_gaps(text)
    units, current = [], []
    for i, word in enumerate(words):
        current.append(word)
        if i == len(gaps) or gaps[i] <= Gap.WEAK:
            units.append(" ".join(current))
            current = []
    return units


@lru_cache(maxsize=1024)
def subject_gaps(text: str) -> tuple[tuple[str, ...], tuple[Gap, ...]]:
    """Gaps of running text (a V/v line): no break inside a fixed compound, after a function word,
    or inside a reference (``Kết luận số 39-KL/TW``); anywhere else is fine. Words are split at
    ordinary spaces only: the no-break spaces of a draft's blank number stay where they are."""
    words = [w for w in re.split(r"[ \t\n]+", text) if w]
    phrases = _phrases(words)
    gaps = [Gap.INSIDE_PHRASE] * max(len(words) - 1, 0)
    keys = [upper_vn(" ".join(words[s:e])) for s, e, _ in phrases]
    for index, (start, _end, _kind) in enumerate(phrases[1:], 1):
        prev_kind, prev_key = phrases[index - 1][2], keys[index - 1]
        if prev_kind in (FUNC, CONJ) or (keys[index] == "SỐ" and prev_key in _REFERENCE_WORDS):
            gaps[start - 1] = Gap.INSIDE_UNIT
        else:
            gaps[start - 1] = Gap.UNIT
    return tuple(words), tuple(gaps)


def unit_lines(
    words: tuple[str, ...],
    gaps: tuple[Gap, ...],
    width_mm: float,
    size_pt: float,
    *,
    bold: bool = False,
) -> list[str]:
    """The lines of ``words`` that fit ``width_mm``, breaking at the best gaps.

    Among the ways to break, the best has the fewest breaks inside a phrase, then inside a unit
    (so a unit is only split when it is wider than the column by itself), then the fewest lines,
    then the fewest weak breaks, then the narrowest widest line (balanced). A single word wider
    than the column gets a line of its own (the table wraps it).
    """
    n = len(words)
    if not n:
        return []

    @cache
    def width(i: int, j: int) -> float:
        return text_width_mm(" ".join(words[i:j]), size_pt, bold=bold)

    # best[j]: the cost of the best lines for words[:j] and where its last line starts; the cost
    # counts phrases split, units split, lines, weak breaks, and the widest line
    best: list[tuple[tuple[int, int, int, int, float], int] | None] = [None] * (n + 1)
    best[0] = ((0, 0, 0, 0, 0.0), 0)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            w = width(i, j)
            if w > width_mm and j - i > 1:
                break  # longer lines only get wider
            before = best[i]
            if before is None:
                continue
            (phrase, unit, lines, weak, widest), _ = before
            if i:
                gap = gaps[i - 1]
                phrase += gap == Gap.INSIDE_PHRASE
                unit += gap == Gap.INSIDE_UNIT
                weak += gap == Gap.WEAK
            cost = (phrase, unit, lines + 1, weak, max(widest, w))
            current = best[j]
            if current is None or cost < current[0]:
                best[j] = (cost, i)
    result: list[str] = []
    j = n
    while j:
        # every best[j] is set: a line of the single word words[j - 1] is always allowed
        last = best[j]
        assert last is not None
        i = last[1]
        result.append(" ".join(words[i:j]))
        j = i
    return result[::-1]


def name_lines(name: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """An agency name in lines of whole units that fit ``width_mm`` (ND30 ô 2)."""
    words, gaps = name_gaps(name)
    return unit_lines(words, gaps, width_mm, size_pt, bold=bold)


def subject_lines(text: str, width_mm: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """Running text (the V/v of a công văn) in lines that fit, not broken inside a phrase."""
    words, gaps = subject_gaps(text)
    return unit_lines(words, gaps, width_mm, size_pt, bold=bold)


def bad_breaks(lines: list[str]) -> list[tuple[str, str]]:
    """The breaks between ``lines`` that fall inside a unit of the name they spell, as
    (end of the line before, start of the line after); empty when each line is whole units."""
    _words, gaps = name_gaps(" ".join(lines))
    found, at = [], 0
    for before, after in pairwise(lines):
        at += len(before.split())
        if 0 < at <= len(gaps) and gaps[at - 1] > Gap.WEAK:
            found.append((before, after))
    return found
