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
# # 07 “十一五”规划轨迹 · Five-year plan trajectories 2006–2010
#
# **目的 / Purpose**：五年规划（2006—2010）中比重型和水平型指标逐年实绩与直线路径的对比（本系统口径），
# 旁边列出 Open SDG 进展评估（复合增长率法）。
# Each year's actual against the straight path from the 2005 baseline to the 2010 target (our status), with
# the Open SDG progress status beside it.
#
# **输入 / Inputs**：合成的县级五年计划与逐月报表（`kejifu.scale.synth`，示例数据，非真实统计）。
# A synthetic county five-year plan and monthly reports (demo data, not real statistics).
#
# **输出 / Outputs**：逐年轨迹表、汇总表与轨迹图。 Per-year paths, a summary, a chart.

# %%
from kejifu import charts, reviews, tables
from kejifu.i18n import t
from kejifu.scale import synth

plan = synth.synth_plan("county", seed=2006, n_targets=6)
reports = synth.synth_reports(plan, seed=2006)
paths, summary = reviews.five_year(plan, reports)
print(t("synthetic"))

# %% [markdown]
# ## 汇总：本系统状态与 Open SDG 状态 · Our status beside Open SDG's

# %%
tables.labelled(
    summary,
    columns=[
        "target_title",
        "unit",
        "year",
        "actual",
        "path",
        "completion",
        "expected_completion",
        "gap_pp",
        "on_track",
        "opensdg_status",
        "opensdg_score",
    ],
)

# %% [markdown]
# ## 逐年轨迹 · Year by year

# %%
tables.labelled(
    paths,
    columns=[
        "target_title",
        "year",
        "actual",
        "path",
        "completion",
        "expected_completion",
        "gap_pp",
        "opensdg_value",
        "opensdg_status",
        "opensdg_score",
    ],
)

# %%
charts.five_year(paths, synthetic=True)
