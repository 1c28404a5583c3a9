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
# ---

# %% [markdown]
# # 02 导入月报 · Import the month's reports
#
# **目的 / Purpose**：上传各乡镇报来的月报（xlsx/csv），逐个检查，无错误的文件入库；为下月生成填报模板。
# Upload the towns' report files, validate each, commit the clean ones; write next month's templates.
#
# **输入 / Inputs**：上传的文件（保存在 `<工作区>/uploads/`，只写入工作区内）。 Uploaded files, saved inside the workspace only.
#
# **输出 / Outputs**：检查结果、入库批次；`<工作区>/templates/` 下的下月填报模板。
# Validation report, committed batches, next month's templates in `<workspace>/templates/`.

# %%
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from kejifu import documents
from kejifu.io import importer
from kejifu.io.template import write_template
from kejifu.workspace import open_workspace

ws = open_workspace(readonly=False)
plan = ws.plan
print(ws, "最新月份 latest month:", ws.latest_month())

# %% [markdown]
# ## 上传与检查 · Upload and check
# 选择文件后自动检查；点“入库”提交没有错误的文件。 Files are checked on upload; “commit” stores the clean ones.

# %%
upload = widgets.FileUpload(accept=".xlsx,.csv", multiple=True, description="上传月报")
commit = widgets.Button(description="入库 / commit", button_style="primary")
out = widgets.Output()
saved = []


def problems_frame(problems):
    return pd.DataFrame(
        [{"级别": p.level, "位置": p.location(), "问题": f"{p.zh} / {p.en}"} for p in problems]
    )


def on_upload(change):
    saved.clear()
    out.clear_output()
    with out:
        for f in upload.value:
            path = documents.save_upload(f["name"], f["content"])
            saved.append(path)
            try:
                checked, _ = importer.check_file(path, plan, ws.store.reports(), name=path.name)
                print(path.name, "✓" if checked.ok else "✗", len(checked.frame), "行 rows")
                display(problems_frame(checked.problems))
            except importer.KejifuError as exc:
                print(path.name, "✗")
                display(problems_frame(exc.problems))


def on_commit(_):
    with out:
        for path in saved:
            outcome = importer.import_file(ws.store, path, name=path.name)
            print(path.name, "已入库 committed" if outcome.ok else "未入库 refused")
        ws.refresh()


upload.observe(on_upload, names="value")
commit.on_click(on_commit)
widgets.VBox([widgets.HBox([upload, commit]), out])

# %% [markdown]
# ## 已入库批次 · Committed batches

# %%
ws.store.batches().tail(10)

# %% [markdown]
# ## 下月填报模板 · Templates for next month

# %%
latest = ws.latest_month() or f"{plan.year}-01"
next_month = f"{plan.year}-{min(int(latest[5:7]) + 1, 12):02d}"
folder = documents.output_dir("templates")
templates = [
    write_template(plan, o.id, next_month, folder / f"{next_month}_{o.id}.xlsx", ws.reports)
    for o in plan.towns()
]
pd.DataFrame({"模板 template": [p.name for p in templates]})
