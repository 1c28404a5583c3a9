"""The store and workspace rows of the benchmark: how fast a big workspace is written, opened and read.

:func:`run` writes the synthetic reports into a real workspace store (one batch a month, as
monthly imports would) and measures, each next to its goal (a 2-core machine):

* writing: ≥ 300k rows/s into SQLite (judged on this process's CPU time), ≥ 150k rows/s into
  PostgreSQL (judged on wall time: the server does the work);
* loading the plan (``Workspace.plan``, a fresh store): ≤ 0.5 s;
* opening the workspace (plan, reports of the plan year and the year before, registers): ≤ 2 s;
* ``kejifu status DIR --as-of …`` end to end (a new process): ≤ 3 s, ≤ 4× the in-memory
  status + roll-up of the same figures measured in the same run, peak memory ≤ 1 GB;
* importing a province month through ``kejifu import`` (a CSV of ~144k rows: every town and
  measure of the last two months, each figure revised; validation included): ≤ 3 s;
* picking up a new batch in an open workspace (``Workspace.refresh()``): ≤ 1 s.

The figures are synthetic (合成示例数据).
"""

from __future__ import annotations

import contextlib
import math
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..status import status

GOALS = {
    "write_sqlite_rows_s": 300_000,
    "write_postgresql_rows_s": 150_000,
    "plan_s": 0.5,
    "open_s": 2.0,
    "cli_status_s": 3.0,
    "cli_status_ratio": 4.0,
    "cli_status_gb": 1.0,
    "import_month_s": 3.0,
    "refresh_s": 1.0,
}


def write_plan(plan, path: Path) -> Path:
    """The plan as a YAML plan file (for :meth:`Store.create`)."""
    import yaml

    data = plan.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``org``, ``measure`` and ``month`` as plain text (the synthetic frame has categoricals)."""
    return frame.assign(**{c: frame[c].astype(str) for c in ("org", "measure", "month")})


def commit_months(store, plan, reports: pd.DataFrame) -> int:
    """Commit ``reports`` one batch a month; the number of rows."""
    for month, part in reports.groupby("month", observed=True, sort=True):
        store.commit_reports(
            as_text(part),
            source_file=f"synthetic-{month}.csv",
            sha256=f"synthetic-{plan.plan.id}-{month}",
            who="bench",
        )
    return len(reports)


def _child(args: list[str], env: dict) -> tuple[float, float, float, int, str]:
    """Run ``python -m kejifu ARGS``: wall and CPU seconds, peak memory [GB], exit code, the first
    line of its messages that names a problem."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    wall = time.perf_counter() - w
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = done.stderr.decode("utf-8", "replace").splitlines()
    peak_kb = next((float(ln.split()[1]) for ln in lines if ln.startswith("VmHWM:")), math.nan)
    problem = next((ln for ln in lines if ":" in ln and "/" in ln and "refused" not in ln), "")
    return wall, cpu, peak_kb / 1024**2, done.returncode, problem[-160:]


#: ``python -m kejifu ARGS`` that prints its own peak resident memory (``VmHWM``) on stderr at exit.
#: ``ru_maxrss`` of a child is not used: on Linux it keeps the forked parent's high-water mark
#: across exec, so a child of a large bench process would read as large as the bench itself.
_PEAK_WRAPPER = """
import atexit, sys
def _peak():
    with open("/proc/self/status") as f:
        sys.stderr.write("".join(ln for ln in f if ln.startswith("VmHWM:")))
atexit.register(_peak)
sys.argv = ["kejifu", *sys.argv[1:]]
from kejifu.cli import main
sys.exit(main())
"""


def run(
    result,
    plan,
    reports: pd.DataFrame,
    tmp: Path,
    *,
    repeat: int = 3,
    url: str | None = None,
    label: str = "SQLite",
    say: Callable[[str], None] = lambda msg: None,
    timed: Callable | None = None,
) -> Path:
    """Measure the store and workspace at this scale (see the module docstring); the workspace folder."""
    from ..store import Store
    from ..workspace import open_workspace

    if timed is None:
        from .bench import timed
    ws = tmp / f"ws-{label.lower()}"
    url = url or f"sqlite:///{ws / 'kejifu.sqlite'}"
    plan_file = write_plan(plan, tmp / "plan.yaml")
    env = {**os.environ, "KEJIFU_DB_URL": url}
    pg = label != "SQLite"

    say(f"{label}: write")
    store = Store.create(ws, plan_file, url=url)
    w, c = time.perf_counter(), time.process_time()
    n = commit_months(store, plan, reports)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    store.close()
    goal = GOALS["write_postgresql_rows_s" if pg else "write_sqlite_rows_s"]
    rate = n / (wall if pg else cpu)
    result.add(
        f"{label}: write {n:,} report rows (commit_reports, one batch a month)",
        wall,
        cpu=cpu,
        goal=f"≥ {goal / 1000:,.0f}k rows/s",
        ok=rate >= goal,
        note=f"{rate / 1000:,.0f}k rows/s ({'wall: the server works' if pg else 'on CPU time'}); "
        f"{n / wall / 1000:,.0f}k rows/s wall",
    )

    def plan_only():
        with contextlib.closing(Store.open(ws, readonly=True, url=url)) as s:
            return s.plan()

    wall, cpu, _ = timed(plan_only, repeat)
    result.add(
        f"{label}: load the plan (Workspace.plan, {len(plan.orgs):,} orgs)",
        wall,
        cpu=cpu,
        goal=f"≤ {GOALS['plan_s']:g} s",
        ok=cpu <= GOALS["plan_s"],
        note="parsed once when stored, then JSON + validation",
    )

    def opened():
        w = open_workspace(ws)
        w.plan, w.reports  # noqa: B018 - what a dashboard kernel reads when it starts
        return w

    old = os.environ.get("KEJIFU_DB_URL")
    os.environ["KEJIFU_DB_URL"] = url
    try:
        wall, cpu, opened_ws = timed(opened, repeat)
        frame = opened_ws.reports
        result.add(
            f"{label}: open the workspace (plan + reports of the plan year and the year before + registers)",
            wall,
            cpu=cpu,
            goal=f"≤ {GOALS['open_s']:g} s",
            ok=cpu <= GOALS["open_s"],
            note=f"{len(frame):,} rows",
        )
        as_of = f"{plan.year}-06-30"
        s_wall, s_cpu, _ = timed(lambda: status(opened_ws.plan, frame, as_of, rollup=True), repeat)
        result.add(f"{label}: status + roll-up of these rows in memory", s_wall, cpu=s_cpu)
        say(f"{label}: kejifu status")
        runs = [_child(["status", str(ws), "--as-of", as_of, "--format", "csv"], env) for _ in range(repeat)]
        c_wall = sorted(r[0] for r in runs)[len(runs) // 2]
        c_cpu = sorted(r[1] for r in runs)[len(runs) // 2]
        peak = max(r[2] for r in runs)
        ratio = c_cpu / s_cpu if s_cpu > 0 else float("nan")
        ok = all(r[3] == 0 for r in runs)
        result.add(
            f"{label}: kejifu status DIR --as-of {as_of} end to end (a new process)",
            c_wall,
            cpu=c_cpu,
            goal=f"≤ {GOALS['cli_status_s']:g} s and ≤ {GOALS['cli_status_ratio']:g}× in memory",
            ok=ok and c_cpu <= GOALS["cli_status_s"] and ratio <= GOALS["cli_status_ratio"],
            note=f"{ratio:.1f}× the in-memory status + roll-up (CPU); exit codes {[r[3] for r in runs]}",
        )
        result.add(
            f"{label}: peak memory of kejifu status (ru_maxrss of the process)",
            peak,
            unit="GB",
            goal=f"≤ {GOALS['cli_status_gb']:g} GB",
            ok=peak <= GOALS["cli_status_gb"],
        )
        say(f"{label}: kejifu import of a CSV")
        month = f"{plan.year}-11..12"
        part = as_text(reports[reports["month"].astype(str).isin([f"{plan.year}-11", f"{plan.year}-12"])])
        csv = tmp / f"reports-{plan.year}-11-12-{label.lower()}.csv"
        units = {m: plan.measure_unit(m) for m in part["measure"].unique()}
        revised = part.assign(value=part["value"] + 1, unit=part["measure"].map(units))[
            ["org", "measure", "month", "value", "unit"]
        ]
        revised.to_csv(csv, index=False)
        i_wall, i_cpu, _, code, problem = _child(["import", str(ws), str(csv), "--who", "bench"], env)
        result.add(
            f"{label}: kejifu import of a CSV of {len(part):,} rows ({month}: every town and measure, "
            "every figure a revision)",
            i_wall,
            cpu=i_cpu,
            goal=f"≤ {GOALS['import_month_s']:g} s",
            ok=code == 0 and i_cpu <= GOALS["import_month_s"],
            note=f"exit code {code}; validation included" + (f"; {problem}" if code else ""),
        )
        if code:  # the refresh below still needs a new batch: commit the month through the store
            with contextlib.closing(Store.open(ws, url=url)) as other:
                other.commit_reports(revised, source_file=csv.name, sha256=f"bench-{csv.name}", who="bench")
        w, c = time.perf_counter(), time.process_time()
        changed = opened_ws.refresh()
        r_wall, r_cpu = time.perf_counter() - w, time.process_time() - c
        picked = changed and opened_ws.reports["value"].sum() != frame["value"].sum()
        result.add(
            f"{label}: an open workspace picks up the new batch (Workspace.refresh())",
            r_wall,
            cpu=r_cpu,
            goal=f"≤ {GOALS['refresh_s']:g} s",
            ok=bool(picked) and r_cpu <= GOALS["refresh_s"],
            note="re-reads the month the batch touched" if picked else "the new batch was NOT picked up",
        )
        opened_ws.close()
    finally:
        os.environ.pop("KEJIFU_DB_URL", None)
        if old is not None:
            os.environ["KEJIFU_DB_URL"] = old
    return ws


def plan_year_store(plan, reports: pd.DataFrame, folder: Path) -> Path:
    """A workspace store with only the plan year's reports (one batch a month), for the dashboard
    benchmark: the dashboards evaluate one plan year."""
    from ..store import Store

    year = reports[reports["month"].astype(str).str.startswith(str(plan.year))]
    store = Store.create(folder, write_plan(plan, folder.parent / "plan-year.yaml"))
    commit_months(store, plan, year)
    store.close()
    return folder


@contextlib.contextmanager
def postgres_schema(url: str):
    """A fresh schema on the PostgreSQL server of ``url`` for one run (dropped afterwards): its URL."""
    import sqlalchemy as sa

    schema = f"kejifu_bench_{os.getpid()}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield (
            sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)
        )
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
