from django.urls import path

from annotations import views
from annotations.views import reader

app_name = "annotations"

urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="story-detail"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet-detail"),
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
    path("tags.css", reader.tag_styles, name="tag-styles"),
]
