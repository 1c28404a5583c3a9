"""Plain-text tables for the terminal: padding by display width (a Chinese character takes two
columns), so that columns line up in every CLI table."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """The display width of ``text`` [terminal columns]: wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, cols: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``cols`` display columns (right-aligned when ``right``)."""
    gap = " " * max(0, cols - width(text))
    return gap + text if right else text + gap
