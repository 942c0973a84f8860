"""The claim comparison page, its filters, exports, and the editorial workflow."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Annotation, Claim, ClaimRelation
from reading.comparison import Filters
from reading.queries import ClaimExcerpts
from sources import quotations
from sources.models import Article, Outlet
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    """Three outlets; two carry the claim (the later one disputes it), one does not."""
    story = make_story(title="Harbour gate")
    claim = make_claim(story=story, statement="The mayor knew", status=Claim.Status.PUBLISHED)
    wire = make_article(
        outlet=make_outlet(name="Harbour Wire"),
        story=story,
        published=datetime.date(2024, 3, 5),
        url="https://wire.example.org/gate",
    )
    daily = make_article(
        outlet=make_outlet(name="Quay Daily"), story=story, published=datetime.date(2024, 3, 4)
    )
    make_article(outlet=make_outlet(name="Silent Times"), story=story)
    a = make_annotation(
        wire, "the hinges were corroded", claim=claim, stance="disputes", note="Wire doubts it"
    )
    a.tags.add("framing")
    b = make_annotation(daily, "failed two inspections", claim=claim, stance="reports")
    b.tags.add("quote")
    return story


def page(client, claim, query=""):
    response = client.get(claim.get_absolute_url() + query)
    assert response.status_code == 200, response.status_code
    return response.context["comparison"], response.content.decode()


def test_columns_by_first_publication_and_outlets_not_covered(client, story):
    claim = story.claims.get()
    comparison, html = page(client, claim)
    assert [c.outlet.name for c in comparison.columns] == ["Quay Daily", "Harbour Wire"]
    assert [o.name for o in comparison.not_covered] == ["Silent Times"]
    assert "Not covered" in html
    # The annotated words inside their sentence, linked to their place in the reader.
    assert "“We knew <mark" in html
    wire = Annotation.objects.get(stance="disputes")
    assert f'{wire.article.get_absolute_url()}#hl-{wire.pk}"' in html
    assert 'href="https://wire.example.org/gate#:~:text=the%20hinges%20were%20corroded"' in html


@pytest.mark.parametrize(
    ("query", "outlets"),
    [
        ("?outlets=harbour-wire", ["Harbour Wire"]),
        ("?outlets=harbour-wire,quay-daily", ["Quay Daily", "Harbour Wire"]),
        ("?tags=quote", ["Quay Daily"]),
        ("?stance=disputes", ["Harbour Wire"]),
        ("?tags=quote&stance=disputes", []),
        ("?stance=nonsense", ["Quay Daily", "Harbour Wire"]),
    ],
)
def test_filters_in_the_url(client, story, query, outlets):
    comparison, _ = page(client, story.claims.get(), query)
    assert [c.outlet.name for c in comparison.columns] == outlets


def test_outlet_filter_limits_not_covered_and_reports_hidden_outlets(client, story):
    comparison, html = page(
        client, story.claims.get(), "?outlets=silent-times,quay-daily&stance=disputes"
    )
    assert comparison.columns == []
    assert [o.name for o in comparison.not_covered] == ["Silent Times"]
    assert [o.name for o in comparison.filtered_out] == ["Quay Daily"]
    assert "No excerpt matches these filters." in html


def test_repeated_parameters_redirect_to_the_comma_form(client, story):
    claim = story.claims.get()
    response = client.get(
        claim.get_absolute_url() + "?outlets=quay-daily&outlets=harbour-wire&view=timeline"
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == claim.get_absolute_url() + "?outlets=quay-daily,harbour-wire&view=timeline"
    )


def test_timeline_orders_excerpts_by_publication(client, story):
    comparison, html = page(client, story.claims.get(), "?view=timeline")
    assert [e.article.outlet.name for e in comparison.timeline] == ["Quay Daily", "Harbour Wire"]
    assert "In order of publication" in html


def test_link_preview_meta(client, story):
    _, html = page(client, story.claims.get())
    assert '<meta property="og:title" content="The mayor knew">' in html
    assert (
        '<meta property="og:description" content="How 2 outlets worded it: Quay Daily (reports); '
        'Harbour Wire (disputes). Not covered by Silent Times.">'
    ) in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_exports_follow_the_filters(client, story):
    claim = story.claims.get()
    response = client.get(reverse("reading:claim-csv", args=[claim.slug]) + "?stance=reports")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["outlet"], r["quote"], r["tags"], r["stance"]) for r in rows] == [
        ("Quay Daily", "failed two inspections", "quote", "reports")
    ]
    data = client.get(reverse("reading:claim-json", args=[claim.slug])).json()
    assert data["claim"]["statement"] == "The mayor knew"
    assert [e["outlet"] for e in data["excerpts"]] == ["Quay Daily", "Harbour Wire"]
    assert data["excerpts"][1]["original_url"].endswith("#:~:text=the%20hinges%20were%20corroded")
    assert data["not_covered"] == ["Silent Times"]


def test_draft_is_404_for_readers_page_and_exports_and_200_for_editors(editor_client):
    # editor_client is the `client` fixture logged in; readers get a client of their own.
    client = Client()
    claim = make_claim(statement="Still a draft")
    for name in ("claim", "claim-csv", "claim-json"):
        url = reverse(f"reading:{name}", args=[claim.slug])
        assert client.get(url).status_code == 404
        assert editor_client.get(url).status_code == 200
    claim.status = Claim.Status.PUBLISHED
    claim.save()
    assert client.get(claim.get_absolute_url()).status_code == 200


def test_editor_publishes_a_draft_and_readers_cannot(editor, editor_client):
    client = Client()
    claim = make_claim(statement="Ready soon", created_by=editor)
    url = reverse("annotations:claim-publish", args=[claim.slug])
    client.post(url, {"status": "published"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT
    editor_client.post(url, {"status": "published"})
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert claim.revisions.get().changes == {"status": ["draft", "published"]}


def test_renaming_keeps_every_old_link_working(editor, editor_client):
    client = Client()
    claim = make_claim(statement="Old wording", status=Claim.Status.PUBLISHED, created_by=editor)
    old = claim.slug
    response = editor_client.post(
        reverse("annotations:claim-edit", args=[old]), {"statement": "New wording", "version": 1}
    )
    claim.refresh_from_db()
    assert claim.slug == "new-wording"
    assert response["Location"] == claim.get_absolute_url()
    moved = client.get(f"/claims/{old}/?stance=reports")
    assert moved.status_code == 301
    assert moved["Location"] == "/claims/new-wording/?stance=reports"
    assert client.get(f"/claims/{old}/export.json")["Location"] == "/claims/new-wording/export.json"
    # A second rename: both old addresses still lead to the claim.
    editor_client.post(
        reverse("annotations:claim-edit", args=["new-wording"]),
        {"statement": "Newest wording", "version": 2},
    )
    assert (
        client.get(f"/claims/{old}/", follow=True).redirect_chain[-1][0]
        == "/claims/newest-wording/"
    )
    assert client.get("/claims/new-wording/")["Location"] == "/claims/newest-wording/"
    # Nobody else gets the old slug.
    assert make_claim(statement="Old wording").slug == "old-wording-2"


def test_only_the_author_or_a_moderator_renames(make_editor, client):
    claim = make_claim(statement="Someone's claim", created_by=make_editor("alice"))
    client.force_login(make_editor("bob"))
    assert (
        client.post(
            reverse("annotations:claim-edit", args=[claim.slug]),
            {"statement": "Bob's", "version": 1},
        ).status_code
        == 403
    )


def test_merging_moves_annotations_and_relations_and_redirects(client, django_user_model, story):
    moderator = django_user_model.objects.create_user("mod", password="pw-mod-12345", is_staff=True)
    target = story.claims.get()
    source = make_claim(story=story, statement="Mayor was aware", status=Claim.Status.PUBLISHED)
    other = make_claim(story=story, statement="An earlier denial", status=Claim.Status.PUBLISHED)
    article = Article.objects.get(outlet__name="Silent Times")
    make_annotation(article, "memo shows", claim=source)
    ClaimRelation.objects.create(source=source, target=other, kind="contradicts")
    client.force_login(moderator)

    response = client.post(
        reverse("annotations:claim-merge", args=[source.slug]), {"into": target.pk}
    )

    assert response["Location"] == target.get_absolute_url()
    assert not Claim.objects.filter(pk=source.pk).exists()
    assert target.annotations.count() == 3
    assert ClaimRelation.objects.get().source == target
    client.logout()
    assert client.get(f"/claims/{source.slug}/")["Location"] == target.get_absolute_url()
    comparison, _ = page(client, target)
    assert [c.outlet.name for c in comparison.columns] == [
        "Quay Daily",
        "Harbour Wire",
        "Silent Times",
    ]
    assert "merged in" in target.revisions.get().changes


def test_editors_cannot_merge(editor_client, story):
    source = make_claim(story=story)
    response = editor_client.post(
        reverse("annotations:claim-merge", args=[source.slug]), {"into": story.claims.first().pk}
    )
    assert response.status_code == 403
    assert Claim.objects.filter(pk=source.pk).exists()


def coverage(outlets, per_outlet):
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED)
    for _ in range(outlets):
        outlet = make_outlet()
        article = make_article(outlet=outlet, story=story, published=datetime.date(2024, 1, 1))
        for quote in ["Barrier failed", "memo shows", "hinges were corroded", "chief engineer"][
            :per_outlet
        ]:
            annotation = make_annotation(article, quote, claim=claim, stance="reports")
            annotation.tags.add("quote", "framing")
    return claim


def test_comparison_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    small, large = coverage(3, 1), coverage(30, 4)
    # claim with story, the order of the outlets' columns, the page's annotations, their
    # tags, their articles, the story's outlets and those carrying the claim, the tags on
    # it, the verbs of the quotations the excerpts overlap, the claim's relations both ways
    # (the history is for editors only).
    with django_assert_num_queries(9):
        client.get(small.get_absolute_url())
    with django_assert_num_queries(9):
        response = client.get(large.get_absolute_url())
    assert len(response.context["comparison"].excerpts) == 120


def dated_coverage(outlets: int, per_outlet: int = 1, name: str = "Outlet") -> Claim:
    """A claim carried by `outlets` outlets ("Outlet 000" on), the nth first published on
    the nth day."""
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED)
    quotes = ["Barrier failed", "memo shows", "hinges were corroded", "chief engineer"]
    for n in range(outlets):
        article = make_article(
            outlet=make_outlet(name=f"{name} {n:03}"),
            story=story,
            published=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
        )
        for quote in quotes[:per_outlet]:
            make_annotation(article, quote, claim=claim, stance="reports")
    return claim


def column_names(response) -> list[str]:
    return [column.outlet.name for column in response.context["comparison"].columns]


def test_a_claim_carried_widely_shows_its_outlets_a_page_at_a_time(client):
    claim = dated_coverage(35)
    first = client.get(claim.get_absolute_url())
    assert column_names(first) == [f"Outlet {n:03}" for n in range(30)]
    html = first.content.decode()
    assert "Outlets 1–30 of 35, in order of first publication." in html
    assert '<nav class="pagination" aria-label="Pages of outlets">' in html
    assert 'href="?page=2" rel="next"' in html

    second = client.get(claim.get_absolute_url() + "?page=2")
    assert column_names(second) == [f"Outlet {n:03}" for n in range(30, 35)]
    html = second.content.decode()
    assert "Outlets 31–35 of 35" in html
    # The layout is the claim's, not the page's: five columns of 35 are rows as well.
    assert 'class="columns compact"' in html
    # The first page's outlets carry the claim: neither hidden by a filter nor uncovered.
    assert "Hidden by the filters" not in html
    assert "Not covered" not in html
    # The preview counts every outlet and names the page's.
    assert "How 35 outlets worded it: Outlet 030 (reports);" in html
    assert "; and 30 more." in html


def test_a_claim_on_one_page_has_no_pager(client):
    response = client.get(dated_coverage(30).get_absolute_url())
    assert len(column_names(response)) == 30
    assert 'class="pagination"' not in response.content.decode()
    assert "Outlets 1–30" not in response.content.decode()


def test_the_outlets_pages_keep_the_filters(client):
    claim = dated_coverage(40)
    response = client.get(claim.get_absolute_url() + "?stance=reports&page=2")
    assert column_names(response) == [f"Outlet {n:03}" for n in range(30, 40)]
    assert 'href="?stance=reports&amp;page=1" rel="prev"' in response.content.decode()
    filtered = client.get(claim.get_absolute_url() + "?stance=disputes&page=2")
    assert column_names(filtered) == []
    assert "No excerpt matches these filters." in filtered.content.decode()


@pytest.mark.parametrize(("asked", "shown"), [("9", 2), ("-1", 2), ("last", 1), ("x", 1)])
def test_a_page_out_of_range_shows_the_nearest(client, asked, shown):
    claim = dated_coverage(31)
    response = client.get(claim.get_absolute_url() + f"?page={asked}")
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert len(column_names(response)) == (30 if shown == 1 else 1)


def test_every_page_of_outlets_and_of_the_timeline_runs_the_same_queries(
    client, django_assert_num_queries
):
    small, large = dated_coverage(3, 2, "Small"), dated_coverage(70, 2, "Large")
    for claim in (small, large):
        for page in ("", "?page=2", "?page=3"):
            with django_assert_num_queries(9):
                client.get(claim.get_absolute_url() + page)
        # The timeline counts its excerpts too.
        for page in ("?view=timeline", "?view=timeline&page=2"):
            with django_assert_num_queries(10):
                client.get(claim.get_absolute_url() + page)


def test_the_timeline_shows_fifty_excerpts_at_a_time_in_order_of_publication(client):
    claim = dated_coverage(30, 2)
    first = client.get(claim.get_absolute_url() + "?view=timeline")
    excerpts = first.context["comparison"].timeline
    assert len(excerpts) == 50
    days = [excerpt.article.published.day for excerpt in excerpts]
    assert days == sorted(days)
    assert days[:4] == [1, 1, 2, 2]
    html = first.content.decode()
    assert "Excerpts 1–50 of 60, in order of publication." in html
    assert '<nav class="pagination" aria-label="Pages of the timeline">' in html
    assert 'href="?view=timeline&amp;page=2" rel="next"' in html
    second = client.get(claim.get_absolute_url() + "?view=timeline&page=2")
    rest = second.context["comparison"].timeline
    assert [e.article.outlet.name for e in rest] == [
        f"Outlet {n:03}" for n in (25, 25, 26, 26, 27, 27, 28, 28, 29, 29)
    ]
    assert '<ol class="timeline" start="51">' in second.content.decode()
    # Switching views starts at the first page of the other.
    assert 'href="/claims/' + claim.slug + '/">Side by side</a>' in second.content.decode()


def test_comparison_page_loads_no_article_text_or_raw_input(client):
    """The excerpts' context is cut from the text by the database; nothing else of an
    article's text, nor its raw input, leaves it."""
    claim = coverage(5, 2)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(claim.get_absolute_url())

    assert len(response.context["comparison"].excerpts) == 10
    for query in queries.captured_queries:
        sql = query["sql"]
        assert '"sources_article"."raw"' not in sql
        # Only inside SUBSTR() (SQLite) or SUBSTRING() (PostgreSQL), never a whole column.
        assert sql.count('"sources_article"."text"') == len(re.findall(r"SUBSTR(?:ING)?\(", sql))


@pytest.mark.parametrize("name", ["claim-csv", "claim-raw-csv", "claim-json"])
def test_exports_run_a_fixed_number_of_queries(client, django_assert_num_queries, name):
    small, large = coverage(3, 1), coverage(30, 4)
    # claim with story, the matching annotations with claim and author, their tags, their
    # articles with outlets, the story's outlets and those carrying it, the tags on it.
    for claim, excerpts in ((small, 3), (large, 120)):
        url = reverse(f"reading:{name}", args=[claim.slug])
        with django_assert_num_queries(6):
            response = client.get(url + "?tags=quote,framing")
        assert response.status_code == 200
        if name == "claim-json":
            assert len(response.json()["excerpts"]) == excerpts
        else:
            assert len(response.content.decode().strip().splitlines()) == excerpts + 1


def test_the_database_filters_before_the_listing_stops_at_its_limit(story):
    """The filters narrow what the database returns, and the limit applies to what they
    kept: a matching excerpt past the first `limit` of the claim's excerpts is still found."""
    claim = story.claims.get()
    post = make_article(
        outlet=make_outlet(name="Pier Post"),
        story=story,
        text="".join(f"Quay report {n}. " for n in range(5)) + "The gate was never tested.",
    )
    # Excerpts that come first in the text order, none disputing the claim.
    for n in range(5):
        make_annotation(post, f"Quay report {n}.", claim=claim, stance="reports")
    late = make_annotation(post, "The gate was never tested.", claim=claim, stance="disputes")
    wire = Annotation.objects.get(stance="disputes", article__outlet__name="Harbour Wire")

    comparison = ClaimExcerpts(claim, Filters(stance="disputes"), limit=2).comparison()
    assert {e.annotation for e in comparison.excerpts} == {late, wire}
    assert not comparison.more
    # Unfiltered, the same limit stops the listing and says so.
    everything = ClaimExcerpts(claim, Filters(), limit=2).comparison()
    assert len(everything.excerpts) == 2 and everything.more
    # The outlets carrying the claim and the tag choices do not depend on the filters.
    assert [o.name for o in comparison.carrying] == ["Harbour Wire", "Pier Post", "Quay Daily"]
    assert [t.name for t in comparison.tags] == ["framing", "quote"]


def test_the_page_says_when_it_shows_only_the_first_excerpts(client, story, settings):
    claim = story.claims.get()
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Only the first" not in html
    settings.PARALLAX_CLAIM_PAGE_EXCERPTS = 1
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Only the first excerpt is shown" in html


def test_close_the_sky_call_on_the_sample_corpus(client):
    """The February 2022 call to close the sky, as three of the five outlets report it."""
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    story = Article.objects.first().story
    claim = make_claim(
        story=story,
        statement="In February 2022 Zelensky asked NATO to close the sky over Ukraine, and was refused",
        status=Claim.Status.PUBLISHED,
    )
    wordings = {
        "Modern.az": "He wanted NATO to close the sky.",
        "online.ua": "But please close the airspace.",
        "Naked Capitalism": "who repeatedly requested a NATO-imposed no-fly zone",
    }
    for outlet, quote in wordings.items():
        make_annotation(
            Article.objects.get(outlet__name=outlet), quote, claim=claim, stance="reports"
        )

    comparison, html = page(client, claim)

    assert {
        c.outlet.name: [e.annotation.exact for e in c.excerpts] for c in comparison.columns
    } == {outlet: [quote] for outlet, quote in wordings.items()}
    # Dated outlets first, in order of publication; Naked Capitalism is undated.
    assert [c.outlet.name for c in comparison.columns] == [
        "Modern.az",
        "online.ua",
        "Naked Capitalism",
    ]
    assert sorted(o.name for o in comparison.not_covered) == ["Meduza", "The Dissident"]
    assert Outlet.objects.count() == 5
    assert "Stoltenberg finally got on the line to Zelenskyy, " in html


@pytest.mark.django_db
def test_the_page_and_its_exports_never_load_an_article_text_or_raw_input(client):
    # Each quote's sentence comes from a window of text the database cuts around it.
    story = make_story()
    claim = make_claim(story=story, statement="The gate failed", status=Claim.Status.PUBLISHED)
    filler = "Unrelated words fill the page. " * 200
    for n in range(3):
        article = make_article(
            outlet=make_outlet(),
            story=story,
            text=f"Report {n}\n\n{filler}\n\nOfficials said the gate failed twice. Then {n}.",
            raw="<html>" + "x" * 5000 + "</html>",
        )
        make_annotation(article, "the gate failed twice", claim=claim)
    urls = [
        claim.get_absolute_url(),
        reverse("reading:claim-csv", args=[claim.slug]),
        reverse("reading:claim-json", args=[claim.slug]),
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        selects = [q["sql"] for q in queries if "sources_article" in q["sql"]]
        assert selects, url
        for sql in selects:
            # Selected as a column; SUBSTR("sources_article"."text", …) is the window.
            assert not re.search(r'(SELECT|,) "sources_article"\."(text|raw)"', sql), (url, sql)
    page = client.get(urls[0]).content.decode()
    # The quote's sentence around it, as from the whole text.
    assert "Officials said <mark" in page


def test_each_column_names_the_verbs_of_the_quotations_it_shows(client):
    story = make_story()
    claim = make_claim(story=story, statement="The gates were never tested", status="published")
    texts = {
        "Harbour Wire": "Title\n\n“We never tested the flood gates,” Ana Lind bluntly admitted.",
        "Quay Gazette": "Title\n\nAna Lind said: “We never tested the flood gates.”",
    }
    for name, text in texts.items():
        article = make_article(outlet=make_outlet(name=name), story=story, text=text)
        quotations.extract(article)
        make_annotation(article, "never tested the flood gates", claim=claim)
    comparison, html = page(client, claim)
    verbs = {column.outlet.name: column.verbs for column in comparison.columns}
    assert verbs == {"Harbour Wire": ["bluntly admitted"], "Quay Gazette": ["said"]}
    assert "Quoting verbs: bluntly admitted" in html
