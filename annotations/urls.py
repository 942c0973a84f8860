from django.urls import path, register_converter

from annotations.views import (
    browse,
    claims,
    corrections,
    finding,
    reader,
    relations,
    review,
    search,
    styles,
    vocabulary,
)


class UnicodeSlugConverter:
    """A slug in any script ("признание", "承认", "framing"): what
    slugify(..., allow_unicode=True) makes, and what SlugField(allow_unicode=True) accepts.
    Django's own `slug` converter takes ASCII only, so a tag named in Cyrillic could not be
    reversed and every page showing it failed."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "unicode_slug")

app_name = "annotations"

urlpatterns = [
    path("stories/<slug:slug>/", browse.story_detail, name="story-detail"),
    path("outlets/<slug:slug>/", browse.outlet_detail, name="outlet-detail"),
    path("tags/", vocabulary.vocabulary, name="vocabulary"),
    path("tags/<unicode_slug:slug>/", browse.tag_detail, name="tag-detail"),
    path("tags/<unicode_slug:slug>/accept/", vocabulary.tag_accept, name="tag-accept"),
    path("tags/<unicode_slug:slug>/merge/", vocabulary.tag_merge, name="tag-merge"),
    path("tags/<unicode_slug:slug>/reject/", vocabulary.tag_reject, name="tag-reject"),
    path("tags/<unicode_slug:slug>/move/", vocabulary.tag_move, name="tag-move"),
    path("search/", search.search, name="search"),
    path("claims/", browse.claim_list, name="claim-list"),
    path("articles/<int:article_id>/", reader.article_detail, name="article-detail"),
    path(
        "articles/<int:article_id>/annotations/",
        reader.annotation_create,
        name="annotation-create",
    ),
    path("articles/<int:article_id>/find/", finding.article_find, name="article-find"),
    path("articles/<int:article_id>/correct/", corrections.article_correct, name="article-correct"),
    path(
        "articles/<int:article_id>/versions/", corrections.article_versions, name="article-versions"
    ),
    path(
        "articles/<int:article_id>/versions/<int:number>/",
        corrections.article_version_detail,
        name="article-version",
    ),
    path("articles/<int:article_id>/review/", review.article_review, name="article-review"),
    path("review/", review.review_list, name="review"),
    path(
        "annotations/<int:annotation_id>/accept/",
        review.annotation_accept,
        name="annotation-accept",
    ),
    path("annotations/<int:annotation_id>/move/", review.annotation_move, name="annotation-move"),
    path(
        "annotations/<int:annotation_id>/orphan/",
        review.annotation_orphan,
        name="annotation-orphan",
    ),
    path("annotations/<int:annotation_id>/", reader.annotation_detail, name="annotation-detail"),
    path("annotations/<int:annotation_id>/edit/", reader.annotation_edit, name="annotation-edit"),
    path(
        "annotations/<int:annotation_id>/delete/",
        reader.annotation_delete,
        name="annotation-delete",
    ),
    path(
        "annotations/<int:annotation_id>/restore/",
        reader.annotation_restore,
        name="annotation-restore",
    ),
    path("claims/<slug:slug>/", claims.claim_detail, name="claim-detail"),
    path("claims/<slug:slug>/export.csv", claims.claim_export_csv, name="claim-export-csv"),
    path(
        "claims/<slug:slug>/export-raw.csv",
        claims.claim_export_raw_csv,
        name="claim-export-raw-csv",
    ),
    path("claims/<slug:slug>/export.json", claims.claim_export_json, name="claim-export-json"),
    path("claims/<slug:slug>/publish/", claims.claim_publish, name="claim-publish"),
    path("claims/<slug:slug>/edit/", claims.claim_edit, name="claim-edit"),
    path("claims/<slug:slug>/delete/", claims.claim_delete, name="claim-delete"),
    path("claims/<slug:slug>/merge/", claims.claim_merge, name="claim-merge"),
    path("claims/<slug:slug>/relations/", relations.relation_add, name="claim-relation-add"),
    path(
        "claims/<slug:slug>/relations/<int:relation_id>/delete/",
        relations.relation_delete,
        name="claim-relation-delete",
    ),
    path("tags.css", styles.tag_styles, name="tag-styles"),
]
