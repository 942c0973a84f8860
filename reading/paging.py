"""Numbered pages that never count a whole table.

Django's Paginator counts every matching row to number the pages: on the claims index
that is every claim, on every request. CappedPaginator counts at most `cap` rows past the
start of the page asked for (a COUNT over a LIMIT subquery), so a request reads at most
the rows up to its own page plus `cap`, whatever the table holds; past that the page
says "more than". Every row stays reachable: each deeper page counts `cap` further.
"""

from functools import cached_property

from django.core.paginator import Paginator

# Count this many rows past the page asked for: 20 pages of 50 ahead.
COUNT_CAP = 1000


def page_number(value) -> int:
    """The page a request asks for, as Paginator.get_page() reads it (1 when it makes no
    sense; "last" is read as the last page counted)."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` rows past the start of page `number`, plus
    one. When it finds that one (`capped`), `count` includes it, so the pages end with one
    more, linked as "Next"; the page says "more than `reach`" rows and "more than
    `counted_pages`" pages."""

    def __init__(self, object_list, per_page, *, number, cap: int | None = None):
        super().__init__(object_list, per_page)
        cap = COUNT_CAP if cap is None else cap
        self.reach = (page_number(number) - 1) * per_page + cap

    @cached_property
    def count(self) -> int:
        # Neither the order nor the listing's annotations change how many rows there are:
        # left out.
        rows = self.object_list.order_by().values("pk")
        return rows[: self.reach + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.reach

    @property
    def counted_pages(self) -> int:
        """The pages of rows counted: all of them, unless capped."""
        return self.num_pages - 1 if self.capped else self.num_pages
