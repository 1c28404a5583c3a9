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
# # 05 半年总结 · Half-year review
#
# **目的 / Purpose**：“时间过半、任务过半”检查：6月30日各项指标、各乡镇完成是否达到50%，差多少。
# The mid-year check: is each target (county and town) at least half done by 30 June, and by how much.
#
# **输入 / Inputs**：工作区的计划与1—6月月报。 The workspace plan and January–June reports.
#
# **输出 / Outputs**：检查表；`<工作区>/reports/` 下的 xlsx、docx、html。 The check table; files in
# `<workspace>/reports/`.

# %%
from kejifu import bulletin, charts, documents, reviews, tables
from kejifu.status import ALL, totals
from kejifu.workspace import open_workspace

ws = open_workspace()
plan, reports = ws.plan, ws.reports
half = reviews.half_year_review(plan, reports)
bulletin.half_year_sentence(half)

# %% [markdown]
# ## 全县 · County totals

# %%
tables.labelled(
    half[half["org"] == ALL],
    columns=[
        "target_title",
        "actual",
        "target_value",
        "completion",
        "half_pass",
        "half_margin_pp",
        "expected",
        "status_label",
    ],
)

# %%
frame = ws.status(f"{plan.year}-06-30")
charts.bullet(totals(frame)[lambda f: f["kind"] != "milestone"], plan)

# %% [markdown]
# ## 未过半的乡镇 · Towns below half

# %%
tables.labelled(
    half[(half["org"] != ALL) & ~half["half_pass"]],
    columns=["target_title", "org_name", "completion", "half_margin_pp"],
)

# %% [markdown]
# ## 导出 · Export

# %%
review = documents.build_review(plan, reports, "half-year", f"{plan.year}H1", synthetic=ws.synthetic)
documents.write_review(review, documents.output_dir("reports"))
