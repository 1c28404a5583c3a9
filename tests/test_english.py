"""English mode (issue 15, part 5): singular and plural, units in English, and no Chinese left on
any board except the proper names given only in Chinese (org names, titles, the ledger's records)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from kejifu import config, display, units
from kejifu.charts.base import unit_name
from kejifu.demo import build_demo
from kejifu.deputies import store as deputies_store
from kejifu.web.boards.deputies import board as deputies_board
from kejifu.web.boards.detail import detail
from kejifu.web.boards.hightech import hightech
from kejifu.web.boards.overview import overview
from kejifu.web.boards.towns import towns
from kejifu.workspace import open_workspace

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

# ----- figures in English -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, unit, text",
    [
        (1, "家", "1 enterprise"),
        (2, "家", "2 enterprises"),
        (1, "人", "1 person"),
        (3, "人", "3 people"),
        (1, "项", "1 item"),
        (0, "项", "0 items"),
        (1, "台", "1 set"),
        (3000, "亩", "3,000 mu"),
        (5.2, "亿元", "520 million yuan"),  # 5.2 × 10^8 yuan
        (6.19, "亿元", "619 million yuan"),
        (12.5, "亿元", "1.25 billion yuan"),
        (6303, "万元", "63.03 million yuan"),  # 6,303 × 10^4 = 63,030,000 yuan
        (5.5, "万元", "55,000 yuan"),
        (1.2, "万亩", "12,000 mu"),
        (340, "万平方米", "3.4 million m²"),  # the mushroom area of 2004
        (33.14, "%", "33.14%"),
        (1.2, "百分点", "1.2 points"),
        (1, "百分点", "1 point"),
    ],
)
def test_english_figures_have_english_units_in_the_right_number(value, unit, text):
    assert display.number(value, unit, "en") == text
    assert not CJK.search(text)


def test_the_precision_of_a_figure_in_yi_yuan_is_kept_in_millions():
    # 8.04亿元 with two decimals is exact to 0.01亿 = 1 million yuan: no decimals in millions
    assert display.number(8.0412, "亿元", "en", decimals=2) == "804 million yuan"
    assert display.number(8.0412, "亿元", "zh", decimals=2) == "8.04亿元"


def test_unit_names_for_axes_are_english_and_chinese_stays_chinese():
    assert unit_name("亿元", "en") == "100 million yuan"
    assert unit_name("万元", "en") == "10,000 yuan"
    assert unit_name("亩", "en") == "mu"
    assert unit_name("人", "en") == "people"
    assert unit_name("项", "en") == "items"
    assert unit_name("亿元", "zh") == "亿元"
    assert units.unit_label("家", "en", count=1) == "enterprise"


def test_points_read_as_points_in_english():
    assert display.points(1.2, "en") == "1.2 points" and display.points(1.0, "en") == "1 point"
    assert display.points(1.2, "zh") == "1.2个百分点"


# ----- every board in English -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workspace. Its plan file is the bundled one with the terminals' English title freed of
    「(村村通)」, until data/plans/yinan-2005.yaml says it in English itself (asked of its owner); a no-op
    once it does."""
    folder = tmp_path_factory.mktemp("english")
    text = config.demo_plan().read_text(encoding="utf-8")
    plan_file = folder / "plan.yaml"
    plan_file.write_text(text.replace(" (村村通)", " (village connection project)"), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config, "demo_plan", lambda: plan_file)
        path = build_demo(folder / "ws")
    return path


def proper_names(ws) -> list[str]:
    """The texts given only in Chinese: the plan's own titles and names (Chinese side), and every
    record of the deputy ledger (names, results, who did it), longest first."""
    plan = ws.plan
    names = [plan.plan.title, plan.plan.region]
    names += [o.name for o in plan.orgs]
    names += [tg.title for tg in plan.targets]
    names += [m.title for m in plan.measures]
    data = deputies_store.load(ws.store)
    for part in ("roster", "reports", "assessments", "end_of_term", "outputs", "events", "specialists"):
        frame = getattr(data, part, None)
        if isinstance(frame, pd.DataFrame):
            for col in frame.columns:
                names += [v for v in frame[col] if isinstance(v, str)]
    return sorted({n for n in names if n and CJK.search(n)}, key=len, reverse=True)


def english_views(board) -> list[str]:
    """The board's HTML in English for every pick and group offered."""
    board.lang_w.value = "en"
    out = []
    picks = [v for _, v in board.pick_w.options] if board.pick_options is not None else [""]
    for pick in picks:
        if pick:
            board.pick_w.value = pick
        out.append(board.static_html())
        out.append(" ".join(label for label, _ in board.month_w.options))
        out.append(" ".join(label for label, _ in board.group_w.options))
        out.append(" ".join(label for label, _ in board.pick_w.options))
    return out


def unescaped(text: str) -> str:
    """JSON's ``\\uXXXX`` escapes back to characters (figures travel as JSON)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_every_board_in_english_shows_no_chinese_but_proper_names(demo):
    with open_workspace(demo) as ws:
        names = proper_names(ws)
        left = {}
        for build in (overview, detail, towns, hightech, deputies_board):
            for html in english_views(build(ws)):
                text = unescaped(html)
                text = text.replace('<span class="">中文</span>', "")  # the language switch's own name
                for n in names:
                    text = text.replace(n, "")
                for m in CJK.finditer(text):
                    left.setdefault(build.__name__, []).append(text[max(0, m.start() - 30) : m.end() + 10])
    assert left == {}


def test_no_board_in_english_says_one_of_a_plural(demo):
    plural = "|".join(sorted({u.en for u in units.UNITS.values() if u.en.endswith("s")} | {"people"}))
    with open_workspace(demo) as ws:
        for build in (overview, detail, towns, hightech, deputies_board):
            for html in english_views(build(ws)):
                assert not re.search(rf"(?<![\d.,])1 ({plural})\b", unescaped(html)), build.__name__
