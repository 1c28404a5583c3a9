"""Several importers at once: every batch lands whole, revisions stay gap-free, nobody sees
'database is locked'."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest

from kejifu.store import Store
from kejifu.store.integrity import check_workspace
from tests.helpers import make_workspace
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures)

N_TOWNS = 6
PLAN = (
    "\n".join(
        [
            "plan: {id: conc, title: 并发测试计划, region: 测试县, year: 2005}",
            "orgs:",
            "  - {id: county, name: 测试县, kind: county}",
            *[f"  - {{id: t{k}, name: 测试{k}镇, kind: town, parent: county}}" for k in range(N_TOWNS)],
            "targets:",
            "  - {id: mushroom_area, title: 食用菌面积, unit: 亩, target: 3000}",
            "  - {id: terminals, title: 信息机, unit: 台, target: 353}",
        ]
    )
    + "\n"
)


@pytest.fixture
def ws(tmp_path, db_url):
    return make_workspace(tmp_path, PLAN, url=db_url)


def town_file(tmp_path, k: int, months: int = 6):
    """Town k's report file: its own mushroom figures for each month, plus the county terminal
    count for June (the same org × measure × month in every file: each import revises it)."""
    lines = ["单位,指标,月份,累计完成,计量单位,备注"]
    lines += [f"t{k},mushroom_area,2005-{m:02d},{10 * m + k},亩," for m in range(1, months + 1)]
    lines.append(f"county,terminals,2005-06,{100 + k},台,")
    path = tmp_path / f"t{k}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_several_kejifu_import_processes_at_once_all_land(tmp_path, ws):
    files = [town_file(tmp_path, k) for k in range(N_TOWNS)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kejifu", "import", str(ws), str(f), "--who", f"clerk{k}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for k, f in enumerate(files)
    ]
    outs = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for out, err, code in outs:
        assert "locked" not in (out + err).lower()
        assert code == 0, err
    with Store.open(ws, readonly=True) as store:
        batches = store.batches()
        assert sorted(batches["source_file"].map(lambda s: s.rsplit("/", 1)[-1])) == [
            f"t{k}.csv" for k in range(N_TOWNS)
        ]
        hist = store.history()
        for k in range(N_TOWNS):
            assert hist[hist.org == f"t{k}"]["value"].tolist() == [10.0 * m + k for m in range(1, 7)]
        shared = store.history(org="county", measure="terminals")
        assert shared["revision"].tolist() == list(range(1, N_TOWNS + 1))  # one revision per import, no gaps
        assert sorted(shared["value"]) == [100.0 + k for k in range(N_TOWNS)]
    assert check_workspace(ws).ok


def _writer(ws: str, url: str | None, k: int, n: int, queue) -> None:
    """Commit n batches straight through Store.commit_reports; report any exception text."""
    try:
        store = Store.open(ws, url=url)
        try:
            for i in range(n):
                rows = [("county", "terminals", "2005-06", float(1000 * k + i))]
                rows += [
                    (f"t{k}", "mushroom_area", f"2005-{m:02d}", float(i * 100 + m)) for m in range(1, 13)
                ]
                store.commit_reports(
                    pd.DataFrame(rows, columns=["org", "measure", "month", "value"]),
                    source_file=f"w{k}-{i}.csv",
                    sha256=f"w{k}-{i}",
                    who=f"w{k}",
                )
        finally:
            store.close()
        queue.put((k, "ok"))
    except Exception as exc:  # reported to the parent, which fails the test with it
        queue.put((k, f"{type(exc).__name__}: {exc}"))


def test_writer_processes_committing_directly_never_lose_or_clash(ws, db_url):
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    writers, per = 4, 8
    procs = [ctx.Process(target=_writer, args=(str(ws), db_url, k, per, queue)) for k in range(writers)]
    for p in procs:
        p.start()
    results = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert results == {k: "ok" for k in range(writers)}
    with Store.open(ws, readonly=True) as store:
        assert len(store.batches()) == writers * per
        shared = store.history(org="county", measure="terminals")
        assert shared["revision"].tolist() == list(range(1, writers * per + 1))
        for k in range(writers):
            mine = store.history(org=f"t{k}")
            assert len(mine) == 12 * per  # every batch whole: 12 months each
    report = check_workspace(ws)
    assert report.ok, [str(f) for f in report.findings]


def test_readers_keep_reading_while_writers_commit(ws, db_url):
    stop = threading.Event()
    seen, errors = [], []

    def read():
        try:
            with Store.open(ws, readonly=True) as ro:
                while not stop.is_set():
                    n = len(ro.history())
                    assert n % 13 == 0  # a batch is seen whole or not at all
                    seen.append(n)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        with Store.open(ws) as store:
            for i in range(15):
                rows = [("county", "terminals", f"2005-{1 + i % 12:02d}", float(i))]
                rows += [("t0", f"m{i}", f"2005-{m:02d}", float(m)) for m in range(1, 13)]
                store.commit_reports(
                    pd.DataFrame(rows, columns=["org", "measure", "month", "value"]),
                    source_file=f"r{i}",
                    sha256=f"r{i}",
                )
                time.sleep(0.01)
    finally:
        stop.set()
        reader.join(timeout=30)
    assert errors == []
    assert seen and seen == sorted(seen) and max(seen) <= 15 * 13
