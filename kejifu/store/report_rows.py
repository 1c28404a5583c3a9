"""Committing reports: incoming rows checked and compared with the latest stored revision, vectorised.

A batch may not name one org × measure × month twice (:func:`refuse_duplicates`). Each
incoming row is compared with the latest stored revision of its key (the batch's months' pages,
:mod:`.pages`): equal value and note — *unchanged*, not stored
again; different — stored as revision latest + 1; new — revision 1 (:func:`compare`). Keys
are compared as the store keeps them: the series id of the org × measure and the month as
``YYYYMM`` (:mod:`.keys`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import StoreError
from .batches import month_text, text_cells


def prepare(frame: pd.DataFrame, source_file: str) -> pd.DataFrame:
    """``org, measure, month, value, unit, note`` of a reports frame: text cleaned (each distinct
    cell once), months as ``YYYY-MM``, values as floats [the measure's unit]; a frame without
    the columns, or naming one org × measure × month twice, is refused with :class:`StoreError`."""
    missing = [c for c in ("org", "measure", "month", "value") if c not in frame.columns]
    if missing:
        raise StoreError(
            f"报表数据缺少列：{', '.join(missing)}",
            f"reports frame lacks columns: {', '.join(missing)}",
            file=source_file,
        )
    n = len(frame)
    rows = pd.DataFrame(
        {
            "org": text_cells(frame["org"]),
            "measure": text_cells(frame["measure"]),
            "month": text_cells(frame["month"], month_text),
            "value": pd.to_numeric(frame["value"], errors="coerce").astype(float).to_numpy(),
            "unit": text_cells(frame["unit"]) if "unit" in frame.columns else [None] * n,
            "note": text_cells(frame["note"]) if "note" in frame.columns else [None] * n,
        },
        dtype=object,
    )
    rows["value"] = rows["value"].astype(float)
    refuse_duplicates(rows, source_file)
    return rows


def refuse_duplicates(rows: pd.DataFrame, source_file: str) -> None:
    """:class:`StoreError` naming the first row whose org × measure × month came before in the batch."""
    keys = rows[["org", "measure", "month"]]
    dup = keys.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    i = int(np.flatnonzero(dup)[0])
    k = tuple(keys.iloc[i])
    same = (keys == keys.iloc[i]).all(axis=1).to_numpy() | (keys.isna() & keys.iloc[i].isna()).all(
        axis=1
    ).to_numpy()
    first = int(np.flatnonzero(same)[0])
    raise StoreError(
        f"同一批数据中重复：{k[0]} {k[1]} {k[2]}（第{first + 1}和第{i + 1}行）",
        f"duplicate row in one batch: {k[0]} {k[1]} {k[2]} (rows {first + 1} and {i + 1})",
        file=source_file,
        row=i + 1,
    )


def compare(rows: pd.DataFrame, prev: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Which ``rows`` to add (a mask), each row's revision, how many are unchanged and how many revised.

    ``rows`` has ``series_id, month`` (``YYYYMM``), ``value, note``; ``prev`` is
    :func:`kejifu.store.pages.previous`.

    Unchanged: a value equal to the latest revision's (``math.isclose`` with 1e-12 relative and
    absolute tolerance) and the same note."""
    n = len(rows)
    if prev.empty or n == 0:
        return np.ones(n, dtype=bool), np.ones(n, dtype=np.int64), 0, 0
    m = rows[["series_id", "month"]].merge(prev, how="left", on=["series_id", "month"], sort=False)
    has = m["p_revision"].notna().to_numpy()
    pv = pd.to_numeric(m["p_value"], errors="coerce").to_numpy(dtype=float)
    v = rows["value"].to_numpy(dtype=float)
    close = np.abs(pv - v) <= np.maximum(1e-12 * np.maximum(np.abs(pv), np.abs(v)), 1e-12)
    notes_equal = np.fromiter(
        ((a or None) == b for a, b in zip(m["p_note"].tolist(), rows["note"].tolist())), dtype=bool, count=n
    )
    same = has & close & notes_equal  # NaN values are never close: a row without a value is not 'unchanged'
    revision = np.where(has, pd.to_numeric(m["p_revision"]).fillna(0).to_numpy(dtype=np.int64) + 1, 1)
    add = ~same
    return add, revision, int(same.sum()), int((add & has).sum())
