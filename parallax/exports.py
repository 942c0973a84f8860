"""CSV exports that are safe to open in a spreadsheet, and raw ones for researchers' tools."""

import csv
import os

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


def write_export(path: str, stdout, write) -> str:
    """Run `write(out)` on the file at `path`, or on the command's `stdout` for "-";
    returns where it went, for the command's last line. A file is written beside its
    place and renamed at the end: a failed export leaves no file that looks whole. Raises
    OSError when the file cannot be written."""
    if path == "-":
        write(_CommandOutput(stdout))
        return "standard output"
    partial = f"{path}.partial"
    try:
        with open(partial, "w", encoding="utf-8", newline="\n") as out:
            write(out)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return path


class _CommandOutput:
    """A management command's standard output, written as it is (no line endings added)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
