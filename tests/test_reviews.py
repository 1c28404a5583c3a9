"""Reviews: the monthly table, quarterly ranking, half-year check and periods."""

from __future__ import annotations

import pytest

from kejifu import reviews
from kejifu.errors import UsageError
from kejifu.status import ALL, status
from tests.conftest import reports


def rows(org, measure, values, year=2005):
    return [(org, measure, f"{year}-{m:02d}", v) for m, v in enumerate(values, start=1)]


def test_the_monthly_table_shows_this_months_increment_and_year_to_date(small_plan):
    r = reports(rows("a", "terminals", [10, 25, 40]) + rows("b", "terminals", [5, 5, 20]))
    t = reviews.monthly_table(small_plan, r, 3).set_index(["target", "org"])
    assert t.loc[("terminals", ALL), "actual"] == 60
    assert t.loc[("terminals", ALL), "increment"] == 30
    assert t.loc[("terminals", "b"), "increment"] == 15
    assert t.loc[("terminals", "a"), "completion"] == pytest.approx(40 / 200)


def test_the_monthly_table_matches_the_status_engine(small_plan):
    r = reports(rows("a", "terminals", [10, 25, 40]) + rows("b", "mushroom", [100, 300, 600]))
    t = reviews.monthly_table(small_plan, r, "2005-03")
    s = status(small_plan, r, "2005-03-31")
    merged = t.merge(s, on=["target", "org"], suffixes=("", "_s"))
    assert len(merged) == len(s)
    for col in ("actual", "completion", "expected", "status"):
        assert (
            merged[col].equals(merged[f"{col}_s"])
            or (merged[col].fillna(-1) == merged[f"{col}_s"].fillna(-1)).all()
        )


def test_year_on_year_growth_uses_last_years_reports_of_the_same_month(small_plan):
    r = reports(rows("a", "terminals", [10, 20, 50]) + rows("a", "terminals", [10, 20, 40], year=2004))
    t = reviews.monthly_table(small_plan, r, 3).set_index(["target", "org"])
    assert t.loc[("terminals", "a"), "last_year"] == 40
    assert t.loc[("terminals", "a"), "yoy_pct"] == pytest.approx(25.0)


def test_without_last_years_reports_year_on_year_is_empty(small_plan):
    t = reviews.monthly_table(small_plan, reports(rows("a", "terminals", [10])), 1)
    assert t["last_year"].isna().all() and t["yoy_pct"].isna().all()


def test_the_quarterly_ranking_scores_completion_against_expected_capped_at_1_5(small_plan):
    # By 30 June (linear, half due): 甲镇 terminals 100/200 -> ratio 1, mushroom 1800/1800 -> ratio 2 -> capped 1.5
    # score (1 + 1.5) / 2 × 100 = 125; 乙镇 terminals 38.25/153 -> 0.5, mushroom none -> 0: score 25.
    r = reports(
        [
            ("a", "terminals", "2005-06", 100),
            ("a", "mushroom", "2005-06", 1800),
            ("b", "terminals", "2005-06", 38),
        ]
    )
    qb = reviews.quarterly_bulletin(small_plan, r, 2)
    rank = qb.ranking.set_index("org")
    assert rank.loc["a", "score"] == pytest.approx(125.0)
    assert rank.loc["b", "score"] == pytest.approx(100 * (38 / 153 / 0.5) / 2)
    assert list(qb.ranking["org"]) == ["a", "b"]
    assert set(qb.far_behind["org"]) == {"b"}


def test_the_half_year_check_passes_at_half_and_reports_the_margin(small_plan):
    r = reports([("a", "terminals", "2005-06", 100), ("b", "terminals", "2005-06", 70)])
    h = reviews.half_year_review(small_plan, r).set_index(["target", "org"])
    assert bool(h.loc[("terminals", "a"), "half_pass"])
    assert not bool(h.loc[("terminals", "b"), "half_pass"])
    assert h.loc[("terminals", "b"), "half_margin_pp"] == pytest.approx((70 / 153 - 0.5) * 100)
    assert h.loc[("terminals", ALL), "half_margin_pp"] == pytest.approx((170 / 353 - 0.5) * 100)


@pytest.mark.parametrize(
    "kind,text,end",
    [
        ("monthly", "2005-06", 6),
        ("quarterly", "2005Q3", 9),
        ("half-year", "2005H2", 12),
        ("annual", "2005", 12),
    ],
)
def test_periods_are_read_in_their_usual_notation(kind, text, end):
    p = reviews.parse_period(kind, text, year=2005)
    assert p.end_month == end and p.code == text


@pytest.mark.parametrize(
    "kind,text",
    [
        ("monthly", "2005-13"),
        ("quarterly", "2005Q5"),
        ("half-year", "2005"),
        ("annual", "05"),
        ("weekly", "2005"),
    ],
)
def test_a_bad_period_is_a_bilingual_usage_error(kind, text):
    with pytest.raises(UsageError) as exc:
        reviews.parse_period(kind, text)
    assert " / " in str(exc.value)


def test_a_period_outside_the_plan_year_is_refused():
    with pytest.raises(UsageError):
        reviews.parse_period("monthly", "2004-06", year=2005)


def test_the_allocation_table_shows_when_a_split_does_not_add_up(plan):
    t = reviews.allocation_table(plan).set_index("target")
    assert t.loc["terminals", "difference"] == pytest.approx(
        sum(plan.target("terminals").allocation_values().values()) - 353
    )
    assert t.loc["mushroom_area", "difference"] == 0
