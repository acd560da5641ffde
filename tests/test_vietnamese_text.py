"""NFC normalisation, Vietnamese capitals and số ký hiệu (k39docs.vietnamese.text)."""

import unicodedata
from collections import namedtuple

import pytest

from k39docs.vietnamese.text import document_number, nfc, nfc_deep, upper_vn


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def is_nfc(s: str) -> bool:
    return unicodedata.is_normalized("NFC", s)


def test_nfc_recomposes_text_pasted_from_word_or_macos():
    decomposed = nfd("Quảng Ngãi")
    assert decomposed != "Quảng Ngãi"
    assert nfc(decomposed) == "Quảng Ngãi"
    assert is_nfc(nfc(decomposed))


def test_nfc_rejects_non_strings():
    with pytest.raises(TypeError):
        nfc(None)


def test_nfc_deep_normalises_values_and_keys_in_nested_containers():
    Person = namedtuple("Person", "name unit")
    data = {
        nfd("họ_tên"): [nfd("Nguyễn Văn Ấn"), (nfd("Sở Nội vụ"), 3)],
        "cán_bộ": Person(nfd("Trần Thị Ễ"), nfd("Phòng Tổ chức")),
        "năm": 2027,
        "tags": {nfd("bồi dưỡng")},
    }
    result = nfc_deep(data)
    assert result == {
        "họ_tên": ["Nguyễn Văn Ấn", ("Sở Nội vụ", 3)],
        "cán_bộ": Person("Trần Thị Ễ", "Phòng Tổ chức"),
        "năm": 2027,
        "tags": {"bồi dưỡng"},
    }
    assert all(is_nfc(key) for key in result)
    assert isinstance(result["cán_bộ"], Person)
    assert isinstance(result["họ_tên"][1], tuple)


def test_nfc_deep_returns_a_new_object_and_leaves_the_input_alone():
    original = {"a": [nfd("ế")]}
    result = nfc_deep(original)
    assert result is not original and result["a"] is not original["a"]
    assert original["a"][0] == nfd("ế")


def test_nfc_deep_refuses_keys_that_collapse_into_one():
    with pytest.raises(ValueError):
        nfc_deep({"Ế": 1, nfd("Ế"): 2})


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ủy ban nhân dân tỉnh Quảng Ngãi", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"),
        ("đảng cộng sản việt nam", "ĐẢNG CỘNG SẢN VIỆT NAM"),
        ("Cộng hòa xã hội chủ nghĩa Việt Nam", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("sở nội vụ", "SỞ NỘI VỤ"),
        ("tờ trình", "TỜ TRÌNH"),
        ("ưu đãi", "ƯU ĐÃI"),
    ],
)
def test_upper_vn_keeps_every_diacritic(text, expected):
    assert upper_vn(text) == expected


def test_upper_vn_turns_nfd_input_into_nfc_capitals():
    result = upper_vn(nfd("Ủy ban nhân dân tỉnh Quảng Ngãi"))
    assert result == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"
    assert is_nfc(result)


@pytest.mark.parametrize(
    "number, codes, expected",
    [
        (5, ("TTr", "SNV"), "05/TTr-SNV"),
        (1, ("QĐ", "UBND"), "01/QĐ-UBND"),
        (9, ("BC", "SNV"), "09/BC-SNV"),
        (10, ("KH", "UBND"), "10/KH-UBND"),
        (412, ("TTr", "SNV"), "412/TTr-SNV"),
        (3512, ("UBND", "NC"), "3512/UBND-NC"),
        (7, ("QyĐ", "UBND"), "07/QyĐ-UBND"),
    ],
)
def test_document_number_zero_pads_below_ten_and_joins_codes(number, codes, expected):
    assert document_number(number, *codes) == expected


def test_document_number_normalises_codes_to_nfc():
    assert document_number(15, nfd("QĐ"), "UBND") == "15/QĐ-UBND"
    assert is_nfc(document_number(15, nfd("QĐ"), "UBND"))


@pytest.mark.parametrize("number", [0, -3])
def test_document_number_rejects_numbers_below_one(number):
    with pytest.raises(ValueError):
        document_number(number, "TTr", "SNV")


def test_document_number_needs_a_code():
    with pytest.raises(ValueError):
        document_number(5)
    with pytest.raises(ValueError):
        document_number(5, "TTr", " ")


@pytest.mark.parametrize("number", [None, "5", 5.0])
def test_document_number_rejects_non_integers(number):
    with pytest.raises(TypeError):
        document_number(number, "TTr", "SNV")


# Jinja filters for text (k39docs.vietnamese.filters)


def render(source, **context):
    import jinja2

    from k39docs.vietnamese.filters import FILTERS

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env.from_string(source).render(**context)


def test_text_filters_render_in_a_template():
    assert render("{{ s|upper_vn }}", s=nfd("Ủy ban nhân dân")) == "ỦY BAN NHÂN DÂN"
    assert render('Số: {{ n|doc_number("TTr", "SNV") }}', n=5) == "Số: 05/TTr-SNV"
    assert render('Số: {{ n|doc_number("UBND", "NC") }}', n=3512) == "Số: 3512/UBND-NC"


@pytest.mark.parametrize("name", ["upper_vn", 'doc_number("TTr", "SNV")'])
def test_text_filters_refuse_none_with_a_clear_message(name):
    with pytest.raises(TypeError, match="received None"):
        render("{{ v|" + name + " }}", v=None)


def test_filters_cover_what_template_authors_were_promised():
    from k39docs.vietnamese.filters import FILTERS

    assert set(FILTERS) == {
        "date_words", "short_date", "month_year", "date_line", "money", "amount_words",
        "number_words", "upper_vn", "doc_number",
    }  # fmt: skip
