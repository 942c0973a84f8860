"""The API's addresses, under /api/: version 1's endpoints, its schema and docs page, and
a JSON answer for every other address under /api/ (never an HTML error page)."""

from functools import wraps

from django.http import JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from reading.api import docs
from reading.api.auth import with_token
from reading.api.routes import api

app_name = "api"


def json_errors(view):
    """HEAD answers as GET does, as on the pages (the server sends no body); and ninja's
    plain-text 405 for a method an address does not take becomes JSON, as every other
    error here is."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "HEAD":
            request.method = "GET"
            try:
                return view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            methods = [m.strip() for m in response.get("Allow", "GET").split(",") if m.strip()]
            if "GET" in methods and "HEAD" not in methods:
                methods.insert(methods.index("GET") + 1, "HEAD")
            allowed = ", ".join(methods)
            answer = JsonResponse(
                {"error": f"{request.method} is not allowed here.", "allowed": allowed},
                status=405,
            )
            answer["Allow"] = allowed
            return answer
        return response

    return wrapper


# It changes nothing, whatever the method: a write to an unknown address gets its JSON 404,
# not Django's HTML page for a missing CSRF token.
@csrf_exempt
def unknown(request, rest=""):
    """Any other address under /api/: 404 in JSON; one that only lacks its final slash is
    sent to the address with it, as Django's APPEND_SLASH does for pages."""
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.view_name != "api:unknown":
            query = request.META.get("QUERY_STRING", "")
            response = JsonResponse({"moved_to": request.path + "/"}, status=301)
            response["Location"] = request.path + "/" + (f"?{query}" if query else "")
            return response
    return JsonResponse({"error": "There is no such address in the API."}, status=404)


@require_safe
def index(request):
    """/api/v1/: where everything is."""
    names = (
        "outlets",
        "stories",
        "articles",
        "claims",
        "annotations",
        "w3c-import",
        "openapi-json",
        "docs",
    )
    return JsonResponse(
        {
            {"openapi-json": "schema", "w3c-import": "w3c_import"}.get(
                name, name
            ): request.build_absolute_uri(reverse(f"api:{name}"))
            for name in names
        }
    )


def version_1() -> list:
    """ninja's patterns, each answering a refused method in JSON and taking a personal
    token (reading.api.auth.with_token); its root (a 404 page that names its docs) is our
    index, and its schema answers reads only."""
    every, _, _ = api.urls
    # ninja makes a pattern per operation; those of one address (GET and PATCH of an
    # annotation) are one view, which picks the operation by method: the first, named
    # after the read, answers them all.
    patterns, routes = [], set()
    for pattern in every:
        if str(pattern.pattern) not in routes:
            routes.add(str(pattern.pattern))
            patterns.append(pattern)
    for pattern in patterns:
        if pattern.name == "api-root":
            pattern.callback = index
        elif pattern.name == "openapi-json":
            pattern.callback = require_safe(pattern.callback)
        pattern.callback = json_errors(with_token(pattern.callback))
    return patterns


urlpatterns = [
    path("v1/docs", json_errors(require_safe(docs.docs_page)), name="docs"),
    path("v1/", include(version_1())),
    # [\s\S], not ".": an address may hold an encoded line break (%0A).
    re_path(r"^(?P<rest>[\s\S]*)$", unknown, name="unknown"),
]
