"""The sitemap of the pages a reader can open: published claims, stories, the vocabulary's
tags, outlets and articles (never a draft), in sections the sitemap index lists.

Django's Sitemap numbers its pages with a Paginator: it counts every row of a section for
the index and again for each of its pages, and reads page n with an OFFSET that walks the
n - 1 pages before it. Here a section is cut by id instead, from its lowest id: page n holds
the rows with ids from lowest + (n - 1) × PER_PAGE to lowest + n × PER_PAGE - 1, read by a
range on the primary key. The index asks each section for its lowest and highest ids (MIN
and MAX, answered from the primary key's index, never a count), and a page reads at most
PER_PAGE rows whatever the table holds. Starting from the lowest id, not from 1, keeps a
table whose early rows were deleted (or whose ids start high, as after a restore) from
listing empty pages before its first row. A page can hold fewer rows (deleted rows, drafts
among claims), and in a long gap none: it is then an empty <urlset>, which crawlers accept.

The index gives no lastmod: it would need the newest change of a whole section, and
articles have no index on it. Each page gives its rows' lastmod where the row has one.
Addresses are absolute on the request's host and scheme (Django's RequestSite: the sites
framework is not installed), like the share metadata (reading/sharing.py).
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import Max, Min, QuerySet
from django.urls import reverse

from annotations.models import Tag
from reading import queries
from sources.models import Article, Outlet, Story

# Rows per page of a section: well under the protocol's 50,000 URLs and 50 MB.
PER_PAGE = 5000


@dataclass
class IdPage:
    """What Sitemap._urls() reads of a page."""

    number: int
    object_list: QuerySet


class IdPaginator:
    """Pages of `rows` by id ranges; see the module's docstring. Offers what Django's
    sitemap views read of a Paginator: num_pages and page()."""

    def __init__(self, rows: QuerySet, per_page: int):
        self.rows = rows
        self.per_page = per_page

    @cached_property
    def bounds(self) -> tuple[int, int]:
        """The section's lowest and highest ids; (1, 0) when it is empty."""
        ids = self.rows.order_by().aggregate(lowest=Min("pk"), highest=Max("pk"))
        if ids["lowest"] is None:
            return 1, 0
        return ids["lowest"], ids["highest"]

    @cached_property
    def num_pages(self) -> int:
        lowest, highest = self.bounds
        # One page even when the section is empty: the index lists every section.
        return max(1, -(-(highest - lowest + 1) // self.per_page))

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> IdPage:
        number = self.validate_number(number)
        first = self.bounds[0] + (number - 1) * self.per_page
        rows = self.rows.filter(pk__gte=first, pk__lt=first + self.per_page).order_by("pk")
        return IdPage(number, rows)


class ById(Sitemap):
    """A section read by id ranges; subclasses give `rows()`."""

    limit = PER_PAGE

    def rows(self) -> QuerySet:
        raise NotImplementedError

    def items(self):
        return self.rows()

    @cached_property
    def paginator(self) -> IdPaginator:
        return IdPaginator(self.rows(), self.limit)

    def get_latest_lastmod(self):
        # Sitemap's own reads every item of the section; see the module's docstring.
        return None


class ClaimSitemap(ById):
    def rows(self):
        return queries.published_claims().only("pk", "slug", "updated")

    def lastmod(self, claim):
        return claim.updated


class StorySitemap(ById):
    def rows(self):
        return Story.objects.only("pk", "slug")


class TagSitemap(ById):
    """The vocabulary's tags: a proposed tag's page is public, but not offered to crawlers
    until a moderator accepts it."""

    def rows(self):
        return Tag.objects.vocabulary().only("pk", "slug")


class OutletSitemap(ById):
    def rows(self):
        return Outlet.objects.only("pk", "slug")


class ArticleSitemap(ById):
    def rows(self):
        return Article.objects.only("pk", "updated")

    def lastmod(self, article):
        return article.updated


class PageSitemap(Sitemap):
    """The pages that list the rest: the home page and the claims index."""

    def items(self):
        return ["reading:home", "reading:claims"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "claims": ClaimSitemap,
    "stories": StorySitemap,
    "tags": TagSitemap,
    "outlets": OutletSitemap,
    "articles": ArticleSitemap,
}
