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
# **目的 / Purpose**：组织部维护挂职科技副职名册：导入名册、书面报告、年度考核、“五个一”和跟踪管理工作簿，
# 查看待办名单（书面报告、听取汇报、任期届满）和考核等次，打印任期考核表（Word）。
# Keep the deputy roster: import workbooks (all or nothing), see the due lists (reports, hearings,
# terms ending) and grades, print the end-of-term assessment sheet.
#
# - 输入 / inputs: the workspace in `$KEJIFU_WORKSPACE` (written to); the as-of date `$KEJIFU_AS_OF`
#   (default: end of the latest reported month); optionally a deputy workbook named in
#   `$KEJIFU_DEPUTIES_FILE` (sheets 科技副职名册, 书面报告, 年度考核, 任期考核, 五个一, 科技特派员,
#   跟踪管理 — `kejifu deputies DIR --template FILE` writes a blank one)
# - 输出 / outputs: new revisions in the workspace store; in the workspace's `exports/`: `任期考核表.docx`,
#   the yearly dual-assessment summary and the end-of-term sheet in 公文 format (docx and xlsx)

# %%
import os
from pathlib import Path

from IPython.display import display

from kejifu import deputies, tables
from kejifu.deputies import documents as deputies_docs
from kejifu.deputies import store as deputies_store
from kejifu.deputies import workbook as deputies_io
from kejifu.documents import output_dir
from kejifu.store import sha256_file
from kejifu.web.boards import deputies as deputies_views
from kejifu.workspace import open_workspace

ws = open_workspace(readonly=False)
store, plan = ws.store, ws.plan
AS_OF = os.environ.get("KEJIFU_AS_OF") or ws.default_as_of().isoformat()
#: How the deputies' tables are shown: catalogue headers, org names, coded values as words.
DEPUTIES = dict(area="deputies", plan=plan, codes={"grade": "deputies.grade", "level": "deputies.level"})

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
            source_file=Path(import_file).name,
            sha256=sha256_file(import_file),
            who="notebook",
        )
    )

# %% [markdown]
# ## 名册 / The roster

# %%
data = deputies_store.load(store)
summary = deputies.summary(data, AS_OF, plan=plan)
states = {s: f"deputies.state.{s}" for s in ("appointed", "serving", "completed", "recalled")}
tables.labelled(summary["by_batch"], headers=states, **DEPUTIES)

# %%
deputies_views.roster_figure(data.roster, AS_OF, plan)

# %%
tables.labelled(deputies.allowance(data.roster, f"{AS_OF[:4]}-01-01", AS_OF, plan), **DEPUTIES)

# %% [markdown]
# 待遇：副科级政治生活待遇、上浮一档职务工资和生活补贴，召回之日起取消。
# Treatment and allowance, stopped from a recall's date.

# %%
tables.labelled(
    deputies.treatment(data.roster, AS_OF, plan),
    codes={"state": "deputies.state"},
    area="deputies",
    plan=plan,
)

# %% [markdown]
# ## 待办 / Due lists — 书面报告（每年1-2次，至少1次）、听取汇报（每年至少1次）、三个月内任期届满

# %%
reported = {"status": "deputies.report", "missing": "deputies.col.to_", "recipients": "deputies.col.to_"}
tables.labelled(summary["reports_due"], **{**DEPUTIES, "codes": reported})

# %%
tables.labelled(summary["hearings_due"], **{**DEPUTIES, "codes": {"status": "deputies.hearing"}})

# %%
tables.labelled(summary["terms_ending"], **DEPUTIES)

# %% [markdown]
# ## 书面报告 / Written reports — 需跟进的报告 (to follow up: incomplete, or below the yearly minimum)

# %%
tables.labelled(summary["overdue"], **{**DEPUTIES, "codes": reported})

# %% [markdown]
# ## 规则与本县设置 / Rules and county settings
# 考核权重、等次分数线和“五个一”口径按本县办法设置（plan 的 `settings.deputies`），并非市里统一规定。

# %%
tables.labelled(deputies.settings_table(plan), columns=["label", "value", "source"], area="deputies")

# %% [markdown]
# ## 考核 / Assessments — 年度双重考核与任期考核 (yearly dual assessment and end of term)

# %%
assessors = {"town": "deputies.assessor.town", "orgdept": "deputies.assessor.orgdept"}
tables.labelled(deputies.yearly_grades(data.assessments, plan).tail(10), headers=assessors, **DEPUTIES)

# %%
sheet = deputies.end_of_term(data.roster, data.assessments, data.end_of_term, plan)
tables.labelled(sheet, **DEPUTIES)

# %% [markdown]
# ## “五个一”与科技特派员 / Five ones and specialists

# %%
tables.labelled(summary["five_ones_county"], **DEPUTIES)

# %%
tables.labelled(summary["specialists"], **DEPUTIES)

# %% [markdown]
# “五个一”活动先进单位和个人（上一年度，候选名单，由组织部审定）：
# 年度考核优秀且报送了“五个一”成果的科技副职，新增产值最多的乡镇。
# Commendation candidates of the previous year, for the organisation department to decide.

# %%
candidates = deputies.commendations(
    data.roster, data.outputs, data.assessments, int(AS_OF[:4]) - 1, settings=plan
)
display(tables.labelled(candidates["individuals"], **DEPUTIES))
tables.labelled(candidates["units"], **DEPUTIES)

# %% [markdown]
# ## 打印任期考核表 / Print the end-of-term assessment sheet

# %%
graded = sheet[sheet["grade"].isin(deputies.GRADES)]
out = deputies_io.end_of_term_docx(
    output_dir("exports") / "任期考核表.docx",
    graded,
    data.roster,
    plan=plan,
    synthetic=bool(data.roster["synthetic"].any()),
)
out

# %% [markdown]
# ## 公文 / Documents — 年度双重考核汇总表与届满考核表（docx、xlsx）
# 谈话情况和考核组意见标「（待填写）」，由组织部填写。 Interviews and the group's opinion are left to fill.

# %%
year = int(AS_OF[:4])
docs = deputies_docs.write_review(deputies_docs.yearly_review(plan, data, year - 1), output_dir("exports"))
docs += deputies_docs.write_review(deputies_docs.end_of_term_review(plan, data, AS_OF), output_dir("exports"))
ws.close()
[d.name for d in docs]
