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
# # 06 年终考核 · Year-end assessment
#
# **目的 / Purpose**：按考核细则（计划文件 `assessment:`，没有时用默认细则）给各乡镇打分：权重、封顶、保底、
# 力争加分、迟报缺报扣分、一票否决、等次。
# Score the towns under the rubric: weights, cap, floor, stretch bonus, late/missing report deductions,
# veto, grades.
#
# **输入 / Inputs**：工作区的计划（含考核细则）与月报、入库记录（判断迟报）。 Plan with rubric, reports,
# import log.
#
# **输出 / Outputs**：考核结果与分项得分；`<工作区>/reports/` 下的 xlsx、docx、html。 Results; files in
# `<workspace>/reports/`.

# %%
from kejifu import bulletin, charts, documents, scoring, tables
from kejifu.workspace import open_workspace

ws = open_workspace()
plan, reports = ws.plan, ws.reports
rubric = scoring.rubric_for(plan)
TOTALS = ["rank", "org_name", "total", "base", "bonus", "deductions", "missing_months", "late_months"]
TOTALS += ["veto_failed", "grade_label"]
rubric.title, rubric.source

# %% [markdown]
# ## 考核细则 · Rubric

# %%
import pandas as pd

tables.labelled(
    pd.DataFrame(
        [{"target_title": plan.target(k).title, **v.model_dump()} for k, v in rubric.targets.items()]
    )
)

# %% [markdown]
# ## 截至最新月份的得分 · Scores as of the latest month（年中按序时进度折算）

# %%
now = scoring.assess(plan, reports, ws.default_as_of(), submissions=ws.store.reports())
charts.ranking(now.totals, plan, score="total")

# %%
tables.labelled(now.totals, columns=TOTALS)

# %% [markdown]
# ## 年终考核 · Year-end (31 December)

# %%
year_end = scoring.assess(plan, reports, submissions=ws.store.reports())
bulletin.grades_sentence(year_end.totals)

# %%
tables.labelled(year_end.totals, columns=TOTALS)

# %% [markdown]
# ## 导出 · Export

# %%
review = documents.build_review(
    plan, reports, "annual", str(plan.year), synthetic=ws.synthetic, submissions=ws.store.reports()
)
documents.write_review(review, documents.output_dir("reports"))
