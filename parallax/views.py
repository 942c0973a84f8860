"""The answer to an unexpected error."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

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
