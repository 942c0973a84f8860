"""Keyset (cursor) paging for the API's lists: a page is chosen by WHERE (key) > (last key)
and a LIMIT, which an index answers however deep the page, never by OFFSET, and nothing
counts the whole list.

A cursor is the last row's key, and the index of the next row in the list (what a W3C
AnnotationPage calls its startIndex), as base64 of a small JSON object. It is not secret
and not signed: a forged one can only ask for another place in the same list, and a
malformed one is refused (BadCursor)."""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

# A cursor longer than this is not one of ours.
MAX_CURSOR_LENGTH = 1000


class BadCursor(ValueError):
    """The cursor was not made by this list."""


@dataclass(frozen=True)
class Cursor:
    # The key of the last row of the previous page, one value per field of the order.
    key: tuple
    # The place of the next row in the whole list, counting from 0.
    index: int


def encode(cursor: Cursor) -> str:
    values = [v.isoformat() if isinstance(v, datetime.date) else v for v in cursor.key]
    raw = json.dumps({"k": values, "i": cursor.index}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str, order: tuple[str, ...]) -> Cursor:
    """The cursor `text` for a list ordered by `order`; BadCursor if it cannot be one."""
    if len(text) > MAX_CURSOR_LENGTH:
        raise BadCursor("The cursor is too long.")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise BadCursor("The cursor is not one this list gave.") from error
    if not isinstance(data, dict):
        raise BadCursor("The cursor is not one this list gave.")
    key, index = data.get("k"), data.get("i")
    if (
        not isinstance(key, list)
        or len(key) != len(order)
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in key)
        or not isinstance(index, int)
        or isinstance(index, bool)
        or index < 0
    ):
        raise BadCursor("The cursor is not one this list gave.")
    return Cursor(tuple(key), index)


def after(order: tuple[str, ...], key: tuple) -> Q:
    """Rows after `key` in `order` (field names, "-" for descending): (a > x) or (a = x and
    b > y) or …, which the database answers from an index on the order's fields."""
    condition = Q(pk__in=[])
    equal = Q()
    for field, value in zip(order, key, strict=True):
        name = field.removeprefix("-")
        lookup = "lt" if field.startswith("-") else "gt"
        condition |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return condition


def key_of(row, order: tuple[str, ...]) -> tuple:
    return tuple(getattr(row, field.removeprefix("-").replace("__", ".")) for field in order)


@dataclass
class Page:
    rows: list
    # The cursor of the next page (None on the last one) and the index of the first row.
    next_cursor: str | None
    start_index: int


def page(rows: QuerySet, order: tuple[str, ...], cursor: str | None, limit: int) -> Page:
    """One page of `rows` in `order` (whose last field is unique: the primary key), after
    `cursor` ("" or None for the first page). One query, of limit + 1 rows: the one past
    the page says whether there is a next one."""
    start = Cursor((), 0)
    rows = rows.order_by(*order)
    if cursor:
        start = decode(cursor, order)
        try:
            rows = rows.filter(after(order, start.key))
        except (ValidationError, ValueError, TypeError) as error:
            raise BadCursor("The cursor is not one this list gave.") from error
    found = list(rows[: limit + 1])
    shown = found[:limit]
    next_cursor = None
    if len(found) > limit:
        next_cursor = encode(Cursor(key_of(shown[-1], order), start.index + len(shown)))
    return Page(shown, next_cursor, start.index)
