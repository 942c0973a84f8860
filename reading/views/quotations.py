"""A quotation's page, the trace panel: the same words as each outlet quoted them, what
each cut or changed against the longest rendering, the verb each put in front of them, and
the first appearance. Editors annotate every rendering at once from here, and correct
what extraction got wrong."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from annotations.forms import AnnotationFieldsForm
from annotations.models import Annotation, Tag
from annotations.views.annotating import SHORTCUT_TAGS, claims_for_editor
from parallax.permissions import is_editor
from reading.queries import LISTED_QUOTATION, TraceRenderings
from sources import quotations as tracing
from sources.models import Quotation, QuotationDecision
from sources.text.tracing import word_diff, words

# A trace panel shows at most this many renderings, the earliest first (the page says how
# many there are when there are more).
TRACE_RENDERINGS = 200


@dataclass
class Rendering:
    """One outlet's rendering of the words, and how it differs from the reference."""

    quotation: Quotation
    # (op, text) runs: "same", "cut", "changed", "added" (sources.text.tracing.word_diff).
    diff: list[tuple[str, str]]
    is_reference: bool
    is_this: bool

    @property
    def is_verbatim(self) -> bool:
        return all(op == "same" for op, _ in self.diff)


def quotation_or_404(article_id: int, key: str) -> Quotation:
    """The article's quotation of these words (the first, when it quotes them twice)."""
    quotation = (
        Quotation.objects.filter(article=article_id, key=key)
        .select_related("article__outlet", "article__story")
        .defer("article__text", "article__raw")
        .order_by("start", "pk")
        .first()
    )
    if quotation is None:
        raise Http404("The article has no quotation of these words (its text may have changed).")
    return quotation


def renderings_of(quotation: Quotation) -> tuple[list[Quotation], bool]:
    """The quotation's trace, the earliest published first, at most TRACE_RENDERINGS (and
    whether there are more); the quotation alone when it is not traced. One query."""
    if quotation.trace_id is None:
        return [quotation], False
    rows = list(TraceRenderings(quotation.trace_id).renderings()[: TRACE_RENDERINGS + 1])
    more = len(rows) > TRACE_RENDERINGS
    rows = rows[:TRACE_RENDERINGS]
    if not any(row.pk == quotation.pk for row in rows):
        # A trace longer than the panel still shows the quotation the reader came from.
        rows[-1] = quotation
    return rows, more


def compare_renderings(quotation: Quotation, rows: list[Quotation]) -> list[Rendering]:
    """Each rendering against the longest (the first of the longest, in publication order):
    what it cut, changed or added, word by word."""
    reference = max(rows, key=lambda row: len(words(row.text)))
    return [
        Rendering(
            quotation=row,
            diff=[("same", row.text)] if row is reference else word_diff(reference.text, row.text),
            is_reference=row is reference,
            is_this=row.pk == quotation.pk,
        )
        for row in rows
    ]


def decisions_about(rows: list[Quotation]):
    """Editors' decisions about these quotations, the latest first (their history)."""
    about = Q()
    for row in rows:
        about |= Q(article=row.article_id, key=row.key)
        about |= Q(other_article=row.article_id, other_key=row.key)
    return (
        QuotationDecision.objects.filter(about)
        .select_related("created_by", "article__outlet", "other_article__outlet")
        .only(
            "kind",
            "key",
            "other_key",
            "value",
            "created",
            "created_by__username",
            "article__title",
            "article__outlet__name",
            "other_article__title",
            "other_article__outlet__name",
        )
        .order_by("-created", "-pk")[:50]
    )


def similar_untraced(reference: Quotation, rows: list[Quotation]) -> list[Quotation]:
    """Quotations sharing words with `reference` in articles its trace (`rows`) has none
    of: what an editor may join to it. Two queries."""
    articles = {row.article_id for row in rows}
    found = [c.pk for c in tracing.candidates(reference) if c.article_id not in articles]
    if not found:
        return []
    return list(
        Quotation.objects.filter(pk__in=found)
        .select_related("article__outlet")
        .only(*LISTED_QUOTATION)
        .order_by("article__outlet__name", "pk")
    )


@require_safe
def quotation_detail(request, article_id, key):
    return quotation_page(request, quotation_or_404(article_id, key))


def quotation_page(request, quotation: Quotation, *, form=None, status: int = 200):
    """The page, with the editor's annotate form as they sent it when it was refused."""
    rows, more = renderings_of(quotation)
    renderings = compare_renderings(quotation, rows)
    dated = [row for row in rows if row.article.published]
    context = {
        "quotation": quotation,
        "article": quotation.article,
        "renderings": renderings,
        "more": more,
        "outlet_count": len({row.article.outlet.name for row in rows}),
        # Renderings come earliest published first: the first dated one is the first
        # appearance (articles without a date cannot say).
        "first": dated[0] if dated else None,
        "history": list(decisions_about(rows)),
    }
    if is_editor(request.user):
        reference = next(r.quotation for r in renderings if r.is_reference)
        vocabulary = list(Tag.objects.vocabulary().only("name"))
        in_story = [r for r in rows if r.article.story_id == quotation.article.story_id]
        context.update(
            form=form or AnnotationFieldsForm(article=quotation.article),
            story_claims=claims_for_editor(quotation.article.story_id, request.user),
            vocabulary=vocabulary,
            shortcut_tags=vocabulary[:SHORTCUT_TAGS],
            in_story=len(in_story),
            stances=Annotation.Stance.choices,
            similar=similar_untraced(reference, rows),
        )
    return render(request, "reading/quotation_detail.html", context, status=status)
