"""Every page a reader opens, and so every address shared in a link: these routes are
public and never change. Models reach their pages through reading.addresses."""

from django.urls import path

from parallax import converters  # noqa: F401 (registers the unicode_slug converter)
from reading.views import articles, browse, claims, discovery, home, quotations, search, speakers

app_name = "reading"

urlpatterns = [
    path("", home.home, name="home"),
    path("stories/<slug:slug>/", browse.story_detail, name="story"),
    path("stories/<slug:slug>/feed/", discovery.story_feed, name="story-feed"),
    path("outlets/<slug:slug>/", browse.outlet_detail, name="outlet"),
    path("tags/<unicode_slug:slug>/", browse.tag_detail, name="tag"),
    path("tags/<unicode_slug:slug>/feed/", discovery.tag_feed, name="tag-feed"),
    path("search/", search.search, name="search"),
    path("claims/", browse.claim_list, name="claims"),
    path("claims/<slug:slug>/", claims.claim_detail, name="claim"),
    path("claims/<slug:slug>/feed/", discovery.claim_feed, name="claim-feed"),
    path("claims/<slug:slug>/export.csv", claims.claim_export_csv, name="claim-csv"),
    path("claims/<slug:slug>/export-raw.csv", claims.claim_export_raw_csv, name="claim-raw-csv"),
    path("claims/<slug:slug>/export.json", claims.claim_export_json, name="claim-json"),
    path("articles/<int:article_id>/", articles.article_detail, name="article"),
    path("articles/<int:article_id>/versions/", articles.article_versions, name="article-versions"),
    path(
        "articles/<int:article_id>/versions/<int:number>/",
        articles.article_version_detail,
        name="article-version",
    ),
    path("annotations/<int:annotation_id>/", articles.annotation_detail, name="annotation"),
    path(
        "articles/<int:article_id>/quotations/<str:key>/",
        quotations.quotation_detail,
        name="quotation",
    ),
    path("speakers/<unicode_slug:slug>/", speakers.speaker_detail, name="speaker"),
    path("feeds/claims/", discovery.claims_feed, name="claims-feed"),
    path("sitemap.xml", discovery.sitemap_index, name="sitemap"),
    path("sitemap-<str:section>.xml", discovery.sitemap_section, name="sitemap-section"),
    path("robots.txt", discovery.robots_txt, name="robots"),
]
