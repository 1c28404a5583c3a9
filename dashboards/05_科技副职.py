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
# 组织部一眼看清科技副职工作：按乡镇、批次的名册；待办名单（书面报告每年1-2次、
# 组织部每年至少听取一次汇报、三个月内任期届满）；书面报告报送情况，考核等次与届满考核结果，
# “五个一”活动成果，科技特派员派出情况；哪些是市里的规定、哪些是本县的设置。
# Roster by town and batch; the due lists (written reports 1–2 a year, hearings at least once a
# year, terms ending within three months); report compliance, grades and end-of-term results,
# five-ones outputs, specialists dispatched; which rules are the programme's and which are county settings.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only): the deputy tables
#   and the `specialists` register
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu.web.boards import deputies

# %%
board = deputies.board()

# %%
board.layout
