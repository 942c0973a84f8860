from django.urls import path

from annotations import views

app_name = "annotations"

urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="story-detail"),
    path("outlets/<slug:slug>/", views.outlet_detail, name="outlet-detail"),
    path("articles/<int:article_id>/", views.article_detail, name="article-detail"),
    path("annotations/<int:annotation_id>/", views.annotation_detail, name="annotation-detail"),
    path("claims/<slug:slug>/", views.claim_detail, name="claim-detail"),
]
