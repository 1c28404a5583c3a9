"""Display: the one formatter for every figure a person reads (cards, tables, charts, documents,
the CLI). One missing marker (``—``), no exception for any finite or missing value, and no
rounding that crosses a status line.

- :func:`number` — a value with its unit (``3,000亩``, ``6.19亿元``); in English singular or plural
  and no Chinese (``1 enterprise``, ``619 million yuan``, :func:`kejifu.units.format_english`);
  missing → ``—``;
- :func:`pct` — a share [1 = 100 %] as per cent, truncated toward zero so that 99.96 % never
  reads ``100.0%`` (a figure shown never claims more than was reached);
- :func:`points` — a difference in percentage points (``1.2个百分点`` / ``1.2 points``);
- :func:`is_number` — finite and not missing.
"""

from __future__ import annotations

import math
from functools import lru_cache

from . import units
from .i18n import t

MISSING = "—"


def is_number(value) -> bool:
    """True for a finite int or float (not None, NaN, ±inf, text or bool)."""
    if value is None or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=8192)
def _number(value: float, unit: str, lang: str, decimals: int | None) -> str:
    try:
        if lang == "en":
            return units.format_english(value, unit, decimals)
        return units.format_value(value, unit, lang, decimals)
    except Exception:  # noqa: BLE001 - an unknown unit or a huge value must still display
        sign = "-" if value < 0 else ""
        body = f"{abs(value):.3g}" if abs(value) >= 1e15 or 0 < abs(value) < 1e-6 else f"{abs(value):,.2f}"
        return f"{sign}{body}{'' if not unit else (unit if lang == 'zh' else ' ' + unit)}"


def number(value, unit: str = "", lang: str = "zh", decimals: int | None = None) -> str:
    """``value`` [unit] as text (``3,000亩``); ``—`` when missing or not finite."""
    if not is_number(value):
        return MISSING
    return _number(round(float(value), 6) + 0.0, unit or "", lang, decimals)


def truncate(x: float, decimals: int) -> float:
    """``x`` cut (toward zero) to ``decimals`` places: 99.96 → 99.9 at one decimal."""
    f = 10.0**decimals
    return math.trunc(round(x * f, 6)) / f


def pct(share, lang: str = "zh", decimals: int = 1) -> str:
    """A share [1 = 100 %] as per cent, cut toward zero (``99.9%`` for 0.9996); ``—`` when missing."""
    if not is_number(share):
        return MISSING
    return number(truncate(float(share) * 100.0, decimals), "%", lang, decimals)


def points(pp, lang: str = "zh", decimals: int = 1) -> str:
    """A difference [percentage points] (``1.2个百分点`` / ``1.2 points``); whole numbers without ``.0``."""
    if not is_number(pp):
        return MISSING
    v = round(float(pp), decimals) + 0.0
    return number(v, "个百分点", lang, 0 if v == int(v) else decimals)


def missing(lang: str = "zh") -> str:
    """The missing marker, from the catalogue (the same in both languages)."""
    return t("display.missing", lang)
