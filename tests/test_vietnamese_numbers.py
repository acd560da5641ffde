"""Numbers and amounts in Vietnamese words (k39docs.vietnamese.numbers), via num2words too.

The expected words were worked out by hand from ``vietnamese-numbers.md``; the property tests
read the words back with a small reader written here, independent of the converter.
"""

import unicodedata
from decimal import Decimal

import num2words as num2words_module
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words.base import Num2Word_Base

from k39docs.vietnamese.numbers import (
    Num2Word_VI,
    amount_in_words,
    format_money,
    num2words,
    number_in_words,
    register,
)

# ---------------------------------------------------------------------------------------------
# Hand-checked table (default options: linh, tư)

CARDINALS = [
    (0, "không"),
    (1, "một"),
    (2, "hai"),
    (3, "ba"),
    (4, "bốn"),
    (5, "năm"),
    (6, "sáu"),
    (7, "bảy"),
    (8, "tám"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (12, "mười hai"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (30, "ba mươi"),
    (31, "ba mươi mốt"),
    (44, "bốn mươi tư"),
    (45, "bốn mươi lăm"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (205, "hai trăm linh năm"),
    (500, "năm trăm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1010, "một nghìn không trăm mười"),
    (1015, "một nghìn không trăm mười lăm"),
    (1100, "một nghìn một trăm"),
    (1234, "một nghìn hai trăm ba mươi tư"),
    (2005, "hai nghìn không trăm linh năm"),
    (2021, "hai nghìn không trăm hai mươi mốt"),
    (2027, "hai nghìn không trăm hai mươi bảy"),
    (10_000, "mười nghìn"),
    (15_000, "mười lăm nghìn"),
    (21_000, "hai mươi mốt nghìn"),
    (100_000, "một trăm nghìn"),
    (100_005, "một trăm nghìn không trăm linh năm"),
    (105_000, "một trăm linh năm nghìn"),
    (1_000_000, "một triệu"),
    (1_000_050, "một triệu không trăm năm mươi"),
    (1_000_500, "một triệu năm trăm"),
    (1_005_000, "một triệu không trăm linh năm nghìn"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"),
    (5_500_000, "năm triệu năm trăm nghìn"),
    (25_000_000, "hai mươi lăm triệu"),
    (385_000_000, "ba trăm tám mươi lăm triệu"),
    (1_000_000_000, "một tỷ"),
    (1_000_000_001, "một tỷ không trăm linh một"),
    (1_000_001_000, "một tỷ không trăm linh một nghìn"),
    (
        1_234_567_891,
        "một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt",
    ),
    (3_000_000_000, "ba tỷ"),
    (10**12, "một nghìn tỷ"),
    (1_500_000_000_000, "một nghìn năm trăm tỷ"),
    (10**15, "một triệu tỷ"),
    (10**15 + 5, "một triệu tỷ không trăm linh năm"),
    (2_000_000_000_005_000, "hai triệu tỷ không trăm linh năm nghìn"),
    (
        10**18 - 1,
        "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ"
        " chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn chín trăm chín mươi chín",
    ),
    (10**18, "một tỷ tỷ"),
    (10**21, "một nghìn tỷ tỷ"),
    (10**27, "một tỷ tỷ tỷ"),
    (-5, "âm năm"),
    (-1015, "âm một nghìn không trăm mười lăm"),
    (-(10**18), "âm một tỷ tỷ"),
]


def test_the_table_is_big_enough():
    assert len(CARDINALS) >= 60
    assert len({n for n, _ in CARDINALS}) == len(CARDINALS)


@pytest.mark.parametrize("n, words", CARDINALS, ids=[str(n) for n, _ in CARDINALS])
def test_cardinal_reads_as_written_by_hand(n, words):
    assert number_in_words(n) == words


@pytest.mark.parametrize("n, words", CARDINALS, ids=[str(n) for n, _ in CARDINALS])
def test_num2words_vi_gives_the_same_words(n, words):
    assert num2words(n, lang="vi") == words
    assert num2words(n, lang="vi", to="cardinal") == words


# ---------------------------------------------------------------------------------------------
# Options


@pytest.mark.parametrize(
    "n, words",
    [
        (105, "một trăm lẻ năm"),
        (101, "một trăm lẻ một"),
        (1_005_000, "một triệu không trăm lẻ năm nghìn"),
        (2021, "hai nghìn không trăm hai mươi mốt"),  # no zero tens, nothing changes
    ],
)
def test_zero_tens_can_be_le(n, words):
    assert number_in_words(n, zero_tens="lẻ") == words
    assert num2words(n, lang="vi", zero_tens="lẻ") == words


@pytest.mark.parametrize(
    "n, words",
    [
        (24, "hai mươi bốn"),
        (1234, "một nghìn hai trăm ba mươi bốn"),
        (94, "chín mươi bốn"),
    ],
)
def test_four_after_tens_can_be_bon(n, words):
    assert number_in_words(n, four="bốn") == words
    assert num2words(n, lang="vi", four="bốn") == words


@pytest.mark.parametrize("four", ["tư", "bốn"])
def test_fourteen_and_four_after_zero_tens_are_always_bon(four):
    assert number_in_words(14, four=four) == "mười bốn"
    assert number_in_words(104, four=four) == "một trăm linh bốn"
    assert number_in_words(4, four=four) == "bốn"


def test_both_options_together():
    assert number_in_words(104_024, zero_tens="lẻ", four="bốn") == (
        "một trăm lẻ bốn nghìn không trăm hai mươi bốn"
    )


def test_options_given_in_nfd_are_understood():
    assert number_in_words(105, zero_tens=unicodedata.normalize("NFD", "lẻ")) == "một trăm lẻ năm"


@pytest.mark.parametrize("options", [{"zero_tens": "le"}, {"zero_tens": "lẻ "}, {"four": "four"}])
def test_unknown_options_are_refused(options):
    with pytest.raises(ValueError):
        number_in_words(24, **options)


# ---------------------------------------------------------------------------------------------
# Decimals


@pytest.mark.parametrize(
    "value, words",
    [
        (2.5, "hai phẩy năm"),
        (3.14, "ba phẩy mười bốn"),
        (0.05, "không phẩy không năm"),
        (Decimal("0.308"), "không phẩy ba trăm linh tám"),
        (Decimal("1.50"), "một phẩy năm mươi"),
        (Decimal("1015.25"), "một nghìn không trăm mười lăm phẩy hai mươi lăm"),
        (-0.5, "âm không phẩy năm"),
        (5.0, "năm"),
        (Decimal("7.000"), "bảy"),
    ],
)
def test_decimals_read_the_fraction_as_a_number_after_phay(value, words):
    assert number_in_words(value) == words
    assert num2words(value, lang="vi") == words


def test_num2words_reads_decimal_strings():
    assert num2words("3.14", lang="vi") == "ba phẩy mười bốn"


@pytest.mark.parametrize("value", [float("inf"), float("nan"), Decimal("NaN")])
def test_non_finite_values_are_refused(value):
    with pytest.raises(ValueError):
        number_in_words(value)


# ---------------------------------------------------------------------------------------------
# Ordinals


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "thứ nhất"),
        (2, "thứ hai"),
        (3, "thứ ba"),
        (4, "thứ tư"),
        (5, "thứ năm"),
        (10, "thứ mười"),
        (11, "thứ mười một"),
        (14, "thứ mười bốn"),
        (15, "thứ mười lăm"),
        (21, "thứ hai mươi mốt"),
        (24, "thứ hai mươi tư"),
        (101, "thứ một trăm linh một"),
    ],
)
def test_ordinals(n, words):
    assert num2words(n, lang="vi", to="ordinal") == words
    assert num2words(n, lang="vi", ordinal=True) == words


def test_ordinal_four_is_thu_tu_whatever_the_four_option():
    assert num2words(4, lang="vi", to="ordinal", four="bốn") == "thứ tư"
    assert num2words(24, lang="vi", to="ordinal", four="bốn") == "thứ hai mươi bốn"


def test_ordinal_num():
    assert num2words(3, lang="vi", to="ordinal_num") == "thứ 3"


@pytest.mark.parametrize("n, error", [(-1, TypeError), (1.5, TypeError), (0, ValueError)])
def test_impossible_ordinals_are_refused(n, error):
    with pytest.raises(error):
        num2words(n, lang="vi", to="ordinal")


# ---------------------------------------------------------------------------------------------
# Currency, amounts in words, money in figures


@pytest.mark.parametrize(
    "n, words",
    [
        (385_000_000, "ba trăm tám mươi lăm triệu đồng"),
        (1015, "một nghìn không trăm mười lăm đồng"),
        (0, "không đồng"),
        (-5000, "âm năm nghìn đồng"),
    ],
)
def test_num2words_currency_is_vnd_in_dong(n, words):
    assert num2words(n, lang="vi", to="currency") == words
    assert num2words(n, lang="vi", to="currency", currency="VND") == words


def test_currency_other_than_vnd_is_not_guessed():
    with pytest.raises(NotImplementedError):
        num2words(5, lang="vi", to="currency", currency="USD")


def test_vnd_has_no_subunit():
    with pytest.raises(ValueError):
        num2words(1.5, lang="vi", to="currency")


@pytest.mark.parametrize(
    "n, words",
    [
        (385_000_000, "Ba trăm tám mươi lăm triệu đồng"),
        (1015, "Một nghìn không trăm mười lăm đồng"),
        (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng"),
        (45_000_000, "Bốn mươi lăm triệu đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (0, "Không đồng"),
        (-5000, "Âm năm nghìn đồng"),
    ],
)
def test_amount_in_words_is_capitalised_and_ends_in_dong(n, words):
    assert amount_in_words(n) == words


@pytest.mark.parametrize("n, error", [(None, TypeError), (1.5, ValueError), ("5", TypeError)])
def test_amount_in_words_refuses_what_is_not_whole_dong(n, error):
    with pytest.raises(error):
        amount_in_words(n)


@pytest.mark.parametrize(
    "n, figures",
    [
        (0, "0"),
        (5, "5"),
        (999, "999"),
        (1000, "1.000"),
        (45_000, "45.000"),
        (385_000_000, "385.000.000"),
        (1_234_567_891, "1.234.567.891"),
        (-5000, "-5.000"),
        (-999, "-999"),
        (Decimal("1000"), "1.000"),
    ],
)
def test_format_money_separates_thousands_with_dots(n, figures):
    assert format_money(n) == figures


@pytest.mark.parametrize("n, error", [(None, TypeError), (1.5, ValueError), (True, TypeError)])
def test_format_money_refuses_what_is_not_whole_dong(n, error):
    with pytest.raises(error):
        format_money(n)


# ---------------------------------------------------------------------------------------------
# Registration in num2words


def test_importing_k39docs_leaves_num2words_as_it_was():
    """An application embedding k39docs keeps num2words' own converters."""
    import subprocess
    import sys

    probe = (
        "import num2words, k39docs, k39docs.vietnamese, k39docs.documents; "
        "from k39docs.vietnamese.numbers import Num2Word_VI; "
        "print(isinstance(num2words.CONVERTER_CLASSES['vi'], Num2Word_VI))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
    assert isinstance(Num2Word_VI(), Num2Word_Base)
    assert num2words(1015, lang="vi") == "một nghìn không trăm mười lăm"
    assert num2words(21, lang="en") == "twenty-one"  # other languages: num2words' own


def test_register_replaces_the_builtin_converter(monkeypatch):
    from num2words.lang_VI import Num2Word_VI as BuiltIn

    monkeypatch.setitem(num2words_module.CONVERTER_CLASSES, "vi", BuiltIn())
    upstream = num2words_module.num2words
    assert upstream(1015, lang="vi") != "một nghìn không trăm mười lăm"  # the bug we fix
    register()  # (monkeypatch puts the built-in back afterwards)
    assert upstream(1015, lang="vi") == "một nghìn không trăm mười lăm"


def test_regional_language_code_falls_back_to_vi():
    assert num2words(21, lang="vi_VN") == "hai mươi mốt"


# ---------------------------------------------------------------------------------------------
# An independent reader: words back to numbers. It knows the conventions, not the converter.

DIGIT = {"không": 0, "một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
         "tám": 8, "chín": 9}  # fmt: skip
AFTER_MUOI = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8,
              "chín": 9}  # fmt: skip
AFTER_MUOI_TENS = {**AFTER_MUOI, "mốt": 1, "tư": 4}
del AFTER_MUOI_TENS["một"]


class NotAReading(ValueError):
    """The words do not follow the conventions."""


def _unit(tokens, allowed):
    if not tokens:
        return 0
    if len(tokens) != 1 or tokens[0] not in allowed:
        raise NotAReading(f"bad unit {tokens}")
    return allowed[tokens[0]]


def _read_group(tokens, leading):
    """1..999; a group after a higher group must state its hundreds, even "không trăm"."""
    value = 0
    has_hundreds = len(tokens) >= 2 and tokens[1] == "trăm"
    if has_hundreds:
        if tokens[0] not in DIGIT or (leading and tokens[0] == "không"):
            raise NotAReading(f"bad hundreds {tokens}")
        value = 100 * DIGIT[tokens[0]]
        tokens = tokens[2:]
    elif not leading:
        raise NotAReading(f"inner group without hundreds {tokens}")
    if not tokens:
        pass
    elif tokens[0] in ("linh", "lẻ"):
        if not has_hundreds or len(tokens) != 2 or DIGIT.get(tokens[1], 0) == 0:
            raise NotAReading(f"bad zero tens {tokens}")
        value += DIGIT[tokens[1]]
    elif tokens[0] == "mười":
        value += 10 + _unit(tokens[1:], AFTER_MUOI)
    elif len(tokens) >= 2 and tokens[1] == "mươi" and DIGIT.get(tokens[0], 0) >= 2:
        value += 10 * DIGIT[tokens[0]] + _unit(tokens[2:], AFTER_MUOI_TENS)
    elif len(tokens) == 1 and not has_hundreds and DIGIT.get(tokens[0], 0) > 0:
        value += DIGIT[tokens[0]]
    else:
        raise NotAReading(f"bad group {tokens}")
    if value == 0:
        raise NotAReading("an all-zero group must be omitted")
    return value


def _read_below_ty(tokens, leading):
    for word, scale in (("triệu", 10**6), ("nghìn", 1000)):
        if word in tokens:
            i = tokens.index(word)
            value = _read_group(tokens[:i], leading) * scale
            rest = tokens[i + 1 :]
            if rest:
                low = _read_below_ty(rest, leading=False)
                if low >= scale:
                    raise NotAReading(f"scales out of order {tokens}")
                value += low
            return value
    return _read_group(tokens, leading)


def _read_positive(tokens, leading=True):
    if not tokens:
        raise NotAReading("missing words")
    if "tỷ" in tokens:
        i = len(tokens) - 1 - tokens[::-1].index("tỷ")
        value = _read_positive(tokens[:i], leading) * 10**9
        if tokens[i + 1 :]:
            value += _read_below_ty(tokens[i + 1 :], leading=False)
        return value
    return _read_below_ty(tokens, leading)


def read_vietnamese(words):
    """Parse words back to an int, or to a Decimal string ("-3.05") when they say "phẩy"."""
    tokens = words.split()
    negative = tokens[:1] == ["âm"]
    if negative:
        tokens = tokens[1:]
    integer_tokens, point, fraction_tokens = _split(tokens, "phẩy")
    integer = 0 if integer_tokens == ["không"] else _read_positive(integer_tokens)
    if not point:
        if negative and integer == 0:
            raise NotAReading("âm không")
        return -integer if negative else integer
    zeros = 0
    while fraction_tokens[:1] == ["không"]:
        zeros += 1
        fraction_tokens = fraction_tokens[1:]
    fraction = "0" * zeros + str(_read_positive(fraction_tokens))
    return f"{'-' if negative else ''}{integer}.{fraction}"


def _split(tokens, word):
    if word not in tokens:
        return tokens, False, []
    i = tokens.index(word)
    return tokens[:i], True, tokens[i + 1 :]


@pytest.mark.parametrize("n, words", CARDINALS, ids=[str(n) for n, _ in CARDINALS])
def test_reader_agrees_with_the_hand_table(n, words):
    assert read_vietnamese(words) == n


@pytest.mark.parametrize(
    "words",
    ["mười năm", "hai mươi một", "mười mốt", "một trăm năm", "một nghìn mười lăm",
     "không trăm năm", "một triệu không trăm nghìn", "một trăm linh mười", "một nghìn hai triệu",
     "hai mươi lăm tỷ tỷ không trăm"],
)  # fmt: skip
def test_reader_rejects_readings_that_break_the_conventions(words):
    with pytest.raises(NotAReading):
        read_vietnamese(words)


OPTIONS = st.fixed_dictionaries(
    {"zero_tens": st.sampled_from(["linh", "lẻ"]), "four": st.sampled_from(["tư", "bốn"])}
)
INTERESTING_GROUPS = st.sampled_from([0, 0, 0, 1, 4, 5, 10, 11, 14, 15, 21, 24, 25, 100, 101,
                                      104, 105, 110, 115, 500, 999])  # fmt: skip


@st.composite
def many_zero_groups(draw):
    """Numbers built from 3-digit groups, mostly zeros and the tricky ones."""
    groups = draw(st.lists(INTERESTING_GROUPS | st.integers(0, 999), min_size=1, max_size=7))
    return int("".join(f"{g:03d}" for g in groups)) % (10**18 + 1)


def check_read_back(n, options):
    words = number_in_words(n, **options)
    assert unicodedata.is_normalized("NFC", words)
    assert read_vietnamese(words) == n, f"{n} was written {words!r}"


@settings(max_examples=400, deadline=None)
@given(n=st.integers(0, 10**18), options=OPTIONS)
def test_every_number_up_to_a_ty_ty_reads_back(n, options):
    check_read_back(n, options)


@settings(max_examples=400, deadline=None)
@given(n=many_zero_groups(), options=OPTIONS)
def test_numbers_with_many_zero_groups_read_back(n, options):
    check_read_back(n, options)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 10**30), options=OPTIONS)
def test_negative_and_very_large_numbers_read_back(n, options):
    check_read_back(n, options)
    check_read_back(-n, options)


@settings(max_examples=150, deadline=None)
@given(
    integer=st.integers(0, 10**7) | many_zero_groups(),
    fraction=st.text("0123456789", min_size=1, max_size=8).filter(lambda f: f.strip("0")),
    negative=st.booleans(),
)
def test_decimals_read_back_digit_for_digit(integer, fraction, negative):
    written = f"{'-' if negative else ''}{integer}.{fraction}"
    assert read_vietnamese(number_in_words(Decimal(written))) == written


# ---------------------------------------------------------------------------------------------
# Jinja filters for numbers (k39docs.vietnamese.filters)


def render(source, **context):
    import jinja2

    from k39docs.vietnamese.filters import FILTERS

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env.from_string(source).render(**context)


def test_number_filters_render_in_a_template():
    total = 385_000_000
    assert render("{{ t|money }} đồng (Bằng chữ: {{ t|amount_words }})", t=total) == (
        "385.000.000 đồng (Bằng chữ: Ba trăm tám mươi lăm triệu đồng)"
    )
    assert render("{{ n|number_words }}", n=1015) == "một nghìn không trăm mười lăm"
    assert render('{{ n|number_words(zero_tens="lẻ") }}', n=105) == "một trăm lẻ năm"


@pytest.mark.parametrize("name", ["money", "amount_words", "number_words"])
def test_number_filters_refuse_none_with_a_clear_message(name):
    with pytest.raises(TypeError, match="received None"):
        render("{{ v|" + name + " }}", v=None)
