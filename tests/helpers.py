"""Helpers shared by tests that act as an editor would through the real interfaces."""

import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import EDITOR_PASSWORD

CONTEXT = 32

# Material read from ../shared beside the checkout, never copied here: the real sample
# corpus, and standards' own test suites (the W3C Web Annotation tests).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE_CORPUS = SHARED / "corpus" / "on-my-watch"


def require_shared(folder: Path, what: str) -> Path:
    """A folder of ../shared. A newcomer's clone has no ../shared: the test is skipped,
    saying why. CI (CI=true) always has it beside the checkout, so there a missing folder
    fails the test instead."""
    if not folder.is_dir():
        message = f"{what} is not at {folder} (../shared beside the checkout)"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return folder


def require_sample_corpus() -> Path:
    """The sample corpus's folder (see require_shared)."""
    return require_shared(SAMPLE_CORPUS, "the sample corpus")


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
