"""A synthetic deputy ledger for the demo workspace — 示例数据，非真实人员.

Everything here is invented (names are 示例…, every row has ``synthetic = True``)
but follows the programme as the city speech describes it:

* city-wide, 6 batches since 1996 with 350+ deputies in all, and this year's
  (2005) batch of 51 (:func:`city_batches`; batch years and sizes other than
  the 51 are invented); the roster holds only the county's share, a few per
  batch posted to 沂南县 towns, 3-year terms from 1 July of the batch year;
* living allowance, reports, yearly dual assessments, end-of-term scores and
  "five ones" outputs for them, with some reports missing, late or incomplete
  and one deputy recalled;
* 科技副镇长 posted to towns (镇), 科技副乡长 to townships (乡), as the plan names them;
* tracking records: the organisation department's hearings (some deputies not yet
  heard this year), inspections, spot checks, one 诫勉谈话 and the recall's reason;
* the county's technology specialists: the 37 of 2004 (11 county-level
  including 1 from outside the county, 26 town-level) leading 30 benefit
  communities (利益共同体, as the county speech counts them), and the 2005
  dispatches that the plan target ``specialists`` (20) counts.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from ..plan import Plan
from . import store as deputies_store
from .ledger import DeputyData
from .roster import default_term_end, last_day_served, months_served, normalise_roster, to_date
from .rules import (
    ASSESSMENT_COLUMNS,
    ASSESSORS,
    DIMENSIONS,
    END_OF_TERM_COLUMNS,
    EVENT_COLUMNS,
    KINDS,
    OUTPUT_COLUMNS,
    ROSTER_COLUMNS,
    SPECIALIST_COLUMNS,
    SPECIALIST_KIND,
    WRITTEN_REPORT_COLUMNS,
    county_bureau,
    post_title,
)
from .store import WorkspaceStore
from .written_reports import reports_owed

#: City-wide batches [batch year -> deputies dispatched]; 6 batches since 1996 (354 in all) and 2005's 51.
CITY_BATCHES = {1996: 56, 1998: 60, 1999: 58, 2001: 61, 2002: 59, 2003: 60, 2005: 51}
#: The county's share of each batch [people].
COUNTY_SHARE = {1996: 3, 1998: 3, 1999: 3, 2001: 4, 2002: 4, 2003: 5, 2005: 6}
SENDING_ORGS = (
    "市农业局",
    "市科技局",
    "市林业局",
    "市畜牧局",
    "市农科院",
    "市委党校",
    "市水利局",
    "市经贸委",
    "市供销社",
    "市农机局",
    "市卫生局",
    "市教育局",
)
SPECIALITIES = ("食用菌", "果树", "蔬菜", "畜牧", "水产", "农机", "林业", "植保", "土肥", "信息化")
#: The date the demo ledger is "as of" (reports after it are not yet written).
DEMO_AS_OF = dt.date(2005, 6, 30)  # as kejifu.demo: reports run January..June 2005
SPECIALISTS_2005 = 9  # dispatched by the demo date (target 20)
COMMUNITIES_2004 = 30  # 领创办科技示范利益共同体30个 (the county speech)


def city_batches() -> pd.DataFrame:
    """``batch, dispatched_citywide, posted_here`` [people] per batch (synthetic except the 51)."""
    return pd.DataFrame(
        {
            "batch": list(CITY_BATCHES),
            "dispatched_citywide": list(CITY_BATCHES.values()),
            "posted_here": [COUNTY_SHARE[b] for b in CITY_BATCHES],
        }
    )


def demo_roster(plan: Plan, seed: int = 2005) -> pd.DataFrame:
    """The county's deputies from every batch (synthetic)."""
    rng = random.Random(seed)
    towns = [o.id for o in plan.towns()]
    rows, n = [], 0
    for batch, count in COUNTY_SHARE.items():
        for i in range(count):
            n += 1
            start = dt.date(batch, 7, 1)
            end = default_term_end(start)
            kind = rng.choices(KINDS, weights=(6, 3, 1))[0]
            state, sdate = ("completed", end) if end < DEMO_AS_OF else ("serving", None)
            rows.append(
                {
                    "person_id": f"KF{batch}{i + 1:02d}",
                    "name": f"示例科技副职{n:02d}",
                    "sending_org": "（外聘）" if kind == "outside" else rng.choice(SENDING_ORGS),
                    "org": towns[(n * 7) % len(towns)],
                    "post": post_title(plan, towns[(n * 7) % len(towns)]),
                    "batch": batch,
                    "kind": kind,
                    "term_start": start,
                    "term_end": end,
                    "state": state,
                    "state_date": sdate,
                    "note": "示例数据",
                    "synthetic": True,
                }
            )
    # one of the 2002 batch sent back early for absence (不在岗)
    for r in rows:
        if r["batch"] == 2002:
            r.update(state="recalled", state_date=dt.date(2004, 11, 20), note="示例数据：长期不在岗，召回")
            break
    return normalise_roster(pd.DataFrame(rows, columns=ROSTER_COLUMNS))


def demo_reports(roster: pd.DataFrame, seed: int = 2005) -> pd.DataFrame:
    """Written reports up to the demo date, a few missing, late or not sent to everyone."""
    rng = random.Random(seed + 1)
    owed = reports_owed(roster, range(1996, DEMO_AS_OF.year + 1))
    rows = []
    for o in owed.itertuples(index=False):
        if o.due > DEMO_AS_OF:
            continue
        roll = rng.random()
        if roll < 0.08:
            continue  # never written
        late = roll > 0.93
        submitted = (
            o.due + dt.timedelta(days=rng.randint(5, 40))
            if late
            else o.due - dt.timedelta(days=rng.randint(0, 20))
        )
        incomplete = 0.08 <= roll < 0.12
        rows.append(
            {
                "person_id": o.person_id,
                "year": o.year,
                "seq": o.seq,
                "submitted": submitted,
                "to_orgdept": True,
                "to_town": True,
                "to_sender": not incomplete,
                "title": f"{o.year}年第{o.seq}次工作报告（示例）",
                "note": "示例数据",
            }
        )
    return pd.DataFrame(rows, columns=WRITTEN_REPORT_COLUMNS)


def demo_assessments(roster: pd.DataFrame, seed: int = 2005) -> pd.DataFrame:
    """Yearly dual assessments for every year with at least 6 months served, through 2004."""
    rng = random.Random(seed + 2)
    rows = []
    for r in roster.itertuples(index=False):
        base = rng.uniform(68, 95)
        for year in range(r.term_start.year, min(r.term_end.year, DEMO_AS_OF.year - 1) + 1):
            served = months_served(
                r.term_start,
                r.term_end,
                dt.date(year, 1, 1),
                dt.date(year, 12, 31),
                state=r.state,
                state_date=r.state_date,
            )
            if served < 6:
                continue
            for assessor in ASSESSORS:
                scores = {d: round(min(100.0, max(40.0, base + rng.uniform(-6, 6))), 0) for d in DIMENSIONS}
                rows.append(
                    {
                        "person_id": r.person_id,
                        "year": year,
                        "assessor": assessor,
                        **scores,
                        "note": "示例数据",
                    }
                )
    return pd.DataFrame(rows, columns=ASSESSMENT_COLUMNS)


def demo_end_of_term(roster: pd.DataFrame, seed: int = 2005) -> pd.DataFrame:
    """Democratic evaluation and inspection scores for deputies whose term ends by the demo date."""
    rng = random.Random(seed + 3)
    rows = [
        {
            "person_id": r.person_id,
            "democratic": round(rng.uniform(70, 97), 1),
            "inspection": round(rng.uniform(70, 97), 1),
            "note": "示例数据",
        }
        for r in roster.itertuples(index=False)
        if r.state != "recalled" and r.term_end <= DEMO_AS_OF  # the 2002 batch is assessed as it ends
    ]
    return pd.DataFrame(rows, columns=END_OF_TERM_COLUMNS)


def demo_outputs(roster: pd.DataFrame, seed: int = 2005) -> pd.DataFrame:
    """ "Five ones" outputs per deputy and year served (the current year up to the demo date)."""
    rng = random.Random(seed + 4)
    rows = []
    for r in roster.itertuples(index=False):
        last = last_day_served(r.term_end, r.state, r.state_date)
        for year in range(r.term_start.year, min(last.year, DEMO_AS_OF.year) + 1):
            months = months_served(
                r.term_start,
                r.term_end,
                dt.date(year, 1, 1),
                min(dt.date(year, 12, 31), DEMO_AS_OF),
                state=r.state,
                state_date=r.state_date,
            )
            if months == 0:
                continue
            f = months / 12
            rows.append(
                {
                    "person_id": r.person_id,
                    "year": year,
                    "technologies": round(rng.randint(2, 8) * f),
                    "courses": round(rng.randint(1, 4) * f),
                    "trainees": round(rng.randint(120, 420) * f),
                    "enterprises": round(rng.randint(0, 3) * f),
                    "output_added": round(rng.uniform(8, 60) * f, 1),
                    "note": "示例数据",
                }
            )
    return pd.DataFrame(rows, columns=OUTPUT_COLUMNS)


def demo_events(roster: pd.DataFrame, seed: int = 2005) -> pd.DataFrame:
    """Tracking records up to the demo date: hearings, inspections, spot checks, consequences, the recall.

    Every deputy in post in a year is heard once that year, except that in the
    demo year (2005) only every other deputy has been heard by the demo date, so
    the hearing due list is not empty. Each deputy signs term goals at the start.
    """
    rng = random.Random(seed + 6)
    rows: list[dict[str, object]] = []

    def add(pid: str, kind: str, when: dt.date, result: str, by: str) -> None:
        rows.append(
            {"person_id": pid, "kind": kind, "date": when, "result": result, "by": by, "note": "示例数据"}
        )

    for i, r in enumerate(roster.itertuples(index=False)):
        if r.term_start > DEMO_AS_OF:
            continue
        add(r.person_id, "goals", r.term_start, "（示例）推广新技术、举办培训班、扶持企业", "县委组织部")
        last = last_day_served(r.term_end, r.state, r.state_date)
        for year in range(r.term_start.year, min(last.year, DEMO_AS_OF.year) + 1):
            if year == DEMO_AS_OF.year and i % 2:
                continue  # not yet heard this year
            when = dt.date(year, rng.randint(3, 6), rng.randint(1, 28))
            if r.term_start <= when <= min(last, DEMO_AS_OF):
                add(r.person_id, "hearing", when, "已听取汇报", "组织部分管领导")
        if i % 4 == 0 and r.term_start.year < DEMO_AS_OF.year:
            add(r.person_id, "spot_check", dt.date(r.term_start.year + 1, 4, 12), "在岗", "县委组织部")
        if i % 5 == 1 and r.term_start.year < DEMO_AS_OF.year:
            add(r.person_id, "inspection", dt.date(r.term_start.year + 1, 9, 20), "工作正常", "县委组织部")
        if r.state != "recalled" and r.term_end <= DEMO_AS_OF:
            add(r.person_id, "goals_review", r.term_end, "（示例）任期目标基本完成", "县委组织部")
        if r.state == "recalled":
            sd = to_date(r.state_date)
            add(r.person_id, "spot_check", sd - dt.timedelta(days=60), "无故不在岗", "县委组织部")
            add(r.person_id, "admonition", sd - dt.timedelta(days=45), "诫勉谈话", "乡镇党委书记")
            add(r.person_id, "recall", sd, "长期无故不在岗，退回原单位，取消各种待遇", "县委组织部")
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def _communities(rng: random.Random, n: int, total: int) -> list[int]:
    """``n`` counts [communities] adding up to ``total``, each 0..3."""
    out = [0] * n
    for _ in range(total):
        i = rng.choice([k for k in range(n) if out[k] < 3])
        out[i] += 1
    return out


def demo_specialists(plan: Plan, seed: int = 2005) -> pd.DataFrame:
    """The county's specialists: 37 in 2004 (11 county-level incl. 1 outside, 26 town-level) and 2005's.

    The 2004 specialists lead 30 benefit communities in all; the 2005 ones none yet.
    """
    rng = random.Random(seed + 5)
    towns = [o.id for o in plan.towns()]
    county_org = county_bureau(plan)
    shares = iter(_communities(random.Random(seed + 7), 37, COMMUNITIES_2004))
    rows = []

    def add(year: int, level: str, outside: bool, when: dt.date, org: str) -> None:
        k = len(rows) + 1
        rows.append(
            {
                "specialist_id": f"TP{year}{k:03d}",
                "name": f"示例特派员{year}-{k:02d}",
                "level": level,
                "outside": outside,
                "org": org,
                "speciality": rng.choice(SPECIALITIES),
                "communities": next(shares, 0) if year == 2004 else 0,
                "dispatch_date": when,
                "note": "示例数据",
                "synthetic": True,
            }
        )

    for i in range(11):
        add(2004, "county", i == 0, dt.date(2004, 3, 1) + dt.timedelta(days=rng.randint(0, 200)), county_org)
    for i in range(26):
        add(
            2004,
            "town",
            False,
            dt.date(2004, 3, 1) + dt.timedelta(days=rng.randint(0, 230)),
            towns[i % len(towns)],
        )
    for i in range(SPECIALISTS_2005):
        level = "county" if i % 3 == 0 else "town"
        when = dt.date(2005, 2, 15) + dt.timedelta(
            days=int(i * (DEMO_AS_OF - dt.date(2005, 2, 15)).days / SPECIALISTS_2005)
        )
        add(2005, level, i == 4, when, county_org if level == "county" else towns[(i * 4 + 1) % len(towns)])
    return pd.DataFrame(rows, columns=SPECIALIST_COLUMNS)


def demo_data(plan: Plan, seed: int = 2005) -> DeputyData:
    """The whole synthetic deputy ledger for ``plan``'s county."""
    roster = demo_roster(plan, seed)
    return DeputyData(
        roster=roster,
        reports=demo_reports(roster, seed),
        assessments=demo_assessments(roster, seed),
        end_of_term=demo_end_of_term(roster, seed),
        outputs=demo_outputs(roster, seed),
        specialists=demo_specialists(plan, seed),
        events=demo_events(roster, seed),
    )


def load_demo(
    store: WorkspaceStore, seed: int = 2005, who: str = "demo", recorded_at: dt.datetime | None = None
) -> dict[str, int]:
    """Write the synthetic ledger into a workspace store; returns rows added per part.

    When the store already holds specialists dispatched in the plan year (the
    demo workspace of :func:`kejifu.demo.build_demo` registers its own), only the
    earlier years' specialists are added, so no one is counted twice.
    """
    plan = store.plan()
    data = demo_data(plan, seed)
    existing = store.register_items(SPECIALIST_KIND)
    if len(existing) and (pd.to_datetime(existing["date"]).dt.year == plan.year).any():
        keep = [to_date(d).year != plan.year for d in data.specialists["dispatch_date"]]
        data = DeputyData(
            **{
                **{k: getattr(data, k) for k in data.counts()},
                "specialists": data.specialists[keep].reset_index(drop=True),
            }
        )
    return deputies_store.commit(
        store, data, source_file="deputies_demo (synthetic)", sha256="", who=who, recorded_at=recorded_at
    )
