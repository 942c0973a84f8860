"""CSV exports that are safe to open in a spreadsheet, and raw ones for researchers' tools."""

import csv

# A cell starting with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets ("=HYPERLINK(…)", "+cmd|…", "@SUM(…)"); OWASP's CSV injection advice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SPREADSHEET_NOTE = (
    "For spreadsheets: a cell that begins with =, +, -, @, a tab or a carriage return "
    "starts with an apostrophe (') so that it is never run as a formula."
)
RAW_NOTE = (
    "Raw CSV: every value exactly as stored, for your own tools; do not open it in a spreadsheet."
)


def neutralise(value: str) -> str:
    """`value` as a spreadsheet shows it without running it: OWASP's advice is a leading
    single quote, which the spreadsheet hides, on a cell it would take for a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(out, columns: list[str], rows, *, for_spreadsheets: bool) -> None:
    """Rows (dicts, lists joined by ", ") as CSV to `out`; every cell quoted, as OWASP
    advises, and neutralised when the file is meant for a spreadsheet."""
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            if isinstance(value, list | tuple):
                value = ", ".join(map(str, value))
            value = "" if value is None else str(value)
            cells.append(neutralise(value) if for_spreadsheets else value)
        writer.writerow(cells)
