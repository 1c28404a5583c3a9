"""Every dashboard on a phone (390 × 844) and a tablet (768 × 1024), in a real headless Chromium
against a real ``kejifu serve`` (the server, launch arguments and waits of ``tests/test_browser.py``).

On both sizes: the page never scrolls sideways (the document and Voila's own scrolling box are no
wider than the screen, and no widget, card or chart sticks out), no chart title overlaps its
legend (their bounding boxes), no label written beside a bar is cut off by the chart's edge,
tables scroll inside their own box and no cell wraps letter by letter. On a phone, legends sit
below their charts and the overview's first screen holds the status counts and the worst
targets. The fitting function of ``kejifu-plots.js`` is checked on a hand-made figure whose
numbers are worked out below.
"""

from __future__ import annotations

import urllib.parse

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures shared with the desktop browser tests
    ALL_DRAWN,
    DASHBOARDS,
    browser_type_launch_args,
    server,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: size name -> viewport (width, height) [px]
SIZES = {"phone": (390, 844), "tablet": (768, 1024)}
#: A plan name as the chart builders pass it: escaped, long, with a tag in it.
HOSTILE = "&lt;b&gt;终端&lt;/b&gt;很长很长很长很长很长很长很长的名字"
#: The layout facts a test checks, measured in the page.
LAYOUT = """() => {
  const vw = window.innerWidth, out = {vw: vw, docWidth: document.documentElement.scrollWidth};
  const cells = document.getElementById('rendered_cells');
  out.cellsWidth = cells ? cells.scrollWidth : 0;
  out.cellsClient = cells ? cells.clientWidth : 0;
  // boxes that must lie inside the screen (a table's box scrolls, the table inside it may not)
  const sel = '.kejifu-board, .kejifu-controls > *, .kejifu-card, .kejifu-plot, .kejifu-table-wrap, '
    + '.kejifu-counts, .kejifu-attention, .kejifu-banner, .kejifu-fresh, .kejifu-section';
  out.sticking = [];
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > vw + 0.5 || r.left < -0.5)) {
      out.sticking.push(el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  out.plots = [];
  for (const plot of document.querySelectorAll('.kejifu-plot')) {
    const t = plot.querySelector('.gtitle'), l = plot.querySelector('.legend');
    const tb = t ? t.getBoundingClientRect() : null, lb = l ? l.getBoundingClientRect() : null;
    const ab = plot.querySelector('.draglayer .nsewdrag');  // the plot area
    const box = (r) => r ? [r.left, r.top, r.right, r.bottom] : null;
    // a bar's or a line end's label written outside the plot is not cut off by the chart's edge
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const cut = [...plot.querySelectorAll('text.bartext, .textpoint text')].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.width > 0 && (r.right > svg.right + 1 || r.left < svg.left - 1);
    }).map((t) => t.textContent);
    const area = ab ? box(ab.getBoundingClientRect()) : null;
    out.plots.push({title: box(tb), legend: box(lb), area: area, cut: cut});
  }
  out.cells = [];
  for (const td of document.querySelectorAll('.kejifu-table td, .kejifu-table th')) {
    const text = td.innerText.trim();
    if (!text) continue;
    const range = document.createRange();
    range.selectNodeContents(td);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    const tops = new Set(rects.map((r) => Math.round(r.top)));
    out.cells.push({text: text, chars: [...text].length, lines: tops.size,
      long: td.classList.contains('kejifu-long'), wrapBox: td.closest('.kejifu-table-wrap') !== null});
  }
  const top = (s) => {
    const e = document.querySelector(s);
    return e ? e.getBoundingClientRect().bottom : null;
  };
  out.countsBottom = top('.kejifu-counts');
  out.attentionBottom = top('.kejifu-attention');
  return out;
}"""


def overlaps(a, b) -> bool:
    """Two boxes ``[left, top, right, bottom]`` [px] share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture()
def small(page):
    """The page, with its page errors and console errors recorded."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.set_default_timeout(90_000)
    return page, errors


def open_at(page, server: str, name: str, size: str) -> dict:
    """Open dashboard ``name`` at ``size``, wait for its charts; the page's layout facts."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{server}/voila/render/{urllib.parse.quote(name)}.ipynb")
    page.wait_for_function(ALL_DRAWN, arg=DASHBOARDS[name][1], polling=100)
    page.wait_for_timeout(300)  # a relayout for text cut off at the edge
    page.wait_for_function(ALL_DRAWN, arg=DASHBOARDS[name][1], polling=100)
    return page.evaluate(LAYOUT)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(DASHBOARDS))
def test_a_board_on_a_phone_or_tablet_never_scrolls_sideways_keeps_titles_off_legends_and_tables_in_their_box(
    small, server, name, size
):
    page, errors = small
    facts = open_at(page, server, name, size)
    width = SIZES[size][0]
    assert facts["vw"] == width
    assert facts["docWidth"] <= width
    assert facts["cellsWidth"] <= facts["cellsClient"]
    assert facts["sticking"] == []
    assert facts["plots"], "every board has charts"
    for plot in facts["plots"]:
        assert plot["cut"] == [], plot
        if plot["title"] and plot["legend"]:
            assert not overlaps(plot["title"], plot["legend"]), plot
        if size == "phone" and plot["legend"] and plot["area"]:
            assert plot["legend"][1] >= plot["area"][3] - 1, plot  # the legend is below the chart
    for cell in facts["cells"]:
        assert cell["wrapBox"]
        if not cell["long"]:
            assert cell["lines"] == 1, cell  # short cells never wrap: the table scrolls instead
        else:
            assert cell["chars"] / cell["lines"] >= 8, cell  # never a letter or two per line
    assert errors == []


def test_the_overview_on_a_phone_shows_the_status_counts_and_the_worst_targets_on_its_first_screen(
    small, server
):
    page, errors = small
    facts = open_at(page, server, "01_总览", "phone")
    assert facts["countsBottom"] is not None and facts["countsBottom"] <= 844
    assert facts["attentionBottom"] is not None and facts["attentionBottom"] <= 844
    # the worst first: the demo's one 严重滞后 target heads the list
    first = page.locator(".kejifu-attention li").first
    assert first.get_attribute("data-status") == "far_behind"
    assert page.locator(".kejifu-attention li").count() >= 2
    # two cards a row
    tops = page.evaluate(
        "() => [...document.querySelectorAll('.kejifu-card')].slice(0, 4)"
        ".map((c) => Math.round(c.getBoundingClientRect().top))"
    )
    assert tops[0] == tops[1] and tops[2] == tops[3] and tops[2] > tops[0]
    assert errors == []


def test_a_long_target_name_on_a_phone_chart_is_shortened_with_the_full_name_as_its_tooltip(small, server):
    page, errors = small
    open_at(page, server, "01_总览", "phone")
    ticks = page.evaluate(
        "() => [...document.querySelectorAll('.kejifu-plot g.ytick > text')]"
        ".map((t) => [t.textContent, t.querySelector('title') ? t.querySelector('title').textContent : null])"
    )
    shortened = [(shown, full) for shown, full in ticks if full is not None]
    assert shortened, ticks
    for shown, full in shortened:
        label = shown[: -len(full)] if shown.endswith(full) else shown  # textContent includes the title
        assert label.endswith("…") and full.startswith(label[:-1]) and len(full) > len(label) - 1
    assert any(full == "高新技术企业产值占规模以上工业产值比重" for _, full in shortened)
    assert errors == []


def test_the_fitting_of_a_figure_to_a_phone_moves_the_legend_down_and_shortens_long_labels(small, server):
    """``kejifuPlots.fit`` on a hand-made figure 360 px wide: two named traces (a legend), a title
    longer than the box, a 19-character category and an escaped name with a tag in it. A label
    may be at most 30 % of the width, 108 px, at the 11 px tick font: two lines, the second
    ending in 「…」; entities are never cut."""
    page, errors = small
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(url=f"{server}/voila/static/kejifu-plots.js")
    name = "高新技术企业产值占规模以上工业产值比重"
    out = page.evaluate(
        """(name) => {
      const y = [name, '申请专利', HOSTILE];
      const spec = {data: [{type: 'bar', orientation: 'h', name: '目标', y: y, x: [1, 2, 3]},
                           {type: 'bar', orientation: 'h', name: '实际', y: y, x: [1, 1, 1]}],
                    layout: {title: {text: '各乡镇任务完成情况（截至2005年6月，完成率÷序时进度）'},
                             template: {layout: {font: {size: 13}, margin: {l: 10, r: 10, t: 90, b: 10},
                                                 title: {font: {size: 16}, pad: {t: 14}}}}}};
      const f = window.kejifuPlots.fit(spec, 360).layout;
      return {legend: f.legend, margin: f.margin, font: f.font.size, title: f.title,
              ticktext: f.yaxis.ticktext, tickvals: f.yaxis.tickvals, tick: f.yaxis.tickfont.size,
              full: spec.kejifuFull};
    }""".replace("HOSTILE", repr(HOSTILE)),
        name,
    )
    assert out["legend"]["orientation"] == "h"
    assert out["legend"]["yref"] == "container" and out["legend"]["y"] == 0
    assert out["legend"]["yanchor"] == "bottom"
    assert out["font"] == 12 and out["tick"] == 11 and out["title"]["font"]["size"] == 14
    assert out["margin"]["l"] == 6 and out["margin"]["r"] == 6 and out["margin"]["b"] == 10
    # the 29-character title does not fit 336 px at 14 px: two lines, and the top margin holds
    # both: 14 (pad) + 2 × 14 × 1.3 (lines) + 8 = 58.4 px
    assert out["title"]["text"].count("<br>") == 1
    assert out["title"]["text"].replace("<br>", "") == "各乡镇任务完成情况（截至2005年6月，完成率÷序时进度）"
    assert out["margin"]["t"] == pytest.approx(58.4)
    assert out["tickvals"] == [name, "申请专利", HOSTILE]
    short, patent, hostile = out["ticktext"]
    # an escaped name stays escaped: no entity is cut, no tag appears
    assert "<" not in hostile.replace("<br>", "") and hostile.startswith("&lt;b&gt;")
    assert patent == "申请专利"  # short enough: left as it is
    lines = short.split("<br>")
    assert len(lines) == 2 and lines[1].endswith("…")
    assert name.startswith(lines[0] + lines[1][:-1])
    widths = page.evaluate(
        """(lines) => { const c = document.createElement('canvas').getContext('2d');
           c.font = "11px 'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', "
             + "'Microsoft YaHei', sans-serif";
           return lines.map((l) => c.measureText(l).width); }""",
        lines,
    )
    assert all(w <= 108 for w in widths)
    assert out["full"][lines[0] + lines[1]] == name
    assert out["full"][hostile.replace("<br>", "").replace("&lt;", "<").replace("&gt;", ">")] == (
        "<b>终端</b>很长很长很长很长很长很长很长的名字"
    )  # the tooltip is text (textContent), so the name is shown as typed
    assert errors == []


def test_a_phone_turned_sideways_gets_the_wide_layout_again(small, server):
    page, errors = small
    open_at(page, server, "03_乡镇排名", "phone")
    yref = "() => [...document.querySelectorAll('.kejifu-plot')].map((p) => p._fullLayout.legend.yref)"
    assert set(page.evaluate(yref)) == {"container"}
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_function(
        "() => [...document.querySelectorAll('.kejifu-plot')]"
        ".every((p) => p._fullLayout.legend.yref === 'paper')"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 844
    assert errors == []


def test_the_navigation_bar_leaves_one_scrollbar_the_board_s_own(small, server):
    """Voila's #main is as tall as the window and scrolls inside itself; with the bar on top the
    page itself would scroll by the bar's height too (two scrollbars on a phone)."""
    page, errors = small
    open_at(page, server, "01_总览", "phone")
    sizes = page.evaluate(
        "() => [document.documentElement.scrollHeight, window.innerHeight,"
        " document.querySelector('.kejifu-nav').offsetHeight,"
        " document.getElementById('main').getBoundingClientRect().height]"
    )
    page_height, window_height, bar, main = sizes
    assert page_height <= window_height
    assert bar > 0 and abs(main + bar - window_height) <= 1
    assert errors == []
