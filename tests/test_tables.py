"""Tables for people (kejifu.tables): catalogue headers and every value through kejifu.display."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kejifu import tables
from kejifu.plan import parse_plan

PLAN = parse_plan(
    """\
plan: {id: p, title: 测试, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: hutou, name: 湖头镇, kind: town, parent: c}
targets:
  - {id: terminals, title: 信息机, unit: 台, target: 10}
""",
    "p.yaml",
)


def test_headers_come_from_the_catalogue_and_numbers_are_formatted_by_hand_checked_rules():
    frame = pd.DataFrame(
        {
            "target_title": ["食用菌面积", "专利"],
            "unit": ["亩", "项"],
            "actual": [3000.0, 7.0],
            "completion": [0.99996, math.nan],
            "gap_pp": [141.866029, -2.04],
            "n_far_behind": [2.0, 0.0],
        }
    )
    shown = tables.labelled(frame)
    assert list(shown.columns) == ["指标", "计量单位", "累计完成", "完成率", "进度差（百分点）", "严重滞后项"]
    assert shown.iloc[0].tolist() == ["食用菌面积", "亩", "3,000亩", "99.9%", "141.9", "2"]
    assert shown.iloc[1].tolist() == ["专利", "项", "7项", "—", "-2.0", "0"]
    assert shown.index.tolist() == [1, 2]


def test_english_headers_and_a_chosen_column_order():
    frame = pd.DataFrame({"score": [137.320574], "rank": [1], "org_name": ["铜井镇"]})
    shown = tables.labelled(frame, "en", columns=["rank", "org_name", "score"])
    assert list(shown.columns) == ["Rank", "Unit", "Score"]
    assert shown.iloc[0].tolist() == ["1", "铜井镇", "137.3"]


def test_a_column_id_without_a_label_fails_loudly_and_a_label_passes_through():
    with pytest.raises(KeyError, match="no_such_column"):
        tables.labelled(pd.DataFrame({"no_such_column": [1]}))
    assert list(tables.labelled(pd.DataFrame({"指标": ["x"]})).columns) == ["指标"]


def test_years_dates_yes_no_and_batch_kinds_read_as_words():
    frame = pd.DataFrame(
        {
            "year": [2005],
            "imported_at": ["2005-07-03 09:30:00"],
            "half_pass": [True],
            "kind": ["register:terminals"],
            "opensdg_status": ["moderate_progress"],
        }
    )
    assert tables.labelled(frame).iloc[0].tolist() == [
        "2005",
        "2005-07-03 09:30",
        "是",
        "农村科技信息机台帐",
        "进展一般",
    ]


def test_org_ids_become_names_and_coded_values_their_labels():
    frame = pd.DataFrame({"org": ["hutou"], "grade": ["excellent"], "missing": ["town;sender"]})
    shown = tables.labelled(
        frame,
        area="deputies",
        plan=PLAN,
        codes={"grade": "deputies.grade", "missing": "deputies.col.to_"},
    )
    assert list(shown.columns) == ["挂职乡镇", "等次", "未报送对象"]
    assert shown.iloc[0].tolist() == ["湖头镇", "优秀", "报乡镇党委、报派出单位"]


def test_only_lower_case_identifiers_count_as_raw_column_ids():
    assert [tables.is_column_id(x) for x in ["gap_pp", "score", "Score", "完成率", "Gap (points)"]] == [
        True,
        True,
        False,
        False,
        False,
    ]
