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

#: Text colour that reads on top of each status colour (for labels inside cells and bars).
status_text_palette = MappingProxyType(
    {
        "stretch_achieved": "#FFFFFF",
        "achieved": "#FFFFFF",
        "on_track": "#000000",
        "behind": "#000000",
        "far_behind": "#FFFFFF",
        "no_data": "#000000",
        "not_allocated": "#000000",
        "met": "#FFFFFF",
        "not_met": "#000000",
        "not_due": "#000000",
        "overdue": "#FFFFFF",
        "not_applicable": "#000000",
        "pending": "#000000",
    }
)

#: Colours of the non-status lines of charts (actual, plan path, target, stretch, projection…).
line_palette = MappingProxyType(
    {
        "actual": "#0072B2",
        "expected": "#000000",
        "target": "#D55E00",
        "stretch": "#CC79A7",  # reddish purple
        "projection": "#0072B2",
        "numerator": "#56B4E9",
        "denominator": "#BBBBBB",
        "share": "#D55E00",
        "baseline": "#999999",
        "background": "#EEEEEE",
        "background_stretch": "#F7F7F7",
        "neutral": "#56B4E9",
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
