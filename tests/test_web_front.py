"""The front page at ``/`` and the navigation bar (issue 15, part 1): facts from a workspace, HTML
built without a server."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kejifu.web import front, serve
from kejifu.workspace import open_workspace
from tests.helpers import SMALL_PLAN, make_workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """SMALL_PLAN with June figures: terminals 130 of 353 (a 100/200 on track, b 30/153 far behind),
    mushrooms 1,380 of 3,000 (a 900/1,800 on track, b 480/1,200 far behind); no share figures."""
    path = make_workspace(tmp_path_factory.mktemp("front"), SMALL_PLAN)
    rows = [
        ("a", "terminals", "2005-06", 100.0),
        ("b", "terminals", "2005-06", 30.0),
        ("a", "mushroom", "2005-06", 900.0),
        ("b", "mushroom", "2005-06", 480.0),
    ]
    with open_workspace(path, readonly=False) as w:
        w.store.commit_reports(
            pd.DataFrame(rows, columns=["org", "measure", "month", "value"]),
            source_file="june.csv",
            sha256="j",
        )
    with open_workspace(path) as w:
        yield w


def test_the_facts_count_targets_behind_and_towns_lagging_as_computed_by_hand(ws):
    # time progress 6/12 = 50 %; behind from 85 % of it = 42.5 %
    # terminals 130/353 = 36.8 % -> far behind; mushrooms 1380/3000 = 46 % -> behind
    f = front.facts(ws)
    assert (f.title, f.region, f.data_month) == ("测试计划", "测试县", "2005-06")
    assert (f.targets, f.far_behind, f.behind) == (3, 1, 1)
    assert (f.towns, f.towns_lagging) == (2, 1)  # only 乙镇 (30/153 = 19.6 %, 480/1200 = 40 %)
    assert f.share is not None and f.share.value is None  # no share figures reported
    assert f.deputies_serving is None  # no deputy ledger
    assert f.completeness["zh"] == "2个乡镇中2个已报送；应报单位均已报送"
    assert f.missing == {"zh": (), "en": ()}


def test_each_card_carries_its_key_count_in_both_languages(ws):
    f = front.facts(ws)
    assert front.key_html("overview", f, "zh") == "1项严重滞后，1项滞后"
    assert front.key_html("overview", f, "en") == "1 target far behind, 1 behind"
    assert front.key_html("detail", f, "en") == "3 targets"
    assert front.key_html("towns", f, "zh") == "2个乡镇中1个有滞后指标"
    assert front.key_html("hightech", f, "zh") == "<bdi>高新技术产值比重</bdi> —"
    assert front.key_html("deputies", f, "zh") == ""  # no ledger: no count
    worst = front.FrontFacts(title="x", far_behind=2, overdue=1, not_met=3, behind=1)
    assert front.key_html("overview", worst, "zh") == "2项严重滞后，1项逾期，3项未达标，1项滞后"
    assert front.key_html("overview", worst, "en") == "2 targets far behind, 1 overdue, 3 not met, 1 behind"
    quiet = front.FrontFacts(title="x", targets=1, deputies_serving=1)
    assert front.key_html("overview", quiet, "zh") == "无滞后指标"
    assert front.key_html("detail", quiet, "en") == "1 target"
    assert front.key_html("deputies", quiet, "en") == "1 technology deputy serving"


def test_the_front_page_shows_title_region_data_month_and_a_card_per_dashboard(ws):
    page = front.page_html(front.facts(ws), version="abc")
    assert page.startswith("<!DOCTYPE html>") and 'data-kejifu-lang="zh"' in page
    assert "<bdi>测试计划</bdi>" in page and "<bdi>测试县</bdi>" in page
    assert "数据截至2005年6月" in page and "data through Jun 2005" in page
    hrefs = re.findall(r'class="kejifu-front-card" href="([^"]+)"', page)
    assert hrefs == [b.url("/") for b in front.BOARDS]
    assert hrefs[0] == "/voila/render/01_%E6%80%BB%E8%A7%88.ipynb"
    assert "1项严重滞后，1项滞后" in page
    # local files only, versioned; no address of another machine
    assert "/voila/static/kejifu-nav.css?v=abc" in page and "/voila/static/kejifu-nav.js?v=abc" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_names_from_the_plan_are_escaped_and_isolated_on_the_front_page():
    evil = "<script>alert(1)</script>\u202eabc"
    f = front.FrontFacts(
        title=evil,
        region="<b>县</b>",
        data_month="2005-03",
        completeness={
            "zh": f"2个乡镇中1个已报送；{evil}未按时报送",
            "en": f"1 of 2 towns have reported; not reported on time: {evil}",
        },
        missing={"zh": (evil,), "en": (evil,)},
    )
    page = front.page_html(f)
    assert "<script>alert" not in page and "<b>县</b>" not in page
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;\u202eabc</bdi>" in page
    assert "<bdi>&lt;b&gt;县&lt;/b&gt;</bdi>" in page
    line = front.completeness_html(f, "zh")
    assert line == (
        "数据截至2005年3月 · 2个乡镇中1个已报送；"
        "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;\u202eabc</bdi>未按时报送"
    )


def test_a_missing_name_inside_another_missing_name_is_isolated_once_each():
    f = front.FrontFacts(
        title="x",
        data_month="2005-03",
        completeness={"zh": "3个乡镇中1个已报送；甲镇、大甲镇未按时报送"},
        missing={"zh": ("甲镇", "大甲镇")},
    )
    assert front.completeness_html(f, "zh").endswith("<bdi>甲镇</bdi>、<bdi>大甲镇</bdi>未按时报送")


def test_without_reports_the_page_says_so_and_without_a_workspace_it_still_links_every_board():
    assert front.completeness_html(front.FrontFacts(title="x"), "en") == "no reports yet"
    page = front.page_html(None)
    assert page.count('class="kejifu-front-card"') == len(front.BOARDS)
    assert "科技工作看板" in page


def test_the_navigation_bar_links_home_and_every_board_and_offers_both_languages():
    nav = front.nav_html("/base/")
    links = re.findall(r'<a href="([^"]+)" data-kejifu-page="([a-z]+)"', nav)
    assert links[0] == ("/base/", "home")
    assert [p for _, p in links[1:]] == [b.key for b in front.BOARDS]
    assert links[2][0] == "/base/voila/render/02_%E6%8C%87%E6%A0%87%E8%AF%A6%E6%83%85.ipynb"
    assert re.findall(r'data-kejifu-set-lang="(\w+)"', nav) == ["zh", "en"]
    assert '<span class="kejifu-l" lang="en">Overview</span>' in nav


def test_the_served_template_carries_the_navigation_bar_and_its_local_files(tmp_path):
    data = serve.prepare_data_dir(tmp_path / "data")
    tdir = data / "voila" / "templates" / "kejifu"
    text = (tdir / "index.html.j2").read_text(encoding="utf-8")
    assert "__KEJIFU_" not in text
    assert '<nav class="kejifu-nav"' in text and 'href="{{ resources.base_url }}voila/render/01_' in text
    assert text.index('<nav class="kejifu-nav"') < text.index('<div id="rendered_cells"')
    assert "voila/static/kejifu-nav.js?v=" in text and "voila/static/kejifu-nav.css?v=" in text
    assert (tdir / "static" / "kejifu-nav.js").is_file() and (tdir / "static" / "kejifu-nav.css").is_file()


class _CountingWs:
    """A workspace whose store's data version the test moves; counts how often facts are computed."""

    def __init__(self, inner) -> None:
        self.inner, self.version, self.reads = inner, (1, 1, 1, 1), 0
        owner = self

        class Store:
            def data_version(self):
                return owner.version

            def __getattr__(self, name):
                return getattr(inner.store, name)

        self.store = Store()

    def forget(self) -> None:
        self.reads += 1

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_the_served_front_page_is_computed_once_per_data_version(ws):
    counting = _CountingWs(ws)
    page = front.FrontPage(version="v1")
    page._ws = counting
    first = page.html("/")
    assert page.html("/") == first and counting.reads == 1
    counting.version = (1, 2, 9, 1)  # an import committed a batch
    page.html("/")
    assert counting.reads == 2
