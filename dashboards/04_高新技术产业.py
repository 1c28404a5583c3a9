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
# # 高新技术产业 / High-tech industry
#
# 高新技术企业产值占规模以上工业产值比重：由分子、分母逐月计算。
# The high-tech output share, computed from its numerator and denominator.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (opened read-only)
# - 输出 / outputs: none; this dashboard never writes

# %%
from kejifu.web import boards

# %%
board = boards.hightech()

# %%
board.layout
