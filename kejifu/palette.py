"""Colours: the one status palette every chart and dashboard uses.

Based on the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"),
which stays distinguishable under the common colour-vision deficiencies:
blues and green for good news, orange and vermillion for trouble, greys for
"nothing to judge". Colours are ``#RRGGBB`` hex strings.
"""

from __future__ import annotations

import math
from types import MappingProxyType

#: Status code -> colour, in the order of :data:`kejifu.status.STATUSES` (best first).
status_palette = MappingProxyType(
    {
        "stretch_achieved": "#0072B2",  # Okabe–Ito blue
        "achieved": "#009E73",  # bluish green
        "on_track": "#56B4E9",  # sky blue
        "behind": "#E69F00",  # orange
        "far_behind": "#D55E00",  # vermillion
        "no_data": "#999999",  # grey
        "not_allocated": "#DDDDDD",  # light grey
        "met": "#00664A",  # a floor cleared: a darker bluish green than achieved
        "not_met": "#CC79A7",  # a floor missed: Okabe–Ito reddish purple
        "not_due": "#A9D8F2",  # a milestone not yet due: a paler sky blue than on track
        "overdue": "#8F3F00",  # a milestone past its date: a darker vermillion
        "not_applicable": "#F2F2F2",  # nothing to judge (one side of a share): the palest grey
        "pending": "#F0E442",  # target value awaited: Okabe–Ito yellow
    }
)


def luminance(colour: str) -> float:
    """The relative luminance of ``#RRGGBB`` [0 = black … 1 = white] (WCAG 2.x)."""
    rgb = [int(colour.lstrip("#")[i : i + 2], 16) / 255.0 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours [1 … 21]."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_text(background: str) -> str:
    """Black or white, whichever contrasts more with ``background`` (chosen by its luminance):
    the text colour of a label drawn inside a cell or a bar of that colour."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#FFFFFF") else "#FFFFFF"


#: Text colour that reads on top of each status colour (for labels inside cells and bars), chosen
#: by the colour's luminance (:func:`readable_text`).
status_text_palette = MappingProxyType({code: readable_text(c) for code, c in status_palette.items()})

#: Colours of the non-status lines of charts (actual, plan path, target, stretch, projection…).
line_palette = MappingProxyType(
    {
        "actual": "#0072B2",
        "expected": "#000000",
        "target": "#D55E00",
        "stretch": "#CC79A7",  # reddish purple
        "projection": "#0072B2",
        "numerator": "#5B84B1",  # steel blue: a series, not a status
        "denominator": "#C8C8C8",
        "share": "#1F3A5F",  # a dark navy series colour: no status has it
        "baseline": "#999999",
        "background": "#EEEEEE",
        "background_stretch": "#F7F7F7",
        "neutral": "#5B84B1",  # bars that carry no status (scores): steel blue, not on track's sky blue
    }
)

#: Neutral colours for series and states that are not statuses and not alarms (people in post,
#: posts waiting for their deputy, terms completed, reports not yet due…). None of them is a
#: status colour, so a chart never suggests a judgement the data do not make.
series_palette = MappingProxyType(
    {
        "primary": "#1F3A5F",  # dark navy
        "secondary": "#5B84B1",  # steel blue
        "light": "#A7BED3",  # pale steel blue
        "grey": "#8C8C8C",  # mid grey
        "pale_grey": "#C8C8C8",  # light grey
    }
)


def _missing(code) -> bool:
    return code is None or (isinstance(code, float) and math.isnan(code))


def status_color(code: str | None) -> str:
    """The colour of status ``code``; a missing code (None/NaN) is ``no_data``.

    An unknown code raises ``KeyError`` so that a typo shows up in tests, not as a grey bar.
    """
    return status_palette["no_data" if _missing(code) else code]


def status_text_color(code: str | None) -> str:
    """A text colour readable on :func:`status_color` of ``code``."""
    return status_text_palette["no_data" if _missing(code) else code]
