"""ND30 dates (k39docs.vietnamese.dates): only days 1–9 and months 1–2 get a leading zero."""

import unicodedata
from datetime import date, datetime

import pytest

from k39docs.vietnamese.dates import (
    date_words,
    day_text,
    format_date_line,
    month_text,
    month_year,
    short_date,
)


@pytest.mark.parametrize("day", range(1, 10))
def test_days_one_to_nine_are_zero_padded(day):
    assert day_text(date(2027, 3, day)) == f"0{day}"


@pytest.mark.parametrize("day", range(10, 32))
def test_days_from_ten_are_not_padded(day):
    assert day_text(date(2027, 3, day)) == str(day)


@pytest.mark.parametrize("month, expected", [(1, "01"), (2, "02")])
def test_month_one_and_two_are_zero_padded(month, expected):
    assert month_text(date(2027, month, 15)) == expected


@pytest.mark.parametrize("month", range(3, 13))
def test_months_three_to_twelve_are_not_padded(month):
    assert month_text(date(2027, month, 15)) == str(month)


def test_day_and_month_text_accept_plain_numbers():
    assert day_text(5) == "05"
    assert day_text(29) == "29"
    assert month_text(2) == "02"
    assert month_text(9) == "9"


@pytest.mark.parametrize("func, value", [(day_text, 0), (day_text, 32), (month_text, 13)])
def test_day_and_month_text_reject_impossible_numbers(func, value):
    with pytest.raises(ValueError):
        func(value)


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2027, 6, 29), "ngày 29 tháng 6 năm 2027"),
        (date(2026, 12, 10), "ngày 10 tháng 12 năm 2026"),
        (date(2027, 1, 5), "ngày 05 tháng 01 năm 2027"),
        (date(2027, 2, 5), "ngày 05 tháng 02 năm 2027"),
        (date(2027, 2, 28), "ngày 28 tháng 02 năm 2027"),
        (date(2027, 3, 1), "ngày 01 tháng 3 năm 2027"),
        (date(2027, 10, 9), "ngày 09 tháng 10 năm 2027"),
        (date(2027, 11, 11), "ngày 11 tháng 11 năm 2027"),
    ],
)
def test_date_words_follow_nd30_padding(d, expected):
    assert date_words(d) == expected


def test_datetimes_are_accepted_like_dates():
    assert date_words(datetime(2027, 2, 5, 9, 15)) == "ngày 05 tháng 02 năm 2027"
    assert short_date(datetime(2027, 2, 5, 23, 59)) == "05/02/2027"


def test_date_line_capitalises_the_place_and_puts_a_comma_after_it():
    line = format_date_line("Quảng Ngãi", date(2027, 2, 5))
    assert line == "Quảng Ngãi, ngày 05 tháng 02 năm 2027"
    line = format_date_line("quảng Ngãi", date(2026, 12, 10))
    assert line == "Quảng Ngãi, ngày 10 tháng 12 năm 2026"
    assert format_date_line("đà Nẵng", date(2027, 6, 29)) == "Đà Nẵng, ngày 29 tháng 6 năm 2027"


def test_date_line_keeps_the_rest_of_the_place_as_given():
    line = format_date_line("thành phố Hồ Chí Minh", date(2027, 3, 1))
    assert line == "Thành phố Hồ Chí Minh, ngày 01 tháng 3 năm 2027"


def test_date_line_turns_nfd_place_into_nfc():
    place = unicodedata.normalize("NFD", "Quảng Ngãi")
    line = format_date_line(place, date(2027, 2, 5))
    assert line == "Quảng Ngãi, ngày 05 tháng 02 năm 2027"
    assert unicodedata.is_normalized("NFC", line)


def test_date_line_capitalises_an_nfd_first_letter():
    place = unicodedata.normalize("NFD", "đắk Lắk")
    assert format_date_line(place, date(2027, 4, 30)) == "Đắk Lắk, ngày 30 tháng 4 năm 2027"
    place = unicodedata.normalize("NFD", "ấp Bắc")
    assert format_date_line(place, date(2027, 4, 30)).startswith("Ấp Bắc, ")


def test_date_line_needs_a_place():
    with pytest.raises(ValueError):
        format_date_line("  ", date(2027, 2, 5))


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2027, 2, 5), "05/02/2027"),
        (date(2027, 6, 29), "29/06/2027"),
        (date(2026, 12, 10), "10/12/2026"),
        (date(2027, 10, 1), "01/10/2027"),
    ],
)
def test_short_date_always_uses_two_digit_day_and_month(d, expected):
    assert short_date(d) == expected


@pytest.mark.parametrize(
    "d, expected",
    [
        (date(2027, 3, 15), "tháng 3 năm 2027"),
        (date(2027, 1, 31), "tháng 01 năm 2027"),
        (date(2027, 2, 1), "tháng 02 năm 2027"),
        (date(2026, 12, 10), "tháng 12 năm 2026"),
    ],
)
def test_month_year_pads_only_january_and_february(d, expected):
    assert month_year(d) == expected


@pytest.mark.parametrize("func", [date_words, short_date, month_year])
@pytest.mark.parametrize("value", [None, "2027-02-05"])
def test_non_dates_are_refused_rather_than_printed(func, value):
    with pytest.raises(TypeError):
        func(value)


def test_date_line_refuses_a_missing_date():
    with pytest.raises(TypeError):
        format_date_line("Quảng Ngãi", None)


# Jinja filters for dates (k39docs.vietnamese.filters)


def render(source, **context):
    import jinja2

    from k39docs.vietnamese.filters import FILTERS

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    return env.from_string(source).render(**context)


def test_date_filters_render_in_a_template():
    d = date(2027, 2, 5)
    assert render("{{ d|date_words }}", d=d) == "ngày 05 tháng 02 năm 2027"
    assert render("{{ d|short_date }}", d=d) == "05/02/2027"
    assert render("{{ d|month_year }}", d=date(2027, 3, 1)) == "tháng 3 năm 2027"
    assert render("{{ d|date_line(place) }}", d=d, place="Quảng Ngãi") == (
        "Quảng Ngãi, ngày 05 tháng 02 năm 2027"
    )


@pytest.mark.parametrize("name", ["date_words", "short_date", "month_year", "date_line('Huế')"])
def test_date_filters_refuse_a_none_date_with_a_clear_message(name):
    with pytest.raises(TypeError, match="received None"):
        render("{{ d|" + name + " }}", d=None)


def test_date_line_filter_refuses_a_none_place():
    with pytest.raises(TypeError, match="place"):
        render("{{ d|date_line(place) }}", d=date(2027, 2, 5), place=None)
