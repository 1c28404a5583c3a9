# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 编制计划与分解 · Write the plan and allocate it to towns
#
# **目的 / Purpose**：检查年度计划文件（指标、基数、力争目标、分解），
# 查看分解到乡镇和企业的任务表，生成各乡镇目标责任状。
# Check the year's plan, see how targets are split among towns and enterprises,
# write the responsibility contracts.
#
# **输入 / Inputs**：工作区（`KEJIFU_WORKSPACE`，默认示例工作区）中的计划 `plan.yaml`。 The workspace plan.
#
# **输出 / Outputs**：计划检查结果、分解表；`<工作区>/contracts/` 下每个乡镇一份责任状（docx）；
# `<工作区>/plans/` 下的目标任务分解表（xlsx）、由它导回的计划文件和明年计划草稿（YAML）。
# Plan findings, the allocation table, one contract per town in `<workspace>/contracts/`; in
# `<workspace>/plans/` the plan workbook (xlsx), the plan file read back from it and a draft of
# next year's plan.

# %%
import datetime as dt

import pandas as pd

from kejifu import display, documents, nextplan, reviews
from kejifu.i18n import both
from kejifu.io.planbook import plan_yaml, write_planbook
from kejifu.io.planbook_read import import_planbook
from kejifu.plan import Plan
from kejifu.plancheck import check_plan
from kejifu.workspace import open_workspace

ws = open_workspace()
plan = ws.plan
print(plan.plan.title, "·", plan.plan.issuer)


def findings_table(findings):
    """Findings as a planner reads them: level, where (file:line or sheet!cell), the problem."""
    return pd.DataFrame(
        [
            {"级别 level": p.level, "位置 where": p.location(), "问题 problem": f"{p.zh} / {p.en}"}
            for p in findings
        ]
    )


# %% [markdown]
# ## 计划检查 · Plan checks

# %%
findings_table(check_plan(plan))

# %% [markdown]
# ## 分解表 · Allocation table（合计与目标之差不为0说明分解不平衡）

# %%
LABELS = {
    "target_title": "指标 / target",
    "title": "指标 / target",
    "unit": "单位 / unit",
    "allocated": "分解合计 / allocated",
    "target_value": "县目标 / county target",
    "difference": "差额 / difference",
    "allocation": "分解任务 / allocation",
    "text": "责任目标 / commitment",
    "schedule": "序时进度 / schedule",
}


def shown(frame, numeric):
    """The table as a planner reads it: labelled columns, formatted figures, no internal ids."""
    out = frame.drop(columns="target").assign(**{c: frame[c].map(display.number) for c in numeric})
    return out.rename(columns=LABELS)


allocation = reviews.allocation_table(plan)
shown(allocation, [c for c in allocation.columns if c not in ("target", "target_title", "unit")])

# %% [markdown]
# ## 目标责任状 · Responsibility contracts

# %%
contracts = documents.write_contracts(plan, documents.output_dir("contracts"))
pd.DataFrame({"文件 file": [p.name for p in contracts]})

# %%
shown(documents.contract_rows(plan, plan.towns()[0].id), ["allocation"])

# %% [markdown]
# ## 计划工作簿 · The plan as a workbook
#
# 把计划写成“目标任务分解表”（xlsx：指标、分解、单位、统计项、设置各一张表，类型、单位、序时进度有下拉选项），
# 交科室修改；改好后导回为计划文件，校验和计划检查与 `kejifu plan` 相同，每条提示注明工作表和单元格。
# 命令行：`kejifu plan export PLAN.yaml --out 目标分解表.xlsx`，
# `kejifu plan import 目标分解表.xlsx --out PLAN.yaml`。
# Write the plan as a workbook to edit; read it back through the same validation and checks, each
# message at its sheet and cell.

# %%
folder = documents.output_dir("plans")
book = write_planbook(plan, folder / f"目标分解表-{plan.year}.xlsx")
print(both("planbook.done.export", path=book.name, targets=len(plan.targets), orgs=len(plan.orgs)))

# %% [markdown]
# 导回（这里导回刚写出的工作簿；编辑后的工作簿同样导回） · Read it back (here the workbook just written):

# %%
back, found = import_planbook(book, name=book.name)
plan_file = folder / f"plan-{back.year}.yaml"
plan_file.write_text(plan_yaml(back, both("planbook.yaml_header", source=book.name)), encoding="utf-8")
print(both("planbook.done.import", path=plan_file.name), "·", "与原计划相同 / same plan:", back == plan)
findings_table(found)

# %% [markdown]
# ## 明年计划草稿 · Next year's plan
#
# 同样的指标，基数取今年实绩（数据不满一年时注明截至月份），分解按今年比例折算，供编制明年计划时调整。
# 命令行：`kejifu plan next 工作区 --year 2006 --out plan-2006.yaml --xlsx 目标分解表-2006.xlsx`。

# %%
as_of = dt.date(plan.year, 12, 31)  # the year's actuals, through the last month reported
draft, notes = nextplan.next_plan(plan, ws.status(as_of), data_month=ws.data_month(as_of))
draft_file = folder / f"plan-{plan.year + 1}-draft.yaml"
draft_file.write_text(plan_yaml(Plan.model_validate(draft)), encoding="utf-8")
pd.DataFrame(
    [
        {
            "指标 / target": plan.target(d["id"]).title,
            "今年基数 / old baseline": display.number(plan.target(d["id"]).baseline, d["unit"]),
            "明年基数 / new baseline": display.number(d.get("baseline"), d["unit"]),
            "明年目标 / new target": display.number(d.get("target"), d["unit"]),
        }
        for d in draft["targets"]
    ]
)

# %%
findings_table(notes)
