from django.urls import path

from annotations.views import browse, reader, relations

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
    path("claims/<slug:slug>/", reader.claim_detail, name="claim-detail"),
    path("claims/<slug:slug>/relations/", relations.relation_add, name="claim-relation-add"),
    path(
        "claims/<slug:slug>/relations/<int:relation_id>/delete/",
        relations.relation_delete,
        name="claim-relation-delete",
    ),
    path("tags.css", reader.tag_styles, name="tag-styles"),
]
