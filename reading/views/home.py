"""The front page: the latest stories, outlets and claims, and one claim compared live."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from reading import queries
from reading.showcase import live_comparison

# The home page shows the latest of each; "all stories" and "all outlets" pages come later.
HOME_STORIES = 20
HOME_OUTLETS = 60
HOME_CLAIMS = 15


def first(queryset, limit: int) -> tuple[list, bool]:
    """The first `limit` rows, and whether there are more, in one query (asks for one extra)."""
    rows = list(queryset[: limit + 1])
    return rows[:limit], len(rows) > limit


@require_safe
def home(request):
    stories, more_stories = first(queries.stories_with_counts(), HOME_STORIES)
    outlets, more_outlets = first(queries.outlets_with_counts(), HOME_OUTLETS)
    claims, more_claims = first(queries.recent_claims(), HOME_CLAIMS)
    return render(
        request,
        "reading/home.html",
        {
            # One claim's outlets side by side: what Parallax does, shown rather than told.
            "showcase": live_comparison(),
            "stories": stories,
            "more_stories": more_stories,
            "outlets": outlets,
            "more_outlets": more_outlets,
            "claims": claims,
            "more_claims": more_claims,
        },
    )
