"""Dashboards on plans above a county (synthetic city and province plans): the per-org charts
list the level below the root (counties, cities), rolled up from the towns, not every town,
and every figure's JSON stays within 1 MB (issue 7)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from kejifu import completeness, months
from kejifu import status as status_mod
from kejifu.scale import synth
from kejifu.web import board as dashboard
from kejifu.web import boards

MB = 1_000_000
SCRIPT = re.compile(r'<script type="application/json">(.*?)</script>', re.S)


class MemoryWorkspace:
    """The part of the ``Workspace`` API the dashboards use, over an in-memory plan and reports."""

    def __init__(self, plan, reports: pd.DataFrame):
        self.plan = plan
        self.reports = reports.assign(**{c: reports[c].astype(str) for c in ("org", "measure", "month")})
        self.filed = self.reports
        self.synthetic = True

    def status(self, as_of, rollup: bool = False, lang: str = "zh") -> pd.DataFrame:
        return status_mod.status(self.plan, self.reports, as_of, rollup=rollup, lang=lang)

    def latest_month(self) -> str | None:
        return str(self.reports["month"].max())

    def default_as_of(self):
        return months.month_end(completeness.current_month(self.plan, self.filed) or self.latest_month())


def figures(board) -> list[tuple[int, dict]]:
    """(bytes of its JSON, the figure) for every chart the board shows."""
    out = []
    for part in board._parts:
        for spec in SCRIPT.findall(part):
            text = spec.replace("<\\/", "</")
            out.append((len(text.encode("utf-8")), json.loads(text)))
    return out


def ticks(fig: dict, axis: str = "yaxis") -> list[str]:
    return list(fig["layout"][axis]["ticktext"])


@pytest.fixture(scope="module")
def city():
    plan = synth.synth_plan("city", years=2010, n_targets=12)
    return MemoryWorkspace(plan, synth.synth_reports(plan, months=6))


@pytest.fixture(scope="module")
def province():
    plan = synth.synth_plan("province", years=2010, n_targets=6)
    return MemoryWorkspace(plan, synth.synth_reports(plan, months=3))


def _names(ws, kind: str) -> list[str]:
    return [ws.plan.org_name(o.id, "zh") for o in ws.plan.orgs if o.kind == kind]


def test_city_towns_board_lists_the_counties_rolled_up(city):
    board = boards.towns(city)
    counties = _names(city, "county")
    assert board.units() == [o.id for o in city.plan.orgs if o.kind == "county"]
    assert [label for label, _ in board.pick_w.options] == counties
    figs = figures(board)
    assert len(figs) == 2
    (heat_bytes, heat), (rank_bytes, rank) = figs
    assert heat_bytes <= MB and rank_bytes <= MB
    assert ticks(heat) == counties  # the heatmap's rows: the 10 counties, in plan order
    assert sorted(re.sub(r"^\d+\. ", "", s) for s in ticks(rank)) == sorted(counties)
    town_names = set(_names(city, "town"))
    html = "".join(board._parts)
    assert not any(name in html for name in town_names)
    # the scorecard is a county's, with its rolled-up allocation
    assert board.pick == city.plan.orgs[1].id and "kejifu-card" in board._parts[2]


def test_city_detail_and_hightech_list_counties(city):
    counties = _names(city, "county")
    detail = boards.detail(city)
    by_org = [
        fig for n, fig in figures(detail) if n <= MB and len(fig["layout"]["yaxis"].get("ticktext", [])) > 1
    ]
    assert [ticks(f) for f in by_org] == [counties]
    hightech = boards.hightech(city)
    assert all(n <= MB for n, _ in figures(hightech))
    assert not any(name in "".join(hightech._parts) for name in _names(city, "town"))


def test_more_orgs_than_the_cap_show_the_furthest_behind_with_a_note(city, monkeypatch):
    monkeypatch.setattr(dashboard, "MAX_ORGS", 4)
    board = boards.towns(city)
    (_, heat), (_, rank) = figures(board)
    assert len(ticks(heat)) == 4 and len(ticks(rank)) == 4
    assert "共10个单位" in board._parts[0]
    # the four shown are the four lowest of the ranking of all ten
    rows = board.org_status()
    full = dashboard.charts.town_relative(
        rows[rows["allocation"].notna() & (rows["org"] != "all")], city.plan, orgs=board.units()
    )
    lowest = set(full.sort_values("relative").head(4)["org"])
    assert {o for o in board.units() if city.plan.org_name(o, "zh") in ticks(heat)} == lowest


def test_province_overview_and_towns_stay_small_and_list_cities(province):
    assert len(province.plan.towns()) == 2400
    overview = boards.overview(province)
    figs = figures(overview)
    assert figs and all(n <= MB for n, _ in figs)
    towns = boards.towns(province)
    cities = _names(province, "city")
    (heat_bytes, heat), (rank_bytes, _) = figures(towns)
    assert heat_bytes <= MB and rank_bytes <= MB
    assert ticks(heat) == cities and len(cities) == 16
    assert len(towns.pick_w.options) == 16
    # the freshness line names at most MAX_NAMES towns, whatever the number missing
    assert towns.fresh.value.count("示例镇") <= dashboard.MAX_NAMES
