"""Charts: plotly figures of where targets stand, for notebooks, dashboards and documents.

Every builder takes frames that other modules compute (it never computes status or a ranking
itself) and returns a :class:`plotly.graph_objects.Figure`; nothing here calls ``.show()``.
Labels come from the catalogue (``charts.*``, ``status.*``), figures are written by the one
formatter :mod:`kejifu.display` (``3,000亩``, ``6.19亿元``; missing ``—``), colours come from
:mod:`kejifu.palette`, rankings from :mod:`kejifu.ranking`. No store, web or cli import here.

Modules, in flow order:

* :mod:`.base` — template, labels, the status legend and colour scale, month ticks, HTML export;
* :mod:`.progress` — :func:`bullet` (actual vs expected vs target vs stretch) and
  :func:`trajectory` (month by month against the scheduled path, with a projection);
* :mod:`.towns` — :func:`heatmap` (towns × targets) and :func:`ranking` (the ranking bar), with
  :func:`town_relative` (the one ranking rule's frame for the towns);
* :mod:`.orgs` — :func:`org_actuals` (each org's figure for a target nobody was allocated, 未分解);
* :mod:`.milestone` — :func:`milestone` (a milestone's due date, as-of date and state on the year);
* :mod:`.share` — :func:`share_chart` (numerator, denominator and the share);
* :mod:`.paths` — :func:`five_year` (a five-year plan's yearly actuals against their paths);
* :mod:`.deputies` — :func:`~.deputies.roster_chart`, :func:`~.deputies.compliance_chart` and
  :func:`~.deputies.grade_chart` (dashboard 05, the technology deputies).

Input frames (see docs/internals.md): the **status frame** (:func:`kejifu.status.status`), the
**series frame** (:func:`kejifu.series.monthly`), the **projection frame**
(:func:`kejifu.projection.project`). Figures are kept light for dashboards: a small template,
per-point values as ``customdata`` with one ``hovertemplate`` per trace, WebGL for long series.
"""

from __future__ import annotations

from ..palette import line_palette
from .base import (
    FIG_CONFIG,
    FONT_FAMILY,
    TEMPLATE,
    WEBGL_THRESHOLD,
    as_of_text,
    integer_axis,
    month_ticks,
    round_ticks,
    scatter_class,
    status_colorscale,
    status_z,
    to_html,
)
from .milestone import done_month, milestone, milestone_days
from .orgs import org_actuals
from .paths import five_year
from .progress import bullet, trajectory
from .share import share_chart
from .towns import heatmap, ranking, relative, town_relative

__all__ = [
    "FIG_CONFIG",
    "FONT_FAMILY",
    "TEMPLATE",
    "WEBGL_THRESHOLD",
    "line_palette",
    "as_of_text",
    "integer_axis",
    "month_ticks",
    "round_ticks",
    "scatter_class",
    "status_colorscale",
    "status_z",
    "to_html",
    "bullet",
    "trajectory",
    "heatmap",
    "ranking",
    "relative",
    "town_relative",
    "share_chart",
    "five_year",
    "org_actuals",
    "milestone",
    "done_month",
    "milestone_days",
]
