"""Write the example report files in this folder (synthetic figures, 示例数据).

    .venv/bin/python data/examples/make_examples.py

- ``hutou-2005-06-messy.xlsx``: what a town really sends — title rows, a header merged over
  two rows, blank rows, a 合计 row, numbers typed as text, units in cells (``８万平方米``),
  full-width digits and an Excel date in the month column. Imports cleanly into the
  2005 plan (``data/plans/yinan-2005.yaml``) with one warning (the 合计 row).
- ``enterprises-2005-06-gbk.csv``: enterprise figures for the high-tech share, exported by
  older office software in GBK, with units in some cells.
- ``hutou-2005-06-template.xlsx``: the blank fill-in template of 湖头镇 for June
  (``kejifu template``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from kejifu import config
from kejifu.io.template import write_template
from kejifu.plan import load_plan

HERE = Path(__file__).resolve().parent


def messy_town(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "6月"
    ws["A1"] = "湖头镇2005年6月份科技工作进度统计表（示例数据）"
    ws.merge_cells("A1:F1")
    ws["A2"] = "填报单位（盖章）：湖头镇人民政府                  填报人：张某某    电话：0539-0000000"
    ws.merge_cells("A2:F2")
    ws["A3"], ws["B3"], ws["C3"], ws["D3"], ws["F3"] = "乡镇", "指标名称", "月份", "完成情况", "备注"
    for col in "ABCF":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:E3")
    ws["D4"], ws["E4"] = "本月", "本年累计"
    ws.append(["湖头镇", "新发展优质食用菌面积", dt.datetime(2005, 6, 1), "２万平方米", "８万平方米", "秋季大棚已开工"])
    ws.append([None] * 6)
    ws.append(["湖头镇", "引进推广农业新品种", "2005年6月", "1", "３", None])
    ws.append(["湖头镇", "开展科技下乡活动", "2005-06", None, 1, None])
    ws.append([])
    ws.append(["合计", None, None, None, None, None])
    wb.save(path)
    return path


def enterprises_gbk(path: Path) -> Path:
    text = ("沂南县高新技术企业2005年6月主要指标（示例数据）\n"
            "填报单位,指标,月份,本年累计,计量单位,备注\n"
            "示例高新企业A,高新技术企业产值,2005-06,0.72,亿元,\n"
            "示例高新企业A,规模以上工业产值,2005-06,32000万元,,\n"
            "示例高新企业A,研发经费支出,2005-06,150,万元,\n"
            "示例高新企业A,销售收入,2005-06,3000,万元,\n"
            "示例高新企业B,高新技术企业产值,2005-06,0.65,亿元,\n"
            "示例高新企业B,规模以上工业产值,2005-06,2.5,亿元,含非高新产品\n")
    path.write_bytes(text.encode("gbk"))
    return path


def main() -> None:
    plan = load_plan(config.demo_plan())
    messy_town(HERE / "hutou-2005-06-messy.xlsx")
    enterprises_gbk(HERE / "enterprises-2005-06-gbk.csv")
    write_template(plan, "hutou", "2005-06", HERE / "hutou-2005-06-template.xlsx")
    for p in sorted(HERE.glob("*-2005-06*")):
        print(p.relative_to(config.repo_root()))


if __name__ == "__main__":
    main()
