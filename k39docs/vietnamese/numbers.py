"""Numbers and VND amounts in Vietnamese words, as a num2words converter, and money in figures.

Luật Kế toán 2015 wants payment totals written in figures and in words. num2words' own ``vi``
converter gets many numbers wrong (no "không trăm", "lẻ mười", wrong scales above 10^15), so
:class:`Num2Word_VI` is ours, a num2words converter. :func:`num2words` here is num2words'
interface with our converter for ``vi``; num2words itself is left as it is (an application
embedding k39docs keeps the converters it chose), unless it calls :func:`register` to install
ours there too. Conventions: ``vietnamese-numbers.md``.

Two choices beyond that spec:

* Decimals are read the way Vietnamese schools teach it (Toán 5): integer part, ``phẩy``, then the
  fractional digits read as a number, each leading zero spoken as ``không``:
  ``3.14`` → "ba phẩy mười bốn", ``0.05`` → "không phẩy không năm", ``0.308`` → "không phẩy ba
  trăm linh tám". Integral values (``5.0``) are read as integers.
* There is no upper limit: tỷ keeps compounding, the count of tỷ being itself a number,
  so 10^21 is "một nghìn tỷ tỷ" and 10^27 "một tỷ tỷ tỷ".
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import ClassVar, Literal

import num2words as _upstream
from num2words.base import Num2Word_Base

from .text import nfc

__all__ = [
    "Num2Word_VI",
    "num2words",
    "register",
    "number_in_words",
    "amount_in_words",
    "format_money",
    "padded",
    "counted",
    "ZeroTens",
    "Four",
]

ZeroTens = Literal["linh", "lẻ"]
Four = Literal["tư", "bốn"]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_TY = 10**9
_ORDINAL_SPECIAL = {1: "nhất", 4: "tư"}  # thứ nhất, thứ tư; the rest are thứ + cardinal


def _check_options(zero_tens: str, four: str) -> tuple[str, str]:
    zero_tens, four = nfc(zero_tens), nfc(four)
    if zero_tens not in ("linh", "lẻ"):
        raise ValueError(f"zero_tens must be 'linh' or 'lẻ', got {zero_tens!r}")
    if four not in ("tư", "bốn"):
        raise ValueError(f"four must be 'tư' or 'bốn', got {four!r}")
    return zero_tens, four


def _group_words(group: int, full: bool, zero_tens: str, four: str) -> list[str]:
    """Words for one 3-digit group, 1..999; ``full`` reads a zero hundreds as "không trăm"."""
    hundreds, rest = divmod(group, 100)
    tens, unit = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            if words:
                words.append(zero_tens)  # một trăm linh năm
            words.append(_DIGITS[unit])
    elif tens == 1:
        words.append("mười")
        if unit:
            words.append("lăm" if unit == 5 else _DIGITS[unit])  # mười một, mười bốn, mười lăm
    else:
        words += [_DIGITS[tens], "mươi"]
        if unit == 1:
            words.append("mốt")
        elif unit == 4:
            words.append(four)
        elif unit == 5:
            words.append("lăm")
        elif unit:
            words.append(_DIGITS[unit])
    return words


def _below_ty_words(n: int, leading: bool, zero_tens: str, four: str) -> list[str]:
    """Words for 1..999 999 999; after a higher non-zero group every group is read in full."""
    words: list[str] = []
    for value, scale in ((n // 10**6, "triệu"), (n // 1000 % 1000, "nghìn"), (n % 1000, None)):
        if value == 0:
            continue  # an all-zero group is omitted
        words += _group_words(value, not leading, zero_tens, four)
        if scale:
            words.append(scale)
        leading = False
    return words


def _positive_words(n: int, leading: bool, zero_tens: str, four: str) -> list[str]:
    """Words for n ≥ 1; from 10^9 up the count of tỷ is itself read as a number."""
    if n < _TY:
        return _below_ty_words(n, leading, zero_tens, four)
    count, rest = divmod(n, _TY)
    words = _positive_words(count, leading, zero_tens, four) + ["tỷ"]
    if rest:
        words += _below_ty_words(rest, False, zero_tens, four)
    return words


def _integer_words(n: int, zero_tens: str, four: str) -> str:
    if n == 0:
        return _DIGITS[0]
    words = _positive_words(abs(n), True, zero_tens, four)
    return " ".join(["âm", *words] if n < 0 else words)


def _split_decimal(value: int | float | Decimal) -> tuple[bool, int, str]:
    """Return (negative, integer part, fractional digits as written, "" if integral)."""
    if isinstance(value, int):
        return value < 0, abs(value), ""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot read {value!r} in words")
        value = Decimal(repr(value))
    elif not isinstance(value, Decimal):
        raise TypeError(f"expected int, float or Decimal, got {type(value).__name__}: {value!r}")
    if not value.is_finite():
        raise ValueError(f"cannot read {value!r} in words")
    integer, _, fraction = format(abs(value), "f").partition(".")
    if not fraction.strip("0"):
        fraction = ""
    return value < 0, int(integer), fraction


class Num2Word_VI(Num2Word_Base):
    """num2words converter for formal written Vietnamese; replaces ``num2words.lang_VI``.

    Options, passed as keywords through ``num2words(n, lang="vi", ...)`` too:
    ``zero_tens`` ("linh" default, or "lẻ") and ``four`` ("tư" default, or "bốn") for a unit 4
    after tens ≥ 2. Only ``currency="VND"`` is known; VND has no subunit in use.
    """

    CURRENCY_FORMS: ClassVar[dict[str, tuple[str, str]]] = {"VND": ("đồng", "")}

    def setup(self) -> None:
        self.negword = "âm "
        self.pointword = "phẩy"
        self.errmsg_nonnum = "type(%s) not in [int, float, Decimal]"

    def to_cardinal(self, value, zero_tens: ZeroTens = "linh", four: Four = "tư") -> str:
        # the options as checked and NFC-normalised (a caller's decomposed "lẻ" is accepted)
        tens_word, four_word = _check_options(zero_tens, four)
        negative, integer, fraction = _split_decimal(value)
        words = _integer_words(integer, tens_word, four_word)
        if fraction:
            significant = fraction.lstrip("0")
            leading_zeros = [_DIGITS[0]] * (len(fraction) - len(significant))
            words = " ".join(
                [
                    words,
                    self.pointword,
                    *leading_zeros,
                    _integer_words(int(significant), tens_word, four_word),
                ]
            )
        if negative and (integer or fraction):
            words = f"{self.negword}{words}"
        return words

    def to_cardinal_float(self, value, **options) -> str:
        return self.to_cardinal(value, **options)

    def to_ordinal(self, value, zero_tens: ZeroTens = "linh", four: Four = "tư") -> str:
        """``thứ nhất``, ``thứ hai``, ``thứ ba``, ``thứ tư``, ``thứ năm`` … ``thứ hai mươi mốt``."""
        self.verify_ordinal(value)
        value = int(value)
        if value == 0:
            raise ValueError("there is no ordinal for 0 (counting starts at thứ nhất)")
        if value in _ORDINAL_SPECIAL:
            return f"thứ {_ORDINAL_SPECIAL[value]}"
        return f"thứ {self.to_cardinal(value, zero_tens=zero_tens, four=four)}"

    def to_ordinal_num(self, value) -> str:
        self.verify_ordinal(value)
        return f"thứ {int(value)}"

    def pluralize(self, n, forms) -> str:
        return forms  # Vietnamese nouns do not inflect for number

    def to_currency(
        self,
        val,
        currency: str = "VND",
        cents: bool = True,
        separator: str = ",",
        adjective: bool = False,
        zero_tens: ZeroTens = "linh",
        four: Four = "tư",
    ) -> str:
        """``385000000`` → "ba trăm tám mươi lăm triệu đồng"; lower case, as num2words does."""
        if currency not in self.CURRENCY_FORMS:
            raise NotImplementedError(
                f'Currency code "{currency}" not implemented for "{type(self).__name__}"'
            )
        negative, integer, fraction = _split_decimal(val)
        if fraction:
            raise ValueError(f"VND amounts are whole đồng, got {val!r}")
        words = self.to_cardinal(-integer if negative else integer, zero_tens=zero_tens, four=four)
        return f"{words} {self.CURRENCY_FORMS[currency][0]}"


def register() -> None:
    """Install :class:`Num2Word_VI` as num2words' ``vi`` converter, replacing the built-in one,
    for an application that wants ``num2words.num2words(n, lang="vi")`` right everywhere (an
    explicit choice: importing k39docs changes nothing in num2words)."""
    _upstream.CONVERTER_CLASSES["vi"] = Num2Word_VI()


_CONVERTER = Num2Word_VI()


def num2words(number, ordinal: bool = False, lang: str = "vi", to: str = "cardinal", **kwargs):
    """num2words' own call, with our converter for Vietnamese (``vi``, ``vi_VN`` …) and
    num2words' converters for every other language."""
    if not (lang == "vi" or lang.startswith(("vi_", "vi-"))):
        return _upstream.num2words(number, ordinal=ordinal, lang=lang, to=to, **kwargs)
    if isinstance(number, str):
        number = _CONVERTER.str_to_number(number)
    if ordinal:
        to = "ordinal"
    if to not in _upstream.CONVERTES_TYPES:
        raise NotImplementedError(to)
    return getattr(_CONVERTER, f"to_{to}")(number, **kwargs)


def number_in_words(
    n: int | Decimal | float, *, zero_tens: ZeroTens = "linh", four: Four = "tư"
) -> str:
    """Lower-case words for ``n``: 1015 → "một nghìn không trăm mười lăm"."""
    return _CONVERTER.to_cardinal(n, zero_tens=zero_tens, four=four)


def _whole_dong(n: object) -> int:
    if isinstance(n, bool) or n is None:
        raise TypeError(f"expected an amount in đồng, got {n!r}")
    if isinstance(n, int):
        return n
    negative, integer, fraction = _split_decimal(n)  # type: ignore[arg-type]
    if fraction:
        raise ValueError(f"VND amounts are whole đồng, got {n!r}")
    return -integer if negative else integer


def amount_in_words(n: int) -> str:
    """The "Bằng chữ" line: 385000000 → "Ba trăm tám mươi lăm triệu đồng" (capitalised)."""
    words = _CONVERTER.to_currency(_whole_dong(n), currency="VND")
    return words[0].upper() + words[1:]


def format_money(n: int) -> str:
    """An amount in figures, "." between thousands: 385000000 → "385.000.000", -5000 → "-5.000"."""
    amount = _whole_dong(n)
    return f"{amount:,}".replace(",", ".")


def padded(n: int) -> str:
    """A count as clerks write it in running text, zero-padded below 10: ``3`` → ``"03"``
    (the same as ``documents.base.count_phrase``, for modules that cannot import documents)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int count, got {n!r}")
    if n < 0:
        raise ValueError(f"a count cannot be negative: {n}")
    return f"{n:02d}"


def counted(n: int, noun: str) -> str:
    """A count with its noun: ``counted(3, "tháng")`` → ``"03 tháng"``, ``(121, "tháng")`` →
    ``"121 tháng"``."""
    return f"{padded(n)} {nfc(noun)}"
