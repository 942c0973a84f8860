"""Who is asking the API, and whether a write may go on.

- A personal token (parallax/tokens.py) in `Authorization: Bearer <token>` (or `Token
  <token>`) stands for its owner on every request, reads too: an editor's token sees
  drafts as the editor's session does. A token that is not live (revoked, unknown, its
  owner inactive) is refused with 401 at once, whatever the address.
- Otherwise the session cookie, as on the pages; a write by session must carry the CSRF
  token (header X-CSRFToken), as the pages' forms do. A token needs none: browsers
  never send one by themselves.
- Writes are counted per token, or per address without one (parallax/ratelimit.py):
  past PARALLAX_API_WRITES_PER_WINDOW in PARALLAX_API_WRITE_WINDOW_SECONDS, 429 with
  Retry-After.

Bodies are JSON, read here within a bound of bytes and of nesting (read_json), before
the parser sees them.
"""

import json
import re
from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from parallax import ratelimit, tokens
from parallax.login import client_address

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
SCHEMES = ("bearer", "token")
JSON_TYPES = ("application/json", "application/ld+json")


def refusal(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def presented_token(request) -> str | None:
    """The token of an Authorization header in our schemes; None without one (another
    scheme, such as a proxy's Basic, is not ours to judge)."""
    value = request.headers.get("Authorization", "")
    scheme, _, secret = value.strip().partition(" ")
    if scheme.lower() not in SCHEMES:
        return None
    return secret.strip()


def with_token(view):
    """Every API view: the token's owner becomes request.user; writes are counted."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.api_token = None
        secret = presented_token(request)
        if secret is not None:
            token = tokens.token_for(secret)
            if token is None:
                return refusal(
                    401,
                    "This token is not valid: it was revoked, or never existed.",
                    WWW_Authenticate='Bearer error="invalid_token"',
                )
            request.api_token = token
            request.user = token.owner
        if request.method not in SAFE_METHODS:
            if request.api_token is not None:
                who = f"token:{request.api_token.pk}"
            else:
                who = f"address:{client_address(request)}"
            wait = ratelimit.hit(
                f"api-write:{who}",
                settings.PARALLAX_API_WRITES_PER_WINDOW,
                settings.PARALLAX_API_WRITE_WINDOW_SECONDS,
            )
            if wait is not None:
                return refusal(
                    429,
                    f"Too many writes: at most {settings.PARALLAX_API_WRITES_PER_WINDOW} every "
                    f"{settings.PARALLAX_API_WRITE_WINDOW_SECONDS} seconds. "
                    f"Try again in {wait} seconds.",
                    Retry_After=str(wait),
                )
        return view(request, *args, **kwargs)

    return wrapper


class TokenAuth(HttpBearer):
    """A write by token: with_token has checked it already."""

    def __call__(self, request):
        return self.authenticate(request, "")

    def authenticate(self, request, token):
        return request.user if getattr(request, "api_token", None) else None


class SessionAuth(APIKeyCookie):
    """A write by a logged-in browser session, which must carry its CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        # Anonymous: nothing to forge, so 401 (not a CSRF failure) follows.
        if request.user.is_authenticated and check_csrf(request):
            raise HttpError(
                403,
                "CSRF check failed: a write with the session cookie must send the page's "
                "CSRF token in the X-CSRFToken header. Scripts should use a token instead.",
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


WRITERS = [TokenAuth(), SessionAuth()]


# Bodies --------------------------------------------------------------------------------


class BadBody(Exception):
    """The body cannot be read: the status and message say why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting(text: str, bound: int) -> int:
    """How deeply the JSON text's arrays and objects nest, counted up to `bound` + 1 and
    no further (Python's parser recurses: a deep document must not reach it)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > bound:
                    return deepest
        else:
            depth -= 1
    return deepest


def read_json(request, *, max_bytes: int, max_depth: int):
    """The request's body as JSON; BadBody (415, 413, 400) when it is not, is larger
    than `max_bytes`, or nests deeper than `max_depth`."""
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        raise BadBody(415, f"Send JSON: Content-Type {' or '.join(JSON_TYPES)}.")
    too_large = BadBody(413, f"The body is larger than {max_bytes:,} bytes, the most taken here.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise too_large
    raw = request.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_large
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(400, "The body is not UTF-8.") from None
    if nesting(text, max_depth) > max_depth:
        raise BadBody(400, f"The JSON nests deeper than {max_depth} levels, the most taken here.")
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise BadBody(400, f"The body is not JSON: {error}") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


# Versions --------------------------------------------------------------------------------


def etag(version: int) -> str:
    return f'"{version}"'


class Precondition(Exception):
    """If-Match is missing (428) or names another version (412)."""

    def __init__(self, status: int, message: str, current: int):
        super().__init__(message)
        self.status = status
        self.message = message
        self.current = current


def check_if_match(request, current: int) -> int:
    """The version a change starts from, from If-Match; Precondition when it is missing
    or is not `current` (someone saved since: the same rule the pages' forms follow)."""
    value = request.headers.get("If-Match", "").strip()
    if not value or value == "*":
        raise Precondition(
            428,
            "Send If-Match with the ETag of the version you are changing (from a GET): "
            "changes made from an older version are refused.",
            current,
        )
    for each in value.split(","):
        tag = each.strip().removeprefix("W/")
        if tag == etag(current):
            return current
    raise Precondition(
        412,
        "This was changed since the version you sent in If-Match: GET it again, and send "
        "your change with its new ETag.",
        current,
    )
