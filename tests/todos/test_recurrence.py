from __future__ import annotations

from datetime import date, datetime

import pytest

from todos.errors import InvalidTask, TaskRuleBroken
from todos.quickadd import recurrence_from_words
from todos.recurrence import next_occurrence, recurrence_clean, recurrence_words


def test_rules_are_normalised():
    assert recurrence_clean(" rrule:freq=weekly;byday=mo ") == "FREQ=WEEKLY;BYDAY=MO"
    assert recurrence_clean("") is None
    assert recurrence_clean(None) is None


@pytest.mark.parametrize(
    ("rule", "refusal"),
    [
        *[(rule, InvalidTask) for rule in ("FREQ=SOMETIMES", "BYDAY=MO", "FREQ=DAILY;INTERVAL=x")],
        ("DTSTART:20200101\nFREQ=DAILY", InvalidTask),
        # A task repeats daily at the most often: a valid RRULE, but not a task's (422, not 400).
        *[(rule, TaskRuleBroken) for rule in ("FREQ=HOURLY", "freq=minutely;interval=5", "FREQ=SECONDLY;COUNT=3")],
        *[
            (rule, TaskRuleBroken)
            for rule in ("FREQ=DAILY;BYHOUR=9,17", "FREQ=WEEKLY;BYMINUTE=30", "FREQ=DAILY;BYSECOND=1")
        ],
    ],
)
def test_bad_rules_are_rejected_on_the_field(rule, refusal):
    with pytest.raises(refusal) as caught:
        recurrence_clean(rule)
    assert list(caught.value.fields) == ["recurrence"]


def test_next_occurrence_of_a_date_and_a_wall_clock_time():
    assert next_occurrence("FREQ=WEEKLY;BYDAY=MO", date(2025, 3, 3)) == (date(2025, 3, 10), "FREQ=WEEKLY;BYDAY=MO")
    assert next_occurrence("FREQ=MONTHLY", datetime(2025, 1, 31, 9, 0)) == (datetime(2025, 3, 31, 9, 0), "FREQ=MONTHLY")


def test_the_next_occurrence_of_a_date_is_on_a_later_day_whatever_hours_the_rule_names():
    assert next_occurrence("FREQ=DAILY;BYHOUR=1,5", date(2025, 3, 3)) == (date(2025, 3, 4), "FREQ=DAILY;BYHOUR=1,5")
    # A rule stored before sub-daily ones were refused still moves on, a day at a time.
    assert next_occurrence("FREQ=HOURLY", date(2025, 3, 3)) == (date(2025, 3, 4), "FREQ=HOURLY")
    assert next_occurrence("FREQ=DAILY;UNTIL=20250304", date(2025, 3, 3)) == (
        date(2025, 3, 4),
        "FREQ=DAILY;UNTIL=20250304",
    )
    assert next_occurrence("FREQ=DAILY;UNTIL=20250304", date(2025, 3, 4)) is None


def test_count_runs_down_and_until_ends_the_series():
    assert next_occurrence("FREQ=DAILY;COUNT=3", date(2025, 1, 1)) == (date(2025, 1, 2), "FREQ=DAILY;COUNT=2")
    assert next_occurrence("FREQ=DAILY;COUNT=1", date(2025, 1, 1)) is None
    assert next_occurrence("FREQ=DAILY;UNTIL=20250101T000000Z", date(2025, 1, 1)) is None


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY", "every day"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=WEEKLY;INTERVAL=2", "every other week"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("FREQ=WEEKLY;BYDAY=TU", "every Tuesday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "every week on Monday, Wednesday and Friday"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=22", "every 2 months on the 22nd"),
        ("FREQ=MONTHLY;BYMONTHDAY=11", "every month on the 11th"),
        ("FREQ=YEARLY;COUNT=3", "every year, 3 times"),
        ("FREQ=DAILY;UNTIL=20270101T000000Z", "every day, until 2027-01-01"),
        # What the words do not cover is shown as the rule, never as a wrong sentence.
        ("FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO", "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO"),
        ("FREQ=WEEKLY;BYDAY=1MO", "FREQ=WEEKLY;BYDAY=1MO"),
        ("FREQ=DAILY;BYDAY=MO", "FREQ=DAILY;BYDAY=MO"),
        ("FREQ=YEARLY;BYMONTHDAY=5", "FREQ=YEARLY;BYMONTHDAY=5"),  # the 5th of every month, not "every year on"
    ],
)
def test_a_rule_is_said_in_words_where_words_cover_it(rule, words):
    assert recurrence_words(rule) == words
    assert recurrence_clean(rule) == rule  # every example is a rule the app stores as it is


@pytest.mark.parametrize(
    ("words", "rule"),
    [
        ("every tuesday", "FREQ=WEEKLY;BYDAY=TU"),
        ("Every Weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly", "FREQ=MONTHLY"),
        ("every month on the 1st", "FREQ=MONTHLY;BYMONTHDAY=1"),
        ("every tuesday please", None),  # more than a repeat: not one
        ("FREQ=WEEKLY", None),
        ("", None),
    ],
)
def test_a_repeat_in_words_is_its_rule(words, rule):
    assert recurrence_from_words(words) == rule
