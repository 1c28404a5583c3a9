"""Issue 12, numbers at the edges: ``units.format_value`` and ``units.convert`` never raise for a
finite float — from subnormals through 1e-12 … 1e15 to 1e308 — and what they print reads back."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kejifu import display, units
from kejifu.units import UNITS, convert, format_auto, format_value, parse_quantity

ALL_UNITS = sorted(UNITS)
LANGS = st.sampled_from(["zh", "en"])

finite = st.floats(allow_nan=False, allow_infinity=False)
edges = st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, sys.float_info.min, 1e-12, 1e-6, 0.005, 1e12, 1e15 - 1, 1e15, 1e26, 1e30]
    + [sys.float_info.max, -sys.float_info.max, 1e308]
)
magnitudes = st.one_of(
    edges,
    finite,
    st.floats(min_value=1e-12, max_value=1e15),
    st.floats(min_value=-1e15, max_value=-1e-12),
    st.floats(min_value=-1e-300, max_value=1e-300, allow_subnormal=True),
)


@pytest.mark.parametrize(
    "value, unit, lang, text",
    [
        (1e30, "亩", "zh", "1e+30亩"),
        (-1.5e26, "万元", "en", "-1.5e+26 万元"),
        (1e308, "%", "zh", "1e+308%"),
        (1e15, "台", "zh", "1e+15台"),
        (123456789012345.6, "元", "zh", "123,456,789,012,345.6元"),
        (1.234567e20, "", "zh", "1.23457e+20"),
        (-0.001, "亩", "zh", "0亩"),
        (5e-324, "亩", "en", "0 mu"),
    ],
)
def test_huge_values_fall_back_to_scientific_notation_and_tiny_ones_round_to_zero(value, unit, lang, text):
    assert format_value(value, unit, lang=lang) == text


def test_a_report_value_of_1e30_displays_instead_of_raising_invalid_operation():
    # the value that made `kejifu status` die with decimal.InvalidOperation
    assert format_value(1e30, "万元", decimals=2) == "1e+30万元"
    assert display.number(1e30, "万元") == "1e+30万元"
    assert format_auto(1e30, "元") == "1e+22亿元"


def test_a_conversion_beyond_the_largest_float_is_infinite_not_an_overflow_error():
    assert convert(1e308, "亿元", "元") == math.inf
    assert convert(-1e308, "万亩", "平方米") == -math.inf
    assert convert(1e308, "元", "亿元") == 1e300
    assert convert(5e-324, "元", "亿元") == 0.0


@given(value=magnitudes, unit=st.sampled_from(ALL_UNITS), lang=LANGS, decimals=st.sampled_from([None, 0, 2]))
def test_format_value_never_raises_for_a_finite_float(value, unit, lang, decimals):
    text = format_value(value, unit, lang=lang, decimals=decimals)
    assert text and "nan" not in text.lower() and "inf" not in text.lower()


@given(value=magnitudes, unit=st.sampled_from(ALL_UNITS), lang=LANGS)
def test_what_format_value_prints_reads_back_within_its_precision(value, unit, lang):
    back = parse_quantity(format_value(value, unit, lang=lang))
    assert back.unit == units.canonical(unit)
    if abs(value) >= units.SCIENTIFIC_FROM:
        assert math.isclose(back.value, value, rel_tol=1e-5)
    else:
        assert abs(back.value - value) <= 0.005 + 1e-9 * abs(value)


@given(value=magnitudes, unit=st.sampled_from(ALL_UNITS), lang=LANGS)
def test_format_auto_never_raises_for_a_finite_float(value, unit, lang):
    assert format_auto(value, unit, lang=lang)


same_kind = st.sampled_from(ALL_UNITS).flatmap(
    lambda a: st.tuples(st.just(a), st.sampled_from([u for u in ALL_UNITS if UNITS[u].kind == UNITS[a].kind]))
)


@given(pair=same_kind, value=magnitudes)
def test_convert_never_raises_for_a_finite_float_and_keeps_the_sign(pair, value):
    a, b = pair
    out = convert(value, a, b)
    assert not math.isnan(out)
    if out != 0:
        assert math.copysign(1, out) == math.copysign(1, value)


@given(pair=same_kind, value=st.floats(min_value=1e-12, max_value=1e15))
def test_converting_there_and_back_is_the_identity_at_the_edges(pair, value):
    a, b = pair
    assert math.isclose(convert(convert(value, a, b), b, a), value, rel_tol=1e-9)
