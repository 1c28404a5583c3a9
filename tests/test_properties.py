"""Properties, checked on generated inputs (hypothesis, modest example counts): the unit parser,
the importer (valid files land exactly; one corruption refuses the file and leaves the store
unchanged), and the status engine (monotone completion, totals that add up, ratio of sums).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kejifu import config, units
from kejifu.errors import UnitError
from kejifu.io.importer import import_file
from kejifu.plan import parse_plan
from kejifu.status import ALL, status
from kejifu.store import Store
from tests.helpers import SMALL_PLAN, reports

TINY = config.data_dir() / "examples" / "tiny-plan.yaml"
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOWER = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----- units ------------------------------------------------------------------------------------

#: Values with at most two decimals: what format_value shows without rounding.
two_decimals = st.integers(min_value=0, max_value=10**12).map(lambda n: float(Decimal(n) / 100))
unit_symbols = st.sampled_from(sorted(units.UNITS))


@QUICK
@given(value=two_decimals, unit=unit_symbols, lang=st.sampled_from(["zh", "en"]))
def test_formatting_then_parsing_keeps_the_value_and_the_unit(value, unit, lang):
    text = units.format_value(value, unit, lang)
    q = units.parse_quantity(text, default_unit=unit)
    assert q.value == pytest.approx(value, rel=1e-12, abs=1e-12), text
    assert units.canonical(q.unit) == units.canonical(unit), text


@QUICK
@given(value=st.integers(min_value=0, max_value=10**9), unit=unit_symbols)
def test_formatting_whole_values_then_parsing_is_exact(value, unit):
    assert units.parse_quantity(units.format_value(value, unit), unit).value == value


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30), default=st.sampled_from([None, "亩", "万元", "台", "%"]))
def test_parsing_arbitrary_text_raises_nothing_but_unit_error(text, default):
    try:
        q = units.parse_quantity(text, default_unit=default)
    except UnitError:
        return
    assert isinstance(q.value, float)
    assert q.value == q.value and abs(q.value) != float("inf")  # never NaN or infinite


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="0123456789.,，-+eE万亿 亩元台%", max_size=16))
def test_parsing_number_like_text_raises_nothing_but_unit_error(text):
    try:
        units.parse_quantity(text)
    except UnitError:
        pass


FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789.,-"})


@QUICK
@given(value=two_decimals, unit=st.sampled_from(["", "亩", "万元", "台", "%"]))
def test_full_width_digits_read_the_same_as_ascii(value, unit):
    ascii_text = units.format_value(value, unit, "zh")
    wide = ascii_text.translate(FULL_WIDTH)
    assume(wide != ascii_text)
    assert units.parse_quantity(wide, unit) == units.parse_quantity(ascii_text, unit)


# ----- the importer -----------------------------------------------------------------------------

ORGS = ["hutou", "jiehu", "ent_a"]
MEASURES = {"terminals": "台", "mushroom_area": "亩", "tech_income": "万元", "industrial_output": "亿元"}
MONTHS = [f"2005-{m:02d}" for m in range(1, 13)]


@st.composite
def report_frames(draw):
    """A valid reports frame for the tiny plan: unique org × measure × month, values in the
    measure's unit (whole counts, two-decimal amounts), and how each value is written."""
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(ORGS), st.sampled_from(sorted(MEASURES)), st.sampled_from(MONTHS)),
            min_size=1,
            max_size=12,
            unique=True,
        )
    )
    rows = []
    for org, measure, month in keys:
        if MEASURES[measure] == "台":
            value = float(draw(st.integers(min_value=0, max_value=5000)))
        else:
            value = draw(st.integers(min_value=0, max_value=10**8).map(lambda n: float(Decimal(n) / 100)))
        rows.append({"org": org, "measure": measure, "month": month, "value": value})
    frame = pd.DataFrame(rows)
    # how each value is written: bare, with its unit, or converted to another unit of its kind
    styles = draw(
        st.lists(st.sampled_from(["bare", "unit", "other"]), min_size=len(frame), max_size=len(frame))
    )
    return frame, styles


OTHER_UNIT = {"亩": "平方米", "万元": "元", "亿元": "万元", "台": "个"}


def cell(value: float, unit: str, style: str) -> str:
    if style == "bare":
        return repr(value)
    if style == "unit":
        return f"{value!r}{unit}"
    other = OTHER_UNIT[unit]
    return f"{units.convert(value, unit, other)!r}{other}"


def write_report(folder: Path, frame: pd.DataFrame, styles, fmt: str, month_style: str = "text") -> Path:
    header = ["单位", "指标", "月份", "累计完成", "备注"]
    body = []
    for r, style in zip(frame.itertuples(index=False), styles):
        body.append([r.org, r.measure, r.month, cell(r.value, MEASURES[r.measure], style), "说明"])
    if fmt == "csv":
        import csv

        path = folder / "report.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for row in body:
        if month_style == "date":
            row[2] = dt.datetime(int(row[2][:4]), int(row[2][5:]), 1)
        ws.append(row)
    path = folder / "report.xlsx"
    wb.save(path)
    return path


def key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        frame[["org", "measure", "month", "value"]]
        .sort_values(["org", "measure", "month"])
        .reset_index(drop=True)
    )


@SLOWER
@given(
    data=report_frames(), fmt=st.sampled_from(["csv", "xlsx"]), month_style=st.sampled_from(["text", "date"])
)
def test_a_valid_file_imports_to_exactly_its_rows_after_unit_conversion(data, fmt, month_style):
    frame, styles = data
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store.create(folder / "ws", TINY) as store:
            outcome = import_file(store, write_report(folder, frame, styles, fmt, month_style), who="prop")
            assert outcome.ok, [str(p) for p in outcome.problems]
            got = key_frame(store.reports())
    want = key_frame(frame)
    keys = ["org", "measure", "month"]
    assert got[keys].astype(str).values.tolist() == want[keys].astype(str).values.tolist()
    for g, w in zip(got["value"], want["value"]):
        assert g == pytest.approx(w, rel=1e-9, abs=1e-9)


CORRUPTIONS = {
    # name: (column, bad text, word in the message)
    "unknown org": ("org", "东风镇", "unknown org"),
    "unknown measure": ("measure", "修路里程", "unknown measure"),
    "malformed month": ("month", "2005-13", "malformed month"),
    "other year": ("month", "2004-06", "outside the plan year"),
    "text value": ("value", "很多", "not a number"),
    "negative": ("value", "-1", "negative"),
    "not finite": ("value", "1e400", "finite"),
    "nan": ("value", "nan", "not a number"),
    "wrong kind": ("value", "5%", "wrong unit"),
    "register target": ("measure", "patents", "register"),
    "blank org": ("org", "", "required"),
}


@SLOWER
@given(data=report_frames(), which=st.sampled_from(sorted(CORRUPTIONS)), pick=st.integers(min_value=0))
def test_one_corrupted_cell_refuses_the_whole_file_and_leaves_the_store_unchanged(data, which, pick):
    frame, styles = data
    row = pick % len(frame)
    column, bad, word = CORRUPTIONS[which]
    broken = frame.astype({"value": object}).copy()
    broken.loc[row, column] = bad
    styles = list(styles)
    if column == "value":
        styles[row] = "raw"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with Store.create(folder / "ws", TINY) as store:
            seed = folder / "seed.csv"
            seed.write_text("单位,指标,月份,累计完成\nhutou,terminals,2005-01,1\n", encoding="utf-8")
            assert import_file(store, seed).ok
            before = (store.history(), store.batches())
            import csv

            path = folder / "broken.csv"
            with path.open("w", encoding="utf-8", newline="") as f:
                w = csv.writer(f)
                w.writerow(["单位", "指标", "月份", "累计完成"])
                for r, style in zip(broken.itertuples(index=False), styles):
                    value = r.value if style == "raw" else cell(r.value, MEASURES.get(r.measure, "台"), style)
                    w.writerow([r.org, r.measure, r.month, value])
            outcome = import_file(store, path)
            assert not outcome.ok
            located = [p for p in outcome.errors if p.row == row + 2]
            assert located and any(word in p.en for p in located), [str(p) for p in outcome.errors]
            pd.testing.assert_frame_equal(store.history(), before[0])
            pd.testing.assert_frame_equal(store.batches(), before[1])


# ----- the status engine --------------------------------------------------------------------------

SMALL = parse_plan(SMALL_PLAN, file="small.yaml")
AS_OF = dt.date(2005, 6, 30)
STATUS = settings(max_examples=12, deadline=None)


def row_of(frame, target, org):
    hit = frame[(frame["target"] == target) & (frame["org"] == org)]
    assert len(hit) == 1
    return hit.iloc[0]


@STATUS
@given(
    a=st.floats(min_value=0, max_value=1e6),
    b=st.floats(min_value=0, max_value=1e6),
    other=st.floats(min_value=0, max_value=1e6),
    target=st.sampled_from(["terminals", "mushroom"]),
)
def test_completion_never_falls_when_the_actual_rises(a, b, other, target):
    lo, hi = sorted((a, b))
    s_lo = status(SMALL, reports([("a", target, "2005-06", lo), ("b", target, "2005-06", other)]), AS_OF)
    s_hi = status(SMALL, reports([("a", target, "2005-06", hi), ("b", target, "2005-06", other)]), AS_OF)
    for org in ("a", ALL):
        assert row_of(s_hi, target, org)["completion"] >= row_of(s_lo, target, org)["completion"] - 1e-12


@STATUS
@given(
    values=st.lists(st.floats(min_value=0, max_value=1e7), min_size=2, max_size=2),
    months=st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=2),
)
def test_the_total_of_a_cumulative_target_is_the_sum_of_the_orgs(values, months):
    rows = [(org, "terminals", f"2005-{m:02d}", v) for org, v, m in zip(("a", "b"), values, months)]
    s = status(SMALL, reports(rows), AS_OF)
    total = row_of(s, "terminals", ALL)["actual"]
    parts = sum(row_of(s, "terminals", org)["actual"] for org in ("a", "b"))
    assert total == pytest.approx(parts, rel=1e-12, abs=1e-9)
    assert total == pytest.approx(sum(values), rel=1e-12, abs=1e-9)


@STATUS
@given(
    pairs=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1e4), st.floats(min_value=0.01, max_value=1e4)),
        min_size=2,
        max_size=2,
    )
)
def test_a_share_total_is_the_ratio_of_sums_not_the_mean_of_ratios(pairs):
    pairs = [(min(n, d), d) for n, d in pairs]
    rows = []
    for org, (n, d) in zip(("a", "b"), pairs):
        rows += [(org, "ht", "2005-06", n), (org, "ind", "2005-06", d)]
    s = status(SMALL, reports(rows), AS_OF)
    total = row_of(s, "share", ALL)
    num, den = sum(n for n, _ in pairs), sum(d for _, d in pairs)
    assert total["numerator"] == pytest.approx(num) and total["denominator"] == pytest.approx(den)
    assert total["actual"] == pytest.approx(num / den * 100, rel=1e-9, abs=1e-9)
