"""A bounded mixed read/write load on gunicorn, with PostgreSQL restarted half-way.

    .venv/bin/python bench/load.py                      # PostgreSQL: a cluster of its own
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/load.py --database sqlite    # a SQLite file, as configured
    .venv/bin/python bench/load.py --database sqlite --sqlite-before-wal

It loads the demo story into a database of its own, starts gunicorn (three workers)
on a free loopback port and runs twenty clients, each logged in as its own editor,
for 60 seconds or 20,000 requests, whichever comes first. Seven requests in ten
read (home, story, article, claim pages, the claims index); the others write
through the same forms a browser posts: new annotations (with the story's claims,
each client's own new claims, a few new claims and tags that every client names),
changes to a client's own annotations, and publishing or unpublishing its claims.

Half-way through, PostgreSQL is restarted:
- by default the bench runs a throwaway cluster of its own (initdb in a temporary
  folder, on a free port) and restarts that, so no one else's database goes down;
- with --database-url it uses that server and restarts it only when it is a
  cluster of this machine it can control (pg_lsclusters lists it, online, on that
  port, and the host is loopback), with pg_ctlcluster.
--no-restart skips the restart.

At the end it reads the database back and prints the requests served, the errors
by status or exception, the writes acknowledged and those not found (lost writes),
the latency percentiles, the restart window, and the errors in gunicorn's log.
Requests that fail while the database is down count as errors; an acknowledged
write must be found all the same. The database (and cluster) is removed at the
end unless --keep.
"""

import argparse
import contextlib
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.utils.text import slugify  # noqa: E402

from tests.concurrency_helpers import (  # noqa: E402
    Session,
    form_fields,
    gunicorn,
    run_helper,
    server_errors,
)

# The SQLite options before the fix (issue 8): rollback journal, deferred
# transactions, Python's default 5 s busy timeout. DATABASE_URL options win.
SQLITE_BEFORE_WAL = {
    "init_command": "PRAGMA journal_mode=DELETE",
    "transaction_mode": "DEFERRED",
    "timeout": 5,
}
SHARED_CLAIMS = [f"Every client names this claim, number {n}" for n in range(5)]
SHARED_TAGS = [f"load tag {n}" for n in range(5)]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--database-url",
        help="an existing PostgreSQL server (any database on it); the bench makes its own "
        "database there and drops it at the end",
    )
    parser.add_argument("--seconds", type=float, default=60, help="how long to load (60)")
    parser.add_argument("--max-requests", type=int, default=20000, help="at most (20000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (20)")
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--no-restart", action="store_true", help="do not restart PostgreSQL")
    parser.add_argument(
        "--restart-at", type=float, help="seconds into the load (default: half-way)"
    )
    parser.add_argument(
        "--sqlite-before-wal",
        action="store_true",
        help="SQLite with the options it had before WAL, to compare",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database and the log")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    if args.database_url:
        args.database = "postgresql"
    if args.seconds <= 0 or args.seconds > 600 or args.max_requests <= 0:
        parser.error("--seconds must be in (0, 600] and --max-requests positive")
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be from 1 to 200")
    return args


# Databases -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class PrivateCluster:
    """A PostgreSQL cluster of the bench's own, in a temporary folder, on loopback."""

    def __init__(self, folder: Path):
        self.bin = self.find_binaries()
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.description = f"PostgreSQL (a cluster of the bench's own, port {self.port})"
        # initdb and the server refuse to run as root: run them as postgres then.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def find_binaries() -> Path:
        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if candidates:
            return candidates[-1].parent
        if found := shutil.which("initdb"):
            return Path(found).parent
        raise SystemExit(
            "PostgreSQL's server programs (initdb, pg_ctl) were not found. Install "
            "PostgreSQL, or give a server with --database-url."
        )

    def pg_ctl(self, action, *args):
        # With a log file the server does not hold on to pg_ctl's output, which is read
        # to the end here.
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder}"
        log = self.folder / "postgresql.log"
        command = [self.bin / "pg_ctl", action, "-D", self.data, "-o", options, "-l", log, "-w"]
        return run([*self.as_owner, *command, *args], timeout=120)

    def start(self) -> str:
        if self.as_owner:
            shutil.chown(self.folder, "postgres")
        run(
            [*self.as_owner, self.bin / "initdb", "-D", self.data, "-U", "postgres",
             "--auth=trust", "--no-instructions"],
            timeout=120,
        )  # fmt: skip
        self.pg_ctl("start")
        database_url = f"postgres://postgres@127.0.0.1:{self.port}/parallax_load"
        run(
            [self.bin / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "parallax_load"],
            timeout=60,
        )  # fmt: skip
        return database_url

    def restart(self):
        self.pg_ctl("restart", "-m", "fast")

    def stop(self, keep: bool):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop", "-m", "fast")
        if keep:
            print(f"Kept the cluster's folder: {self.folder} (stopped)")


class ExistingServer:
    """A server given by URL: the bench makes a database of its own there and drops it."""

    def __init__(self, url: str):
        import psycopg

        self.psycopg = psycopg
        parts = urllib.parse.urlsplit(url)
        self.admin = {
            "host": parts.hostname or "localhost",
            "port": parts.port or 5432,
            "user": urllib.parse.unquote(parts.username or "postgres"),
            "password": urllib.parse.unquote(parts.password or ""),
            "dbname": "postgres",
            "autocommit": True,
        }
        self.name = f"parallax_load_{uuid.uuid4().hex[:8]}"
        self.url = parts._replace(path=f"/{self.name}").geturl()
        self.cluster = self.local_cluster()
        where = f"{self.admin['host']}:{self.admin['port']}"
        self.description = f"PostgreSQL at {where}" + (
            f" (local cluster {self.cluster[0]}/{self.cluster[1]})" if self.cluster else ""
        )

    def local_cluster(self):
        """(version, name) of the pg_lsclusters cluster serving this URL, if it is ours."""
        if self.admin["host"] not in ("127.0.0.1", "localhost", "::1"):
            return None
        try:
            lines = run(["pg_lsclusters", "--no-header"], timeout=30).stdout.splitlines()
        except (OSError, subprocess.CalledProcessError):
            return None
        for line in lines:
            version, name, port, status, *_ = line.split()
            if int(port) == int(self.admin["port"]) and status.startswith("online"):
                return version, name
        return None

    def start(self) -> str:
        from psycopg import sql

        with self.psycopg.connect(**self.admin) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        return self.url

    def can_restart(self) -> bool:
        return self.cluster is not None

    def restart(self):
        version, name = self.cluster
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"], timeout=120)

    def stop(self, keep: bool):
        if keep:
            print(f"Kept the database {self.name}")
            return
        from psycopg import sql

        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        for _ in range(30):  # right after a restart the server may still be starting
            try:
                with self.psycopg.connect(**self.admin) as connection:
                    connection.execute(drop)
                return
            except self.psycopg.OperationalError:
                time.sleep(1)


class SQLiteFile:
    def __init__(self, folder: Path, before_wal: bool):
        self.path = folder / "load.sqlite3"
        self.before_wal = before_wal
        self.description = "SQLite file, " + (
            "options before WAL (rollback journal, deferred transactions, 5 s timeout)"
            if before_wal
            else "as configured (WAL, immediate transactions, 20 s timeout)"
        )

    def start(self) -> str:
        url = f"sqlite:///{self.path}"
        if self.before_wal:
            url += "?" + urllib.parse.urlencode(SQLITE_BEFORE_WAL)
        return url

    def can_restart(self) -> bool:
        return False

    def stop(self, keep: bool):
        if keep:
            print(f"Kept the database file {self.path}")


# The load ----------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: str
    at: float  # seconds since the load started
    latency: float
    status: str  # "200", "500", or the exception's name


@dataclass
class Writes:
    """What one client asked to write and what the server acknowledged."""

    created: dict = field(default_factory=dict)  # annotation id -> note
    # annotation id / claim slug -> [(value, acknowledged), ...] in the order sent
    notes: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(list))
    unacknowledged_creates: int = 0


class Client:
    def __init__(self, index, username, url, data, rng, deadline, budget, started):
        self.index = index
        self.username = username
        self.browser = Session(url, timeout=30)
        self.data = data
        self.rng = rng
        self.deadline = deadline
        self.budget = budget
        self.started = started
        self.outcomes: list[Outcome] = []
        self.writes = Writes()
        self.own_claims: list[str] = []  # slugs of claims this client created
        self.count = 0

    def timed(self, kind, send):
        began = time.monotonic()
        try:
            answer = send()
            status = str(answer.status)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
            answer, status = None, type(error).__name__
        self.outcomes.append(Outcome(kind, began - self.started, time.monotonic() - began, status))
        return answer

    def run(self):
        self.browser.login(self.username)
        articles = list(self.data["articles"])
        while time.monotonic() < self.deadline and self.budget.take():
            self.count += 1
            roll = self.rng.random()
            if roll < 0.70:
                self.read(articles)
            elif roll < 0.85:
                self.create(self.rng.choice(articles))
            elif roll < 0.95:
                self.edit()
            else:
                self.toggle()
        return self

    def read(self, articles):
        path = self.rng.choice(
            [
                "/",
                "/claims/",
                f"/stories/{self.data['story']}/",
                f"/articles/{self.rng.choice(articles)}/",
                f"/claims/{self.rng.choice(self.data['claims'])}/",
            ]
        )
        self.timed("read", lambda: self.browser.get(path))

    def create(self, article):
        text = self.data["articles"][article]
        start = self.rng.randrange(0, max(1, len(text) - 80))
        end = start + self.rng.randrange(10, 60)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return
        choice = self.rng.random()
        if choice < 0.3:
            claim = ""
        elif choice < 0.6:
            claim = self.rng.choice(self.data["statements"])
        elif choice < 0.7:
            claim = self.rng.choice(SHARED_CLAIMS)
        else:
            claim = f"Claim of client {self.index} number {self.count}"
        tags = ["quote", self.rng.choice(SHARED_TAGS)] if self.rng.random() < 0.5 else ["framing"]
        note = f"client {self.index} request {self.count}"
        fields = {
            "start": start,
            "end": end,
            "exact": text[start:end],
            "prefix": text[max(0, start - 32) : start],
            "suffix": text[end : end + 32],
            "tags": ",".join(tags),
            "claim": claim,
            "stance": "reports",
            "note": note,
            "submission": str(uuid.uuid4()),
        }
        answer = self.timed(
            "create", lambda: self.browser.post(f"/articles/{article}/annotations/", fields)
        )
        if answer is not None and answer.status == 201:
            self.writes.created[str(answer.json()["id"])] = note
            if claim.startswith("Claim of client"):
                self.own_claims.append(slugify(claim))
        else:
            self.writes.unacknowledged_creates += 1

    def edit(self):
        if not self.writes.created:
            return
        annotation = self.rng.choice(list(self.writes.created))
        path = f"/annotations/{annotation}/edit/"
        page = self.timed("read", lambda: self.browser.get(path))
        if page is None or page.status != 200:
            return
        fields = form_fields(page.body, has_field="note")
        fields["note"] = f"client {self.index} edit {self.count}"
        answer = self.timed("edit", lambda: self.browser.post(path, fields))
        acknowledged = answer is not None and answer.status == 302
        self.writes.notes[annotation].append((fields["note"], acknowledged))

    def toggle(self):
        if not self.own_claims:
            return
        slug = self.rng.choice(self.own_claims)
        page = self.timed("read", lambda: self.browser.get(f"/claims/{slug}/"))
        if page is None or page.status != 200:
            return
        action = f"/claims/{slug}/publish/"
        fields = form_fields(page.body, action=action)
        answer = self.timed("publish", lambda: self.browser.post(action, fields))
        acknowledged = answer is not None and answer.status == 302
        self.writes.statuses[slug].append((fields["status"], acknowledged))


class Budget:
    """At most `total` requests across all clients."""

    def __init__(self, total):
        self.left = total
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left >= 0


# Checking and reporting --------------------------------------------------------------


def lost_writes(clients, stored) -> tuple[int, int, list[str]]:
    """(acknowledged, lost, examples): every acknowledged write must be in the database.

    A change is found when the row holds the last acknowledged value, or a value
    sent after it whose answer never came (the server may have saved it).
    """
    acknowledged, lost, examples = 0, 0, []
    annotations, claims = stored["annotations"], {c["slug"]: c for c in stored["claims"].values()}
    for client in clients:
        for pk, note in client.writes.created.items():
            acknowledged += 1
            if pk not in annotations:
                lost += 1
                examples.append(f"annotation {pk} ({note}) is missing")
        for rows, key, read in (
            (client.writes.notes, "note", lambda pk: annotations.get(pk, {}).get("note")),
            (client.writes.statuses, "status", lambda slug: claims.get(slug, {}).get("status")),
        ):
            for pk, sent in rows.items():
                acked = [i for i, (_, ok) in enumerate(sent) if ok]
                acknowledged += len(acked)
                if not acked:
                    continue
                allowed = {value for value, _ in sent[acked[-1] :]}
                if read(pk) not in allowed:
                    lost += 1
                    examples.append(
                        f"{key} of {pk} is {read(pk)!r}, acknowledged {sent[acked[-1]][0]!r}"
                    )
    return acknowledged, lost, examples


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))
    return sorted_values[index]


def latency_line(values) -> str:
    values = sorted(v * 1000 for v in values)
    figures = [f"p{p} {percentile(values, p):.0f}" for p in (50, 90, 99)]
    return ", ".join(figures) + f", max {values[-1]:.0f} ms" if values else "none"


def log_exceptions(log_text: str) -> Counter:
    """Exception lines of the tracebacks gunicorn's workers logged."""
    found = Counter()
    for block in server_errors(log_text):
        lines = [
            line for line in block.splitlines() if re.match(r"^[\w.]+(Error|Exception)\b", line)
        ]
        if lines:
            found[lines[-1][:160]] += 1
    return found


def report(args, database, clients, stored, window, elapsed, log_text):
    outcomes = [o for c in clients for o in c.outcomes]
    errors = [o for o in outcomes if not o.status.isdigit() or int(o.status) >= 500]
    by_kind = Counter(o.kind for o in outcomes)
    acknowledged, lost, examples = lost_writes(clients, stored)
    unacknowledged = sum(c.writes.unacknowledged_creates for c in clients)
    shared = Counter(
        c["statement"] for c in stored["claims"].values() if c["statement"] in SHARED_CLAIMS
    )

    print()
    print(f"Parallax load: {database.description}")
    print(
        f"  gunicorn {args.gunicorn_workers} workers, {args.clients} clients, "
        f"{elapsed:.1f} s (limit {args.seconds:.0f} s or {args.max_requests} requests)"
    )
    print(f"Requests served:  {len(outcomes)} ({len(outcomes) / elapsed:.1f}/s)")
    print("  by kind:        " + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())))
    statuses = Counter(o.status for o in outcomes)
    print("  by status:      " + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items())))
    print(f"Errors (5xx or no answer): {len(errors)}")
    for kind in sorted({o.kind for o in errors}):
        counts = Counter(o.status for o in errors if o.kind == kind)
        print(f"  {kind:<8} " + ", ".join(f"{s} ×{n}" for s, n in sorted(counts.items())))
    if window:
        began, ended = window
        # A request overlapping the restart, even by part of its time, counts as inside.
        inside = [o for o in errors if o.at <= ended and o.at + o.latency >= began]
        print(
            f"PostgreSQL restart: from {began:.1f} s to {ended:.1f} s "
            f"({ended - began:.1f} s); errors of requests overlapping it: {len(inside)}, "
            f"of other requests: {len(errors) - len(inside)}"
        )
        if errors:
            print(
                f"  errors seen from {min(o.at for o in errors):.1f} s "
                f"to {max(o.at for o in errors):.1f} s"
            )
    elif args.database == "postgresql":
        print("PostgreSQL restart: none")
    print(
        f"Writes acknowledged: {acknowledged}; lost (acknowledged, not found): {lost}; "
        f"creates not acknowledged: {unacknowledged}"
    )
    for example in examples[:10]:
        print(f"  {example}")
    if shared:
        duplicates = {s: n for s, n in shared.items() if n > 1}
        print(
            f"Claims every client named: {len(shared)} made, "
            f"{'none twice' if not duplicates else f'DUPLICATES {duplicates}'}"
        )
    print("Latency:")
    print(f"  all      {latency_line([o.latency for o in outcomes])}")
    for kind in sorted(by_kind):
        print(f"  {kind:<8} {latency_line([o.latency for o in outcomes if o.kind == kind])}")
    exceptions = log_exceptions(log_text)
    print(f"gunicorn log: {sum(exceptions.values())} tracebacks")
    for line, n in exceptions.most_common(10):
        print(f"  ×{n} {line}")
    return lost


# Main ----------------------------------------------------------------------------------


def main():
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="parallax-load-"))
    if args.database == "sqlite":
        database = SQLiteFile(folder, args.sqlite_before_wal)
    elif args.database_url:
        database = ExistingServer(args.database_url)
    else:
        database = PrivateCluster(folder)
    restart = args.database == "postgresql" and not args.no_restart
    if restart and isinstance(database, ExistingServer) and not database.can_restart():
        print(
            "Not restarting PostgreSQL: it is not a cluster of this machine that "
            "pg_lsclusters lists online on that port."
        )
        restart = False

    print(f"Preparing: {database.description}")
    database_url = database.start()
    try:
        data = run_helper(database_url, "demo", str(args.clients))
        log = folder / "gunicorn.log"
        with gunicorn(database_url, log, workers=args.gunicorn_workers) as server:
            lost = load(args, database, database_url, data, server, restart)
        if lost:
            sys.exit(1)
    finally:
        database.stop(keep=args.keep)
        if args.keep:
            print(f"Kept {folder} (gunicorn.log)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def load(args, database, database_url, data, server, restart):
    rng = random.Random(args.seed)
    budget = Budget(args.max_requests)
    started = time.monotonic()
    deadline = started + args.seconds
    clients = [
        Client(i, name, server.url, data, random.Random(rng.random()), deadline, budget, started)
        for i, name in enumerate(data["usernames"][: args.clients])
    ]
    window = None
    print(f"Loading for up to {args.seconds:.0f} s with {args.clients} clients…")
    with ThreadPoolExecutor(max_workers=args.clients) as pool:
        running = [pool.submit(client.run) for client in clients]
        if restart:
            restart_at = args.restart_at if args.restart_at is not None else args.seconds / 2
            time.sleep(max(0.0, started + restart_at - time.monotonic()))
            began = time.monotonic() - started
            database.restart()
            window = (began, time.monotonic() - started)
        for future in running:
            future.result()
    elapsed = time.monotonic() - started
    stored = run_helper(database_url, "inspect")
    return report(args, database, clients, stored, window, elapsed, server.log_text())


if __name__ == "__main__":
    main()
