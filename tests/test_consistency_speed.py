"""The checks across rows of a report file (:mod:`kejifu.io.consistency`), vectorised for a province
month, find exactly what the row-by-row definition finds: the same findings, messages naming the same
file:row:field, in the same order.

The reference is the row-by-row implementation the vectorised one replaced, kept verbatim (only
renamed, with ``consistency.`` before the module's names). Seeded random report frames and stored
figures are checked against it: ties, notes, revisions, repeated rows, months of other years, unit
conversions, values a hair apart and orgs far ahead. Hand-computed cases pin what each check says.

At the end, the other lever of issue 16: :mod:`kejifu.completeness` answers its questions about one
reports frame from one split of its months.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd
import pytest

from kejifu import months as month_keys
from kejifu import units
from kejifu.errors import Problem
from kejifu.io import consistency
from kejifu.plan import Plan, parse_plan

PLAN = """
plan: {id: c, title: 一致性测试, region: 测试县, year: 2005}
orgs:
  - {id: c, name: 测试县, kind: county}
  - {id: a, name: 甲镇, kind: town, parent: c}
  - {id: b, name: 乙镇, kind: town, parent: c}
  - {id: d, name: 丙镇, kind: town, parent: c}
measures:
  - {id: ht, title: 高新技术企业产值, unit: 万元}
  - {id: ind, title: 规模以上工业产值, unit: 亿元}
  - {id: sales, title: 销售额, unit: 万元}
  - {id: staff, title: 从业人员, unit: 人}
  - {id: trained, title: 培训人员, unit: 人}
targets:
  - {id: terminals, title: 安装信息机, unit: 台, target: 353}
  - {id: mushroom, title: 食用菌面积, unit: 亩, target: 3000}
  - {id: rate, title: 覆盖率, unit: '%', kind: level, baseline: 50, target: 90}
  - {id: ht_share, title: 高新技术产值比重, unit: '%', kind: share, numerator: ht, denominator: ind,
     baseline: 30, target: 33}
  - {id: ht_share_again, title: 高新技术产值比重（复核）, unit: '%', kind: share, numerator: ht,
     denominator: ind, baseline: 30, target: 34}
  - {id: trained_share, title: 培训比例, unit: '%', kind: share, numerator: trained, denominator: staff,
     baseline: 10, target: 20}
  - {id: odd_share, title: 人均销售, unit: '%', kind: share, numerator: sales, denominator: staff,
     baseline: 1, target: 2}
"""
HF = {
    "org": "单位",
    "measure": "指标",
    "month": "月份",
    "value": "累计完成",
    "unit": "计量单位",
    "note": "备注",
}
FILE = "reports.csv"
ORGS = ["a", "b", "c", "d"]
MEASURES = ["terminals", "mushroom", "rate", "ht", "ind", "sales", "staff", "trained"]
VALUES = [0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 10.0, 100.0, 12345.678]


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN, file="consistency.yaml")


def frame_of(rows: list[tuple]) -> pd.DataFrame:
    """A checked report frame as ``validate_table`` passes it: ``org, measure, month, value, unit,
    note, line``, text as Python objects."""
    f = pd.DataFrame(rows, columns=["org", "measure", "month", "value", "note", "line"])
    f.insert(4, "unit", "")
    f = f.astype({c: object for c in ("org", "measure", "month", "unit", "note")})
    return f.astype({"value": float, "line": int})


def stored_of(rows: list[tuple]) -> pd.DataFrame:
    """Stored figures as ``validate_table`` passes them: ``org, measure, month, value``."""
    f = pd.DataFrame(rows, columns=["org", "measure", "month", "value"])
    return f.astype({c: object for c in ("org", "measure", "month")}).astype({"value": float})


def _value(rng: random.Random) -> float:
    v = rng.choice(VALUES) if rng.random() < 0.8 else round(rng.uniform(0, 200), rng.choice([0, 2, 6]))
    if rng.random() < 0.1:  # a hair above or below: inside or just outside EPS
        v = v * (1 + rng.choice([1e-12, -1e-12, 3e-9, -3e-9])) + rng.choice([0.0, 2e-9])
    return v


def _month(rng: random.Random, ahead: bool) -> str:
    if rng.random() < 0.08:
        return rng.choice(["2004-11", "2004-12", "2006-01"])
    top = 12 if ahead else 6
    return month_keys.key(2005, rng.randint(1, top))


def random_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A random report frame (repeated rows included) and stored figures (revisions included)."""
    rng = random.Random(seed)
    far = rng.choice(ORGS) if rng.random() < 0.5 else None  # an org whose clerk typed months ahead
    rows: list[tuple] = []
    line = 1
    for _ in range(rng.randint(0, 40)):
        line += rng.choice([1, 1, 1, 2])
        if rows and rng.random() < 0.15:  # a repeated org, measure and month
            o, m, mo, v, _n, _l = rng.choice(rows)
            v = v if rng.random() < 0.5 else _value(rng)
        else:
            o = rng.choice(ORGS[:3]) if rng.random() < 0.9 else "d"
            m = rng.choice(MEASURES)
            mo = _month(rng, o == far)
            v = _value(rng)
        note = "" if rng.random() < 0.85 else rng.choice(["更正", "调减：统计口径调整"])
        rows.append((o, m, mo, v, note, line))
    kind = rng.random()
    if kind < 0.15:
        existing = None
    elif kind < 0.25:
        existing = stored_of([])
    else:
        stored = []
        for _ in range(rng.randint(0, 60)):
            o = rng.choice(ORGS + ["zz"])
            stored.append((o, rng.choice(MEASURES), _month(rng, False), _value(rng)))
        for _ in range(rng.randint(0, 10)):  # revisions: a later row for a stored figure
            if stored:
                o, m, mo, _v = rng.choice(stored)
                stored.append((o, m, mo, _value(rng)))
        existing = stored_of(stored)
        if rng.random() < 0.3:  # as the store reads them: categoricals
            existing = existing.astype({c: "category" for c in ("org", "measure", "month")})
    return frame_of(rows), existing


def as_tuples(problems: list[Problem]) -> list[tuple]:
    return [(p.zh, p.en, p.file, p.row, type(p.row).__name__, p.field, p.level) for p in problems]


def deduplicated(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates(["org", "measure", "month"], keep="first").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# the reference: the row-by-row implementation, verbatim


def ref_duplicates(frame: pd.DataFrame, file: str, hf: dict) -> list[Problem]:
    out = []
    first: dict[tuple, tuple[int, float]] = {}
    for r in frame.itertuples(index=False):
        key = (r.org, r.measure, r.month)
        if key not in first:
            first[key] = (r.line, r.value)
            continue
        line0, v0 = first[key]
        if abs(r.value - v0) <= consistency.EPS * max(1.0, abs(v0)):
            out.append(
                consistency._p(
                    "io.val.duplicate_same", file, r.line, hf["value"], level="warning", line=line0
                )
            )
        else:
            out.append(
                consistency._p(
                    "io.val.duplicate_conflict",
                    file,
                    r.line,
                    hf["value"],
                    line=line0,
                    **dict(zip(("value", "other"), consistency.distinct(v0, r.value))),
                )
            )
    return out


def ref_shares(frame: pd.DataFrame, plan: Plan, file: str, hf: dict) -> list[Problem]:
    out, seen = [], set()
    index = {(r.org, r.measure, r.month): r for r in frame.itertuples(index=False)}
    for tg in plan.targets:
        if tg.kind != "share" or (tg.numerator, tg.denominator) in seen:
            continue
        seen.add((tg.numerator, tg.denominator))
        nu, du = plan.measure_unit(tg.numerator), plan.measure_unit(tg.denominator)
        if units.unit_kind(nu) != units.unit_kind(du):
            continue
        for (org, measure, month), r in index.items():
            if measure != tg.numerator:
                continue
            d = index.get((org, tg.denominator, month))
            if d is None:
                continue
            num_in_den = units.convert(r.value, nu, du)
            if num_in_den > d.value + consistency.EPS * max(1.0, abs(d.value)):
                out.append(
                    consistency._p(
                        "io.val.share_exceeds",
                        file,
                        r.line,
                        hf["value"],
                        num=units.format_value(r.value, nu),
                        den=units.format_value(d.value, du),
                        line=d.line,
                        title=tg.title,
                        title_en=tg.label("en"),
                    )
                )
    return out


def ref_decreases(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    out = []
    if frame.empty:
        return out
    stored: dict[tuple, dict[str, float]] = {}
    if existing is not None and not existing.empty:
        prefix = f"{plan.year:04d}-"
        ex = existing[existing["month"].astype(str).str.startswith(prefix)]
        for r in ex.itertuples(index=False):
            stored.setdefault((r.org, r.measure), {})[str(r.month)] = float(r.value)
    from_file: dict[tuple, dict[str, Any]] = {}
    for r in frame.itertuples(index=False):
        from_file.setdefault((r.org, r.measure), {})[r.month] = r
    for key, months in from_file.items():
        if not consistency.checks_decrease(plan, key[1]):
            continue
        series = {m: (v, "store") for m, v in stored.get(key, {}).items()}
        series.update({m: (r.value, "file") for m, r in months.items()})
        unit = plan.measure_unit(key[1])
        for month, r in months.items():
            if r.note:
                continue
            earlier = [(m, v) for m, (v, _) in series.items() if m < month]
            later = [(m, v) for m, (v, src) in series.items() if m > month and src == "store"]
            top = max(earlier, key=lambda mv: mv[1], default=None)
            low = min(later, key=lambda mv: mv[1], default=None)
            if top is not None and r.value < top[1] - consistency.EPS * max(1.0, abs(top[1])):
                out.append(
                    consistency._p(
                        "io.val.decrease",
                        file,
                        r.line,
                        hf["value"],
                        level="warning",
                        value=units.format_value(r.value, unit),
                        month=top[0],
                        earlier=units.format_value(top[1], unit),
                    )
                )
            elif low is not None and r.value > low[1] + consistency.EPS * max(1.0, abs(low[1])):
                out.append(
                    consistency._p(
                        "io.val.above_later",
                        file,
                        r.line,
                        hf["value"],
                        level="warning",
                        value=units.format_value(r.value, unit),
                        month=low[0],
                        later=units.format_value(low[1], unit),
                    )
                )
    return out


def ref_late_months(
    frame: pd.DataFrame, plan: Plan, existing: pd.DataFrame | None, file: str, hf: dict
) -> list[Problem]:
    """A warning for each org and month of ``frame`` more than :data:`consistency.AHEAD_MONTHS` after the
    latest month any other org has reported (in this file or the store), on its first line.
    Nothing when no other org has reported yet."""
    out: list[Problem] = []
    if frame.empty:
        return out
    latest: dict[str, str] = {}
    sources = [frame[["org", "month"]]]
    if existing is not None and not existing.empty and {"org", "month"} <= set(existing.columns):
        ex = existing[["org", "month"]].astype(str)
        sources.append(ex[ex["month"].str.startswith(f"{plan.year:04d}-")])
    for part in sources:
        for org, month in part.groupby("org")["month"].max().items():
            if str(month) > latest.get(org, ""):
                latest[org] = str(month)
    if len(latest) < 2:
        return out
    ranked = sorted(latest.items(), key=lambda om: om[1], reverse=True)
    first_line = frame.groupby(["org", "month"])["line"].min()
    for (org, month), line in first_line.items():
        others = next((m for o, m in ranked if o != org), None)
        if others is None:
            continue
        y, m = month_keys.split(month)
        oy, om = month_keys.split(others)
        ahead = (y - oy) * 12 + (m - om)
        if ahead > consistency.AHEAD_MONTHS:
            out.append(
                consistency._p(
                    "io.val.month_ahead",
                    file,
                    int(line),
                    hf["month"],
                    level="warning",
                    org=plan.org_name(org),
                    month=month,
                    latest=others,
                    n=ahead,
                )
            )
    return out


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", range(8))
def test_the_vectorised_checks_find_what_the_row_by_row_checks_find_on_random_files(plan, block):
    found = 0
    for seed in range(block * 60, (block + 1) * 60):
        frame, existing = random_case(seed)
        assert as_tuples(consistency.duplicates(frame, FILE, HF)) == as_tuples(
            ref_duplicates(frame, FILE, HF)
        ), f"duplicates, seed {seed}"
        for f in (frame, deduplicated(frame)):  # validate_table passes the deduplicated frame
            new, old = consistency.shares(f, plan, FILE, HF), ref_shares(f, plan, FILE, HF)
            assert as_tuples(new) == as_tuples(old), f"shares, seed {seed}"
            new = consistency.decreases(f, plan, existing, FILE, HF)
            old = ref_decreases(f, plan, existing, FILE, HF)
            assert as_tuples(new) == as_tuples(old), f"decreases, seed {seed}"
            new = consistency.late_months(f, plan, existing, FILE, HF)
            old = ref_late_months(f, plan, existing, FILE, HF)
            assert as_tuples(new) == as_tuples(old), f"late_months, seed {seed}"
            found += len(new)
    assert found > 0  # the random files do produce findings


def test_a_month_of_every_org_against_a_stored_year_finds_what_the_reference_finds(plan):
    """Every org and measure, months 1..10 stored (with revisions), months 9..11 in the file:
    some figures fall, some rise above stored later months, one noted."""
    rng = random.Random(7)
    stored, rows, line = [], [], 1
    for o in ORGS:
        for m in MEASURES:
            run = 0.0
            for mo in range(1, 11):
                run += rng.choice([0.0, 1.0, 5.0])
                stored.append((o, m, month_keys.key(2005, mo), run))
            stored.append((o, m, "2005-04", run / 2))  # a revision of April
            for mo in (9, 10, 11):
                line += 1
                v = run + rng.choice([-6.0, -1.0, 0.0, 0.0, 3.0])
                rows.append((o, m, month_keys.key(2005, mo), max(v, 0.0), "更正" if line == 20 else "", line))
    frame, existing = frame_of(rows), stored_of(stored)
    new = consistency.decreases(frame, plan, existing, FILE, HF)
    assert as_tuples(new) == as_tuples(ref_decreases(frame, plan, existing, FILE, HF))
    assert {p.en.split(" ")[0] for p in new} >= {"year-to-date"}
    assert as_tuples(consistency.late_months(frame, plan, existing, FILE, HF)) == as_tuples(
        ref_late_months(frame, plan, existing, FILE, HF)
    )
    assert as_tuples(consistency.shares(frame, plan, FILE, HF)) == as_tuples(
        ref_shares(frame, plan, FILE, HF)
    )


def test_a_figure_below_the_largest_earlier_month_is_a_warning_naming_that_month(plan):
    # stored: March 10, May 8 (already low), June 20; the file: April 9 -> below March's 10
    existing = stored_of(
        [
            ("a", "terminals", "2005-03", 10),
            ("a", "terminals", "2005-05", 8),
            ("a", "terminals", "2005-06", 20),
        ]
    )
    frame = frame_of([("a", "terminals", "2005-04", 9, "", 7)])
    (p,) = consistency.decreases(frame, plan, existing, FILE, HF)
    assert (p.row, p.field, p.level) == (7, "累计完成", "warning")
    assert p.zh == "累计数 9台 低于 2005-03 的 10台：如确需调减，请在备注中说明"


def test_a_figure_above_a_stored_later_month_names_the_smallest_later_month(plan):
    # stored: March 10, May 12, June 11; the file: April 11.5 -> not below March, above June's 11
    existing = stored_of(
        [
            ("a", "terminals", "2005-03", 10),
            ("a", "terminals", "2005-05", 12),
            ("a", "terminals", "2005-06", 11),
        ]
    )
    frame = frame_of([("a", "terminals", "2005-04", 11.5, "", 3)])
    (p,) = consistency.decreases(frame, plan, existing, FILE, HF)
    assert p.row == 3
    assert (
        p.en == "year-to-date value 11.5台 exceeds 11台 already reported for 2005-06: "
        "explain a correction in the note"
    )


def test_equal_earlier_maxima_name_the_month_stored_first(plan):
    # stored June then February, both 10 (June first in the store); the file: July 4 -> below 10
    existing = stored_of([("a", "mushroom", "2005-06", 10), ("a", "mushroom", "2005-02", 10)])
    frame = frame_of([("a", "mushroom", "2005-07", 4, "", 2)])
    (p,) = consistency.decreases(frame, plan, existing, FILE, HF)
    assert "2005-06" in p.zh and "10亩" in p.zh


def test_a_noted_or_level_figure_and_a_fall_within_eps_are_not_named(plan):
    existing = stored_of([("a", "terminals", "2005-03", 10), ("a", "rate", "2005-03", 80)])
    frame = frame_of(
        [
            ("a", "terminals", "2005-04", 4, "调减：重复统计", 2),
            ("a", "rate", "2005-04", 60, "", 3),
            ("b", "terminals", "2005-03", 10, "", 4),
            ("b", "terminals", "2005-04", 10 * (1 - 1e-10), "", 5),
        ]
    )
    assert consistency.decreases(frame, plan, existing, FILE, HF) == []


def test_a_share_numerator_above_its_denominator_is_an_error_in_the_denominators_unit(plan):
    # 12,000万元 = 1.2亿元 > 1亿元; 9,000万元 = 0.9亿元 fits; the second share of the pair is not repeated
    frame = frame_of(
        [
            ("a", "ht", "2005-03", 12000, "", 2),
            ("a", "ind", "2005-03", 1, "", 3),
            ("b", "ht", "2005-03", 9000, "", 4),
            ("b", "ind", "2005-03", 1, "", 5),
            ("a", "sales", "2005-03", 50, "", 6),  # sales/staff: money over people, not checked
            ("a", "staff", "2005-03", 1, "", 7),
        ]
    )
    (p,) = consistency.shares(frame, plan, FILE, HF)
    assert (p.row, p.level) == (2, "error")
    assert p.zh == "分子 12,000万元 大于分母 1亿元（第3行），比重超过100%：高新技术产值比重"


def test_repeated_rows_are_a_warning_when_equal_and_an_error_naming_both_values_otherwise(plan):
    frame = frame_of(
        [
            ("a", "terminals", "2005-03", 130, "", 2),
            ("a", "terminals", "2005-03", 130, "", 5),
            ("a", "terminals", "2005-03", 130.0005, "", 9),
        ]
    )
    same, conflict = consistency.duplicates(frame, FILE, HF)
    assert (same.row, same.level, same.en) == (5, "warning", "repeats line 2 (same value); counted once")
    assert (conflict.row, conflict.level) == (9, "error")
    assert "130 与 130.0005" in conflict.zh


def test_a_month_two_months_after_every_other_orgs_latest_is_named_once_on_its_first_line(plan):
    existing = stored_of([("b", "terminals", "2005-05", 1), ("zz", "terminals", "2005-06", 1)])
    frame = frame_of(
        [
            ("a", "terminals", "2005-09", 3, "", 4),
            ("a", "mushroom", "2005-09", 3, "", 2),
            ("a", "mushroom", "2005-07", 3, "", 3),
            ("b", "terminals", "2005-06", 3, "", 5),
        ]
    )
    (p,) = consistency.late_months(frame, plan, existing, FILE, HF)
    assert (p.row, p.field) == (2, "月份")
    assert (
        p.en == "甲镇 reports 2005-09, 3 months after the latest month of every other org (2005-06): "
        "is the month a slip?"
    )


# ---------------------------------------------------------------------------------------------
# the other lever of issue 16: kejifu.completeness splits a reports frame's months once per frame


def _filed_reports(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["org", "measure", "month", "value"])


def test_completeness_answers_several_questions_about_one_frame_from_one_split(small_plan):
    from kejifu import completeness

    reports = _filed_reports(
        [("a", "terminals", f"2005-0{m}", 10.0 * m) for m in (1, 2, 3)]
        + [("b", "terminals", f"2005-0{m}", 5.0 * m) for m in (1, 2)]
        + [("b", "ht", "2005-03", 1.0), ("a", "terminals", "2004-12", 1.0)]
    )
    first = completeness._filed(small_plan, reports, 2005)
    assert completeness._filed(small_plan, reports, 2005) is first  # the second question reuses it
    # each org and month once: a in 1, 2, 3; b in 1, 2 and (ht) 3; December 2004 is another year
    assert sorted(zip(first["org"], first["mnum"], strict=True)) == [
        ("a", 1),
        ("a", 2),
        ("a", 3),
        ("b", 1),
        ("b", 2),
        ("b", 3),
    ]
    assert completeness._filed(small_plan, reports, 2004) is not first
    assert list(completeness._filed(small_plan, reports, 2004)["mnum"]) == [12]
    assert completeness.missing_reporters(small_plan, reports, "2005-03") == []
    assert completeness.current_month(small_plan, reports) == "2005-03"


def test_a_new_frame_is_answered_anew_and_a_collected_frame_leaves_the_cache(small_plan):
    import gc

    from kejifu import completeness

    june = _filed_reports([("a", "terminals", "2005-06", 1.0), ("b", "terminals", "2005-06", 1.0)])
    assert completeness.missing_reporters(small_plan, june, 7) == ["a", "b"]
    july = pd.concat([june, _filed_reports([("a", "terminals", "2005-07", 2.0)])], ignore_index=True)
    assert completeness.missing_reporters(small_plan, july, 7) == ["b"]
    assert completeness.missing_reporters(small_plan, june, 7) == ["a", "b"]
    key = id(july)
    assert key in completeness._FILED
    del july
    gc.collect()
    assert key not in completeness._FILED
