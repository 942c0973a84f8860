"""Atom feeds of what readers can see: newly published claims (all of them, a story's, those
carrying a tag) and a published claim's excerpts, each the outlet, quote and note a reader
sees on the claim page.

A feed is public: the same for a reader and an editor (no draft ever, whoever asks), so the
page cache (parallax/page_cache.py) keeps it like any reader page. Each holds the latest
FEED_ENTRIES entries and is read in a fixed number of queries: the object it is about, its
entries, and for excerpts their tags.

There is no publication date on a claim: entries are ordered by their last change
(`updated`, the index the home page's recent claims read), and a claim published, renamed or
re-published comes back to the top. An entry's id is its page's address: a renamed claim's
entry gets a new one (its slug changed; the old address redirects).

Titles are plain text (Atom's default) and summaries HTML (type="html"), built with
format_html from escaped values; the XML writer escapes both once more. XML 1.0 cannot hold
most control characters, which imported texts may carry: they are taken out first.
"""

import re

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from annotations.models import Annotation, Claim, TaggedAnnotation
from reading import queries, sharing

# Entries per feed: a feed reader polls often and keeps what it has seen.
FEED_ENTRIES = 50
# The characters XML 1.0 does not allow (tab, line feed and carriage return it does); the
# feed writer refuses them (UnserializableContentError) rather than drop them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
TITLE_QUOTE_LENGTH = 120


def xml_text(text: str) -> str:
    """`text` without the characters an XML document cannot hold."""
    return NOT_XML.sub("", text or "")


def claims_for_feed() -> QuerySet[Claim]:
    """Published claims, last changed first (the index on status and updated), with their
    story's title and address."""
    return (
        queries.published_claims()
        .select_related("story")
        .only("pk", "slug", "statement", "status", "updated", "story__slug", "story__title")
        .order_by("-updated", "-pk")
    )


def claims_tagged(tag) -> QuerySet[Claim]:
    """Published claims with a live annotation carrying `tag`, last changed first."""
    tagged = TaggedAnnotation.objects.filter(
        queries.live_annotations("content_object__"),
        tag=tag,
        content_object__claim=OuterRef("pk"),
    )
    return claims_for_feed().filter(Exists(tagged))


def excerpts_for_feed(claim: Claim) -> QuerySet[Annotation]:
    """The claim's live annotations, newest first, with their article and outlet (never an
    article's text or raw input); slice it, then attach their tags (queries.attach_tags)."""
    return (
        Annotation.objects.filter(queries.live_annotations(), claim=claim)
        .select_related("article__outlet")
        .defer("prefix", "suffix", "article__text", "article__raw")
        .order_by("-created", "-pk")
    )


class AtomFeed(Feed):
    """A feed object answers one request (the views make one each): its summaries link
    with absolute addresses, on the request's host, which a feed reader needs."""

    feed_type = Atom1Feed
    author_name = "Parallax"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


class ClaimsFeed(AtomFeed):
    """Newly published claims, all of them."""

    title = "Parallax: newly published claims"
    subtitle = "Claims compared across outlets, as they are published."

    def link(self):
        return reverse("reading:home")

    def items(self, obj):
        return claims_for_feed()[:FEED_ENTRIES]

    def item_title(self, claim):
        return xml_text(claim.statement)

    def item_description(self, claim):
        return format_html(
            '<p>A claim in the story “<a href="{}">{}</a>”, compared outlet by outlet.</p>',
            self.absolute(claim.story.get_absolute_url()),
            xml_text(claim.story.title),
        )

    def item_updateddate(self, claim):
        return claim.updated

    def item_categories(self, claim):
        return [xml_text(claim.story.title)]


class StoryClaimsFeed(ClaimsFeed):
    """A story's newly published claims."""

    def get_object(self, request, story):
        return story

    def title(self, story):
        return xml_text(f"Parallax: claims in “{story.title}”")

    def subtitle(self, story):
        return xml_text(sharing.cut(story.description, sharing.DESCRIPTION_LENGTH)) or None

    def link(self, story):
        return story.get_absolute_url()

    def items(self, story):
        return claims_for_feed().filter(story=story)[:FEED_ENTRIES]


class TagClaimsFeed(ClaimsFeed):
    """Newly published claims with an annotation carrying one tag."""

    def get_object(self, request, tag):
        return tag

    def title(self, tag):
        return xml_text(f"Parallax: claims tagged “{tag.name}”")

    def subtitle(self, tag):
        return xml_text(sharing.cut(tag.definition, sharing.DESCRIPTION_LENGTH)) or None

    def link(self, tag):
        return tag.get_absolute_url()

    def items(self, tag):
        return claims_tagged(tag)[:FEED_ENTRIES]


class ClaimExcerptsFeed(AtomFeed):
    """A published claim's excerpts: each outlet's wording of it, newest first."""

    def get_object(self, request, claim):
        return claim

    def title(self, claim):
        return xml_text(f"Parallax: “{claim.statement}”, outlet by outlet")

    def subtitle(self, claim):
        return xml_text(f"How each outlet worded the claim, in the story “{claim.story.title}”.")

    def link(self, claim):
        return claim.get_absolute_url()

    def items(self, claim):
        return queries.attach_tags(list(excerpts_for_feed(claim)[:FEED_ENTRIES]))

    def item_title(self, annotation):
        quote = sharing.cut(annotation.exact, TITLE_QUOTE_LENGTH)
        return xml_text(f"{annotation.article.outlet.name}: “{quote}”")

    def item_link(self, annotation):
        return annotation.get_absolute_url()

    def item_description(self, annotation):
        article = annotation.article
        source = ", ".join(
            part for part in (article.outlet.name, sharing.long_date(article.published)) if part
        )
        note = [(xml_text(line),) for line in annotation.note.splitlines() if line.strip()]
        parts = [
            format_html("<blockquote><p>{}</p></blockquote>", xml_text(annotation.exact)),
            format_html_join("", "<p>{}</p>", note),
            format_html(
                '<p>{}: “<a href="{}">{}</a>”.{}</p>',
                xml_text(source),
                self.absolute(article.get_absolute_url()),
                xml_text(article.title),
                format_html(" Stance: {}.", annotation.get_stance_display())
                if annotation.stance
                else "",
            ),
        ]
        return "".join(parts)

    def item_pubdate(self, annotation):
        return annotation.created

    def item_updateddate(self, annotation):
        return annotation.modified

    def item_categories(self, annotation):
        return [xml_text(tag.name) for tag in annotation.tag_list]
