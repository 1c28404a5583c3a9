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
# **输出 / Outputs**：计划检查结果、分解表；`<工作区>/contracts/` 下每个乡镇一份责任状（docx）。
# Plan findings, the allocation table, one contract per town in `<workspace>/contracts/`.

# %%
import pandas as pd

from kejifu import display, documents, reviews
from kejifu.plancheck import check_plan
from kejifu.workspace import open_workspace

ws = open_workspace()
plan = ws.plan
print(plan.plan.title, "·", plan.plan.issuer)

# %% [markdown]
# ## 计划检查 · Plan checks

# %%
findings = check_plan(plan)
pd.DataFrame(
    [
        {"级别 level": p.level, "位置 where": p.location(), "问题 problem": f"{p.zh} / {p.en}"}
        for p in findings
    ]
)

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
