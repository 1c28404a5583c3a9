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
# # 科技副职管理 / Managing the technology deputies
#
# 组织部维护挂职科技副职名册：导入名册、书面报告、年度考核和“五个一”工作簿，查看未按时报送的报告和考核等次，打印任期考核表（Word）。
# Keep the deputy roster: import workbooks (all or nothing), see overdue reports and grades, print the end-of-term assessment sheet.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (written to); the as-of date `$KEJIFU_AS_OF` (default: end of the latest reported month); optionally a deputy workbook named in `$KEJIFU_DEPUTIES_FILE`
#   (sheets 科技副职名册, 书面报告, 年度考核, 任期考核, 五个一, 科技特派员 — `kejifu deputies DIR --template FILE` writes a blank one)
# - 输出 / outputs: new revisions in the workspace store; `exports/任期考核表.docx` in the workspace

# %%
import os

from kejifu import config, deputies
from kejifu.deputies import store as deputies_store
from kejifu.deputies import workbook as deputies_io
from kejifu.store import Store, sha256_file
from kejifu.workspace import Workspace

store = Store.open(config.workspace_dir())
plan = store.plan()
AS_OF = os.environ.get("KEJIFU_AS_OF") or Workspace(config.workspace_dir(), store).default_as_of().isoformat()

# %% [markdown]
# ## 导入工作簿 / Import a workbook
# 整个文件校验通过才写入；有问题时列出全部问题（工作表!行: 列: 问题）。 Stored only if every row validates.

# %%
import_file = os.environ.get("KEJIFU_DEPUTIES_FILE")
if import_file:
    known = set(deputies_store.DeputyStore.from_store(store).roster()["person_id"])
    data_in = deputies_io.read_workbook(import_file, plan, known_people=known)
    print(
        deputies_store.commit(
            store,
            data_in,
            source_file=os.path.basename(import_file),
            sha256=sha256_file(import_file),
            who="notebook",
        )
    )

# %% [markdown]
# ## 名册 / The roster

# %%
data = deputies_store.load(store)
summary = deputies.summary(data, AS_OF, plan=plan)
summary["by_batch"]

# %%
deputies.roster_figure(data.roster, AS_OF, plan)

# %%
deputies.allowance(data.roster, f"{AS_OF[:4]}-01-01", AS_OF, plan)

# %% [markdown]
# ## 书面报告 / Written reports — 逾期或报送不全 (overdue or incomplete)

# %%
summary["overdue"]

# %% [markdown]
# ## 考核 / Assessments — 年度双重考核与任期考核 (yearly dual assessment and end of term)

# %%
deputies.yearly_grades(data.assessments, plan).tail(10)

# %%
sheet = deputies.end_of_term(data.roster, data.assessments, data.end_of_term, plan)
sheet

# %% [markdown]
# ## “五个一”与科技特派员 / Five ones and specialists

# %%
summary["five_ones_county"]

# %%
summary["specialists"]

# %% [markdown]
# ## 打印任期考核表 / Print the end-of-term assessment sheet

# %%
graded = sheet[sheet["grade"].isin(deputies.GRADES)]
out = deputies_io.end_of_term_docx(
    config.workspace_dir() / "exports" / "任期考核表.docx",
    graded,
    data.roster,
    plan=plan,
    synthetic=bool(data.roster["synthetic"].any()),
)
store.close()
out
