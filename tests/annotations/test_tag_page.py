"""Tag pages: every live use of a tag, a column per outlet, drafts hidden from readers."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from annotations.editing import delete_annotation
from annotations.models import Annotation, Claim, Tag
from annotations.vocabulary import tags_for_names
from reading.views import browse
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_coverage,
    make_outlet,
    make_story,
    make_tag,
)

db = pytest.mark.django_db
PUBLISHED, DRAFT = Claim.Status.PUBLISHED, Claim.Status.DRAFT


def article_text(n):
    return f"{ARTICLE_TEXT}\n\nUpdate {n}."


def columns(response):
    return [
        (column.outlet.name, [a.exact for a in column.annotations])
        for column in response.context["columns"]
    ]


@db
def test_unknown_tag_is_404(client):
    assert client.get("/tags/no-such-tag/").status_code == 404


@db
def test_shows_name_swatch_and_definition(client):
    tag = make_tag(name="admission-x", colour="#cdb4db", definition="The speaker concedes a point.")

    response = client.get(tag.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "admission-x</h1>" in html
    assert "The speaker concedes a point." in html
    # The colour is an SVG attribute, which the CSP allows; never a style attribute.
    assert 'fill="#cdb4db"' in html
    assert "style=" not in html
    assert "No annotation carries this tag yet." in html


@db
def test_groups_live_uses_by_outlet_with_article_links_stance_and_note(client):
    story = make_story()
    tag, other = make_tag(name="framing-x"), make_tag(name="quote-x")
    zeta, alpha = make_outlet(name="Zeta Times"), make_outlet(name="Alpha Post")
    claim = make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    z_article = make_article(
        outlet=zeta, story=story, title="Memo leaked", published=datetime.date(2025, 5, 14)
    )
    a_article = make_article(outlet=alpha, story=story, title="Gate trouble")
    used = make_annotation(
        z_article, "memo shows", claim=claim, stance="disputes", note="Hedged <b>twice</b>."
    )
    used.tags.add(tag, other)
    make_annotation(a_article, "hinges were corroded").tags.add(tag)
    make_annotation(a_article, "memo shows").tags.add(other)  # another tag only
    deleted = make_annotation(z_article, "internal memo")
    deleted.tags.add(tag)
    Annotation.objects.filter(pk=deleted.pk).update(deleted=timezone.now())

    response = client.get(tag.get_absolute_url())

    assert columns(response) == [
        ("Alpha Post", ["hinges were corroded"]),
        ("Zeta Times", ["memo shows"]),
    ]
    html = response.content.decode()
    assert "2 annotations from 2 outlets" in html
    assert f'href="{z_article.get_absolute_url()}#hl-{used.pk}">Memo leaked</a>' in html
    assert '<time datetime="2025-05-14">14 May 2025</time>' in html
    assert "Stance: disputes" in html
    assert "Hedged &lt;b&gt;twice&lt;/b&gt;." in html
    assert f'<a href="{claim.get_absolute_url()}">The gate failed.</a>' in html
    # The annotation's other tags link to their own pages.
    assert f'<a href="{other.get_absolute_url()}">quote-x</a>' in html


@db
def test_readers_never_see_a_draft_claim_editors_do(client, editor):
    story = make_story()
    tag = make_tag()
    draft = make_claim(story=story, statement="Secret draft wording.", status=DRAFT)
    make_annotation(make_article(story=story), "memo shows", claim=draft).tags.add(tag)

    reader_html = client.get(tag.get_absolute_url()).content.decode()
    client.force_login(editor)
    editor_html = client.get(tag.get_absolute_url()).content.decode()

    # The wording itself is shown; the draft claim's statement and link are not.
    assert "memo shows" in reader_html
    assert "Secret draft wording." not in reader_html
    assert draft.get_absolute_url() not in reader_html
    assert f'<a href="{draft.get_absolute_url()}">Secret draft wording.</a>' in editor_html
    assert '<span class="badge badge-draft">Draft</span>' in editor_html


@db
def test_filters_by_story(client):
    tag = make_tag()
    barrier, bridge = make_story(title="Barrier"), make_story(title="Bridge")
    outlet = make_outlet(name="Courier")
    make_annotation(make_article(outlet=outlet, story=barrier), "memo shows").tags.add(tag)
    make_annotation(
        make_article(outlet=outlet, story=bridge, text=article_text(1)), "hinges were corroded"
    ).tags.add(tag)

    response = client.get(tag.get_absolute_url(), {"story": bridge.slug})

    assert columns(response) == [("Courier", ["hinges were corroded"])]
    html = response.content.decode()
    assert f'<option value="{bridge.slug}" selected>Bridge</option>' in html
    assert "1 annotation from 1 outlet in the story “Bridge”" in html
    assert [s.title for s in response.context["stories"]] == ["Barrier", "Bridge"]
    empty = client.get(tag.get_absolute_url(), {"story": "no-such-story"}).content.decode()
    assert "No annotation in the story “no-such-story” carries this tag." in empty


@db
def test_cuts_long_lists_per_outlet_and_says_how_to_narrow_them(client, monkeypatch):
    monkeypatch.setattr(browse, "TAG_PAGE_PER_OUTLET", 2)
    tag = make_tag()
    story = make_story()
    busy, quiet = make_outlet(name="Busy"), make_outlet(name="Quiet")
    for n in range(3):
        article = make_article(outlet=busy, story=story, text=article_text(n))
        make_annotation(article, f"Update {n}").tags.add(tag)
    make_annotation(make_article(outlet=quiet, story=story), "memo shows").tags.add(tag)

    response = client.get(tag.get_absolute_url())

    assert columns(response) == [("Busy", ["Update 0", "Update 1"]), ("Quiet", ["memo shows"])]
    html = response.content.decode()
    assert "2 of 3 annotations" in html
    assert "Showing 3 of 4 annotations: at most 2 from each outlet." in html
    assert "Choose a story above to narrow the list." in html


def outlets_using(tag, names, *, story=None):
    """One annotation carrying `tag` in an outlet of each of `names`."""
    story = story or make_story()
    for name in names:
        make_annotation(
            make_article(outlet=make_outlet(name=name), story=story), "memo shows"
        ).tags.add(tag)
    return story


def pager(response):
    """The pager's links as (text, href), or None when the page has none."""
    html = response.content.decode()
    start = html.find('<nav class="pagination" aria-label="Pages of outlets">')
    if start < 0:
        return None
    nav = html[start : html.index("</nav>", start)]
    return [
        (re.sub(r"<[^>]+>", "", text).strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', nav)
    ]


@db
def test_pages_through_the_outlets_by_name(client, monkeypatch):
    monkeypatch.setattr(browse, "TAG_PAGE_OUTLETS", 2)
    tag = make_tag()
    outlets_using(tag, ["Cee", "Ay", "Eee", "Bee", "Dee"])

    first = client.get(tag.get_absolute_url())
    second = client.get(tag.get_absolute_url(), {"page": 2})
    third = client.get(tag.get_absolute_url(), {"page": 3})

    assert [name for name, _ in columns(first)] == ["Ay", "Bee"]
    assert [name for name, _ in columns(second)] == ["Cee", "Dee"]
    assert [name for name, _ in columns(third)] == ["Eee"]
    html = second.content.decode()
    # The totals are the whole tag's, whatever the page.
    assert "5 annotations from 5 outlets" in html
    assert "Showing 2 of 5 annotations: at most 3 from each outlet, and outlets 3–4 of 5" in html
    assert "Outlets 3–4 of 5, by name." in html
    assert pager(second) == [
        ("Previous page", "?page=1"),
        ("Page 1", "?page=1"),
        ("Page 2", "?page=2"),
        ("Page 3", "?page=3"),
        ("Next page", "?page=3"),
    ]
    assert 'href="?page=2" aria-current="page"' in html


@db
def test_shows_no_pager_when_the_outlets_fit_on_one_page(client, monkeypatch):
    monkeypatch.setattr(browse, "TAG_PAGE_OUTLETS", 2)
    tag = make_tag()
    outlets_using(tag, ["Ay", "Bee"])

    response = client.get(tag.get_absolute_url())

    assert [name for name, _ in columns(response)] == ["Ay", "Bee"]
    assert pager(response) is None
    html = response.content.decode()
    assert "Outlets 1–2" not in html
    assert "Showing" not in html


@db
def test_pager_links_keep_the_story_filter(client, monkeypatch):
    monkeypatch.setattr(browse, "TAG_PAGE_OUTLETS", 1)
    tag = make_tag()
    story = outlets_using(tag, ["Ay", "Bee", "Cee"])
    outlets_using(tag, ["Dee"])  # another story: not counted when filtered

    response = client.get(tag.get_absolute_url(), {"story": story.slug, "page": 2})

    assert columns(response) == [("Bee", ["memo shows"])]
    links = pager(response)
    assert ("Previous page", f"?story={story.slug}&page=1") in links
    assert ("Next page", f"?story={story.slug}&page=3") in links
    assert all(href.startswith(f"?story={story.slug}&page=") for _, href in links)
    assert "and outlet 2 of 3 on this page" in response.content.decode()


@db
@pytest.mark.parametrize(
    "asked, shown",
    [("99", ["Cee"]), ("0", ["Cee"]), ("-1", ["Cee"]), ("two", ["Ay"]), ("", ["Ay"])],
)
def test_a_page_out_of_range_or_not_a_number_shows_the_nearest(client, monkeypatch, asked, shown):
    monkeypatch.setattr(browse, "TAG_PAGE_OUTLETS", 1)
    tag = make_tag()
    outlets_using(tag, ["Ay", "Bee", "Cee"])

    response = client.get(tag.get_absolute_url(), {"page": asked})

    assert response.status_code == 200
    assert [name for name, _ in columns(response)] == shown


@db
def test_a_page_asked_of_a_tag_nobody_uses_shows_the_empty_state(client):
    tag = make_tag()

    response = client.get(tag.get_absolute_url(), {"page": 3})

    assert response.status_code == 200
    assert "No annotation carries this tag yet." in response.content.decode()
    assert pager(response) is None


@db
def test_outlet_page_links_tag_names_to_their_pages(client):
    tag = make_tag(name="framing-x")
    article = make_article()
    make_annotation(article, "memo shows").tags.add(tag)

    html = client.get(article.outlet.get_absolute_url()).content.decode()

    assert f'<a href="{tag.get_absolute_url()}">framing-x</a>' in html


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
@pytest.mark.parametrize("page", [1, 2])
def test_runs_a_fixed_number_of_queries(client, django_assert_num_queries, outlets, articles, page):
    tag, other = make_tag(), make_tag()
    story = make_coverage(outlets, articles, tags=[tag, other])

    for filters in ({"page": page}, {"page": page, "story": story.slug}):
        # 1. the tag
        # 2. stories that use it (the Story filter, from the stored counts)
        # 3. every outlet using it, with its count (stored, or counted over the story's):
        #    the totals and the pages of outlets
        # 4. the first uses of each outlet on the page (a LIMIT per outlet), with article
        #    and claim
        # 5. the tags of those annotations
        with django_assert_num_queries(5):
            response = client.get(tag.get_absolute_url(), filters)

        # 3 outlets fit on one page, which a page 2 is read as; 30 fill pages 1 and 2.
        on_page = min(outlets, browse.TAG_PAGE_OUTLETS)
        assert response.context["page"].number == (page if outlets > on_page else 1)
        assert response.context["total"] == outlets * articles
        assert response.context["outlet_total"] == outlets
        assert len(response.context["columns"]) == on_page
        assert response.context["shown"] == on_page * min(articles, browse.TAG_PAGE_PER_OUTLET)


@db
def test_story_filter_survives_nul_characters(client):
    tag = make_tag()

    assert client.get(tag.get_absolute_url(), {"story": "a\x00b"}).status_code == 200


# Tags in any script. A tag whose slug was not ASCII (or was empty) could not be reversed
# by the tag route, and every page showing it answered 500 for every visitor.

NAMES_IN_EVERY_SCRIPT = [
    "признание",
    "Wow!!! framing",
    "!!!alarm",
    "🔥 hot take",
    "اعتراف",
    "承认",
    "स्वीकारोक्ति",
]


@db
@pytest.mark.parametrize("name", NAMES_IN_EVERY_SCRIPT)
def test_a_tag_in_any_script_keeps_every_page_up_and_linked(client, name):
    story = make_story()
    claim = make_claim(story=story, statement="The gate failed.", status=PUBLISHED)
    article = make_article(story=story)
    annotation = make_annotation(article, "memo shows", claim=claim)
    # As the admin, an import or the shell makes one: the slug comes from the name.
    tag = Tag.objects.create(name=name, status=Tag.Status.ACCEPTED)
    annotation.tags.add(tag)
    link = f'href="{tag.get_absolute_url()}"'

    for url in (
        article.get_absolute_url(),
        article.outlet.get_absolute_url(),
        claim.get_absolute_url(),
        annotation.get_absolute_url(),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert link in response.content.decode(), url

    page = client.get(tag.get_absolute_url())
    assert page.status_code == 200
    assert f"{name}</h1>" in page.content.decode()
    assert columns(page) == [(article.outlet.name, ["memo shows"])]

    claims = client.get(reverse("reading:claims"), {"tag": tag.slug})
    assert claims.status_code == 200
    assert f'<option value="{tag.slug}" selected>{name}</option>' in claims.content.decode()
    assert [c.statement for c in claims.context["page"]] == ["The gate failed."]


@db
def test_a_tag_in_any_script_keeps_the_vocabulary_page_up(client, editor):
    tags = tags_for_names(NAMES_IN_EVERY_SCRIPT, editor)
    Tag.objects.filter(pk__in=[tag.pk for tag in tags]).update(status=Tag.Status.ACCEPTED)

    response = client.get(reverse("annotations:vocabulary"))

    assert response.status_code == 200
    html = response.content.decode()
    for tag in tags:
        assert f'<a href="{tag.get_absolute_url()}">{tag.name}</a>' in html


@db
def test_tags_named_in_every_script_get_distinct_unicode_slugs(editor):
    tags = tags_for_names(NAMES_IN_EVERY_SCRIPT, editor)

    assert [tag.slug for tag in tags][:2] == ["признание", "wow-framing"]
    assert tags[3].slug == "hot-take"
    assert tags[5].slug == "承认"
    assert all(tag.slug for tag in tags)
    assert len({tag.slug for tag in tags}) == len(tags)


@db
def test_the_tag_route_takes_an_address_typed_in_cyrillic(client, editor):
    [tag] = tags_for_names(["признание"], editor)

    assert tag.get_absolute_url() == "/tags/%D0%BF%D1%80%D0%B8%D0%B7%D0%BD%D0%B0%D0%BD%D0%B8%D0%B5/"
    assert client.get("/tags/признание/").status_code == 200


@db
@pytest.mark.parametrize("tags", ["!!!", "🔥", "admission, !!!", "— …"])
def test_refuses_a_tag_with_no_letter_or_digit_with_a_message(editor_client, tags):
    article = make_article()
    before = Tag.objects.count()

    response = editor_client.post(
        reverse("annotations:annotation-create", args=[article.pk]),
        {"start": 33, "end": 43, "exact": article.text[33:43], "tags": tags},
    )

    assert response.status_code == 400
    assert "a tag needs at least one letter or digit" in response.json()["error"]
    assert Tag.objects.count() == before
    assert not Annotation.objects.exists()


@db
def test_a_proposed_tag_page_says_so_and_moderators_get_a_review_link(
    client, editor, django_user_model
):
    [tag] = tags_for_names(["hedging"], editor)
    review = f'href="{reverse("annotations:vocabulary")}#tag-{tag.pk}"'

    reader = client.get(tag.get_absolute_url()).content.decode()
    client.force_login(django_user_model.objects.create_user("mod", is_staff=True))
    moderator = client.get(tag.get_absolute_url()).content.decode()

    assert '<span class="badge badge-proposed">Proposed</span>' in reader
    assert review not in reader
    assert review in moderator


@db
def test_totals_come_from_stored_counts_that_follow_a_deletion(client, editor):
    tag = make_tag()
    story = make_story()
    first, second = make_outlet(name="First"), make_outlet(name="Second")
    uses = [
        make_annotation(
            make_article(outlet=outlet, story=story, text=article_text(n)), f"Update {n}"
        )
        for n, outlet in enumerate([first, first, second])
    ]
    for annotation in uses:
        annotation.tags.add(tag)
    delete_annotation(uses[2], editor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(tag.get_absolute_url())

    assert (response.context["total"], response.context["outlet_total"]) == (2, 1)
    assert columns(response) == [("First", ["Update 0", "Update 1"])]
    assert "2 annotations from 1 outlet" in response.content.decode()
    # No query counts the tag's uses: the totals are stored.
    assert not [
        query["sql"]
        for query in queries.captured_queries
        if "COUNT(" in query["sql"].upper() and "annotations_taggedannotation" in query["sql"]
    ]


@db
def test_story_filter_lists_the_stories_using_the_tag_most_and_the_one_chosen(client, monkeypatch):
    monkeypatch.setattr(browse, "STORY_OPTIONS", 2)
    tag = make_tag()
    outlet = make_outlet()
    stories = [make_story(title=f"Tag filter story {n}") for n in range(3)]
    # Story 0 uses the tag once, story 1 three times, story 2 twice.
    for story, uses in zip(stories, (1, 3, 2), strict=True):
        for n in range(uses):
            article = make_article(outlet=outlet, story=story, text=article_text(n + 10 * uses))
            make_annotation(article, "memo shows").tags.add(tag)

    def options(response):
        return [story.title for story in response.context["stories"]]

    response = client.get(tag.get_absolute_url())
    assert options(response) == ["Tag filter story 1", "Tag filter story 2"]
    assert "The stories using this tag most." in response.text

    # The story filtered to is always an option, however little it uses the tag.
    response = client.get(tag.get_absolute_url(), {"story": stories[0].slug})
    assert options(response) == [f"Tag filter story {n}" for n in range(3)]
    assert "1 annotation from 1 outlet" in response.text


@db
def test_story_filter_lists_each_story_once_however_many_tags_it_uses(client):
    tag, others = make_tag(), [make_tag(), make_tag()]
    stories = [make_story(title=f"Tag filter story {n}") for n in range(2)]
    for n, story in enumerate(stories):
        article = make_article(story=story, text=article_text(n))
        make_annotation(article, "memo shows").tags.add(tag, *others)

    response = client.get(tag.get_absolute_url(), {"story": stories[0].slug})

    assert [story.title for story in response.context["stories"]] == [
        "Tag filter story 0",
        "Tag filter story 1",
    ]
    assert response.text.count(f'<option value="{stories[1].slug}">') == 1
