"""The article reader, annotation pages, and annotating."""

from django.shortcuts import get_object_or_404, render

from annotations.models import Annotation, Claim
from sources.models import Article


def article_detail(request, article_id):
    article = get_object_or_404(Article, pk=article_id)
    return render(request, "annotations/article_detail.html", {"article": article})


def annotation_detail(request, annotation_id):
    annotation = get_object_or_404(Annotation, pk=annotation_id)
    return render(request, "annotations/annotation_detail.html", {"annotation": annotation})


def claim_detail(request, slug):
    claim = get_object_or_404(Claim, slug=slug)
    return render(request, "annotations/claim_detail.html", {"claim": claim})
