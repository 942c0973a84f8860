"""The reader's browsing pages: home, story, outlet, and the login page."""

import datetime

import pytest
from django.utils import timezone

from annotations.models import Annotation, Claim
from reading.views.browse import ARTICLES_PER_PAGE, http_url, language_name
from reading.views.home import HOME_STORIES
from tests.conftest import EDITOR_PASSWORD
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


def article_text(n):
    """A text no other article of the same outlet has."""
    return f"{ARTICLE_TEXT}\n\nUpdate {n}."


# Pure helpers: no database.


def test_http_url_keeps_web_addresses_only():
    assert http_url("https://example.org/") == "https://example.org/"
    assert http_url("HTTP://example.org/a?b=c") == "HTTP://example.org/a?b=c"
    assert http_url("javascript:alert(1)") == ""
    assert http_url(" JavaScript:alert(1)") == ""
    assert http_url("data:text/html,<b>x</b>") == ""
    assert http_url("//example.org/") == ""
    assert http_url("") == ""


def test_language_name_names_known_codes_and_keeps_unknown_ones():
    assert language_name("en") == "English"
    assert language_name("RU") == "Russian"
    assert language_name("en-GB") == "British English"
    assert language_name("xx-nonsense") == "xx-nonsense"


# Home


@db
def test_home_lists_stories_outlets_and_published_claims_with_links(client):
    story = make_story(title="Barrier memo")
    courier, klaxon = make_outlet(name="Courier"), make_outlet(name="Klaxon")
    make_article(outlet=courier, story=story)
    make_article(outlet=courier, story=story, text=article_text(2))
    make_article(outlet=klaxon, story=story)
    published = make_claim(story=story, statement="The gate failed.", status="published")
    make_claim(story=story, statement="A draft not to show.", status="draft")

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{story.get_absolute_url()}"' in html
    assert "3 articles from 2 outlets" in html
    assert f'href="{courier.get_absolute_url()}">Courier</a> <span class="meta">2 articles' in html
    assert f'href="{klaxon.get_absolute_url()}">Klaxon</a> <span class="meta">1 article<' in html
    assert f'href="{published.get_absolute_url()}">The gate failed.</a>' in html
    assert "A draft not to show." not in html


@db
def test_home_says_so_when_there_is_nothing_yet(client):
    html = client.get("/").content.decode()

    assert "No stories yet." in html
    assert "No outlets yet." in html
    assert "No published claims yet." in html


@db
def test_home_shows_the_most_recent_stories_and_says_there_are_more(client):
    for _ in range(HOME_STORIES + 1):
        make_story()

    response = client.get("/")

    assert len(response.context["stories"]) == HOME_STORIES
    assert f"Showing the {HOME_STORIES} most recent stories." in response.content.decode()


@db
@pytest.mark.parametrize("outlets, articles", [(2, 2), (10, 20)], ids=["small", "large"])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, outlets, articles):
    tag = make_tag()
    make_coverage(outlets, articles, tags=[tag])
    make_coverage(outlets, articles, tags=[tag])

    # 1. stories with article and outlet counts
    # 2. outlets with article counts
    # 3. recent published claims with their story
    # 4. the live comparison's candidates: the latest published claims with a live
    #    annotation, each with its outlet count
    # 5. the chosen claim's first annotation per outlet, with the text around it
    # 6. their tags
    with django_assert_num_queries(6):
        response = client.get("/")

    assert response.status_code == 200


# Story page


@db
def test_story_page_groups_articles_by_outlet_in_name_order(client):
    story = make_story(title="Barrier memo", description="What the mayor knew.")
    zeta, alpha = make_outlet(name="Zeta Times"), make_outlet(name="Alpha Post")
    dated = make_article(
        outlet=zeta,
        story=story,
        title="Memo leaked",
        byline="Marta Quill",
        published=datetime.date(2025, 5, 14),
    )
    undated = make_article(outlet=alpha, story=story, title="Gate trouble")
    make_article(title="Another story's article")

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Barrier memo</h1>" in html
    assert "What the mayor knew." in html
    assert [(g.outlet.name, g.articles) for g in response.context["coverage"]] == [
        ("Alpha Post", [undated]),
        ("Zeta Times", [dated]),
    ]
    assert html.index("Alpha Post") < html.index("Zeta Times")
    assert f'href="{alpha.get_absolute_url()}"' in html
    assert f'href="{dated.get_absolute_url()}">Memo leaked</a>' in html
    assert '<time datetime="2025-05-14">14 May 2025</time>' in html
    assert "Marta Quill" in html
    assert "Undated" in html
    assert "Another story&#x27;s article" not in html
    assert "2 articles from 2 outlets" in html


@db
def test_story_page_hides_draft_claims_from_readers(client, django_user_model):
    story = make_story()
    published = make_claim(story=story, statement="The gate failed.", status="published")
    make_claim(story=story, statement="Secret draft wording.", status="draft")

    html = client.get(story.get_absolute_url()).content.decode()

    assert f'href="{published.get_absolute_url()}">The gate failed.</a>' in html
    assert "Secret draft wording." not in html

    # Logged in but not an editor: still a reader.
    client.force_login(django_user_model.objects.create_user("reader", password="x-unused-1"))
    assert "Secret draft wording." not in client.get(story.get_absolute_url()).content.decode()


@db
def test_story_page_shows_drafts_to_editors_marked_as_drafts(editor_client):
    story = make_story()
    draft = make_claim(story=story, statement="Draft wording.", status=Claim.Status.DRAFT)

    html = editor_client.get(story.get_absolute_url()).content.decode()

    assert f'href="{draft.get_absolute_url()}">Draft wording.</a>' in html
    assert '<span class="badge badge-draft">Draft</span>' in html


@db
def test_story_page_counts_the_outlets_that_carry_each_claim(client):
    story = make_story()
    claim = make_claim(story=story, status="published")
    for outlet in (make_outlet(), make_outlet()):
        for n in range(2):
            article = make_article(outlet=outlet, story=story, text=article_text(n))
            make_annotation(article, "memo shows", claim=claim)
    make_article(story=story)  # a third outlet that did not carry it

    html = client.get(story.get_absolute_url()).content.decode()

    assert "Carried by 2 outlets" in html


@db
def test_story_page_empty_states(client):
    html = client.get(make_story().get_absolute_url()).content.decode()

    assert "No articles on this story yet." in html
    assert "No published claims on this story yet." in html


@db
def test_story_page_escapes_hostile_text(client):
    story = make_story(title="<script>alert(1)</script>")
    make_article(story=story, title="<img src=x onerror=alert(2)>", byline="<b>x</b>")

    html = client.get(story.get_absolute_url()).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@db
def test_unknown_story_and_outlet_are_404(client):
    assert client.get("/stories/no-such-story/").status_code == 404
    assert client.get("/outlets/no-such-outlet/").status_code == 404


# Outlet page


@db
def test_outlet_page_shows_its_details_and_articles(client):
    outlet = make_outlet(
        name="Harbour Wire", site="https://harbour.example.org/", country="UK", language="en"
    )
    story = make_story(title="Barrier memo")
    older = make_article(outlet=outlet, story=story, published=datetime.date(2025, 5, 1))
    newer = make_article(
        outlet=outlet, story=story, text=article_text(1), published=datetime.date(2025, 5, 9)
    )
    undated = make_article(outlet=outlet, story=story, text=article_text(2))

    response = client.get(outlet.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Harbour Wire</h1>" in html
    assert 'href="https://harbour.example.org/"' in html
    assert "UK" in html
    assert "English" in html
    assert list(response.context["page"].object_list) == [newer, older, undated]
    assert f'href="{newer.get_absolute_url()}"' in html
    assert f'href="{story.get_absolute_url()}">Barrier memo</a>' in html


@db
def test_outlet_page_never_links_to_a_script_address(client):
    outlet = make_outlet(site="javascript:alert(1)")

    html = client.get(outlet.get_absolute_url()).content.decode()

    assert "javascript:" not in html


@db
def test_outlet_page_counts_tag_use_on_its_own_articles(client):
    outlet_a, outlet_b = make_outlet(), make_outlet()
    story = make_story()
    framing, quote, unused = make_tag(name="framing-x"), make_tag(name="quote-x"), make_tag()
    a1 = make_article(outlet=outlet_a, story=story)
    a2 = make_article(outlet=outlet_a, story=story, text=article_text(2))
    b1 = make_article(outlet=outlet_b, story=story)
    make_annotation(a1, "memo shows").tags.add(framing, quote)
    make_annotation(a2, "memo shows").tags.add(framing)
    make_annotation(b1, "memo shows").tags.add(framing)
    make_annotation(b1, "hinges were corroded").tags.add(quote)

    response = client.get(outlet_a.get_absolute_url())

    assert [(t.name, t.use_count) for t in response.context["tags"]] == [
        ("framing-x", 2),
        ("quote-x", 1),
    ]
    html = response.content.decode()
    assert unused.name not in html
    # The swatch's colour is an SVG attribute, which the CSP allows; never a style attribute.
    assert f'fill="{framing.colour}"' in html
    b_tags = client.get(outlet_b.get_absolute_url()).context["tags"]
    assert [(t.name, t.use_count) for t in b_tags] == [("framing-x", 1), ("quote-x", 1)]


@db
def test_deleted_annotations_count_nowhere(client):
    story = make_story()
    claim = make_claim(story=story, status="published")
    tag = make_tag()
    kept = make_article(story=story)
    gone = make_article(story=story)
    make_annotation(kept, "memo shows", claim=claim).tags.add(tag)
    make_annotation(kept, "hinges were corroded").tags.add(tag)
    deleted = [
        make_annotation(gone, "memo shows", claim=claim),
        make_annotation(kept, "internal memo"),
    ]
    for annotation in deleted:
        annotation.tags.add(tag)
    Annotation.objects.filter(pk__in=[a.pk for a in deleted]).update(deleted=timezone.now())

    story_html = client.get(story.get_absolute_url()).content.decode()
    kept_tags = client.get(kept.outlet.get_absolute_url()).context["tags"]
    gone_tags = client.get(gone.outlet.get_absolute_url()).context["tags"]

    assert "Carried by 1 outlet<" in story_html
    assert [(t.name, t.use_count) for t in kept_tags] == [(tag.name, 2)]
    assert list(gone_tags) == []


@db
def test_outlet_page_empty_states(client):
    html = client.get(make_outlet().get_absolute_url()).content.decode()

    assert "No articles from this outlet yet." in html
    assert "No annotations on this outlet's articles yet." in html
    assert 'class="pagination"' not in html


@db
def test_outlet_page_paginates_articles(client):
    outlet = make_outlet()
    story = make_story()
    for n in range(ARTICLES_PER_PAGE + 1):
        make_article(outlet=outlet, story=story, title=f"Piece {n:03}", text=article_text(n))
    url = outlet.get_absolute_url()

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(first.context["page"].object_list) == ARTICLES_PER_PAGE
    assert [a.title for a in second.context["page"].object_list] == ["Piece 050"]
    html = first.content.decode()
    assert '<nav class="pagination" aria-label="Pages of articles">' in html
    assert 'href="?page=2" rel="next"' in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in html
    assert 'href="?page=1" rel="prev"' in second.content.decode()
    # A malformed or too-large page number gives the nearest page, not an error.
    assert client.get(url, {"page": "abc"}).context["page"].number == 1
    assert client.get(url, {"page": 99}).context["page"].number == 2


@db
@pytest.mark.parametrize("outlets, articles", [(2, 2), (10, 20)], ids=["small", "large"])
def test_outlet_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, outlets, articles
):
    tags = [make_tag(), make_tag(), make_tag()]
    story = make_coverage(outlets, articles, tags=tags)
    outlet = story.articles.first().outlet

    # 1. the outlet
    # 2. how many articles it has (for the paginator)
    # 3. this page of its articles with their story
    # 4. tags used on its articles with their counts
    with django_assert_num_queries(4):
        response = client.get(outlet.get_absolute_url())

    assert [t.use_count for t in response.context["tags"]] == [articles] * 3


# Login


@db
def test_login_page_has_labelled_fields(client):
    response = client.get("/accounts/login/", {"next": "/outlets/x/"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<button type="submit" class="button">Log in</button>' in html
    assert '<input type="hidden" name="next" value="/outlets/x/">' in html


@db
def test_login_with_good_credentials_goes_to_next(client, editor):
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": EDITOR_PASSWORD, "next": "/outlets/x/"},
    )

    assert response.status_code == 302
    assert response.url == "/outlets/x/"


@db
def test_login_refuses_a_next_on_another_site(client, editor):
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": EDITOR_PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert "evil.example" not in response.url


@db
def test_login_with_bad_credentials_shows_an_error_and_keeps_the_username(client, editor):
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "wrong", "next": "/outlets/x/"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password." in html
    assert 'value="editor"' in html
    assert '<input type="hidden" name="next" value="/outlets/x/">' in html
    assert "_auth_user_id" not in client.session
