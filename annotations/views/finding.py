"""Find it in the other outlets: from an annotation or a selection in the reader, the same
words in the story's other articles, each annotated under the same claim from the list."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from annotations.finding import find_in_story
from annotations.models import Annotation
from parallax.permissions import editor_required
from sources.models import Article

# A selection longer than this is cut (its first words are looked for).
MAX_TEXT = 500


@require_safe
@editor_required
def article_find(request, article_id):
    """The results as a page, or (?fragment=1) as the part the reader's panel shows."""
    article = get_object_or_404(
        Article.objects.select_related("story", "outlet").defer("text", "raw"), pk=article_id
    )
    source = None
    if request.GET.get("annotation", "").isdigit():
        source = (
            Annotation.objects.visible()
            .with_details()
            .filter(article=article, pk=int(request.GET["annotation"]))
            .first()
        )
    text = request.GET.get("q", "")[:MAX_TEXT] or (source.exact[:MAX_TEXT] if source else "")
    claim = request.GET.get("claim", "")[:500] or (
        source.claim.statement if source and source.claim else ""
    )
    tags = request.GET.get("tags", "")[:2500] or (
        ", ".join(tag.name for tag in source.tag_list) if source else ""
    )
    found = find_in_story(article, text) if text.strip() else []
    template = (
        "annotations/_find_results.html"
        if request.GET.get("fragment")
        else "annotations/article_find.html"
    )
    return render(
        request,
        template,
        {
            "article": article,
            "source": source,
            "text": text,
            "claim": claim,
            "tags": tags,
            "found": found,
            "next": request.get_full_path(),
        },
    )
