"""Importing articles from the browser."""

from django.shortcuts import render

from parallax.permissions import editor_required


@editor_required
def import_articles(request):
    return render(request, "sources/import.html", {})
