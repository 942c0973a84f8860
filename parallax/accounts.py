"""The account's API tokens page: make one (its secret shown once), list them, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from parallax import tokens
from parallax.models import APIToken
from parallax.permissions import is_editor


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=APIToken.NAME_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"aria-describedby": "token-name-help", "autocomplete": "off"}
        ),
        help_text="What the token is for, to tell it apart (“export script”, “my laptop”).",
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def token_list(request):
    """Anyone logged in sees their tokens (an editor who lost the role can still revoke
    theirs); only editors make new ones. The page holding a new secret is never cached."""
    editor = is_editor(request.user)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST":
        if not editor:
            raise PermissionDenied("Only editors can make API tokens.")
        if form.is_valid():
            try:
                token, secret = tokens.issue_token(request.user, form.cleaned_data["name"])
            except tokens.TokenRefused as refused:
                form.add_error("name", str(refused))
            else:
                # Shown on this answer only: a reload or the next visit no longer holds it.
                form = TokenForm()
                messages.success(request, f"Token “{token.name}” made.")
    listed = APIToken.objects.filter(owner=request.user).only(
        "name", "prefix", "created", "last_used", "revoked"
    )
    return render(
        request,
        "registration/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": listed[: tokens.MAX_TOKENS_PER_USER * 5],
            "can_make": editor,
            "max_tokens": tokens.MAX_TOKENS_PER_USER,
        },
    )


@require_POST
@login_required
def token_revoke(request, token_id):
    token = get_object_or_404(APIToken, pk=token_id, owner=request.user)
    tokens.revoke_token(token, request.user)
    messages.success(request, f"Token “{token.name}” revoked: it no longer opens anything.")
    return redirect("tokens")
