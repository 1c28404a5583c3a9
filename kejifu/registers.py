"""Registers (台帐): itemised records that targets are counted from.

Some targets are not reported as figures but counted from a register: each
information terminal installed (town, village, date, serial), each patent filed
(title, applicant, org, date), each new research institution (name, org, date),
each technology specialist dispatched (name, org, date, level county/town,
outside hire). The store keeps them as generic *register items* (kind,
item_key, org, date, title and the other fields as attributes), append-only.

:func:`register_reports` turns items into the ordinary reports frame — monthly
year-to-date counts per org — so that status, series and projection treat
register-fed targets like any other. A register is complete by definition: an
org allocated a share of the target but with no items counts 0.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Problem, ReportImportError
from .i18n import t
from .plan import Plan


@dataclass(frozen=True)
class RegisterKind:
    """What a register of one kind records.

    ``key`` is the field identifying an item (an explicit ``serial`` column wins when
    present); ``required`` the fields every row needs; ``fields`` every field kept.
    """

    kind: str
    key: str
    required: tuple[str, ...]
    fields: tuple[str, ...] = field(default=())


KINDS: dict[str, RegisterKind] = {
    "terminals": RegisterKind(
        "terminals",
        "serial",
        ("org", "village", "date", "serial"),
        ("org", "village", "date", "serial", "title", "note"),
    ),
    "patents": RegisterKind(
        "patents", "title", ("title", "org", "date"), ("title", "applicant", "org", "date", "serial", "note")
    ),
    "research_institutions": RegisterKind(
        "research_institutions", "title", ("title", "org", "date"), ("title", "org", "date", "serial", "note")
    ),
    "specialists": RegisterKind(
        "specialists",
        "title",
        ("title", "org", "date"),
        ("title", "org", "date", "level", "outside", "serial", "note"),
    ),
}

#: Header aliases (Chinese and English, compared without spaces and case) -> field.
HEADERS: dict[str, str] = {}
for _field, _aliases in {
    "org": [
        "org",
        "town",
        "乡镇",
        "单位",
        "乡镇街道",
        "乡镇/街道",
        "所在乡镇",
        "所属单位",
        "派驻单位",
        "受援单位",
    ],
    "village": ["village", "村", "村庄", "行政村", "安装村"],
    "date": ["date", "日期", "安装日期", "申请日期", "成立日期", "派出日期", "时间"],
    "serial": ["serial", "id", "key", "item_key", "编号", "设备编号", "申请号", "证书编号"],
    "title": ["title", "name", "名称", "专利名称", "机构名称", "姓名", "题目"],
    "applicant": ["applicant", "申请人", "专利申请人"],
    "level": ["level", "级别", "层级", "派出级别"],
    "outside": ["outside", "县外", "外聘", "是否县外", "县外聘请"],
    "note": ["note", "notes", "备注", "说明"],
    "withdrawn": ["withdrawn", "撤销", "作废", "已撤销"],
}.items():
    for _a in _aliases:
        HEADERS[_a.replace(" ", "").lower()] = _field

_TRUE = {"1", "true", "yes", "y", "是", "√", "✓", "对", "县外"}
_FALSE = {"0", "false", "no", "n", "否", "", "县内"}
_LEVELS = {
    "county": "county",
    "县": "county",
    "县级": "county",
    "县派": "county",
    "town": "town",
    "乡镇": "town",
    "乡镇级": "town",
    "镇级": "town",
    "乡镇派": "town",
}


def kind_of(kind: str) -> RegisterKind:
    """The :class:`RegisterKind` for ``kind``; unknown kinds are keyed by ``serial`` or ``title``."""
    return KINDS.get(kind) or RegisterKind(
        kind, "title", ("org", "date"), ("title", "org", "date", "serial", "note")
    )


def item_keys(frame: pd.DataFrame, kind: str) -> pd.Series:
    """Each item's key within its register: its ``serial`` if given, else the kind's key field."""
    spec = kind_of(kind)
    key = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for col in ("serial", spec.key, "title"):
        if col in frame.columns:
            vals = frame[col].map(
                lambda v: (
                    None
                    if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""
                    else str(v).strip()
                )
            )
            key = key.where(key.notna(), vals)
    return key


def normalise_items(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A register frame ready for the store: ``item_key``, ``org``, ``date``, ``title``, ``withdrawn`` present."""
    df = frame.copy()
    if "kind" in df.columns:
        df = df.drop(columns=["kind"])
    if "item_key" not in df.columns:
        df["item_key"] = item_keys(df, kind)
    if "title" not in df.columns:
        df["title"] = None
    if "withdrawn" not in df.columns:
        df["withdrawn"] = False
    for col in ("org", "date"):
        if col not in df.columns:
            df[col] = None
    return df


def register_targets(plan: Plan) -> dict[str, str]:
    """Register-fed targets of ``plan``: target id -> register kind."""
    return {tg.id: (tg.register_kind or tg.id) for tg in plan.targets if tg.source == "register"}


def register_reports(plan: Plan, items: pd.DataFrame, *, through: int | str | None = None) -> pd.DataFrame:
    """Monthly year-to-date counts per org from register items, as a reports frame.

    ``items`` has one row per (current, not withdrawn) item with ``kind, org, date``.
    For every target with ``source: register`` (its ``register_kind``, else its id,
    names the register), items dated in ``plan.year`` are counted by month. Rows run
    from January through ``through`` (a month number 1..12 or ``YYYY-MM``), by default
    through the latest item month of that register; every org with items and every org
    allocated a share of the target gets a row each month (0 before its first item).
    A register without items in the year gives no rows unless ``through`` is given.

    Returns ``org, measure (the target id), month ('YYYY-MM'), value [count], note``.
    """
    cols = ["org", "measure", "month", "value", "note"]
    out = []
    targets = register_targets(plan)
    if not targets:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in cols})
    if items is None or items.empty:
        items = pd.DataFrame(
            {
                "kind": pd.Series(dtype=object),
                "org": pd.Series(dtype=object),
                "date": pd.Series(dtype="datetime64[ns]"),
            }
        )
    dates = pd.to_datetime(items["date"], errors="coerce")
    in_year = dates.dt.year == plan.year
    if "withdrawn" in items.columns:
        in_year &= ~items["withdrawn"].fillna(False).astype(bool)
    its = pd.DataFrame(
        {"kind": items["kind"].to_numpy(), "org": items["org"].to_numpy(), "mnum": dates.dt.month.to_numpy()}
    )[in_year.to_numpy()]
    if isinstance(through, str):
        y, m = int(through[:4]), int(through[5:7])
        through = 0 if y < plan.year else (12 if y > plan.year else m)
    note = t("store.register_note")
    for tid, kind in targets.items():
        k = its[its["kind"] == kind]
        last = int(through) if through is not None else (int(k["mnum"].max()) if not k.empty else 0)
        if last <= 0:
            continue
        orgs = list(dict.fromkeys(list(plan.target(tid).allocations) + sorted(k["org"].dropna().unique())))
        counts = np.zeros((len(orgs), last), dtype=float)
        index = {o: i for i, o in enumerate(orgs)}
        for org, m in zip(k["org"], k["mnum"]):
            if m <= last:
                counts[index[org], int(m) - 1] += 1
        ytd = counts.cumsum(axis=1)
        for org, i in index.items():
            for m in range(1, last + 1):
                out.append((org, tid, f"{plan.year:04d}-{m:02d}", float(ytd[i, m - 1]), note))
    frame = pd.DataFrame(out, columns=cols)
    frame["value"] = frame["value"].astype(float)
    return frame


# ----- reading register files --------------------------------------------------------------------


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=object, engine="openpyxl")
    if suffix == ".csv":
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
            except UnicodeDecodeError:
                continue
    raise ReportImportError("台帐文件必须是CSV或XLSX", "a register file must be CSV or XLSX", file=str(path))


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT or str(v).strip() == ""


def _parse_date(v) -> dt.date | None:
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(v).date()
    if isinstance(v, dt.date):
        return v
    s = (
        str(v)
        .strip()
        .replace("年", "-")
        .replace("月", "-")
        .replace("日", "")
        .replace("/", "-")
        .replace(".", "-")
    )
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in s.split("-")) if s.count("-") == 2 else s)
    except ValueError:
        return None


def read_register_file(path: str | Path, kind: str, plan: Plan) -> pd.DataFrame:
    """Read and validate a register file (CSV or XLSX, Chinese or English headers).

    All or nothing: every problem (missing column, unknown org, bad date, date
    outside the plan year, duplicate key, bad level or yes/no) is collected with
    its file, row (the line in the file, header = 1) and field, then raised as one
    :class:`ReportImportError`. Returns ``kind, item_key, org, date, title,
    withdrawn`` plus the kind's other fields (``village``, ``serial``, ``applicant``,
    ``level``, ``outside``, ``note``).
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise ReportImportError("找不到台帐文件", "register file not found", file=file)
    known = set(register_targets(plan).values()) | set(KINDS)
    if kind not in known:
        raise ReportImportError(
            f"未知的台帐类型 {kind!r}，可选：{', '.join(sorted(known))}",
            f"unknown register kind {kind!r}; choose one of {', '.join(sorted(known))}",
            file=file,
        )
    spec = kind_of(kind)
    raw = _read_table(path)
    rename, problems = {}, []
    for col in raw.columns:
        f = HEADERS.get(str(col).replace(" ", "").replace("\u3000", "").lower())
        if f is not None and f not in rename.values():
            rename[col] = f
    df = raw.rename(columns=rename)[list(rename.values())]
    for f in spec.required:
        if f not in df.columns and not (f == spec.key and "serial" in df.columns):
            problems.append(
                Problem(
                    f"缺少列“{t('store.field.' + f)}”",
                    f"missing column {t('store.field.' + f, 'en')!r}",
                    file=file,
                    row=1,
                    field=f,
                )
            )
    if problems:
        raise ReportImportError(problems=problems)
    df = df[[not all(_blank(v) for v in row) for row in df.itertuples(index=False)]]
    records, seen = [], {}
    for line, rec in zip(df.index + 2, df.to_dict("records")):
        out = {"kind": kind}
        for f in spec.required:
            if f in rec and _blank(rec[f]):
                problems.append(
                    Problem("必填项为空", "required value is empty", file=file, row=line, field=f)
                )
        org = None if _blank(rec.get("org")) else str(rec["org"]).strip()
        if org is not None and org not in plan.org_index:
            by_name = {o.name: o.id for o in plan.orgs}
            if org in by_name:
                org = by_name[org]
            else:
                problems.append(
                    Problem(f"未知单位“{org}”", f"unknown org {org!r}", file=file, row=line, field="org")
                )
        out["org"] = org
        date = None
        if not _blank(rec.get("date")):
            date = _parse_date(rec["date"])
            if date is None:
                problems.append(
                    Problem(
                        f"日期无效“{rec['date']}”（应为YYYY-MM-DD）",
                        f"bad date {str(rec['date'])!r} (use YYYY-MM-DD)",
                        file=file,
                        row=line,
                        field="date",
                    )
                )
            elif date.year != plan.year:
                problems.append(
                    Problem(
                        f"日期{date}不在计划年度{plan.year}内",
                        f"date {date} is outside the plan year {plan.year}",
                        file=file,
                        row=line,
                        field="date",
                    )
                )
        out["date"] = pd.Timestamp(date) if date is not None else pd.NaT
        for f in ("title", "village", "serial", "applicant", "note"):
            if f in rec:
                out[f] = None if _blank(rec[f]) else str(rec[f]).strip()
        if "level" in rec and not _blank(rec["level"]):
            lv = _LEVELS.get(str(rec["level"]).strip().lower())
            if lv is None:
                problems.append(
                    Problem(
                        f"级别“{rec['level']}”应为县级或乡镇级",
                        f"level {rec['level']!r} must be county or town",
                        file=file,
                        row=line,
                        field="level",
                    )
                )
            out["level"] = lv
        for f in ("outside", "withdrawn"):
            if f in rec:
                s = "" if _blank(rec[f]) else str(rec[f]).strip().lower()
                if s in _TRUE:
                    out[f] = True
                elif s in _FALSE:
                    out[f] = False
                else:
                    problems.append(
                        Problem(
                            f"“{rec[f]}”应为是或否",
                            f"{rec[f]!r} must be yes or no",
                            file=file,
                            row=line,
                            field=f,
                        )
                    )
        out.setdefault("withdrawn", False)
        key = next((out.get(c) for c in ("serial", spec.key, "title") if out.get(c)), None)
        if kind == "terminals" and out.get("title") is None and out.get("village"):
            out["title"] = out["village"]
        out["item_key"] = key
        if key is not None:
            if key in seen:
                problems.append(
                    Problem(
                        f"编号“{key}”与第{seen[key]}行重复",
                        f"duplicate key {key!r} (also on line {seen[key]})",
                        file=file,
                        row=line,
                        field="serial" if "serial" in rec else spec.key,
                    )
                )
            else:
                seen[key] = line
        records.append(out)
    if problems:
        raise ReportImportError(problems=problems)
    cols = ["kind", "item_key", "org", "date", "title", "withdrawn"]
    extra = [f for f in spec.fields if f not in cols and any(f in r for r in records)]
    frame = pd.DataFrame(records, columns=cols + extra)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["withdrawn"] = frame["withdrawn"].astype(bool)
    return frame
