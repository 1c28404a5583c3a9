# ---
# jupyter:
#   jupytext:
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
# # 指标详情 / Target detail
#
# 选一项指标：逐月累计完成与序时进度，各乡镇（企业）完成与分解任务，明细表。
# Pick a target: its trajectory, each town against its allocation, a table.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only)
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu.web import boards

# %%
board = boards.detail()

# %%
board.layout
