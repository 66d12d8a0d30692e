"""Calendar feeds: a secret iCalendar URL per user and per list (feeds) and its RFC 5545 text (ics)."""
