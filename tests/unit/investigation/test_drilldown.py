"""The drill-down: one row per request of a period, and every headline figure of the reference
(docs/reference/README.md) as one line of pandas on it."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rows import (
    ANOMALY_EXPECTED,
    ANOMALY_PERIOD,
    ANOMALY_ROWS,
    PERIOD,
    fill,
    local,
    make_db,
    mechanic,
    organization,
    request,
    utc,
)

from analysis import investigate, requests
from analysis.errors import AnalysisError
from analysis.investigation import collect, drilldown, quality
from analysis.investigation.accounts import TestAccountRules
from analysis.investigation.drilldown import (
    COLUMNS,
    RequestFilter,
    fetch,
    request_row_count,
    request_rows,
)
from analysis.period import Period
from analysis.source import schema
from analysis.source.engine import connect, read_frame

START, END = "2025-10-29", "2025-11-06"
C62 = "c62837da-8ff1-4218-afbe-3da2e940dfd7"
M2750 = "2750cdea-36d2-4c84-a5b3-37d8f5f9d1e5"
M0D88 = "0d887221-3e2f-4887-b2df-7a70f047ac03"
CUST1 = "0af3d300-cbca-4019-baa6-e92e402ccd1b"


@pytest.fixture(scope="module")
def r() -> pd.DataFrame:
    """The reference period's requests, from the demo database."""
    return requests(START, END)


def by_status(frame: pd.DataFrame, key: str) -> dict[str, dict[str, int]]:
    counts = frame.groupby(key)["status"].value_counts()
    return {k: counts[k].to_dict() for k in counts.index.get_level_values(0).unique()}


# --- every figure of the reference list, one line of pandas each --------------------------

REFERENCE = [
    ("43 requests", lambda r: len(r), 43),
    (
        "36 cancelled, 6 completed, 1 pending",
        lambda r: r.status.value_counts().to_dict(),
        {"cancelled": 36, "completed": 6, "pending": 1},
    ),
    ("13 assigned", lambda r: r.assigned.sum(), 13),
    ("30 never assigned", lambda r: (~r.assigned).sum(), 30),
    ("3 of the 7 mechanics took part", lambda r: r.mechanic_id.nunique(), 3),
    (
        "per mechanic: c62837da 5 (4 completed, 1 cancelled), 2750cdea 6, 0d887221 2",
        lambda r: by_status(r, "mechanic_id"),
        {C62: {"completed": 4, "cancelled": 1}, M2750: {"cancelled": 6}, M0D88: {"cancelled": 2}},
    ),
    (
        "oldest 2025-10-29 00:45:48 (local)",
        lambda r: f"{r.created_local.min():%Y-%m-%d %H:%M:%S}",
        "2025-10-29 00:45:48",
    ),
    (
        "newest 2025-11-06 14:05:57 (local)",
        lambda r: f"{r.created_local.max():%Y-%m-%d %H:%M:%S}",
        "2025-11-06 14:05:57",
    ),
    (
        "span 9 days",
        lambda r: (r.created_local.max().date() - r.created_local.min().date()).days + 1,
        9,
    ),
    ("13 response times", lambda r: r.response_minutes.count(), 13),
    ("mean response 4.83 min", lambda r: round(r.response_minutes.mean(), 2), 4.83),
    ("fastest response 0.47 min", lambda r: round(r.response_minutes.min(), 2), 0.47),
    ("slowest response 29.38 min", lambda r: round(r.response_minutes.max(), 2), 29.38),
    ("median response 1.51 min", lambda r: round(r.response_minutes.median(), 2), 1.51),
    (
        "types: chat 37, video 3, diagnostic 3",
        lambda r: r.session_type.value_counts().to_dict(),
        {"chat": 37, "video": 3, "diagnostic": 3},
    ),
    (
        "customers by request e-mail: 33 (3, 29, 1), 9 (3, 6, 0), 1 (0, 1, 0)",
        lambda r: by_status(r, "customer"),
        {
            "cust1@test.com": {"cancelled": 29, "completed": 3, "pending": 1},
            "cust2@test.com": {"cancelled": 6, "completed": 3},
            "owner@autodoctor.example": {"cancelled": 1},
        },
    ),
    (
        "cust1: 4 active days, 20 on the busiest (6 Nov)",
        lambda r: (
            r[r.customer == "cust1@test.com"]
            .created_local.dt.date.value_counts()
            .agg(["size", "max"])
        ).to_dict(),
        {"size": 4, "max": 20},
    ),
    ("27 cancelled before assignment", lambda r: r.cancelled_before_assignment.sum(), 27),
    (
        "9 cancelled after assignment",
        lambda r: (r.status.eq("cancelled") & r.assigned).sum(),
        9,
    ),
    ("43 broadcast", lambda r: r.routing_type.value_counts().to_dict(), {"broadcast": 43}),
    ("5 served by a workshop", lambda r: r.workshop_id.notna().sum(), 5),
    ("0 with a preferred workshop", lambda r: r.preferred_workshop_id.notna().sum(), 0),
    (
        "2 completed with no mechanic and no accepted_at",
        lambda r: (r.status.eq("completed") & ~r.assigned & r.accepted_local.isna()).sum(),
        2,
    ),
    (
        "1 request whose e-mail differs from its customer's profile",
        lambda r: r.anomalies.map(lambda a: "email_differs_from_profile" in a).sum(),
        1,
    ),
    ("every customer a test account", lambda r: r.test_account.all(), True),
]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [(e, x) for _, e, x in REFERENCE],
    ids=[name for name, _, _ in REFERENCE],
)
def test_each_reference_figure_is_one_line_of_pandas(r, expression, expected) -> None:
    assert expression(r) == expected


@pytest.fixture(scope="module")
def f():
    return investigate(START, END)


def test_the_frame_agrees_with_the_findings(r, f) -> None:
    """The same figures from the frame and from investigate (the aggregates in SQL)."""
    assert len(r) == f.total
    assert r.status.value_counts().to_dict() == dict(
        zip(f.status.status, f.status.requests, strict=True)
    )
    assert int(r.cancelled_before_assignment.sum()) == f.cancellations["before_assignment"]
    assert r.groupby("customer").size().to_dict() == dict(
        zip(f.customers.customer, f.customers.requests, strict=True)
    )
    assert r.groupby("mechanic_id").size().to_dict() == dict(
        zip(f.mechanics.mechanic_id, f.mechanics.requests, strict=True)
    )
    flagged = r.explode("anomalies").anomalies.value_counts().to_dict()
    assert flagged == {
        c: n for c, n in zip(f.anomalies["check"], f.anomalies["count"], strict=True) if n
    }
    assert int(r.anomalies.map(bool).sum()) == f.flagged_requests
    daily = r.groupby([r.created_local.dt.date, "status"]).size()
    assert daily.to_dict() == {(d, s): n for d, s, n in f.daily.itertuples(index=False)}
    types = r.groupby("mechanic_id").mechanic_type.first()
    assert types.to_dict() == dict(
        zip(f.mechanics.mechanic_id, f.mechanics.mechanic_type, strict=True)
    )
    tests = r.groupby("customer").test_account.first()
    assert sorted(tests[tests].index) == sorted(f.test_accounts.customer)


def test_columns_and_types(r) -> None:
    assert tuple(r.columns) == COLUMNS
    assert str(r.created_local.dt.tz) == "America/Toronto"
    assert str(r.created_at.dt.tz) == "UTC"
    assert (r.created_local == r.created_at).all()  # the same moments, shown in another zone
    for flag in ("assigned", "test_account", "cancelled_before_assignment"):
        assert r[flag].dtype == bool
    assert r.response_minutes.dtype == float
    assert all(isinstance(a, list) for a in r.anomalies)
    # Missing text is None throughout, never NaN beside None.
    assert r.preferred_workshop_id.map(lambda v: v is None).all()
    assert r.workshop_id[r.workshop_id.isna()].map(lambda v: v is None).all()
    assert r.created_local.is_monotonic_increasing


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        ({"status": "cancelled"}, 36),
        ({"status": ["completed", "pending"]}, 7),
        ({"session_type": "video"}, 3),
        ({"customer": "cust2@test.com"}, 9),
        ({"customer": CUST1}, 34),  # by customer id: both of its e-mails
        ({"customer": CUST1[:8]}, 34),  # as the profile audit shows it
        ({"customer": ["cust2@test.com", "owner@autodoctor.example"]}, 10),
        ({"mechanic": C62}, 5),
        ({"mechanic": "c62837da"}, 5),  # as the report shows it
        ({"mechanic": ["c62837da", M2750.upper()]}, 11),
        ({"anomaly": "completed_without_mechanic"}, 2),
        ({"anomaly": ["completed_without_mechanic", "email_differs_from_profile"]}, 3),
        ({"anomaly": True}, 3),
        ({"anomaly": False}, 40),
        ({"anomaly": False, "status": "completed"}, 4),
        ({"status": "cancelled", "mechanic": "2750cdea"}, 6),
        ({"status": "completed", "anomaly": True, "customer": "cust1@test.com"}, 2),
        ({"status": "expired"}, 0),
    ],
)
def test_filters(filters: dict, count: int) -> None:
    found = requests(START, END, **filters)
    assert len(found) == count
    assert tuple(found.columns) == COLUMNS


def test_filters_select_what_pandas_would(r) -> None:
    assert set(requests(START, END, status="cancelled", anomaly=True).id) == set(
        r[(r.status == "cancelled") & r.anomalies.map(bool)].id
    )


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"anomaly": "late"}, "anomaly 'late' is not a data-quality check: use one of"),
        ({"mechanic": "c62"}, "mechanic 'c62': give the whole id, or at least its first 8"),
        ({"status": 3}, "status=3 is not a filter"),
        ({"session_type": ["chat", 1]}, "session_type values must be text"),
    ],
)
def test_bad_filters_say_what_to_write(filters: dict, message: str) -> None:
    with pytest.raises(AnalysisError) as caught:
        requests(START, END, **filters)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_filters_are_bound_parameters_in_the_database() -> None:
    only = RequestFilter.given(status="o'brien", customer="x@y.com", anomaly=True)
    sql = str(request_rows(PERIOD, only))
    assert "o'brien" not in sql and "x@y.com" not in sql
    assert "WHERE" in sql and "created_at >=" in sql
    count = str(request_row_count(PERIOD, RequestFilter.given(status="cancelled")))
    assert "JOIN" not in count  # a count without anomaly filters reads the requests alone


def loose() -> sa.MetaData:
    """The schema without NOT NULL or primary keys: what a live table may hold."""
    metadata = sa.MetaData()
    for table in schema.metadata.sorted_tables:
        sa.Table(table.name, metadata, *[sa.Column(c.name, c.type) for c in table.columns])
    return metadata


def test_a_null_status_is_matched_by_none(tmp_path) -> None:
    rows = [request(status=None), request(status="pending", routing_type=None)]
    url = fill(tmp_path / "nulls.db", {"session_requests": rows}, loose())
    found = requests(START, END, db=url, status=[None])
    assert len(found) == 1 and found.status.iloc[0] is None
    assert "unknown_status" in found.anomalies.iloc[0]
    assert len(requests(START, END, db=url, status=["pending", None])) == 2


# --- the period, the time zone and the limit -----------------------------------------------


def test_only_the_periods_rows_in_local_time(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[
            request(id="before", created_at=local(2025, 10, 28, 23, 59, 59)),
            request(id="first", created_at=local(2025, 10, 29, 0, 0, 0)),
            # the repeated hour of 2 Nov (DST ends): 01:30 EST, an hour after 01:30 EDT
            request(id="fold", created_at=utc(2025, 11, 2, 6, 30)),
            request(id="last", created_at=local(2025, 11, 6, 23, 59, 59)),
            request(id="after", created_at=local(2025, 11, 7, 0, 0, 0)),
        ],
    )
    found = requests(START, END, db=url)
    assert list(found.id) == ["first", "fold", "last"]
    shown = [f"{t:%Y-%m-%d %H:%M:%S %z}" for t in found.created_local]
    assert shown == [
        "2025-10-29 00:00:00 -0400",
        "2025-11-02 01:30:00 -0500",
        "2025-11-06 23:59:59 -0500",
    ]
    # The same dates in UTC: 28 Oct 23:59:59 in Toronto is 29 Oct 03:59:59 UTC, inside;
    # 6 Nov 23:59:59 in Toronto is 7 Nov 04:59:59 UTC, outside.
    in_utc = requests(START, END, "UTC", db=url)
    assert str(in_utc.created_local.dt.tz) == "UTC"
    assert list(in_utc.id) == ["before", "first", "fold"]


def test_too_many_rows_are_refused_before_any_is_read() -> None:
    with pytest.raises(AnalysisError) as caught:
        requests(START, END, limit=40)
    message = str(caught.value)
    assert message.startswith("43 requests from 2025-10-29 to 2025-11-06 are more than limit=40")
    assert "investigate()" in message and "\n" not in message
    with pytest.raises(AnalysisError, match="36 requests matching the filters"):
        requests(START, END, status="cancelled", limit=10)
    assert len(requests(START, END, status="completed", limit=10)) == 6
    assert len(requests(START, END, limit=None)) == 43


def test_an_empty_period_is_an_empty_frame_with_every_column() -> None:
    found = requests("2024-01-01", "2024-01-07")
    assert found.empty and tuple(found.columns) == COLUMNS
    assert str(found.created_local.dt.tz) == "America/Toronto"


# --- the flags -----------------------------------------------------------------------------


def test_the_anomalies_are_the_checks_own_verdicts(tmp_path) -> None:
    """Every check's requests, from the drill-down and from the data-quality query alike."""
    with connect(fill(tmp_path / "anomalies.db", ANOMALY_ROWS)) as conn:
        found = fetch(conn, ANOMALY_PERIOD)
        flagged = quality.anomalies(read_frame(conn, quality.anomaly_rows(ANOMALY_PERIOD)))
        clean = fetch(conn, ANOMALY_PERIOD, RequestFilter.given(anomaly=False))
        assert sorted(clean.id) == ["ok", "ok2"]  # NULL conditions are not failures
        for check in quality.CHECK_NAMES:
            listed = fetch(conn, ANOMALY_PERIOD, RequestFilter.given(anomaly=check))
            assert sorted(listed.id) == ANOMALY_EXPECTED[check], check
    per_check = {
        c: sorted(found.id[found.anomalies.map(lambda a, c=c: c in a)]) for c in ANOMALY_EXPECTED
    }
    assert per_check == ANOMALY_EXPECTED
    assert per_check == dict(zip(flagged["check"], flagged["request_ids"], strict=True))
    assert "late" not in set(found.id)


def test_a_duplicated_id_is_flagged_on_each_of_its_rows(tmp_path) -> None:
    rows = [
        request(id="dup", created_at=local(2025, 10, 30)),
        request(id="dup", created_at=local(2025, 10, 31), status="cancelled"),
        request(id="solo", created_at=local(2025, 10, 31, 1)),
    ]
    found = requests(START, END, db=fill(tmp_path / "dup.db", {"session_requests": rows}, loose()))
    assert list(found.id) == ["dup", "dup", "solo"]  # every row, as every figure counts them
    assert list(found.anomalies.map(lambda a: "duplicate_id" in a)) == [True, True, False]


def test_response_minutes_leave_out_what_the_report_leaves_out(tmp_path) -> None:
    created = local(2025, 10, 30, 12)
    m = mechanic()
    url = make_db(
        tmp_path,
        requests=[
            request(
                id="ok",
                mechanic_id=m["id"],
                created_at=created,
                accepted_at=created + timedelta(minutes=3),
                status="completed",
            ),
            request(
                id="early",
                mechanic_id=m["id"],
                created_at=created,
                accepted_at=created - timedelta(minutes=1),
                status="completed",
            ),
            request(id="never", created_at=created, status="cancelled"),
        ],
        mechanics=[m],
    )
    found = requests(START, END, db=url).set_index("id")
    assert found.response_minutes["ok"] == pytest.approx(3.0)
    assert pd.isna(found.response_minutes["early"]) and pd.isna(found.response_minutes["never"])
    assert "accepted_before_created" in found.anomalies["early"]
    assert "accepted_before_created" not in found.anomalies["ok"]
    assert found.accepted_local["early"] < found.created_local["early"]  # the raw times stay
    assert found.cancelled_before_assignment.to_dict() == {
        "early": False,
        "never": True,
        "ok": False,
    }


def test_mechanic_types_come_from_the_roster(tmp_path) -> None:
    shop = organization()
    virtual, affiliated, independent = (
        mechanic(),
        mechanic(workshop_id=shop["id"], account_type="workshop_mechanic"),
        mechanic(workshop_id=shop["id"], account_type="individual_mechanic"),
    )
    ghost = str(uuid.uuid4())
    at = local(2025, 10, 30, 12)
    url = make_db(
        tmp_path,
        requests=[
            request(id=str(i), mechanic_id=mid, created_at=at + timedelta(minutes=i))
            for i, mid in enumerate(
                [virtual["id"], affiliated["id"], independent["id"], ghost, None]
            )
        ],
        mechanics=[virtual, affiliated, independent],
        organizations=[shop],
    )
    found = requests(START, END, db=url)
    assert list(found.mechanic_type) == [
        "virtual",
        "workshop-affiliated",
        "independent workshop",
        None,  # not on the roster: unknown, and flagged
        None,  # unassigned
    ]
    assert "unknown_mechanic" in found.anomalies.iloc[3]
    assert "unknown_mechanic" not in found.anomalies.iloc[0]


def test_test_accounts_follow_the_rules_given(tmp_path) -> None:
    url = make_db(
        tmp_path,
        requests=[
            request(customer_email="a@shop.ca", created_at=local(2025, 10, 30, 9)),
            request(customer_email="qa@test.com", created_at=local(2025, 10, 30, 10)),
            request(customer_email=None, created_at=local(2025, 10, 30, 11)),
        ],
    )
    default = requests(START, END, db=url)
    assert list(default.test_account) == [False, True, False]
    assert default.customer.iloc[2] == default.customer_id.iloc[2]  # no e-mail: the id
    listed = requests(START, END, db=url, rules=TestAccountRules.given(known=["A@shop.ca"]))
    assert list(listed.test_account) == [True, True, False]


# --- random data: the frame and the aggregates agree ---------------------------------------

ORIGIN = datetime(2025, 10, 27, tzinfo=UTC)
CUSTOMERS = [str(uuid.UUID(int=i)) for i in range(1, 4)]
MECHANICS = [str(uuid.UUID(int=i)) for i in range(11, 14)]


@st.composite
def random_requests(draw: st.DrawFn) -> list[dict]:
    rows = []
    for i in range(draw(st.integers(0, 20))):
        created = ORIGIN + timedelta(seconds=draw(st.integers(0, 14 * 86400)))
        delay = draw(st.none() | st.integers(-600, 7200))
        rows.append(
            request(
                id=str(uuid.UUID(int=1000 + i)),
                created_at=created,
                customer_id=draw(st.sampled_from(CUSTOMERS)),
                customer_email=draw(st.none() | st.sampled_from(["a@test.com", "b@shop.ca"])),
                mechanic_id=draw(st.none() | st.sampled_from(MECHANICS)),
                status=draw(st.sampled_from(["pending", "cancelled", "completed", "on_hold"])),
                session_type=draw(st.sampled_from(["chat", "video", "phone"])),
                accepted_at=None if delay is None else created + timedelta(seconds=delay),
            )
        )
    return rows


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=random_requests(),
    offset=st.integers(0, 10),
    length=st.integers(0, 5),
    zone=st.sampled_from(["America/Toronto", "UTC"]),
)
def test_figures_from_the_frame_equal_the_findings(rows, offset, length, zone) -> None:
    day = (ORIGIN + timedelta(days=offset)).date()
    period = Period(day, day + timedelta(days=length), zone)
    with tempfile.TemporaryDirectory() as tmp:
        url = make_db(Path(tmp), requests=rows, mechanics=[mechanic(id=MECHANICS[0])])
        with connect(url) as conn:
            f = collect(conn, period)
            r = fetch(conn, period)
    assert len(r) == f.total
    assert r.status.value_counts().to_dict() == dict(
        zip(f.status.status, f.status.requests, strict=True)
    )
    assert r.session_type.value_counts().to_dict() == dict(
        zip(f.types.session_type, f.types.requests, strict=True)
    )
    assert int(r.assigned.sum()) == f.assignment["assigned"]
    assert int(r.cancelled_before_assignment.sum()) == f.cancellations["before_assignment"]
    assert int((r.status.eq("cancelled") & r.assigned).sum()) == f.cancellations["after_assignment"]
    minutes = r.response_minutes
    assert int(minutes.count()) == f.response["count"]
    assert int((r.accepted_at < r.created_at).sum()) == f.response["excluded_negative"]
    for name in ("mean", "median", "min", "max"):
        value = getattr(minutes, name)()
        expected = f.response[name]
        assert (pd.isna(value) and expected is None) or value == pytest.approx(expected, abs=1e-6)
    assert r.groupby("customer").size().to_dict() == dict(
        zip(f.customers.customer, f.customers.requests, strict=True)
    )
    assert r.groupby("mechanic_id").size().to_dict() == dict(
        zip(f.mechanics.mechanic_id, f.mechanics.requests, strict=True)
    )
    flagged = r.explode("anomalies").anomalies.dropna().value_counts().to_dict()
    assert flagged == {
        c: n for c, n in zip(f.anomalies["check"], f.anomalies["count"], strict=True) if n
    }
    assert int(r.anomalies.map(bool).sum()) == f.flagged_requests
    daily = r.groupby([r.created_local.dt.date, "status"]).size()
    assert daily.to_dict() == {(d, s): n for d, s, n in f.daily.itertuples(index=False)}
    if len(r):
        assert r.created_local.min() == f.span["first_at"]
        assert r.created_local.max() == f.span["last_at"]


def test_rows_read_in_chunks_make_the_same_frame(r, monkeypatch) -> None:
    monkeypatch.setattr(drilldown, "CHUNK_ROWS", 10)
    chunked = requests(START, END)
    pd.testing.assert_frame_equal(chunked, r)
