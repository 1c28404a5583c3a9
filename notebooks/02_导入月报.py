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
# **目的 / Purpose**：上传各乡镇报来的月报（xlsx/csv），逐个检查，无错误的文件入库；导入台帐（信息机、专利、
# 科研机构、科技特派员）登记表；为下月生成填报模板。
# Upload the towns' report files, validate each, commit the clean ones; import register files (terminals,
# patents, institutions, specialists); write next month's templates.
#
# **输入 / Inputs**：上传的文件（保存在 `<工作区>/uploads/`，只写入工作区内）；经办人姓名。
# Uploaded files, saved inside the workspace only; the clerk's name.
#
# **输出 / Outputs**：检查结果、入库批次（记经办人）；`<工作区>/templates/` 下的下月填报模板和台帐登记表。
# Validation report, committed batches (with the clerk's name), next month's templates and blank register
# templates in `<workspace>/templates/`.

# %%
import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from kejifu import documents, months, tables
from kejifu.i18n import t
from kejifu.io import importer
from kejifu.io import registers as register_files
from kejifu.io.template import write_template
from kejifu.registers import KINDS, register_targets
from kejifu.workspace import open_workspace

ws = open_workspace(readonly=False)
plan = ws.plan
print(ws, "最新月份 latest month:", ws.latest_month())

# %% [markdown]
# ## 上传与检查 · Upload and check
# 选择文件后自动检查；填写经办人姓名，点“入库”提交没有错误的文件。
# Files are checked on upload; enter the clerk's name, then “commit” stores the clean ones.

# %%
upload = widgets.FileUpload(accept=".xlsx,.csv", multiple=True, description=t("notebooks.upload"))
clerk = widgets.Text(description=t("notebooks.clerk"), placeholder=t("notebooks.clerk_placeholder"))
commit = widgets.Button(description=t("notebooks.commit"), button_style="primary")
out = widgets.Output()
saved = []


def problems_table(problems):
    rows = [
        {"problem_level": p.level, "where": p.location(), "problem": f"{p.zh} / {p.en}"} for p in problems
    ]
    return tables.labelled(pd.DataFrame(rows, columns=["problem_level", "where", "problem"]))


def on_upload(change):
    saved.clear()
    out.clear_output()
    with out:
        for f in upload.value:
            path = documents.save_upload(f["name"], f["content"])
            saved.append(path)
            try:
                checked, _ = importer.check_file(path, plan, ws.store.reports(), name=path.name)
                verdict = t("notebooks.ok") if checked.ok else t("notebooks.refused")
                print(path.name, verdict, len(checked.frame), "行 rows")
                if checked.problems:
                    display(problems_table(checked.problems))
            except importer.KejifuError as exc:
                print(path.name, t("notebooks.refused"))
                display(problems_table(exc.problems))


def show_outcome(outcome):
    if outcome.ok and outcome.result.duplicate_file:
        print(outcome.file, t("notebooks.duplicate"))
    elif outcome.ok:
        print(outcome.file, t("notebooks.committed"), outcome.result.rows_added, "行 rows")
    else:
        print(outcome.file, t("notebooks.not_committed"))
        display(problems_table(outcome.problems))


def on_commit(_):
    with out:
        if not clerk.value.strip():
            print(t("notebooks.need_clerk"))
            return
        for path in saved:
            show_outcome(importer.import_file(ws.store, path, who=clerk.value.strip(), name=path.name))
        ws.refresh()


upload.observe(on_upload, names="value")
commit.on_click(on_commit)
widgets.VBox([widgets.HBox([upload, clerk, commit]), out])

# %% [markdown]
# ## 导入台帐 · Import a register file
# 选择台帐类型，上传登记表（空白登记表见下方，或 `kejifu template DIR --register KIND`），点“导入台帐”：
# 整个文件检查无误才入库；已登记项目的更正作为新的修订版本保存，旧版本保留。经办人姓名同上。
# Choose the register, upload its file, import: stored only when every row is valid; a corrected item
# is a new revision, the old one kept. The clerk's name is the one above.

# %%
register_kinds = list(dict.fromkeys([*register_targets(plan).values(), *KINDS]))
register_kind = widgets.Dropdown(
    options=[(register_files.register_title(k), k) for k in register_kinds],
    description=t("registers.nb.kind"),
)
register_upload = widgets.FileUpload(
    accept=".xlsx,.csv", multiple=False, description=t("registers.nb.upload")
)
register_commit = widgets.Button(description=t("registers.nb.commit"), button_style="primary")
register_out = widgets.Output()


def on_register_commit(_):
    register_out.clear_output()
    with register_out:
        if not clerk.value.strip():
            print(t("notebooks.need_clerk"))
            return
        if not register_upload.value:
            print(t("registers.nb.nothing"))
            return
        for f in register_upload.value:
            path = documents.save_upload(f["name"], f["content"])
            outcome = register_files.import_register_file(
                ws.store, path, register_kind.value, who=clerk.value.strip(), name=path.name
            )
            show_outcome(outcome)
        ws.refresh()


register_commit.on_click(on_register_commit)
blank = [
    register_files.write_register_template(
        plan,
        k,
        documents.output_dir("templates") / f"台帐_{register_files.register_title(k)}_{plan.year}.xlsx",
    )
    for k in register_kinds
]
display(tables.labelled(pd.DataFrame({"template": [p.name for p in blank]})))
widgets.VBox([widgets.HBox([register_kind, register_upload, register_commit]), register_out])

# %% [markdown]
# ## 已入库批次 · Committed batches
# 最近10个批次：文件、入库时间、行数、经办人；校验值（sha256）点按钮后显示。
# The latest ten batches by file, time, rows and clerk; the sha256 on demand.

# %%
batches = ws.store.batches().tail(10)
display(
    tables.labelled(
        batches, columns=["source_file", "kind", "imported_at", "rows_added", "rows_unchanged", "who"]
    )
)
show_hash = widgets.ToggleButton(description=t("notebooks.show_hash"))
hashes = widgets.Output()


def on_show_hash(change):
    hashes.clear_output()
    if change["new"]:
        with hashes:
            display(tables.labelled(batches, columns=["source_file", "sha256"]))


show_hash.observe(on_show_hash, names="value")
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
tables.labelled(pd.DataFrame({"template": [p.name for p in templates]}, columns=["template"]))
