"""When the next event is, from dates written the way people write them."""

from dateutil import parser


def next_event(events, now):
    """Returns the first of events (date strings) after now (a date string)."""
    start = parser.parse(now)
    dates = [parser.parse(str(e)) for e in events]
    upcoming = sorted(d for d in dates if d > start)
    return upcoming[0] if upcoming else None
