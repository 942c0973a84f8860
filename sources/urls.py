from django.urls import path

from sources import views

app_name = "sources"

urlpatterns = [
    path("import/", views.import_articles, name="import"),
]
