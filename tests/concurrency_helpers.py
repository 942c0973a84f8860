"""A real server on a database of its own, and browser-like sessions to load it.

The concurrency tests and bench/load.py need what pytest-django's in-process test
database cannot give: several gunicorn worker processes writing to one database
file or server. So the database is prepared, and read back, by subprocesses that
run this module with DATABASE_URL set:

    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 python -m tests.concurrency_helpers setup 20
    DATABASE_URL=sqlite:////tmp/x/db.sqlite3 python -m tests.concurrency_helpers inspect

(`demo N` loads the demo story instead, for bench/load.py.) They print JSON. Nothing here imports Django at module level: the test process
imports this module too, and its own database is another one.
"""

import contextlib
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "parallax.test_settings"
PASSWORD = "correct-horse-battery-staple"
EDITORS_GROUP = "editors"

# Long enough that every writer can select its own span of text.
ARTICLE_TEXT = "\n\n".join(
    f"Paragraph {n}. The flood barrier failed two inspections before the storm, "
    f"an internal memo shows; engineer {n} wrote that the hinges were corroded."
    for n in range(1, 101)
)


def server_env(database_url: str) -> dict:
    """The environment of every process that works on the server's database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    # The test process's own settings must not leak into the server's.
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    return env


def run_helper(database_url: str, *args: str, timeout: float = 300) -> dict:
    """Runs this module's command line against `database_url` and returns its JSON."""
    return run_module("tests.concurrency_helpers", server_env(database_url), *args, timeout=timeout)


def run_module(module: str, env: dict, *args: str, timeout: float = 300) -> dict:
    """Runs `python -m module *args` in `env` and returns the JSON it prints."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout)


# The server ------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def gunicorn(database_url: str, log: Path, workers: int = 3, timeout: float = 60):
    """gunicorn with `workers` processes on a free loopback port, until the block ends.

    The listening socket is made here and handed over as a file descriptor, so no
    other process can take the port between choosing it and binding it.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "parallax.wsgi",
        "--bind",
        f"fd://{listener.fileno()}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        # Its default path is shared by every gunicorn of this user.
        "--no-control-socket",
    ]
    with open(log, "ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env(database_url),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()
    server = Server(url=f"http://127.0.0.1:{port}", log=log, process=process)
    try:
        wait_until_serving(server, timeout)
        yield server
    finally:
        stop(process)


def wait_until_serving(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited at start:\n{server.log_text()}")
        with contextlib.suppress(OSError):
            if Session(server.url).get("/").status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not serve within {timeout}s:\n{server.log_text()}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_errors(log_text: str) -> list[str]:
    """The tracebacks and error lines of a server log, for a failure message."""
    keep = []
    for block in log_text.split("\nInternal Server Error")[1:]:
        # The request's path comes first and the exception last; tracebacks are long.
        block = "Internal Server Error" + block.split("\n[", 1)[0]
        keep.append(block if len(block) < 4000 else f"{block[:200]}\n…\n{block[-3000:]}")
    keep += [line for line in log_text.splitlines() if "[ERROR]" in line or "[CRITICAL]" in line]
    return keep


# A browser-like session ------------------------------------------------------------


@dataclass
class Response:
    status: int
    body: str
    headers: dict = field(default_factory=dict)
    url: str = ""

    def json(self):
        return json.loads(self.body)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One browser: its own cookies (session, CSRF), forms posted as a browser posts them.

    Redirects are not followed, so a test sees the answer to the request it made.
    """

    def __init__(self, base_url: str, timeout: float = 60):
        self.base_url = base_url
        self.timeout = timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, reply.read().decode(), dict(reply.headers), path)
        except urllib.error.HTTPError as reply:
            with reply:
                return Response(
                    reply.code, reply.read().decode(errors="replace"), dict(reply.headers), path
                )

    def get(self, path: str) -> Response:
        return self.request(path)

    def post(self, path: str, data: dict, headers: dict | None = None) -> Response:
        """Posts `data` with the CSRF token of this session's cookie, as a form does."""
        return self.request(path, {"csrfmiddlewaretoken": self.csrf_token(), **data}, headers)

    def csrf_token(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def login(self, username: str, password: str = PASSWORD) -> None:
        page = self.get("/accounts/login/")
        fields = form_fields(page.body, has_field="password")
        fields.update(username=username, password=password)
        answer = self.request("/accounts/login/", fields)
        if answer.status != 302:
            raise AssertionError(f"logging in as {username} answered {answer.status}")


# Reading forms out of pages --------------------------------------------------------


class _FormParser(HTMLParser):
    """The post forms of a page with the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = {"attrs": attrs, "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, *, form_id: str = "", action: str = "", has_field: str = "") -> dict:
    """The fields of the first form with that id, action or field, as a browser sends them."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        attrs = form["attrs"]
        if form_id and attrs.get("id") != form_id:
            continue
        if action and attrs.get("action") != action:
            continue
        if has_field and has_field not in form["fields"]:
            continue
        return dict(form["fields"])
    raise AssertionError(f"no form (id={form_id!r} action={action!r} field={has_field!r})")


# Setting the database up and reading it back (run in a subprocess) ------------------


def setup(editors: int) -> dict:
    """Migrates, then makes `editors` editors, an article cut into passages and a claim."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from annotations.models import Claim
    from tests.factories import make_article, make_claim

    call_command("migrate", interactive=False, verbosity=0)
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    usernames = []
    for n in range(1, editors + 1):
        user = User.objects.create_user(f"writer{n:02d}", password=PASSWORD)
        user.groups.add(group)
        usernames.append(user.username)
    article = make_article(text=ARTICLE_TEXT)
    claim = make_claim(story=article.story, statement="The barrier failed two inspections")
    return {
        "article": article.pk,
        "text": article.text,
        "usernames": usernames,
        "claim": claim.slug,
        "claim_status": claim.status,
        "published": Claim.Status.PUBLISHED,
        "draft": Claim.Status.DRAFT,
    }


def setup_demo(editors: int) -> dict:
    """Migrates, loads the demo story and makes `editors` editors: what bench/load.py loads."""
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from annotations.demo import load_demo
    from annotations.models import Claim

    call_command("migrate", interactive=False, verbosity=0)
    result = load_demo()
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    usernames = []
    for n in range(1, editors + 1):
        user = User.objects.create_user(f"load{n:02d}", password=PASSWORD)
        user.groups.add(group)
        usernames.append(user.username)
    story = result.story
    return {
        "story": story.slug,
        "articles": {str(a.pk): a.text for a in story.articles.all()},
        "claims": [c.slug for c in story.claims.filter(status=Claim.Status.PUBLISHED)],
        "statements": [c.statement for c in story.claims.all()],
        "usernames": usernames,
    }


def inspect() -> dict:
    """What the server stored: annotations with their claims and notes, and the claims."""
    from annotations.models import Annotation, Claim

    return {
        "annotations": {
            str(a.pk): {
                "claim": a.claim_id,
                "note": a.note,
                "start": a.start,
                "author": a.author.username if a.author_id else None,
                "tags": sorted(t.name for t in a.tags.all()),
            }
            for a in Annotation.objects.select_related("author").prefetch_related("tags")
        },
        "claims": {
            str(c.pk): {"statement": c.statement, "slug": c.slug, "status": c.status}
            for c in Claim.objects.all()
        },
    }


def main(argv: list[str]) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    command, *rest = argv
    if command == "setup":
        result = setup(int(rest[0]) if rest else 20)
    elif command == "demo":
        result = setup_demo(int(rest[0]) if rest else 20)
    elif command == "inspect":
        result = inspect()
    else:
        raise SystemExit(f"unknown command {command!r}: use setup N, demo N or inspect")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
