"""Period: parsing, errors, inclusive days, local midnights in UTC across DST, previous()."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analysis.errors import AnalysisError
from analysis.period import Period, parse_date

EDT = -4 * 3600
EST = -5 * 3600


def test_parse_reads_iso_dates_and_defaults_to_toronto():
    period = Period.parse("2025-10-29", "2025-11-06")
    assert period.start == date(2025, 10, 29)
    assert period.end == date(2025, 11, 6)
    assert period.timezone == "America/Toronto"


def test_parse_accepts_date_objects_and_surrounding_spaces():
    period = Period.parse(date(2025, 10, 29), " 2025-11-06 ", "UTC")
    assert (period.start, period.end, period.timezone) == (
        date(2025, 10, 29),
        date(2025, 11, 6),
        "UTC",
    )


@pytest.mark.parametrize("bad", ["29/10/2025", "yesterday", ""])
def test_malformed_start_date_names_the_parameter_and_the_format(bad):
    with pytest.raises(AnalysisError) as error:
        Period.parse(bad, "2025-11-06")
    message = str(error.value)
    assert "start date" in message
    assert "YYYY-MM-DD" in message


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-02-01", "2025-02-30", "end date 2025-02-30: February 2025 has 28 days"),
        ("2024-02-30", "2024-03-01", "start date 2024-02-30: February 2024 has 29 days"),
        ("2025-11-31", "2025-12-01", "start date 2025-11-31: November 2025 has 30 days"),
        ("2025-13-01", "2025-12-01", "start date 2025-13-01: there is no month 13"),
    ],
)
def test_an_impossible_day_says_which_part_is_impossible(start, end, message):
    with pytest.raises(AnalysisError, match=f"^{message}"):
        Period.parse(start, end)


@pytest.mark.parametrize(
    ("start", "end", "which"),
    [("0001-01-01", "2025-01-01", "start"), ("2025-01-01", "9999-12-31", "end")],
)
def test_dates_outside_what_a_report_can_cover(start, end, which):
    with pytest.raises(AnalysisError, match=f"the {which} date .* is outside the dates"):
        Period.parse(start, end)


def test_weeks_are_monday_to_sunday_clipped_to_the_range():
    periods = Period.parse("2025-10-01", "2025-11-30").split("week")
    assert [(p.start.isoformat(), p.end.isoformat()) for p in periods][:2] == [
        ("2025-10-01", "2025-10-05"),
        ("2025-10-06", "2025-10-12"),
    ]
    assert periods[-1].end.isoformat() == "2025-11-30" and len(periods) == 9
    assert all(p.timezone == "America/Toronto" for p in periods)


def test_months_and_days_cover_the_range_exactly():
    whole = Period.parse("2025-01-15", "2025-03-10")
    months = whole.split("month")
    assert [(p.start.day, p.end.day) for p in months] == [(15, 31), (1, 28), (1, 10)]
    days = whole.split("day")
    assert len(days) == whole.days and days[0].start == days[0].end == whole.start
    assert Period.parse("2024-12-01", "2025-01-31").split("month")[1].start == date(2025, 1, 1)


def test_unknown_period_length():
    with pytest.raises(AnalysisError, match="--every 'fortnight' is not a period length"):
        Period.parse("2025-10-01", "2025-10-02").split("fortnight")


def test_parse_date_message_uses_the_given_name():
    with pytest.raises(AnalysisError, match=r"^from 'nope' is not a date"):
        parse_date("nope", "from")


def test_end_before_start_is_an_error_naming_both_dates():
    with pytest.raises(AnalysisError) as error:
        Period.parse("2025-11-06", "2025-10-29")
    message = str(error.value)
    assert "2025-11-06" in message
    assert "2025-10-29" in message
    assert "before it starts" in message


def test_unknown_time_zone_is_an_error_suggesting_an_iana_name():
    with pytest.raises(AnalysisError) as error:
        Period.parse("2025-10-29", "2025-11-06", "Mars/Olympus_Mons")
    message = str(error.value)
    assert "'Mars/Olympus_Mons'" in message
    assert "IANA" in message
    assert "America/Toronto" in message


def test_malformed_time_zone_key_is_an_analysis_error():
    with pytest.raises(AnalysisError, match="time zone"):
        Period.parse("2025-10-29", "2025-11-06", "../etc/passwd")


def test_days_are_counted_inclusively():
    assert Period.parse("2025-10-29", "2025-11-06").days == 9
    assert Period.parse("2025-11-06", "2025-11-06").days == 1
    assert Period.parse("2024-02-28", "2024-03-01").days == 3  # leap day


def test_label_joins_the_two_dates():
    assert Period.parse("2025-10-29", "2025-11-06").label == "2025-10-29_2025-11-06"


def test_utc_bounds_are_local_midnights_across_the_autumn_dst_change():
    period = Period.parse("2025-10-29", "2025-11-06")
    # 29 Oct is EDT (UTC-4); 7 Nov is EST (UTC-5), after the change on 2 Nov.
    assert period.utc_start == datetime(2025, 10, 29, 4, 0, tzinfo=UTC)
    assert period.utc_end == datetime(2025, 11, 7, 5, 0, tzinfo=UTC)


def test_utc_bounds_of_the_spring_forward_day_span_23_hours():
    period = Period.parse("2025-03-09", "2025-03-09")
    assert period.utc_start == datetime(2025, 3, 9, 5, 0, tzinfo=UTC)
    assert period.utc_end == datetime(2025, 3, 10, 4, 0, tzinfo=UTC)


def test_utc_bounds_in_utc_are_plain_midnights():
    period = Period.parse("2025-10-29", "2025-10-30", "UTC")
    assert period.utc_start == datetime(2025, 10, 29, tzinfo=UTC)
    assert period.utc_end == datetime(2025, 10, 31, tzinfo=UTC)


def test_utc_offsets_record_the_dst_change_at_its_utc_instant():
    period = Period.parse("2025-10-29", "2025-11-06")
    # 2 Nov 2025, 02:00 EDT = 06:00 UTC: clocks go back to 01:00 EST.
    assert period.utc_offsets() == [
        (datetime(2025, 10, 29, 4, 0, tzinfo=UTC), EDT),
        (datetime(2025, 11, 2, 6, 0, tzinfo=UTC), EST),
    ]


def test_utc_offsets_without_a_dst_change_is_a_single_pair():
    period = Period.parse("2025-11-10", "2025-11-20")
    assert period.utc_offsets() == [(datetime(2025, 11, 10, 5, 0, tzinfo=UTC), EST)]


def test_utc_offsets_across_spring_forward():
    period = Period.parse("2025-03-08", "2025-03-10")
    # 9 Mar 2025, 02:00 EST = 07:00 UTC: clocks jump to 03:00 EDT.
    assert period.utc_offsets() == [
        (datetime(2025, 3, 8, 5, 0, tzinfo=UTC), EST),
        (datetime(2025, 3, 9, 7, 0, tzinfo=UTC), EDT),
    ]


def test_previous_is_the_same_length_immediately_before():
    previous = Period.parse("2025-10-29", "2025-11-06", "UTC").previous()
    assert previous == Period(date(2025, 10, 20), date(2025, 10, 28), "UTC")


def test_previous_of_a_single_day_is_the_day_before():
    previous = Period.parse("2025-03-01", "2025-03-01").previous()
    assert (previous.start, previous.end) == (date(2025, 2, 28), date(2025, 2, 28))


def test_to_local_converts_utc_to_the_period_zone():
    period = Period.parse("2025-10-29", "2025-11-06")
    moment = period.to_local(datetime(2025, 11, 6, 19, 5, 57, tzinfo=UTC))
    assert moment.replace(tzinfo=None) == datetime(2025, 11, 6, 14, 5, 57)
    assert moment.utcoffset().total_seconds() == EST
