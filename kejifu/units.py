"""Units and quantities: parse what people type, convert, and format for display.

Every unit has a *kind* and an exact factor to its kind's base unit:

- ``area``    base 平方米 [m²]; 亩 [mu] = 10000/15 m² exactly, 公顷 [ha], 万平方米, 万亩
- ``money``   base 元 [yuan]; 千元, 万元 [10k yuan], 亿元 [100M yuan]
- ``percent`` a share value [%]
- ``points``  a change of a share [百分点, percentage point]; kept apart from
  ``percent`` on purpose: use :func:`points_between` to go from two shares to points
- ``count``   whole things: 个 台 项 家 名 人 次 期 件 种 批 村 户 [1]. All count units
  convert 1:1 to each other (a count is a count); the symbol only says *what* is counted
- ``number``  a plain number with no unit, symbol ``''``

Units are named by a canonical symbol (``'亩'``, ``'万元'``, ``'%'``, ``'台'``);
aliases (``mu``, ``10k yuan``, ``％``, ``terminals``…) resolve to it.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

from babel.numbers import format_decimal

from kejifu.errors import UnitError


class Unit(NamedTuple):
    symbol: str  # canonical symbol, also the Chinese display suffix
    kind: str
    factor: Fraction  # exact factor to the kind's base unit
    en: str  # English display suffix (after a space, except '%'); 万/亿 units keep Chinese


KIND_NAMES = {  # kind -> (zh, en), for messages
    "area": ("面积", "area"),
    "money": ("金额", "money"),
    "percent": ("百分比", "percent"),
    "points": ("百分点", "percentage points"),
    "count": ("计数", "count"),
    "number": ("纯数", "plain number"),
}

# symbol, kind, factor, English name, aliases ('|'-separated, matched case-insensitively)
_MU = Fraction(10000, 15)
_TABLE = [
    ("", "number", 1, "", "number|无"),
    ("平方米", "area", 1, "m²", "m2|m²|㎡|平米|sqm|square metre|square metres|square meter|square meters"),
    ("亩", "area", _MU, "mu", "mu"),
    ("公顷", "area", 10_000, "ha", "ha|hectare|hectares"),
    ("万平方米", "area", 10_000, "万平方米", "10k m2|10k m²|万平米|万㎡"),
    ("万亩", "area", 10_000 * _MU, "万亩", "10k mu"),
    ("元", "money", 1, "yuan", "yuan|cny|rmb|人民币"),
    ("千元", "money", 1_000, "thousand yuan", "k yuan|1k yuan"),
    ("万元", "money", 10_000, "万元", "10k yuan"),
    ("亿元", "money", 100_000_000, "亿元", "100m yuan"),
    ("%", "percent", 1, "%", "％|百分比|percent|pct"),
    ("百分点", "points", 1, "pp", "个百分点|pp|point|points|percentage point|percentage points"),
    ("个", "count", 1, "units", "unit|units|pcs"),
    ("台", "count", 1, "sets", "set|sets|terminal|terminals"),
    ("项", "count", 1, "items", "item|items|project|projects|product|products"),
    ("家", "count", 1, "enterprises", "enterprise|enterprises|institution|institutions"),
    ("名", "count", 1, "persons", "persons"),
    ("人", "count", 1, "people", "people|person"),
    ("次", "count", 1, "times", "time|times|event|events"),
    ("期", "count", 1, "courses", "course|courses|session|sessions"),
    ("件", "count", 1, "pieces", "piece|pieces|patent|patents|application|applications"),
    ("种", "count", 1, "varieties", "variety|varieties"),
    ("批", "count", 1, "batches", "batch|batches"),
    ("村", "count", 1, "villages", "village|villages"),
    ("户", "count", 1, "households", "household|households"),
]

# magnitude ladders for format_auto, smallest first
_LADDERS = [("元", "万元", "亿元"), ("平方米", "万平方米"), ("亩", "万亩")]
_MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_LOCALES = {"zh": "zh_CN", "en": "en"}


def _key(text: str) -> str:
    """Normalise text for matching: NFKC (full-width → ASCII, ㎡ → m2), trimmed, lower-case."""
    text = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    return " ".join(text.split()).lower()


UNITS: dict[str, Unit] = {}
_ALIASES: dict[str, str] = {}
for _sym, _kind, _factor, _en, _aliases in _TABLE:
    UNITS[_sym] = Unit(_sym, _kind, Fraction(_factor), _en)
    for _name in [_sym, _en, *_aliases.split("|")]:
        _ALIASES.setdefault(_key(_name), _sym)


@lru_cache(maxsize=4096)
def _lookup(unit: str | None) -> Unit | None:
    return UNITS.get(_ALIASES.get(_key(unit if unit is not None else ""), "\0"))


def _unit(unit: str | None) -> Unit:
    found = _lookup(unit)
    if found is None:
        raise UnitError(f"未知单位：'{unit}'", f"unknown unit: '{unit}'")
    return found


def canonical(unit: str) -> str:
    """The canonical symbol of ``unit`` (``'mu'`` → ``'亩'``); raises :class:`UnitError` if unknown."""
    return _unit(unit).symbol


def unit_kind(unit: str) -> str:
    """The kind of ``unit``: area, money, percent, points, count or number."""
    return _unit(unit).kind


def is_count(unit: str) -> bool:
    """Whether ``unit`` counts whole things (个, 台, 项 …)."""
    return unit_kind(unit) == "count"


@dataclass(frozen=True)
class Quantity:
    """A value [in ``unit``] with its canonical unit symbol (``''`` for a plain number)."""

    value: float
    unit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "unit", canonical(self.unit))

    @property
    def kind(self) -> str:
        return unit_kind(self.unit)

    def to(self, unit: str) -> float:
        """The value converted to ``unit`` [unit]."""
        return convert(self.value, self.unit, unit)


def parse_quantity(text, default_unit: str | None = None) -> Quantity:
    """Parse a value as people type it: ``3000亩``, ``340万平方米``, ``6.19亿元``, ``1，234``,
    ``３５３``, ``30.14％``, ``1.2万``, ``-5``, ``1.2e3``; numbers pass through.

    A unit written in the text wins over ``default_unit``, which applies to bare numbers.
    ``万``/``亿`` before an unregistered unit (or none) multiply the value: ``1.2万`` = 12000.
    Raises :class:`UnitError` naming the text for empty, non-finite or unreadable values
    and unknown units.
    """
    default = canonical(default_unit) if default_unit is not None else ""
    if isinstance(text, numbers.Real) and not isinstance(text, bool):
        if not math.isfinite(text):
            raise UnitError(f"数值不是有限数：'{text}'", f"value is not a finite number: '{text}'")
        return Quantity(float(text), default)
    if not isinstance(text, str):
        raise UnitError(f"无法识别的数值：'{text}'", f"cannot read a value from '{text}'")
    cleaned = _THOUSANDS.sub("", _key(text))
    if not cleaned:
        raise UnitError(f"数值为空：'{text}'", f"empty value: '{text}'")
    match = _NUMBER.fullmatch(cleaned)
    if match is None:
        raise UnitError(f"无法识别的数值：'{text}'", f"cannot read a value from '{text}'")
    number, rest = match.groups()
    if rest[:1] in tuple("0123456789,."):  # e.g. '1,23': a malformed number, not a unit
        raise UnitError(f"无法识别的数值：'{text}'", f"cannot read a value from '{text}'")
    multiplier = Decimal(1)
    if rest and _lookup(rest) is None and rest[0] in _MULTIPLIERS:
        multiplier, rest = _MULTIPLIERS[rest[0]], rest[1:].strip()
    if rest and _lookup(rest) is None:
        raise UnitError(f"未知单位：'{rest}'（数值 '{text}'）", f"unknown unit '{rest}' in '{text}'")
    try:
        value = float(Decimal(number) * multiplier)
    except (InvalidOperation, OverflowError):
        value = math.inf
    if not math.isfinite(value):
        raise UnitError(f"数值不是有限数：'{text}'", f"value is not a finite number: '{text}'")
    return Quantity(value, canonical(rest) if rest else default)


@functools.lru_cache(maxsize=4096)  # a plan converts tens of thousands of allocations between a few units
def _factor(from_unit: str, to_unit: str) -> Fraction:
    a, b = _unit(from_unit), _unit(to_unit)
    if a.kind != b.kind:
        (ka_zh, ka_en), (kb_zh, kb_en) = KIND_NAMES[a.kind], KIND_NAMES[b.kind]
        raise UnitError(
            f"单位不能换算：'{a.symbol}'（{ka_zh}）不能换算为 '{b.symbol}'（{kb_zh}）",
            f"incompatible units: '{from_unit}' ({ka_en}) cannot be converted to '{to_unit}' ({kb_en})",
        )
    return a.factor / b.factor


def convert(value, from_unit: str, to_unit: str):
    """``value`` [from_unit] expressed in [to_unit]; raises :class:`UnitError` naming both units
    when their kinds differ. Arrays and Series are multiplied elementwise by the factor.
    Never raises for a finite scalar: a result beyond the largest float is ±inf.

    A Python scalar is converted through its shortest decimal form and the exact factor, so
    ``convert(6.19, '亿元', '万元')`` is exactly 61900.0 and 340万平方米 exactly 5100.0 亩.
    """
    factor = _factor(from_unit, to_unit)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        if factor == 1:  # the same unit: nothing to convert (the decimal route would give this float)
            return value
        if math.isfinite(value):
            try:
                return float(Fraction(repr(value)) * factor)
            except OverflowError:  # beyond the largest float: as float arithmetic would say
                return math.copysign(math.inf, value)
        return value * float(factor)
    return value * float(factor)


def to_unit(
    text_or_number,
    unit: str,
    *,
    field: str | None = None,
    file: str | None = None,
    row: int | str | None = None,
) -> float:
    """Parse ``text_or_number`` (bare numbers are taken as [unit]) and return it in [unit].

    Count units require a whole number (within 1e-9); errors carry ``file``/``row``/``field``.
    """
    try:
        quantity = parse_quantity(text_or_number, default_unit=unit)
        value = convert(quantity.value, quantity.unit, unit)
        if is_count(unit):
            whole = round(value)
            if abs(value - whole) > 1e-9:
                raise UnitError(
                    f"数量必须为整数：'{text_or_number}'", f"counts must be whole numbers: '{text_or_number}'"
                )
            value = float(whole)
    except UnitError as err:
        raise UnitError(err.zh, err.en, file=file, row=row, field=field) from err
    return value


def points_between(a, b) -> float:
    """Percentage points [百分点] from share ``a`` [%] to share ``b`` [%] (numbers or ``'30.14%'``)."""
    return float(Fraction(repr(to_unit(b, "%"))) - Fraction(repr(to_unit(a, "%"))))


#: From this magnitude up a value is shown in scientific notation [in its unit] (no county figure
#: comes near it; babel's 28-digit decimal context fails from about 1e26).
SCIENTIFIC_FROM = 1e15


def _scientific(value: float) -> str:
    """``value`` in scientific notation with up to 6 significant digits: ``1.5e+30``."""
    mantissa, exponent = f"{value:.5e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def _decimal(value: float, lang: str, decimals: int | None) -> str:
    """``value`` grouped in thousands with ``decimals`` places (up to 2, trailing zeros cut)."""
    decimals = None if decimals is None else max(0, min(int(decimals), 12))
    pattern = "#,##0.##" if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(Decimal(repr(value)), format=pattern, locale=_LOCALES[lang])
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # -0.001 shown to 2 decimals is 0, not -0
    return text


def format_value(value, unit: str, lang: str = "zh", decimals: int | None = None) -> str:
    """``value`` [unit] for display: ``3,000亩``, ``6.19亿元``, ``33.14%``, ``353台``; English
    puts a space before the unit name (``3,000 mu``) but never before ``%``.

    By default shows up to 2 decimals with trailing zeros stripped (whole counts show none);
    ``decimals`` fixes the number of decimals. Never raises for a finite value: from
    :data:`SCIENTIFIC_FROM` up it is written in scientific notation (``1.5e+30亩``, which
    :func:`parse_quantity` reads back), and a value that rounds to zero shows no minus sign.
    """
    if lang not in _LOCALES:
        raise ValueError(f"未知语言 / unknown language: {lang!r}")
    info = _unit(unit)
    value = float(value)
    if not math.isfinite(value):
        raise UnitError(f"数值不是有限数：'{value}'", f"value is not a finite number: '{value}'")
    text = _scientific(value) if abs(value) >= SCIENTIFIC_FROM else _decimal(value, lang, decimals)
    if info.kind == "number":
        return text
    if lang == "zh":
        suffix = "个百分点" if info.kind == "points" else info.symbol
        return text + suffix
    return text + ("%" if info.kind == "percent" else " " + info.en)


#: English singular of the count units (the plural is :attr:`Unit.en`): ``1 enterprise``.
EN_SINGULAR = {
    "个": "unit",
    "台": "set",
    "项": "item",
    "家": "enterprise",
    "名": "person",
    "人": "person",
    "次": "time",
    "期": "course",
    "件": "piece",
    "种": "variety",
    "批": "batch",
    "村": "village",
    "户": "household",
    "百分点": "point",
}
#: English names of the units counted in 万 and 亿 (their :attr:`Unit.en` keeps the Chinese symbol
#: that :func:`format_value` writes): for axis titles and column heads.
EN_NAMES = {
    "万元": "10,000 yuan",
    "亿元": "100 million yuan",
    "万亩": "10,000 mu",
    "万平方米": "10,000 m²",
    "百分点": "percentage points",
}
#: 万/亿 units -> the unit an English reader counts them in (``6.19亿元`` is 619 million yuan).
_EN_BASE = {"万元": "元", "亿元": "元", "万亩": "亩", "万平方米": "平方米"}
_EN_SCALES = ((1e9, "billion"), (1e6, "million"))


def unit_label(unit: str, lang: str = "zh", count=None) -> str:
    """The name of ``unit`` for a label (an axis title, a column head): the symbol in Chinese
    (``亿元``); in English its name (``100 million yuan``, ``mu``, ``enterprises``), singular when
    ``count`` is 1 (``enterprise``)."""
    info = _unit(unit)
    if lang == "zh":
        return info.symbol
    if count is not None and _is_one(count) and info.symbol in EN_SINGULAR:
        return EN_SINGULAR[info.symbol]
    return EN_NAMES.get(info.symbol, info.en)


def _is_one(value) -> bool:
    try:
        return abs(float(value)) == 1.0
    except (TypeError, ValueError):
        return False


def format_english(value, unit: str, decimals: int | None = None) -> str:
    """``value`` [unit] as an English reader writes it: ``1 enterprise``, ``2 enterprises``,
    ``3,000 mu``, ``33.14%``, ``1.2 points``; a figure counted in 万 or 亿 in its own unit and a
    magnitude word (``6.19亿元`` → ``619 million yuan``, ``6,303万元`` → ``63.03 million yuan``,
    ``1.2万亩`` → ``12,000 mu``), keeping the precision of the Chinese figure (``decimals`` places
    of the 万/亿 unit). No Chinese is left in the text."""
    info = _unit(unit)
    value = float(value)
    base = _EN_BASE.get(info.symbol)
    if base is not None and math.isfinite(value) and abs(value) >= SCIENTIFIC_FROM:
        amount = float(value * float(info.factor / UNITS[base].factor))
        if math.isfinite(amount):
            return f"{_scientific(amount)} {UNITS[base].en}"
        return f"{_scientific(value)} × {EN_NAMES[info.symbol]}"
    if base is None or not math.isfinite(value) or abs(value) >= SCIENTIFIC_FROM:
        text = format_value(value, unit, "en", decimals)
        if info.symbol in EN_SINGULAR and info.kind != "number":
            number_text = text[: -len(info.en)].rstrip()
            name = EN_SINGULAR[info.symbol] if number_text in ("1", "-1") else info.en
            if info.kind == "points":
                name = "point" if number_text in ("1", "-1") else "points"
            return f"{number_text} {name}"
        return text
    amount = convert(value, info.symbol, base)
    shift = round(math.log10(float(info.factor / UNITS[base].factor)))
    places = 2 if decimals is None else decimals
    for size, word in _EN_SCALES:
        if abs(amount) >= size:
            d = max(0, places - shift + round(math.log10(size)))
            text = _decimal(round(amount / size, d) + 0.0, "en", d if decimals is not None else None)
            return f"{text} {word} {UNITS[base].en}"
    d = max(0, places - shift)
    text = _decimal(round(amount, d) + 0.0, "en", d if decimals is not None else None)
    return f"{text} {UNITS[base].en}"


def format_auto(value, base_unit: str, lang: str = "zh", decimals: int | None = None) -> str:
    """``value`` [base_unit] shown in a readable magnitude: money in 元/万元/亿元 (≥1e4 → 万元,
    ≥1e8 → 亿元), area in 平方米/万平方米 or 亩/万亩; other units as :func:`format_value`.
    """
    symbol = canonical(base_unit)
    for ladder in _LADDERS:
        if symbol in ladder:
            size = abs(float(value)) * float(UNITS[symbol].factor)
            best = [step for step in ladder if size >= UNITS[step].factor or step == ladder[0]][-1]
            return format_value(convert(value, symbol, best), best, lang, decimals)
    return format_value(value, symbol, lang, decimals)
