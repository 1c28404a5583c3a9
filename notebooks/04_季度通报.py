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
# # 04 季度通报 · Quarterly bulletin
#
# **目的 / Purpose**：按季度通报全县进展，乡镇排名（统一排名规则 `kejifu.ranking`：得分 = 各分解指标完成率与
# 序时进度之比的平均 ×100，单项比值封顶为计划设定值、默认1.5；并列同名次；未报送的乡镇排在最后），
# 点名严重滞后项目。
# Quarterly circular: county progress, towns ranked by the one ranking rule (ties share a rank, a town
# that reported nothing is last), far-behind items named.
#
# **输入 / Inputs**：工作区的计划与月报（最近一个完整季度）。 The workspace plan and reports (latest
# complete quarter).
#
# **输出 / Outputs**：通报正文与表格；`<工作区>/reports/` 下的 xlsx、docx、html。 Text and tables; files in
# `<workspace>/reports/`.

# %%
from IPython.display import Markdown

from kejifu import bulletin, charts, documents, reviews, tables
from kejifu.workspace import open_workspace

ws = open_workspace()
plan, reports = ws.plan, ws.reports
period = reviews.last_complete_period("quarterly", plan.year, ws.latest_month())
qb = reviews.quarterly_bulletin(plan, reports, period.code)
period.label()

# %% [markdown]
# ## 通报正文 · Bulletin text

# %%
Markdown("\n\n".join(f"**{p.heading}**\n\n{p.text}" for p in bulletin.paragraphs(plan, qb.frame)))

# %% [markdown]
# ## 乡镇排名 · Town ranking

# %%
charts.ranking(qb.ranking, plan, score="score")

# %%
tables.labelled(qb.ranking, columns=["rank", "org_name", "score", "n_targets", "n_far_behind", "n_no_data"])

# %% [markdown]
# ## 严重滞后项目 · Far-behind items

# %%
tables.labelled(
    qb.far_behind,
    columns=["target_title", "org_name", "actual", "allocation", "completion", "expected", "gap_pp"],
)

# %% [markdown]
# ## 导出 · Export

# %%
review = documents.build_review(plan, reports, "quarterly", period, synthetic=ws.synthetic)
documents.write_review(review, documents.output_dir("reports"))
