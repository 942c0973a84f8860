"""How readers and crawlers find pages: Atom feeds (reading/feeds.py), the sitemap
(reading/sitemaps.py) and robots.txt. All public and the same for everyone, so the page
cache keeps them like any reader page."""

from django.contrib.sitemaps import views as sitemap_views
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from annotations.models import Claim, ClaimAlias, Tag
from reading import feeds
from reading.sitemaps import SITEMAPS
from sources.models import Story


@require_safe
def claims_feed(request):
    return feeds.ClaimsFeed()(request)


@require_safe
def story_feed(request, slug):
    story = get_object_or_404(Story.objects.only("pk", "slug", "title", "description"), slug=slug)
    return feeds.StoryClaimsFeed()(request, story)


@require_safe
def tag_feed(request, slug):
    # Any tag's page is public, proposed ones too (reading.views.browse.tag_detail).
    tag = get_object_or_404(Tag.objects.only("pk", "slug", "name", "definition"), slug=slug)
    return feeds.TagClaimsFeed()(request, tag)


@require_safe
def claim_feed(request, slug):
    """A published claim's excerpts. A feed is the same for everyone: a draft's is not
    found, for editors too. An old slug of a published claim redirects, as its page does."""
    published = Claim.objects.filter(status=Claim.Status.PUBLISHED)
    claim = published.select_related("story").filter(slug=slug).first()
    if claim is None:
        aliases = ClaimAlias.objects.filter(slug=slug, claim__status=Claim.Status.PUBLISHED)
        moved = aliases.select_related("claim").first()
        if moved is None:
            raise Http404("No such claim.")
        return redirect(reverse("reading:claim-feed", args=[moved.claim.slug]), permanent=True)
    return feeds.ClaimExcerptsFeed()(request, claim)


@require_safe
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="reading:sitemap-section")


@require_safe
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


# Crawlers may read every reader page. They are kept out of the admin, logins, the editing
# and import pages (forms and POST-only steps, which would only answer with a login page),
# and search results, an endless space of addresses whose pages the sitemap lists anyway.
# "*" in a path is understood by the major crawlers and by RFC 9309.
ROBOTS_DISALLOW = (
    "/admin/",
    "/accounts/",
    "/import/",
    "/review/",
    "/search/?",
    "/articles/*/annotations/",
    "/articles/*/find/",
    "/articles/*/correct/",
    "/articles/*/review/",
    "/articles/*/quotations/*/annotate/",
    "/articles/*/quotations/*/correct/",
    "/articles/*/quotations/*/take-out/",
    "/articles/*/quotations/*/join/",
    "/annotations/*/accept/",
    "/annotations/*/move/",
    "/annotations/*/orphan/",
    "/annotations/*/edit/",
    "/annotations/*/delete/",
    "/annotations/*/restore/",
    "/claims/*/export",
    "/claims/*/publish/",
    "/claims/*/edit/",
    "/claims/*/delete/",
    "/claims/*/merge/",
    "/claims/*/relations/",
    "/tags/*/accept/",
    "/tags/*/merge/",
    "/tags/*/reject/",
    "/tags/*/move/",
)


@require_safe
def robots_txt(request):
    """Plain text built in code: no template to load or render."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('reading:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
