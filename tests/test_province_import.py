"""scripts/province_import.py builds a workspace through the real `kejifu init` and `kejifu import` of
monthly CSV files and times `kejifu status` against the in-memory computation (county scale here;
the README gives a province run)."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from kejifu import config
from kejifu.scale import synth
from kejifu.store import Store


@pytest.fixture(scope="module")
def script():
    path = config.repo_root() / "scripts" / "province_import.py"
    spec = importlib.util.spec_from_file_location("province_import", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_monthly_csv_files_imported_by_the_cli_land_every_figure_and_are_timed(script, tmp_path, capsys):
    keep = tmp_path / "run"
    assert script.main(["--scale", "county", "--months", "3", "--keep", str(keep)]) == 0
    out = capsys.readouterr().out
    plan = synth.synth_plan("county", seed=1)
    expected = synth.synth_reports(plan, seed=1)
    expected = expected[expected["month"].astype(str).isin([f"{plan.year}-0{m}" for m in (1, 2, 3)])]
    # every figure of the three CSV files is in the store, one batch a file
    with Store.open(keep / "ws", readonly=True) as store:
        stored = store.reports(years=(plan.year, plan.year))
        assert len(stored) == len(expected) and store.batches()["rows_added"].tolist() == [
            (expected["month"].astype(str) == f"{plan.year}-0{m}").sum() for m in (1, 2, 3)
        ]
        assert stored["value"].sum() == pytest.approx(expected["value"].sum())
    assert sorted(p.name for p in keep.glob("reports-*.csv")) == [
        f"reports-{plan.year}-0{m}.csv" for m in (1, 2, 3)
    ]
    # the printed table: one import row per file, status end to end with its ratio, exit codes 0
    assert (
        len(
            re.findall(
                r"\| kejifu import reports-\d{4}-\d{2}\.csv \([\d,]+ rows\) "
                r"\| [\d.]+ s \| [\d.]+ s \| exit 0 \|",
                out,
            )
        )
        == 3
    )
    assert re.search(rf"kejifu status DIR --as-of {plan.year}-03-31 .*exit 0; [\d.]+× the in-memory CPU", out)
    assert "SYNTHETIC" in out
