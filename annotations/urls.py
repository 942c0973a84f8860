from django.urls import path

from annotations.views import browse, claims, reader, relations

app_name = "annotations"

urlpatterns = [
    path("stories/<slug:slug>/", browse.story_detail, name="story-detail"),
    path("outlets/<slug:slug>/", browse.outlet_detail, name="outlet-detail"),
    path("tags/<slug:slug>/", browse.tag_detail, name="tag-detail"),
    path("claims/", browse.claim_list, name="claim-list"),
    path("articles/<int:article_id>/", reader.article_detail, name="article-detail"),
    path(
        "articles/<int:article_id>/annotations/",
        reader.annotation_create,
        name="annotation-create",
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
    path("claims/<slug:slug>/export.json", claims.claim_export_json, name="claim-export-json"),
    path("claims/<slug:slug>/publish/", claims.claim_publish, name="claim-publish"),
    path("claims/<slug:slug>/edit/", claims.claim_edit, name="claim-edit"),
    path("claims/<slug:slug>/merge/", claims.claim_merge, name="claim-merge"),
    path("claims/<slug:slug>/relations/", relations.relation_add, name="claim-relation-add"),
    path(
        "claims/<slug:slug>/relations/<int:relation_id>/delete/",
        relations.relation_delete,
        name="claim-relation-delete",
    ),
    path("tags.css", reader.tag_styles, name="tag-styles"),
]
