"""`kejifu status`: the data month and the missing reporters in the header, `--reporting`."""

from __future__ import annotations

import json

import pytest

from kejifu.demo import LATE_TOWN, build_demo
from tests.helpers import run_in_process


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("KEJIFU_DB_URL", raising=False)


@pytest.fixture(scope="module")
def march(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("march") / "ws", as_of="2005-03-31")


@pytest.fixture(scope="module")
def june(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("june") / "ws", as_of="2005-06-30")


def test_data_ending_before_the_month_asked_is_said_in_the_first_line(capsys, march):
    r = run_in_process(capsys, "status", march, "--as-of", "2005-06-30")
    assert r.returncode == 0
    assert r.stdout.splitlines()[0] == "数据截至2005年3月"
    rows = json.loads(
        run_in_process(capsys, "status", march, "--as-of", "2005-06", "--format", "json").stdout
    )
    assert {row["data_month"] for row in rows if row["actual"] is not None} == {"2005-03"}


def test_data_through_the_month_asked_has_no_warning_and_names_the_town_that_did_not_report(capsys, june):
    out = run_in_process(capsys, "status", june).stdout.splitlines()
    assert not out[0].startswith("数据截至")
    assert out[0].endswith("　15个乡镇中14个已报送；马牧池乡未按时报送")


def test_the_reporting_record_marks_the_late_town(capsys, june):
    r = run_in_process(capsys, "status", june, "--reporting")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    late = next(line for line in lines if line.startswith("砖埠镇"))
    assert LATE_TOWN == "zhuanbu" and late.split()[1:] == ["按时", "按时", "按时", "按时", "迟报", "按时"]
    mamuchi = next(line for line in lines if line.startswith("马牧池乡"))
    assert mamuchi.split()[-1] == "未报"
