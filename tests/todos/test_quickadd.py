"""Quick add's reading of plain words: a table of phrases at a fixed clock (Wednesday 4 March 2026, 10:00)."""

from __future__ import annotations

from datetime import datetime

import pytest

from todos.quickadd import quick_add_parse

NOW = datetime(2026, 3, 4, 10, 0)  # a Wednesday
LISTS = ("Home", "Work", "Side Project")


def expected(title, due=None, *, list_name=None, labels=(), priority=None, rule=None):
    return {"title": title, "due": due, "list": list_name, "labels": list(labels), "priority": priority, "rule": rule}


PHRASES = [
    # The example, and the product's priority scale (p1 normal ... p4 urgent).
    (
        "Pay rent tomorrow 9am #Home @bills p1 every month",
        expected("Pay rent", "2026-03-05 09:00", list_name="Home", labels=["bills"], priority=1, rule="FREQ=MONTHLY"),
    ),
    # Relative days.
    ("Buy milk today", expected("Buy milk", "2026-03-04")),
    ("Buy milk tod", expected("Buy milk", "2026-03-04")),
    ("Call Anna tomorrow", expected("Call Anna", "2026-03-05")),
    ("Call Anna tmr", expected("Call Anna", "2026-03-05")),
    ("Call Anna tmrw", expected("Call Anna", "2026-03-05")),
    ("Tomorrow: water plants", expected("water plants", "2026-03-05")),
    ("Pack in 3 days", expected("Pack", "2026-03-07")),
    ("Renew passport in 2 weeks", expected("Renew passport", "2026-03-18")),
    ("Dentist in a month", expected("Dentist", "2026-04-04")),
    ("Review in one year", expected("Review", "2027-03-04")),
    ("Check oven in 2 hours", expected("Check oven", "2026-03-04 12:00")),
    ("Stretch in 30 minutes", expected("Stretch", "2026-03-04 10:30")),
    # Weekdays: the next one, today included; "next" means after today.
    ("Gym fri", expected("Gym", "2026-03-06")),
    ("Gym friday", expected("Gym", "2026-03-06")),
    ("Gym on Friday", expected("Gym", "2026-03-06")),
    ("Laundry sat", expected("Laundry", "2026-03-07")),
    ("Brunch sunday", expected("Brunch", "2026-03-08")),
    ("Standup mon", expected("Standup", "2026-03-09")),
    ("Bins tue", expected("Bins", "2026-03-10")),
    ("Pay day wednesday", expected("Pay day", "2026-03-04")),
    ("Pay day next wednesday", expected("Pay day", "2026-03-11")),
    ("Retro next fri", expected("Retro", "2026-03-06")),
    ("Choir thurs", expected("Choir", "2026-03-05")),
    ("Plan next week", expected("Plan", "2026-03-09")),
    ("Budget next month", expected("Budget", "2026-04-01")),
    ("Taxes next year", expected("Taxes", "2027-01-01")),
    # Dates in common forms; without a year, the next time the day comes round.
    ("File return 2026-04-15", expected("File return", "2026-04-15")),
    ("Party 5/7", expected("Party", "2026-05-07")),
    ("Party 5/7/2027", expected("Party", "2027-05-07")),
    ("Anniversary 1/20", expected("Anniversary", "2027-01-20")),
    ("Dentist March 10", expected("Dentist", "2026-03-10")),
    ("Dentist Mar 10th", expected("Dentist", "2026-03-10")),
    ("Dentist on March 3", expected("Dentist", "2027-03-03")),
    ("Trip 12 June", expected("Trip", "2026-06-12")),
    ("Trip 12th of June", expected("Trip", "2026-06-12")),
    ("Trip Jun 12 2028", expected("Trip", "2028-06-12")),
    ("Leap day feb 29", expected("Leap day", "2028-02-29")),
    ("Invoice the 15th", expected("Invoice", "2026-03-15")),
    ("Invoice on the 1st", expected("Invoice", "2026-04-01")),
    # Times: with a date, or alone (today's, tomorrow's once past).
    ("Call bank tomorrow at 9", expected("Call bank", "2026-03-05 09:00")),
    ("Call bank tomorrow 9:30am", expected("Call bank", "2026-03-05 09:30")),
    ("Call bank tomorrow 3pm", expected("Call bank", "2026-03-05 15:00")),
    ("Call bank tomorrow 3 pm", expected("Call bank", "2026-03-05 15:00")),
    ("Call bank fri 17:30", expected("Call bank", "2026-03-06 17:30")),
    ("Lunch noon", expected("Lunch", "2026-03-04 12:00")),
    ("Backup at midnight", expected("Backup", "2026-03-05 00:00")),
    ("Coffee 9am", expected("Coffee", "2026-03-05 09:00")),
    ("Coffee 11am", expected("Coffee", "2026-03-04 11:00")),
    ("Movie 8pm friday", expected("Movie", "2026-03-06 20:00")),
    ("Pick up 12am tomorrow", expected("Pick up", "2026-03-05 00:00")),
    # Repeats (a repeat needs a date: its first one from today).
    ("Water plants every day", expected("Water plants", "2026-03-04", rule="FREQ=DAILY")),
    ("Vitamins daily", expected("Vitamins", "2026-03-04", rule="FREQ=DAILY")),
    ("Standup every weekday at 9", expected("Standup", "2026-03-05 09:00", rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
    ("Standup every weekday 11am", expected("Standup", "2026-03-04 11:00", rule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")),
    ("Mow lawn every 2 weeks", expected("Mow lawn", "2026-03-04", rule="FREQ=WEEKLY;INTERVAL=2")),
    ("Clean every other week", expected("Clean", "2026-03-04", rule="FREQ=WEEKLY;INTERVAL=2")),
    ("Rent every month on the 1st", expected("Rent", "2026-04-01", rule="FREQ=MONTHLY;BYMONTHDAY=1")),
    ("Report every month on the 4th", expected("Report", "2026-03-04", rule="FREQ=MONTHLY;BYMONTHDAY=4")),
    ("Piano every monday", expected("Piano", "2026-03-09", rule="FREQ=WEEKLY;BYDAY=MO")),
    ("Review weekly", expected("Review", "2026-03-04", rule="FREQ=WEEKLY")),
    ("Birthday every year", expected("Birthday", "2026-03-04", rule="FREQ=YEARLY")),
    ("Check smoke alarm every 6 months", expected("Check smoke alarm", "2026-03-04", rule="FREQ=MONTHLY;INTERVAL=6")),
    ("Pay rent every month from fri", expected("Pay rent from", "2026-03-06", rule="FREQ=MONTHLY")),
    # Lists, labels, priorities.
    ("Fix tap #Home", expected("Fix tap", list_name="Home")),
    ("Fix tap #home", expected("Fix tap", list_name="Home")),
    ("Ship it #SideProject", expected("Ship it", list_name="Side Project")),
    ("Tag #unknown stays", expected("Tag #unknown stays")),
    ("Email Bob @work @urgent", expected("Email Bob", labels=["work", "urgent"])),
    ("Email Bob @work @work", expected("Email Bob", labels=["work"])),
    ("Email Bob @work, @home.", expected("Email Bob", labels=["work", "home"])),
    ("Price @ 5 @,", expected("Price @ 5 @,")),
    ("Deploy p4", expected("Deploy", priority=4)),
    ("Deploy P2 #Work", expected("Deploy", list_name="Work", priority=2)),
    ("Deploy p5", expected("Deploy p5")),
    # Kept literally: a backslash, or words that only look like dates.
    ("Read \\Friday by Defoe", expected("Read Friday by Defoe")),
    ("Watch \\tomorrow never dies", expected("Watch tomorrow never dies")),
    ("Buy \\@home sign", expected("Buy @home sign")),
    ("Meet at school", expected("Meet at school")),
    ("Order 3 pizzas", expected("Order 3 pizzas")),
    ("May the force", expected("May the force")),
    ("Version 2/30 notes", expected("Version 2/30 notes")),
    # Nothing understood, or nothing but the date: the text is the title.
    ("Just a plain task", expected("Just a plain task")),
    ("   spaced    out   ", expected("spaced out")),
    ("tomorrow", expected("tomorrow", "2026-03-05")),
    ("Twice tomorrow fri", expected("Twice fri", "2026-03-05")),
]


def reading(text: str) -> dict:
    parsed = quick_add_parse(text, now=NOW, list_names=LISTS)
    due = None
    if parsed.due_date is not None:
        due = parsed.due_date.isoformat() + (f" {parsed.due_time:%H:%M}" if parsed.due_time else "")
    return {
        "title": parsed.title,
        "due": due,
        "list": parsed.list_name,
        "labels": parsed.labels,
        "priority": parsed.priority,
        "rule": parsed.recurrence,
    }


def test_the_table_has_at_least_sixty_phrases():
    assert len(PHRASES) >= 60
    assert len({text for text, _ in PHRASES}) == len(PHRASES)


@pytest.mark.parametrize(("text", "want"), PHRASES, ids=[text for text, _ in PHRASES])
def test_phrase(text, want):
    assert reading(text) == want


def test_tokens_give_the_spans_of_what_was_understood():
    text = "Pay rent tomorrow 9am #Home @bills p1 every month"
    tokens = [t.as_dict() for t in quick_add_parse(text, now=NOW, list_names=LISTS).tokens]
    assert [(t["kind"], t["text"]) for t in tokens] == [
        ("due", "tomorrow"),
        ("time", "9am"),
        ("list", "#Home"),
        ("label", "@bills"),
        ("priority", "p1"),
        ("recurrence", "every month"),
    ]
    assert all(text[t["start"] : t["end"]] == t["text"] for t in tokens)
    assert tokens[0]["value"] == "2026-03-05"
    assert tokens[1]["value"] == "09:00:00"


def test_a_literal_word_is_a_token_of_its_own():
    parsed = quick_add_parse("Read \\Friday", now=NOW)
    assert [(t.kind, t.text, t.start, t.end) for t in parsed.tokens] == [("literal", "\\Friday", 5, 12)]
    assert (parsed.title, parsed.due_date) == ("Read Friday", None)
