"""Exports: the monthly progress table as XLSX and CSV, formula-safe."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from kejifu import config
from kejifu.io.export import (
    STATUS_COL,
    export_status,
    export_status_csv,
    export_status_xlsx,
    neutralise,
    safe_frame,
    status_csv_text,
    status_table,
)
from kejifu.plan import parse_plan
from kejifu.status import status

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
EVIL = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture(scope="module")
def evil_plan():
    return parse_plan(
        TINY.read_text(encoding="utf-8").replace("name: 湖头镇", f"name: '{EVIL}'"), file="evil.yaml"
    )


@pytest.fixture(scope="module")
def frame(evil_plan):
    reports = pd.DataFrame(
        {
            "org": ["county", "hutou", "jiehu"],
            "measure": ["terminals", "mushroom_area", "mushroom_area"],
            "month": ["2005-06"] * 3,
            "value": [180.0, 600.0, 400.0],
        }
    )
    return status(evil_plan, reports, "2005-06-30")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 539", "'+86 539"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("湖头镇", "湖头镇"),
        ("a=b", "a=b"),
        (-5.0, -5.0),
        (None, None),
    ],
)
def test_text_that_a_spreadsheet_would_run_as_a_formula_gets_an_apostrophe(value, expected):
    assert neutralise(value) == expected


def test_safe_frame_neutralises_text_cells_but_not_numbers():
    df = pd.DataFrame({"org": [EVIL, "ok"], "value": [-1.0, 2.0]})
    out = safe_frame(df)
    assert out["org"].tolist() == ["'" + EVIL, "ok"] and out["value"].tolist() == [-1.0, 2.0]
    assert df["org"].iloc[0] == EVIL  # the input is not modified


def test_the_progress_table_names_targets_and_orgs(evil_plan, frame):
    table = status_table(frame, evil_plan)
    mushroom = table[table["target"] == "mushroom_area"]
    assert mushroom["org_name"].tolist() == ["全县合计", EVIL, "界湖镇"]
    assert mushroom["target_title"].iloc[0] == "新发展优质食用菌面积"


def test_the_xlsx_table_has_a_styled_frozen_header_number_formats_and_status_labels(
    tmp_path, evil_plan, frame
):
    path = export_status_xlsx(frame, evil_plan, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).active
    assert "截至 2005-06" in ws["A1"].value and "示例数据" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert (
        header[:6] == ["指标", "单位", "月份", "计量单位", "累计完成", "目标"]
        and header[STATUS_COL - 1] == "状态"
    )
    assert ws["A3"].font.bold and ws.freeze_panes == "C4"
    rows = {(r[0].value, r[1].value): r for r in ws.iter_rows(min_row=4)}
    terminals = rows[("安装农村科技信息机", "全县合计")]
    assert terminals[4].value == 180 and terminals[5].value == 353
    assert terminals[8].number_format == "0.0%" and terminals[8].value == pytest.approx(180 / 353)
    assert terminals[STATUS_COL - 1].value == "超序时进度"
    assert terminals[STATUS_COL - 1].fill.fgColor.rgb.endswith("DDEBF7")
    evil = rows[("新发展优质食用菌面积", "'" + EVIL)]
    assert evil[1].data_type == "s" and evil[9].value == pytest.approx(0.5)  # linear: 6/12 through June


def test_the_csv_table_is_utf8_with_bom_and_formula_safe(tmp_path, evil_plan, frame):
    path = export_status_csv(frame, evil_plan, tmp_path / "t.csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    orgs = [r["单位"] for r in rows if r["指标代码"] == "mushroom_area"]
    assert orgs == ["全县合计", "'" + EVIL, "界湖镇"]
    assert not any(v.startswith("=") for r in rows for v in r.values())


def test_status_csv_text_is_formula_safe_too(evil_plan, frame):
    evil_ids = frame.assign(org=frame["org"].replace({"hutou": "=cmd|' /C calc'!A0"}))
    text = status_csv_text(evil_ids)
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text


def test_export_status_picks_the_format_from_the_suffix(tmp_path, evil_plan, frame):
    export_status(frame, evil_plan, tmp_path / "a.csv")
    export_status(frame, evil_plan, tmp_path / "a.xlsx", lang="en")
    assert (tmp_path / "a.csv").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").active["A3"].value == "Target"
