"""Importing articles from files: plain text, HTML pages, JSON records, folders with a manifest.

The management command `import_articles` and the web import both call
`import_paths` or `import_entries`. Files are read one at a time and written in
batches (BATCH_ARTICLES records, one transaction each): one query finds the
stored articles a batch repeats, and its new articles, their passages and
quotations are written in a few statements. Should the database refuse any of
it, the batch is written again one record at a time, so a file it refuses fails
alone and the others land. Outlets and stories are remembered for the run. A
broken file is reported with its reason and the others go on. Importing the same
content again changes nothing; a record from the URL of a stored article with
another text corrects that article (sources.revisions).

A `Budget` bounds one import: the bytes and files zip archives may unpack to
and the records and new articles it may take. Each bound is a count checked
before the work it bounds, while the files are read one after another; the
import page sets them from the PARALLAX_MAX_UPLOAD_* settings, the command
leaves them open.
"""

import csv
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from parallax.fulltext import insert_rows
from sources import quotations
from sources.apps import PASSAGE_INDEX
from sources.models import Article, Outlet, Passage, Story, content_hash
from sources.revisions import Correction, CorrectionRefused, passage_rows, revise_text
from sources.text.dates import parse_date_line, parse_iso_date
from sources.text.decoding import UnreadableFile, decode_text
from sources.text.html import extract_page
from sources.text.layout import Layout, analyse

MANIFEST = "manifest.csv"
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
METADATA_KEYS = ("outlet", "story", "title", "url", "published", "author", "language")
UNATTRIBUTED_OUTLET = "Unattributed"
UNSORTED_STORY = "Unsorted imports"

# A zip inside a zip is read, every byte of both counted against the budget; one
# nested deeper is reported and not read. Real batches of articles are not nested
# deeper, and a zip that holds itself would otherwise be opened over and over.
ARCHIVE_NESTING = 2
# Members are inflated this much at a time (see _read_member).
CHUNK_BYTES = 64 * 1024
# bzip2 and LZMA are refused: zipfile inflates their data with no bound on the output
# (100 MB of zeros packs into 113 bytes of bzip2), so one read could fill the memory.
READABLE_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
NESTED_TOO_DEEPLY = "the JSON is nested too deeply to read"


class Status:
    CREATED = "created"
    EXISTING = "existing"
    # A record from a stored article's URL with a new text: the article took it.
    CORRECTED = "corrected"
    SKIPPED = "skipped"
    FAILED = "failed"


class LimitReached(Exception):
    """The import's budget ran out at `name`: it and everything after it are not read."""

    def __init__(self, name: str, reason: str):
        super().__init__(reason)
        self.name, self.reason = name, reason


@dataclass
class Budget:
    """What one import may still unpack, read and create; None is no limit.

    The limits are charged while the import reads, before the work they bound:
    an archive's directory is checked before any of its members is read, and
    each file or JSON record is counted before it is read. The counters say
    how much was done.
    """

    # A file inflated out of a zip archive.
    file_bytes: int | None = None
    # The bytes zip archives unpack to, a zip inside a zip included (its own bytes
    # counted as part of the outer archive's, its members' as well).
    unpacked_bytes: int | None = None
    # The files zip archives hold, nested ones included.
    members: int | None = None
    # Files and JSON records read, one report row each, whatever became of them.
    records: int | None = None
    # New articles created.
    articles: int | None = None

    unpacked_declared: int = 0  # what the archives admitted say they unpack to
    unpacked_read: int = 0  # what was inflated out of them
    members_listed: int = 0
    records_read: int = 0
    articles_created: int = 0

    def admit_archive(self, name: str, infos: list[zipfile.ZipInfo]) -> str:
        """Why an archive is not read, or "" (and it is counted), from its directory alone.

        The sizes there are what zipfile will return at most: it stops every
        member at its declared size.
        """
        base, files = PurePosixPath(name).name, len(infos)
        size = sum(info.file_size for info in infos)
        if self.members is not None and self.members_listed + files > self.members:
            if not self.members_listed:
                return (
                    f"{base} holds {files:,} files; the limit is {self.members:,} files "
                    "in zip archives per upload"
                )
            return (
                f"{base} holds {files:,} files, which with the {self.members_listed:,} "
                f"in the archives before it passes the limit of {self.members:,} files "
                "in zip archives per upload"
            )
        if self.unpacked_bytes is not None and self.unpacked_declared + size > self.unpacked_bytes:
            if not self.unpacked_declared:
                return (
                    f"{base} unpacks to {file_size(size)}; the limit is "
                    f"{file_size(self.unpacked_bytes)} unpacked per upload"
                )
            left = self.unpacked_bytes - self.unpacked_declared
            return (
                f"{base} unpacks to {file_size(size)}, more than the {file_size(left)} left "
                f"of the limit of {file_size(self.unpacked_bytes)} unpacked per upload"
            )
        self.members_listed += files
        self.unpacked_declared += size
        return ""

    def take_record(self, name: str) -> None:
        """Counts one more file or record, or stops the import if the limits are reached."""
        rest = "import the rest in another upload or with the import_articles command"
        if self.articles is not None and self.articles_created >= self.articles:
            raise LimitReached(
                name,
                "not imported, nor anything after it: this upload reached its limit of "
                f"{self.articles:,} new articles; {rest}",
            )
        if self.records is not None and self.records_read >= self.records:
            raise LimitReached(
                name,
                "not read, nor anything after it: this upload reached its limit of "
                f"{self.records:,} files and records; {rest}",
            )
        self.records_read += 1


@dataclass
class Outcome:
    name: str
    status: str
    reason: str = ""
    article: Article | None = None
    # For a correction: what became of the article's annotations.
    correction: Correction | None = None

    def describe(self) -> str:
        """One line for a person: what happened to this file and why."""
        if self.article is not None:
            article = self.article
            details = ", ".join(
                part
                for part in (
                    article.outlet.name,
                    article.published.isoformat() if article.published else "no date",
                    _count(getattr(article, "passage_count", None), "passage"),
                )
                if part
            )
            verb = {Status.CREATED: "created", Status.CORRECTED: "corrected"}.get(
                self.status, "already there"
            )
            line = f"{self.name}: {verb} — {article.title} ({details})"
            if self.status == Status.CORRECTED:
                line += f": {self.reason}"
        else:
            line = f"{self.name}: {self.status}"
        return f"{line}: {self.reason}" if self.reason and self.article is None else line


@dataclass
class Entry:
    """One file to import: its name for messages, its bytes, and metadata given with it."""

    name: str
    data: bytes | None
    metadata: dict[str, str] = field(default_factory=dict)
    # Set when the entry cannot be imported before it is even read (a bad manifest row).
    problem: str = ""
    problem_status: str = Status.FAILED
    # Reads the bytes when they are needed, so a large folder is not held in memory at once.
    loader: Callable[[], bytes] | None = None
    # A zip archive, opened when its turn comes: 1 at the top, 2 inside another zip.
    archive_depth: int = 0

    def read(self) -> bytes:
        if self.data is None and self.loader is not None:
            try:
                return self.loader()
            except (
                OSError,
                EOFError,
                KeyError,
                zipfile.BadZipFile,
                zlib.error,
                RuntimeError,  # an encrypted member
                NotImplementedError,  # an unknown compression method
            ) as error:
                raise UnreadableFile(f"could not be read ({error})") from None
        return self.data or b""


Progress = Callable[[Outcome, int, int], None]


def import_paths(
    paths: Iterable[str | Path],
    *,
    outlet: str | None = None,
    story: str | None = None,
    progress: Progress | None = None,
    trace: bool = True,
) -> list[Outcome]:
    """Import files and folders; `outlet` and `story` apply where nothing else names them.

    No limits apply: whoever runs the command chose the files on the server. The
    entries are listed first (names, not bytes: each file is read when its turn comes).
    """
    budget = Budget()
    entries: list[Entry] = []
    for path in map(Path, paths):
        entries.extend(entries_from_path(path, budget))
    return import_entries(
        entries,
        defaults={"outlet": outlet or "", "story": story or ""},
        progress=progress,
        budget=budget,
        trace=trace,
    )


def import_entries(
    entries: list[Entry],
    *,
    defaults: dict[str, str] | None = None,
    progress: Progress | None = None,
    budget: Budget | None = None,
    trace: bool = True,
) -> list[Outcome]:
    """Imports the entries in turn until they end or the budget stops them (in one last row).

    `progress(outcome, index, total)` is called for each outcome, in order, once the
    batch holding it is committed; `index` is the entry's number from 1, `total`
    len(entries). A created article's outcome keeps the article without its text and
    raw input (loaded again if asked for) and, for tracing, its quotations' ids, keys
    and words.

    The quotations found are traced before it returns, batched, unless `trace` is False:
    then the caller traces them (imported_quotations(outcomes)), in a job of its own, say.
    """
    budget = Budget() if budget is None else budget
    outcomes = []
    try:
        _import_all(entries, defaults, progress, budget, outcomes)
    finally:
        # What was imported is traced before the import returns, even one cut short.
        if trace:
            quotations.trace(imported_quotations(outcomes))
    return outcomes


@dataclass(frozen=True, slots=True)
class FoundQuotation:
    """What tracing reads of a quotation an import stored (sources.quotations.trace): an
    import keeps these, not the Quotation rows, until its quotations are traced."""

    pk: int
    article_id: int
    key: str
    text: str


def imported_quotations(outcomes: list[Outcome]) -> list[FoundQuotation]:
    """The quotations found in the articles an import created, in order."""
    return [
        quotation
        for outcome in outcomes
        for quotation in getattr(outcome.article, "found_quotations", ())
    ]


def _import_all(entries, defaults, progress, budget, outcomes) -> None:
    writer = _Writer(budget, progress, outcomes, len(entries))
    index = 0
    try:
        for index, entry in enumerate(entries, 1):
            for item in _read_entry(entry, defaults or {}, writer):
                writer.add(index, item)
    except LimitReached as stop:
        writer.add(index, Outcome(stop.name, Status.SKIPPED, stop.reason))
    writer.flush()


# Gathering entries ---------------------------------------------------------


def entries_from_path(path: Path, budget: Budget | None = None) -> list[Entry]:
    if path.is_dir():
        files = {
            str(child.relative_to(path).as_posix()): child
            for child in sorted(path.rglob("*"))
            if child.is_file() and not _hidden(child.relative_to(path).as_posix())
        }
        return entries_from_folder(
            path.name or str(path), files, read=lambda child: child.read_bytes(), budget=budget
        )
    if not path.exists():
        return [Entry(str(path), None, problem="no such file or folder")]
    if path.suffix.lower() == ".zip":
        return entries_from_zip(path.name, path.read_bytes(), budget=budget)
    if path.name == MANIFEST:
        return entries_from_path(path.parent, budget)
    return [_entry(str(path), path, Path.read_bytes)]


def entries_from_zip(
    name: str, data: bytes, *, budget: Budget | None = None, depth: int = 1
) -> list[Entry]:
    """The files of a zip archive, read as a folder (with its manifest, if any).

    The archive's directory is checked against the budget before any member
    is read; a member whose path would lead outside the archive is reported
    and never read.
    """
    budget = Budget() if budget is None else budget
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        return [Entry(name, None, problem=f"not a readable zip archive ({error})")]
    refused = budget.admit_archive(name, infos)
    if refused:
        return [Entry(name, None, problem=refused)]
    unsafe, members = [], {}
    for info in infos:
        # Some Windows tools put backslashes between folders; they are read as "/".
        path = info.filename.replace("\\", "/")
        if why := unsafe_path(path):
            problem = f"unsafe path in the archive ({why}); it was not read"
            unsafe.append(Entry(f"{name}/{info.filename}", None, problem=problem))
        elif not _hidden(path):
            members[path] = info
    # A zip of one folder holds everything under that folder's name; read from inside it.
    roots = {PurePosixPath(member).parts[0] for member in members}
    prefix = ""
    if len(roots) == 1 and all(len(PurePosixPath(m).parts) > 1 for m in members):
        prefix = roots.pop() + "/"
    files = {member[len(prefix) :]: info for member, info in members.items()}
    return unsafe + entries_from_folder(
        name,
        files,
        read=lambda info: _read_member(archive, info, budget),
        budget=budget,
        depth=depth,
    )


def unsafe_path(path: str) -> str:
    """Why an archive member's path could point outside the archive's folder, or ""."""
    if path.startswith("/"):
        return "an absolute path"
    if re.match(r"[A-Za-z]:", path):
        return "a drive letter"
    if ".." in PurePosixPath(path).parts:
        return "“..” leads out of the archive"
    return ""


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> bytes:
    """A member's bytes, inflated a chunk at a time.

    zipfile never returns more than the size the directory declares (checked
    by `Budget.admit_archive`), but its read() of a whole member may inflate up
    to a gigabyte before cutting it to that size; chunks keep a member that
    lies about its size from ever being held whole.
    """
    if info.compress_type not in READABLE_COMPRESSION:
        method = zipfile.compressor_names.get(info.compress_type, f"method {info.compress_type}")
        raise UnreadableFile(
            f"compressed with {method}, which the importer does not read; "
            "zip it again with the usual (deflate) compression"
        )
    if budget.file_bytes is not None and info.file_size > budget.file_bytes:
        raise UnreadableFile(
            f"it unpacks to {file_size(info.file_size)}; the limit is "
            f"{file_size(budget.file_bytes)} per file"
        )
    chunks = []
    with archive.open(info) as member:
        while chunk := member.read(CHUNK_BYTES):
            budget.unpacked_read += len(chunk)
            chunks.append(chunk)
    return b"".join(chunks)


def entries_from_folder(
    label: str, files: dict, read: Callable, *, budget: Budget | None = None, depth: int = 0
) -> list[Entry]:
    """Entries for a folder's files, `files` keyed by their path inside it.

    Each file belongs to the nearest folder above it that holds a manifest.csv (the
    folder itself included), and is read as that manifest says; files with no manifest
    above them are read as they are. So a corpus of several stories, each in a folder
    with its own manifest, imports in one go, each with its metadata.

    `depth` is how many zip archives the folder is inside (0 for a real folder
    or an upload); a zip among its files is opened when its turn comes.
    """
    inner = {
        str(PurePosixPath(key).parent)
        for key in files
        if PurePosixPath(key).name == MANIFEST and "/" in key
    }
    groups: dict[str, dict] = {"": {}}
    for key, handle in files.items():
        # The nearest of its folders with a manifest, walking up ("." is the top).
        home = next((f for f in map(str, PurePosixPath(key).parents) if f in inner), "")
        groups.setdefault(home, {})[key[len(home) + 1 :] if home else key] = handle
    entries = []
    for home, members in groups.items():
        where = f"{label}/{home}" if home else label
        entries.extend(_entries_of_one_folder(where, members, read, depth=depth))
    return entries


def _entries_of_one_folder(label: str, files: dict, read: Callable, *, depth: int) -> list[Entry]:
    """Entries for files under one manifest (at the top of `files`), or under none."""
    manifest_key = next(
        (key for key in files if PurePosixPath(key).name == MANIFEST and "/" not in key), None
    )
    if manifest_key is None:
        entries = []
        for key, handle in files.items():
            name = f"{label}/{key}"
            if PurePosixPath(key).suffix.lower() in SUPPORTED:
                entries.append(_entry(name, handle, read))
            elif PurePosixPath(key).suffix.lower() == ".zip":
                if depth + 1 > ARCHIVE_NESTING:
                    problem = "a zip inside a zip inside a zip is not read; unpack it first"
                    entries.append(Entry(name, None, problem=problem))
                else:
                    entries.append(
                        Entry(name, None, loader=lambda h=handle: read(h), archive_depth=depth + 1)
                    )
            else:
                entries.append(
                    Entry(
                        name,
                        None,
                        problem="not an article file (.txt, .html, .json or .jsonl)",
                        problem_status=Status.SKIPPED,
                    )
                )
        return entries
    try:
        rows, problem = _read_manifest(_entry(MANIFEST, files[manifest_key], read).read())
    except UnreadableFile as error:
        rows, problem = [], f"cannot read the manifest: {error}"
    if problem:
        return [Entry(f"{label}/{MANIFEST}", None, problem=problem)]
    entries, listed = [], {manifest_key}
    for number, row in rows:
        where = f"{label}/{MANIFEST} row {number}"
        file_name = (row.get("file") or "").strip()
        if not file_name:
            entries.append(Entry(where, None, problem="the file column is empty"))
            continue
        key = _resolve(file_name, files)
        name = f"{label}/{file_name}"
        if key is None:
            entries.append(
                Entry(
                    name, None, problem=f"listed in {MANIFEST} (row {number}) but not in the folder"
                )
            )
            continue
        listed.add(key)
        metadata = {
            k: (row.get(k) or "").strip() for k in METADATA_KEYS if (row.get(k) or "").strip()
        }
        bad_date = metadata.get("published") and _parse_published(metadata["published"]) is None
        if bad_date:
            entries.append(
                Entry(
                    name,
                    None,
                    problem=(
                        f"{MANIFEST} row {number}: published “{metadata['published']}” "
                        "is not a date (use YYYY-MM-DD)"
                    ),
                )
            )
            continue
        entries.append(_entry(name, files[key], read, metadata))
    for key in files:
        if key not in listed:
            entries.append(
                Entry(
                    f"{label}/{key}",
                    None,
                    problem=f"not listed in {MANIFEST}",
                    problem_status=Status.SKIPPED,
                )
            )
    return entries


def _read_manifest(data: bytes | None) -> tuple[list[tuple[int, dict]], str]:
    try:
        text = decode_text(data or b"")
    except UnreadableFile as error:
        return [], f"cannot read the manifest: {error}"
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    missing = [column for column in ("file", "outlet", "story") if column not in columns]
    if missing:
        return [], f"the manifest has no {', '.join(missing)} column (it needs file, outlet, story)"
    rows = []
    try:
        for row in reader:
            cleaned = {(key or "").strip().lower(): value for key, value in row.items() if key}
            if any((value or "").strip() for value in cleaned.values() if isinstance(value, str)):
                rows.append((reader.line_num, cleaned))
    except csv.Error as error:
        return [], f"the manifest is not valid CSV (line {reader.line_num}: {error})"
    return rows, ""


def _resolve(file_name: str, files: dict) -> str | None:
    """The folder's file a manifest row names; never anything outside the folder."""
    path = file_name.replace("\\", "/")
    if unsafe_path(path):
        return None
    path = str(PurePosixPath(path))
    return path if path in files else None


def _hidden(relative: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in PurePosixPath(relative).parts)


def _entry(name: str, handle, read: Callable, metadata: dict | None = None) -> Entry:
    return Entry(name, None, metadata or {}, loader=lambda: read(handle))


# Importing one entry -----------------------------------------------------------


@dataclass
class _Record:
    name: str
    text: str = ""
    html: str = ""
    raw: str = ""
    raw_format: str = Article.Format.TEXT
    metadata: dict[str, str] = field(default_factory=dict)
    # Why this record cannot be imported (a broken JSON line), when it cannot.
    problem: str = ""


def _read_entry(
    entry: Entry, defaults: dict[str, str], writer: "_Writer"
) -> Iterator["Outcome | _Prepared"]:
    """One entry's records, read one at a time as they are taken: each an outcome already
    (a file that cannot be read) or a record ready to be written."""
    if entry.problem:
        writer.take(entry.name)
        yield Outcome(entry.name, entry.problem_status, entry.problem)
        return
    if entry.archive_depth:
        yield from _read_archive(entry, defaults, writer)
        return
    try:
        for record in _records(entry):
            writer.take(record.name)
            yield _prepare(record, defaults)
    except UnreadableFile as error:
        writer.take(entry.name)
        yield Outcome(entry.name, Status.FAILED, str(error))


def _read_archive(
    entry: Entry, defaults: dict[str, str], writer: "_Writer"
) -> Iterator["Outcome | _Prepared"]:
    try:
        data = entry.read()
        if not data:
            raise UnreadableFile("the file is empty")
    except UnreadableFile as error:
        writer.take(entry.name)
        yield Outcome(entry.name, Status.FAILED, str(error))
        return
    budget = writer.budget
    for member in entries_from_zip(entry.name, data, budget=budget, depth=entry.archive_depth):
        yield from _read_entry(member, defaults, writer)


def _records(entry: Entry) -> Iterator[_Record]:
    suffix = PurePosixPath(entry.name).suffix.lower()
    text = decode_text(entry.read())
    if suffix in HTML_SUFFIXES or (suffix not in JSON_SUFFIXES and _looks_like_html(text)):
        yield _Record(
            entry.name, html=text, raw=text, raw_format=Article.Format.HTML, metadata=entry.metadata
        )
    elif suffix in JSON_SUFFIXES:
        yield from _json_records(entry, text)
    else:
        yield _Record(entry.name, text=text, raw=text, metadata=entry.metadata)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


# Records are parsed as their turn comes, so a budget that runs out stops a long
# file without the rest of it ever being parsed or held.


def _json_records(entry: Entry, text: str) -> Iterator[_Record]:
    if PurePosixPath(entry.name).suffix.lower() == ".json":
        yield from _json_document_records(entry, text)
        return
    # One record a line; a JSON string may hold U+2028 and the like, so only "\n" ends one.
    for number, line in enumerate(io.StringIO(text, newline="\n"), 1):
        if not line.strip():
            continue
        name = f"{entry.name} line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield _Record(name, problem=f"not valid JSON ({error.msg})")
        except RecursionError:
            yield _Record(name, problem=NESTED_TOO_DEEPLY)
        else:
            yield _json_record(name, item, entry.metadata)


def _json_document_records(entry: Entry, text: str) -> Iterator[_Record]:
    """One object, or the items of a list (an error after some items ends the file there)."""
    start = _skip_space(text, 0)
    if not text.startswith("[", start):
        yield _json_record(entry.name, _json_value(text), entry.metadata)
        return
    number = 0
    try:
        for number, item in enumerate(_json_list_items(text, start), 1):
            yield _json_record(f"{entry.name} record {number}", item, entry.metadata)
    except (json.JSONDecodeError, RecursionError) as error:
        if number == 0:
            raise UnreadableFile(_json_problem(error)) from None
        yield _Record(
            f"{entry.name} record {number + 1}",
            problem=f"{_json_problem(error)}; the rest of the file was not read",
        )


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, position: int) -> int:
    return _SPACE.match(text, position).end()


def _json_value(text: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise UnreadableFile(_json_problem(error)) from None


def _json_list_items(text: str, start: int) -> Iterator:
    """The items of the JSON list at `start`, parsed one at a time, then a check of the end."""
    position = _skip_space(text, start + 1)
    if not text.startswith("]", position):
        while True:
            item, position = _DECODER.raw_decode(text, position)
            yield item
            position = _skip_space(text, position)
            if text.startswith(",", position):
                position = _skip_space(text, position + 1)
            elif text.startswith("]", position):
                break
            else:
                raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
    end = _skip_space(text, position + 1)
    if end < len(text):
        raise json.JSONDecodeError("Extra data", text, end)


def _json_problem(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON (line {error.lineno}: {error.msg})"
    return NESTED_TOO_DEEPLY


def _json_record(name: str, item, metadata: dict[str, str]) -> _Record:
    record = _Record(name, raw_format=Article.Format.JSON)
    if not isinstance(item, dict):
        record.problem = "a record must be a JSON object"
        return record
    try:
        # The raw record keeps a NUL as the escape "\u0000", which the database accepts.
        record.raw = json.dumps(item, ensure_ascii=False, indent=1)
        values = {
            key: _without_nul(str(item[key])).strip()
            for key in METADATA_KEYS
            if item.get(key) not in (None, "")
        }
    except RecursionError:
        record.problem = NESTED_TOO_DEEPLY
        return record
    text, html = item.get("text"), item.get("html")
    if not (isinstance(text, str) and text.strip()) and not (
        isinstance(html, str) and html.strip()
    ):
        record.problem = "the record has neither a text nor an html field"
        return record
    if isinstance(text, str) and text.strip():
        record.text = _without_nul(text.replace("\r\n", "\n"))
    else:
        record.html = _without_nul(html)
    record.metadata = {**metadata, **values}
    return record


def _without_nul(value: str) -> str:
    """A JSON string may hold a NUL character (as \\u0000); no text field in the database can."""
    return value.replace("\x00", "")


# Writing in batches ----------------------------------------------------------------

# Records written in one transaction: the stored articles they repeat are found in one
# query, their passages and quotations written in a few statements.
BATCH_ARTICLES = 100
# A batch is held in memory until it is written: fewer records when their texts are long.
BATCH_CHARACTERS = 4_000_000


@dataclass
class _Prepared:
    """A record read and laid out, everything the database is not needed for worked out;
    it waits in its batch to be written."""

    name: str
    layout: Layout
    raw: str
    raw_format: str
    url: str
    outlet_name: str
    story_title: str
    content_hash: str
    title: str
    byline: str
    published: date | None
    language: str
    # Why it cannot become a new article (a NUL in its title): it may still be found
    # stored already, or correct a stored article, as before.
    refused: str = ""

    @property
    def size(self) -> int:
        return len(self.layout.text) + len(self.raw)


def _prepare(record: _Record, defaults: dict[str, str]) -> "Outcome | _Prepared":
    """The record laid out and its metadata chosen, or its failure."""
    if record.problem:
        return Outcome(record.name, Status.FAILED, record.problem)
    meta = record.metadata
    found: dict[str, str] = {}
    try:
        if record.html:
            page = extract_page(record.html)
            layout = analyse(page.text, comments_from=page.comments_from, captions=page.captions)
            found = {
                "outlet": page.site_name,
                "title": page.title,
                "author": page.author,
                "published": page.published,
                "url": page.url,
                "language": page.language,
            }
        else:
            layout = analyse(record.text)
        if not layout.text.strip():
            raise UnreadableFile("no text left to import")
        url = meta.get("url") or found.get("url", "")
        outlet_name = (
            meta.get("outlet")
            or defaults.get("outlet")
            or found.get("outlet")
            or _domain(url)
            or UNATTRIBUTED_OUTLET
        )
        story_title = meta.get("story") or defaults.get("story") or UNSORTED_STORY
        _refuse_nul(
            outlet=outlet_name, story=story_title, url=url, raw=record.raw, text=layout.text
        )
    except UnreadableFile as error:
        return Outcome(record.name, Status.FAILED, str(error))
    # What the user gave wins, then the page's own metadata, then what the text says.
    published = (
        _parse_published(meta.get("published", ""))
        or _parse_published(found.get("published", ""))
        or layout.published
    )
    title = (
        meta.get("title")
        or (layout.title if layout.has_headline else "")
        or found.get("title")
        or layout.title
        or PurePosixPath(record.name).stem
    )
    byline = meta.get("author") or found.get("author") or ""
    refused = ""
    try:
        _refuse_nul(title=title, author=byline)
    except UnreadableFile as error:
        refused = str(error)
    return _Prepared(
        name=record.name,
        layout=layout,
        raw=record.raw,
        raw_format=record.raw_format,
        url=url,
        outlet_name=" ".join(outlet_name.split())[:200],
        story_title=" ".join(story_title.split())[:300],
        content_hash=content_hash(layout.text),
        title=" ".join(title.split())[:500],
        byline=(byline or layout.byline)[:300],
        published=published,
        language=(meta.get("language") or found.get("language") or "")[:20],
        refused=refused,
    )


class _Writer:
    """Collects an import's outcomes and prepared records in order, writes the records a
    batch at a time, then hands every outcome on (outcomes list, progress) in order."""

    def __init__(self, budget: Budget, progress: Progress | None, outcomes: list, total: int):
        self.budget, self.progress, self.outcomes, self.total = budget, progress, outcomes, total
        self.run = _Run()
        self.waiting: list[tuple[int, Outcome | _Prepared]] = []
        self.prepared = 0
        self.characters = 0

    def take(self, name: str) -> None:
        """Budget.take_record, with the batch written first when the articles it may create
        could reach the budget's limit of new articles: the count the limit is checked
        against is then exact."""
        budget = self.budget
        if (
            budget.articles is not None
            and budget.articles_created + self.prepared >= budget.articles
        ):
            self.flush()
        budget.take_record(name)

    def add(self, index: int, item: "Outcome | _Prepared") -> None:
        self.waiting.append((index, item))
        if isinstance(item, _Prepared):
            self.prepared += 1
            self.characters += item.size
        if (
            self.prepared >= BATCH_ARTICLES
            or self.characters >= BATCH_CHARACTERS
            or len(self.waiting) >= BATCH_ARTICLES
        ):
            self.flush()

    def flush(self) -> None:
        waiting, self.waiting = self.waiting, []
        self.prepared = self.characters = 0
        items = [item for _, item in waiting if isinstance(item, _Prepared)]
        written = iter(_write_batch(items, self.run) if items else ())
        for index, item in waiting:
            outcome = next(written) if isinstance(item, _Prepared) else item
            if outcome.status == Status.CREATED:
                self.budget.articles_created += 1
            _let_go(outcome)
            self.outcomes.append(outcome)
            if self.progress is not None:
                self.progress(outcome, index, self.total)


class _Run:
    """What one import remembers from batch to batch: the outlets and stories it met, by
    name with case aside. Those it creates are noted until their transaction ends, and
    forgotten again if it is rolled back."""

    def __init__(self):
        self.outlets: dict[str, Outlet] = {}
        self.stories: dict[str, Story] = {}
        self.created: list[tuple[dict, str]] = []

    def look_up(self, items: list[_Prepared]) -> None:
        """Loads the outlets and stories the items name that the run has not met yet:
        one query for each kind, when there are any."""
        for cache, model, field_name, names in (
            (self.outlets, Outlet, "name", {item.outlet_name for item in items}),
            (self.stories, Story, "title", {item.story_title for item in items}),
        ):
            unknown = {name.lower(): name for name in names if name.lower() not in cache}
            if not unknown:
                continue
            condition = Q()
            for name in unknown.values():
                condition |= Q(**{f"{field_name}__iexact": name})
            # In the model's order, as a lookup of one name took the first.
            for row in model.objects.filter(condition):
                key = getattr(row, field_name).lower()
                if key in unknown:
                    cache.setdefault(key, row)

    def outlet(self, name: str) -> Outlet | None:
        return self.outlets.get(name.lower())

    def outlet_for(self, name: str, url: str) -> Outlet:
        """The outlet of that name, created when there is none."""
        outlet = self.outlet(name)
        if outlet is None:
            site = ""
            if url:
                parts = urlsplit(url)
                site = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""
            outlet = Outlet.objects.create(name=name, site=site)
            self._remember(self.outlets, name, outlet)
        return outlet

    def story_for(self, title: str) -> Story:
        """The story of that title, created when there is none."""
        story = self.stories.get(title.lower())
        if story is None:
            story = Story.objects.create(title=title)
            self._remember(self.stories, title, story)
        return story

    def _remember(self, cache: dict, name: str, row) -> None:
        cache[name.lower()] = row
        self.created.append((cache, name.lower()))

    def mark(self) -> int:
        return len(self.created)

    def forget(self, since: int = 0) -> None:
        """Forgets the outlets and stories created since `mark()` was `since`: their
        transaction was rolled back."""
        for cache, key in self.created[since:]:
            cache.pop(key, None)
        del self.created[since:]


def _write_batch(items: list[_Prepared], run: _Run) -> list[Outcome]:
    """The outcomes of the items, in order, written in one transaction.

    Should the database refuse anything (an article, its passages or quotations), the
    batch is rolled back and written again one record at a time, each in a transaction
    of its own, so that the record it refused fails alone.
    """
    try:
        with transaction.atomic():
            outcomes = _write(items, run)
    except DatabaseError:
        run.forget()
        outcomes = [_write_alone(item, run) for item in items]
    run.created.clear()
    return outcomes


def _write_alone(item: _Prepared, run: _Run) -> Outcome:
    mark = run.mark()
    try:
        with transaction.atomic():
            return _write([item], run)[0]
    except DatabaseError as error:
        run.forget(mark)
        return Outcome(item.name, Status.FAILED, f"the database refused it ({error})")


def _write(items: list[_Prepared], run: _Run) -> list[Outcome]:
    """The outcomes of the items, in order: each found stored already (in the database or
    earlier in the batch), a correction of the stored article from its URL, or created.
    Queries: the outlets and stories not met yet (one each, when any), the stored articles
    (one), then for the batch's new articles their insert (one), passages (one) and
    quotations (two or more). A database error leaves here: see _write_batch."""
    run.look_up(items)
    by_hash, by_url = _stored(items, run)
    outcomes: list[Outcome] = []
    new: list[tuple[Article, Layout]] = []
    for item in items:
        outlet = run.outlet(item.outlet_name)
        if outlet is not None and (found := by_hash.get((outlet.pk, item.content_hash))):
            outcomes.append(Outcome(item.name, Status.EXISTING, article=found))
            continue
        # URLs are unique: the stored article from this URL is THE article, whatever outlet
        # the record names, and a different text is its correction.
        stored = by_url.get(item.url) if item.url else None
        if stored is not None:
            if any(article is stored for article, _ in new):
                _write_new(new)  # the correction rebuilds them: they must be there
                new = []
            old_key = (stored.outlet_id, stored.content_hash)
            outcome = _correct_article(item, stored)
            if outcome.status == Status.CORRECTED:
                if by_hash.get(old_key) is stored:
                    del by_hash[old_key]
                by_hash[(stored.outlet_id, stored.content_hash)] = stored
            outcomes.append(outcome)
            continue
        outcome = _create_article(item, run)
        if outcome.status == Status.CREATED:
            article = outcome.article
            new.append((article, item.layout))
            by_hash[(article.outlet_id, article.content_hash)] = article
            if article.url:
                by_url[article.url] = article
        outcomes.append(outcome)
    _write_new(new)
    return outcomes


def _stored(items: list[_Prepared], run: _Run) -> tuple[dict, dict]:
    """The stored articles the items repeat, by (outlet id, text hash) and by URL: one
    query on the two unique indexes, without the long text columns."""
    hashes: dict[int, set[str]] = {}
    for item in items:
        outlet = run.outlet(item.outlet_name)
        if outlet is not None:
            hashes.setdefault(outlet.pk, set()).add(item.content_hash)
    condition = Q()
    for outlet_id, values in hashes.items():
        condition |= Q(outlet_id=outlet_id, content_hash__in=sorted(values))
    urls = sorted({item.url for item in items if item.url})
    if urls:
        condition |= Q(url__in=urls) & ~Q(url="")
    if not condition:
        return {}, {}
    by_hash, by_url = {}, {}
    found = Article.objects.filter(condition).select_related("outlet").defer("text", "raw")
    for article in found.order_by():
        by_hash[(article.outlet_id, article.content_hash)] = article
        if article.url:
            by_url[article.url] = article
    return by_hash, by_url


def _create_article(item: _Prepared, run: _Run) -> Outcome:
    """A new article, validated and given its outlet and story (created when the run has
    none), for _write_new to insert with the batch's other new articles."""
    if item.refused:
        return Outcome(item.name, Status.FAILED, item.refused)
    layout = item.layout
    article = Article(
        title=item.title,
        byline=item.byline,
        published=item.published,
        url=item.url,
        language=item.language,
        text=layout.text,
        content_hash=item.content_hash,
        raw=item.raw,
        raw_format=item.raw_format,
        source_name=PurePosixPath(item.name).name[:300],
    )
    try:
        # The outlet and story are the run's own, and the batch's lookup found no stored
        # article with this text or URL: the unique and foreign-key checks would only ask
        # the database again.
        article.full_clean(
            exclude=["content_hash", "outlet", "story"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        return Outcome(item.name, Status.FAILED, "; ".join(error.messages))
    article.outlet = run.outlet_for(item.outlet_name, item.url)
    article.story = run.story_for(item.story_title)
    article.passage_count = len(layout.passages)
    return Outcome(item.name, Status.CREATED, article=article)


def _write_new(new: list[tuple[Article, Layout]]) -> None:
    """The articles made by _create_article, then their passages and quotations, all in a
    few statements. Their quotations are traced when the import is in (import_entries):
    the others may quote them too.

    One insert for the articles, not one each in a savepoint of its own: that took three
    round trips an article, a third of the time the batch took to write. bulk_create skips
    Article.save(), which has nothing to do here: the text's hash is set, and the text new."""
    if not new:
        return
    articles = [article for article, _ in new]
    Article.objects.bulk_create(articles)
    _store_passages(new)
    found: dict[int, list[FoundQuotation]] = {}
    for row in quotations.extract_new(articles):
        found.setdefault(row.article_id, []).append(
            FoundQuotation(row.pk, row.article_id, row.key, row.text)
        )
    for article in articles:
        article.found_quotations = found.get(article.pk, [])


def _store_passages(new: list[tuple[Article, Layout]]) -> None:
    """The passages of the batch's new articles, in one statement. On PostgreSQL the
    statement computes their search vectors too (parallax.fulltext.insert_rows), from the
    passages' texts cut here: the trigger that would, once a passage, took more time than
    everything else the batch writes."""
    rows = [row for article, layout in new for row in passage_rows(article, layout)]
    if connection.vendor != "postgresql":
        Passage.objects.bulk_create(rows)
        return
    fields = [field for field in Passage._meta.concrete_fields if not field.primary_key]
    insert_rows(
        connection,
        PASSAGE_INDEX,
        {
            field.column: (field.db_type(connection), [getattr(row, field.attname) for row in rows])
            for field in fields
        },
        # The index reads a passage's text from its article's: the same characters.
        texts=[layout.text[p.start : p.end] for _, layout in new for p in layout.passages],
    )


def _correct_article(item: _Prepared, article: Article) -> Outcome:
    """A record from a stored article's URL with another text: the article is corrected,
    its annotations placed again (see sources.revisions.revise_text)."""
    layout = item.layout
    try:
        with transaction.atomic():
            correction = revise_text(article, layout.text, source="import", layout=layout)
    except CorrectionRefused as refused:
        return Outcome(item.name, Status.FAILED, f"not a correction of #{article.pk}: {refused}")
    except DatabaseError as error:
        return Outcome(item.name, Status.FAILED, f"the database refused it ({error})")
    if not correction.changed:
        return Outcome(item.name, Status.EXISTING, article=article)
    article.passage_count = len(layout.passages)
    return Outcome(
        item.name, Status.CORRECTED, correction.describe(), article=article, correction=correction
    )


def _let_go(outcome: Outcome) -> None:
    """An outcome keeps its article, not the article's text and raw input: a long import
    would otherwise hold every text it read. They load again if asked for."""
    article = outcome.article
    if article is not None and article.pk is not None:
        for name in ("text", "raw", "_stored_text"):
            article.__dict__.pop(name, None)


def _refuse_nul(**values: str) -> None:
    """The last check before the database: PostgreSQL refuses NUL in text, with an error.

    Files holding NUL are refused when decoded and JSON strings lose theirs; this
    catches whatever else would bring one (a pasted title, a name given in code).
    """
    for field_name, value in values.items():
        if "\x00" in (value or ""):
            raise UnreadableFile(f"its {field_name} holds a NUL character, which cannot be stored")


def _parse_published(value: str):
    value = (value or "").strip()
    return parse_iso_date(value) or parse_date_line(value) if value else None


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def file_size(n: int) -> str:
    """A size for people: 850 bytes, 1.5 KB, 12.3 MB (decimal units, as file managers show)."""
    if n < 1000:
        return "1 byte" if n == 1 else f"{n} bytes"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError("unreachable")


def _count(n: int | None, noun: str) -> str:
    if n is None:
        return ""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
