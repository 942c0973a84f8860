"""The excerpts of the claim page and the annotations beside an article are written by
reading.fragments, not by templates: every value is escaped there all the same."""

import datetime

import pytest

from annotations.models import Claim
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story

pytestmark = pytest.mark.django_db
HOSTILE = '"><script>alert(1)</script>'


@pytest.fixture
def annotation():
    story = make_story()
    claim = make_claim(story=story, statement=f"Claim {HOSTILE}", status=Claim.Status.PUBLISHED)
    article = make_article(
        outlet=make_outlet(name=f"Outlet {HOSTILE}", slug="hostile"),
        story=story,
        title=f"Title {HOSTILE}",
        url='https://example.org/a?x="b"',
        published=datetime.date(2024, 3, 5),
    )
    annotation = make_annotation(
        article,
        "memo shows",
        claim=claim,
        stance="disputes",
        note=f"One <b>line</b>\nTwo {HOSTILE}",
    )
    annotation.tags.add(f"tag {HOSTILE}")
    return annotation


def test_an_excerpt_escapes_what_it_shows(client, annotation):
    html = client.get(annotation.claim.get_absolute_url() + "?view=timeline").content.decode()

    assert "<script>alert(1)" not in html
    assert '<span class="excerpt-outlet">Outlet &quot;&gt;&lt;script&gt;' in html
    assert f'<a href="/articles/{annotation.article_id}/#hl-{annotation.pk}">Title &quot;' in html
    assert '<time datetime="2024-03-05">5 Mar 2024</time>' in html
    assert '<span class="stance stance-disputes">Disputes</span>' in html
    assert "One &lt;b&gt;line&lt;/b&gt;<br>Two &quot;&gt;&lt;script&gt;" in html
    assert 'href="https://example.org/a?x=&quot;b&quot;#:~:text=memo%20shows"' in html


def test_an_annotation_beside_the_article_escapes_what_it_shows(editor, editor_client, annotation):
    annotation.author = editor
    annotation.save()
    html = editor_client.get(annotation.article.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    assert "<dd>Disputes</dd>" in html
    assert "One &lt;b&gt;line&lt;/b&gt;<br>Two &quot;&gt;&lt;script&gt;" in html
    assert f'<a href="/annotations/{annotation.pk}/edit/">Edit</a>' in html
    assert (
        f'<a href="/articles/{annotation.article_id}/find/?annotation={annotation.pk}" data-find>'
        "Find in other outlets</a>"
    ) in html
    assert "Claim &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</a></dd>" in html
