"""An import killed with SIGKILL at any moment leaves a consistent store, and re-running it lands it
exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from kejifu.store import Store
from kejifu.store.integrity import check_workspace
from tests.helpers import make_workspace
from tests.pg import backend, db_url, pg_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow  # ~1 min: ten killed imports on SQLite, five on PostgreSQL

SIDE = 150  # SIDE orgs × SIDE measures: ROWS distinct figures in one batch
ROWS = SIDE * SIDE
PLAN = (
    "\n".join(
        [
            "plan: {id: crash, title: 断电测试计划, region: 测试县, year: 2005}",
            "orgs:",
            "  - {id: county, name: 测试县, kind: county}",
            *[f"  - {{id: o{k}, name: 单位{k}, kind: enterprise, parent: county}}" for k in range(SIDE)],
            "measures:",
            *[f"  - {{id: m{k}, title: 数量{k}, unit: 个}}" for k in range(SIDE)],
            "targets:",
            "  - {id: mushroom_area, title: 食用菌面积, unit: 亩, target: 3000}",
        ]
    )
    + "\n"
)
SEED = int(os.environ.get("KEJIFU_CRASH_SEED", "2005"))

# The child: build a large batch, say "ready", commit it in one transaction, say "done".
CHILD = """
import sys
import pandas as pd
from kejifu.store import Store
ws, url, i, side = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), int(sys.argv[4])
frame = pd.DataFrame({"org": [f"o{j // side}" for j in range(side * side)],
                      "measure": [f"m{j % side}" for j in range(side * side)], "month": "2005-01",
                      "value": [float(i * 1_000_000 + j) for j in range(side * side)]})
store = Store.open(ws, url=url)
print("ready", flush=True)
store.commit_reports(frame, source_file=f"big-{i}.csv", sha256=f"big-{i}", who="crash-test")
print("done", flush=True)
store.close()
"""


def big_frame(i: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org": [f"o{j // SIDE}" for j in range(ROWS)],
            "measure": [f"m{j % SIDE}" for j in range(ROWS)],
            "month": "2005-01",
            "value": [float(i * 1_000_000 + j) for j in range(ROWS)],
        }
    )


def rows_of(store: Store, i: int) -> int:
    """Rows of batch ``big-i`` (0 when it did not land); the batch's own count must agree."""
    with store.engine.connect() as conn:
        added = (
            conn.execute(
                sa.text("SELECT rows_added FROM import_batches WHERE sha256 = :s"), {"s": f"big-{i}"}
            )
            .scalars()
            .all()
        )
        n = conn.execute(  # schema 2: a report row's sha256 is its batch's
            sa.text(
                "SELECT count(*) FROM reports r JOIN import_batches b ON b.id = r.batch_id "
                "WHERE b.sha256 = :s"
            ),
            {"s": f"big-{i}"},
        ).scalar_one()
    assert len(added) <= 1 and n == (added[0] if added else 0)
    return int(n)


@pytest.fixture
def ws(tmp_path, db_url):
    return make_workspace(tmp_path, PLAN, url=db_url)


def test_imports_killed_at_random_moments_leave_whole_batches_or_none_and_rerun_exactly_once(
    ws, db_url, backend
):
    rng = random.Random(SEED)
    rounds = 10 if backend == "sqlite" else 5
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    # how long a commit takes here, so that the kills spread over before, during and after it
    t0 = time.perf_counter()
    with Store.open(ws, url=db_url) as store:
        store.commit_reports(big_frame(0), source_file="big-0.csv", sha256="big-0")
    commit_s = time.perf_counter() - t0
    outcomes = []
    for i in range(1, rounds + 1):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ws), db_url or "", str(i), str(SIDE)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0, 1.3 * commit_s))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        with Store.open(ws, url=db_url) as store:
            landed = rows_of(store, i)
            assert landed in (0, ROWS), f"round {i}: a partial batch of {landed} rows"
            outcomes.append(landed == ROWS)
        report = check_workspace(ws, url=db_url)
        assert report.ok, (i, [str(f) for f in report.findings])
        # the planner runs the import again: it lands exactly once
        with Store.open(ws, url=db_url) as store:
            again = store.commit_reports(big_frame(i), source_file=f"big-{i}.csv", sha256=f"big-{i}")
            assert again.duplicate_file == (landed == ROWS)
            assert rows_of(store, i) == ROWS
            assert store.commit_reports(
                big_frame(i), source_file=f"big-{i}.csv", sha256=f"big-{i}"
            ).duplicate_file
    with Store.open(ws, url=db_url) as store:
        with store.engine.connect() as conn:
            revisions = conn.execute(
                sa.text("SELECT revision, count(*) FROM reports GROUP BY revision")
            ).all()
        assert sorted(revisions) == [
            (r, ROWS) for r in range(1, rounds + 2)
        ]  # every round revised every figure
        assert len(store.batches()) == rounds + 1
    # the kills hit both sides of the commit at least once over the rounds (seeded, so reproducible)
    assert False in outcomes, outcomes
    run = subprocess.run(
        [sys.executable, "-m", "kejifu", "check", str(ws)], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "integrity check passed" in run.stdout
