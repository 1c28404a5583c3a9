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
# # 科技副职 / Technology deputies
#
# 组织部一眼看清科技副职工作：按乡镇、批次的名册，书面报告报送情况，考核等次分布，“五个一”活动成果，科技特派员派出情况。 Roster by town and batch, report compliance, grade distribution, five-ones outputs and specialists dispatched.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only): the deputy tables and the `specialists` register
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu import deputies

# %%
board = deputies.board()

# %%
board.layout
