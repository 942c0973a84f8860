"""The addresses of the reading pages, for models and code outside this package: a model's
get_absolute_url() asks here, so no app but this one names these routes."""

from django.urls import reverse


def story(slug: str) -> str:
    return reverse("reading:story", args=[slug])


def outlet(slug: str) -> str:
    return reverse("reading:outlet", args=[slug])


def tag(slug: str) -> str:
    return reverse("reading:tag", args=[slug])


def claim(slug: str) -> str:
    return reverse("reading:claim", args=[slug])


def article(article_id: int) -> str:
    return reverse("reading:article", args=[article_id])


def article_version(article_id: int, number: int) -> str:
    return reverse("reading:article-version", args=[article_id, number])


def annotation(annotation_id: int) -> str:
    return reverse("reading:annotation", args=[annotation_id])


def quotation(article_id: int, key: str) -> str:
    return reverse("reading:quotation", args=[article_id, key])


def speaker(slug: str) -> str:
    return reverse("reading:speaker", args=[slug])
