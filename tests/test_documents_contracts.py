"""Responsibility contracts (责任状) and enterprise task sheets (任务书), read back with python-docx."""

from __future__ import annotations

import datetime as dt

import docx
import pytest

from kejifu import documents
from kejifu.cli import main
from kejifu.documents import contract
from kejifu.plan import parse_plan
from tests.helpers import SMALL_PLAN

#: 甲镇 gets 1000 of 3000 mu with a 5000 stretch: 1000 × 5000 / 3000 = 1666.67 → 1667 mu.
PLAN = SMALL_PLAN.replace("allocations: {a: 1800, b: 1200}", "allocations: {a: 1000, b: 2000}") + (
    "assessment:\n  targets: {terminals: {weight: 60, veto: true, veto_below: 0.5}, mushroom: {weight: 40}}\n"
    "  rule: {cap: 1.2, floor: 0.6, stretch_bonus: 5}\n"
    "  reports: {deduct_missing: 2, deduct_late: 1, deadline_day: 5, max_deduction: 10}\n"
)


@pytest.fixture()
def plan():
    return parse_plan(PLAN)


def _text(path) -> tuple[list[str], list[list[list[str]]]]:
    d = docx.Document(path)
    return [p.text for p in d.paragraphs], [[[c.text for c in r.cells] for r in tb.rows] for tb in d.tables]


def test_amounts_are_rounded_to_the_units_natural_precision():
    assert contract.natural(416.6667, "亩") == 417 and contract.natural(2.5, "台") == 3
    assert contract.natural(0.2251, "亿元") == 0.23 and contract.natural(1666.666, "万元") == 1666.67


def test_a_contract_promises_whole_mu_with_quarterly_checkpoints(plan, tmp_path):
    paths = documents.write_contracts(plan, tmp_path, date=dt.date(2005, 2, 20))
    texts, tables = _text(paths[0])
    rows = tables[0]
    assert rows[0] == ["序号", "指标", "年度目标", "季度进度节点"]
    assert rows[2][1:3] == ["食用菌面积", "确保1,000亩，力争1,667亩"]  # not 力争1,666.67亩
    # linear schedule: 3/12, 6/12, 9/12, 12/12 of 200 terminals
    quarters = ["3月底前完成25%（50台）", "6月底前完成50%（100台）", "9月底前完成75%（150台）"]
    assert rows[1][3] == "；".join([*quarters, "12月底前完成100%（200台）"])
    assert not any("." in cell for row in rows[1:] for cell in row[2:])


def test_the_parties_are_the_county_government_and_the_head_of_the_town(plan, tmp_path):
    paths = documents.write_contracts(plan, tmp_path, date=dt.date(2005, 2, 20))
    texts, tables = _text(paths[0])
    assert "甲方：测试县人民政府" in texts and "乙方：甲镇镇长" in texts
    sig = tables[1]
    assert sig[0] == ["甲方（盖章）：测试县人民政府", "乙方（盖章）：甲镇"]
    assert sig[1] == ["县长（签字）：________________", "镇长（签字）：________________"]
    assert sig[2] == ["2005年2月20日", "2005年2月20日"]
    assert contract.head_key("马牧池乡") == "documents.contract.head.township"


def test_the_clauses_come_from_the_plans_rubric(plan, tmp_path):
    texts, _ = _text(documents.write_contracts(plan, tmp_path)[0])
    body = "\n".join(texts)
    assert "乙方每月5日前向甲方报送上月累计完成情况。" in body
    assert "安装信息机60分、食用菌面积40分；完成率计至120%封顶，低于60%不得分，完成力争目标加5分" in body
    assert "每缺报一个月扣2分，迟报一个月扣1分，最多扣10分。" in body
    assert "安装信息机完成不足序时进度的50%的，实行一票否决。" in body
    assert "考核得分90分以上为优秀" in body


def test_without_a_date_the_signature_date_is_left_to_write_by_hand(plan, tmp_path):
    _, tables = _text(documents.write_contracts(plan, tmp_path)[0])
    assert tables[1][2] == ["______年____月____日"] * 2


def test_contracts_enterprises_writes_a_task_sheet_per_enterprise_with_allocations(tmp_path, capsys):
    from kejifu.demo import build_demo

    ws = build_demo(tmp_path / "ws")
    assert main(["contracts", str(ws), "--out", str(tmp_path / "out"), "--enterprises"]) == 0
    sheet = tmp_path / "out" / "yinan-2005_contract_ent_e.docx"
    texts, tables = _text(sheet)
    assert texts[0] == "沂南县2005年度企业科技工作目标任务书"
    assert "乙方：示例高新企业E" in texts
    assert tables[0][1][1:3] == ["省级高新技术企业产值", "0.9亿元"]
    assert not any("一票否决" in x for x in texts)  # the towns' rubric is not the enterprise's
