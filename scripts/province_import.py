"""Build a province-sized workspace the way a province would, and time it: ``kejifu init`` with the
synthetic province plan, ``kejifu import`` of one CSV a month (every town and measure), then
``kejifu status`` end to end next to the in-memory status + roll-up of the same figures.

    python scripts/province_import.py [--scale province] [--months 6] [--keep DIR]

Each step runs the real command in a new process (as a planner would run it) and is timed in wall
and CPU seconds; the table is printed in Markdown. The figures are synthetic (合成示例数据):
``kejifu.scale.synth``, 2,400 towns and 30 targets at province scale. ``--keep DIR`` leaves the
plan, the CSV files and the workspace in DIR (default: a temporary folder, deleted afterwards).
``KEJIFU_DB_URL`` is honoured as by every command.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(args: list[str]) -> tuple[float, float, int, str]:
    """``python -m kejifu ARGS`` in a new process: wall and CPU seconds, exit code, its last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "kejifu", *args], capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return wall, cpu, done.returncode, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="province", choices=["county", "city", "province"])
    ap.add_argument("--months", type=int, default=6, help="months of the plan year to import (1-12)")
    ap.add_argument("--keep", metavar="DIR", help="leave the plan, CSV files and workspace here")
    args = ap.parse_args(argv)
    if not 1 <= args.months <= 12:
        ap.error("--months: 1-12")

    import pandas as pd

    from kejifu.scale import synth
    from kejifu.scale.bench_store import as_text, write_plan
    from kejifu.status import status
    from kejifu.workspace import open_workspace

    folder = Path(args.keep or tempfile.mkdtemp(prefix="kejifu-province-"))
    folder.mkdir(parents=True, exist_ok=True)
    plan = synth.synth_plan(args.scale, seed=1)
    reports = as_text(synth.synth_reports(plan, seed=1))
    year = plan.year
    months = [f"{year:04d}-{m:02d}" for m in range(1, args.months + 1)]
    units = {m: plan.measure_unit(m) for m in reports["measure"].unique()}
    plan_file = write_plan(plan, folder / "plan.yaml")
    files = []
    for month in months:
        part = reports[reports["month"] == month]
        path = folder / f"reports-{month}.csv"
        part.assign(unit=part["measure"].map(units))[["org", "measure", "month", "value", "unit"]].to_csv(
            path, index=False
        )
        files.append((path, len(part)))
    ws = folder / "ws"
    rows: list[tuple[str, float, float, str]] = []
    wall, cpu, code, last = _run(["init", str(ws), "--plan", str(plan_file)])
    rows.append(
        (f"kejifu init ({len(plan.orgs):,} orgs, {len(plan.targets)} targets)", wall, cpu, f"exit {code}")
    )
    if code:
        print(last, file=sys.stderr)
        return 1
    for path, n in files:
        wall, cpu, code, last = _run(["import", str(ws), str(path), "--who", "province_import"])
        rows.append((f"kejifu import {path.name} ({n:,} rows)", wall, cpu, f"exit {code}"))
        if code:
            print(last, file=sys.stderr)
            return 1
    as_of = str(pd.Period(months[-1], "M").end_time.date())
    wall, cpu, code, _ = _run(["status", str(ws), "--as-of", as_of, "--format", "csv"])
    rows.append((f"kejifu status DIR --as-of {as_of} (end to end, a new process)", wall, cpu, f"exit {code}"))
    with open_workspace(ws) as opened:
        frame, ws_plan = opened.reports, opened.plan
        start, c0 = time.perf_counter(), time.process_time()
        status(ws_plan, frame, as_of, rollup=True)
        mem_wall, mem_cpu = time.perf_counter() - start, time.process_time() - c0
    rows.append((f"status + roll-up in memory ({len(frame):,} rows)", mem_wall, mem_cpu, ""))
    rows[-2] = (*rows[-2][:3], f"{rows[-2][3]}; {cpu / mem_cpu:.1f}× the in-memory CPU")
    print(
        f"kejifu province import — scale {args.scale} — SYNTHETIC data (合成示例数据)",
        f"— {os.cpu_count()} cores",
    )
    print("| step | wall | cpu | note |\n|---|---:|---:|---|")
    for name, w, c, note in rows:
        print(f"| {name} | {w:.2f} s | {c:.2f} s | {note} |")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
