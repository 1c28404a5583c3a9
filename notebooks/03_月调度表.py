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
# # 03 月调度表 · Monthly progress table
#
# **目的 / Purpose**：最新月份各项指标、各乡镇的本月完成、累计完成、完成率、序时进度、状态和同比。
# This month's increment, year-to-date, completion, expected progress, status and year-on-year, per target
# and town.
#
# **输入 / Inputs**：工作区的计划与月报。 The workspace plan and reports.
#
# **输出 / Outputs**：月调度表（屏幕）；`<工作区>/reports/` 下的 xlsx、docx、html。 The table; files in
# `<workspace>/reports/`.

# %%
from kejifu import bulletin, charts, documents, reviews, tables
from kejifu.status import ALL
from kejifu.workspace import open_workspace

ws = open_workspace()
plan, reports = ws.plan, ws.reports
period = reviews.last_complete_period("monthly", plan.year, ws.latest_month())
table = reviews.monthly_table(plan, reports, period.end_month)
period.label() + "：" + bulletin.data_line(table, asked=period.month)

# %% [markdown]
# ## 全县 · County totals

# %%
tables.labelled(
    table[table["org"] == ALL],
    columns=[
        "target_title",
        "increment",
        "actual",
        "target_value",
        "completion",
        "expected",
        "gap_pp",
        "status_label",
        "last_year",
        "yoy_pct",
    ],
)

# %% [markdown]
# ## 分乡镇 · By town

# %%
charts.heatmap(ws.status(period.as_of), plan)

# %%
tables.labelled(
    table[(table["org"] != ALL) & table["allocation"].notna()],
    columns=[
        "target_title",
        "org_name",
        "increment",
        "actual",
        "allocation",
        "completion",
        "expected",
        "status_label",
    ],
)

# %% [markdown]
# ## 导出 · Export

# %%
review = documents.build_review(plan, reports, "monthly", period, synthetic=ws.synthetic)
documents.write_review(review, documents.output_dir("reports"))
