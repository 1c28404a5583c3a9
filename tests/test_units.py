"""Units and quantities: hand-computed cases from the 2005 沂南县 plan, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejifu.errors import UnitError
from kejifu.units import (
    UNITS,
    Quantity,
    canonical,
    convert,
    format_auto,
    format_value,
    is_count,
    parse_quantity,
    points_between,
    to_unit,
    unit_kind,
)

# --- the registry -------------------------------------------------------------


def test_a_mu_is_ten_thousand_fifteenths_of_a_square_metre():
    assert convert(1, "亩", "平方米") == 10000 / 15
    assert convert(15, "亩", "平方米") == 10000.0


def test_aliases_resolve_to_one_canonical_symbol():
    assert canonical("mu") == "亩"
    assert canonical("MU") == "亩"
    assert canonical("m²") == canonical("㎡") == canonical("m2") == "平方米"
    assert canonical("hectare") == "公顷"
    assert canonical("10k yuan") == "万元"
    assert canonical("yuan") == "元"
    assert canonical("％") == canonical("百分比") == "%"
    assert canonical("percentage point") == canonical("pp") == "百分点"
    assert canonical("terminals") == "台"
    assert canonical("varieties") == "种"
    assert canonical("patent") == "件"


def test_unknown_units_raise_and_name_the_unit():
    with pytest.raises(UnitError) as err:
        canonical("furlong")
    assert "furlong" in err.value.zh and "furlong" in err.value.en


def test_each_unit_has_the_kind_of_what_it_measures():
    assert unit_kind("万亩") == "area"
    assert unit_kind("千元") == "money"
    assert unit_kind("%") == "percent"
    assert unit_kind("百分点") == "points"
    assert unit_kind("户") == "count"
    assert unit_kind("") == "number"


def test_counting_units_are_counts_and_others_are_not():
    for unit in "个台项家名人次期件种批村户":
        assert is_count(unit), unit
    for word in [
        "item",
        "units",
        "enterprises",
        "people",
        "person",
        "courses",
        "event",
        "terminal",
        "projects",
        "variety",
        "patents",
        "product",
        "institutions",
        "application",
    ]:
        assert is_count(word), word
    assert not is_count("亩")
    assert not is_count("%")
    assert not is_count("")


def test_different_count_units_convert_one_to_one_because_a_count_is_a_count():
    assert convert(353, "台", "个") == 353.0
    assert convert(8, "家", "项") == 8.0


def test_a_quantity_keeps_the_canonical_symbol_and_converts():
    q = Quantity(2, "mu")
    assert q.unit == "亩" and q.value == 2.0 and isinstance(q.value, float)
    assert q.kind == "area"
    assert q.to("平方米") == pytest.approx(2 * 10000 / 15)


# --- parsing ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("3000亩", 3000, "亩"),
        ("3000 亩", 3000, "亩"),
        ("3 mu", 3, "亩"),
        ("340万平方米", 340, "万平方米"),
        ("2万亩", 2, "万亩"),
        ("6.19亿元", 6.19, "亿元"),
        ("6303万元", 6303, "万元"),
        ("1,234", 1234, ""),
        ("1，234", 1234, ""),
        ("1,234,567.5", 1234567.5, ""),
        ("３５３", 353, ""),
        ("３５３台", 353, "台"),
        ("33%", 33, "%"),
        ("30.14％", 30.14, "%"),
        ("3个百分点", 3, "百分点"),
        ("-5", -5, ""),
        ("－5", -5, ""),
        ("1.2e3", 1200, ""),
        ("1.2万", 12000, ""),
        ("10万人", 100000, "人"),
        ("3亿平方米", 3e8, "平方米"),
        ("5 terminals", 5, "台"),
    ],
)
def test_values_are_parsed_as_people_type_them(text, value, unit):
    assert parse_quantity(text) == Quantity(value, unit)


def test_three_hundred_forty_wan_square_metres_is_exactly_5100_mu():
    assert to_unit("340万平方米", "亩") == 5100.0
    assert to_unit("340万平方米", "平方米") == 3_400_000.0


def test_a_bare_number_takes_the_default_unit_but_a_written_unit_wins():
    assert parse_quantity("1.5万", default_unit="mu") == Quantity(15000, "亩")
    assert parse_quantity("20", default_unit="种") == Quantity(20, "种")
    assert parse_quantity("2万亩", default_unit="平方米") == Quantity(2, "万亩")


def test_numbers_pass_through_with_the_default_unit():
    assert parse_quantity(3000, "mu") == Quantity(3000.0, "亩")
    assert parse_quantity(np.float64(8.04), "亿元") == Quantity(8.04, "亿元")
    assert parse_quantity(7) == Quantity(7.0, "")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "NaN",
        "nan",
        "inf",
        "1e400",
        "1e308万",
        "abc",
        "1,23",
        float("nan"),
        float("inf"),
        None,
        True,
    ],
)
def test_unreadable_or_non_finite_values_raise_naming_the_text(bad):
    with pytest.raises(UnitError) as err:
        parse_quantity(bad)
    assert f"'{bad}'" in err.value.zh and f"'{bad}'" in err.value.en


def test_an_unknown_unit_raises_naming_both_the_unit_and_the_text():
    with pytest.raises(UnitError) as err:
        parse_quantity("3000 acres")
    for message in (err.value.zh, err.value.en):
        assert "acres" in message and "3000 acres" in message


# --- converting ---------------------------------------------------------------


def test_six_point_one_nine_yi_yuan_is_61900_wan_yuan():
    assert to_unit("6.19亿元", "万元") == 61900.0
    assert convert(6.19, "亿元", "元") == 619_000_000.0


def test_area_cannot_become_money_and_the_error_names_both_units():
    with pytest.raises(UnitError) as err:
        convert(3000, "亩", "万元")
    for message in (err.value.zh, err.value.en):
        assert "亩" in message and "万元" in message


def test_percent_and_percentage_points_are_separate_kinds():
    with pytest.raises(UnitError):
        convert(33, "%", "百分点")


def test_thirty_point_one_four_percent_plus_three_points_is_33_14_not_33():
    assert points_between(30.14, 33.14) == pytest.approx(3.0)
    assert points_between("30.14%", "33%") == pytest.approx(2.86)
    assert points_between(30.14, 33) != pytest.approx(3.0)


def test_convert_works_elementwise_on_arrays_and_series():
    arr = convert(np.array([1.0, 34.0]), "万平方米", "亩")
    np.testing.assert_allclose(arr, [15.0, 510.0])
    series = convert(pd.Series([6.19, 8.04]), "亿元", "万元")
    assert isinstance(series, pd.Series)
    assert series.tolist() == pytest.approx([61900.0, 80400.0])


def test_a_full_width_count_parses_to_353():
    assert to_unit("３５３", "台") == 353.0


def test_a_fractional_count_raises_and_names_the_value_and_location():
    with pytest.raises(UnitError) as err:
        to_unit("2.5", "台", file="dispatch.csv", row=4, field="actual")
    assert "整数" in err.value.zh and "whole" in err.value.en
    assert "2.5" in err.value.zh and "2.5" in err.value.en
    assert (err.value.file, err.value.row, err.value.field) == ("dispatch.csv", 4, "actual")


def test_a_count_within_one_billionth_of_a_whole_number_is_accepted():
    assert to_unit(353.0000000001, "台") == 353.0


def test_to_unit_errors_carry_the_location():
    with pytest.raises(UnitError) as err:
        to_unit("3000亩", "万元", file="plan.yaml", row="targets[1].firm", field="firm")
    assert err.value.row == "targets[1].firm"
    assert "plan.yaml" in str(err.value)


# --- formatting ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, lang, text",
    [
        (6.19, "亿元", "zh", "6.19亿元"),
        (3000, "亩", "zh", "3,000亩"),
        (33.0, "%", "zh", "33%"),
        (33.14, "%", "zh", "33.14%"),
        (353, "台", "zh", "353台"),
        (3, "百分点", "zh", "3个百分点"),
        (1234.5, "", "zh", "1,234.5"),
        (2.666, "万元", "zh", "2.67万元"),
        (3000, "mu", "en", "3,000 mu"),
        (33.14, "%", "en", "33.14%"),
        (6.19, "亿元", "en", "6.19 亿元"),
        (3, "百分点", "en", "3 pp"),
    ],
)
def test_values_are_formatted_in_the_given_unit(value, unit, lang, text):
    assert format_value(value, unit, lang=lang) == text


def test_fixed_decimals_keep_trailing_zeros():
    assert format_value(33, "%", decimals=2) == "33.00%"
    assert format_value(5100.4, "亩", decimals=0) == "5,100亩"


def test_format_auto_picks_a_readable_magnitude():
    assert format_auto(6.19e8, "元") == "6.19亿元"
    assert format_auto(63_030_000, "元") == "6,303万元"
    assert format_auto(900, "元") == "900元"
    assert format_auto(61900, "万元") == "6.19亿元"
    assert format_auto(3_400_000, "平方米") == "340万平方米"
    assert format_auto(5100, "亩") == "5,100亩"
    assert format_auto(353, "台") == "353台"


# --- properties ---------------------------------------------------------------

_values = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(
    value=_values,
    unit=st.sampled_from(["亩", "万元", "%"]),
    lang=st.sampled_from(["zh", "en"]),
)
def test_parsing_a_formatted_value_gives_it_back_to_the_displayed_precision(value, unit, lang):
    back = parse_quantity(format_value(value, unit, lang=lang))
    assert back.unit == unit
    assert abs(back.value - value) <= 0.005 + 1e-9 * abs(value)


@given(count=st.integers(min_value=-(10**12), max_value=10**12), lang=st.sampled_from(["zh", "en"]))
def test_a_formatted_count_parses_back_exactly(count, lang):
    back = parse_quantity(format_value(count, "台", lang=lang))
    assert back == Quantity(count, "台")


_same_kind_pairs = st.sampled_from(sorted(UNITS)).flatmap(
    lambda a: st.tuples(
        st.just(a), st.sampled_from(sorted(u for u in UNITS if UNITS[u].kind == UNITS[a].kind))
    )
)


@given(pair=_same_kind_pairs, value=st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_converting_there_and_back_is_the_identity(pair, value):
    a, b = pair
    back = convert(convert(value, a, b), b, a)
    assert math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-300)
