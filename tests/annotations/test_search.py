"""The search page on either database: passages, claims and notes; phrases, exclusions,
OR, accents, name variants, facets that count what they filter to, hostile queries,
drafts, exports and fixed query counts. Texts are written here."""

import csv
import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Annotation, NameVariants
from reading.search import Filters, Search
from sources.revisions import revise_text
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story

pytestmark = pytest.mark.django_db

URL = reverse("reading:search")

HARBOUR = (
    "Harbour gates fail again\n\n"
    "The council asked the minister to close the harbour before the storm. "
    "Residents said the gates had failed twice.\n\n"
    "“Close the sky over the port,” one fisherman said, angry at the delay.\n\n"
    "Zelenskyy did not comment on the harbour."
)
QUAY = (
    "Quay flooded overnight\n\n"
    "The minister refused to close the quay, and the café owners were furious.\n\n"
    "Зеленский promised help for the port city, the agency reported.\n\n"
    "The sky over the harbour was clear by morning."
)
TRIBUNE = (
    "Storm over the capital\n\n"
    "Deputies closed the session early. Nobody asked to close the harbour.\n\n"
    "Köpək sahibləri limanın bağlanmasını tələb etdilər.\n\n"
    "Жители требуют закрыть небо над портом."
)


@pytest.fixture
def world():
    story = make_story(title="Harbour storm")
    other = make_story(title="Capital politics")
    outlets = {
        "wire": make_outlet(name="Harbour Wire", slug="harbour-wire", language="en"),
        "gazette": make_outlet(name="Quay Gazette", slug="quay-gazette", language="en"),
        "tribune": make_outlet(name="Capital Tribune", slug="capital-tribune"),
    }
    articles = {
        "wire": make_article(
            outlet=outlets["wire"],
            story=story,
            text=HARBOUR,
            title="Harbour gates fail again",
            published=date(2024, 3, 1),
        ),
        "gazette": make_article(
            outlet=outlets["gazette"],
            story=story,
            text=QUAY,
            title="Quay flooded overnight",
            published=date(2025, 1, 9),
        ),
        "tribune": make_article(
            outlet=outlets["tribune"], story=other, text=TRIBUNE, title="Storm over the capital"
        ),
    }
    return story, outlets, articles


def hits_of(response):
    return response.context["results"].hits


def passage_texts(response):
    return [hit.passage["title"] + " #" + str(hit.passage["ordinal"]) for hit in hits_of(response)]


def test_words_are_found_with_their_context_marked(client, world):
    response = client.get(URL, {"q": "close harbour"})
    assert response.status_code == 200
    found = passage_texts(response)
    # The council's paragraph and the tribune's (both have "close" and "harbour").
    assert sorted(found) == ["Harbour gates fail again #2", "Storm over the capital #2"]
    page = response.content.decode()
    assert "<mark>harbour</mark>" in page
    [wire_hit] = [h for h in hits_of(response) if h.passage["outlet"] == "Harbour Wire"]
    assert wire_hit.passage["url"].endswith("#p2")


def test_a_phrase_finds_only_its_words_in_order(client, world):
    response = client.get(URL, {"q": '"close the harbour"'})
    assert sorted(passage_texts(response)) == [
        "Harbour gates fail again #2",
        "Storm over the capital #2",
    ]
    response = client.get(URL, {"q": '"harbour close"'})
    assert passage_texts(response) == []


def test_minus_leaves_out_and_or_takes_either(client, world):
    assert passage_texts(client.get(URL, {"q": "close harbour -deputies"})) == [
        "Harbour gates fail again #2"
    ]
    either = client.get(URL, {"q": "fisherman OR furious"})
    assert sorted(passage_texts(either)) == [
        "Harbour gates fail again #3",
        "Quay flooded overnight #2",
    ]


def test_accents_are_ignored(client, world):
    assert passage_texts(client.get(URL, {"q": "cafe"})) == ["Quay flooded overnight #2"]
    assert passage_texts(client.get(URL, {"q": "CAFÉ"})) == ["Quay flooded overnight #2"]


def test_russian_and_azerbaijani_words_are_found(client, world):
    assert passage_texts(client.get(URL, {"q": "небо"})) == ["Storm over the capital #4"]
    assert passage_texts(client.get(URL, {"q": "limanın"})) == ["Storm over the capital #3"]


def test_a_name_is_found_in_all_its_spellings(client, world):
    found = {"Harbour gates fail again #4", "Quay flooded overnight #3"}
    for spelling in ("Zelensky", "zelenskyy", "Зеленский", "Зеленський"):
        assert set(passage_texts(client.get(URL, {"q": spelling}))) == found, spelling


def test_an_editor_adds_a_spelling_and_it_counts_at_once(client, world):
    assert passage_texts(client.get(URL, {"q": "Selensky"})) == []
    names = NameVariants.objects.get(name="Zelensky")
    names.spellings += "\nSelensky"
    names.save()
    assert len(passage_texts(client.get(URL, {"q": "Selensky"}))) == 2


def test_facet_counts_equal_the_hits_they_filter_to(client, world):
    response = client.get(URL, {"q": "harbour OR port OR close"})
    facets = response.context["results"].facets
    total = response.context["results"].total
    assert total == 8
    for name in ("story", "outlet", "kind", "year"):
        assert facets[name], name
        for value in facets[name]:
            narrowed = client.get(URL, {"q": "harbour OR port OR close", name: value.value})
            assert narrowed.context["results"].total == value.count, (name, value.value)
            assert narrowed.context["filters"][0][2] == value.label
    years = {v.value: v.count for v in facets["year"]}
    assert years == {"2024": 4, "2025": 3}


def test_filters_combine(client, world):
    both = client.get(URL, {"q": "harbour OR port", "story": "harbour-storm", "year": "2025"})
    assert passage_texts(both) == [
        "Quay flooded overnight #3",
        "Quay flooded overnight #4",
    ] or sorted(passage_texts(both)) == ["Quay flooded overnight #3", "Quay flooded overnight #4"]
    none = client.get(URL, {"q": "harbour", "outlet": "capital-tribune", "year": "2024"})
    assert passage_texts(none) == []
    assert "Clear filters" in none.content.decode()


def test_a_tag_facet_counts_the_passages_its_annotations_cover(client, world):
    _, _, articles = world
    annotation = make_annotation(articles["wire"], "Close the sky over the port")
    annotation.tags.add("quote")
    response = client.get(URL, {"q": "port"})
    tags = {v.value: v.count for v in response.context["results"].facets["tag"]}
    assert tags == {"quote": 1}
    narrowed = client.get(URL, {"q": "port", "tag": "quote"})
    assert passage_texts(narrowed) == ["Harbour gates fail again #3"]


@pytest.mark.parametrize(
    "q",
    [
        "",
        "!!!",
        '"',
        '"close the',
        "close the" + '"' * 7,
        "x" * 10_000,
        "'; DROP TABLE sources_passage; --",
        "<script>alert(1)</script>",
        "a:b & c | !d <-> e",
        "NEAR(close harbour) AND OR NOT",
        "-harbour",
        "\x00\x1b[31m",
        "*",
        "harbour*",
    ],
)
def test_absurd_queries_answer_a_normal_page(client, world, q):
    response = client.get(URL, {"q": q}, follow=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_very_long_query_is_cut_in_the_address(client, world):
    response = client.get(URL, {"q": "harbour " * 2000})
    assert response.status_code == 302
    assert len(response["Location"]) < 1000
    page = client.get(response["Location"])
    assert "only its first words were searched" in page.content.decode()
    assert passage_texts(page)


def test_hostile_article_text_is_escaped_in_snippets(client):
    make_article(text="Dangerous harbour\n\nThe <script>alert('harbour')</script> text.")
    page = client.get(URL, {"q": "harbour"}).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_claims_are_searched_and_drafts_never_reach_readers(editor_client, world):
    client = Client()  # a reader (editor_client is the `client` fixture, logged in)
    story, _, _ = world
    make_claim(story=story, statement="The minister refused to close the quay", status="published")
    make_claim(story=story, statement="The minister secretly closed the quay", status="draft")
    reader = client.get(URL, {"q": "minister quay", "in": "claims"})
    assert [h.claim.statement for h in hits_of(reader)] == [
        "The minister refused to close the quay"
    ]
    assert "secretly" not in reader.content.decode()
    hidden = client.get(URL, {"q": "secretly", "in": "claims"})
    assert hits_of(hidden) == []
    assert "The minister secretly closed the quay" not in hidden.content.decode()
    editor = editor_client.get(URL, {"q": "minister quay", "in": "claims"})
    assert len(hits_of(editor)) == 2
    tabs = {tab[0]: tab[2] for tab in client.get(URL, {"q": "secretly"}).context["tabs"]}
    assert tabs["claims"] == 0


def test_claims_have_outlet_and_tag_facets_through_their_annotations(client, world):
    story, _, articles = world
    published = {"story": story, "status": "published"}
    closing = make_claim(statement="The minister refused to close the quay", **published)
    sky = make_claim(statement="A fisherman asked to close the sky", **published)
    make_claim(statement="Nobody asked to close the harbour", **published)  # not annotated
    make_annotation(articles["gazette"], "refused to close the quay", claim=closing).tags.add(
        "quote"
    )
    make_annotation(articles["wire"], "asked the minister", claim=closing).tags.add("framing")
    make_annotation(articles["wire"], "Close the sky over the port", claim=sky).tags.add("quote")
    gone = make_annotation(articles["gazette"], "close the quay", claim=sky)
    gone.tags.add("framing")
    gone.deleted = gone.created
    gone.save()

    response = client.get(URL, {"q": "close", "in": "claims"})
    results = response.context["results"]
    assert results.total == 3
    facets = {name: {v.value: v.count for v in values} for name, values in results.facets.items()}
    assert facets["tag"] == {"quote": 2, "framing": 1}
    assert facets["outlet"] == {"harbour-wire": 2, "quay-gazette": 1}
    for name in ("tag", "outlet"):
        for value, count in facets[name].items():
            narrowed = client.get(URL, {"q": "close", "in": "claims", name: value})
            assert narrowed.context["results"].total == count, (name, value)
    both = client.get(
        URL, {"q": "close", "in": "claims", "tag": "framing", "outlet": "harbour-wire"}
    )
    assert [h.claim for h in hits_of(both)] == [closing]


def test_annotation_notes_are_searched_and_deleted_ones_are_not(client, world):
    _, _, articles = world
    kept = make_annotation(
        articles["gazette"], "refused to close the quay", note="Framing as refusal"
    )
    gone = make_annotation(articles["wire"], "failed twice", note="Refusal of the council")
    Annotation.objects.filter(pk=gone.pk).update(deleted=timezone.now())
    response = client.get(URL, {"q": "refusal", "in": "annotations"})
    assert [h.annotation.pk for h in hits_of(response)] == [kept.pk]
    assert "<mark>refusal</mark>" in response.content.decode().lower()


def test_a_correction_changes_what_is_found(client, world):
    _, _, articles = world
    assert passage_texts(client.get(URL, {"q": "fisherman"})) == ["Harbour gates fail again #3"]
    revise_text(articles["wire"], HARBOUR.replace("fisherman", "sailor"), source="shell")
    assert passage_texts(client.get(URL, {"q": "fisherman"})) == []
    assert passage_texts(client.get(URL, {"q": "sailor"})) == ["Harbour gates fail again #3"]


def test_results_are_paginated_in_a_stable_order(client):
    outlet, story = make_outlet(), make_story()
    for n in range(45):
        make_article(
            outlet=outlet, story=story, text=f"Gate report {n}\n\nThe gate failed on day {n}."
        )
    first = client.get(URL, {"q": "gate failed"})
    assert first.context["results"].total == 45
    pages = [hits_of(client.get(URL, {"q": "gate failed", "page": n})) for n in (1, 2, 3)]
    ids = [hit.id for page in pages for hit in page]
    assert len(ids) == 45 == len(set(ids))
    again = [hit.id for hit in hits_of(client.get(URL, {"q": "gate failed", "page": 2}))]
    assert again == [hit.id for hit in pages[1]]
    beyond = client.get(URL, {"q": "gate failed", "page": 99})
    assert [hit.id for hit in hits_of(beyond)] == [hit.id for hit in pages[2]]


def test_exports_hold_the_hits_with_their_context(client, world):
    response = client.get(URL, {"q": "harbour", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == client.get(URL, {"q": "harbour"}).context["results"].total
    assert all("[harbour]" in row["context"].lower() for row in rows)
    data = json.loads(client.get(URL, {"q": "harbour", "format": "json"}).content)
    assert data["count"] == len(rows)
    assert {row["url"].split("#")[0] for row in data["results"]} >= {
        "http://testserver" + reverse("reading:article", args=[a.pk])
        for a in world[2].values()
        if "harbour" in a.text.lower()
    } - set()


def add_hits(n):
    """n more articles, claims and notes holding the word "gate", in outlets and stories
    of their own."""
    for k in range(n):
        story = make_story()
        article = make_article(
            outlet=make_outlet(), story=story, text=f"Gate {k}\n\nThe gate {k} failed."
        )
        make_claim(story=story, statement=f"The gate {k} failed", status="published")
        make_annotation(article, "gate", note=f"The gate again ({k})").tags.add("quote")


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        # The name variants; one statement: the page's hits with their snippets, the facets
        # and total, the other groups' totals.
        ("passages", 2),
        # ... and the claims of the page, with their stories.
        ("claims", 3),
        # ... and the notes' annotations with their claims, authors, articles, outlets and
        # stories; their tags.
        ("annotations", 4),
    ],
)
def test_the_search_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, group, expected
):
    # PostgreSQL also reads the text search configurations in use (a table of a few rows).
    expected += connection.vendor == "postgresql"
    add_hits(2)
    with django_assert_num_queries(expected):
        small = client.get(URL, {"q": "gate", "in": group})
    add_hits(40)
    with django_assert_num_queries(expected):
        large = client.get(URL, {"q": "gate", "in": group})
    # Each article's headline and body hold the word; each claim and note once.
    per_hit = 2 if group == "passages" else 1
    assert len(hits_of(small)) == 2 * per_hit
    assert len(hits_of(large)) == 20
    assert large.context["results"].total == 42 * per_hit


def test_the_header_search_box_goes_to_search(client):
    page = client.get(reverse("reading:home")).content.decode()
    assert f'action="{URL}"' in page


def test_an_unknown_group_or_filter_is_ignored(client, world):
    response = client.get(URL, {"q": "harbour", "in": "nonsense", "kind": "nonsense", "year": "x"})
    assert response.status_code == 200
    assert response.context["group"] == "passages"


def test_the_query_object_serves_without_a_page(world):
    search = Search("harbour", filters=Filters(outlet="quay-gazette"))
    results = search.results()
    assert results.total == 1
    assert connection.vendor in ("sqlite", "postgresql")


# PostgreSQL's own: stemming in the article's language, `simple` where it has none.


def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")


def test_english_articles_are_stemmed_and_ukrainian_ones_are_not(client):
    postgres_only()
    english = make_outlet(name="English Daily", language="en")
    ukrainian = make_outlet(name="Kyiv Daily", language="uk")
    make_article(outlet=english, text="Port news\n\nThe ministers were closing the ports.")
    make_article(outlet=ukrainian, text="Новини\n\nМіністри закривали порти.")
    assert len(hits_of(client.get(URL, {"q": "minister close port"}))) == 1
    assert len(hits_of(client.get(URL, {"q": "закривали"}))) == 1
    # No Ukrainian stemmer: another form of the verb is another word.
    assert hits_of(client.get(URL, {"q": "закрити"})) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT search_config::text FROM sources_passage ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == ["english", "simple"]


def test_an_articles_language_changed_later_reindexes_its_passages(client):
    postgres_only()
    article = make_article(text="Port news\n\nThe ministers were closing the ports.")
    assert hits_of(client.get(URL, {"q": "minister close"})) == []
    article.language = "en"
    article.save()
    assert len(hits_of(client.get(URL, {"q": "minister close"}))) == 1


def test_the_query_is_computed_once_when_planned_not_for_every_row(world):
    """The words' tsquery reaches the plan as a constant (unaccent() itself would be
    computed again for every row checked), so the planner weighs the index against a
    scan and the check of each row costs no more than the match."""
    postgres_only()
    search = Search("Café harbour")
    match_sql, params = search._match(search.widen(), "passages")
    ctes, cte_params = search.backend.ctes(search.widen())
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN WITH " + ", ".join(ctes) + " " + match_sql, [*cte_params, *params])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "''cafe''" in plan and "''harbour''" in plan, plan
    assert "unaccent(" not in plan, plan


def test_past_the_count_limit_counts_are_estimates_and_said_so(client, monkeypatch):
    # The bounds made small (they are 2,000 and 1,000) to cross them with a few rows.
    monkeypatch.setattr("reading.search.COUNT_LIMIT", 5)
    monkeypatch.setattr("reading.search.SAMPLE", 3)
    monkeypatch.setattr("reading.views.search.COUNT_LIMIT", 5)
    monkeypatch.setattr("reading.views.search.SAMPLE", 3)
    outlet, story = make_outlet(), make_story()
    for n in range(9):
        make_article(outlet=outlet, story=story, text=f"Tide {n}\n\nThe tide {n} rose.")
    response = client.get(URL, {"q": "tide"})
    results = response.context["results"]
    assert (results.total, results.estimated) == (5, True)
    assert len(results.hits) == 6  # a page of those found (COUNT_LIMIT + 1 at most)
    [outlet_count] = results.facets["outlet"]
    assert outlet_count.count == 3  # over the sample
    page = response.content.decode()
    assert "over 5 found" in page
    assert "these counts are estimates, made over a sample of 3" in page
