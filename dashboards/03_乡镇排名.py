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
# # 乡镇排名 / Towns
#
# 乡镇×指标热力图，乡镇排名，单个乡镇的任务卡片。
# Heatmap of towns by targets, the ranking, one town's scorecard.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only)
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu.web import boards

# %%
board = boards.towns()

# %%
board.layout
