"""One module per dashboard; each builds a :class:`~kejifu.web.board.Board` and renders its sections.

In the order of ``dashboards/``:

- :mod:`.overview`: 01 总览 — counts by status, a card per target, completion against time;
- :mod:`.detail`: 02 指标详情 — one target's trajectory, its orgs against their allocations;
- :mod:`.towns`: 03 乡镇排名 — the towns × targets heatmap, the ranking, one town's scorecard;
- :mod:`.hightech`: 04 高新技术产业 — a share from its numerator and denominator;
- :mod:`.deputies`: 05 科技副职 — the technology deputies' ledger.

A dashboard notebook does ``from kejifu.web import boards`` and ``board = boards.overview()``.
"""

from __future__ import annotations

from .detail import detail
from .hightech import hightech
from .overview import overview
from .towns import towns

__all__ = ["overview", "detail", "towns", "hightech"]
