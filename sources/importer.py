"""Importing articles from files: plain text, HTML pages, JSON records, folders with a manifest.

The management command `import_articles` and the web import both call
`import_paths` or `import_entries`. Each article is imported in its own
transaction; a broken file is reported with its reason and the others go on.
Importing the same content again changes nothing.
"""

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from sources.models import Article, Outlet, Passage, Story, content_hash
from sources.text.dates import parse_date_line, parse_iso_date
from sources.text.decoding import UnreadableFile, decode_text
from sources.text.html import extract_page
from sources.text.layout import analyse

MANIFEST = "manifest.csv"
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
METADATA_KEYS = ("outlet", "story", "title", "url", "published", "author", "language")
UNATTRIBUTED_OUTLET = "Unattributed"
UNSORTED_STORY = "Unsorted imports"


class Status:
    CREATED = "created"
    EXISTING = "existing"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class Outcome:
    name: str
    status: str
    reason: str = ""
    article: Article | None = None

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
            verb = "created" if self.status == Status.CREATED else "already there"
            line = f"{self.name}: {verb} — {article.title} ({details})"
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

    def read(self) -> bytes:
        if self.data is None and self.loader is not None:
            try:
                return self.loader()
            except (OSError, KeyError, zipfile.BadZipFile, RuntimeError) as error:
                raise UnreadableFile(f"could not be read ({error})") from None
        return self.data or b""


Progress = Callable[[Outcome, int, int], None]


def import_paths(
    paths: Iterable[str | Path],
    *,
    outlet: str | None = None,
    story: str | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Import files and folders; `outlet` and `story` apply where nothing else names them."""
    entries: list[Entry] = []
    for path in map(Path, paths):
        entries.extend(entries_from_path(path))
    return import_entries(
        entries, defaults={"outlet": outlet or "", "story": story or ""}, progress=progress
    )


def import_entries(
    entries: list[Entry],
    *,
    defaults: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    outcomes = []
    for index, entry in enumerate(entries, 1):
        for outcome in _import_entry(entry, defaults or {}):
            outcomes.append(outcome)
            if progress is not None:
                progress(outcome, index, len(entries))
    return outcomes


# Gathering entries ---------------------------------------------------------


def entries_from_path(path: Path) -> list[Entry]:
    if path.is_dir():
        files = {
            str(child.relative_to(path).as_posix()): child
            for child in sorted(path.rglob("*"))
            if child.is_file() and not _hidden(child.relative_to(path).as_posix())
        }
        return entries_from_folder(
            path.name or str(path), files, read=lambda child: child.read_bytes()
        )
    if not path.exists():
        return [Entry(str(path), None, problem="no such file or folder")]
    if path.suffix.lower() == ".zip":
        return entries_from_zip(path.name, path.read_bytes())
    if path.name == MANIFEST:
        return entries_from_path(path.parent)
    return [_entry(str(path), path, Path.read_bytes)]


def entries_from_zip(name: str, data: bytes) -> list[Entry]:
    """The files of a zip archive, read as a folder (with its manifest, if any)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = {
            info.filename: info
            for info in archive.infolist()
            if not info.is_dir() and not _hidden(info.filename)
        }
    except (zipfile.BadZipFile, OSError) as error:
        return [Entry(name, None, problem=f"not a readable zip archive ({error})")]
    # A zip of one folder holds everything under that folder's name; read from inside it.
    roots = {PurePosixPath(member).parts[0] for member in members}
    prefix = ""
    if len(roots) == 1 and all(len(PurePosixPath(m).parts) > 1 for m in members):
        prefix = roots.pop() + "/"
    files = {member[len(prefix) :]: info for member, info in members.items()}
    return entries_from_folder(name, files, read=archive.read)


def entries_from_folder(label: str, files: dict, read: Callable) -> list[Entry]:
    """Entries for a folder's files: those its manifest lists, or every supported file."""
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
                archive = _entry(name, handle, read)
                try:
                    data = archive.read()
                except UnreadableFile as error:
                    entries.append(Entry(name, None, problem=str(error)))
                    continue
                # An empty archive is reported as the file it is.
                entries.extend(entries_from_zip(name, data) if data else [archive])
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
    path = PurePosixPath(file_name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        return None
    return str(path) if str(path) in files else None


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


def _import_entry(entry: Entry, defaults: dict[str, str]) -> Iterator[Outcome]:
    if entry.problem:
        yield Outcome(entry.name, entry.problem_status, entry.problem)
        return
    try:
        records = list(_records(entry))
    except UnreadableFile as error:
        yield Outcome(entry.name, Status.FAILED, str(error))
        return
    for record in records:
        yield _import_record(record, defaults)


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


def _json_records(entry: Entry, text: str) -> Iterator[_Record]:
    if PurePosixPath(entry.name).suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise UnreadableFile(f"not valid JSON (line {error.lineno}: {error.msg})") from None
        items = data if isinstance(data, list) else [data]
        numbered = [
            (f"{entry.name} record {i}" if len(items) > 1 else entry.name, item)
            for i, item in enumerate(items, 1)
        ]
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                numbered.append((f"{entry.name} line {number}", json.loads(line)))
            except json.JSONDecodeError as error:
                numbered.append(
                    (f"{entry.name} line {number}", UnreadableFile(f"not valid JSON ({error.msg})"))
                )
    for name, item in numbered:
        yield _json_record(name, item, entry.metadata)


def _json_record(name: str, item, metadata: dict[str, str]) -> _Record:
    record = _Record(name, raw_format=Article.Format.JSON)
    if isinstance(item, Exception):
        record.metadata = {"_problem": str(item)}
        return record
    if not isinstance(item, dict):
        record.metadata = {"_problem": "a record must be a JSON object"}
        return record
    record.raw = json.dumps(item, ensure_ascii=False, indent=1)
    text, html = item.get("text"), item.get("html")
    if not (isinstance(text, str) and text.strip()) and not (
        isinstance(html, str) and html.strip()
    ):
        record.metadata = {"_problem": "the record has neither a text nor an html field"}
        return record
    record.text = text.replace("\r\n", "\n") if isinstance(text, str) and text.strip() else ""
    record.html = html if not record.text else ""
    record.metadata = {
        **metadata,
        **{key: str(item[key]).strip() for key in METADATA_KEYS if item.get(key) not in (None, "")},
    }
    return record


def _import_record(record: _Record, defaults: dict[str, str]) -> Outcome:
    problem = record.metadata.get("_problem")
    if problem:
        return Outcome(record.name, Status.FAILED, problem)
    try:
        with transaction.atomic():
            return _create_article(record, defaults)
    except UnreadableFile as error:
        return Outcome(record.name, Status.FAILED, str(error))
    except ValidationError as error:
        return Outcome(record.name, Status.FAILED, "; ".join(error.messages))
    except DatabaseError as error:
        return Outcome(record.name, Status.FAILED, f"the database refused it ({error})")


def _create_article(record: _Record, defaults: dict[str, str]) -> Outcome:
    meta = record.metadata
    found: dict[str, str] = {}
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
    outlet = _outlet(outlet_name, url)
    existing = Article.objects.filter(outlet=outlet, content_hash=content_hash(layout.text)).first()
    if existing is not None:
        return Outcome(record.name, Status.EXISTING, article=existing)
    if url and Article.objects.filter(url=url).exists():
        return Outcome(
            record.name,
            Status.SKIPPED,
            f"an article from {url} is already imported with a different text; it was not replaced",
        )
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
    article = Article(
        outlet=outlet,
        story=_story(story_title),
        title=" ".join(title.split())[:500],
        byline=(meta.get("author") or found.get("author") or layout.byline)[:300],
        published=published,
        url=url,
        language=(meta.get("language") or found.get("language") or "")[:20],
        text=layout.text,
        raw=record.raw,
        raw_format=record.raw_format,
        source_name=PurePosixPath(record.name).name[:300],
    )
    article.full_clean(exclude=["content_hash"])
    article.save()
    Passage.objects.bulk_create(
        Passage(article=article, ordinal=n, start=p.start, end=p.end, kind=p.kind, depth=p.depth)
        for n, p in enumerate(layout.passages, 1)
    )
    article.passage_count = len(layout.passages)
    return Outcome(record.name, Status.CREATED, article=article)


def _parse_published(value: str):
    value = (value or "").strip()
    return parse_iso_date(value) or parse_date_line(value) if value else None


def _domain(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


def _outlet(name: str, url: str) -> Outlet:
    name = " ".join(name.split())[:200]
    outlet = Outlet.objects.filter(name__iexact=name).first()
    if outlet is None:
        site = ""
        if url:
            parts = urlsplit(url)
            site = f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else ""
        outlet = Outlet.objects.create(name=name, site=site)
    return outlet


def _story(title: str) -> Story:
    title = " ".join(title.split())[:300]
    return Story.objects.filter(title__iexact=title).first() or Story.objects.create(title=title)


def _count(n: int | None, noun: str) -> str:
    if n is None:
        return ""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
