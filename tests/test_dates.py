"""One date and time format, in Paris time (proxi/dates.py)."""

from datetime import UTC, date, datetime

from proxi import dates


def test_an_instant_is_read_on_the_paris_clock_winter_and_summer():
    winter = datetime(2026, 11, 15, 23, 30, tzinfo=UTC)  # UTC+1: already the 16th in Paris
    summer = datetime(2026, 7, 1, 22, 15, tzinfo=UTC)  # UTC+2
    assert dates.local_moment(winter) == "16/11/2026 00:30"
    assert dates.local_moment(dates.iso(summer)) == "02/07/2026 00:15"
    assert dates.french_date("2026-11-15T23:30:00.000Z") == "16/11/2026"
    assert dates.local_time("2026-07-01T08:05:00+00:00") == "10:05"


def test_a_day_is_shown_as_it_is():
    assert dates.french_date("2026-11-15") == "15/11/2026"
    assert dates.french_date(date(2026, 1, 5)) == "05/01/2026"
    assert dates.day("2026-11-15") == date(2026, 11, 15)
    assert dates.day("2026-11-15T23:30:00+00:00") == date(2026, 11, 16)


def test_nothing_reads_as_nothing():
    assert dates.french_date(None) == dates.french_date("") == dates.local_moment(None) == ""
    assert dates.day(None) is None


def test_a_stored_instant_without_offset_is_utc():
    assert dates.paris("2026-11-15T12:00:00").hour == 13


def test_a_typed_day_is_read_the_french_way_or_refused_in_french():
    import pytest

    assert dates.parse_day(" 15/01/2026 ") == date(2026, 1, 15)
    assert dates.parse_day("5-1-2026") == dates.parse_day("05.01.2026") == date(2026, 1, 5)
    assert dates.parse_day("") is None
    with pytest.raises(dates.DateError, match="« 31/02/2026 » n'existe pas dans le calendrier"):
        dates.parse_day("31/02/2026")
    with pytest.raises(dates.DateError, match="écrivez-la JJ/MM/AAAA"):
        dates.parse_day("2026-01-15")
