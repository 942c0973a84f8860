from django.urls import path

from annotations.views import (
    annotating,
    claims,
    corrections,
    finding,
    relations,
    review,
    styles,
    tracing,
    vocabulary,
)
from parallax import converters  # noqa: F401 (registers the unicode_slug converter)

app_name = "annotations"

urlpatterns = [
    path("tags/", vocabulary.vocabulary, name="vocabulary"),
    path("tags/<unicode_slug:slug>/accept/", vocabulary.tag_accept, name="tag-accept"),
    path("tags/<unicode_slug:slug>/merge/", vocabulary.tag_merge, name="tag-merge"),
    path("tags/<unicode_slug:slug>/reject/", vocabulary.tag_reject, name="tag-reject"),
    path("tags/<unicode_slug:slug>/move/", vocabulary.tag_move, name="tag-move"),
    path(
        "articles/<int:article_id>/annotations/",
        annotating.annotation_create,
        name="annotation-create",
    ),
    path("articles/<int:article_id>/find/", finding.article_find, name="article-find"),
    path("articles/<int:article_id>/correct/", corrections.article_correct, name="article-correct"),
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
    path(
        "annotations/<int:annotation_id>/edit/",
        annotating.annotation_edit,
        name="annotation-edit",
    ),
    path(
        "annotations/<int:annotation_id>/delete/",
        annotating.annotation_delete,
        name="annotation-delete",
    ),
    path(
        "annotations/<int:annotation_id>/restore/",
        annotating.annotation_restore,
        name="annotation-restore",
    ),
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
    path(
        "articles/<int:article_id>/quotations/<str:key>/annotate/",
        tracing.quotation_annotate,
        name="quotation-annotate",
    ),
    path(
        "articles/<int:article_id>/quotations/<str:key>/correct/",
        tracing.quotation_correct,
        name="quotation-correct",
    ),
    path(
        "articles/<int:article_id>/quotations/<str:key>/take-out/",
        tracing.quotation_take_out,
        name="quotation-take-out",
    ),
    path(
        "articles/<int:article_id>/quotations/<str:key>/join/",
        tracing.quotation_join,
        name="quotation-join",
    ),
    path("tags.css", styles.tag_styles, name="tag-styles"),
]
