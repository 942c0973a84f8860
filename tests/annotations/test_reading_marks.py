"""Highlights show every tag they carry (up to three lines), and pages name their tags in a
legend."""

import re

import pytest
from django.template.loader import render_to_string

from annotations.models import Claim
from reading.passages import legend_tags
from tests.factories import make_annotation, make_article, make_claim, make_tag

pytestmark = pytest.mark.django_db


def marks(html: str) -> list[dict]:
    """Each <mark>'s classes and title, in page order."""
    return [
        {"classes": classes.split(), "title": title}
        for classes, title in re.findall(r'<mark class="([^"]*)"[^>]*?title="([^"]*)"', html)
    ]


def legend(html: str) -> list[str]:
    """The tag names the page's legend lists, or [] when it has none."""
    found = re.search(r'<section class="tag-legend".*?</section>', html, re.S)
    if not found:
        return []
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', found.group(0))


@pytest.fixture
def tags():
    return [
        make_tag(name=name, colour=colour)
        for name, colour in [
            ("hedging", "#b00020"),
            ("blame", "#0b57a4"),
            ("echo", "#1b7f3b"),
            ("silence", "#7a4cc2"),
        ]
    ]


def test_a_mark_carries_a_class_for_each_of_its_first_three_tags(client, tags):
    hedging, blame, echo, silence = tags
    article = make_article()
    annotation = make_annotation(article, "memo shows")
    annotation.tags.add(blame, echo, hedging, silence)
    html = client.get(article.get_absolute_url()).content.decode()
    [mark] = marks(html)
    in_order = annotation.tag_list
    assert mark["classes"] == [
        "hl",
        f"tag-{in_order[0].pk}",
        f"tag2-{in_order[1].pk}",
        f"tag3-{in_order[2].pk}",
    ]
    # The title names them all, the fourth included.
    assert mark["title"] == ", ".join(t.name for t in in_order)


def test_an_untagged_mark_says_so(client):
    article = make_article()
    make_annotation(article, "memo shows")
    [mark] = marks(client.get(article.get_absolute_url()).content.decode())
    assert mark["classes"] == ["hl", "hl-untagged"]
    assert mark["title"] == "annotation"


def test_where_annotations_overlap_the_mark_shows_the_tags_of_both(client, tags):
    hedging, blame, *_ = tags
    article = make_article()
    wide = make_annotation(article, "an internal memo shows")
    wide.tags.add(hedging)
    narrow = make_annotation(article, "internal")
    narrow.tags.add(blame)
    html = client.get(article.get_absolute_url()).content.decode()
    found = re.findall(r'<mark class="([^"]*)"[^>]*>([^<]*)</mark>', html)
    by_words = {words: classes.split() for classes, words in found}
    # The innermost annotation's tags first (the lowest line), then the wider one's.
    assert by_words["internal"] == ["hl", f"tag-{blame.pk}", f"tag2-{hedging.pk}", "hl-overlap"]
    assert by_words["an "] == by_words[" memo shows"] == ["hl", f"tag-{hedging.pk}"]


def test_claim_page_excerpts_carry_each_tags_class(client, tags):
    hedging, _, echo, _ = tags
    claim = make_claim(status=Claim.Status.PUBLISHED)
    article = make_article(story=claim.story)
    annotation = make_annotation(article, "memo shows", claim=claim)
    annotation.tags.add(echo, hedging)
    make_annotation(make_article(story=claim.story), "memo shows", claim=claim)  # untagged
    html = client.get(claim.get_absolute_url()).content.decode()
    found = {tuple(m["classes"]): m["title"] for m in marks(html)}
    first, second = annotation.tag_list
    assert found[("hl", f"tag-{first.pk}", f"tag2-{second.pk}")] == f"{first.name}, {second.name}"
    assert found[("hl", "hl-untagged")] == "annotation"


def test_the_reader_legend_lists_each_tag_on_the_page_once(client, tags):
    hedging, blame, _, silence = tags
    article = make_article()
    first = make_annotation(article, "memo shows")
    first.tags.add(blame, hedging)
    second = make_annotation(article, "the chief engineer")
    second.tags.add(hedging)
    make_annotation(make_article(), "memo shows").tags.add(silence)  # another article's
    html = client.get(article.get_absolute_url()).content.decode()
    assert sorted(legend(html)) == ["blame", "hedging"]
    assert f'<li class="tag-legend-item tag-{hedging.pk}">' in html
    assert f'href="{hedging.get_absolute_url()}"' in html


def test_a_page_without_tags_has_no_legend(client):
    article = make_article()
    make_annotation(article, "memo shows")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Tags on this page" not in html
    assert render_to_string("reading/_tag_legend.html", {"tags": []}).strip() == ""


def test_the_claim_page_legend_lists_the_tags_of_its_excerpts(client, tags):
    _, blame, echo, silence = tags
    claim = make_claim(status=Claim.Status.PUBLISHED)
    one = make_annotation(make_article(story=claim.story), "memo shows", claim=claim)
    one.tags.add(echo)
    two = make_annotation(make_article(story=claim.story), "memo shows", claim=claim)
    two.tags.add(echo, blame)
    make_annotation(make_article(story=claim.story), "memo shows").tags.add(silence)
    html = client.get(claim.get_absolute_url()).content.decode()
    assert sorted(legend(html)) == ["blame", "echo"]


def test_legend_tags_keep_the_order_of_first_appearance(tags):
    _, blame, echo, _ = tags
    article = make_article()
    make_annotation(article, "memo shows").tags.add(echo)
    make_annotation(article, "the chief engineer").tags.add(blame, echo)
    annotations = list(article.annotations.with_details().order_by("start"))
    assert [t.name for t in legend_tags(annotations)] == ["echo", "blame"]


def test_a_proposed_tag_is_marked_so_in_the_legend(tags):
    proposed = make_tag(name="spin", status="proposed")
    html = render_to_string("reading/_tag_legend.html", {"tags": [tags[0], proposed]})
    assert 'spin</a> <span class="meta">(proposed)</span>' in html
    assert "hedging</a></li>" in html
