from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from parallax import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("sources.urls")),
    path("", include("annotations.urls")),
]
