from __future__ import annotations

from datetime import date, datetime

import pytest

from todos.errors import InvalidTask
from todos.recurrence import next_occurrence, recurrence_clean


def test_rules_are_normalised():
    assert recurrence_clean(" rrule:freq=weekly;byday=mo ") == "FREQ=WEEKLY;BYDAY=MO"
    assert recurrence_clean("") is None
    assert recurrence_clean(None) is None


@pytest.mark.parametrize(
    "rule", ["FREQ=SOMETIMES", "BYDAY=MO", "FREQ=DAILY;INTERVAL=x", "DTSTART:20200101\nFREQ=DAILY"]
)
def test_bad_rules_are_rejected_on_the_field(rule):
    with pytest.raises(InvalidTask) as caught:
        recurrence_clean(rule)
    assert list(caught.value.fields) == ["recurrence"]


def test_next_occurrence_of_a_date_and_a_wall_clock_time():
    assert next_occurrence("FREQ=WEEKLY;BYDAY=MO", date(2025, 3, 3)) == (date(2025, 3, 10), "FREQ=WEEKLY;BYDAY=MO")
    assert next_occurrence("FREQ=MONTHLY", datetime(2025, 1, 31, 9, 0)) == (datetime(2025, 3, 31, 9, 0), "FREQ=MONTHLY")


def test_count_runs_down_and_until_ends_the_series():
    assert next_occurrence("FREQ=DAILY;COUNT=3", date(2025, 1, 1)) == (date(2025, 1, 2), "FREQ=DAILY;COUNT=2")
    assert next_occurrence("FREQ=DAILY;COUNT=1", date(2025, 1, 1)) is None
    assert next_occurrence("FREQ=DAILY;UNTIL=20250101T000000Z", date(2025, 1, 1)) is None
