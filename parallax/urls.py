from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from parallax import accounts, login

urlpatterns = [
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    # One login page, with its throttle and messages: the admin's sends people to ours.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/tokens/", accounts.token_list, name="tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", accounts.token_revoke, name="token-revoke"),
    path("admin/", admin.site.urls),
    path("", include("sources.urls")),
    path("", include("reading.urls")),
    path("", include("annotations.urls")),
    path("api/", include("reading.api.urls")),
]

handler500 = "parallax.views.server_error"
