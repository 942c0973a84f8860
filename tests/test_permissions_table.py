"""One table of who may do what, checked against every URL pattern of the project.

Every pattern the resolver knows (our pages, exports, the admin's) is requested as five
users (tests/url_world.py makes them and the rows the URLs point at) with each method,
and the answer is compared with ACCESS below. A pattern without a row fails
test_every_url_pattern_has_a_row, so a new URL cannot go unchecked.

Reading a cell: a status code; LOGIN, a redirect to a login page (ours or the admin's,
which redirects to ours); or a tuple of answers that are all right. 302 means a redirect
anywhere but a login page. A 5xx fails whatever the table says.

CSRF is off for this matrix (Client(enforce_csrf_checks=False), the test client's default):
here a write is refused for who sends it, not for a missing token. tests/annotations
checks the tokens. Writes send no form data: an editor's empty form answers with its
errors (200, or 400 for the annotating script's JSON), a refused user's with 403.
HEAD answers as GET does (Django drops the body), so it is not checked separately.
"""

from copy import deepcopy
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from tests.url_world import ROLES, build_world, url_patterns, variants

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
WRITES = METHODS[1:]
LOGIN = "login"
# Ours, and the admin's (which redirects to ours).
LOGIN_PATHS = (reverse("login"), reverse("admin:login"))


class Like(str):
    """A row key that is a pattern ("admin:*_changelist"): it covers every URL name it
    matches that has no row of its own."""


def every(answer) -> dict:
    """The same answer to every method."""
    return dict.fromkeys(METHODS, answer)


def page(answer) -> dict:
    """One of our pages that only reads (require_safe): every write method is 405."""
    return {"GET": answer} | dict.fromkeys(WRITES, 405)


def form(get, post) -> dict:
    """One of our form pages: GET shows it, POST sends it, PUT, PATCH and DELETE are 405
    before anything else (require_http_methods), whoever asks."""
    return {"GET": get, "POST": post} | dict.fromkeys(("PUT", "PATCH", "DELETE"), 405)


def admin_page(answer) -> dict:
    """A page of Django's admin, which does not restrict methods: a write gets the page
    again (a changelist's POST runs no action without a selection) or 405."""
    return {"GET": answer} | dict.fromkeys(WRITES, (answer, 405))


def admin_form(get, post) -> dict:
    """A form of Django's own (the admin's, the login page's): its PUT is its POST."""
    return {"GET": get, "POST": post} | dict.fromkeys(("PUT", "PATCH", "DELETE"), (get, post, 405))


def action(post) -> dict:
    """A POST-only step (require_POST): every other method is 405 before anything else."""
    return every(405) | {"POST": post}


def roles(anonymous, reader, owner, other, moderator) -> dict:
    return dict(zip(ROLES, (anonymous, reader, owner, other, moderator), strict=True))


def everyone(answers) -> dict:
    return dict.fromkeys(ROLES, answers)


def staff_only(moderator) -> dict:
    """The admin: anyone but staff is sent to log in (as someone else), whatever the method."""
    return roles(every(LOGIN), every(LOGIN), every(LOGIN), every(LOGIN), moderator)


def api_list(post) -> dict:
    """An API list that also takes new rows: GET for everyone, POST as `post` says."""
    return {"GET": 200, "POST": post} | dict.fromkeys(("PUT", "PATCH", "DELETE"), 405)


def api_item(get, change, put=None) -> dict:
    """An API resource: GET as `get` says, its changes (PATCH, DELETE, and PUT unless `put`
    says otherwise) as `change` says; POST is 405."""
    return {"GET": get, "POST": 405, "PUT": change if put is None else put} | dict.fromkeys(
        ("PATCH", "DELETE"), change
    )


# API writes (reading/api/writes.py), by session here: anonymous 401 (JSON, never a login
# page); a logged-in non-editor 403; an editor's empty POST is not JSON (415); a change
# without If-Match 428 for who may make it, 403 for another editor.
# Writes to a claim, on the owner's draft and on the owner's published claim alike:
# anonymous, reader, owner, other, moderator.
CLAIM_WRITES = {
    "annotations:claim-publish": roles(
        action(LOGIN), action(403), action(302), action(403), action(302)
    ),
    "annotations:claim-edit": roles(
        form(LOGIN, LOGIN), form(403, 403), form(200, 200), form(403, 403), form(200, 200)
    ),
    "annotations:claim-merge": roles(
        form(LOGIN, LOGIN), form(403, 403), form(403, 403), form(403, 403), form(200, 200)
    ),
    # Deletes a claim no annotation uses (the draft); refuses, back to its page, if any
    # does (the published claim).
    "annotations:claim-delete": roles(
        action(LOGIN), action(403), action(302), action(403), action(302)
    ),
    # Any editor relates claims; the empty form comes back with its errors.
    "annotations:claim-relation-add": roles(
        action(LOGIN), action(403), action(200), action(200), action(200)
    ),
    "annotations:claim-relation-delete": roles(
        action(LOGIN), action(403), action(302), action(403), action(302)
    ),
}

# The roles (tests/url_world.py): anonymous; "reader", logged in but not an editor; "owner",
# the editor who wrote the annotation, both claims and the relation, and proposed the tag;
# "other", another editor; "moderator", staff (parallax/permissions.py), not a superuser.
#
# Moderators act on the site's own pages. In the admin they are staff without model
# permissions: it lets them in, shows the audit log and failed logins (which grant view
# by is_moderator, parallax/admin.py), and answers 403 on every other model's pages.
# Giving them a permission group would change those rows on purpose.
#
# Claim routes are checked on the owner's draft (drafts are hidden from readers) and, as
# "[published]", on the owner's published claim.
ACCESS = {
    # ---- Site pages: anonymous, reader, owner, other, moderator ----
    "reading:home": everyone(page(200)),
    # Django's LoginView is a FormView, whose PUT is its POST: an empty form, 200.
    "login": everyone(admin_form(200, 200)),
    "logout": everyone(action(302)),
    # API tokens (parallax/accounts.py): anyone logged in sees and revokes their own; only
    # editors make them (the empty form comes back with its errors). The world's token is
    # the owner's: anyone else's revoke finds nothing.
    "tokens": roles(
        form(LOGIN, LOGIN), form(200, 403), form(200, 200), form(200, 200), form(200, 200)
    ),
    "token-revoke": roles(action(LOGIN), action(404), action(302), action(404), action(404)),
    "reading:story": everyone(page(200)),
    "reading:outlet": everyone(page(200)),
    "annotations:vocabulary": everyone(page(200)),
    # Proposed tags are usable at once (annotations.models.Tag), so their page is public.
    "reading:tag": everyone(page(200)),
    "reading:speaker": everyone(page(200)),
    "reading:quotation": everyone(page(200)),
    "reading:claims": everyone(page(200)),
    "reading:search": everyone(page(200)),
    "reading:article": everyone(page(200)),
    "reading:annotation": everyone(page(200)),
    "annotations:tag-styles": everyone(page(200)),
    # An article's texts, the current one and the earlier ones kept by corrections.
    "reading:article-versions": everyone(page(200)),
    "reading:article-version": everyone(page(200)),
    # Feeds, the sitemap and robots.txt (reading/views/discovery.py): public, and the same
    # for everyone.
    "reading:claims-feed": everyone(page(200)),
    "reading:story-feed": everyone(page(200)),
    "reading:tag-feed": everyone(page(200)),
    "reading:sitemap": everyone(page(200)),
    "reading:sitemap-section": everyone(page(200)),
    "reading:robots": everyone(page(200)),
    # ---- Editing: anonymous, reader, owner, other, moderator ----
    "sources:import": roles(
        form(LOGIN, LOGIN), form(403, 403), form(200, 200), form(200, 200), form(200, 200)
    ),
    # Background imports: an editor's own list; a job's pages for who started it and
    # moderators, not found for other editors (its number tells nothing).
    "sources:import-jobs": roles(page(LOGIN), page(403), page(200), page(200), page(200)),
    "sources:import-job": roles(page(LOGIN), page(403), page(200), page(404), page(200)),
    "sources:import-job-status": roles(page(LOGIN), page(403), page(200), page(404), page(200)),
    "sources:import-job-csv": roles(page(LOGIN), page(403), page(200), page(404), page(200)),
    # The annotating script's endpoint answers JSON: 403 rather than a login page.
    "annotations:annotation-create": roles(
        action(403), action(403), action(400), action(400), action(400)
    ),
    "annotations:annotation-edit": roles(
        form(LOGIN, LOGIN), form(403, 403), form(200, 200), form(403, 403), form(200, 200)
    ),
    "annotations:annotation-delete": roles(
        action(LOGIN), action(403), action(302), action(403), action(302)
    ),
    "annotations:annotation-restore": roles(
        action(LOGIN), action(403), action(403), action(403), action(302)
    ),
    # ---- Editing from a quotation: any editor. The empty annotate form comes back with its
    # errors (400); an empty correction clears the speaker and verb (302 back); the world's
    # quotation is in no trace, so taking it out or joining nothing says so (302 back). ----
    "annotations:quotation-annotate": roles(
        action(LOGIN), action(403), action(400), action(400), action(400)
    ),
    "annotations:quotation-correct": roles(
        action(LOGIN), action(403), action(302), action(302), action(302)
    ),
    "annotations:quotation-take-out": roles(
        action(LOGIN), action(403), action(302), action(302), action(302)
    ),
    "annotations:quotation-join": roles(
        action(LOGIN), action(403), action(302), action(302), action(302)
    ),
    # ---- Corrections and review: any editor; the empty correction and move forms come
    # back with their errors. The world's annotation is anchored: accepting or orphaning
    # it is refused with a message (302 back), and moving an anchored annotation changes
    # its words, so only its author or a moderator may. ----
    "annotations:article-correct": roles(
        form(LOGIN, LOGIN), form(403, 403), form(200, 200), form(200, 200), form(200, 200)
    ),
    "annotations:article-review": roles(page(LOGIN), page(403), page(200), page(200), page(200)),
    "annotations:review": roles(page(LOGIN), page(403), page(200), page(200), page(200)),
    "annotations:article-find": roles(page(LOGIN), page(403), page(200), page(200), page(200)),
    "annotations:annotation-accept": roles(
        action(LOGIN), action(403), action(302), action(302), action(302)
    ),
    "annotations:annotation-orphan": roles(
        action(LOGIN), action(403), action(302), action(302), action(302)
    ),
    "annotations:annotation-move": roles(
        form(LOGIN, LOGIN), form(403, 403), form(200, 200), form(403, 403), form(200, 200)
    ),
    # ---- Claims, on the owner's draft: anonymous, reader, owner, other, moderator ----
    "reading:claim": roles(page(404), page(404), page(200), page(200), page(200)),
    "reading:claim-csv": roles(page(404), page(404), page(200), page(200), page(200)),
    "reading:claim-raw-csv": roles(page(404), page(404), page(200), page(200), page(200)),
    "reading:claim-json": roles(page(404), page(404), page(200), page(200), page(200)),
    # A feed is the same for everyone: a draft has none, for its editors either.
    "reading:claim-feed": everyone(page(404)),
    **CLAIM_WRITES,
    # ---- Claims, on the owner's published claim ----
    "reading:claim [published]": everyone(page(200)),
    "reading:claim-csv [published]": everyone(page(200)),
    "reading:claim-raw-csv [published]": everyone(page(200)),
    "reading:claim-json [published]": everyone(page(200)),
    "reading:claim-feed [published]": everyone(page(200)),
    # The writes answer as on the draft.
    **{f"{name} [published]": row for name, row in CLAIM_WRITES.items()},
    # ---- The read API (reading/api/): what the pages show, as JSON; only GET. ----
    "api:api-root": everyone(page(200)),
    "api:openapi-json": everyone(page(200)),
    "api:docs": everyone(page(200)),
    "api:outlets": everyone(page(200)),
    "api:outlet": everyone(page(200)),
    "api:stories": everyone(page(200)),
    "api:story": everyone(page(200)),
    "api:articles": everyone(page(200)),
    "api:article": everyone(page(200)),
    "api:article-annotations": everyone(page(200)),
    "api:claims": roles(api_list(401), api_list(403), api_list(415), api_list(415), api_list(415)),
    "api:annotations": roles(
        api_list(401), api_list(403), api_list(415), api_list(415), api_list(415)
    ),
    "api:annotation": roles(
        api_item(200, 401),
        api_item(200, 403),
        api_item(200, 428),
        api_item(200, 403),
        api_item(200, 428),
    ),
    "api:w3c-import": roles(action(401), action(403), action(415), action(415), action(415)),
    # A draft claim, as on its page: editors only. Claims take no PUT.
    "api:claim": roles(
        api_item(404, 401, put=405),
        api_item(404, 403, put=405),
        api_item(200, 428, put=405),
        api_item(200, 403, put=405),
        api_item(200, 428, put=405),
    ),
    "api:claim-annotations": roles(page(404), page(404), page(200), page(200), page(200)),
    "api:claim [published]": roles(
        api_item(200, 401, put=405),
        api_item(200, 403, put=405),
        api_item(200, 428, put=405),
        api_item(200, 403, put=405),
        api_item(200, 428, put=405),
    ),
    "api:claim-annotations [published]": everyone(page(200)),
    # Any other address under /api/: a JSON 404, whatever the method.
    "api:unknown": everyone(every(404)),
    # ---- Vocabulary steps, on a proposed tag: moderators only ----
    "annotations:tag-accept": roles(
        action(LOGIN), action(403), action(403), action(403), action(302)
    ),
    "annotations:tag-merge": roles(
        action(LOGIN), action(403), action(403), action(403), action(302)
    ),
    # GET shows the confirmation page, POST rejects.
    "annotations:tag-reject": roles(
        form(LOGIN, LOGIN), form(403, 403), form(403, 403), form(403, 403), form(200, 302)
    ),
    # An empty form names no direction: 400, "Move a tag up or down".
    "annotations:tag-move": roles(
        action(LOGIN), action(403), action(403), action(403), action(400)
    ),
    # ---- The admin: anyone but staff goes to log in; moderators as below ----
    # Our redirect to the one login page comes before the admin's own login, which it
    # shadows (SHADOWED below).
    "admin/login/": everyone(every(LOGIN)),
    "admin:login": everyone(every(LOGIN)),
    "admin:index": staff_only(admin_page(200)),
    # The admin's logout sends a non-staff user to the admin index, which asks to log in.
    "admin:logout": roles(every(302), every(302), every(302), every(302), action(302)),
    "admin:password_change": staff_only(admin_form(200, 200)),
    "admin:password_change_done": staff_only(admin_page(200)),
    "admin:jsi18n": staff_only(admin_page(200)),
    # Asked for the claims an annotation may point at: moderators may not view claims here.
    "admin:autocomplete": staff_only(admin_page(403)),
    # Sends staff to the object's own page (here the draft claim, which staff may read).
    "admin:view_on_site": staff_only(every(302)),
    # The audit log's app holds the audit log; the annotations app nothing they may see.
    "admin:app_list": staff_only(admin_page(200)),
    "admin:app_list [annotations]": staff_only(every(404)),
    "admin/(?P<url>.*)$": staff_only(every(404)),
    # Read-only for moderators: the list and history open, a change is refused.
    "admin:parallax_auditevent_changelist": staff_only(admin_page(200)),
    "admin:parallax_auditevent_change": staff_only(admin_form(200, 403)),
    "admin:parallax_auditevent_history": staff_only(admin_page(200)),
    "admin:axes_accessattempt_changelist": staff_only(admin_page(200)),
    "admin:axes_accessattempt_change": staff_only(admin_form(200, 403)),
    "admin:axes_accessattempt_history": staff_only(admin_page(200)),
    "admin:auth_user_password_change": staff_only(every(403)),
    # Correcting an article's text needs the change permission on articles.
    "admin:sources_article_correct": staff_only(every(403)),
    # Every other model's pages (users, groups, outlets, stories, articles, tags, claims,
    # annotations, axes' logs): moderators hold no permission on them.
    Like("admin:*_changelist"): staff_only(every(403)),
    Like("admin:*_add"): staff_only(every(403)),
    Like("admin:*_change"): staff_only(every(403)),
    Like("admin:*_delete"): staff_only(every(403)),
    Like("admin:*_history"): staff_only(every(403)),
    # The old admin address of an object redirects to its change page (which decides).
    Like("admin/*/*/<path:object_id>/"): staff_only(every(302)),
}

# Patterns whose URL another pattern, earlier in parallax/urls.py, answers instead.
SHADOWED = {"admin:login": "admin/login/"}

# The table cannot shrink unnoticed: it checks at least this many cells.
MIN_CELLS = 3000


PATTERNS = {pattern.key: pattern for pattern in url_patterns()}
CASES = [(pattern.key, variant) for pattern in PATTERNS.values() for variant in variants(pattern)]


def case_key(key: str, variant: str) -> str:
    return f"{key} [{variant}]" if variant else key


def row_for(key: str) -> dict | None:
    """The row of `key`: its own, else the first pattern row that matches it."""
    if key in ACCESS:
        return ACCESS[key]
    return next((row for rule, row in ACCESS.items() if matches(rule, key)), None)


def matches(rule: str, key: str) -> bool:
    return rule == key or (isinstance(rule, Like) and fnmatchcase(key, rule))


def answered(response):
    """LOGIN for a redirect to a login page, else the status code."""
    redirect = response.status_code in (301, 302, 303, 307, 308)
    if redirect and urlsplit(response["Location"]).path.startswith(LOGIN_PATHS):
        return LOGIN
    return response.status_code


def clients(world) -> dict:
    """A client per role, logged in once; each cell starts from its cookies as they are now."""
    made = {}
    for role in ROLES:
        # Errors come back as a 500 answer, so the other cells are still checked.
        client = Client(enforce_csrf_checks=False, raise_request_exception=False)
        if world.users[role] is not None:
            client.force_login(world.users[role])
        made[role] = client, deepcopy(client.cookies)
    return made


def request(client, cookies, method: str, url: str):
    """One request, whose writes are undone before the next cell."""
    # The logout cells replace the session cookie; the others leave messages behind.
    client.cookies = deepcopy(cookies)
    with transaction.atomic():
        response = getattr(client, method.lower())(url)
        transaction.set_rollback(True)
    return response


def resolved_key(path: str) -> str:
    match = resolve(path)
    return match.view_name if match.url_name else match.route.replace("^", "")


def test_every_url_pattern_has_a_row():
    missing = [case_key(*case) for case in CASES if row_for(case_key(*case)) is None]
    assert not missing, "add a row to ACCESS for: " + ", ".join(missing)


def test_every_row_is_for_a_url_that_exists():
    keys = [case_key(*case) for case in CASES]
    stale = [rule for rule in ACCESS if not any(matches(rule, key) for key in keys)]
    assert not stale, "these ACCESS rows match no URL pattern any more, remove them: " + (
        ", ".join(stale)
    )


def test_every_row_names_each_role_and_method():
    for key, row in ACCESS.items():
        assert set(row) == set(ROLES), key
        for role, answers in row.items():
            assert set(answers) == set(METHODS), (key, role)


def test_the_table_checks_at_least_the_floor_of_cells():
    cells = len(CASES) * len(ROLES) * len(METHODS)
    print(f"permissions table: {len(CASES)} URLs x {len(ROLES)} roles x {len(METHODS)} methods")
    print(f"permissions table: {cells} cells")
    assert cells >= MIN_CELLS


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "variant"), CASES, ids=[case_key(*case) for case in CASES])
def test_each_role_gets_the_answer_the_table_gives(key, variant):
    row = row_for(case_key(key, variant))
    if row is None:
        pytest.fail(f"add a row to ACCESS for: {case_key(key, variant)}")
    world = build_world()
    url = world.url(PATTERNS[key], variant)
    assert resolved_key(urlsplit(url).path) == SHADOWED.get(key, key).replace("^", ""), (
        f"{url} is answered by another pattern: add it to SHADOWED if that is meant"
    )

    wrong = []
    for role, (client, cookies) in clients(world).items():
        for method in METHODS:
            response = request(client, cookies, method, url)
            got = answered(response)
            expected = row[role][method]
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if response.status_code >= 500 or got not in allowed:
                error = getattr(response, "exc_info", None)
                because = f" ({error[1]!r})" if error else ""
                wrong.append(f"{method} {url} as {role}: expected {expected}, got {got}{because}")
    assert not wrong, "\n".join(wrong)
