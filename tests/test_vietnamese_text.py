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
        "number_words", "upper_vn", "doc_number", "decimal_comma", "padded",
    }  # fmt: skip
    assert render("IELTS {{ s|decimal_comma }}, {{ n|padded }} tháng", s="6.5", n=3) == (
        "IELTS 6,5, 03 tháng"
    )


# --- running-text helpers shared by the rules and the documents -----------------------------------

from types import SimpleNamespace  # noqa: E402

from k39docs.vietnamese import (  # noqa: E402
    capitalize_first,
    certificate_text,
    counted,
    decimal_comma,
    language_line,
    language_name,
    padded,
    position_at,
    repeated_agency,
)


@pytest.mark.parametrize(
    "position, agency, joined, repeated",
    [
        (
            "Phó Chủ tịch Ủy ban nhân dân",
            "Ủy ban nhân dân xã Ia Grai",
            "Phó Chủ tịch Ủy ban nhân dân xã Ia Grai",
            True,
        ),
        (
            "Phó Trưởng ban Dân tộc",
            "Ban Dân tộc tỉnh Gia Lai",
            "Phó Trưởng ban Dân tộc tỉnh Gia Lai",
            True,
        ),
        ("Phó Giám đốc", "Sở Tài chính", "Phó Giám đốc Sở Tài chính", False),
        ("Phó Giám đốc Sở Tài chính", "Sở Tài chính", "Phó Giám đốc Sở Tài chính", True),
        ("Giám đốc Sở", "Sở Tài chính", "Giám đốc Sở Tài chính", False),
        # the title "Trưởng ban" is not the agency "Ban …": the official form keeps both
        ("Trưởng ban", "Ban Quản lý Khu kinh tế", "Trưởng ban Ban Quản lý Khu kinh tế", False),
        (
            "Phó Chánh Văn phòng",
            "Văn phòng Đoàn đại biểu Quốc hội",
            "Phó Chánh Văn phòng Đoàn đại biểu Quốc hội",
            False,
        ),
        ("  Phó  Giám đốc ", "Sở  Tài chính", "Phó Giám đốc Sở Tài chính", False),
    ],
)
def test_position_at_never_repeats_the_agency(position, agency, joined, repeated):
    assert position_at(position, agency) == joined
    assert repeated_agency(position, agency) is repeated


def test_position_at_works_on_decomposed_text():
    assert position_at(nfd("Phó Chủ tịch Ủy ban nhân dân"), "Ủy ban nhân dân xã Ia Grai") == (
        "Phó Chủ tịch Ủy ban nhân dân xã Ia Grai"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("6.5", "6,5"),
        (6.5, "6,5"),
        ("IELTS 7.0", "IELTS 7,0"),
        ("88", "88"),
        ("385.000.000", "385.000.000"),
        ("1.500", "1.500"),
        ("6,5", "6,5"),
    ],
)
def test_decimal_comma(value, expected):
    assert decimal_comma(value) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Tiếng Anh", "tiếng Anh"),
        ("tiếng Anh", "tiếng Anh"),
        ("English", "tiếng Anh"),
        ("Anh", "tiếng Anh"),
        ("TIẾNG Pháp", "tiếng Pháp"),
    ],
)
def test_language_name_is_lower_case_in_running_text(name, expected):
    assert language_name(name) == expected


@pytest.mark.parametrize(
    "certificate, score, line",
    [
        ("VSTEP bậc 4 (B2)", "B2", "tiếng Anh: VSTEP bậc 4 (B2)"),
        ("IELTS", "6.5", "tiếng Anh: IELTS 6,5"),
        ("IELTS 6.5", "6.5", "tiếng Anh: IELTS 6,5"),
        ("TOEFL iBT", "88", "tiếng Anh: TOEFL iBT 88"),
        (None, "B2", "tiếng Anh: B2"),
        (None, None, "tiếng Anh"),
    ],
)
def test_language_line_says_certificate_and_level_once(certificate, score, line):
    fl = SimpleNamespace(language="Tiếng Anh", certificate=certificate, score=score)
    assert language_line(fl) == line
    assert certificate_text(fl) == line.partition(": ")[2]


def test_capitalize_first_keeps_proper_names():
    assert capitalize_first("tiếng Anh: IELTS 6,5") == "Tiếng Anh: IELTS 6,5"
    assert capitalize_first("ủy ban nhân dân tỉnh Gia Lai") == "Ủy ban nhân dân tỉnh Gia Lai"


def test_counts_are_padded_like_the_documents():
    from k39docs.documents.base import count_phrase

    assert counted(3, "tháng") == "03 tháng" and counted(121, "tháng") == "121 tháng"
    assert [padded(n) for n in (0, 2, 10)] == [count_phrase(n) for n in (0, 2, 10)]
    with pytest.raises(TypeError):
        padded(True)
