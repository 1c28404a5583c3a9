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
# # 02 导入月报 · Import the month's reports
#
# **目的 / Purpose**：上传各乡镇报来的月报（xlsx/csv），逐个检查，无错误的文件入库；为下月生成填报模板。
# Upload the towns' report files, validate each, commit the clean ones; write next month's templates.
#
# **输入 / Inputs**：上传的文件（保存在 `<工作区>/uploads/`，只写入工作区内）。
# Uploaded files, saved inside the workspace only.
#
# **输出 / Outputs**：检查结果、入库批次；`<工作区>/templates/` 下的下月填报模板。
# Validation report, committed batches, next month's templates in `<workspace>/templates/`.

# %%
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from kejifu import documents, months
from kejifu.io import importer
from kejifu.io.template import write_template
from kejifu.workspace import open_workspace

ws = open_workspace(readonly=False)
plan = ws.plan
print(ws, "最新月份 latest month:", ws.latest_month())

# %% [markdown]
# ## 上传与检查 · Upload and check
# 选择文件后自动检查；点“入库”提交没有错误的文件。
# Files are checked on upload; “commit” stores the clean ones.

# %%
upload = widgets.FileUpload(accept=".xlsx,.csv", multiple=True, description="上传月报")
clerk = widgets.Text(description="经办人", placeholder="姓名 / the clerk's name")
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
        if not clerk.value.strip():
            print("请先填写经办人姓名 / enter the clerk's name first")
            return
        for path in saved:
            outcome = importer.import_file(ws.store, path, who=clerk.value.strip(), name=path.name)
            print(path.name, "已入库 committed" if outcome.ok else "未入库 refused")
        ws.refresh()


upload.observe(on_upload, names="value")
commit.on_click(on_commit)
widgets.VBox([widgets.HBox([upload, clerk, commit]), out])

# %% [markdown]
# ## 已入库批次 · Committed batches

# %%
BATCH_LABELS = {
    "source_file": "文件 / file",
    "imported_at": "入库时间 / imported at",
    "rows_added": "新增行 / rows added",
    "rows_unchanged": "未变行 / rows unchanged",
    "who": "经办人 / clerk",
}
batches = ws.store.batches().tail(10)
shown = batches[list(BATCH_LABELS)].assign(
    imported_at=pd.to_datetime(batches["imported_at"]).dt.strftime("%Y-%m-%d %H:%M")
)
show_hash = widgets.ToggleButton(description="显示校验值 / sha256")
hashes = widgets.Output()


def on_show_hash(change):
    hashes.clear_output()
    if change["new"]:
        with hashes:
            display(
                batches[["source_file", "sha256"]].rename(
                    columns={"source_file": BATCH_LABELS["source_file"]}
                )
            )


show_hash.observe(on_show_hash, names="value")
display(shown.rename(columns=BATCH_LABELS))
widgets.VBox([show_hash, hashes])

# %% [markdown]
# ## 下月填报模板 · Templates for next month

# %%
latest = ws.latest_month()
next_month = months.add(latest, 1) if latest else months.key(plan.year, 1)
folder = documents.output_dir("templates")
if months.split(next_month)[0] != plan.year:
    print(
        f"{plan.year}年已报完；{next_month}属于下一年度的计划 / "
        f"the year is complete: {next_month} needs next year's plan"
    )
    templates = []
else:
    templates = [
        write_template(plan, o.id, next_month, folder / f"{next_month}_{o.id}.xlsx", ws.reports)
        for o in plan.towns()
    ]
pd.DataFrame({"模板 template": [p.name for p in templates]})
