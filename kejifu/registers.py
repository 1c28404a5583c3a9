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

Register *files* are read and checked by :mod:`kejifu.io.registers`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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
    """A register frame ready for the store: ``item_key``, ``org``, ``date``, ``title`` and
    ``withdrawn`` present."""
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
