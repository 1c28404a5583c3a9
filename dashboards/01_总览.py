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
# # 总览 / Overview
#
# 领导一眼看清各项目标：每项目标一张卡片（完成值、完成率、序时进度、状态），
# 各状态的指标数，截至月份与类别筛选，数据报送情况。
# A card per target, counts by status, as-of month and group filters, data freshness.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only)
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu.web import boards

# %%
board = boards.overview()

# %%
board.layout
