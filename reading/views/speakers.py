"""A speaker's page: which verbs each outlet puts in front of their words."""

from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reading import queries

# A speaker page lists at most this many quotations (the counts say when there are more).
SPEAKER_QUOTATIONS = 1000


@dataclass
class OutletVerbs:
    """One outlet's quotations of the speaker, and how often it used each verb."""

    name: str
    slug: str
    quotations: list = field(default_factory=list)

    @property
    def verbs(self) -> list[tuple[str, int]]:
        """(verb, count), most used first; "" is a quotation with no verb found."""
        counts = Counter(q.verb for q in self.quotations)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@require_safe
def speaker_detail(request, slug):
    rows = list(queries.SpeakerQuotations(slug).quotations()[: SPEAKER_QUOTATIONS + 1])
    if not rows:
        raise Http404("No quotation is attributed to this speaker.")
    shown = rows[:SPEAKER_QUOTATIONS]
    outlets = [
        OutletVerbs(group[0].article.outlet.name, group[0].article.outlet.slug, group)
        for group in (list(items) for _, items in groupby(shown, key=lambda q: q.article.outlet_id))
    ]
    name = Counter(q.speaker for q in shown).most_common(1)[0][0]
    return render(
        request,
        "reading/speaker_detail.html",
        {"name": name, "outlets": outlets, "count": len(shown), "more": len(rows) > len(shown)},
    )
