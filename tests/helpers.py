"""Helpers shared by tests that act as an editor would through the real interfaces."""

import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import EDITOR_PASSWORD

CONTEXT = 32

# The real sample corpus, read from ../shared beside the checkout, never copied here.
SAMPLE_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "on-my-watch"


def require_sample_corpus() -> Path:
    """The sample corpus's folder. A newcomer's clone has no ../shared: the test is skipped,
    saying why. CI (CI=true) always has it beside the checkout, so there a missing corpus
    fails the test instead."""
    if not SAMPLE_CORPUS.is_dir():
        message = f"the sample corpus is not at {SAMPLE_CORPUS} (../shared beside the checkout)"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return SAMPLE_CORPUS


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
