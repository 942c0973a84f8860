"""Helpers shared by tests that act as an editor would through the real interfaces."""

from django.test import Client
from django.urls import reverse

from tests.conftest import EDITOR_PASSWORD

CONTEXT = 32


def selection(article, quote: str, **extra) -> dict:
    """What the reader's script posts for a selection of `quote` (its first occurrence)."""
    start = article.text.index(quote)
    end = start + len(quote)
    return {
        "start": start,
        "end": end,
        "exact": quote,
        "prefix": article.text[max(0, start - CONTEXT) : start],
        "suffix": article.text[end : end + CONTEXT],
        **extra,
    }


def logged_in(user) -> Client:
    """A client with a real session of its own, logged in through the login page."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": EDITOR_PASSWORD}
    )
    assert response.status_code == 302, "the login failed"
    return client
