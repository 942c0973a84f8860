import datetime

import pytest

from sources.text.dates import parse_date_line, parse_iso_date


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("13 October 2025, 11:25", datetime.date(2025, 10, 13)),
        ("October 13, 2025", datetime.date(2025, 10, 13)),
        ("Published: Oct. 3, 2024 at 5:30 pm", datetime.date(2024, 10, 3)),
        ("Tuesday, 4 March 2025 | 09:12 GMT", datetime.date(2025, 3, 4)),
        ("2025-10-13", datetime.date(2025, 10, 13)),
        ("13.10.2025", datetime.date(2025, 10, 13)),
    ],
)
def test_reads_date_lines(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["World", "Speaking at the book fair on October 17, 2025, he said so.", "31.02.2025", ""],
)
def test_rejects_lines_that_are_not_just_a_date(line):
    assert parse_date_line(line) is None


def test_iso_dates_with_time_and_garbage():
    assert parse_iso_date("2024-03-05T09:30:00Z") == datetime.date(2024, 3, 5)
    assert parse_iso_date("2024-13-05") is None
    assert parse_iso_date("soon") is None
