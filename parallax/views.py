"""Project-wide pages that draw on both apps, and the answer to an unexpected error."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from annotations import queries
from annotations.showcase import live_comparison

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
        "home.html",
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


# Seconds a client is asked to wait when the database does not answer.
RETRY_AFTER = 5


def server_error(request):
    """handler500: a plain page in the site's style; 503 with Retry-After when the cause is
    the database not answering (a restart, a dropped connection), which passes.

    Rendered without the request's context: its processors would ask the database again.
    """
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    if unavailable:
        heading = "The database is not answering"
        explanation = (
            "It may be restarting. If you were saving something, it was not saved: "
            f"send it again in {RETRY_AFTER} seconds or so."
        )
    else:
        heading = "Something went wrong on our side"
        explanation = (
            "The error is logged. If you were saving something, check whether it was "
            "saved before you send it again."
        )
    page = render_to_string("error.html", {"heading": heading, "explanation": explanation})
    response = HttpResponse(page, status=503 if unavailable else 500)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
