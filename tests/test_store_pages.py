"""The pages of latest figures (kejifu.store.pages): bytes that round-trip, damage that is refused."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from kejifu.errors import StoreError
from kejifu.store import pages


def page(month=200506, ids=(3, 7, 9), revisions=(1, 2, 1), batch=(4, 5, 4), values=(1.5, 2.0, 0.0)):
    n = len(ids)
    unit = np.array(["亩", None, "亩"][:n], dtype=object)
    note = np.array([None, "补报：村里漏报2户", None][:n], dtype=object)
    return pages.Page(
        month, np.array(ids), np.array(revisions), np.array(batch), np.array(values), unit, note
    )


def test_a_page_round_trips_through_its_bytes_with_its_units_and_notes():
    got = pages.decode(200506, pages.encode(page()))
    assert got.series_id.tolist() == [3, 7, 9] and got.revision.tolist() == [1, 2, 1]
    assert got.batch_id.tolist() == [4, 5, 4] and got.value.tolist() == [1.5, 2.0, 0.0]
    assert got.unit.tolist() == ["亩", None, "亩"] and got.note.tolist() == [None, "补报：村里漏报2户", None]
    # 8 magic + 4 header length + header + 3 rows × (5 int32 + 1 float64)
    data = pages.encode(page())
    (size,) = struct.unpack_from("<I", data, 8)
    assert len(data) == 12 + size + 3 * 28


def test_merging_a_later_revision_replaces_that_series_only_and_keeps_the_order():
    new = pages.Page(
        200506,
        np.array([7, 8]),
        np.array([3, 1]),
        np.array([6, 6]),
        np.array([9.0, 4.0]),
        np.array([None, None], dtype=object),
        np.array([None, "新"], dtype=object),
    )
    got = pages.merge(page(), new)
    assert got.series_id.tolist() == [3, 7, 8, 9]
    assert got.value.tolist() == [1.5, 9.0, 4.0, 0.0] and got.revision.tolist() == [1, 3, 1, 1]
    assert got.note.tolist() == [None, None, "新", None]


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda b: b"NOTAPAGE" + b[8:], "no page header"),
        (lambda b: b[:-1], "wrong length"),
        (lambda b: b[:12] + b"[" + b[13:], "the latest-figures page of 2005-06 is damaged"),
        (lambda b: b[: -24 - 12] + struct.pack("<i", 99) + b[-24 - 8 :], "a text index out of range"),
    ],
    ids=["header", "length", "JSON", "text index"],
)
def test_damaged_bytes_are_refused_naming_the_month(damage, words):
    with pytest.raises(StoreError) as exc:
        pages.decode(200506, damage(pages.encode(page())))
    assert words in str(exc.value) and "2005-06的最新数据页已损坏" in str(exc.value)
