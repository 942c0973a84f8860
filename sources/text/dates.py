"""Reading publication dates written by people ("13 October 2025, 11:25")."""

import datetime
import re

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:(?:,|\s|\bat\b|-|–|\|)+\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)?"
_LABEL = r"(?:(?:(?:first )?published|posted|updated|date|dated)(?:\s+on)?\s*:?\s*|on\s+)?"
# "Posted on May 16, 2025 by Sam Greaves": a byline may follow the date.
_BY = r"(?:,?\s+by\s+[^\d|]{2,60})?"

_PATTERNS = [
    # 13 October 2025 / 13 Oct. 2025
    rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}",
    # October 13, 2025
    rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}",
    # 2025-10-13
    r"(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})",
    # 13.10.2025 and 13/10/2025 (day first, as most of the world writes it)
    r"(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>(?:19|20)\d{2})",
]
_DATE_LINE = [
    re.compile(rf"^\s*{_LABEL}{_WEEKDAY}{pattern}{_TIME}{_BY}\s*$", re.IGNORECASE)
    for pattern in _PATTERNS
]
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def parse_date_line(line: str) -> datetime.date | None:
    """The date, when `line` holds a date (perhaps a time, a label, a byline) and nothing else.

    "Published 14 May 2025 | Updated 15 May 2025" gives the first date.
    """
    if len(line) > 120:
        return None
    first = re.split(r"\s[|·•]\s", line, maxsplit=1)[0]
    if len(first) > 90:
        return None
    for pattern in _DATE_LINE:
        match = pattern.match(first)
        if match:
            return _to_date(match)
    return None


def parse_iso_date(value: str) -> datetime.date | None:
    """YYYY-MM-DD at the start of `value` (a datetime's time part is ignored)."""
    match = _ISO.match(value or "")
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _to_date(match: re.Match) -> datetime.date | None:
    month = match.group("month")
    month_number = int(month) if month.isdigit() else MONTHS[month.lower().rstrip(".")]
    try:
        return datetime.date(int(match.group("year")), month_number, int(match.group("day")))
    except ValueError:
        return None
